"""A person's own data: their profile, the copy they may download, and its erasure.

There is no Profile model: a person's data is spread over the account (`User`), their rows in
each Lab (`Ambassador`, `LabMembership`), their coordinations, what they wrote, and the mail sent
to them. These functions treat it as one person's data: one name, one métier, one consent.
"""
import logging
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session as StoredSession
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassadors.models import Ambassador
from cases.models import DigestPreference, ProgressEntry, StageChange
from common.images import PORTRAIT_SIDE, clean_image
from outbox import unsubscribe
from outbox.models import MailKind, MailPreference, OutgoingMail, Unsubscription
from programmes.models import LabMembership
from sessions.models import Attendance, GatheringAttendance, GatheringInvitation

logger = logging.getLogger("accounts.adapter")


# Stored values, not interface text: what every page shows for an erased person.
ERASED_FIRST_NAME = "Personne"
ERASED_LAST_NAME = "effacée"
ERASED_PLACEHOLDER = "—"
ERASED_MAIL_BODY = "[effacé]"

LAST_SUPERUSER_MESSAGE = _(
    "Vous êtes le dernier compte d'administration : nommez d'abord une autre personne "
    "administratrice, sinon plus personne ne pourrait gérer la plateforme."
)


# --- Reading -------------------------------------------------------------


def roles_of(user) -> dict:
    """The person's roles, for the profile page: Labs by role, and the programmes they coordinate."""
    return {
        "memberships": list(user.lab_memberships.select_related("lab").order_by("lab__name")),
        "ambassadorships": list(user.ambassadorships.select_related("lab").order_by("lab__name")),
        "coordinations": list(user.coordinations.select_related("programme").order_by("programme__name")),
    }


def is_last_superuser(user) -> bool:
    """True when erasing this person would leave nobody able to administer the platform."""
    if not user.is_superuser:
        return False
    others = get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(pk=user.pk)
    return not others.exists()


