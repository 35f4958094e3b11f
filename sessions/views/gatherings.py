"""InterTransfo pages: everyone of a programme reads its gatherings; its coordination plans them."""
from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from programmes.models import Lab, Programme

from ..gatherings import (
    announce_gathering,
    gathering_url,
    may_plan_gatherings,
    plan_gathering,
    programmes_of,
    update_gathering,
)
from ..models import Gathering
from .planner import DateInput


class GatheringForm(forms.ModelForm):
    class Meta:
        model = Gathering
        fields = ("title", "start_date", "end_date", "host_lab", "place_name", "place_address", "objectives", "status")
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "place_address": forms.Textarea(attrs={"rows": 2}),
            "objectives": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "end_date": _("Une InterTransfo dure de 1 à 3 jours consécutifs."),
            "status": _("« Annoncée » invite par e-mail les équipes et ambassadeur·rices de chaque labo."),
        }

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_lab"].queryset = Lab.objects.filter(programme=programme).order_by("name")
        self.fields["host_lab"].empty_label = gettext("— à choisir —")


class ProgrammeMixin:
    """Resolves the programme of the URL; someone outside it gets a 404, as if it did not exist.

    With ``requires_planning`` only its coordination (and admins) get in.
    """

    requires_planning = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        programme = programmes_of(request.user).filter(slug=kwargs["programme_slug"]).first()
        if programme is None:
            raise Http404
        self.programme = programme
        self.may_plan = may_plan_gatherings(request.user, programme)
        if self.requires_planning and not self.may_plan:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_gathering(self):
        gathering = (
            Gathering.objects.filter(programme=self.programme, number=self.kwargs["number"])
            .select_related("host_lab")
            .first()
        )
        if gathering is None:
            raise Http404
        gathering.programme = self.programme
        return gathering

    def base_url(self):
        return self.request.build_absolute_uri("/")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(programme=self.programme, may_plan=self.may_plan)
        return context


class GatheringIndexView(TemplateView):
    """The InterTransfo of every programme the person takes part in."""

    template_name = "sessions/gatherings/index.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        programmes = list(
            Programme.objects.filter(pk__in=programmes_of(user).values("pk"))
            .prefetch_related(
                Prefetch("gatherings", queryset=Gathering.objects.select_related("host_lab").order_by("start_date"))
            )
            .order_by("-start_date", "name")
        )
        coordinated = set(
            Programme.objects.filter(coordinations__user=user).values_list("pk", flat=True)
        ) if not user.is_superuser else {programme.pk for programme in programmes}
        context["programmes"] = [
            {
                "programme": programme,
                "may_plan": programme.pk in coordinated,
                "gatherings": [(gathering, gathering_url(gathering)) for gathering in programme.gatherings.all()],
            }
            for programme in programmes
        ]
        return context


class GatheringListView(ProgrammeMixin, TemplateView):
    template_name = "sessions/gatherings/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        gatherings = list(
            Gathering.objects.filter(programme=self.programme).select_related("host_lab").order_by("start_date")
        )
        for gathering in gatherings:
            gathering.programme = self.programme
        context["gatherings"] = [(gathering, gathering_url(gathering)) for gathering in gatherings]
        return context


class GatheringDetailView(ProgrammeMixin, TemplateView):
    template_name = "sessions/gatherings/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["gathering"] = self.get_gathering()
        return context


class GatheringFormView(ProgrammeMixin, TemplateView):
    """Create (no ``number`` in the URL) or change an InterTransfo."""

    template_name = "sessions/gatherings/form.html"
    requires_planning = True

    def get_instance(self):
        if "number" in self.kwargs:
            return self.get_gathering()
        return Gathering(programme=self.programme, number=0)

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        return self.render_form(GatheringForm(instance=instance, programme=self.programme), instance)

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        creating = instance.pk is None
        form = GatheringForm(request.POST, instance=instance, programme=self.programme)
        if not form.is_valid():
            return self.render_form(form, instance, status=400)
        fields = {name: form.cleaned_data[name] for name in GatheringForm.Meta.fields}
        try:
            if creating:
                gathering = plan_gathering(
                    programme=self.programme, planned_by=request.user, base_url=self.base_url(), **fields
                )
            else:
                gathering = update_gathering(
                    gathering=Gathering.objects.get(pk=instance.pk),
                    changed_by=request.user,
                    base_url=self.base_url(),
                    **fields,
                )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.render_form(form, instance, status=400)
        messages.success(
            request,
            gettext("InterTransfo n° %(number)s enregistrée.") % {"number": gathering.number},
        )
        gathering.programme = self.programme
        return redirect(gathering_url(gathering))

    def render_form(self, form, instance, status=200):
        context = self.get_context_data(form=form, gathering=instance if instance.pk else None)
        return self.render_to_response(context, status=status)


class GatheringAnnounceView(ProgrammeMixin, View):
    """Announce (POST): every Lab's people get an invitation, once each however often it is pressed."""

    requires_planning = True
    http_method_names = ("post",)

    def post(self, request, *args, **kwargs):
        gathering = self.get_gathering()
        try:
            queued = announce_gathering(gathering=gathering, announced_by=request.user, base_url=self.base_url())
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(gathering_url(gathering))
        if queued:
            messages.success(
                request,
                ngettext(
                    "InterTransfo annoncée : %(count)d invitation envoyée.",
                    "InterTransfo annoncée : %(count)d invitations envoyées.",
                    queued,
                )
                % {"count": queued},
            )
        else:
            messages.info(request, gettext("Tout le monde avait déjà reçu l'invitation : aucun nouvel envoi."))
        return redirect(gathering_url(gathering))

