"""A Lab's cases and journal out to CSV/JSON and back in: same data, every error with its line, all or nothing."""
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from cases.exchange import case_rows, entry_rows
from cases.models import Case, ProgressEntry, Stage, StageChange
from programmes.models import Visibility

from ..queries import exactly
from ..browser.accessibility import serious_violations
from ..factories import make_ambassador, make_case, make_entry, make_lab, make_resident, make_session, make_user
from ..browser.login import logged_in

pytestmark = pytest.mark.django_db

CASE_HEADER = "identifiant;titre;problématique;étape;visibilité;mots-clés;équipe (e-mails)"


@pytest.fixture
def world():
    lab = make_lab(name="La Transfo de Mulhouse", slug="mulhouse")
    other_lab = make_lab(name="La Transfo de Metz", slug="metz", programme=lab.programme)
    resident = make_resident(lab, user=make_user(email="rosa@mulhouse.example")).user
    agent = make_user(email="alex@mulhouse.example")
    alex = make_ambassador(lab, user=agent, email="alex@mulhouse.example")
    dominique = make_ambassador(lab, email="dominique@mulhouse.example")
    session = make_session(lab, number=3)
    mobility = make_case(
        lab,
        slug="mobilite",
        title="=Mobilité des seniors",
        problem_statement="- Les bus\n- Les trottoirs\r\nEt « le reste ».",
        sponsoring_service="Direction des solidarités",
        stage=Stage.IDEATION,
        visibility=Visibility.PROGRAMME,
        site_address="'Place de la Réunion",
    )
    mobility.tags.set(["mobilité", "usagers âgés", "bus, tram"])
    mobility.team.set([alex, dominique])
    abandoned = make_case(lab, slug="guichet", title="Guichet unique", stage=Stage.ABANDONED, lessons="Trop tôt.")
    make_entry(mobility, author=resident, entry_date=datetime.date(2016, 9, 5), done="Atelier @mairie", session=session)
    make_entry(
        mobility,
        author=agent,
        entry_date=datetime.date(2016, 9, 6),
        done="Visite du dépôt\r\nde bus.",
        learnt="+20 % d'usagers",
        next_steps="Prototype",
        blockers="Aucun",
    )
    make_entry(abandoned, author=None, entry_date=datetime.date(2016, 10, 1), done="Sans auteur·rice.")
    make_case(other_lab, slug="metz-cas", title="Cas de Metz")
    return {"lab": lab, "other_lab": other_lab, "resident": resident, "agent": agent, "session": session}


def export(client, lab, kind):
    response = client.get(reverse("cases:exchange_export_csv", kwargs={"lab_slug": lab.slug}), {"kind": kind})
    assert response.status_code == 200
    return response.content


