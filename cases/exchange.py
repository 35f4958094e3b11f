"""A Lab's cases and journal, out to CSV or JSON and back in from CSV: every row checked, all or nothing.

Two tables, each a flat file a spreadsheet opens and saves back:

- the cases, one row per case (``CASE_COLUMNS``);
- the journal, one row per entry (``ENTRY_COLUMNS``).

The CSV export writes one table (UTF-8 with BOM and « ; », as French spreadsheets expect); the
JSON export holds both, with the same columns as keys. Importing a table back:

- cases are matched by their identifier (slug) in the Lab: a known one is updated (a new stage
  goes through ``services.move_case``, so the timeline dates the move), an unknown one created;
  an unchanged row changes nothing;
- journal entries are added; one that the Lab's journal already holds (same case, date, author
  and text) is left as it is, so importing the same file twice adds nothing;
- every row is checked, every problem reported with the line a spreadsheet shows (the header
  is line 1), and a file with a single wrong row saves nothing at all.

Texts are stored as typed, like those written in the journal's form, and shown through
``cases.markup.render_text`` (sanitised HTML) wherever they appear; control characters are
dropped. Cells a spreadsheet would run as a formula (« = », « + », « - », « @ ») are written
with a leading apostrophe, removed again on import.
"""
import csv
import dataclasses
import datetime
import io
import json
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.utils import parse_tags

from ambassadors.models import Ambassador
from common.csv_files import RowError, plain, read_sheet
from common.text import validate_single_line
from programmes.models import LabMembership, Visibility

from . import services
from .models import Case, ProgressEntry, Stage

MAX_BYTES = 5 * 1024 * 1024
# A Lab has a few dozen cases and some hundreds of entries; far more is surely not the right file.
MAX_ROWS = 5000
EXPORT_DELIMITER = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# An apostrophe of the cell's own is doubled, so that removing ours gives it back.
ESCAPED_STARTS = (*FORMULA_STARTS, "'")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LIST_SEPARATORS = re.compile(r"[\s,;]+")
SPACE_RUN = re.compile(r" {2,}")
CASES, ENTRIES = "cases", "entries"


@dataclasses.dataclass(frozen=True)
class Column:
    key: str  # the JSON key, and a header the import also accepts
    label: str  # the CSV header, in the reader's language (any language is accepted back)
    required: bool = False
    text: bool = False  # free text: kept as typed, line breaks included
    aliases: tuple = ()  # other headers a person may write


CASE_COLUMNS = (
    Column("lab", _("labo")),
    Column("slug", _("identifiant"), required=True),
    Column("title", _("titre"), required=True),
    Column("problem", _("problématique"), required=True, text=True),
    Column("sponsor", _("service commanditaire")),
    Column("stage", _("étape")),
    Column("lessons", _("enseignements"), text=True),
    Column("visibility", _("visibilité")),
    Column("site_address", _("adresse du site"), text=True),
    Column("tags", _("mots-clés")),
    Column("team", _("équipe (e-mails)"), aliases=("équipe",)),
)
ENTRY_COLUMNS = (
    Column("lab", _("labo")),
    Column("case", _("cas (identifiant)"), required=True, aliases=("cas",)),
    Column("date", _("date"), required=True),
    Column("author", _("auteur·rice (e-mail)"), aliases=("auteur·rice", "auteur", "autrice")),
    Column("done", _("ce que nous avons fait"), required=True, text=True, aliases=("fait",)),
    Column("learnt", _("ce que nous avons appris"), text=True, aliases=("appris",)),
    Column("next_steps", _("prochaines étapes"), text=True),
    Column("blockers", _("points de blocage"), text=True, aliases=("blocages",)),
    Column("session", _("session (n°)"), aliases=("session", "numéro de session")),
)
COLUMNS = {CASES: CASE_COLUMNS, ENTRIES: ENTRY_COLUMNS}


# --- Export ------------------------------------------------------------------------------


