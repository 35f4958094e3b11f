"""Single-line text: what a title, a name or a place may hold, and how to make any text one line.

A line break typed (or pasted, or imported) into a title ends up in a mail's subject, where it
is refused (``BadHeaderError``), and in CSV cells, feeds and calendar lines that it breaks. The
fields shown on one line refuse every control character; ``one_line`` is the second line of
defence for what was saved before that rule.
"""
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Unicode's control characters (Cc: NUL, tab, line feed, carriage return, escape, DEL, the C1
# range…) and its line and paragraph separators (Zl, Zp), which mail and text tools also break
# lines on.
LINE_BREAKING_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})
WHITESPACE_RUN = re.compile(r"\s+")


def control_characters(text: str) -> list[str]:
    """The control characters (and line or paragraph separators) in ``text``, in order, once each."""
    found = []
    for char in text:
        if unicodedata.category(char) in LINE_BREAKING_CATEGORIES and char not in found:
            found.append(char)
    return found


def _named(char: str) -> str:
    names = {"\n": _("un retour à la ligne"), "\r": _("un retour chariot"), "\t": _("une tabulation"), "\x00": _("un caractère nul")}
    return str(names.get(char, f"U+{ord(char):04X}"))


def validate_single_line(value) -> None:
    """Refuse a value holding a line break, a tabulation or another control character."""
    if not isinstance(value, str):
        return
    found = control_characters(value)
    if found:
        raise ValidationError(
            _("Ce champ tient sur une ligne : retirez %(characters)s."),
            code="control_characters",
            params={"characters": ", ".join(_named(char) for char in found)},
        )


def one_line(text: str) -> str:
    """``text`` on one line: every control character becomes a space, and runs of spaces one."""
    spaced = "".join(" " if unicodedata.category(char) in LINE_BREAKING_CATEGORIES else char for char in text)
    return WHITESPACE_RUN.sub(" ", spaced).strip()


def search_words(query: str) -> str:
    """The words of a search, without the punctuation a full-text engine reads as its syntax.

    SQLite's full-text syntax takes quotes, colons and parentheses as operators and fails on an
    unbalanced one (a 500); PostgreSQL's parser ignores them anyway. Every search box and the
    API's ``search`` parameter go through this.
    """
    return " ".join(re.findall(r"\w+", query or ""))
