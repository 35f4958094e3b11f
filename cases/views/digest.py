"""« Mon résumé des cas »: how often one receives the digest of the Labs one runs (cases.digest)."""
from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from ambassadors.models import Ambassador
from common.views import PermissionRequiredMixin
from programmes.rules import labs_run_by

from .. import digest
from ..models import DigestPreference

# The page names a few Labs; an admin runs them all, and a count says enough.
LABS_NAMED = 10


class DigestPreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Recevoir le résumé par e-mail"),
        choices=DigestPreference.Frequency.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Chaque jour : le matin, ce qui s'est passé la veille. Chaque semaine : le lundi matin, "
            "ce qui s'est passé du lundi au dimanche précédents. Rien n'est envoyé quand rien ne s'est passé."
        ),
    )


class DigestPreferenceView(PermissionRequiredMixin, View):
    """Every logged-in person may choose; only those who run a Lab have something to receive."""

    permission_required = "common.logged_in"
    template_name = "cases/digest_preference.html"

    def render(self, form, status=200):
        labs = labs_run_by(self.request.user).order_by("name")
        context = {
            "form": form,
            "labs": list(labs[:LABS_NAMED]),
            "lab_count": labs.count(),
        }
        if not context["lab_count"]:
            # An ambassador reaches this page from « Mes cas »: say what it is for them.
            context["ambassador_labs"] = list(
                Ambassador.objects.filter(user=self.request.user, is_active=True)
                .order_by("lab__name")
                .values_list("lab__name", flat=True)
                .distinct()[:LABS_NAMED]
            )
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render(DigestPreferenceForm(initial={"frequency": digest.frequency_of(request.user)}))

    def post(self, request):
        form = DigestPreferenceForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        preference = digest.choose_frequency(user=request.user, frequency=form.cleaned_data["frequency"])
        messages.success(
            request,
            gettext("Votre choix est enregistré : « %(frequency)s ».") % {"frequency": preference.get_frequency_display()},
        )
        return redirect("my_cases:digest")
