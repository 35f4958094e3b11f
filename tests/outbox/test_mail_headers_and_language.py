"""Mails that mail clients and inboxes handle well, in the reader's language.

Each notification says it was sent by a program and carries a one-click unsubscribe link (RFC
8058) that works from the mail client without any login; the reader's language decides the
mail's, else their programme's. Mails are read back with Python's own e-mail parser.
"""
import email
import email.policy

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from cases.digest import send_due_digests
from cases.models import Stage
from cases.services import propose_stage
from outbox.models import MailKind, MailPreference, OutgoingMail, Unsubscription
from outbox.services import send_queued_mail
from outbox.unsubscribe import token_for
from programmes.models import LabMembership
from sessions import invitations

from ..cases.test_digest import MONDAY, TUESDAY_MORNING, at, entry_at
from ..factories import make_ambassador, make_case, make_lab, make_programme, make_resident, make_session, make_user

pytestmark = pytest.mark.django_db


def parsed(message):
    """The mail as a mail client receives it."""
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def sent_to(address):
    return [parsed(message) for message in mail.outbox if address in message.to]


def send_everything():
    for pk in OutgoingMail.objects.filter(status=OutgoingMail.Status.PENDING).values_list("pk", flat=True):
        send_queued_mail(pk)


@pytest.fixture
def lab():
    return make_lab(name="La Transfo de Mulhouse")


@pytest.fixture
def english_reader(lab):
    user = make_user(first_name="Robin", email="robin@mulhouse.example")
    MailPreference.objects.create(user=user, language="en")
    return make_ambassador(lab, user=user, email=user.email, first_name="Robin")


@pytest.fixture
def french_reader(lab):
    user = make_user(first_name="Camille", email="camille@mulhouse.example")
    return make_ambassador(lab, user=user, email=user.email, first_name="Camille")


def test_a_session_announcement_is_a_notification_in_each_reader_s_language(lab, english_reader, french_reader):
    session = make_session(lab)

    invitations.invite(session)
    send_everything()

    [english], [french] = sent_to(english_reader.email), sent_to(french_reader.email)
    assert english["Subject"].startswith(f"Session No. {session.number} of La Transfo de Mulhouse")
    assert "will you be there" in english["Subject"].lower()
    assert "serez-vous là" in french["Subject"]
    assert "Hello Robin" in english.get_body(("plain",)).get_content()
    assert "Bonjour Camille" in french.get_body(("plain",)).get_content()
    for message in (english, french):
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # A long header is folded: the address is what stands between the angle brackets.
        assert message["List-Unsubscribe"].strip().startswith("<http") and "/desabonnement/" in message["List-Unsubscribe"]


def test_a_programme_in_english_writes_in_english_to_whoever_chose_no_language():
    lab = make_lab(programme=make_programme(language="en"))
    reader = make_ambassador(lab, email="sam@city.example", first_name="Sam")

    invitations.invite(make_session(lab))
    send_everything()

    [message] = sent_to(reader.email)
    assert "Hello Sam" in message.get_body(("plain",)).get_content()


def test_the_digest_is_html_and_text_with_its_unsubscribe_link(lab):
    resident = make_resident(lab, user=make_user(first_name="Rosa", email="rosa@mulhouse.example")).user
    MailPreference.objects.create(user=resident, language="en")
    entry_at(make_case(lab, title="Accueil des usagers"), at(MONDAY, 10), done="Nous avons observé le guichet.")

    send_due_digests(TUESDAY_MORNING)
    send_everything()

    [message] = sent_to(resident.email)
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "Nous avons observé le guichet." in html and "Nous avons observé le guichet." in text
    assert "Hello Rosa" in text and "<html lang=\"en\">" in html
    assert "/desabonnement/" in message["List-Unsubscribe"]


def test_one_click_from_the_mail_client_stops_that_kind_and_no_other(lab, french_reader):
    session = make_session(lab)
    invitations.invite(session)
    send_everything()
    [announcement] = sent_to(french_reader.email)
    link = announcement["List-Unsubscribe"].strip().strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]

    # What a mail client does (RFC 8058): a POST with this body, no cookie, no CSRF token.
    answer = Client(enforce_csrf_checks=True).post("/" + path, {"List-Unsubscribe": "One-Click"})

    assert answer.status_code == 200
    assert Unsubscription.objects.filter(email=french_reader.email, kind=MailKind.SESSIONS).exists()
    mail.outbox.clear()
    invitations.notify_invited(session, kind="cancel")
    send_everything()
    assert sent_to(french_reader.email) == []
    assert OutgoingMail.objects.filter(to=french_reader.email, status=OutgoingMail.Status.UNSUBSCRIBED).count() == 1


def test_the_unsubscribe_page_asks_before_it_acts(client, french_reader):
    url = f"/desabonnement/{token_for(french_reader.email, MailKind.SESSIONS)}/"

    page = client.get(url)

    assert page.status_code == 200
    assert "Me désabonner" in page.content.decode()
    assert not Unsubscription.objects.exists()


@pytest.mark.parametrize("token", ["pas-un-jeton", token_for("x@y.example", MailKind.DIGEST)[:-3] + "abc"])
def test_a_damaged_unsubscribe_link_says_so_and_changes_nothing(client, token):
    answer = client.post(f"/desabonnement/{token}/")

    assert answer.status_code == 400
    assert "n'est pas valable" in answer.content.decode()
    assert not Unsubscription.objects.exists()


def test_a_stage_proposal_reaches_each_resident_in_their_language(lab):
    english = make_resident(lab, user=make_user(email="en@mulhouse.example")).user
    MailPreference.objects.create(user=english, language="en")
    french = make_resident(lab, user=make_user(email="fr@mulhouse.example")).user
    case = make_case(lab, title="Accueil")

    propose_stage(case=case, to_stage=Stage.INQUIRY, note="", proposed_by=french, case_url="http://testserver/cas/")
    send_everything()

    [to_english], [to_french] = sent_to(english.email), sent_to(french.email)
    with translation.override("en"):
        assert str(Stage.INQUIRY.label) in to_english["Subject"]
    assert "proposition de passer" in to_french["Subject"]
    assert to_english["List-Unsubscribe"] and to_english["Auto-Submitted"] == "auto-generated"


def test_the_profile_sets_the_language_and_the_notifications(client, lab):
    user = make_user(email="alex@mulhouse.example", first_name="Alex", last_name="Agent")
    LabMembership.objects.create(lab=lab, user=user)
    client.force_login(user)

    client.post("/compte/", {"first_name": "Alex", "last_name": "Agent", "metier": "", "mail_language": "en", "mail_kinds": [MailKind.DIGEST]})

    assert MailPreference.objects.get(user=user).language == "en"
    assert set(Unsubscription.objects.filter(email=user.email).values_list("kind", flat=True)) == {
        MailKind.SESSIONS, MailKind.STAGE_PROPOSALS,
    }