def upload(client, lab, kind, content, name="fichier.csv"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    data = {"kind": kind, "csv_file": SimpleUploadedFile(name, content, content_type="text/csv")}
    return client.post(reverse("cases:exchange_import", kwargs={"lab_slug": lab.slug}), data)


def snapshot(lab, user):
    return case_rows(lab, user), entry_rows(lab, user)


def test_export_then_import_gives_back_the_same_data(client, world):
    lab, resident = world["lab"], world["resident"]
    client.force_login(resident)
    before = snapshot(lab, resident)
    cases_csv, entries_csv = export(client, lab, "cases"), export(client, lab, "entries")
    Case.objects.filter(lab=lab).delete()

    cases_answer = upload(client, lab, "cases", cases_csv)
    entries_answer = upload(client, lab, "entries", entries_csv)

    assert (cases_answer.status_code, entries_answer.status_code) == (302, 302)
    assert snapshot(lab, resident) == before
    assert before[0][1]["tags"] == ["bus, tram", "mobilité", "usagers âgés"]
    assert before[1][1]["session"] == 3


def test_importing_the_same_files_again_changes_nothing(client, world):
    lab, resident = world["lab"], world["resident"]
    client.force_login(resident)
    before = snapshot(lab, resident)
    cases_csv, entries_csv = export(client, lab, "cases"), export(client, lab, "entries")

    cases_answer = upload(client, lab, "cases", cases_csv)
    entries_answer = upload(client, lab, "entries", entries_csv)

    assert snapshot(lab, resident) == before
    assert ProgressEntry.objects.filter(case__lab=lab).count() == 3
    assert not StageChange.objects.exists()
    # The first answer's message is still waiting when the second import is done: both are there.
    messages = [str(message) for message in entries_answer.wsgi_request._messages]
    assert cases_answer.status_code == 302
    assert messages == [
        "Import terminé (CSV en UTF-8, cellules séparées par « ; ») : 2 cas inchangés.",
        "Import terminé (CSV en UTF-8, cellules séparées par « ; ») : 3 entrées déjà présentes.",
    ]


def test_export_is_a_spreadsheet_friendly_csv(client, world):
    client.force_login(world["resident"])

    response = client.get(reverse("cases:exchange_export_csv", kwargs={"lab_slug": "mulhouse"}), {"kind": "cases"})

    text = response.content.decode("utf-8")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="mulhouse-cas-')
    assert text.startswith("\ufefflabo;identifiant;titre;problématique;")
    # Cells a spreadsheet would run as formulas are kept text, and the other Lab's case is not there.
    assert ";'=Mobilité des seniors;" in text
    assert "''Place de la Réunion" in text
    assert "metz-cas" not in text


def test_json_export_holds_both_tables_with_the_csv_columns(client, world):
    client.force_login(world["resident"])

    response = client.get(reverse("cases:exchange_export_json", kwargs={"lab_slug": "mulhouse"}))

    document = json.loads(response.content)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert [case["slug"] for case in document["cases"]] == ["guichet", "mobilite"]
    assert set(document["cases"][0]) == {
        "lab", "slug", "title", "problem", "sponsor", "stage", "lessons", "visibility", "site_address", "tags", "team",
    }
    assert document["cases"][1]["team"] == ["alex@mulhouse.example", "dominique@mulhouse.example"]
    assert [entry["done"] for entry in document["entries"]] == ["Sans auteur·rice.", "Atelier @mairie", "Visite du dépôt\r\nde bus."]


def test_unknown_export_kind_is_a_400_with_a_message(client, world):
    client.force_login(world["resident"])

    response = client.get(reverse("cases:exchange_export_csv", kwargs={"lab_slug": "mulhouse"}), {"kind": "tout"})

    assert response.status_code == 400
    assert "kind=cases" in response.content.decode()


def test_file_with_errors_on_lines_3_and_5_reports_both_and_saves_nothing(client, world):
    client.force_login(world["resident"])
    content = "\n".join(
        [
            CASE_HEADER,
            "nouveau-cas;Nouveau cas;Un problème;cadrage;lab;;",
            "autre-cas;Autre cas;Un problème;envol;lab;;",
            "troisieme;Troisième;Un problème;;public;;",
            "quatrieme;Quatrième;Un problème;;;;inconnu@ailleurs.example",
        ]
    )

    response = upload(client, world["lab"], "cases", content)

    page = response.content.decode()
    errors = [str(error) for error in response.context["import_errors"]]
    assert response.status_code == 400
    assert errors == [
        "Ligne 3 : étape « envol » inconnue : écrivez l'une de cadrage, enquete, ideation, prototypage, test, deploiement, abandonne.",
        "Ligne 5 : « inconnu@ailleurs.example » n'est pas une personne de ce labo (ambassadeur·rice ou réseau).",
    ]
    assert "Ligne 3" in page and "Ligne 5" in page
    assert sorted(Case.objects.filter(lab=world["lab"]).values_list("slug", flat=True)) == ["guichet", "mobilite"]


def test_error_found_while_writing_undoes_the_rows_before_it(client, world):
    # Abandoning an existing case without lessons is only seen when writing it: the first row goes too.
    Case.objects.filter(slug="guichet").update(stage=Stage.PROTOTYPING, lessons="")
    client.force_login(world["resident"])
    content = "identifiant;titre;problématique;étape\nnouveau-cas;Nouveau cas;Un problème;\nguichet;Guichet unique;Un vrai problème.;abandonne\n"

    response = upload(client, world["lab"], "cases", content)

    assert response.status_code == 400
    assert [str(error) for error in response.context["import_errors"]] == [
        "Ligne 3 : Un cas abandonné doit dire ce qu'on en a appris."
    ]
    assert not Case.objects.filter(slug="nouveau-cas").exists()
    assert Case.objects.get(slug="guichet").stage == Stage.PROTOTYPING


ENTRY_HEADER = "labo;cas (identifiant);date;auteur·rice (e-mail);ce que nous avons fait;session (n°)"


@pytest.mark.parametrize(
    ("kind", "content", "expected"),
    [
        ("cases", CASE_HEADER + "\nmobilite;Mobilité;Problème;;;;\nmobilite;Encore;Problème;;;;",
         "Ligne 3 : l'identifiant « mobilite » figure déjà ligne 2."),
        ("cases", CASE_HEADER + "\nmauvais slug;Titre;Problème;;;;", "Ligne 2 : identifiant « mauvais slug » invalide"),
        ("cases", CASE_HEADER + "\nvisible;Titre;Problème;;partout;;", "Ligne 2 : visibilité « partout » inconnue"),
        ("cases", "labo;identifiant;titre;problématique\nmetz;metz-cas;Cas de Metz;Problème",
         "Ligne 2 : cette ligne est celle du labo « metz », pas de celui-ci (« mulhouse »)"),
        ("cases", "identifiant;titre\nnouveau;Titre", "Ligne 1 : colonne(s) absente(s) de l'en-tête : problématique."),
        ("cases", "identifiant;titre;problématique\nnouveau;;Problème", "Ligne 2 : la case « titre » est vide."),
        ("cases", 'identifiant;titre;problématique\nnouveau;"Titre\r\nsur deux lignes";Problème',
         "Ligne 2 : « titre » : Ce champ tient sur une ligne : retirez un retour chariot, un retour à la ligne."),
        ("entries", ENTRY_HEADER + "\nmulhouse;metz-cas;2016-09-01;;Fait;", "Ligne 2 : « metz-cas » n'est pas un cas de ce labo"),
        ("entries", ENTRY_HEADER + "\nmulhouse;mobilite;31/02/2016;;Fait;", "Ligne 2 : date « 31/02/2016 » illisible"),
        ("entries", ENTRY_HEADER + "\nmulhouse;mobilite;2016-09-01;personne@ailleurs.example;Fait;",
         "Ligne 2 : « personne@ailleurs.example » n'est pas une personne de ce labo"),
        ("entries", ENTRY_HEADER + "\nmulhouse;mobilite;2016-09-01;;Fait;12", "Ligne 2 : ce labo n'a pas de session n° 12."),
        ("entries", ENTRY_HEADER + "\nmulhouse;mobilite;2016-09-01;;Fait;²", "Ligne 2 : ce labo n'a pas de session n° ²."),
        ("entries", ENTRY_HEADER + "\nmulhouse;mobilite;2016-09-01;;Fait;\nmulhouse;mobilite;2016-09-01;;Fait;",
         "Ligne 3 : cette entrée figure déjà ligne 2."),
        ("entries", "cas (identifiant);date\nmobilite;2016-09-01",
         "Ligne 1 : colonne(s) absente(s) de l'en-tête : ce que nous avons fait."),
        ("entries", "Ceci n'est pas un tableau.", "Ligne 1 : colonne(s) absente(s) de l'en-tête"),
    ],
)
def test_wrong_row_is_reported_with_its_line_and_nothing_saved(client, world, kind, content, expected):
    client.force_login(world["resident"])
    before = snapshot(world["lab"], world["resident"])

    response = upload(client, world["lab"], kind, content)

    assert response.status_code == 400
    assert any(str(error).startswith(expected) for error in response.context["import_errors"]), response.context["import_errors"]
    assert snapshot(world["lab"], world["resident"]) == before


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (png_bytes(), "Ce fichier n'est pas un tableau lisible"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), "Ce classeur ne peut pas être lu"),
        (b"   \n\n", "Le fichier est vide."),
    ],
    ids=["image", "broken-workbook", "blank"],
)
def test_file_that_is_not_a_table_gets_a_message_not_a_500(client, world, content, expected):
    client.force_login(world["resident"])

    response = upload(client, world["lab"], "cases", content, name="cas.csv")

    assert response.status_code == 400
    assert [str(error) for error in response.context["import_errors"]][0].startswith(expected)
    assert Case.objects.filter(lab=world["lab"]).count() == 2


