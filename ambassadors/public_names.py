"""How people are named on pages read from outside their Lab: only with their consent (DESIGN.md §2).

One rule for every such page (a public session or case and its printable agenda, what another
Lab of the programme reads, the drafts of the public documentation):

- someone who consented is named in full;
- anyone else the programme knows (an ambassador or relais, a resident or host, its coordination)
  shows as their first name and their trade or role, « Sacha (Jardinier) », wherever free text
  names them in full (in either order) or by their last name alone;
- in a list of facilitators, a piece that names nobody the platform knows is counted, not named:
  a stranger cannot have consented.

Text is matched word by word against the people whose last name occurs in it, so the cost of a
page does not grow with the size of the programme (``PublicNames.for_lab(lab, texts=...)``).
"""
import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _, ngettext

from programmes.models import Coordination, LabMembership
from programmes.names import public_form

from .models import Ambassador

# A word of a name: letters and digits, joined by hyphens or apostrophes (Marie-Claire, N'Diaye).
_WORD = re.compile(r"\w+(?:['’-]\w+)*")
# Words a full name may take (Jean-Baptiste de la Tour), and a last name alone.
MAX_NAME_WORDS = 5
MAX_LAST_NAME_WORDS = 3
# A shorter last name alone (« Li ») is too likely an ordinary word to be replaced on its own.
MIN_LAST_NAME = 3
# Past this many candidate words, everyone in scope is read rather than matched in SQL.
MAX_CANDIDATES = 800
# Between the facilitators of a block: « Rosa Lumière, Sacha Vautrin et Jean ».
_PIECES = re.compile(r",|;|/|&|\bet\b")


def _key(text):
    return " ".join(text.split()).lower()


def _ascii_lower(text):
    """Lower case as SQLite's (and PostgreSQL's C locale) lower() does it: ASCII letters only."""
    return "".join(character.lower() if character.isascii() else character for character in text)


def candidate_last_names(texts):
    """Word groups of ``texts`` that could be a last name, lower-cased as the database would."""
    found = set()
    for text in texts:
        words = _WORD.findall(text or "")
        for start in range(len(words)):
            for size in range(1, MAX_LAST_NAME_WORDS + 1):
                group = words[start:start + size]
                if len(group) < size:
                    break
                # A name has a capital somewhere (« de la Tour »); ordinary lower-case words are not asked for.
                if not any(word[:1].isupper() for word in group):
                    continue
                phrase = " ".join(group)
                found.update({phrase.lower(), _ascii_lower(phrase)})
    return found


@dataclass
class PublicNames:
    """What a page read from outside a Lab may show of the people it names."""

    # full name in lower case, in both orders → what may be shown
    forms: dict = field(default_factory=dict)
    # last name in lower case → (as written, what may be shown), for people without consent
    last_names: dict = field(default_factory=dict)

    @classmethod
    def for_lab(cls, lab, *, texts=None):
        """The people of ``lab``'s programme (see ``for_programme``)."""
        return cls.for_programme(lab.programme_id, texts=texts)

    @classmethod
    def for_programme(cls, programme_id, *, texts=None):
        """Every person of every Lab of the programme and its coordination.

        With ``texts`` (every text the page will show), only those whose last name occurs in
        them are read: three small queries, whatever the size of the programme.
        """
        names = cls()
        narrow = Q()
        if texts is not None:
            candidates = candidate_last_names(texts)
            if not candidates:
                return names
            if len(candidates) <= MAX_CANDIDATES:
                narrow = Q(last_name_key__in=candidates)
        ambassadors = (
            Ambassador.objects.filter(lab__programme_id=programme_id)
            .annotate(last_name_key=Lower("last_name"))
            .filter(narrow)
            .order_by("pk")
            .values_list("first_name", "last_name", "public_consent", "metier")
        )
        memberships = (
            LabMembership.objects.filter(lab__programme_id=programme_id)
            .annotate(last_name_key=Lower("user__last_name"))
            .filter(narrow)
            .order_by("pk")
            .values_list("user__first_name", "user__last_name", "public_consent", "role")
        )
        roles = dict(LabMembership.Role.choices)
        for first_name, last_name, consent, metier in ambassadors:
            names.add(first_name, last_name, consent=consent, role=metier)
        for first_name, last_name, consent, role in memberships:
            names.add(first_name, last_name, consent=consent, role=str(roles.get(role, role)))
        # The coordination has no consent of its own on record: a role, never a name.
        coordination = (
            Coordination.objects.filter(programme_id=programme_id)
            .annotate(last_name_key=Lower("user__last_name"))
            .filter(narrow)
            .order_by("pk")
            .values_list("user__first_name", "user__last_name")
        )
        for first_name, last_name in coordination:
            names.add(first_name, last_name, consent=False, role=_("coordination du programme"))
        return names

    def add(self, first_name, last_name, *, consent, role):
        """Someone the pages may name, with their consent and what they are shown as without it."""
        first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
        full_name = f"{first_name} {last_name}".strip()
        if not full_name:
            return
        keys = {_key(full_name), _key(f"{last_name} {first_name}")}
        if consent:
            # Someone with consent keeps it, even if another row of theirs says otherwise.
            for key in keys:
                self.forms[key] = full_name
            self.last_names.pop(_key(last_name), None)
            return
        if self.forms.get(_key(full_name)) == full_name:
            return
        shown = public_form(first_name, last_name, consent=False, role=role)
        for key in keys:
            self.forms[key] = shown
        if len(last_name) >= MIN_LAST_NAME:
            self.last_names[_key(last_name)] = (last_name, first_name or str(role))

    def __bool__(self):
        return bool(self.forms)

    def text(self, value):
        """Free text with every known person as a page outside their Lab may show them."""
        value = value or ""
        if not self.forms:
            return value
        words = list(_WORD.finditer(value))
        pieces, written, index = [], 0, 0
        while index < len(words):
            found = self._name_at(value, words, index)
            if found is None:
                index += 1
                continue
            size, shown = found
            start, end = words[index].start(), words[index + size - 1].end()
            pieces += [value[written:start], shown]
            written, index = end, index + size
        return "".join(pieces) + value[written:]

    def _name_at(self, value, words, index):
        """(number of words, what to show) for the longest name starting at ``words[index]``."""
        for size in range(min(MAX_NAME_WORDS, len(words) - index), 0, -1):
            last = words[index + size - 1]
            # The words of a name follow each other with only spaces between them.
            if any(not value[words[i].end():words[i + 1].start()].isspace() for i in range(index, index + size - 1)):
                continue
            phrase = value[words[index].start():last.end()]
            key = _key(phrase)
            if size > 1 and key in self.forms:
                shown = self.forms[key]
                # A name with consent stays as written; taken whole, its last name is not replaced below.
                return size, phrase if _key(shown) == key else shown
            if size <= MAX_LAST_NAME_WORDS and key in self.last_names:
                written, shown = self.last_names[key]
                # A last name alone is a capitalised word (« Rose », not « rose »): as written, or in capitals.
                if phrase in (written, written.upper()):
                    return size, shown
        return None

    def people(self, facilitators):
        """Who leads a block, as a page outside the Lab may say it.

        Known people as their consent allows; a piece that names nobody known is counted.
        """
        pieces = [piece.strip() for piece in _PIECES.split(facilitators or "") if piece.strip()]
        shown, unknown = [], 0
        for piece in pieces:
            form = self.forms.get(_key(piece))
            if form:
                shown.append(form)
            else:
                unknown += 1
        if unknown:
            shown.append(ngettext("%(count)d intervenant·e", "%(count)d intervenant·es", unknown) % {"count": unknown})
        return ", ".join(shown)
