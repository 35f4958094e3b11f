"""The dashboards are cached; one version for all of them, renewed when any of their sources changes.

Each cached figure (a programme's board rows, a Lab's rendered dashboard; in « Mon espace », one's
next events with one's answers, and the Labs one runs with what waits in each) is stored with the
version it was made under, and read back only while that version is still the current one: an
event, an answer, a mark of attendance, a case, an entry, a proposal, an ambassador, an
invitation or a role saved or deleted anywhere renews it, in every process sharing the cache, at
once. Answers, marks and invitations are written in bulk and announce themselves
(``sessions.answers.rows_saved``). Entries also expire after ``CACHE_SECONDS`` (a change made
without a signal shows within it) and are kept per day, since "today" is on every one of them.
"""
import uuid

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from sessions.answers import rows_saved

CACHE_SECONDS = 300
VERSION_KEY = "dashboards:version"
SOURCES = (
    "programmes.Programme",
    "programmes.Lab",
    "programmes.Collectivite",
    "lab_sessions.Session",
    "lab_sessions.Attendance",
    "lab_sessions.Gathering",
    "lab_sessions.GatheringInvitation",
    "lab_sessions.GatheringAttendance",
    "cases.Case",
    "cases.StageChange",
    "cases.ProgressEntry",
    "cases.StageProposal",
    "ambassadors.Ambassador",
    "ambassadors.Invitation",
    "programmes.LabMembership",
    "programmes.Coordination",
)


def cached(key, compute):
    """``compute()``, from the cache when nothing changed since it was stored (one round trip)."""
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    stored = found.get(key)
    if version is not None and stored is not None and stored[0] == version:
        return stored[1]
    if version is None:
        # Lost (eviction, restart): a new one, never an old one again.
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    value = compute()
    if version is not None:
        cache.set(key, (version, value), CACHE_SECONDS)
    return value


def forget(**kwargs):
    """A source changed: every cached dashboard is stale (a new version; the old entries expire)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def connect():
    rows_saved.connect(forget, dispatch_uid="dashboards_rows_saved")
    for label in SOURCES:
        post_save.connect(forget, sender=label, dispatch_uid=f"dashboards_saved_{label}")
        post_delete.connect(forget, sender=label, dispatch_uid=f"dashboards_deleted_{label}")