def test_form_without_a_file_is_a_400(client, world):
    client.force_login(world["resident"])

    response = client.post(reverse("cases:exchange_import", kwargs={"lab_slug": "mulhouse"}), {"kind": "cases"})

    assert response.status_code == 400
    assert "Rien n'a été enregistré" in response.content.decode()


def test_import_moves_a_stage_on_the_timeline_and_accepts_labels_and_french_dates(client, world):
    client.force_login(world["resident"])
    cases = "slug;title;problem;stage;tags\nmobilite;Mobilité des seniors;Les bus.;Prototypage;bus\n"
    entries = "case;date;author;done;session\nmobilite;07/09/2016;alex@mulhouse.example;Maquette en carton.;3\n"

    upload(client, world["lab"], "cases", cases)
    upload(client, world["lab"], "entries", entries)

    case = Case.objects.get(lab=world["lab"], slug="mobilite")
    change = StageChange.objects.get(case=case)
    entry = case.entries.get(done="Maquette en carton.")
    assert (case.stage, case.title, [tag.name for tag in case.tags.all()]) == (Stage.PROTOTYPING, "Mobilité des seniors", ["bus"])
    # Columns left out of the file are left as they were.
    assert case.sponsoring_service == "Direction des solidarités"
    assert (change.from_stage, change.to_stage, change.changed_by) == (Stage.IDEATION, Stage.PROTOTYPING, world["resident"])
    assert (entry.entry_date, entry.author, entry.session) == (datetime.date(2016, 9, 7), world["agent"], world["session"])


