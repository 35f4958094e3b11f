"""The programme's cases, side by side: what every Lab of one's programmes works on.

A case is listed if the reader may open it: their own Labs' cases, the other Labs' cases shared
with the programme or public. Public cases are read by visitors through the documentation, so
this list is for people logged in.
"""
from django.views.generic import ListView

from common.views import PermissionRequiredMixin
from programmes.models import Lab

from ..forms import CaseFilterForm, programme_tags
from ..models import Case


class ProgrammeCaseListView(PermissionRequiredMixin, ListView):
    permission_required = "common.logged_in"
    template_name = "cases/programme_case_list.html"
    context_object_name = "cases"
    paginate_by = 25

    def get_queryset(self):
        user = self.request.user
        readable = Case.objects.visible_to(user).in_programmes_of(user)
        labs = Lab.objects.filter(pk__in=readable.values("lab_id")).order_by("name")
        self.form = CaseFilterForm(self.request.GET or None, tags=programme_tags(readable), labs=labs)
        self.form.is_valid()
        return (
            self.form.filter(readable)
            .with_last_activity()
            .select_related("lab")
            .prefetch_related("tags")
            .order_by("-last_activity", "title", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        context["filtered"] = self.form.is_bound and any(self.form.cleaned_data.values())
        return context

    def render_to_response(self, context, **response_kwargs):
        if self.form.errors:
            # A filter value no list offers (a forged or outdated link): say so, with a 400.
            response_kwargs["status"] = 400
        return super().render_to_response(context, **response_kwargs)
