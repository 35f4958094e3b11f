"""Inviting the collectivité's agents into their Lab, one by one or from a CSV, and their joining it.

The rules a resident can rely on:

- one person per e-mail in a Lab: inviting or importing someone again updates their row;
- someone who joined (their row has an account) is never invited again;
- inviting one person by hand mails them a new link and voids the previous one, except within
  ``RESEND_COOLDOWN`` of the last mail (a double click, an impatient second submit): then
  nothing more is sent;
- an import invites only those with no link that still works: importing the same file twice
  mails nobody twice (a pending invitation is never re-mailed by an import; an expired one is);
- each invitation's mail is queued with a key naming that invitation, so it goes out once.
"""
import dataclasses
import datetime
import secrets

from allauth.account.models import EmailAddress
from allauth.utils import generate_unique_username
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from outbox.services import queue_mail

from .csv_import import RowError, read_ambassadors_csv
from .models import Ambassador, Invitation

RESEND_COOLDOWN = datetime.timedelta(minutes=10)


class InvitationUnavailable(Exception):
    """The link cannot be used. ``reason`` is "unknown", "expired", "used" or "replaced"."""

    def __init__(self, reason: str, invitation: Invitation | None = None):
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


@dataclasses.dataclass
class ImportReport:
    """What an import did; when ``errors`` is not empty, it did nothing at all."""

    errors: list[RowError] = dataclasses.field(default_factory=list)
    created: int = 0
    updated: int = 0
    invited: int = 0
    already_invited: int = 0
    already_joined: int = 0
    source: str = ""  # what the file was read as (its format, encoding and separator)

    @property
    def ok(self) -> bool:
        return not self.errors


def find_invitation(token: str, *, for_update: bool = False) -> Invitation:
    """The invitation a link's token opens, or InvitationUnavailable saying why not.

    The token is looked up by its hash: the plain token is never stored nor compared.
    """
    invitations = Invitation.objects.select_related("ambassador__lab", "ambassador__user")
    if for_update:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(token_hash=Invitation.hash_token(token)).first() if token else None
    if invitation is None:
        raise InvitationUnavailable("unknown")
    if invitation.accepted_at is not None:
        raise InvitationUnavailable("used", invitation)
    if invitation.revoked_at is not None:
        raise InvitationUnavailable("replaced", invitation)
    if invitation.expires_at <= timezone.now():
        raise InvitationUnavailable("expired", invitation)
    return invitation


def account_for_email(email: str):
    """The account that owns this address (as its e-mail, login or a verified address), if any."""
    user_model = get_user_model()
    verified = EmailAddress.objects.filter(email__iexact=email, verified=True).values("user_id")
    return (
        user_model.objects.filter(Q(email__iexact=email) | Q(username__iexact=email) | Q(pk__in=verified))
        .order_by("pk")
        .first()
    )


def owns_email(user, email: str) -> bool:
    if (user.email or "").lower() == email.lower():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def invitation_url(token: str, base_url: str) -> str:
    """The absolute link of an invitation, in the current language."""
    return base_url.rstrip("/") + reverse("ambassadors:accept_invitation", kwargs={"token": token})


def _save_person(*, lab, first_name, last_name, email, metier, direction, circle) -> tuple[Ambassador, bool]:
    """Create or update the Lab's row for this e-mail, locked until the transaction ends."""
    details = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "metier": metier.strip(),
        "direction": direction.strip(),
        "circle": circle or Ambassador.Circle.AMBASSADOR,
    }
    email = email.strip()
    for attempt in range(2):
        ambassador = Ambassador.objects.select_for_update().filter(lab=lab, email__iexact=email).first()
        if ambassador is not None:
            for field, value in details.items():
                setattr(ambassador, field, value)
            ambassador.full_clean()
            ambassador.save()
            return ambassador, False
        ambassador = Ambassador(lab=lab, email=email, **details)
        ambassador.full_clean()
        try:
            with transaction.atomic():
                ambassador.save()
            return ambassador, True
        except IntegrityError:
            # Someone added the same address between our read and our write: update theirs.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _send_invitation(*, ambassador: Ambassador, invited_by, base_url: str, now) -> Invitation:
    """A new invitation for a locked row: earlier links stop working and one mail is queued."""
    ambassador.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        ambassador=ambassador,
        token_hash=Invitation.hash_token(token),
        invited_by=invited_by if invited_by is not None and invited_by.is_authenticated else None,
        created_at=now,
        expires_at=now + Invitation.VALIDITY,
    )
    invitation.full_clean()
    invitation.save()
    lab = ambassador.lab
    context = {
        "ambassador": ambassador,
        "lab": lab,
        "inviter": invitation.invited_by,
        "inviter_name": (invitation.invited_by.get_full_name() or invitation.invited_by.email) if invitation.invited_by else "",
        "url": invitation_url(token, base_url),
        "expires_at": invitation.expires_at,
    }
    queue_mail(
        to=ambassador.email,
        subject=render_to_string("ambassadors/email/invitation_subject.txt", context).strip(),
        body_text=render_to_string("ambassadors/email/invitation.txt", context),
        body_html=render_to_string("ambassadors/email/invitation.html", context),
        key=f"ambassadors.invitation:{invitation.pk}",
    )
    invitation.just_sent = True
    return invitation


def _invite_by_hand(*, ambassador: Ambassador, invited_by, base_url: str) -> Invitation | None:
    now = timezone.now()
    if ambassador.user_id:
        return None
    pending = ambassador.invitations.pending(now).order_by("-created_at").first()
    if pending is not None and pending.created_at > now - RESEND_COOLDOWN:
        pending.just_sent = False
        return pending
    return _send_invitation(ambassador=ambassador, invited_by=invited_by, base_url=base_url, now=now)


