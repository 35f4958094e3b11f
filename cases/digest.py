"""The digest of a Lab's cases for the people who run it: one mail a day or a week, never empty.

Residents and hosts (and anyone else who runs a Lab and asks for it) get, instead of a mail per
journal entry, one mail listing the new journal entries and stage moves of the cases of the Labs
they run (``programmes.rules.labs_run_by``), during the last whole period in the site's time
zone: yesterday for the daily digest, last Monday to Sunday for the weekly one. What they wrote
or moved themselves is left out: they know it already.

Run every hour by Celery beat (``cases.send_digests``). A period's digest is due from 6 a.m. the
day after it ends, and stays due for the rest of that day (or week), so that a worker down for
a few hours still sends it. Each mail's outbox key names the person and the period
(``cases-digest-daily-2031-03-10-<person pk>``): any later run, or a second worker, sends
nothing more. A period in which nothing happened sends no mail at all.
"""
import dataclasses
import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext

from outbox.languages import reader_language
from outbox.models import MailKind, OutgoingMail
from outbox.services import queue_mail
from common.public_url import public_base_url
from programmes.models import LabMembership
from programmes.rules import labs_run_by, visible_items

from .models import DigestPreference, ProgressEntry, StageChange

Frequency = DigestPreference.Frequency

# From 6 a.m.: a morning read, and time for whatever was being saved at midnight to be committed
# before its period is read.
SEND_FROM = datetime.timedelta(hours=6)
EXCERPT_WORDS = 40
# After an import or a busy session day a case may have dozens of entries: the mail names the
# latest few and counts the others, whose case page has them all.
ENTRIES_PER_CASE = 5


@dataclasses.dataclass(frozen=True)
class Period:
    """Whole days, ``first_day`` to ``last_day`` included, in the site's time zone."""

    frequency: str
    first_day: datetime.date
    last_day: datetime.date

    def _midnight(self, day):
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())

    @property
    def start(self) -> datetime.datetime:
        return self._midnight(self.first_day)

    @property
    def end(self) -> datetime.datetime:
        """The first moment after the period (midnight of the next day), excluded."""
        return self._midnight(self.last_day + datetime.timedelta(days=1))

    @property
    def key_prefix(self) -> str:
        return f"cases-digest-{self.frequency}-{self.first_day.isoformat()}-"


def due_period(frequency: str, now: datetime.datetime | None = None) -> Period:
    """The last whole period whose digest is due at ``now``: the day before, or the week before."""
    local = timezone.localtime(now or timezone.now(), timezone.get_default_timezone())
    # Wall-clock arithmetic: before 6 a.m. it is still, for the digest, the day before.
    today = (local - SEND_FROM).date()
    if frequency == Frequency.DAILY:
        yesterday = today - datetime.timedelta(days=1)
        return Period(frequency, yesterday, yesterday)
    if frequency == Frequency.WEEKLY:
        this_monday = today - datetime.timedelta(days=today.weekday())
        return Period(frequency, this_monday - datetime.timedelta(days=7), this_monday - datetime.timedelta(days=1))
    raise ValueError(f"no digest period for {frequency!r}")


def default_frequency(user) -> str:
    """Residents and hosts read the daily digest until they choose; everyone else none."""
    if LabMembership.objects.filter(user=user).exists():
        return Frequency.DAILY
    return Frequency.NONE


def frequency_of(user) -> str:
    preference = DigestPreference.objects.filter(user=user).first()
    return preference.frequency if preference else default_frequency(user)


@transaction.atomic
def choose_frequency(*, user, frequency: str) -> DigestPreference:
    """Record how often ``user`` receives the digest (daily, weekly or never)."""
    preference = DigestPreference.objects.select_for_update().filter(user=user).first() or DigestPreference(user=user)
    preference.frequency = frequency
    preference.full_clean()
    preference.save()
    return preference


def digest_readers(frequency: str):
    """Active people with an e-mail whose digest comes at ``frequency`` (chosen, or by default)."""
    chose = Q(case_digest_preference__frequency=frequency)
    if frequency == Frequency.DAILY:
        chose |= Q(case_digest_preference__isnull=True, lab_memberships__isnull=False)
    return get_user_model().objects.filter(chose, is_active=True).exclude(email="").distinct().order_by("pk")


@dataclasses.dataclass
class CaseNews:
    case: object
    url: str
    changes: list = dataclasses.field(default_factory=list)
    entries: list = dataclasses.field(default_factory=list)
    more_entries: int = 0


@dataclasses.dataclass
class Digest:
    reader: object
    period: Period
    labs: list = dataclasses.field(default_factory=list)  # [(lab, [CaseNews, …]), …]
    entry_count: int = 0
    change_count: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.entry_count or self.change_count)


def _absolute(base_url: str | None, path: str) -> str:
    return (base_url or public_base_url()).rstrip("/") + path


