"""How values are written on the pages, worked out once rather than by template filters per row."""
import datetime
import functools

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language


@functools.lru_cache(maxsize=4096)
def _date_label(language, value, format_name):
    return date_format(value, format_name)


def date_label(value, format_name="DATE_FORMAT"):
    """What ``{{ value|date:format_name }}`` shows, worked out once per language and date.

    A timeline shows a hundred dates, and the localised ``date`` filter is one of the costliest
    parts of a page (STACK.md); a date of the past is always written the same way.
    """
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return _date_label(get_language(), value, format_name)


def choice_labels(field):
    """``{value: label}`` of a model field's choices, translated once for the page: ``get_FOO_display()``
    translates every choice again at each call, which shows on a page with a row per person and day."""
    return {value: str(label) for value, label in field.field.flatchoices}
