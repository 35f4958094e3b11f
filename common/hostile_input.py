"""Hostile input that Django 5.2 passes to the database as it is, where it would answer 500.

- A NUL character: PostgreSQL can neither store nor compare it in text. No address of the
  platform has one, so ``RefuseNullCharactersMiddleware`` answers 400 to a path or a query
  parameter holding one, before any view reads it (forms already refuse it in what is posted).
- A multiple choice of objects (a case's team, a session's cases) checks each id's type but not
  its size: past the database's integer range, SQLite raises ``OverflowError``.
- The admin's autocomplete widget, drawing a form sent back with errors, looks the submitted ids
  up again without checking them at all: a NUL or a word raises ``ValueError``.

``guard_submitted_ids`` (called once, when the common app is ready) makes the first a form
error like any other wrong id, and has the second draw only the ids that can exist.
"""
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms.models import ModelMultipleChoiceField
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

API_PREFIX = "/api/"


def holds_null_character(request) -> bool:
    return "\x00" in request.path or any(
        "\x00" in name or any("\x00" in value for value in values) for name, values in request.GET.lists()
    )


class RefuseNullCharactersMiddleware:
    """A NUL character in the address: a 400 with a message (JSON for the open API)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not holds_null_character(request):
            return self.get_response(request)
        message = gettext("Cette adresse contient un caractère nul : aucune page de la plateforme n'en a.")
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"message": message}, status=400)
        return render(request, "400.html", {"message": message}, status=400)


def storable(field, value) -> bool:
    """Whether ``value``, as submitted, is something ``field`` could hold in the database."""
    if "\x00" in str(value):
        return False
    try:
        python_value = field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return False
    bounds = connection.ops.integer_field_ranges.get(field.get_internal_type())
    if bounds and isinstance(python_value, int):
        low, high = bounds
        return low <= python_value <= high
    return True


def _key_field(model, name):
    return model._meta.pk if name in (None, "pk") else model._meta.get_field(name)


def _check_values_in_range(original):
    def _check_values(self, value):
        field = _key_field(self.queryset.model, self.to_field_name)
        for pk in value if isinstance(value, (list, tuple, set, frozenset)) else ():
            if isinstance(pk, (str, int)) and not storable(field, pk):
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk})
        return original(self, value)

    return _check_values


def _optgroups_of_storable_ids(original):
    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        field = _key_field(remote.model, getattr(remote, "field_name", None))
        return original(self, name, [pk for pk in value if pk in (None, "") or storable(field, pk)], attr)

    return optgroups


def guard_submitted_ids():
    if getattr(ModelMultipleChoiceField._check_values, "guarded", False):
        return
    ModelMultipleChoiceField._check_values = _check_values_in_range(ModelMultipleChoiceField._check_values)
    ModelMultipleChoiceField._check_values.guarded = True
    AutocompleteMixin.optgroups = _optgroups_of_storable_ids(AutocompleteMixin.optgroups)