# Keywords in one cell: « mobilité | bus, tram » reads as two keywords in any spreadsheet, where
# taggit's own writing (quotes around names with a comma or a space) read as one text. The open
# data's lists use the same separator.
TAG_SEPARATOR = " | "


def _tags_text(names) -> str:
    return TAG_SEPARATOR.join(names)


def _parse_tags(text: str) -> list[str]:
    """Keywords of a cell: separated by « | », or in taggit's writing (files exported before)."""
    if "|" in text:
        return sorted({name.strip() for name in text.split("|") if name.strip()})
    return parse_tags(text)


def case_rows(lab, user) -> list[dict]:
    """The Lab's cases that ``user`` may read, as rows keyed by ``CASE_COLUMNS`` (three queries)."""
    cases = (
        Case.objects.visible_to(user)
        .in_lab(lab)
        .prefetch_related("tags", Prefetch("team", queryset=Ambassador.objects.order_by("email")))
        .order_by("slug")
    )
    return [
        {
            "lab": lab.slug,
            "slug": case.slug,
            "title": case.title,
            "problem": case.problem_statement,
            "sponsor": case.sponsoring_service,
            "stage": case.stage,
            "lessons": case.lessons,
            "visibility": case.visibility,
            "site_address": case.site_address,
            "tags": sorted(tag.name for tag in case.tags.all()),
            "team": [member.email for member in case.team.all()],
        }
        for case in cases
    ]


def entry_rows(lab, user) -> list[dict]:
    """The journal entries of the Lab's cases that ``user`` may read, keyed by ``ENTRY_COLUMNS`` (one query)."""
    entries = (
        ProgressEntry.objects.visible_to(user)
        .filter(case__lab=lab)
        .select_related("case", "author", "session_link__session")
        .order_by("case__slug", "entry_date", "created_at", "pk")
    )
    return [
        {
            "lab": lab.slug,
            "case": entry.case.slug,
            "date": entry.entry_date.isoformat(),
            "author": entry.author.email if entry.author else "",
            "done": entry.done,
            "learnt": entry.learnt,
            "next_steps": entry.next_steps,
            "blockers": entry.blockers,
            "session": entry.session.number if entry.session else None,
        }
        for entry in entries
    ]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(value)
    text = str(value)
    # A spreadsheet would run « =… » as a formula: the apostrophe keeps it text (removed on import).
    return f"'{text}" if text.startswith(ESCAPED_STARTS) else text


def export_csv(kind: str, rows: list[dict]) -> str:
    """One table as CSV text, with a BOM so that spreadsheets read it as UTF-8."""
    columns = COLUMNS[kind]
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=EXPORT_DELIMITER, lineterminator="\r\n")
    writer.writerow([str(column.label) for column in columns])
    for row in rows:
        values = dict(row)
        if kind == CASES:
            values["tags"] = _tags_text(row["tags"])
        writer.writerow([_cell(values[column.key]) for column in columns])
    return buffer.getvalue()


