"""Residents invite people into their Lab; the invitee joins through a personal link, once."""
import datetime
import re
import threading

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from ambassadors.models import Ambassador, Invitation
from ambassadors.services import (
    RESEND_COOLDOWN,
    InvitationUnavailable,
    accept_invitation,
    create_invited_account,
    invite_ambassador,
    resend_invitation,
)
from outbox.models import OutgoingMail
from outbox.services import send_due_mail

from ..factories import make_ambassador, make_lab, make_resident, make_user

pytestmark = pytest.mark.django_db

BASE_URL = "http://testserver"
LINK = re.compile(r"https?://[^\s\"<]+/invitations/([\w-]+)/")


@pytest.fixture
def lab():
    return make_lab(name="La Transfo de Mulhouse")


@pytest.fixture
def resident(lab):
    return make_resident(lab, user=make_user(first_name="Rémi", last_name="Résident")).user


def invite(lab, resident, **overrides):
    details = {
        "first_name": "Claude",
        "last_name": "Martin",
        "email": "claude.martin@ville.example",
        "metier": "Jardinier",
        "direction": "Espaces verts",
        "circle": Ambassador.Circle.AMBASSADOR,
    }
    return invite_ambassador(lab=lab, invited_by=resident, base_url=BASE_URL, **{**details, **overrides})


def token_in(outgoing: OutgoingMail) -> str:
    return LINK.search(outgoing.body_text).group(1)


def later(invitation, delta):
    """Pretend the invitation was sent ``delta`` ago."""
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=invitation.created_at - delta, expires_at=invitation.expires_at - delta
    )


def test_invite_adds_the_person_and_queues_one_mail_with_a_personal_link(lab, resident):
    invitation = invite(lab, resident)
    # Whether a worker or the periodic sweep sends it, the queued mail goes out once.
    send_due_mail()
    send_due_mail()

    ambassador = Ambassador.objects.get()
    assert (ambassador.lab, ambassador.full_name, ambassador.metier) == (lab, "Claude Martin", "Jardinier")
    assert invitation.just_sent is True
    assert invitation.invited_by == resident
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=30)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["claude.martin@ville.example"]
    assert message.subject == "Invitation à rejoindre La Transfo de Mulhouse sur Transfo"
    assert "Rémi Résident vous invite" in message.body
    assert LINK.search(message.body).group(0).startswith("http://testserver/invitations/")


def test_invitation_stores_only_a_hash_of_the_link(lab, resident):
    invitation = invite(lab, resident)

    token = token_in(OutgoingMail.objects.get())
    assert len(token) >= 40
    assert invitation.token_hash == Invitation.hash_token(token)
    assert token not in invitation.token_hash


def test_invitation_link_is_in_the_current_language(lab, resident):
    with translation.override("en"):
        invite(lab, resident)

    assert "http://testserver/en/invitations/" in OutgoingMail.objects.get().body_text


def test_inviting_the_same_address_twice_keeps_one_row_and_updates_it(lab, resident):
    first = invite(lab, resident)
    later(first, RESEND_COOLDOWN + datetime.timedelta(minutes=1))

    invite(lab, resident, email="Claude.MARTIN@ville.example", metier="Cheffe jardinière")

    ambassador = Ambassador.objects.get()
    assert ambassador.metier == "Cheffe jardinière"
    assert ambassador.email == "claude.martin@ville.example"


def test_inviting_again_voids_the_previous_link_and_mails_a_new_one(lab, resident):
    first = invite(lab, resident)
    old_token = token_in(OutgoingMail.objects.get())
    later(first, datetime.timedelta(days=2))

    second = invite(lab, resident)

    assert second.pk != first.pk and second.just_sent
    assert OutgoingMail.objects.count() == 2
    with pytest.raises(InvitationUnavailable) as refused:
        accept_invitation(token=old_token, user=make_user(email="claude.martin@ville.example"))
    assert refused.value.reason == "replaced"


def test_a_double_submit_sends_a_single_mail(lab, resident):
    first = invite(lab, resident)
    second = invite(lab, resident)

    assert second.pk == first.pk
    assert second.just_sent is False
    assert OutgoingMail.objects.count() == 1
    assert Invitation.objects.count() == 1


def test_someone_who_joined_is_updated_but_not_invited_again(lab, resident):
    joined = make_ambassador(lab, email="claude.martin@ville.example", user=make_user())

    result = invite(lab, resident, direction="Parcs et jardins")

    joined.refresh_from_db()
    assert result is None
    assert joined.direction == "Parcs et jardins"
    assert OutgoingMail.objects.count() == 0


def test_resending_from_the_list_follows_the_same_rules(lab, resident):
    ambassador = make_ambassador(lab)

    first = resend_invitation(ambassador=ambassador, invited_by=resident, base_url=BASE_URL)
    again = resend_invitation(ambassador=ambassador, invited_by=resident, base_url=BASE_URL)

    assert first.just_sent is True
    assert again.pk == first.pk and again.just_sent is False
    assert OutgoingMail.objects.count() == 1


