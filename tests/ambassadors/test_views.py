"""The Lab's ambassadors page per role, inviting and importing from it, and the invitation link."""
import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import EmailValidator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from ambassadors.models import Ambassador, Invitation
from outbox.models import OutgoingMail
from outbox.services import send_due_mail
from programmes.models import Coordination, LabMembership

from ..queries import exactly
from ..factories import make_ambassador, make_lab, make_programme, make_user

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<]+(/invitations/[\w-]+/)")
INVITEE = {
    "invite-first_name": "Claude",
    "invite-last_name": "Martin",
    "invite-email": "claude.martin@ville.example",
    "invite-metier": "Jardinier",
    "invite-direction": "Espaces verts",
    "invite-circle": "ambassador",
}


@pytest.fixture
def world():
    programme = make_programme()
    lab_a = make_lab(programme=programme, slug="mulhouse", name="La Transfo de Mulhouse")
    lab_b = make_lab(programme=programme, slug="lille")
    people = {
        "resident_a": make_user(),
        "host_a": make_user(),
        "coordinator": make_user(),
        "admin": make_user(is_superuser=True, is_staff=True),
        "ambassador_a": make_user(),
        "network_a": make_user(),
        "resident_b": make_user(),
        "ambassador_b": make_user(),
        "outsider": make_user(),
    }
    LabMembership.objects.create(lab=lab_a, user=people["resident_a"], role=LabMembership.Role.RESIDENT)
    LabMembership.objects.create(lab=lab_a, user=people["host_a"], role=LabMembership.Role.HOST)
    LabMembership.objects.create(lab=lab_b, user=people["resident_b"], role=LabMembership.Role.RESIDENT)
    Coordination.objects.create(programme=programme, user=people["coordinator"])
    make_ambassador(lab_a, user=people["ambassador_a"], email="ambassadrice.a@ville.example")
    make_ambassador(lab_a, user=people["network_a"], circle=Ambassador.Circle.NETWORK)
    make_ambassador(lab_b, user=people["ambassador_b"])
    return {"lab": lab_a, "people": people}


def page_url(lab):
    return f"/labs/{lab.slug}/ambassadeurs/"


def log_in(client, world, role):
    client.force_login(world["people"][role])


