"""Who an InterTransfo is for: every Lab's residents and host, and its ambassadors (not the network)."""
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Coalesce

from ambassadors.models import Ambassador
from programmes.models import LabMembership

from .models import Gathering, GatheringInvitation


@dataclass(frozen=True)
class Invitee:
    """Someone the InterTransfo is for: ``key`` names them in their mails' keys."""

    key: str
    email: str
    name: str
    user: object = None
    ambassador: Ambassador | None = None


def gathering_invitees(gathering: Gathering) -> list[Invitee]:
    """Everyone to invite: every Lab's residents and host, and its ambassadors (not the network).

    A person with an account is keyed by it (once, however many Labs they belong to); an
    ambassador who has not joined yet by their ambassador row. Two rows with the same address
    are one person.
    """
    invitees = {}
    memberships = (
        LabMembership.objects.filter(lab__programme=gathering.programme)
        .select_related("user")
        .order_by("user_id")
    )
    for membership in memberships:
        user = membership.user
        if user.is_active and user.email:
            invitees.setdefault(
                f"user-{user.pk}", Invitee(f"user-{user.pk}", user.email, user.get_full_name() or user.email, user=user)
            )
    ambassadors = (
        Ambassador.objects.filter(
            lab__programme=gathering.programme, is_active=True, circle=Ambassador.Circle.AMBASSADOR
        )
        .select_related("user")
        .order_by("pk")
    )
    for ambassador in ambassadors:
        key = f"user-{ambassador.user_id}" if ambassador.user_id else f"ambassador-{ambassador.pk}"
        invitees.setdefault(
            key, Invitee(key, ambassador.email, ambassador.full_name, user=ambassador.user, ambassador=ambassador)
        )
    result, seen_emails = [], set()
    for invitee in invitees.values():
        if invitee.email.lower() in seen_emails:
            continue
        seen_emails.add(invitee.email.lower())
        result.append(invitee)
    return result


def invitations_of(gathering: Gathering):
    """The gathering's invitations with what their names and addresses read, in name order."""
    return (
        GatheringInvitation.objects.filter(gathering=gathering)
        .select_related("user", "ambassador__lab")
        .order_by(
            Coalesce("ambassador__last_name", "user__last_name"),
            Coalesce("ambassador__first_name", "user__first_name"),
            "pk",
        )
    )


def invitation_of(gathering: Gathering, user) -> GatheringInvitation | None:
    """The user's own invitation to the gathering (as an account, or as the ambassador they became)."""
    if not user.is_authenticated:
        return None
    return (
        invitations_of(gathering).filter(Q(user=user) | Q(ambassador__user=user)).order_by("pk").first()
    )