def test_accepting_links_the_account_and_closes_the_invitation(lab, resident):
    invitation = invite(lab, resident)
    token = token_in(OutgoingMail.objects.get())
    user = make_user(email="Claude.Martin@ville.example")

    ambassador = accept_invitation(token=token, user=user)

    invitation.refresh_from_db()
    assert ambassador.user == user
    assert ambassador.joined_on == timezone.localdate()
    assert invitation.accepted_at is not None
    with pytest.raises(InvitationUnavailable) as refused:
        accept_invitation(token=token, user=user)
    assert refused.value.reason == "used"


def test_accepting_with_another_account_is_refused(lab, resident):
    invite(lab, resident)
    token = token_in(OutgoingMail.objects.get())

    with pytest.raises(ValidationError) as refused:
        accept_invitation(token=token, user=make_user(email="quelqu.un@ailleurs.example"))

    assert "claude.martin@ville.example" in refused.value.messages[0]
    assert Ambassador.objects.get().user is None


def test_expired_link_is_refused(lab, resident):
    invitation = invite(lab, resident)
    token = token_in(OutgoingMail.objects.get())
    later(invitation, datetime.timedelta(days=30, seconds=1))

    with pytest.raises(InvitationUnavailable) as refused:
        accept_invitation(token=token, user=make_user(email="claude.martin@ville.example"))

    assert refused.value.reason == "expired"
    assert Ambassador.objects.get().user is None


def test_unknown_link_is_refused(lab, resident):
    with pytest.raises(InvitationUnavailable) as refused:
        accept_invitation(token="pas-un-vrai-jeton", user=make_user())

    assert refused.value.reason == "unknown"


def test_new_account_from_an_invitation_has_a_verified_address_and_joins_the_lab(lab, resident):
    invite(lab, resident)
    token = token_in(OutgoingMail.objects.get())

    user = create_invited_account(token=token, password="un-jardin-extraordinaire-42")

    address = EmailAddress.objects.get(user=user)
    assert (user.username, user.email, user.get_full_name()) == ("claude.martin@ville.example",) * 2 + ("Claude Martin",)
    assert (address.email, address.verified, address.primary) == ("claude.martin@ville.example", True, True)
    assert user.check_password("un-jardin-extraordinaire-42")
    assert Ambassador.objects.get().user == user


def test_new_account_without_a_password_logs_in_by_code_later(lab, resident):
    invite(lab, resident)
    token = token_in(OutgoingMail.objects.get())

    user = create_invited_account(token=token)

    assert user.has_usable_password() is False
    assert Ambassador.objects.get().user == user


def test_a_weak_password_opens_no_account(lab, resident, django_user_model):
    invite(lab, resident)
    token = token_in(OutgoingMail.objects.get())

    with pytest.raises(ValidationError):
        create_invited_account(token=token, password="12345678")

    assert not django_user_model.objects.filter(email="claude.martin@ville.example").exists()
    assert Ambassador.objects.get().user is None


def test_an_existing_account_must_log_in_instead_of_opening_a_second_one(lab, resident, django_user_model):
    make_user(email="claude.martin@ville.example")
    invite(lab, resident)
    token = token_in(OutgoingMail.objects.get())

    with pytest.raises(ValidationError):
        create_invited_account(token=token, password="un-jardin-extraordinaire-42")

    assert django_user_model.objects.filter(email__iexact="claude.martin@ville.example").count() == 1


@pytest.fixture
def mail_server_down(settings):
    # A real SMTP connection to a port where nothing listens: refused at once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 1
    settings.EMAIL_TIMEOUT = 2


def test_invitation_waits_in_the_outbox_while_the_mail_server_is_down(
    lab, resident, mail_server_down, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(lab, resident)

    queued = OutgoingMail.objects.get()
    assert invitation.pk is not None
    assert queued.status == OutgoingMail.Status.PENDING
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingMail.objects.update(next_attempt_at=timezone.now())
    send_due_mail()
    send_due_mail()

    assert [message.to for message in mail.outbox] == [["claude.martin@ville.example"]]


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_invitations_of_one_person_make_one_row_and_one_mail(lab, resident):
    # Two residents submitting at the same instant, on PostgreSQL where requests really overlap.
    barrier = threading.Barrier(2)
    failures = []

    def submit():
        try:
            barrier.wait(timeout=10)
            invite(lab, resident)
        except Exception as error:  # noqa: BLE001 — reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert Ambassador.objects.filter(email__iexact="claude.martin@ville.example").count() == 1
    assert Invitation.objects.count() == 1
    assert OutgoingMail.objects.count() == 1