@transaction.atomic
def invite_ambassador(
    *, lab, first_name: str, last_name: str, email: str, metier: str, direction: str, circle: str, invited_by, base_url: str
) -> Invitation | None:
    """Add (or update) a person of the Lab and mail them an invitation.

    Returns the invitation whose link works, with ``just_sent`` telling whether a mail was
    queued now (False within ``RESEND_COOLDOWN`` of the previous one); None when the person
    already joined: their details are updated and nothing is sent.
    """
    ambassador, _created = _save_person(
        lab=lab, first_name=first_name, last_name=last_name, email=email, metier=metier, direction=direction, circle=circle
    )
    return _invite_by_hand(ambassador=ambassador, invited_by=invited_by, base_url=base_url)


@transaction.atomic
def resend_invitation(*, ambassador: Ambassador, invited_by, base_url: str) -> Invitation | None:
    """Invite again someone already listed (same rules and answer as ``invite_ambassador``)."""
    ambassador = Ambassador.objects.select_for_update().select_related("lab").get(pk=ambassador.pk)
    return _invite_by_hand(ambassador=ambassador, invited_by=invited_by, base_url=base_url)


class _RolledBack(Exception):
    pass


def import_ambassadors(*, lab, csv_file, invited_by, base_url: str) -> ImportReport:
    """Create or update every person of a CSV and invite those not invited yet: all or nothing.

    Every row is checked first; if any is wrong, nothing is saved and the report lists every
    error with its line. Joined people are not invited again; people whose link still works
    are not mailed again (see the module's rules).
    """
    parsed = read_ambassadors_csv(csv_file)
    if parsed.errors:
        return ImportReport(errors=parsed.errors)
    report = ImportReport(source=parsed.source)
    try:
        with transaction.atomic():
            now = timezone.now()
            for row in parsed.rows:
                try:
                    ambassador, created = _save_person(
                        lab=lab,
                        first_name=row.first_name,
                        last_name=row.last_name,
                        email=row.email,
                        metier=row.metier,
                        direction=row.direction,
                        circle=row.circle,
                    )
                except ValidationError as error:
                    report.errors.extend(RowError(row.line, message) for message in error.messages)
                    continue
                report.created += created
                report.updated += not created
                if ambassador.user_id:
                    report.already_joined += 1
                elif ambassador.invitations.pending(now).exists():
                    report.already_invited += 1
                else:
                    _send_invitation(ambassador=ambassador, invited_by=invited_by, base_url=base_url, now=now)
                    report.invited += 1
            if report.errors:
                raise _RolledBack
    except _RolledBack:
        return ImportReport(errors=report.errors)
    return report


@transaction.atomic
def accept_invitation(*, token: str, user) -> Ambassador:
    """Link the invited person's row to ``user``'s account and close the invitation.

    Raises InvitationUnavailable for a dead link, ValidationError when ``user`` is not the
    address the invitation was sent to.
    """
    invitation = find_invitation(token, for_update=True)
    ambassador = Ambassador.objects.select_for_update().select_related("lab").get(pk=invitation.ambassador_id)
    if not owns_email(user, ambassador.email):
        raise ValidationError(
            gettext("Cette invitation est adressée à %(email)s, pas au compte avec lequel vous êtes connecté·e.")
            % {"email": ambassador.email}
        )
    if ambassador.user_id not in (None, user.pk):
        raise InvitationUnavailable("used", invitation)
    if Ambassador.objects.filter(lab=ambassador.lab, user=user).exclude(pk=ambassador.pk).exists():
        raise ValidationError(gettext("Votre compte est déjà rattaché à une autre personne de ce labo."))
    now = timezone.now()
    ambassador.user = user
    ambassador.joined_on = ambassador.joined_on or timezone.localdate(now)
    ambassador.full_clean()
    ambassador.save(update_fields=["user", "joined_on"])
    invitation.accepted_at = now
    invitation.save(update_fields=["accepted_at"])
    return ambassador


@transaction.atomic
def create_invited_account(*, token: str, password: str = ""):
    """Open the account of an invited person who has none, and accept their invitation.

    The invitation mail proved the address, so it is recorded as verified. Without a password,
    the person logs in later with a code sent by mail. Raises InvitationUnavailable for a dead
    link, ValidationError when the address already has an account or the password is too weak.
    """
    invitation = find_invitation(token, for_update=True)
    ambassador = invitation.ambassador
    if account_for_email(ambassador.email) is not None:
        raise ValidationError(gettext("Un compte existe déjà pour cette adresse : connectez-vous pour accepter l'invitation."))
    user_model = get_user_model()
    user = user_model(email=ambassador.email, first_name=ambassador.first_name, last_name=ambassador.last_name)
    user.username = ambassador.email
    try:
        user.clean_fields(exclude=[field.name for field in user_model._meta.fields if field.name != "username"])
    except ValidationError:
        # An address with characters a login name refuses (an apostrophe, say).
        user.username = generate_unique_username([ambassador.email, ambassador.first_name, ambassador.last_name])
    if user_model.objects.filter(username__iexact=user.username).exists():
        user.username = generate_unique_username([ambassador.email, ambassador.first_name, ambassador.last_name])
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    EmailAddress.objects.create(user=user, email=ambassador.email, verified=True, primary=True)
    accept_invitation(token=token, user=user)
    return user
