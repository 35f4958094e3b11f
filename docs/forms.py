"""The reader's forms of the documentation: filters of the index and the search box (both GET)."""
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


# The index page must not grow with the programme: beyond this many Labs (a national programme has
# hundreds) the Lab filter is a box to type a name in, and only the most used tags are listed (the
# chosen one always is; every tag has its page).
LAB_CHOICES_MAX = 40
TAG_CHOICES_MAX = 40


class DocumentationFilterForm(forms.Form):
    """Filter the documentation by Lab, kind and tag; every field may stay empty.

    ``labs`` are the Labs by name and ``tags`` the tags in use, most used first (querysets, read
    only as far as needed). ``cleaned_data["labo"]`` is a Lab or None.
    """

    labo = forms.CharField(label=_("Labo"), required=False, max_length=200)
    type = forms.ChoiceField(label=_("Type"), required=False)
    tag = forms.ChoiceField(label=_("Mot-clé"), required=False)

    def __init__(self, *args, labs, kinds, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.labs = labs
        offered_labs = list(labs[: LAB_CHOICES_MAX + 1])
        if len(offered_labs) <= LAB_CHOICES_MAX:
            self.fields["labo"].widget = forms.Select(
                choices=[("", _("Tous les labos")), *((lab.slug, lab.name) for lab in offered_labs)]
            )
        else:
            self.fields["labo"].help_text = _("Le nom d'un labo ; vide pour tous.")
        self.fields["type"].choices = [
            ("", _("Tous les types")), *((kind, model._meta.verbose_name_plural) for kind, model in kinds.items())
        ]
        offered_tags = list(tags[:TAG_CHOICES_MAX])
        chosen = self.data.get("tag")
        if chosen and all(tag.slug != chosen for tag in offered_tags):
            offered_tags += list(tags.filter(slug=chosen))
        offered_tags.sort(key=lambda tag: tag.name.lower())
        self.fields["tag"].choices = [("", _("Tous les mots-clés")), *((tag.slug, tag.name) for tag in offered_tags)]
        self.fields["tag"].error_messages["invalid_choice"] = _("Ce mot-clé n'existe pas : retirez ce filtre et réessayez.")
        self.fields["type"].error_messages["invalid_choice"] = _("Ce choix n'existe pas : retirez ce filtre et réessayez.")

    def clean_labo(self):
        value = self.cleaned_data["labo"].strip()
        if not value:
            return None
        lab = self.labs.filter(Q(slug=value) | Q(name__iexact=value)).first()
        if lab is None:
            raise forms.ValidationError(_("Aucun labo ne porte ce nom : vérifiez-le, ou videz ce champ."))
        return lab


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher dans la documentation"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Une recherche tient en 200 caractères au plus.")},
    )
