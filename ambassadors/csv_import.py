"""Reading a spreadsheet's CSV export of the people to invite, and checking every row of it.

Nothing here touches the database: ``read_ambassadors_csv`` returns the clean rows and every
problem found, each with the line number a spreadsheet shows (the header is line 1), so that
the import can refuse the whole file when a single row is wrong.
"""
import csv
import dataclasses

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.csv_files import RowError, read_sheet
from common.csv_files import plain as _plain
from common.text import validate_single_line

from .models import Ambassador

MAX_BYTES = 1024 * 1024
# A Lab has about forty people; a file far longer than that is surely not the right one.
MAX_ROWS = 1000
REQUIRED = ("first_name", "last_name", "email", "metier", "direction")

# Header cells are compared without accents, case, spaces or punctuation: « Prénom », « prenom »,
# « first_name » and « E-mail » all match.
HEADER_ALIASES = {
    "prenom": "first_name",
    "firstname": "first_name",
    "nom": "last_name",
    "nomdefamille": "last_name",
    "lastname": "last_name",
    "email": "email",
    "mail": "email",
    "courriel": "email",
    "adresseemail": "email",
    "metier": "metier",
    "trade": "metier",
    "job": "metier",
    "name": "last_name",
    "department": "direction",
    "direction": "direction",
    "service": "direction",
    "directionservice": "direction",
    "cercle": "circle",
    "circle": "circle",
}
CIRCLE_ALIASES = {
    "": Ambassador.Circle.AMBASSADOR,
    "ambassadeur": Ambassador.Circle.AMBASSADOR,
    "ambassadrice": Ambassador.Circle.AMBASSADOR,
    "ambassadeurrice": Ambassador.Circle.AMBASSADOR,
    "ambassador": Ambassador.Circle.AMBASSADOR,
    "reseau": Ambassador.Circle.NETWORK,
    "relais": Ambassador.Circle.NETWORK,
    "reseaurelais": Ambassador.Circle.NETWORK,
    "network": Ambassador.Circle.NETWORK,
}
COLUMN_LABELS = {
    "first_name": _("prénom"),
    "last_name": _("nom"),
    "email": _("e-mail"),
    "metier": _("métier"),
    "direction": _("direction"),
    "circle": _("cercle"),
}


@dataclasses.dataclass(frozen=True)
class Row:
    line: int
    first_name: str
    last_name: str
    email: str
    metier: str
    direction: str
    circle: str


@dataclasses.dataclass
class ParsedFile:
    rows: list[Row] = dataclasses.field(default_factory=list)
    errors: list[RowError] = dataclasses.field(default_factory=list)
    # What was read (« CSV en Windows-1252… », « classeur Excel… »), for the confirmation.
    source: str = ""


def _max_length(field: str) -> int:
    return Ambassador._meta.get_field(field).max_length


def _file_error(message) -> ParsedFile:
    return ParsedFile(errors=[RowError(None, str(message))])


def _read_rows(uploaded):
    """The file's rows, or the reason it cannot be read as a table."""
    sheet, error = read_sheet(
        uploaded,
        max_bytes=MAX_BYTES,
        too_large=gettext("Le fichier dépasse 1 Mo : un fichier de quelques dizaines de personnes en fait bien moins."),
    )
    return sheet, (ParsedFile(errors=[error]) if error else None)


def _read_header(cells: list[str]) -> tuple[dict[int, str], list[RowError]]:
    columns: dict[int, str] = {}
    errors = []
    for index, cell in enumerate(cells):
        field = HEADER_ALIASES.get(_plain(cell))
        if field is None:
            continue  # Extra columns (a phone number, notes…) are simply not imported.
        if field in columns.values():
            errors.append(
                RowError(1, gettext("la colonne « %(column)s » apparaît deux fois.") % {"column": COLUMN_LABELS[field]})
            )
            continue
        columns[index] = field
    missing = [str(COLUMN_LABELS[field]) for field in REQUIRED if field not in columns.values()]
    if missing:
        errors.append(
            RowError(
                1,
                gettext(
                    "colonne(s) absente(s) de l'en-tête : %(missing)s. L'en-tête attendu est "
                    "« prénom, nom, e-mail, métier, direction » (et, si besoin, « cercle »)."
                )
                % {"missing": ", ".join(missing)},
            )
        )
    return columns, errors


