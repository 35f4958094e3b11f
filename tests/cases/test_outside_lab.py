"""A case read from outside its Lab, and a Lab's page read by another Lab: names only with consent."""
import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cases.models import Attachment, StageChange
from programmes.models import Visibility

from ..factories import make_ambassador, make_case, make_entry, make_lab, make_resident, make_session, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    lab = make_lab()
    make_resident(lab, user=make_user(first_name="Philomène", last_name="Grandjouan"))
    shy = make_ambassador(lab, first_name="Eulalie", last_name="Kervadoc", metier="Archiviste")
    named = make_ambassador(lab, first_name="Aristide", last_name="Bellecombe", public_consent=True)
    case = make_case(
        lab,
        visibility=Visibility.PUBLIC,
        problem_statement="Eulalie Kervadoc constate que l'accueil sature.",
        lessons="Grandjouan retient qu'il faut écouter.",
    )
    case.team.add(shy, named)
    entry = make_entry(
        case,
        done="Visite avec Philomène Grandjouan et Aristide Bellecombe.",
        learnt="Kervadoc a tout noté.",
        next_steps="Revoir Eulalie Kervadoc.",
        blockers="Agenda de Grandjouan.",
    )
    Attachment.objects.create(
        entry=entry, kind=Attachment.Kind.FILE, caption="Notes de Eulalie Kervadoc", file=ContentFile(b"%PDF-1.4", name="notes.pdf")
    )
    StageChange.objects.create(
        case=case, from_stage="cadrage", to_stage="enquete", note="Décidé avec Grandjouan.",
        changed_at=timezone.make_aware(datetime.datetime(2016, 9, 20, 10)),
    )
    session = make_session(lab, visibility=Visibility.PUBLIC, title="Atelier avec Kervadoc")
    session.cases.add(case)
    return case


def test_public_case_page_names_people_without_consent_by_first_name_and_role(client, case):
    html = client.get(case.get_absolute_url()).content.decode()

    assert "Kervadoc" not in html and "Grandjouan" not in html
    assert "Eulalie (Archiviste) constate" in html
    assert "Visite avec Philomène (Résident·e) et Aristide Bellecombe." in html
    assert "Notes de Eulalie (Archiviste)" in html
    assert "Atelier avec Eulalie<" in html


def test_shared_case_page_names_people_only_with_consent_to_another_lab(client, case):
    case.visibility = Visibility.PROGRAMME
    case.save()
    reader = make_user()
    make_ambassador(make_lab(programme=case.lab.programme), user=reader)
    client.force_login(reader)

    html = client.get(case.get_absolute_url()).content.decode()

    assert "Kervadoc" not in html and "Grandjouan" not in html
    assert "Philomène (Résident·e)" in html


def test_the_people_of_the_lab_read_the_case_as_written(client, case):
    reader = make_user()
    make_ambassador(case.lab, user=reader)
    client.force_login(reader)

    html = client.get(case.get_absolute_url()).content.decode()

    assert "Eulalie Kervadoc constate" in html
    assert "Visite avec Philomène Grandjouan" in html


def test_another_labs_page_names_its_team_only_with_consent(client):
    lab = make_lab()
    make_resident(lab, user=make_user(first_name="Philomène", last_name="Grandjouan"), public_consent=False)
    make_resident(lab, user=make_user(first_name="Aristide", last_name="Bellecombe"), public_consent=True)
    outsider, insider = make_user(), make_user()
    make_ambassador(make_lab(programme=lab.programme), user=outsider)
    make_ambassador(lab, user=insider)

    client.force_login(outsider)
    as_outsider = client.get(lab.get_absolute_url()).content.decode()
    client.force_login(insider)
    as_insider = client.get(lab.get_absolute_url()).content.decode()

    assert "Grandjouan" not in as_outsider
    assert "Philomène (Résident·e)" in as_outsider and "Aristide Bellecombe" in as_outsider
    assert "Philomène Grandjouan" in as_insider
