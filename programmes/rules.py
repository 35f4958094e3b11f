"""Who may see and do what in a Lab (DESIGN.md §2), as predicates and as queryset filters.

The same rules answer "may this person open this item?" (predicates, used by views) and "which
items may this person list?" (``visible_items``, used by every list, search and export), so what
one cannot open one cannot list either.

Roles: a superuser is an admin; a coordinator sees every Lab of their programme; residents and
the host coordinator (« résident at home ») run their Lab; ambassadors and network members
(relais) belong to it. Who belongs to a Lab other than by a membership (ambassadors) is a select
the app built on this one registers (programmes/contributions.py): this app imports none of them.
"""
import functools

from django.db import connection
from django.db.models import BooleanField, F, Q, Value
from django.db.models.expressions import Expression, RawSQL

from common.permissions import register as register_permission

from . import contributions
from .models import Coordination, Lab, LabMembership, Visibility

# Every list of Labs below is the UNION of a few small selects, one per role, each read through
# the index on its user column: a person's handful of rows. Joining the Labs to their
# memberships, ambassadors and coordinations instead multiplies them out before filtering
# (70,000 rows for 700 Labs, 50 ms and more), then needs a DISTINCT. They are written as SQL
# because every page filters with them several times: the same subqueries built with the ORM
# cost 2–3 ms of Python each time, this costs a tenth of that.


@functools.cache
def _selects():
    """The SQL of each role's Lab ids for one person (``%s``: their id), from the models' own names."""
    quote = connection.ops.quote_name

    def table(model):
        return quote(model._meta.db_table)

    def column(model, name):
        return quote(model._meta.get_field(name).column)

    members = f"SELECT {column(LabMembership, 'lab')} FROM {table(LabMembership)} WHERE {column(LabMembership, 'user')} = %s"
    return {
        "members": members,
        "runners": f"{members} AND {column(LabMembership, 'role')} IN (%s, %s)",
        # Members, then whoever the apps built on this one say belongs to a Lab (active ambassadors).
        "joined": " UNION ".join([members, *(source.sql() for source in contributions.lab_members())]),
        # Aliased: the query these are nested in may join the same tables under their own names.
        "coordinated": (
            f"SELECT rules_lab.{column(Lab, 'id')} FROM {table(Lab)} rules_lab INNER JOIN {table(Coordination)} rules_c "
            f"ON rules_c.{column(Coordination, 'programme')} = rules_lab.{column(Lab, 'programme')} "
            f"WHERE rules_c.{column(Coordination, 'user')} = %s"
        ),
        "programmes": f"SELECT rules_p.{column(Lab, 'programme')} FROM {table(Lab)} rules_p WHERE rules_p.{column(Lab, 'id')} IN",
    }


def _joined_params(user):
    """The values of the placeholders of ``_selects()['joined']``."""
    return [user.pk, *(value for source in contributions.lab_members() for value in source.params(user))]


def _joined_lab_ids(user):
    return RawSQL(_selects()["joined"], _joined_params(user))


def _run_lab_ids(user):
    selects = _selects()
    return RawSQL(
        f"{selects['runners']} UNION {selects['coordinated']}",
        [user.pk, LabMembership.Role.RESIDENT, LabMembership.Role.HOST, user.pk],
    )


def _seen_whole_lab_ids(user):
    selects = _selects()
    return RawSQL(
        f"{selects['joined']} UNION {selects['coordinated']}",
        [*_joined_params(user), user.pk],
    )


def _programmes_of(lab_ids):
    """The programmes of the Labs a select of Lab ids gives."""
    return RawSQL(f"{_selects()['programmes']} ({lab_ids.sql})", lab_ids.params)


def _joined_programme_ids(user):
    return _programmes_of(_joined_lab_ids(user))


def _seen_whole_programme_ids(user):
    return _programmes_of(_seen_whole_lab_ids(user))


