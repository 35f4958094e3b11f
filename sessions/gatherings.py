"""InterTransfo: the coordination plans cross-Lab gatherings of a programme and invites every Lab.

Reads (who sees which programme's gatherings) and writes (plan, change, announce) live here
together, apart from the Lab sessions' services.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext

from ambassadors.models import Ambassador
from outbox.services import queue_mail
from programmes.models import LabMembership, Programme
from programmes.rules import is_coordinator, labs_seen_whole_by

from .models import EventStatus, Gathering

# What the coordination may set; the programme and the number are fixed by the service.
EDITABLE_FIELDS = (
    "title",
    "start_date",
    "end_date",
    "host_lab",
    "place_name",
    "place_address",
    "objectives",
    "status",
    "minutes",
)


def programmes_of(user):
    """Programmes whose gatherings the user sees: those of their Labs and those they coordinate."""
    if not user.is_authenticated:
        return Programme.objects.none()
    if user.is_superuser:
        return Programme.objects.all()
    return Programme.objects.filter(
        Q(pk__in=labs_seen_whole_by(user).values("programme_id")) | Q(coordinations__user=user)
    ).distinct()


def gatherings_visible_to(user):
    """Every gathering of the programmes the user takes part in, as one query."""
    return Gathering.objects.filter(programme__in=programmes_of(user).values("pk"))


def may_plan_gatherings(user, programme) -> bool:
    """The coordination of the programme, and admins."""
    return user.is_authenticated and (user.is_superuser or is_coordinator(user, programme))


def gathering_url(gathering) -> str:
    return reverse(
        "feeds:gathering_detail", kwargs={"programme_slug": gathering.programme.slug, "number": gathering.number}
    )


def _check_inside_programme(gathering):
    programme = gathering.programme
    if gathering.start_date and gathering.end_date and (
        gathering.start_date < programme.start_date or gathering.end_date > programme.end_date
    ):
        raise ValidationError(
            gettext("L'InterTransfo doit avoir lieu pendant le programme (du %(start)s au %(end)s).")
            % {
                "start": date_format(programme.start_date, "SHORT_DATE_FORMAT"),
                "end": date_format(programme.end_date, "SHORT_DATE_FORMAT"),
            }
        )


@transaction.atomic
def plan_gathering(*, programme: Programme, planned_by, base_url: str, **fields) -> Gathering:
    """Create the programme's next InterTransfo (numbered after the last one).

    ``fields`` are among ``EDITABLE_FIELDS``. Created as announced, it invites everyone at once
    (``announce_gathering``).
    """
    if not may_plan_gatherings(planned_by, programme):
        raise PermissionDenied("plans_gatherings")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown gathering fields: {sorted(unknown)}")
    # The lock makes two coordinators creating at once take the next numbers in turn.
    list(Programme.objects.select_for_update().filter(pk=programme.pk).values_list("pk", flat=True))
    last_number = Gathering.objects.filter(programme=programme).aggregate(last=Max("number"))["last"]
    gathering = Gathering(programme=programme, number=(last_number or 0) + 1, **fields)
    gathering.full_clean()
    _check_inside_programme(gathering)
    try:
        with transaction.atomic():
            gathering.save()
    except IntegrityError as error:
        raise ValidationError(gettext("Une autre InterTransfo vient d'être créée : réessayez.")) from error
    if gathering.status == EventStatus.ANNOUNCED:
        announce_gathering(gathering=gathering, announced_by=planned_by, base_url=base_url)
    return gathering


@transaction.atomic
def update_gathering(*, gathering: Gathering, changed_by, base_url: str, **fields) -> Gathering:
    """Change an InterTransfo; turning it to announced invites everyone (once per person)."""
    if not may_plan_gatherings(changed_by, gathering.programme):
        raise PermissionDenied("plans_gatherings")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown gathering fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(gathering, name, value)
    gathering.full_clean()
    _check_inside_programme(gathering)
    gathering.save()
    if gathering.status == EventStatus.ANNOUNCED:
        announce_gathering(gathering=gathering, announced_by=changed_by, base_url=base_url)
    return gathering


def gathering_invitees(gathering: Gathering) -> list[tuple[str, str, str]]:
    """``(key part, e-mail, name)`` of everyone invited: every Lab's residents, host and ambassadors.

    A person with an account is keyed by it (once, however many Labs they belong to); an
    ambassador who has not joined yet by their ambassador row.
    """
    invitees, seen_emails = {}, set()
    memberships = (
        LabMembership.objects.filter(lab__programme=gathering.programme)
        .select_related("user")
        .order_by("user_id")
    )
    for membership in memberships:
        user = membership.user
        if user.is_active and user.email:
            invitees.setdefault(f"user-{user.pk}", (user.email, user.get_full_name() or user.email))
    ambassadors = Ambassador.objects.filter(
        lab__programme=gathering.programme, is_active=True, circle=Ambassador.Circle.AMBASSADOR
    ).order_by("pk")
    for ambassador in ambassadors:
        key = f"user-{ambassador.user_id}" if ambassador.user_id else f"ambassador-{ambassador.pk}"
        invitees.setdefault(key, (ambassador.email, ambassador.full_name))
    result = []
    for key, (email, name) in invitees.items():
        if email.lower() in seen_emails:
            continue
        seen_emails.add(email.lower())
        result.append((key, email, name))
    return result


@transaction.atomic
def announce_gathering(*, gathering: Gathering, announced_by, base_url: str) -> int:
    """Mark the InterTransfo announced and invite every Lab's people by mail; the number queued.

    Each invitation carries the key ``gathering-<pk>-announce-<person>``: announcing again
    queues nothing for those already invited, only for newcomers.
    """
    if not may_plan_gatherings(announced_by, gathering.programme):
        raise PermissionDenied("plans_gatherings")
    if gathering.status == EventStatus.CANCELLED:
        raise ValidationError(gettext("Une InterTransfo annulée ne peut pas être annoncée."))
    if gathering.status == EventStatus.HELD:
        raise ValidationError(gettext("Cette InterTransfo a déjà eu lieu : il n'y a plus personne à inviter."))
    if gathering.status != EventStatus.ANNOUNCED:
        gathering.status = EventStatus.ANNOUNCED
        gathering.save(update_fields=["status", "updated_at"])
    gathering = Gathering.objects.select_related("programme", "host_lab").get(pk=gathering.pk)
    context = {
        "gathering": gathering,
        "url": base_url.rstrip("/") + gathering_url(gathering),
        "start": date_format(gathering.start_date, "DATE_FORMAT"),
        "end": date_format(gathering.end_date, "DATE_FORMAT"),
    }
    subject = gettext("InterTransfo n° %(number)s : %(title)s, le %(date)s") % {
        "number": gathering.number,
        "title": gathering.title or gathering.programme.name,
        "date": context["start"],
    }
    queued = 0
    for key_part, email, name in gathering_invitees(gathering):
        body = render_to_string("sessions/gatherings/announce_email.txt", {**context, "name": name})
        mail = queue_mail(
            to=email, subject=subject, body_text=body, key=f"gathering-{gathering.pk}-announce-{key_part}"
        )
        queued += mail is not None
    return queued
