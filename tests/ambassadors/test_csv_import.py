"""Importing a spreadsheet of people: all or nothing, every error with its line, nobody invited twice."""
import csv
import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ambassadors.models import Ambassador, Invitation
from ambassadors.services import import_ambassadors
from outbox.models import OutgoingMail

from ..factories import make_ambassador, make_lab, make_resident, make_user

pytestmark = pytest.mark.django_db

VALID = (
    "prénom,nom,e-mail,métier,direction\n"
    "Claude,Martin,claude.martin@ville.example,Jardinier,Espaces verts\n"
    "Dominique,Bernard,dominique.bernard@ville.example,Agente d'accueil,Relation usagers\n"
    "Sacha,Petit,sacha.petit@ville.example,Urbaniste,\"Urbanisme, habitat\"\n"
)


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def resident(lab):
    return make_resident(lab).user


def upload(content, name="ambassadeurs.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def run_import(lab, resident, content):
    return import_ambassadors(lab=lab, csv_file=upload(content), invited_by=resident, base_url="http://testserver")


def messages_of(report):
    return [str(error) for error in report.errors]


def test_valid_file_adds_and_invites_everyone_once(lab, resident):
    report = run_import(lab, resident, VALID)

    assert report.ok
    assert (report.created, report.invited) == (3, 3)
    assert sorted(Ambassador.objects.filter(lab=lab).values_list("last_name", flat=True)) == ["Bernard", "Martin", "Petit"]
    assert Ambassador.objects.get(last_name="Petit").direction == "Urbanisme, habitat"
    assert sorted(OutgoingMail.objects.values_list("to", flat=True)) == [
        "claude.martin@ville.example",
        "dominique.bernard@ville.example",
        "sacha.petit@ville.example",
    ]


def test_importing_the_same_file_twice_invites_nobody_twice(lab, resident):
    run_import(lab, resident, VALID)

    again = run_import(lab, resident, VALID)

    assert again.ok
    assert (again.created, again.updated, again.invited, again.already_invited) == (0, 3, 0, 3)
    assert Ambassador.objects.count() == 3
    assert Invitation.objects.count() == 3
    assert OutgoingMail.objects.count() == 3


def test_people_who_joined_are_updated_and_not_invited_again(lab, resident):
    make_ambassador(lab, email="Claude.Martin@ville.example", metier="Stagiaire", user=make_user())

    report = run_import(lab, resident, VALID)

    assert (report.created, report.updated, report.already_joined, report.invited) == (2, 1, 1, 2)
    assert Ambassador.objects.get(email__iexact="claude.martin@ville.example").metier == "Jardinier"
    assert not OutgoingMail.objects.filter(to__iexact="claude.martin@ville.example").exists()


def test_one_bad_row_saves_nothing_and_every_error_names_its_line(lab, resident):
    content = (
        "prénom,nom,e-mail,métier,direction\n"
        "Claude,Martin,claude.martin@ville.example,Jardinier,Espaces verts\n"
        "Dominique,Bernard,pas-une-adresse,Agente d'accueil,Relation usagers\n"
        "\n"
        "Sacha,Petit,sacha.petit@ville.example,,Urbanisme\n"
        "Camille,Martin,CLAUDE.MARTIN@ville.example,Archiviste,Archives\n"
    )

    report = run_import(lab, resident, content)

    assert messages_of(report) == [
        "Ligne 3 : l'adresse e-mail « pas-une-adresse » n'est pas valide.",
        "Ligne 5 : la case « métier » est vide.",
        "Ligne 6 : l'adresse e-mail « CLAUDE.MARTIN@ville.example » figure déjà ligne 2.",
    ]
    assert Ambassador.objects.count() == 0
    assert OutgoingMail.objects.count() == 0


def test_a_value_too_long_is_reported_with_its_line(lab, resident):
    content = "prénom,nom,e-mail,métier,direction\n" + f"Claude,{'M' * 101},claude@ville.example,Jardinier,Espaces verts\n"

    report = run_import(lab, resident, content)

    assert messages_of(report) == ["Ligne 2 : « nom » dépasse 100 caractères."]
    assert Ambassador.objects.count() == 0


def test_semicolons_and_a_byte_order_mark_from_a_french_spreadsheet(lab, resident):
    content = "\ufeffPrénom;Nom;E-mail;Métier;Direction\r\nClaude;Martin;claude.martin@ville.example;Jardinier;Espaces verts, parcs\r\n"

    report = run_import(lab, resident, content)

    assert report.ok and report.invited == 1
    assert Ambassador.objects.get().direction == "Espaces verts, parcs"


def test_english_headers_and_the_circle_column(lab, resident):
    content = (
        "first_name,last_name,email,metier,direction,cercle\n"
        "Claude,Martin,claude.martin@ville.example,Jardinier,Espaces verts,réseau\n"
        "Dominique,Bernard,dominique.bernard@ville.example,Agente d'accueil,Relation usagers,\n"
    )

    report = run_import(lab, resident, content)

    assert report.ok
    circles = dict(Ambassador.objects.values_list("last_name", "circle"))
    assert circles == {"Martin": Ambassador.Circle.NETWORK, "Bernard": Ambassador.Circle.AMBASSADOR}


def test_an_unknown_circle_is_an_error(lab, resident):
    content = "prénom,nom,e-mail,métier,direction,cercle\nClaude,Martin,claude@ville.example,Jardinier,Parcs,invité\n"

    report = run_import(lab, resident, content)

    assert messages_of(report) == ["Ligne 2 : cercle « invité » inconnu : écrivez « ambassadeur » ou « réseau »."]


def test_a_missing_column_is_reported_on_the_header_line(lab, resident):
    report = run_import(lab, resident, "prénom,nom,métier\nClaude,Martin,Jardinier\n")

    assert len(report.errors) == 1
    assert report.errors[0].line == 1
    assert "e-mail, direction" in report.errors[0].message


def test_a_row_with_more_cells_than_the_header_is_an_error(lab, resident):
    content = "prénom,nom,e-mail,métier,direction\nClaude,Martin,claude@ville.example,Jardinier,Espaces verts,parcs\n"

    report = run_import(lab, resident, content)

    assert [error.line for error in report.errors] == [2]
    assert Ambassador.objects.count() == 0


def test_a_file_with_only_its_header_says_there_is_no_line(lab, resident):
    report = run_import(lab, resident, "prénom,nom,e-mail,métier,direction\n")

    assert messages_of(report) == ["Aucune ligne à importer : le fichier ne contient que l'en-tête."]


def test_a_file_over_one_megabyte_is_refused(lab, resident):
    row = "Claude,Martin,claude.martin@ville.example,Jardinier,Espaces verts\n"
    content = "prénom,nom,e-mail,métier,direction\n" + row * (1024 * 1024 // len(row) + 1)

    report = run_import(lab, resident, content)

    assert messages_of(report) == [
        "Le fichier dépasse 1 Mo : un fichier de quelques dizaines de personnes en fait bien moins."
    ]
    assert Ambassador.objects.count() == 0


FRENCH_ROWS = [
    ["Prénom", "Nom", "E-mail", "Métier", "Direction"],
    ["Hélène", "Muller", "helene@ville.example", "Élue", "Cabinet du maire"],
    ["Zoé", "Œuvray", "zoe@ville.example", "Chargée d'accueil", "Relation usagers, état civil"],
]


def as_csv(rows, delimiter):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def imported_people():
    return sorted(Ambassador.objects.values_list("first_name", "last_name", "metier", "direction"))


EXPECTED_PEOPLE = [
    ("Hélène", "Muller", "Élue", "Cabinet du maire"),
    ("Zoé", "Œuvray", "Chargée d'accueil", "Relation usagers, état civil"),
]


@pytest.mark.parametrize(
    ("codec", "encoding_name"),
    [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252"), ("utf-16", "UTF-16")],
    ids=["utf8", "utf8-bom", "windows-1252", "utf16-texte-unicode"],
)
@pytest.mark.parametrize(("delimiter", "delimiter_name"), [(";", ";"), (",", ","), ("\t", "tabulation")], ids=["semicolon", "comma", "tab"])
def test_what_french_spreadsheets_save_is_read_and_named(lab, resident, codec, encoding_name, delimiter, delimiter_name):
    # Excel's « CSV (séparateur : point-virgule) » writes Windows-1252, « Texte Unicode » UTF-16 with tabs.
    content = as_csv(FRENCH_ROWS, delimiter).encode(codec)

    report = run_import(lab, resident, content)

    assert report.ok, messages_of(report)
    assert report.source == f"CSV en {encoding_name}, cellules séparées par « {delimiter_name} »"
    assert imported_people() == EXPECTED_PEOPLE


def workbook_bytes(rows, *, sheet_title="Ambassadeurs"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_excel_workbook_is_read_from_its_first_sheet(lab, resident):
    # Numbers and dates come as the spreadsheet shows them; trailing empty rows are no lines.
    rows = [*FRENCH_ROWS, ["Louis", "Numéro", "louis@ville.example", 1234.0, datetime.datetime(2026, 3, 1)], [None] * 5]

    report = run_import(lab, resident, workbook_bytes(rows))

    assert report.ok, messages_of(report)
    assert report.source == "classeur Excel (.xlsx), première feuille"
    assert imported_people() == sorted([*EXPECTED_PEOPLE, ("Louis", "Numéro", "1234", "2026-03-01")])


def test_an_excel_workbook_with_a_bad_row_saves_nothing_and_names_the_line(lab, resident):
    rows = [*FRENCH_ROWS, ["Louis", "Numéro", "pas-une-adresse", "Jardinier", "Espaces verts"]]

    report = run_import(lab, resident, workbook_bytes(rows))

    assert [error.line for error in report.errors] == [4]
    assert Ambassador.objects.count() == 0


def test_a_workbook_that_is_not_xlsx_is_refused_with_a_way_out(lab, resident):
    # An OpenDocument spreadsheet (.ods) is a zip too, without Excel's parts.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")

    report = run_import(lab, resident, buffer.getvalue())

    assert messages_of(report) == [
        "Ce classeur ne peut pas être lu : dans votre tableur, choisissez « Enregistrer sous » "
        "puis le format « Classeur Excel (.xlsx) » ou « CSV UTF-8 »."
    ]
    assert Ambassador.objects.count() == 0


def test_a_binary_file_is_refused(lab, resident):
    report = run_import(lab, resident, bytes(range(256)) * 4)

    assert len(report.errors) == 1
    assert Ambassador.objects.count() == 0


def test_a_line_break_inside_a_name_is_refused_with_its_line(lab, resident):
    content = (
        "prénom,nom,e-mail,métier,direction\n"
        "Claude,\"Martin\r\nBcc: pirate@ailleurs.example\",claude@ville.example,Jardinier,Espaces verts\n"
    )

    report = run_import(lab, resident, content)

    assert messages_of(report) == ["Ligne 2 : « nom » : Ce champ tient sur une ligne : retirez un retour chariot, un retour à la ligne."]
    assert Ambassador.objects.count() == 0
