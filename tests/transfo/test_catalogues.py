"""The English catalogue translates every French string it holds, and none is left fuzzy.

French is the source language (its catalogue stays empty); a string added to the code and the
catalogue (`manage.py makemessages -l fr -l en`) without its English would show in French on
the English site.
"""
from pathlib import Path

from babel.messages.pofile import read_po

ENGLISH = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def untranslated(catalogue):
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            yield message.id if isinstance(message.id, str) else message.id[0]


def test_english_catalogue_translates_every_string():
    with ENGLISH.open("rb") as handle:
        catalogue = read_po(handle)

    assert len(catalogue) > 1000
    assert list(untranslated(catalogue)) == []