def test_short_french_headers_are_understood(client, world):
    client.force_login(world["resident"])
    entries = "Cas;Date;Auteur;Fait;Appris;Session\nmobilite;2016-09-09;rosa@mulhouse.example;Relevé des horaires.;Peu de bus le soir.;3\n"

    response = upload(client, world["lab"], "entries", entries)

    entry = ProgressEntry.objects.get(done="Relevé des horaires.")
    assert response.status_code == 302
    assert (entry.case.slug, entry.author, entry.learnt, entry.session) == (
        "mobilite", world["resident"], "Peu de bus le soir.", world["session"]
    )


def test_imported_text_is_shown_sanitised(client, world):
    client.force_login(world["resident"])
    entries = (
        "case;date;done\n"
        'mobilite;2016-09-08;"<script>alert(1)</script> [lien](javascript:alert(2)) <img src=x onerror=alert(3)>"\n'
    )

    upload(client, world["lab"], "entries", entries)
    page = client.get(reverse("cases:case_detail", kwargs={"lab_slug": "mulhouse", "slug": "mobilite"})).content.decode()

    assert ProgressEntry.objects.filter(done__startswith="<script>").exists()
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert 'href="javascript:' not in page


def test_ambassador_of_the_lab_may_neither_export_nor_import(client, world):
    # The exports answer 404 to whoever does not run the Lab, as its other working pages do.
    client.force_login(world["agent"])
    lab_slug = {"lab_slug": "mulhouse"}

    answers = [
        client.get(reverse("cases:exchange_export_csv", kwargs=lab_slug), {"kind": "entries"}).status_code,
        client.get(reverse("cases:exchange_export_json", kwargs=lab_slug)).status_code,
        upload(client, world["lab"], "cases", CASE_HEADER + "\nnouveau;Nouveau;Problème;;;;").status_code,
    ]

    assert answers == [404, 404, 403]
    assert not Case.objects.filter(slug="nouveau").exists()


def test_resident_of_another_lab_gets_a_404(client, world):
    client.force_login(world["resident"])

    response = client.get(reverse("cases:exchange_export_csv", kwargs={"lab_slug": "metz"}))

    assert response.status_code == 404