def _check_row(line: int, values: dict[str, str], seen_emails: dict[str, int]) -> tuple[Row | None, list[RowError]]:
    errors = []
    for field in REQUIRED:
        if not values.get(field):
            errors.append(RowError(line, gettext("la case « %(column)s » est vide.") % {"column": COLUMN_LABELS[field]}))
    for field in REQUIRED:
        value = values.get(field, "")
        limit = _max_length(field)
        if len(value) > limit:
            errors.append(
                RowError(
                    line,
                    gettext("« %(column)s » dépasse %(limit)s caractères.")
                    % {"column": COLUMN_LABELS[field], "limit": limit},
                )
            )
    for field in ("first_name", "last_name", "metier", "direction"):
        try:
            validate_single_line(values.get(field, ""))
        except ValidationError as error:
            errors.append(
                RowError(line, gettext("« %(column)s » : %(problem)s") % {"column": COLUMN_LABELS[field], "problem": error.messages[0]})
            )
    email = values.get("email", "")
    if email and len(email) <= _max_length("email"):
        try:
            validate_email(email)
        except ValidationError:
            errors.append(RowError(line, gettext("l'adresse e-mail « %(email)s » n'est pas valide.") % {"email": email}))
        else:
            first_line = seen_emails.setdefault(email.lower(), line)
            if first_line != line:
                errors.append(
                    RowError(
                        line,
                        gettext("l'adresse e-mail « %(email)s » figure déjà ligne %(first)s.")
                        % {"email": email, "first": first_line},
                    )
                )
    circle = CIRCLE_ALIASES.get(_plain(values.get("circle", "")))
    if circle is None:
        errors.append(
            RowError(
                line,
                gettext("cercle « %(value)s » inconnu : écrivez « ambassadeur » ou « réseau ».")
                % {"value": values["circle"]},
            )
        )
    if errors:
        return None, errors
    return Row(line=line, circle=circle, **{field: values[field] for field in REQUIRED}), []


def read_ambassadors_csv(uploaded) -> ParsedFile:
    """Read and check an uploaded CSV of people; every error is reported, none stops the reading.

    Accepts UTF-8 with or without BOM, « ; », « , » or tab as separator, French or English
    headers, and an optional « cercle » column (ambassadeur or réseau; ambassadeur when empty).
    """
    sheet, refused = _read_rows(uploaded)
    if refused:
        return refused
    reader = sheet.rows
    parsed = ParsedFile(source=sheet.source)
    seen_emails: dict[str, int] = {}
    # A spreadsheet shows one record per line, even when a quoted cell holds a line break.
    line = data_rows = 0
    try:
        for line, cells in enumerate(reader, start=1):
            if line == 1:
                columns, header_errors = _read_header(cells)
                if header_errors:
                    return ParsedFile(errors=header_errors)
                header_width = len(cells)
                continue
            if not any(cell.strip() for cell in cells):
                continue
            data_rows += 1
            if data_rows > MAX_ROWS:
                parsed.errors.append(
                    RowError(line, gettext("le fichier dépasse %(max)s personnes : découpez-le.") % {"max": MAX_ROWS})
                )
                break
            if any(cell.strip() for cell in cells[header_width:]):
                parsed.errors.append(
                    RowError(
                        line,
                        gettext(
                            "cette ligne a plus de cases que l'en-tête : une valeur contient-elle "
                            "le séparateur sans guillemets ?"
                        ),
                    )
                )
                continue
            values = {field: cells[index].strip() if index < len(cells) else "" for index, field in columns.items()}
            row, errors = _check_row(line, values, seen_emails)
            if row:
                parsed.rows.append(row)
            parsed.errors.extend(errors)
    except csv.Error as error:
        parsed.errors.append(RowError(line + 1, gettext("ligne illisible (%(error)s).") % {"error": error}))
    if line == 0:
        return _file_error(gettext("Le fichier est vide."))
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(None, gettext("Aucune ligne à importer : le fichier ne contient que l'en-tête.")))
    return parsed
