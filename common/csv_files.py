"""What every CSV import of the platform shares: reading the upload as text, and naming its errors.

A spreadsheet's « Enregistrer sous… CSV » is the usual source: the file may be a workbook saved
under the wrong name, a text in the wrong encoding, or have « ; » as separator (French
spreadsheets) rather than « , ». These helpers say which, in words a spreadsheet user
understands; the apps check the rows themselves.
"""
import dataclasses
import unicodedata

from django.utils.translation import gettext

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


def read_csv_text(uploaded, *, max_bytes: int, too_large: str) -> tuple[str | None, RowError | None]:
    """The uploaded file's text, or the reason it cannot be read as a CSV (``too_large`` past ``max_bytes``).

    The content decides, never the file's name: UTF-8 with or without BOM is accepted; a
    workbook, a binary file or another encoding is refused with what to do instead.
    """
    if (getattr(uploaded, "size", 0) or 0) > max_bytes:
        return None, RowError(None, too_large)
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:
        return None, RowError(None, too_large)
    if not data.strip():
        return None, RowError(None, gettext("Le fichier est vide."))
    if data.startswith(WORKBOOK_SIGNATURES):
        return None, RowError(
            None,
            gettext(
                "Ce fichier est un classeur (Excel, LibreOffice), pas un CSV : "
                "dans votre tableur, choisissez « Enregistrer sous » puis le format « CSV UTF-8 »."
            ),
        )
    not_utf8 = gettext(
        "Ce fichier n'est pas un texte en UTF-8 : dans votre tableur, enregistrez-le au format « CSV UTF-8 »."
    )
    if b"\x00" in data:
        return None, RowError(None, not_utf8)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, RowError(None, not_utf8)
