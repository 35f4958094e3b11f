"""What every table import of the platform shares: reading the upload's rows, and naming its errors.

A spreadsheet is the usual source, saved the way its user knows: « CSV UTF-8 », « CSV
(séparateur : point-virgule) » in Windows-1252, « Texte Unicode » in UTF-16, or the workbook
itself (.xlsx). ``read_sheet`` reads them all and says which it read (the confirmation names it);
what it cannot read it refuses in words a spreadsheet user understands. The apps check the rows.
"""
import codecs
import csv
import dataclasses
import datetime
import io
import unicodedata
from collections.abc import Iterator

import charset_normalizer
import openpyxl

from django.utils.translation import gettext

# What a table upload's file picker offers: CSV and text exports, and Excel workbooks.
SHEET_ACCEPT = ".csv,.txt,.xlsx,text/csv,text/plain,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Workbook signatures: a zip (xlsx, ods) or an OLE container (xls).
WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


@dataclasses.dataclass(frozen=True)
class RowError:
    """A problem with the file; ``line`` is None when it concerns the whole file."""

    line: int | None
    message: str

    def __str__(self):
        if self.line is None:
            return self.message
        return gettext("Ligne %(line)s : %(message)s") % {"line": self.line, "message": self.message}


def plain(text: str) -> str:
    """Letters and digits only, without accents, in lower case: « E-mail » and « email » compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if char.isalnum()).lower()


def guess_delimiter(text: str) -> str:
    """Spreadsheets in French write « ; », others « , »: the header line tells which."""
    header = text.split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_sheet(uploaded, *, max_bytes: int, too_large: str) -> tuple["Sheet | None", RowError | None]:
    """The uploaded table's rows, or the reason it cannot be read (``too_large`` past ``max_bytes``).

    The content decides, never the file's name. Accepted: what French spreadsheets save — a CSV
    in UTF-8 (with or without BOM), Windows-1252 (« CSV (séparateur : point-virgule) ») or UTF-16
    (« Texte Unicode »), with « ; », « , » or tab between cells — and an Excel workbook (.xlsx),
    whose first sheet is read. Other workbooks and binary files are refused with what to do.
    """
    if (getattr(uploaded, "size", 0) or 0) > max_bytes:
        return None, RowError(None, too_large)
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:
        return None, RowError(None, too_large)
    if not data.strip():
        return None, RowError(None, gettext("Le fichier est vide."))
    if data.startswith(WORKBOOK_SIGNATURES):
        return _read_workbook(data)
    decoded = _decode(data)
    if decoded is None:
        return None, RowError(
            None,
            gettext(
                "Ce fichier n'est pas un tableau lisible : dans votre tableur, enregistrez-le au format "
                "« CSV UTF-8 » ou « Classeur Excel (.xlsx) »."
            ),
        )
    text, encoding = decoded
    delimiter = guess_delimiter(text)
    source = gettext("CSV en %(encoding)s, cellules séparées par « %(delimiter)s »") % {
        "encoding": encoding,
        "delimiter": DELIMITER_NAMES.get(delimiter, delimiter),
    }
    return Sheet(rows=csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), source=source), None


# The encodings a spreadsheet writes a CSV in, besides UTF-8: what charset-normalizer chooses from.
LEGACY_ENCODINGS = ["cp1252", "utf_16", "utf_16_le", "utf_16_be", "mac_roman"]
ENCODING_NAMES = {"cp1252": "Windows-1252", "mac_roman": "Mac Roman"}
DELIMITER_NAMES = {"\t": "tabulation"}


@dataclasses.dataclass
class Sheet:
    """A table read from an upload: its rows (lists of text cells, the header first) and what it was."""

    rows: Iterator[list[str]]
    source: str


def _decode(data: bytes) -> tuple[str, str] | None:
    """The text and the name of its encoding, or None for a file that is not text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "UTF-16")]
    else:
        candidates = [("utf-8-sig", "UTF-8")]
    for codec, name in candidates:
        try:
            return _text_only(data.decode(codec), name)
        except UnicodeDecodeError:
            pass
    best = charset_normalizer.from_bytes(data, cp_isolation=LEGACY_ENCODINGS).best()
    if best is None:
        return None
    name = ENCODING_NAMES.get(best.encoding, best.encoding.upper().replace("_", "-"))
    return _text_only(str(best), name)


def _text_only(text: str, name: str) -> tuple[str, str] | None:
    # A NUL is no character of a table: the bytes were an image or some other binary file.
    return None if "\x00" in text else (text, name)


# A workbook's rows and columns past these are not a Lab's table (and a small zip can unfold into
# millions of empty cells).
WORKBOOK_MAX_ROWS = 20_000
WORKBOOK_MAX_COLUMNS = 100


def _read_workbook(data: bytes) -> tuple[Sheet | None, RowError | None]:
    """The first sheet of an Excel workbook (.xlsx); other workbooks are refused with a way out."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [
            _trimmed([_cell_text(value) for value in row])
            for row in sheet.iter_rows(max_row=WORKBOOK_MAX_ROWS, max_col=WORKBOOK_MAX_COLUMNS, values_only=True)
        ]
        book.close()
    # openpyxl fails in many ways on a file that is not an .xlsx (an .ods, an .xls, a broken zip).
    except Exception:  # noqa: BLE001
        return None, RowError(
            None,
            gettext(
                "Ce classeur ne peut pas être lu : dans votre tableur, choisissez « Enregistrer sous » "
                "puis le format « Classeur Excel (.xlsx) » ou « CSV UTF-8 »."
            ),
        )
    while rows and not any(rows[-1]):
        rows.pop()
    return Sheet(rows=iter(rows), source=gettext("classeur Excel (.xlsx), première feuille")), None


def _cell_text(value) -> str:
    """A cell as the spreadsheet shows it: 12 rather than 12.0, a date as 2026-03-01."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _trimmed(cells: list[str]) -> list[str]:
    # A sheet's rows run as wide as its widest: empty cells at the end are no column.
    while cells and not cells[-1]:
        cells.pop()
    return cells