class _InSelect(Expression):
    """``<column> IN (<select>)``, a condition to filter or annotate with.

    The same test as a ``<column>__in=`` lookup, for a fraction of the ORM's work to build it: the
    pages build several of them each.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, column, select):
        super().__init__()
        self.column, self.select = F(column), select

    def get_source_expressions(self):
        return [self.column, self.select]

    def set_source_expressions(self, expressions):
        self.column, self.select = expressions

    def as_sql(self, compiler, connection):
        column, column_params = compiler.compile(self.column)
        select, select_params = compiler.compile(self.select)  # RawSQL: "(...)"
        return f"{column} IN {select}", (*column_params, *select_params)


def labs_joined_by(user):
    """Labs where the user is a resident, the host, an active ambassador or a network member."""
    if not user.is_authenticated:
        return Lab.objects.none()
    return Lab.objects.filter(pk__in=_joined_lab_ids(user))


def labs_run_by(user):
    """Labs the user plans and edits: as resident or host, or as coordinator of its programme."""
    if not user.is_authenticated:
        return Lab.objects.none()
    if user.is_superuser:
        return Lab.objects.all()
    return Lab.objects.filter(pk__in=_run_lab_ids(user))


def labs_seen_whole_by(user):
    """Labs whose every item the user may read: the Labs they joined, and those they coordinate."""
    if not user.is_authenticated:
        return Lab.objects.none()
    if user.is_superuser:
        return Lab.objects.all()
    return Lab.objects.filter(pk__in=_seen_whole_lab_ids(user))


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
        condition |= _InSelect(f"{lab}_id", _seen_whole_lab_ids(user))
        condition |= Q(**{visibility: Visibility.PROGRAMME}) & _InSelect(f"{lab}__programme_id", _joined_programme_ids(user))
    return queryset.filter(condition)


def with_reader_roles(queryset, user, *, lab=None):
    """Annotate each row with what ``user`` may do in its Lab, in the same query.

    ``lab`` is the lookup from the row to its Lab (None when the rows are Labs). The annotations
    are the predicates below, worked out by the database: ``reader_runs_lab`` (``runs_lab``),
    ``reader_belongs_to_lab`` (``belongs_to_lab``) and ``reader_may_open_lab`` (``may_open_lab``).
    A page about one Lab's item asks these of its reader: asked apart, each is a query.
    """
    lab_id = f"{lab}_id" if lab else "pk"
    programme_id = f"{lab}__programme_id" if lab else "programme_id"
    if not user.is_authenticated or user.is_superuser:
        every = Value(user.is_authenticated, output_field=BooleanField())
        return queryset.annotate(reader_runs_lab=every, reader_belongs_to_lab=every, reader_may_open_lab=every)

    return queryset.annotate(
        reader_runs_lab=_InSelect(lab_id, _run_lab_ids(user)),
        reader_belongs_to_lab=_InSelect(lab_id, _seen_whole_lab_ids(user)),
        reader_may_open_lab=_InSelect(programme_id, _seen_whole_programme_ids(user)),
    )


def can_read_item(user, lab, visibility):
    """The predicate twin of ``visible_items`` for one item."""
    if visibility == Visibility.PUBLIC:
        return True
    if not user.is_authenticated:
        return False
    if user.is_superuser or labs_seen_whole_by(user).filter(pk=lab.pk).exists():
        return True
    return visibility == Visibility.PROGRAMME and labs_joined_by(user).filter(programme_id=lab.programme_id).exists()


def can_read_item_with_roles(visibility, roles) -> bool:
    """``can_read_item`` without a query, for an item of a Lab whose reader's roles are known:
    ``roles`` is a row of that same Lab annotated by ``with_reader_roles`` (a case, for the
    sessions on it). Reading the whole Lab is ``reader_belongs_to_lab``; a shared item needs a Lab
    of the programme, which is ``reader_may_open_lab`` for whoever does not see this Lab whole."""
    return (
        visibility == Visibility.PUBLIC
        or roles.reader_belongs_to_lab
        or (visibility == Visibility.PROGRAMME and roles.reader_may_open_lab)
    )


def may_open_lab(user, lab) -> bool:
    """Who may open a Lab's pages (home, calendar): its people, its programme's coordination,
    people of another Lab of the same programme (who then see only what is shared), admins."""
    if lab is None or not user.is_authenticated:
        return False
    return user.is_superuser or labs_seen_whole_by(user).filter(programme_id=lab.programme_id).exists()


def is_coordinator(user, programme):
    return programme is not None and user.is_authenticated and programme.coordinations.filter(user=user).exists()


def runs_lab(user, lab):
    """Resident, host, coordinator of its programme, or admin."""
    if lab is None or not user.is_authenticated:
        return False
    return user.is_superuser or labs_run_by(user).filter(pk=lab.pk).exists()


def belongs_to_lab(user, lab):
    """Anyone of the Lab: resident, host, ambassador or network member (and its coordination)."""
    if lab is None or not user.is_authenticated:
        return False
    return user.is_superuser or labs_seen_whole_by(user).filter(pk=lab.pk).exists()


# --- The permissions views declare (common.permissions) ---------------------------------------
# A Lab (or a Lab's item) read with ``with_reader_roles`` carries its reader's roles: these ask
# them rather than the database again. They are the request's user's roles, and views ask about
# that user only.


def _read_with_roles(item, annotation):
    return getattr(item, annotation, None)


def opens_lab(user, lab) -> bool:
    """``may_open_lab``, from the roles read with the Lab when they were."""
    known = _read_with_roles(lab, "reader_may_open_lab")
    return may_open_lab(user, lab) if known is None else known


def enters_lab(user, lab) -> bool:
    """``belongs_to_lab``, from the roles read with the Lab when they were."""
    known = _read_with_roles(lab, "reader_belongs_to_lab")
    return belongs_to_lab(user, lab) if known is None else known


def runs_the_lab(user, lab) -> bool:
    """``runs_lab``, from the roles read with the Lab when they were."""
    known = _read_with_roles(lab, "reader_runs_lab")
    return runs_lab(user, lab) if known is None else known


def may_read_lab_item(user, item, *, roles=None) -> bool:
    """Whether ``user`` may read ``item`` (a session, a case: anything with ``lab`` and
    ``visibility``), from the roles read with it (``roles``, the item itself by default) when
    they were, by ``can_read_item`` otherwise."""
    roles = item if roles is None else roles
    if item is None:
        return False
    if getattr(roles, "reader_belongs_to_lab", None) is not None:
        return can_read_item_with_roles(item.visibility, roles)
    return can_read_item(user, item.lab, item.visibility)


register_permission("programmes.open_lab", opens_lab)
register_permission("programmes.enter_lab", enters_lab)
register_permission("programmes.run_lab", runs_the_lab)
