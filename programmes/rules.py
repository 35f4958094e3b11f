"""Who may see and do what in a Lab (DESIGN.md §2), as predicates and as queryset filters.

The same rules answer "may this person open this item?" (predicates, used by views) and "which
items may this person list?" (``visible_items``, used by every list, search and export), so what
one cannot open one cannot list either.

Roles: a superuser is an admin; a coordinator sees every Lab of their programme; residents and
the host coordinator (« résident at home ») run their Lab; ambassadors and network members
(relais) belong to it. Ambassador rows are reached through ``Lab.ambassadors`` so that this app
needs no import of the apps built on it.
"""
import rules
from django.db.models import Q

from .models import Lab, LabMembership, Visibility


def labs_joined_by(user):
    """Labs where the user is a resident, the host, an active ambassador or a network member."""
    if not user.is_authenticated:
        return Lab.objects.none()
    return Lab.objects.filter(
        Q(memberships__user=user) | Q(ambassadors__user=user, ambassadors__is_active=True)
    ).distinct()


def labs_run_by(user):
    """Labs the user plans and edits: as resident or host, or as coordinator of its programme."""
    if not user.is_authenticated:
        return Lab.objects.none()
    if user.is_superuser:
        return Lab.objects.all()
    return Lab.objects.filter(
        Q(memberships__user=user, memberships__role__in=[LabMembership.Role.RESIDENT, LabMembership.Role.HOST])
        | Q(programme__coordinations__user=user)
    ).distinct()


def labs_seen_whole_by(user):
    """Labs whose every item the user may read: the Labs they joined, and those they coordinate."""
    if not user.is_authenticated:
        return Lab.objects.none()
    if user.is_superuser:
        return Lab.objects.all()
    return Lab.objects.filter(
        Q(memberships__user=user)
        | Q(ambassadors__user=user, ambassadors__is_active=True)
        | Q(programme__coordinations__user=user)
    ).distinct()


def visible_items(queryset, user, *, lab="lab", visibility="visibility"):
    """Filter a queryset of Lab items down to those the user may read.

    ``lab`` and ``visibility`` are the lookups from the item to its Lab and to its visibility
    (a journal entry, say, takes its case's: ``lab="case__lab", visibility="case__visibility"``).
    The Lab lists are subqueries: the whole filter is one SQL query.
    """
    if user.is_authenticated and user.is_superuser:
        return queryset
    condition = Q(**{visibility: Visibility.PUBLIC})
    if user.is_authenticated:
        joined_programmes = labs_joined_by(user).values("programme_id")
        condition |= Q(**{f"{lab}__in": labs_seen_whole_by(user).values("pk")})
        condition |= Q(**{visibility: Visibility.PROGRAMME, f"{lab}__programme_id__in": joined_programmes})
    return queryset.filter(condition)


def can_read_item(user, lab, visibility):
    """The predicate twin of ``visible_items`` for one item."""
    if visibility == Visibility.PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if user.is_superuser or labs_seen_whole_by(user).filter(pk=lab.pk).exists():
        return True
    return visibility == Visibility.PROGRAMME and labs_joined_by(user).filter(programme_id=lab.programme_id).exists()


def may_open_lab(user, lab) -> bool:
    """Who may open a Lab's pages (home, calendar): its people, its programme's coordination,
    people of another Lab of the same programme (who then see only what is shared), admins."""
    if lab is None or not user.is_authenticated:
        return False
    return user.is_superuser or labs_seen_whole_by(user).filter(programme_id=lab.programme_id).exists()


@rules.predicate
def is_coordinator(user, programme):
    return programme is not None and user.is_authenticated and programme.coordinations.filter(user=user).exists()


@rules.predicate
def runs_lab(user, lab):
    """Resident, host, coordinator of its programme, or admin."""
    if lab is None or not user.is_authenticated:
        return False
    return user.is_superuser or labs_run_by(user).filter(pk=lab.pk).exists()


@rules.predicate
def belongs_to_lab(user, lab):
    """Anyone of the Lab: resident, host, ambassador or network member (and its coordination)."""
    if lab is None or not user.is_authenticated:
        return False
    return user.is_superuser or labs_seen_whole_by(user).filter(pk=lab.pk).exists()


# Named apart from Django's model permissions (view_lab, change_lab), which the admin uses.
rules.add_perm("programmes.enter_lab", belongs_to_lab)
rules.add_perm("programmes.run_lab", runs_lab)