def _in_run_labs(queryset, reader, period, *, moment: str, by: str):
    """What happened in the period on the cases of the Labs ``reader`` runs and may read, not by them."""
    queryset = visible_items(queryset, reader, lab="case__lab", visibility="case__visibility")
    return (
        queryset.filter(
            case__lab__in=labs_run_by(reader).values("pk"),
            **{f"{moment}__gte": period.start, f"{moment}__lt": period.end},
        )
        # A NULL author (an erased account) is not the reader: ``exclude`` keeps those rows.
        .exclude(**{by: reader})
        .select_related("case__lab", by)
    )


def build_digest(reader, period: Period, *, base_url: str | None = None) -> Digest:
    """What ``reader`` should read about ``period``, by Lab and case (two queries, however much)."""
    entries = _in_run_labs(ProgressEntry.objects.all(), reader, period, moment="created_at", by="author")
    changes = _in_run_labs(StageChange.objects.all(), reader, period, moment="changed_at", by="changed_by")
    by_case: dict[int, CaseNews] = {}

    def news_of(case):
        if case.pk not in by_case:
            by_case[case.pk] = CaseNews(case=case, url=_absolute(base_url, case.get_absolute_url()))
        return by_case[case.pk]

    digest = Digest(reader=reader, period=period)
    for change in changes.order_by("changed_at", "pk"):
        news_of(change.case).changes.append(change)
        digest.change_count += 1
    for entry in entries.order_by("-created_at", "-pk"):
        news = news_of(entry.case)
        digest.entry_count += 1
        if len(news.entries) == ENTRIES_PER_CASE:
            news.more_entries += 1
            continue
        entry.url = f"{news.url}journal/{entry.pk}/"  # cases:entry_link, on whichever page it is
        entry.excerpt = Truncator(" ".join(entry.done.split())).words(EXCERPT_WORDS)
        news.entries.append(entry)
    for news in by_case.values():
        news.entries.reverse()  # the latest few, in the order they were written
    labs: dict[int, tuple] = {}
    for news in sorted(by_case.values(), key=lambda news: (news.case.lab.name, news.case.title, news.case.pk)):
        labs.setdefault(news.case.lab.pk, (news.case.lab, []))[1].append(news)
    digest.labs = list(labs.values())
    return digest


def _period_text(period: Period) -> str:
    if period.frequency == Frequency.DAILY:
        return formats.date_format(period.first_day, "l j F Y")
    return gettext("du %(first)s au %(last)s") % {
        "first": formats.date_format(period.first_day, "l j F"),
        "last": formats.date_format(period.last_day, "l j F Y"),
    }


def _subject(digest: Digest) -> str:
    counts = []
    if digest.entry_count:
        counts.append(
            ngettext("%(count)s entrée", "%(count)s entrées", digest.entry_count) % {"count": digest.entry_count}
        )
    if digest.change_count:
        counts.append(
            ngettext("%(count)s changement d'étape", "%(count)s changements d'étape", digest.change_count)
            % {"count": digest.change_count}
        )
    if digest.period.frequency == Frequency.DAILY:
        text = gettext("Vos cas du %(period)s : %(counts)s")
    else:
        text = gettext("Vos cas de la semaine %(period)s : %(counts)s")
    return text % {"period": _period_text(digest.period), "counts": ", ".join(counts)}


def queue_digest(digest: Digest, *, key: str, base_url: str | None = None):
    """Queue the digest's mail (in the reader's language); None if that key was already queued."""
    programme = digest.labs[0][0].programme if digest.labs else None
    language = reader_language(digest.reader.email, default=programme.language if programme else None)
    with translation.override(language):
        context = {
            "digest": digest,
            "reader": digest.reader,
            "daily": digest.period.frequency == Frequency.DAILY,
            "period": _period_text(digest.period),
            "preferences_url": _absolute(base_url, reverse("my_cases:digest")),
        }
        return queue_mail(
            to=digest.reader.email,
            subject=_subject(digest),
            body_text=render_to_string("cases/email/digest.txt", context),
            body_html=render_to_string("cases/email/digest.html", context),
            key=key,
            kind=MailKind.DIGEST,
        )


def send_due_digests(now: datetime.datetime | None = None, *, base_url: str | None = None) -> int:
    """Queue every digest due at ``now`` (the current time by default); the number queued.

    Running it again within the same period queues nothing more; nobody gets an empty digest.
    """
    now = now or timezone.now()
    queued = 0
    for frequency in (Frequency.DAILY, Frequency.WEEKLY):
        period = due_period(frequency, now)
        # Building a digest costs more than this one query: skip those already queued.
        already = set(OutgoingMail.objects.filter(key__startswith=period.key_prefix).values_list("key", flat=True))
        for reader in digest_readers(frequency):
            key = f"{period.key_prefix}{reader.pk}"
            if key in already:
                continue
            digest = build_digest(reader, period, base_url=base_url)
            if digest.is_empty:
                continue
            queued += queue_digest(digest, key=key, base_url=base_url) is not None
    return queued