def addresses_of(user) -> set[str]:
    """Every e-mail address known for the person, lower-cased: account, allauth, and Lab rows."""
    from allauth.account.models import EmailAddress

    addresses = {user.email}
    addresses.update(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    addresses.update(user.ambassadorships.values_list("email", flat=True))
    return {address.lower() for address in addresses if address}


def _mails_to(addresses):
    condition = Q(pk__in=[])
    for address in addresses:
        condition |= Q(to__iexact=address)
    return OutgoingMail.objects.filter(condition)


def export_personal_data(*, user) -> dict:
    """Everything the platform holds about the person, as JSON-ready data.

    Only their own data: no password hash, no token or MFA secret, no other person's name or
    address (the people of a case or session are left out; the case and Lab are named).
    Mail bodies are left out too: they may hold a login code. The number of queries does
    not depend on how much the person wrote.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    ambassadorships = user.ambassadorships.select_related("lab").prefetch_related(
        Prefetch(
            "attendances",
            queryset=Attendance.objects.select_related("session__lab").order_by("session__start_date", "day"),
        )
    )
    entries = (
        ProgressEntry.objects.filter(author=user)
        .select_related("case__lab", "session_link__session")
        .prefetch_related("attachments")
        .order_by("entry_date", "created_at")
    )
    # An invitation may hang on the account or on one of the person's ambassador rows.
    gathering_invitations = (
        GatheringInvitation.objects.filter(Q(user=user) | Q(ambassador__user=user))
        .select_related("gathering")
        .prefetch_related(Prefetch("answers", queryset=GatheringAttendance.objects.order_by("day")))
        .order_by("gathering__start_date")
        .distinct()
    )
    stage_changes = StageChange.objects.filter(changed_by=user).select_related("case__lab").order_by("changed_at")
    addresses = addresses_of(user)
    return {
        "export": {
            "generated_at": timezone.now(),
            "site": settings.WAGTAIL_SITE_NAME,
        },
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "is_staff": user.is_staff,
            "is_superuser": user.is_superuser,
            "has_password": user.has_usable_password(),
        },
        "mails": {
            "language": getattr(MailPreference.objects.filter(user=user).first(), "language", ""),
            "stopped_notifications": sorted(
                Unsubscription.objects.filter(email__in=[address.lower() for address in addresses]).values_list("kind", flat=True)
            ),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "two_factor_methods": [
            {"type": method.type, "created_at": method.created_at, "last_used_at": method.last_used_at}
            for method in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
        "lab_memberships": [
            {
                "lab": membership.lab.name,
                "role": membership.role,
                "discipline": membership.discipline,
                "public_consent": membership.public_consent,
            }
            for membership in user.lab_memberships.select_related("lab").order_by("lab__name")
        ],
        "coordinations": [
            {"programme": coordination.programme.name}
            for coordination in user.coordinations.select_related("programme").order_by("programme__name")
        ],
        "case_digest_frequency": DigestPreference.objects.filter(user=user).values_list("frequency", flat=True).first(),
        "ambassadorships": [
            {
                "lab": row.lab.name,
                "circle": row.circle,
                "first_name": row.first_name,
                "last_name": row.last_name,
                "email": row.email,
                "metier": row.metier,
                "direction": row.direction,
                "public_consent": row.public_consent,
                "photo": row.photo.name or None,
                "joined_on": row.joined_on,
                "is_active": row.is_active,
                "attendances": [
                    {
                        "lab": attendance.session.lab.name,
                        "session": attendance.session.number,
                        "day": attendance.day,
                        "response": attendance.response,
                        "attended": attendance.attended,
                        "answered_at": attendance.answered_at,
                    }
                    for attendance in row.attendances.all()
                ],
            }
            for row in ambassadorships
        ],
        "intertransfo_answers": [
            {
                "gathering": str(invitation.gathering),
                "invited_at": invitation.invited_at,
                "days": [
                    {"day": answer.day, "response": answer.response, "attended": answer.attended, "answered_at": answer.answered_at}
                    for answer in invitation.answers.all()
                ],
            }
            for invitation in gathering_invitations
        ],
        "journal_entries": [
            {
                "lab": entry.case.lab.name,
                "case": entry.case.title,
                "entry_date": entry.entry_date,
                "done": entry.done,
                "learnt": entry.learnt,
                "next_steps": entry.next_steps,
                "blockers": entry.blockers,
                "session": entry.session.number if entry.session else None,
                "created_at": entry.created_at,
                "updated_at": entry.updated_at,
                "attachments": [
                    {"file": attachment.file.name, "caption": attachment.caption, "uploaded_at": attachment.uploaded_at}
                    for attachment in entry.attachments.all()
                ],
            }
            for entry in entries
        ],
        "stage_changes": [
            {
                "lab": change.case.lab.name,
                "case": change.case.title,
                "from_stage": change.from_stage,
                "to_stage": change.to_stage,
                "changed_at": change.changed_at,
                "note": change.note,
            }
            for change in stage_changes
        ],
        "mails_received": [
            {"subject": mail.subject, "created_at": mail.created_at, "sent_at": mail.sent_at, "status": mail.status}
            for mail in _mails_to(addresses).order_by("created_at").only("subject", "created_at", "sent_at", "status")
        ],
    }


# --- Photo ---------------------------------------------------------------


def clean_photo(upload) -> ContentFile:
    """Check an uploaded portrait and keep only its pixels, upright and scaled (common.images).

    Raises ValidationError with a message for the person.
    """
    return clean_image(upload, side=PORTRAIT_SIDE).file()


def _delete_files_if_unused(names) -> None:
    """Remove photo files that no Ambassador row points at any more."""
    names = {name for name in names if name}
    if not names:
        return
    still_used = set(Ambassador.objects.filter(photo__in=names).values_list("photo", flat=True))
    for name in names - still_used:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not delete the photo file %s.", name)


# --- Writing -------------------------------------------------------------


@transaction.atomic
def update_profile(
    *,
    user,
    first_name: str,
    last_name: str,
    metier: str | None = None,
    public_consent: bool | None = None,
    photo: ContentFile | None = None,
    remove_photo: bool = False,
    mail_language: str | None = None,
    mail_kinds: list[str] | None = None,
) -> None:
    """Save what the person says about themself, on their account and on every Lab row of theirs.

    Their names go on the account and on their Ambassador rows; their métier on their Ambassador
    rows and, as a discipline, on their residencies; their consent to appear publicly on all of
    them (one person, one consent); the photo, already cleaned by ``clean_photo``, on their
    Ambassador rows, which share one file; the language of their mails (empty: their
    programme's) and the notifications they receive (outbox). ``None`` leaves a value as it is.
    """
    if mail_language is not None:
        if mail_language:
            MailPreference.objects.update_or_create(user=user, defaults={"language": mail_language})
        else:
            MailPreference.objects.filter(user=user).delete()
    if mail_kinds is not None:
        for kind in MailKind.values:
            if kind in mail_kinds:
                unsubscribe.subscribe_again(user.email, kind)
            else:
                unsubscribe.unsubscribe(user.email, kind)
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.full_clean()
    user.save(update_fields=["first_name", "last_name"])

    rows = list(user.ambassadorships.select_for_update())
    old_photos = {row.photo.name for row in rows if row.photo}
    photo_name = None
    if photo is not None and rows:
        field = Ambassador._meta.get_field("photo")
        photo_name = default_storage.save(field.generate_filename(rows[0], photo.name), photo)
    for row in rows:
        row.first_name, row.last_name = user.first_name, user.last_name
        if metier is not None:
            row.metier = metier.strip()
        if public_consent is not None:
            row.public_consent = public_consent
        if photo_name:
            row.photo.name = photo_name
        elif remove_photo:
            row.photo.name = ""
        row.full_clean()
        row.save()

    memberships = list(user.lab_memberships.select_for_update())
    for membership in memberships:
        if metier is not None:
            membership.discipline = metier.strip()
        if public_consent is not None:
            membership.public_consent = public_consent
        membership.full_clean()
        membership.save(update_fields=["discipline", "public_consent"])

    if photo_name or remove_photo:
        replaced = old_photos - {photo_name}

        def delete_replaced_photos():
            _delete_files_if_unused(replaced)

        transaction.on_commit(delete_replaced_photos, robust=True)


def _end_sessions(user) -> int:
    """Delete every stored session of the person (database row and its cached copy).

    Django keeps no index from a person to their sessions, so the live sessions are read one by
    one: erasure is rare, and changing the password hash already makes every session of the
    person invalid at its next request; this removes the rows themselves.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    live = StoredSession.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data")
    for stored in live.iterator(chunk_size=2000):
        data = store_class().decode(stored.session_data)
        if str(data.get("_auth_user_id")) == str(user.pk):
            store_class(session_key=stored.session_key).delete()
            ended += 1
    return ended


@transaction.atomic
def erase_personal_data(*, user) -> None:
    """Anonymise the person, in one transaction, without breaking any record of the Labs.

    The account stays (inactive, no password, a non-identifying name and address) so that what
    they wrote — journal entries, stage changes — stays attributed to "Personne effacée" rather
    than disappearing from the cases' history. Their Ambassador rows stay linked to that account
    (attendance and case teams keep their shape, and a row without an account would look like
    a pending invitation), anonymised the same way, without photo or consent, and inactive so
    that no reminder goes to them. E-mail addresses, two-factor methods, the Wagtail profile and
    every session are deleted; pending mail to them is dropped, and the mail already sent keeps
    only its subject and date. Photo files are deleted once the transaction has committed.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if is_last_superuser(user):
        raise ValidationError(LAST_SUPERUSER_MESSAGE, code="last_superuser")

    addresses = addresses_of(user)
    old_username = user.get_username()
    anonymous_address = f"efface-{user.pk}@transfo.invalid"

    rows = list(user.ambassadorships.select_for_update())
    photos = {row.photo.name for row in rows if row.photo}
    for row in rows:
        row.first_name, row.last_name = ERASED_FIRST_NAME, ERASED_LAST_NAME
        row.email = anonymous_address
        row.direction = ERASED_PLACEHOLDER
        row.photo.name = ""
        row.public_consent = False
        row.is_active = False
        row.full_clean()
        row.save()

    LabMembership.objects.filter(user=user).update(public_consent=False)

    user.username = anonymous_address
    user.email = anonymous_address
    user.first_name, user.last_name = ERASED_FIRST_NAME, ERASED_LAST_NAME
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    # Also changes the session hash: any session still somewhere is refused at its next request.
    user.set_unusable_password()
    user.full_clean()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()

    avatar = ""
    if apps.is_installed("wagtail.users"):
        from wagtail.users.models import UserProfile

        profile = UserProfile.objects.filter(user=user).first()
        if profile is not None:
            avatar = profile.avatar.name if profile.avatar else ""
            profile.delete()

    mails = _mails_to(addresses)
    mails.filter(status=OutgoingMail.Status.PENDING).delete()
    mails.update(to=anonymous_address, body_text=ERASED_MAIL_BODY, body_html="")
    Unsubscription.objects.filter(email__in=[address.lower() for address in addresses]).delete()

    if apps.is_installed("axes"):
        # Failed and successful login records name the person by their address.
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(username__iexact=old_username).delete()

    _end_sessions(user)

    def delete_files():
        _delete_files_if_unused(photos)
        if avatar:
            try:
                default_storage.delete(avatar)
            except OSError:
                logger.warning("Could not delete the avatar file %s.", avatar)

    transaction.on_commit(delete_files, robust=True)
    logger.info("Personal data of account %s erased.", user.pk)