def test_board_links_to_export_and_import_for_those_who_run_the_lab(client, world):
    board = reverse("cases:board", kwargs={"lab_slug": "mulhouse"})
    import_url = reverse("cases:exchange_import", kwargs={"lab_slug": "mulhouse"})
    client.force_login(world["resident"])
    resident_page = client.get(board).content.decode()
    client.force_login(world["agent"])
    agent_page = client.get(board).content.decode()

    assert f'href="{import_url}"' in resident_page
    assert reverse("cases:exchange_export_csv", kwargs={"lab_slug": "mulhouse"}) + "?kind=entries" in resident_page
    assert import_url not in agent_page


def _export_queries(client, lab):
    with CaptureQueriesContext(connection) as queries:
        for kind in ("cases", "entries"):
            export(client, lab, kind)
        client.get(reverse("cases:exchange_export_json", kwargs={"lab_slug": lab.slug}))
    return len(queries)


def test_export_costs_the_same_with_few_and_many_rows(client, world):
    lab = make_lab()
    resident = make_resident(lab).user
    person = make_ambassador(lab)
    client.force_login(resident)

    def add_case():
        case = make_case(lab)
        case.tags.set(["un", "deux"])
        case.team.set([person])
        make_entry(case, author=resident, session=make_session(lab))

    add_case()
    few = _export_queries(client, lab)
    for _ in range(2):
        add_case()
    many = _export_queries(client, lab)

    assert few == many == exactly(17)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_resident_imports_a_wrong_file_from_the_board_and_reads_its_errors(live_server, page, tmp_path):
    lab = make_lab(name="La Transfo de Mulhouse", slug="mulhouse")
    resident = make_resident(lab).user
    make_case(lab, slug="mobilite", title="Mobilité des seniors")
    wrong = tmp_path / "journal.csv"
    wrong.write_text(ENTRY_HEADER + "\nmulhouse;mobilite;hier;;Fait;\n", encoding="utf-8")
    logged_in(page, live_server, resident)
    page.goto(live_server.url + reverse("cases:board", kwargs={"lab_slug": "mulhouse"}))

    page.get_by_role("link", name="Importer un fichier CSV").click()
    form_violations = serious_violations(page)
    page.get_by_role("radio", name="Le journal de bord").check()
    page.locator("input[type=file]").set_input_files(str(wrong))
    page.get_by_role("button", name="Importer", exact=True).click()

    assert form_violations == []
    assert "Ligne 2 : date « hier » illisible" in page.locator("#import-errors").inner_text().replace("\n", " ")
    assert serious_violations(page) == []
    assert not ProgressEntry.objects.exists()


def test_keywords_in_a_csv_cell_are_separated_by_a_bar(client, world):
    client.force_login(world["resident"])

    text = export(client, world["lab"], "cases").decode("utf-8")

    # One keyword may hold a comma: a bar tells them apart in any spreadsheet.
    assert ";bus, tram | mobilité | usagers âgés;" in text


def test_keywords_written_the_earlier_way_are_still_read(client, world):
    client.force_login(world["resident"])
    cases = 'slug;title;problem;tags\nmobilite;Mobilité des seniors;Les bus.;"""bus, tram"", mobilité"\n'

    upload(client, world["lab"], "cases", cases)

    case = Case.objects.get(lab=world["lab"], slug="mobilite")
    assert sorted(tag.name for tag in case.tags.all()) == ["bus, tram", "mobilité"]


def test_a_windows_1252_file_and_an_excel_workbook_import_the_same_cases(client, world):
    import openpyxl

    client.force_login(world["resident"])
    rows = [["identifiant", "titre", "problématique", "étape", "mots-clés"], ["accueil", "Accueil à la mairie", "Les files d'attente.", "Idéation", "accueil | état civil"]]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    workbook = io.BytesIO()
    book.save(workbook)
    windows_csv = "\r\n".join(";".join(row) for row in rows).encode("cp1252")

    for content, name in ((windows_csv, "cas.csv"), (workbook.getvalue(), "cas.xlsx")):
        Case.objects.filter(lab=world["lab"], slug="accueil").delete()
        response = upload(client, world["lab"], "cases", content, name=name)

        assert response.status_code == 302
        case = Case.objects.get(lab=world["lab"], slug="accueil")
        assert (case.title, case.stage, sorted(tag.name for tag in case.tags.all())) == (
            "Accueil à la mairie", Stage.IDEATION, ["accueil", "état civil"],
        )
