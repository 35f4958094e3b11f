"""The reader's forms of the documentation: filters of the index and the search box (both GET)."""
from django import forms
from django.utils.translation import gettext_lazy as _


class DocumentationFilterForm(forms.Form):
    """Filter the documentation by Lab, kind and tag; every field may stay empty."""

    labo = forms.ChoiceField(label=_("Labo"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False)
    tag = forms.ChoiceField(label=_("Mot-clé"), required=False)

    def __init__(self, *args, labs, kinds, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["labo"].choices = [("", _("Tous les labos")), *((lab.slug, lab.name) for lab in labs)]
        self.fields["type"].choices = [
            ("", _("Tous les types")), *((kind, model._meta.verbose_name_plural) for kind, model in kinds.items())
        ]
        self.fields["tag"].choices = [("", _("Tous les mots-clés")), *((tag.slug, tag.name) for tag in tags)]
        self.labs_by_slug = {lab.slug: lab for lab in labs}
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = _("Ce choix n'existe pas : retirez ce filtre et réessayez.")


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher dans la documentation"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("Une recherche tient en 200 caractères au plus.")},
    )