@pytest.mark.parametrize("role", ["resident_a", "host_a", "coordinator", "admin"])
def test_those_who_run_the_lab_see_emails_and_the_invite_forms(client, world, role):
    log_in(client, world, role)

    response = client.get(page_url(world["lab"]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "ambassadrice.a@ville.example" in content
    assert "Inviter une personne" in content
    assert "Importer un fichier CSV" in content


@pytest.mark.parametrize("role", ["ambassador_a", "network_a"])
def test_ambassadors_of_the_lab_see_the_list_without_emails_nor_forms(client, world, role):
    log_in(client, world, role)

    response = client.get(page_url(world["lab"]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "ambassadrice.a@ville.example" not in content
    assert "Inviter une personne" not in content
    assert "Réseau / relais" in content


@pytest.mark.parametrize("role", ["resident_b", "ambassador_b", "outsider"])
def test_people_outside_the_lab_get_a_not_found(client, world, role):
    log_in(client, world, role)

    response = client.get(page_url(world["lab"]))

    assert response.status_code == 404


def test_anonymous_visitor_is_sent_to_the_login(client, world):
    response = client.get(page_url(world["lab"]))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/labs/mulhouse/ambassadeurs/")


def test_unknown_lab_is_not_found(client, world):
    log_in(client, world, "admin")

    assert client.get("/labs/nulle-part/ambassadeurs/").status_code == 404


def test_list_shows_each_invitation_state(client, world):
    lab = world["lab"]
    pending = make_ambassador(lab, last_name="Enattente")
    expired = make_ambassador(lab, last_name="Expire")
    make_ambassador(lab, last_name="Jamais")
    now = timezone.now()
    Invitation.objects.create(ambassador=pending, token_hash="a" * 64, created_at=now, expires_at=now + datetime.timedelta(days=30))
    old = now - datetime.timedelta(days=40)
    Invitation.objects.create(ambassador=expired, token_hash="b" * 64, created_at=old, expires_at=old + datetime.timedelta(days=30))
    log_in(client, world, "resident_a")

    content = client.get(page_url(lab)).content.decode()

    states = dict(re.findall(r"invitation-state--(\w+)\">\s*(.*?)\s*</span>", content, re.DOTALL))
    assert states["joined"] == "A rejoint le labo"
    assert states["not_invited"] == "Pas encore invité·e"
    assert states["invited"].startswith("Invité·e le ")
    assert states["expired"].startswith("Invitation du ")


def test_list_query_count_does_not_grow_with_the_people(client, world, django_user_model):
    lab = world["lab"]
    log_in(client, world, "resident_a")

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_url(lab)).status_code == 200
        return len(queries)

    Ambassador.objects.filter(lab=lab).delete()
    make_ambassador(lab)
    with_one = count_queries()
    for number in range(2):
        person = make_ambassador(lab, user=make_user() if number % 3 == 0 else None)
        now = timezone.now()
        Invitation.objects.create(
            ambassador=person, token_hash=f"{number:064d}", created_at=now, expires_at=now + datetime.timedelta(days=30)
        )
    with_three = count_queries()

    assert Ambassador.objects.filter(lab=lab).count() == 3
    assert with_one == with_three == exactly(3)


def test_resident_invites_someone_and_one_mail_is_queued(client, world):
    log_in(client, world, "resident_a")

    response = client.post(page_url(world["lab"]) + "inviter/", INVITEE, follow=True)

    assert response.redirect_chain == [(page_url(world["lab"]), 302)]
    assert "Invitation envoyée à Claude Martin." in response.content.decode()
    assert Ambassador.objects.get(email="claude.martin@ville.example").lab == world["lab"]
    outgoing = OutgoingMail.objects.get()
    assert LINK.search(outgoing.body_text).group(0).startswith("http://testserver/invitations/")


def test_a_double_submit_invites_once(client, world):
    log_in(client, world, "resident_a")

    client.post(page_url(world["lab"]) + "inviter/", INVITEE)
    response = client.post(page_url(world["lab"]) + "inviter/", INVITEE, follow=True)

    assert "aucune nouvelle invitation envoyée" in response.content.decode()
    assert Ambassador.objects.filter(email="claude.martin@ville.example").count() == 1
    assert OutgoingMail.objects.count() == 1


def test_an_invalid_invitation_form_answers_its_errors_and_saves_nothing(client, world):
    log_in(client, world, "resident_a")

    response = client.post(page_url(world["lab"]) + "inviter/", {**INVITEE, "invite-email": "pas-une-adresse", "invite-metier": ""})

    assert response.status_code == 400
    content = response.content.decode()
    # Django's own wording, as the installed French catalogues translate it.
    with translation.override("fr"):
        assert str(EmailValidator.message) in content
    assert "Champ requis." in content
    assert not Ambassador.objects.filter(last_name="Martin").exists()


@pytest.mark.parametrize("role, status", [("ambassador_a", 403), ("resident_b", 404), ("outsider", 404)])
def test_only_those_who_run_the_lab_may_invite(client, world, role, status):
    log_in(client, world, role)

    response = client.post(page_url(world["lab"]) + "inviter/", INVITEE)

    assert response.status_code == status
    assert not Ambassador.objects.filter(email="claude.martin@ville.example").exists()
    assert OutgoingMail.objects.count() == 0


def test_anonymous_visitor_cannot_invite(client, world):
    response = client.post(page_url(world["lab"]) + "inviter/", INVITEE)

    assert response.status_code == 302
    assert OutgoingMail.objects.count() == 0


def test_resident_invites_a_listed_person_from_the_list(client, world):
    person = make_ambassador(world["lab"], email="liste@ville.example")
    log_in(client, world, "resident_a")

    response = client.post(page_url(world["lab"]) + f"{person.pk}/relancer/")

    assert response.status_code == 302
    assert list(OutgoingMail.objects.values_list("to", flat=True)) == ["liste@ville.example"]


def test_a_person_of_another_lab_cannot_be_invited_through_this_one(client, world):
    elsewhere = Ambassador.objects.get(user=world["people"]["ambassador_b"])
    log_in(client, world, "resident_a")

    response = client.post(page_url(world["lab"]) + f"{elsewhere.pk}/relancer/")

    assert response.status_code == 404
    assert OutgoingMail.objects.count() == 0


def upload(content, name="ambassadeurs.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_import_of_a_valid_file_invites_everyone(client, world):
    log_in(client, world, "resident_a")
    content = (
        "prénom;nom;e-mail;métier;direction\n"
        "Claude;Martin;claude.martin@ville.example;Jardinier;Espaces verts\n"
        "Dominique;Bernard;dominique.bernard@ville.example;Agente d'accueil;Relation usagers\n"
    )

    response = client.post(page_url(world["lab"]) + "importer/", {"import-csv_file": upload(content)}, follow=True)

    assert (
        "Import terminé (CSV en UTF-8, cellules séparées par « ; ») : 2 personnes ajoutées, 2 invitations envoyées."
        in response.content.decode()
    )
    assert OutgoingMail.objects.count() == 2


def test_import_of_a_bad_file_lists_its_lines_and_saves_nothing(client, world):
    log_in(client, world, "resident_a")
    content = (
        "prénom,nom,e-mail,métier,direction\n"
        "Claude,Martin,claude.martin@ville.example,Jardinier,Espaces verts\n"
        "Dominique,Bernard,,Agente d'accueil,Relation usagers\n"
    )

    response = client.post(page_url(world["lab"]) + "importer/", {"import-csv_file": upload(content)})

    assert response.status_code == 400
    content = response.content.decode()
    assert "<strong>Ligne 3</strong> : la case « e-mail » est vide." in content
    assert "Le fichier n&#x27;a pas été importé" in content
    assert not Ambassador.objects.filter(last_name__in=["Martin", "Bernard"]).exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ("é".encode("latin-1") * 10, "UTF-8"),
        (b"a" * (1024 * 1024 + 1), "1 Mo"),
        (b"", "Le fichier soumis est vide."),
    ],
)
def test_import_of_an_unreadable_file_answers_a_message_not_an_error_page(client, world, data, message):
    log_in(client, world, "resident_a")

    response = client.post(page_url(world["lab"]) + "importer/", {"import-csv_file": upload(data)})

    assert response.status_code == 400
    assert message in response.content.decode()


def test_import_without_a_file_asks_for_one(client, world):
    log_in(client, world, "resident_a")

    response = client.post(page_url(world["lab"]) + "importer/", {})

    assert response.status_code == 400
    assert "Champ requis." in response.content.decode()


def test_ambassador_cannot_import(client, world):
    log_in(client, world, "ambassador_a")
    content = "prénom,nom,e-mail,métier,direction\nClaude,Martin,claude@ville.example,Jardinier,Parcs\n"

    response = client.post(page_url(world["lab"]) + "importer/", {"import-csv_file": upload(content)})

    assert response.status_code == 403
    assert OutgoingMail.objects.count() == 0


@pytest.fixture
def mail_server_down(settings):
    # A real SMTP connection to a port where nothing listens: refused at once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 1
    settings.EMAIL_TIMEOUT = 2


def test_inviting_while_the_mail_server_is_down_answers_normally_and_sends_later(
    client, world, mail_server_down, settings, django_capture_on_commit_callbacks
):
    log_in(client, world, "resident_a")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_url(world["lab"]) + "inviter/", INVITEE, follow=True)

    assert response.status_code == 200
    assert "Invitation envoyée à Claude Martin." in response.content.decode()
    assert OutgoingMail.objects.get().status == OutgoingMail.Status.PENDING

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingMail.objects.update(next_attempt_at=timezone.now())
    send_due_mail()

    assert [message.to for message in mail.outbox] == [["claude.martin@ville.example"]]


# --- The invitation link ---------------------------------------------------------------------


@pytest.fixture
def invitation_path(client, world):
    """A resident invites Claude Martin; the path of the link in the mail."""
    client.force_login(world["people"]["resident_a"])
    client.post(page_url(world["lab"]) + "inviter/", INVITEE)
    client.logout()
    return LINK.search(OutgoingMail.objects.get().body_text).group(1)


def test_an_unknown_link_answers_a_french_not_found(client, db):
    response = client.get("/invitations/nimporte-quoi/")

    assert response.status_code == 404
    assert "Ce lien d&#x27;invitation n&#x27;existe pas." in response.content.decode()


def test_an_expired_link_answers_gone_with_what_to_do(client, world, invitation_path):
    Invitation.objects.update(
        created_at=timezone.now() - datetime.timedelta(days=31), expires_at=timezone.now() - datetime.timedelta(days=1)
    )

    response = client.get(invitation_path)

    assert response.status_code == 410
    assert "a expiré" in response.content.decode()


def test_opening_the_link_changes_nothing(client, world, invitation_path, django_user_model):
    response = client.get(invitation_path)

    assert response.status_code == 200
    assert "Accepter l'invitation" in response.content.decode()
    assert not django_user_model.objects.filter(email="claude.martin@ville.example").exists()
    assert Invitation.objects.get().accepted_at is None


def test_invitee_without_an_account_chooses_a_password_and_lands_in_their_space(client, world, invitation_path):
    password = "un-jardin-extraordinaire-42"

    response = client.post(invitation_path, {"password1": password, "password2": password})

    user = get_user(client)
    assert response.status_code == 302
    assert response["Location"] == "/espace/"
    assert user.is_authenticated and user.email == "claude.martin@ville.example"
    assert EmailAddress.objects.get(user=user).verified is True
    assert Ambassador.objects.get(email="claude.martin@ville.example").user == user
    assert client.get(invitation_path).status_code == 302  # the used link now leads to the Lab


def test_invitee_may_join_without_a_password(client, world, invitation_path):
    response = client.post(invitation_path, {"password1": "", "password2": ""})

    user = get_user(client)
    assert response.status_code == 302
    assert user.is_authenticated and user.has_usable_password() is False


def test_mismatched_passwords_open_no_account(client, world, invitation_path, django_user_model):
    response = client.post(invitation_path, {"password1": "un-jardin-extraordinaire-42", "password2": "autre-chose-42"})

    assert response.status_code == 400
    assert "Les deux mots de passe ne sont pas identiques." in response.content.decode()
    assert not django_user_model.objects.filter(email="claude.martin@ville.example").exists()


def test_a_too_common_password_is_refused(client, world, invitation_path, django_user_model):
    response = client.post(invitation_path, {"password1": "azertyuiop", "password2": "azertyuiop"})

    assert response.status_code == 400
    assert "Ce mot de passe est trop courant." in response.content.decode()
    assert not django_user_model.objects.filter(email="claude.martin@ville.example").exists()


def test_invitee_with_an_account_is_asked_to_log_in_and_come_back(client, world, invitation_path):
    make_user(email="claude.martin@ville.example")

    response = client.get(invitation_path)

    content = response.content.decode()
    assert "Un compte existe déjà pour claude.martin@ville.example" in content
    assert f"/accounts/login/?next={invitation_path.replace('/', '%2F')}" in content
    assert "/accounts/login/code/?next=" in content


def test_invitee_logged_in_with_the_invited_address_joins(client, world, invitation_path):
    user = make_user(email="claude.martin@ville.example")
    client.force_login(user)

    assert "Rejoindre le labo" in client.get(invitation_path).content.decode()
    response = client.post(invitation_path)

    assert response.status_code == 302
    assert response["Location"] == "/espace/"
    assert Ambassador.objects.get(email="claude.martin@ville.example").user == user


def test_someone_logged_in_with_another_account_is_told_and_may_log_out(client, world, invitation_path):
    client.force_login(world["people"]["outsider"])

    page = client.get(invitation_path).content.decode()
    response = client.post(invitation_path)

    assert "mais cette invitation est destinée à claude.martin@ville.example" in page
    assert "Me déconnecter et revenir à l'invitation" in page
    assert response.status_code == 400
    assert Ambassador.objects.get(email="claude.martin@ville.example").user is None


@pytest.mark.parametrize(
    "role, status", [("resident_a", 200), ("ambassador_a", 403), ("resident_b", 404), ("outsider", 404)]
)
def test_the_invite_and_import_addresses_open_only_for_those_who_run_the_lab(client, world, role, status):
    log_in(client, world, role)

    statuses = {client.get(page_url(world["lab"]) + suffix).status_code for suffix in ("inviter/", "importer/")}

    assert statuses == {status}