def export_json(lab, user) -> str:
    """Both tables in one JSON document, the columns as keys."""
    document = {
        "lab": lab.slug,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        CASES: case_rows(lab, user),
        ENTRIES: entry_rows(lab, user),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


# --- Reading a file ----------------------------------------------------------------------


@dataclasses.dataclass
class ImportReport:
    """What an import did; when ``errors`` is not empty, it saved nothing at all."""

    errors: list[RowError] = dataclasses.field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    source: str = ""  # what the file was read as (its format, encoding and separator)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclasses.dataclass
class Table:
    rows: list[tuple[int, dict]] = dataclasses.field(default_factory=list)  # (line, values by key)
    present: set = dataclasses.field(default_factory=set)  # the keys of the columns in the file
    errors: list[RowError] = dataclasses.field(default_factory=list)
    source: str = ""


def _header_names(column: Column) -> set[str]:
    names = {plain(column.key), plain(str(column.label)), *(plain(alias) for alias in column.aliases)}
    with translation.override("fr"):
        names.add(plain(str(column.label)))
    with translation.override("en"):
        names.add(plain(str(column.label)))
    return names


def _clean(column: Column, value: str) -> str:
    if value.startswith("'") and value[1:].startswith(ESCAPED_STARTS):
        value = value[1:]
    value = CONTROL_CHARACTERS.sub("", value)
    # A single-line cell keeps its line breaks and tabs, for the check to name them.
    return value.strip() if column.text else SPACE_RUN.sub(" ", value.strip())


def read_table(uploaded, kind: str) -> Table:
    """Read an uploaded CSV of ``kind`` (cases or entries); nothing here touches the database."""
    columns = COLUMNS[kind]
    sheet, refused = read_sheet(
        uploaded,
        max_bytes=MAX_BYTES,
        too_large=gettext("Le fichier dépasse 5 Mo : un labo en exporte bien moins. Est-ce le bon fichier ?"),
    )
    if refused:
        return Table(errors=[refused])
    reader = sheet.rows
    names = {name: column for column in columns for name in _header_names(column)}
    table = Table(source=sheet.source)
    by_index: dict[int, Column] = {}
    line = header_width = data_rows = 0
    try:
        # A spreadsheet shows one record per line, even when a quoted cell holds line breaks.
        for line, cells in enumerate(reader, start=1):
            if line == 1:
                header_width = len(cells)
                for index, cell in enumerate(cells):
                    column = names.get(plain(cell))
                    if column is None:
                        continue  # An extra column (notes…) is not imported.
                    if column.key in table.present:
                        table.errors.append(
                            RowError(1, gettext("la colonne « %(column)s » apparaît deux fois.") % {"column": column.label})
                        )
                    table.present.add(column.key)
                    by_index[index] = column
                missing = [str(column.label) for column in columns if column.required and column.key not in table.present]
                if missing:
                    expected = ", ".join(str(column.label) for column in columns if column.required)
                    table.errors.append(
                        RowError(
                            1,
                            gettext("colonne(s) absente(s) de l'en-tête : %(missing)s. Il faut au moins : %(expected)s.")
                            % {"missing": ", ".join(missing), "expected": expected},
                        )
                    )
                if table.errors:
                    return table
                continue
            if not any(cell.strip() for cell in cells):
                continue
            data_rows += 1
            if data_rows > MAX_ROWS:
                table.errors.append(RowError(line, gettext("le fichier dépasse %(max)s lignes : découpez-le.") % {"max": MAX_ROWS}))
                break
            if any(cell.strip() for cell in cells[header_width:]):
                table.errors.append(
                    RowError(
                        line,
                        gettext(
                            "cette ligne a plus de cases que l'en-tête : une valeur contient-elle "
                            "le séparateur sans guillemets ?"
                        ),
                    )
                )
                continue
            values = {column.key: _clean(column, cells[index]) if index < len(cells) else "" for index, column in by_index.items()}
            table.rows.append((line, values))
    except csv.Error as error:
        table.errors.append(RowError(line + 1, gettext("ligne illisible (%(error)s).") % {"error": error}))
    if line == 0:
        return Table(errors=[RowError(None, gettext("Le fichier est vide."))])
    if not table.rows and not table.errors:
        table.errors.append(RowError(None, gettext("Aucune ligne à importer : le fichier ne contient que l'en-tête.")))
    return table


# --- Checking rows -----------------------------------------------------------------------


def _choice_names(choices) -> dict[str, str]:
    """How a choice may be written (its value or its label, in French or in English) → its value."""
    names = {}
    for stored, label in choices:
        names[plain(stored)] = stored
        for language in ("fr", "en"):
            with translation.override(language):
                names[plain(str(label))] = stored
    return names


def _parse_date(value: str) -> datetime.date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def _too_long(line, column: Column, value: str, limit: int) -> list[RowError]:
    if len(value) <= limit:
        return []
    return [RowError(line, gettext("« %(column)s » dépasse %(limit)s caractères.") % {"column": column.label, "limit": limit})]


def _not_single_line(line, column: Column, value: str) -> list[RowError]:
    try:
        validate_single_line(value)
    except ValidationError as error:
        return [RowError(line, gettext("« %(column)s » : %(problem)s") % {"column": column.label, "problem": error.messages[0]})]
    return []


def _columns_by_key(kind):
    return {column.key: column for column in COLUMNS[kind]}


def _check_lab(line, lab, values) -> list[RowError]:
    other = values.get("lab", "")
    if other and other != lab.slug:
        return [
            RowError(
                line,
                gettext("cette ligne est celle du labo « %(other)s », pas de celui-ci (« %(lab)s ») : importez-la depuis son propre labo.")
                % {"other": other, "lab": lab.slug},
            )
        ]
    return []


def _check_required(line, kind, values) -> list[RowError]:
    return [
        RowError(line, gettext("la case « %(column)s » est vide.") % {"column": column.label})
        for column in COLUMNS[kind]
        if column.required and not values.get(column.key)
    ]


@dataclasses.dataclass
class CaseRow:
    line: int
    values: dict
    stage: str | None = None
    visibility: str | None = None
    tags: list | None = None
    team: list | None = None


def check_case_rows(lab, table: Table) -> tuple[list[CaseRow], list[RowError]]:
    """Every problem of the cases table that can be seen before writing, with its line."""
    columns = _columns_by_key(CASES)
    people = {member.email.lower(): member for member in Ambassador.objects.filter(lab=lab)}
    stage_choices, visibility_choices = _choice_names(Stage.choices), _choice_names(Visibility.choices)
    stage_names = ", ".join(Stage.values)
    visibility_names = ", ".join(Visibility.values)
    seen_slugs: dict[str, int] = {}
    rows, errors = [], []
    for line, values in table.rows:
        row_errors = _check_lab(line, lab, values) + _check_required(line, CASES, values)
        slug = values.get("slug", "")
        if slug:
            try:
                validate_slug(slug)
            except ValidationError:
                row_errors.append(
                    RowError(line, gettext("identifiant « %(slug)s » invalide : lettres sans accents, chiffres et tirets seulement.") % {"slug": slug})
                )
            row_errors += _too_long(line, columns["slug"], slug, _max_length(Case, "slug"))
            first = seen_slugs.setdefault(slug, line)
            if first != line:
                row_errors.append(
                    RowError(line, gettext("l'identifiant « %(slug)s » figure déjà ligne %(first)s.") % {"slug": slug, "first": first})
                )
        row_errors += _too_long(line, columns["title"], values.get("title", ""), _max_length(Case, "title"))
        row_errors += _too_long(line, columns["sponsor"], values.get("sponsor", ""), _max_length(Case, "sponsoring_service"))
        row_errors += _not_single_line(line, columns["title"], values.get("title", ""))
        row_errors += _not_single_line(line, columns["sponsor"], values.get("sponsor", ""))
        row = CaseRow(line=line, values=values)
        if values.get("stage"):
            row.stage = stage_choices.get(plain(values["stage"]))
            if row.stage is None:
                row_errors.append(
                    RowError(line, gettext("étape « %(value)s » inconnue : écrivez l'une de %(names)s.") % {"value": values["stage"], "names": stage_names})
                )
            elif row.stage == Stage.ABANDONED and "lessons" in table.present and not values.get("lessons"):
                row_errors.append(RowError(line, gettext("un cas abandonné doit dire ce qu'on en a appris (colonne « enseignements »).")))
        if values.get("visibility"):
            row.visibility = visibility_choices.get(plain(values["visibility"]))
            if row.visibility is None:
                row_errors.append(
                    RowError(
                        line,
                        gettext("visibilité « %(value)s » inconnue : écrivez l'une de %(names)s.")
                        % {"value": values["visibility"], "names": visibility_names},
                    )
                )
        if "tags" in table.present:
            row.tags = _parse_tags(values.get("tags", ""))
            for name in row.tags:
                if len(name) > 100:
                    row_errors.append(RowError(line, gettext("le mot-clé « %(tag)s… » dépasse 100 caractères.") % {"tag": name[:30]}))
        if "team" in table.present:
            row.team = []
            for email in filter(None, LIST_SEPARATORS.split(values.get("team", ""))):
                member = people.get(email.lower())
                if member is None:
                    row_errors.append(
                        RowError(line, gettext("« %(email)s » n'est pas une personne de ce labo (ambassadeur·rice ou réseau).") % {"email": email})
                    )
                elif member not in row.team:
                    row.team.append(member)
        errors += row_errors
        if not row_errors:
            rows.append(row)
    return rows, errors


@dataclasses.dataclass
class EntryRow:
    line: int
    case: Case
    entry_date: datetime.date
    author: object
    values: dict
    session: object = None


def _possible_authors(lab, importer) -> dict:
    """E-mail → account of those who may sign a journal entry of the Lab.

    Its residents and host, its ambassadors with an account, its programme's coordination, the
    authors of entries it already holds (someone who left keeps their entries) and the importer.
    """
    User = get_user_model()
    people = (
        User.objects.filter(
            Q(pk__in=LabMembership.objects.filter(lab=lab).values("user_id"))
            | Q(pk__in=Ambassador.objects.filter(lab=lab, user__isnull=False).values("user_id"))
            | Q(pk__in=lab.programme.coordinations.values("user_id"))
            | Q(pk__in=ProgressEntry.objects.filter(case__lab=lab, author__isnull=False).values("author_id"))
            | Q(pk=importer.pk)
        )
        .exclude(email="")
        .order_by("-pk")
    )
    # Two accounts with one address: the older one signs (the later pk is overwritten).
    return {person.email.lower(): person for person in people}


def _entry_key(case_id, entry_date, author_id, done) -> tuple:
    # Spacing and line endings differ between a form (CRLF) and a spreadsheet: they do not count.
    return (case_id, entry_date, author_id, " ".join(done.split()))


def check_entry_rows(lab, table: Table, importer) -> tuple[list[EntryRow], list[RowError]]:
    """Every problem of the journal table that can be seen before writing, with its line."""
    cases = {case.slug: case for case in Case.objects.in_lab(lab)}
    sessions = {session.number: session for session in lab.sessions.all()}
    authors = _possible_authors(lab, importer)
    seen: dict[tuple, int] = {}
    rows, errors = [], []
    for line, values in table.rows:
        row_errors = _check_lab(line, lab, values) + _check_required(line, ENTRIES, values)
        case = cases.get(values.get("case", ""))
        if values.get("case") and case is None:
            row_errors.append(
                RowError(
                    line,
                    gettext("« %(slug)s » n'est pas un cas de ce labo : importez d'abord le fichier des cas, ou vérifiez l'identifiant.")
                    % {"slug": values["case"]},
                )
            )
        entry_date = _parse_date(values.get("date", ""))
        if values.get("date") and entry_date is None:
            row_errors.append(
                RowError(line, gettext("date « %(value)s » illisible : écrivez-la AAAA-MM-JJ ou JJ/MM/AAAA.") % {"value": values["date"]})
            )
        author = None
        if values.get("author"):
            email = values["author"]
            try:
                validate_email(email)
            except ValidationError:
                row_errors.append(RowError(line, gettext("l'adresse e-mail « %(email)s » n'est pas valide.") % {"email": email}))
            else:
                author = authors.get(email.lower())
                if author is None:
                    row_errors.append(
                        RowError(line, gettext("« %(email)s » n'est pas une personne de ce labo : elle ne peut pas signer une entrée.") % {"email": email})
                    )
        session = None
        if values.get("session"):
            number = values["session"]
            session = sessions.get(int(number)) if number.isascii() and number.isdigit() else None
            if session is None:
                row_errors.append(RowError(line, gettext("ce labo n'a pas de session n° %(number)s.") % {"number": number}))
        if not row_errors:
            key = _entry_key(case.pk, entry_date, author.pk if author else None, values["done"])
            first = seen.setdefault(key, line)
            if first != line:
                row_errors.append(RowError(line, gettext("cette entrée figure déjà ligne %(first)s.") % {"first": first}))
        errors += row_errors
        if not row_errors:
            rows.append(EntryRow(line=line, case=case, entry_date=entry_date, author=author, values=values, session=session))
    return rows, errors


# --- Writing -----------------------------------------------------------------------------

# Column key → Case field, for the plain fields an import may change.
CASE_FIELDS = {
    "title": "title",
    "problem": "problem_statement",
    "sponsor": "sponsoring_service",
    "lessons": "lessons",
    "site_address": "site_address",
}


def _save_case(row: CaseRow, *, lab, present: set, existing: dict, imported_by) -> str:
    """Create or update one case; "created", "updated" or "unchanged"."""
    values = row.values
    case = existing.get(values["slug"])
    fields = {field: values.get(key, "") for key, field in CASE_FIELDS.items() if key in present}
    if row.visibility:
        fields["visibility"] = row.visibility
    if case is None:
        case = Case(lab=lab, slug=values["slug"], stage=row.stage or Stage.FRAMING, **fields)
        case.full_clean()
        case.save()
        if row.tags:
            case.tags.set(row.tags)
        if row.team:
            case.team.set(row.team)
        return "created"
    changed = False
    if any(getattr(case, field) != value for field, value in fields.items()):
        for field, value in fields.items():
            setattr(case, field, value)
        case.full_clean()
        case.save()
        changed = True
    if row.tags is not None and sorted(row.tags) != sorted(tag.name for tag in case.tags.all()):
        case.tags.set(row.tags)
        changed = True
    if row.team is not None and {member.pk for member in row.team} != {member.pk for member in case.team.all()}:
        case.team.set(row.team)
        changed = True
    if row.stage and row.stage != case.stage:
        # Through the service: the move is dated on the case's timeline, like any other.
        services.move_case(case=case, to_stage=row.stage, note=gettext("Import d'un fichier CSV."), moved_by=imported_by)
        changed = True
    return "updated" if changed else "unchanged"


def _save_entry(row: EntryRow, *, existing: set) -> str:
    values = row.values
    key = _entry_key(row.case.pk, row.entry_date, row.author.pk if row.author else None, values["done"])
    if key in existing:
        return "unchanged"
    services.log_progress(
        case=row.case,
        author=row.author,
        done=values["done"],
        learnt=values.get("learnt", ""),
        next_steps=values.get("next_steps", ""),
        blockers=values.get("blockers", ""),
        entry_date=row.entry_date,
        session=row.session,
    )
    return "created"


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return error.messages


@transaction.atomic
def import_table(*, lab, kind: str, csv_file, imported_by) -> ImportReport:
    """Import a CSV of the Lab's cases or journal entries (``kind``): all or nothing.

    Every row is checked first; if any is wrong, nothing is saved and the report lists every
    error with its line. What the database itself refuses while writing is reported the same
    way, and undoes the whole import.
    """
    table = read_table(csv_file, kind)
    if table.errors:
        return ImportReport(errors=table.errors)
    if kind == CASES:
        rows, errors = check_case_rows(lab, table)
        existing = {case.slug: case for case in Case.objects.in_lab(lab).prefetch_related("tags", "team")}

        def save(row):
            return _save_case(row, lab=lab, present=table.present, existing=existing, imported_by=imported_by)

    else:
        rows, errors = check_entry_rows(lab, table, imported_by)
        existing = {
            _entry_key(*values)
            for values in ProgressEntry.objects.filter(case__lab=lab).values_list("case_id", "entry_date", "author_id", "done")
        }

        def save(row):
            return _save_entry(row, existing=existing)

    if errors:
        return ImportReport(errors=errors)
    report = ImportReport(source=table.source)
    for row in rows:
        try:
            # A savepoint per row: after a refused row the transaction goes on, to report the others.
            with transaction.atomic():
                outcome = save(row)
        except ValidationError as error:
            report.errors.extend(RowError(row.line, message) for message in _messages(error))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    if report.errors:
        transaction.set_rollback(True)
        return ImportReport(errors=report.errors)
    return report
