"""A person downloads everything kept about them, and can have it erased without breaking any record."""
import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session as StoredSession
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services import erase_personal_data
from ambassadors.models import Ambassador
from cases.models import DigestPreference, ProgressEntry, StageChange
from outbox.models import OutgoingMail
from programmes.models import LabMembership
from sessions.models import Attendance, GatheringAttendance, GatheringInvitation

from ..queries import exactly
from ..factories import (
    make_ambassador,
    make_case,
    make_entry,
    make_gathering,
    make_lab,
    make_resident,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

EXPORT_URL = "/compte/donnees.json"
ERASE_URL = "/compte/effacement/"
PASSWORD = "un-mot-de-passe-solide"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def person(lab):
    """An ambassador of the Lab with a verified address and a password, as after their invitation."""
    user = make_user(email="camille.durand@ville.example", first_name="Camille", last_name="Durand", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    make_ambassador(lab, user=user, first_name="Camille", last_name="Durand", email=user.email, metier="Juriste")
    return user


@pytest.fixture
def colleague(lab):
    user = make_user(email="dominique.autre@ville.example", first_name="Dominique", last_name="Autre")
    make_ambassador(lab, user=user, email=user.email, first_name="Dominique", last_name="Autre")
    return user


def log_in(client, email, password=PASSWORD):
    """Through the real login form, as a person would."""
    return client.post("/accounts/login/", {"login": email, "password": password})


def download(client):
    response = client.get(EXPORT_URL)
    assert response.status_code == 200
    return response, json.loads(response.content)


# --- Download ------------------------------------------------------------


def test_export_is_a_json_attachment_with_the_person_own_data(client, person, lab, colleague):
    case = make_case(lab)
    make_entry(case, author=person, done="Nous avons observé le guichet du matin.")
    make_entry(case, author=colleague, done="Texte de quelqu'un d'autre.")
    StageChange.objects.create(case=case, from_stage="cadrage", to_stage="enquete", changed_by=person, note="On y va.")
    session = make_session(lab)
    row = person.ambassadorships.get()
    Attendance.objects.create(session=session, ambassador=row, day=session.start_date, response="yes")
    OutgoingMail.objects.create(to=person.email, subject="Invitation à la session #3", body_text="Votre code : 481516")
    OutgoingMail.objects.create(to=colleague.email, subject="Rappel pour Dominique", body_text="…")
    DigestPreference.objects.create(user=person, frequency=DigestPreference.Frequency.WEEKLY)
    gathering = make_gathering(lab.programme, title="Lille")
    invitation = GatheringInvitation.objects.create(gathering=gathering, key=f"ambassador-{row.pk}", ambassador=row)
    GatheringAttendance.objects.create(invitation=invitation, day=gathering.start_date, response="no")
    client.force_login(person)

    response, data = download(client)

    assert response["Content-Disposition"].startswith('attachment; filename="transfo-mes-donnees-')
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert data["account"]["email"] == "camille.durand@ville.example"
    assert data["email_addresses"] == [{"email": "camille.durand@ville.example", "verified": True, "primary": True}]
    assert [entry["done"] for entry in data["journal_entries"]] == ["Nous avons observé le guichet du matin."]
    assert [change["note"] for change in data["stage_changes"]] == ["On y va."]
    assert [row["metier"] for row in data["ambassadorships"]] == ["Juriste"]
    assert [answer["response"] for answer in data["ambassadorships"][0]["attendances"]] == ["yes"]
    assert [mail["subject"] for mail in data["mails_received"]] == ["Invitation à la session #3"]
    assert data["case_digest_frequency"] == "weekly"
    assert [[day["response"] for day in answer["days"]] for answer in data["intertransfo_answers"]] == [["no"]]


def test_export_holds_no_password_hash_no_mail_body_and_nobody_else(client, person, lab, colleague):
    case = make_case(lab)
    case.team.add(person.ambassadorships.get(), colleague.ambassadorships.get())
    make_entry(case, author=person)
    OutgoingMail.objects.create(to=person.email, subject="Votre code de connexion", body_text="Code : 481516")
    client.force_login(person)

    response, _data = download(client)

    body = response.content.decode()
    person.refresh_from_db()
    assert person.password not in body
    assert "md5$" not in body and "pbkdf2" not in body and "\"password\":" not in body
    assert "481516" not in body
    assert colleague.email not in body
    assert "Dominique" not in body


def count_export_queries(client):
    with CaptureQueriesContext(connection) as queries:
        download(client)
    return len(queries)


def test_export_query_count_does_not_grow_with_what_the_person_wrote(client, person, lab):
    session = make_session(lab)
    row = person.ambassadorships.get()
    client.force_login(person)
    make_entry(make_case(lab), author=person)
    Attendance.objects.create(session=session, ambassador=row, day=session.start_date)
    with_one = count_export_queries(client)

    for number in range(2):
        entry = make_entry(make_case(lab), author=person, done=f"Entrée {number}")
        entry.attachments.create(file="journal/photo.jpg", caption=f"Photo {number}")
        StageChange.objects.create(case=entry.case, from_stage="cadrage", to_stage="ideation", changed_by=person)
        OutgoingMail.objects.create(to=person.email, subject=f"Rappel {number}", body_text="…")
        other_lab_row = make_ambassador(make_lab(), user=person, email=person.email)
        other_session = make_session(other_lab_row.lab)
        Attendance.objects.create(session=other_session, ambassador=other_lab_row, day=other_session.start_date)
    with_three = count_export_queries(client)

    assert with_one == with_three == exactly(17)  # 2: the mails' language and stopped notifications


# --- Erasure -------------------------------------------------------------


def erase_through_the_page(client, email="camille.durand@ville.example"):
    return client.post(ERASE_URL, {"email": email, "understood": "on"})


def test_erasure_page_explains_what_happens(client, person):
    client.force_login(person)

    page = client.get(ERASE_URL).content.decode()

    assert "Personne effacée" in page
    assert 'name="email"' in page
    assert 'name="understood"' in page


def test_erasure_keeps_what_the_person_wrote_signed_by_an_erased_person(client, person, lab):
    case = make_case(lab)
    entry = make_entry(case, author=person, done="Nous avons testé le formulaire.")
    change = StageChange.objects.create(case=case, from_stage="cadrage", to_stage="enquete", changed_by=person)
    client.force_login(person)

    response = erase_through_the_page(client)

    entry = ProgressEntry.objects.get(pk=entry.pk)
    assert response.status_code == 302
    assert response["Location"] == "/compte/effacement/termine/"
    assert entry.done == "Nous avons testé le formulaire."
    assert entry.author.get_full_name() == "Personne effacée"
    assert StageChange.objects.get(pk=change.pk).changed_by.get_full_name() == "Personne effacée"


def test_erasure_anonymises_the_account_and_its_ambassador_rows(client, person, lab):
    row = person.ambassadorships.get()
    row.photo.save("portrait.jpg", ContentFile(b"image"))
    row.public_consent = True
    row.save()
    LabMembership.objects.create(lab=make_lab(), user=person, public_consent=True)
    client.force_login(person)

    erase_through_the_page(client)

    person.refresh_from_db()
    row.refresh_from_db()
    assert person.email == f"efface-{person.pk}@transfo.invalid"
    assert person.get_username() == person.email
    assert person.get_full_name() == "Personne effacée"
    assert person.is_active is False
    assert person.has_usable_password() is False
    assert (row.user, row.full_name, row.email, row.photo.name) == (person, "Personne effacée", person.email, "")
    assert row.public_consent is False
    assert list(LabMembership.objects.filter(user=person).values_list("public_consent", flat=True)) == [False]
    assert not EmailAddress.objects.filter(user=person).exists()


def test_erasure_removes_two_factor_methods_and_pending_mail(client, person):
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": "x"})
    OutgoingMail.objects.create(to=person.email, subject="Rappel en attente", body_text="Bonjour Camille")
    sent = OutgoingMail.objects.create(
        to=person.email, subject="Invitation", body_text="Bonjour Camille", status=OutgoingMail.Status.SENT,
        sent_at=timezone.now(),
    )
    client.force_login(person)

    erase_through_the_page(client)

    sent.refresh_from_db()
    assert not Authenticator.objects.filter(user=person).exists()
    assert list(OutgoingMail.objects.values_list("subject", flat=True)) == ["Invitation"]
    assert "Camille" not in sent.body_text
    assert sent.to == f"efface-{person.pk}@transfo.invalid"


def test_erasure_deletes_the_photo_file_once_committed(person, django_capture_on_commit_callbacks):
    row = person.ambassadorships.get()
    row.photo.save("portrait.jpg", ContentFile(b"image"))
    name = row.photo.name

    with django_capture_on_commit_callbacks(execute=True):
        erase_personal_data(user=person)

    assert not default_storage.exists(name)


def test_erased_person_can_no_longer_log_in(client, person):
    assert log_in(Client(), person.email).status_code == 302  # the password works before
    client.force_login(person)

    erase_through_the_page(client)
    attempt = Client()
    response = log_in(attempt, "camille.durand@ville.example")

    assert response.status_code == 200
    assert "_auth_user_id" not in attempt.session


def test_erasure_ends_the_person_sessions_on_every_device(person):
    phone, laptop = Client(), Client()
    log_in(phone, person.email)
    log_in(laptop, person.email)
    assert laptop.get("/compte/").status_code == 200

    laptop_session = laptop.cookies[settings.SESSION_COOKIE_NAME].value

    erase_through_the_page(phone)
    stored_after_erasure = StoredSession.objects.filter(session_key=laptop_session).exists()
    response = laptop.get("/compte/")

    assert stored_after_erasure is False
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_erasure_logs_out_and_shows_its_confirmation(client, person):
    client.force_login(person)

    response = client.post(ERASE_URL, {"email": person.email, "understood": "on"}, follow=True)

    assert "Vos données personnelles sont effacées" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_erasure_with_a_wrong_address_erases_nothing(client, person):
    client.force_login(person)

    response = erase_through_the_page(client, email="quelqu.un@ville.example")

    person.refresh_from_db()
    assert response.status_code == 200
    assert "Ce n&#x27;est pas l&#x27;adresse de votre compte." in response.content.decode()
    assert person.is_active is True
    assert person.email == "camille.durand@ville.example"


def test_erasure_without_the_box_ticked_erases_nothing(client, person):
    client.force_login(person)

    response = client.post(ERASE_URL, {"email": person.email})

    person.refresh_from_db()
    assert response.status_code == 200
    assert "Cochez cette case pour confirmer." in response.content.decode()
    assert person.is_active is True


def test_last_superuser_cannot_erase_themself(client):
    admin = make_user(is_superuser=True, is_staff=True)
    client.force_login(admin)

    page = client.get(ERASE_URL).content.decode()
    response = client.post(ERASE_URL, {"email": admin.email, "understood": "on"})

    admin.refresh_from_db()
    assert "Vous êtes le dernier compte d'administration" in page
    assert response.status_code == 200
    assert admin.is_active is True and admin.is_superuser is True


def test_superuser_can_erase_themself_while_another_remains(client):
    make_user(is_superuser=True, is_staff=True)
    admin = make_user(is_superuser=True, is_staff=True)
    client.force_login(admin)

    response = client.post(ERASE_URL, {"email": admin.email, "understood": "on"})

    admin.refresh_from_db()
    assert response.status_code == 302
    assert (admin.is_active, admin.is_superuser, admin.is_staff) == (False, False, False)


def test_erasure_touches_no_one_else(client, person, colleague, lab):
    entry = make_entry(make_case(lab), author=colleague, done="Le texte de Dominique.")
    make_resident(lab, user=make_user(email="resident@ville.example"))
    client.force_login(person)

    erase_through_the_page(client)

    colleague.refresh_from_db()
    assert colleague.get_full_name() == "Dominique Autre"
    assert colleague.is_active is True
    assert Ambassador.objects.get(user=colleague).email == "dominique.autre@ville.example"
    assert ProgressEntry.objects.get(pk=entry.pk).author == colleague
    assert get_user_model().objects.filter(email="resident@ville.example", is_active=True).exists()
