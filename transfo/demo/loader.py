"""Demo data: the La Transfo programme 2016–2020, its seven Labs, their people, sessions and cases.

Every person is fictional. The load is deterministic (seeded random generators, fixed dates, never
today's date in the content) and idempotent: each row is found by its natural key (slug, e-mail,
(lab, number), …) and only what is missing is created, so running it twice leaves the same rows.
Pages already in Wagtail are left as they are: an editor may have touched them.
"""
import datetime
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from ambassadors.models import Ambassador
from cases.models import Case, ProgressEntry, Stage, StageChange
from common.public_url import site_address
from docs.models import (
    ArticlePage,
    CaseStoryPage,
    DocumentationIndexPage,
    FaqPage,
    FichePage,
    HomePage,
    LabIndexPage,
    LabPage,
    SessionReportPage,
)
from docs.rights import sync_everything
from programmes.models import (
    Collectivite,
    Coordination,
    Lab,
    LabMembership,
    Licence,
    Programme,
    Visibility,
)
from sessions.invitees import gathering_invitees
from sessions.models import (
    AgendaItem,
    Attendance,
    EntrySession,
    EventStatus,
    Gathering,
    GatheringAttendance,
    GatheringInvitation,
    Session,
    SessionPhoto,
)
from sessions.planning import propose_rhythm

from .content import (
    ARTICLES,
    BLOCK_NAMESPACE,
    BLOCKERS,
    CASE_KINDS,
    CASE_STORIES,
    CASES,
    CLOSING_THEME,
    COLLECTIVITES,
    DEMO_PASSWORD,
    DISCIPLINES,
    EMAIL_DOMAIN,
    ENTRY_TEXTS,
    FAQ_ANSWERS_FROM_THE_TEXT,
    FAQ_PATH,
    FAQ_SLUG,
    FICHES,
    FIRST_NAMES,
    GATHERING_DAYS,
    GATHERINGS,
    HOST_DISCIPLINES,
    KIND_DESCRIPTIONS,
    KIND_TITLES,
    LAB_PAGE_AUTHORS,
    LABS,
    LAST_NAMES,
    METIERS_COMMON,
    METIERS_LOCAL,
    METIERS_REGION,
    PARIS,
    PROGRAMME,
    SEED,
    SESSION_REPORTS,
    SESSION_THEMES,
    STAGE_ORDER,
    LabSpec,
)
from .pictures import CREDIT, LICENCE_TAG, draw_picture


@dataclass
class LabPlan:
    """What the loader decided for one Lab, passed between its steps.

    While loading, its model instances also carry a few ``demo_*`` attributes (an ambassador's
    attendance rate, the cases a session works on, a case's stage history…) that are never saved.
    """

    spec: LabSpec
    lab: Lab
    rng: random.Random
    residents: list = field(default_factory=list)
    host: object = None
    ambassadors: list = field(default_factory=list)
    network: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    logins: list = field(default_factory=list)
    held: int = 0


class NameBook:
    """Fictional people: a first and a last name drawn without repetition, and their e-mail."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.used = set()

    def person(self):
        while True:
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            email = f"{slugify(first)}.{slugify(last)}@{EMAIL_DOMAIN}"
            if email not in self.used:
                self.used.add(email)
                return first, last, email


class Accounts:
    """Demo accounts sharing one password, hashed once: hashing is slow on purpose.

    A new load puts the demo password back on an account whose password was changed, so the
    printed logins always work.
    """

    def __init__(self):
        self.password_hash = None
        self.verified_hashes = {}

    def _hash_for(self, user):
        if user.password in self.verified_hashes:
            ok = self.verified_hashes[user.password]
        else:
            ok = self.verified_hashes[user.password] = check_password(DEMO_PASSWORD, user.password)
        if ok:
            return user.password
        if self.password_hash is None:
            self.password_hash = make_password(DEMO_PASSWORD)
            self.verified_hashes[self.password_hash] = True
        return self.password_hash

    def get(self, *, email, first_name, last_name, superuser=False, groups=()):
        User = get_user_model()
        user = User.objects.filter(username=email).first() or User(username=email, password="")
        values = {
            "email": email, "first_name": first_name, "last_name": last_name, "is_active": True,
            "is_staff": superuser, "is_superuser": superuser,
        }
        password = self._hash_for(user)
        changed = user.pk is None or user.password != password or any(
            getattr(user, name) != value for name, value in values.items()
        )
        if changed:
            for name, value in values.items():
                setattr(user, name, value)
            user.password = password
            user.full_clean()
            user.save()
        # allauth lets nobody in without a verified primary address (mandatory verification).
        address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
        if address is None:
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        elif not (address.verified and address.primary):
            address.verified = address.primary = True
            address.save()
        for group in groups:
            user.groups.add(group)
        return user


def load_demo(*, stdout=None, today=None) -> dict:
    """Load the La Transfo programme 2016–2020 and a fictional programme under way on ``today``
    (by default the local date; see running.py), and return the demo logins.

    Returns ``{"password": ..., "logins": [{"role", "email", "lab"}], "counts": {...}}``; with
    ``stdout`` (a file or a command's output wrapper) the logins and counts are also printed.
    """
    started = time.monotonic()
    today = today or timezone.localdate()
    with transaction.atomic():
        logins = _load_everything(today)
    counts = count_rows()
    result = {"password": DEMO_PASSWORD, "logins": logins, "counts": counts}
    if stdout is not None:
        _print_summary(stdout, result, time.monotonic() - started)
    return result


def count_rows() -> dict:
    """Rows per model of the demo's reach, to compare two loads or report what was loaded."""
    tracked = [
        Programme, Coordination, Collectivite, Lab, LabMembership, Ambassador, Session, AgendaItem, Attendance,
        Gathering, GatheringInvitation, GatheringAttendance, Case, StageChange, ProgressEntry, EntrySession, Page, ArticlePage, FaqPage, SessionReportPage, CaseStoryPage,
        FichePage, LabPage, get_user_model(), EmailAddress,
        apps.get_model("taggit", "Tag"), apps.get_model("taggit", "TaggedItem"), apps.get_model("docs", "DocumentationPageTag"),
        apps.get_model("wagtailcore", "Revision"), Session.cases.through, Case.team.through,
        SessionPhoto, apps.get_model("outbox", "OutgoingMail"), apps.get_model("wagtailimages", "Image"),
        apps.get_model("wagtailcore", "WorkflowState"), apps.get_model("wagtailcore", "TaskState"),
        apps.get_model("docs", "SessionReportPhoto"),
    ]
    return {model._meta.label: model.objects.count() for model in tracked}


def _load_everything(today):
    names = NameBook(f"{SEED}:names")
    accounts = Accounts()
    # Wagtail rights come from the roles (docs.rights): the site-wide groups, which earlier loads
    # gave to every resident, host and coordinator, are taken back from them.
    site_wide = list(Group.objects.filter(name__in=["Editors", "Moderators"]))

    admin = accounts.get(email=f"admin@{EMAIL_DOMAIN}", first_name="Alex", last_name="Admin", superuser=True)
    coordinator = accounts.get(email=f"coordination@{EMAIL_DOMAIN}", first_name="Claire", last_name="Dubreuil")
    _leave(coordinator, site_wide)
    logins = [
        {"role": _("Administration (superutilisateur·rice)"), "email": admin.email, "lab": None},
        {"role": _("Coordination du programme"), "email": coordinator.email, "lab": None},
    ]

    programme, _created = _upsert(Programme, {"slug": PROGRAMME["slug"]}, {
        key: value for key, value in PROGRAMME.items() if key != "slug"
    })
    Coordination.objects.get_or_create(programme=programme, user=coordinator)

    collectivites = load_collectivites(COLLECTIVITES)

    plans = []
    for spec in LABS:
        lab, _created = _upsert(Lab, {"slug": f"transfo-{spec.collectivite}"}, {
            "programme": programme, "collectivite": collectivites[spec.collectivite], "name": spec.name,
            "start_date": spec.start, "end_date": spec.end, "description": spec.description,
            "phase": Lab.Phase.CLOSED if spec.closed else Lab.Phase.RUNNING,
        })
        plan = LabPlan(spec=spec, lab=lab, rng=random.Random(f"{SEED}:{spec.collectivite}"))
        _load_team(plan, names, accounts, site_wide)
        _load_sessions(plan)
        _load_cases(plan)
        _link_sessions_and_cases(plan)
        _load_agenda(plan)
        _load_attendance(plan)
        _load_journal(plan)
        plans.append(plan)
        logins.extend(plan.logins)

    _load_gatherings(programme, plans)
    # Imported here: the running programme reuses this module's steps.
    from .running import load_running_pages, load_running_programme

    running_logins, running_plans = load_running_programme(
        today=today, names=names, accounts=accounts, site_wide=site_wide
    )
    _load_pages({plan.spec.collectivite: plan.lab for plan in plans})
    load_running_pages(running_plans)
    return logins + running_logins


def _leave(user, groups):
    """Take ``user`` out of those of ``groups`` they are in (only real departures are audited)."""
    held = list(user.groups.filter(pk__in=[group.pk for group in groups]))
    if held:
        user.groups.remove(*held)


def _load_team(plan, names, accounts, site_wide):
    spec, lab, rng = plan.spec, plan.lab, plan.rng
    disciplines = ["designer de services", rng.choice(["sociologue", "ethnologue", "politiste"])]
    disciplines += rng.sample([d for d in DISCIPLINES if d not in disciplines], spec.residents - 2)
    load_runners(plan, names, accounts, site_wide, disciplines=disciplines, rng=rng)
    local = METIERS_REGION if lab.collectivite.kind == Collectivite.Kind.REGION else METIERS_LOCAL
    pool = rng.sample(local, 11) + rng.sample(METIERS_COMMON, 14)
    load_ambassadors(
        plan, names, accounts, pool, rng=rng, ambassadors=20, with_accounts=3, joined_on=spec.start, rates=(0.55, 0.98)
    )


def load_collectivites(rows) -> dict:
    """The collectivités of ``rows`` (slug, name, kind, département, website, seat, street), by slug."""
    collectivites = {}
    for slug, name, kind, departement, website, seat_name, street in rows:
        collectivites[slug], _created = _upsert(Collectivite, {"slug": slug}, {
            "name": name, "kind": kind, "departement": departement, "website": website,
            "seat_address": f"{seat_name}\n{street}",
        })
    return collectivites


def load_runners(plan, names, accounts, site_wide, *, disciplines, rng):
    """The Lab's residents (one per discipline) and its host coordinator, as memberships."""
    lab = plan.lab
    for discipline in disciplines:
        first, last, email = names.person()
        user = accounts.get(email=email, first_name=first, last_name=last)
        _leave(user, site_wide)
        _upsert(LabMembership, {"lab": lab, "user": user}, {
            "role": LabMembership.Role.RESIDENT, "discipline": discipline,
        })
        plan.residents.append(user)
    first, last, email = names.person()
    plan.host = accounts.get(email=email, first_name=first, last_name=last)
    _leave(plan.host, site_wide)
    _upsert(LabMembership, {"lab": lab, "user": plan.host}, {
        "role": LabMembership.Role.HOST, "discipline": rng.choice(HOST_DISCIPLINES),
    })


def load_ambassadors(plan, names, accounts, pool, *, rng, ambassadors, with_accounts, joined_on, rates):
    """One person per (métier, direction) of ``pool``: the first ``ambassadors`` in the circle of
    ambassadors, the others relais; the first ``with_accounts`` have accepted their invitation and
    can log in. Then the Lab's logins to print."""
    lab = plan.lab
    for index, (metier, direction) in enumerate(pool):
        circle = Ambassador.Circle.AMBASSADOR if index < ambassadors else Ambassador.Circle.NETWORK
        first, last, email = names.person()
        consent = rng.random() < 0.6
        user = accounts.get(email=email, first_name=first, last_name=last) if index < with_accounts else None
        ambassador, _created = _upsert(Ambassador, {"lab": lab, "email": email}, {
            "user": user, "circle": circle, "first_name": first, "last_name": last, "metier": metier,
            "direction": direction, "public_consent": consent, "joined_on": joined_on, "is_active": True,
        })
        # How often each person manages to come: from the faithful to the overbooked.
        low, high = rates if circle == Ambassador.Circle.AMBASSADOR else (0.3, 0.7)
        ambassador.demo_rate = rng.uniform(low, high)
        (plan.ambassadors if circle == Ambassador.Circle.AMBASSADOR else plan.network).append(ambassador)

    plan.logins += [
        {"role": f"{LabMembership.Role.RESIDENT.label} — {lab.name}", "email": plan.residents[0].email,
         "lab": lab.slug},
        {"role": f"{LabMembership.Role.HOST.label} — {lab.name}", "email": plan.host.email, "lab": lab.slug},
        {"role": f"{Ambassador.Circle.AMBASSADOR.label} — {lab.name}", "email": plan.ambassadors[0].email,
         "lab": lab.slug},
    ]


def _load_sessions(plan):
    spec, lab = plan.spec, plan.lab
    collectivite = lab.collectivite
    seat_name, _newline, street = collectivite.seat_address.partition("\n")
    proposals = [
        (first, last) for first, last in propose_rhythm(
            start=spec.rhythm_start, session_count=18, days_per_session=spec.days_per_session,
            holiday_subdivision=collectivite.holiday_subdivision,
        ) if last <= spec.end
    ]
    count = len(proposals)
    if not 16 <= count <= 18:
        raise ValueError(f"{lab.name}: {count} sessions proposed, 16 to 18 expected.")
    held = count if spec.closed else round(count * 2 / 3)
    for number, (first_day, last_day) in enumerate(proposals):
        title, objectives, morning, afternoon = CLOSING_THEME if number == count - 1 else SESSION_THEMES[number]
        if number < held:
            status = EventStatus.HELD
        elif number < held + 2:
            status = EventStatus.ANNOUNCED
        else:
            status = EventStatus.DRAFT
        if number in (0, count - 1):
            visibility = Visibility.PUBLIC
        elif number % 5 == 2:
            visibility = Visibility.PROGRAMME
        else:
            visibility = Visibility.LAB
        session, created = _upsert(Session, {"lab": lab, "number": number}, {
            "title": title, "start_date": first_day, "end_date": last_day, "place_name": seat_name,
            "place_address": street, "status": status, "objectives": objectives, "visibility": visibility,
        })
        if created:
            _backdate(session, first_day - datetime.timedelta(days=40))
        session.demo_kinds = (morning, afternoon)
        plan.sessions.append(session)
    plan.held = held


def _load_cases(plan):
    """Cases, their team, tags and stage history, dated by the sessions that moved them on."""
    spec, lab, rng = plan.spec, plan.lab, plan.rng
    last_held = plan.held - 1
    intro_sessions = sorted(rng.choices(range(2, last_held // 2 + 2), k=len(spec.cases)))
    # Ambassadors with an account each get at least one case, so their login shows something.
    with_account = [a for a in plan.ambassadors if a.user_id]
    others = [a for a in plan.ambassadors if not a.user_id]
    for index, key in enumerate(spec.cases):
        case_spec = CASES[key]
        start = intro_sessions[index]
        available = last_held - start
        if key == spec.abandoned:
            path = STAGE_ORDER[: rng.randint(2, 3)] + [Stage.ABANDONED]
            span = min(available, 2 * (len(path) - 1))
        else:
            goal = rng.choice([4, 5, 5]) if spec.closed else rng.randint(2, 4)
            # A running Lab's cases are still moving: their last change is not at the last session.
            longest = available if spec.closed else available - 1
            steps = max(1, min(goal, longest))
            path = STAGE_ORDER[: steps + 1]
            span = rng.randint(max(steps, longest - 3), longest)
        steps = len(path) - 1
        # Evenly spread, one change per session at most (the spacing is at least one session).
        change_sessions = [start + round(step * span / steps) for step in range(1, steps + 1)]
        stage = path[-1]
        visibility = [Visibility.PUBLIC, Visibility.PROGRAMME][index] if index < 2 else rng.choice(list(Visibility))
        case, created = _upsert(Case, {"lab": lab, "slug": key}, {
            "title": case_spec.title, "problem_statement": case_spec.problem, "sponsoring_service": case_spec.service,
            "stage": stage, "lessons": case_spec.lessons if stage == Stage.ABANDONED else "",
            "visibility": visibility,
        })
        if created:
            _backdate(case, _at(plan.sessions[start].start_date, 11))
        case.tags.set(list(case_spec.tags))
        team = [with_account[index % len(with_account)]] if index < len(with_account) * 2 else []
        team += rng.sample([a for a in others if a not in team], rng.randint(3, 6) - len(team))
        case.team.set(team)

        history = [("", path[0], _at(plan.sessions[start].start_date, 11))]
        for from_stage, to_stage, number in zip(path, path[1:], change_sessions):
            history.append((from_stage, to_stage, _at(plan.sessions[number].end_date, 16, 30)))
        changes = [
            StageChange(case=case, from_stage=from_stage, to_stage=to_stage, changed_at=changed_at,
                        changed_by=rng.choice(plan.residents + [plan.host]))
            for from_stage, to_stage, changed_at in history
        ]
        existing = set(case.stage_changes.values_list("from_stage", "to_stage"))
        StageChange.objects.bulk_create([c for c in changes if (c.from_stage, c.to_stage) not in existing])
        case.demo_history = history
        case.demo_active = (start, change_sessions[-1] if (spec.closed or stage == Stage.ABANDONED) else last_held)
        case.demo_team = team
        plan.cases.append(case)


def _link_sessions_and_cases(plan):
    rng = plan.rng
    for session in plan.sessions:
        if session.status == EventStatus.HELD:
            active = [c for c in plan.cases if c.demo_active[0] <= session.number <= c.demo_active[1]]
        else:
            active = [c for c in plan.cases if c.stage not in (Stage.ABANDONED, Stage.DEPLOYMENT)]
        worked = sorted(rng.sample(active, min(len(active), rng.randint(1, 3))), key=lambda c: c.slug) if active else []
        session.demo_cases = worked
        session.cases.set(worked)


def _load_agenda(plan):
    """Each day: two long blocks, plus some of a welcome, a lunch and a closing restitution."""
    rng = plan.rng
    facilitators = [user.get_full_name() for user in plan.residents] + [plan.host.get_full_name()]
    existing = set(
        AgendaItem.objects.filter(session__lab=plan.lab).values_list("session_id", "day", "start_time")
    )
    items = []
    for session in plan.sessions:
        morning_kind, afternoon_kind = session.demo_kinds
        for day_index, day in enumerate(session.days):
            optional = rng.sample(["welcome", "lunch", "closing"], rng.randint(1, 3))
            kinds = [morning_kind, afternoon_kind] if day_index % 2 == 0 else [afternoon_kind, morning_kind]
            if day_index == session.day_count - 1 and "closing" not in optional:
                optional.append("closing")
            blocks = []
            if "welcome" in optional:
                blocks.append(((9, 0), (9, 30), "Accueil et tour de météo", AgendaItem.Kind.OTHER))
            blocks.append(((9, 30), (12, 30), None, kinds[0]))
            if "lunch" in optional:
                blocks.append(((12, 30), (13, 45), "Déjeuner avec les agents du service", AgendaItem.Kind.BREAK))
            blocks.append(((14, 0), (16, 15), None, kinds[1]))
            if "closing" in optional:
                blocks.append(((16, 30), (17, 30), None, AgendaItem.Kind.RESTITUTION))
            for slot, (start, end, title, kind) in enumerate(blocks):
                case = None
                if kind in CASE_KINDS and session.demo_cases:
                    case = session.demo_cases[(day_index + slot) % len(session.demo_cases)]
                if title is None:
                    title = rng.choice(KIND_TITLES[kind])
                    if "{case}" in title and case is None:
                        kind, title = AgendaItem.Kind.WORKSHOP, "Atelier créatif"
                    title = title.format(case=case.title if case else "")
                item = AgendaItem(
                    session=session, day=day, start_time=datetime.time(*start), end_time=datetime.time(*end),
                    title=title, kind=kind, description=KIND_DESCRIPTIONS.get(kind, ""), case=case,
                    facilitators=" et ".join(rng.sample(facilitators, 2)) if kind in KIND_DESCRIPTIONS else "",
                )
                # Draw every value before looking at the database: a second load draws the same.
                if (session.pk, day, item.start_time) not in existing:
                    items.append(item)
    AgendaItem.objects.bulk_create(items, batch_size=500)


def _load_attendance(plan, today=None):
    """Answers per person and per day; held sessions also say who came, and the minutes count them.

    With ``today``, nobody has answered later than yesterday.
    """
    rng = plan.rng
    existing = set(Attendance.objects.filter(session__lab=plan.lab).values_list("session_id", "ambassador_id", "day"))
    rows = []
    for session in plan.sessions:
        if session.status == EventStatus.DRAFT:
            continue  # Invitations go out when a session is announced.
        invited = list(plan.ambassadors)
        # The network is invited to the opening, the closing and every fourth session.
        if session.number % 4 == 0 or session.number == len(plan.sessions) - 1:
            invited += plan.network
        present = {day: 0 for day in session.days}
        for ambassador in invited:
            comes = rng.random() < ambassador.demo_rate
            for day in session.days:
                if session.status == EventStatus.HELD:
                    attended = comes and rng.random() < 0.92
                    # Some who came had not answered; some who said yes did not come.
                    if attended:
                        response = rng.choices(["yes", "maybe"], weights=[90, 10])[0]
                    else:
                        response = rng.choices(["no", "yes", "pending"], weights=[70, 15, 15])[0]
                    if attended and ambassador.circle == Ambassador.Circle.AMBASSADOR:
                        present[day] += 1
                else:
                    attended = None
                    response = rng.choices(list(Attendance.Response), weights=[25, 55, 10, 10])[0]
                answered_at = None
                if response != Attendance.Response.PENDING:
                    answered_on = session.start_date - datetime.timedelta(days=rng.randint(2, 20))
                    if today is not None:
                        answered_on = min(answered_on, today - datetime.timedelta(days=1))
                    answered_at = _at(answered_on, rng.randint(8, 18), rng.choice([0, 15, 30, 45]))
                if (session.pk, ambassador.pk, day) not in existing:
                    rows.append(Attendance(session=session, ambassador=ambassador, day=day, response=response,
                                           attended=attended, answered_at=answered_at))
        if session.status == EventStatus.HELD:
            minutes = _minutes(session, present, len(plan.ambassadors), rng)
            if session.minutes != minutes:
                Session.objects.filter(pk=session.pk).update(minutes=minutes)
                session.minutes = minutes
    Attendance.objects.bulk_create(rows, batch_size=1000)


def _minutes(session, present, ambassador_count, rng):
    days = list(present.values())
    lines = [
        f"Session n° {session.number} « {session.title} » ({session.day_count} jours, {session.place_name}).",
        f"Présences : {days[0]} ambassadeur·rices sur {ambassador_count} le premier jour, "
        f"{days[-1]} le dernier.",
    ]
    if session.demo_cases:
        lines.append("Cas travaillés : " + ", ".join(f"« {case.title} »" for case in session.demo_cases) + ".")
    lines.append("À retenir : " + rng.choice([
        "les équipes avancent à des rythmes différents, et c'est normal.",
        "les usagers rencontrés ont bousculé plusieurs idées reçues.",
        "la direction générale demande un point d'étape à la prochaine session.",
        "le travail entre deux sessions repose sur trop peu de personnes : à répartir.",
        "les prototypes les plus simples ont suscité le plus de réactions.",
    ]))
    lines.append("Pour la prochaine fois : " + rng.choice([
        "chaque équipe prépare une restitution de cinq minutes.",
        "rencontrer au moins deux usagers par cas.",
        "inviter le réseau des relais à la restitution.",
        "mettre à jour le journal de bord de chaque cas.",
    ]))
    return "\n\n".join(lines)


def _load_journal(plan):
    """3–10 entries per case: on session days (tied to the session) and between sessions."""
    rng = plan.rng
    sessions = plan.sessions
    residents = plan.residents + [plan.host]
    existing = set(ProgressEntry.objects.filter(case__lab=plan.lab).values_list("case_id", "entry_date"))
    entries, sessions_of = [], []  # the session each entry was written in, if any
    for case in plan.cases:
        first, last = case.demo_active
        candidates = []
        for number in range(first, last + 1):
            session = sessions[number]
            candidates.append((session.end_date, session))
            if number < last:
                between = session.end_date + datetime.timedelta(days=rng.randint(6, 16))
                if between < sessions[number + 1].start_date:
                    candidates.append((between, None))
        chosen = sorted(rng.sample(candidates, min(len(candidates), rng.randint(3, 10))), key=lambda c: c[0])
        # The journal of an abandoned case ends with the decision to stop.
        if case.stage == Stage.ABANDONED and chosen[-1][0] != candidates[-1][0]:
            chosen[-1] = candidates[-1]
        authors = [a.user for a in case.demo_team if a.user_id] + residents
        for entry_date, session in chosen:
            stage = _stage_on(case, entry_date)
            done, learnt, next_steps = ENTRY_TEXTS[stage]
            blockers = rng.choice(BLOCKERS) if stage != Stage.ABANDONED and rng.random() < 0.35 else ""
            entry = ProgressEntry(
                case=case, author=rng.choice(authors), entry_date=entry_date,
                done=rng.choice(done).format(topic=CASES[case.slug].topic), learnt=rng.choice(learnt),
                next_steps=rng.choice(next_steps), blockers=blockers,
            )
            if (case.pk, entry_date) not in existing:
                entries.append(entry)
                sessions_of.append(session)
    created = ProgressEntry.objects.bulk_create(entries, batch_size=500)
    EntrySession.objects.bulk_create(
        [EntrySession(entry=entry, session=session) for entry, session in zip(created, sessions_of) if session],
        batch_size=500,
    )
    for entry in created:
        entry.created_at = entry.updated_at = _at(entry.entry_date, 18)
    ProgressEntry.objects.bulk_update(created, ["created_at", "updated_at"], batch_size=500)


def _stage_on(case, day):
    stage = case.demo_history[0][1]
    for _from_stage, to_stage, changed_at in case.demo_history:
        if changed_at.date() <= day:
            stage = to_stage
    return stage


def _load_gatherings(programme, plans):
    """Two InterTransfo, placed by the rhythm planner on days when no Lab holds a session."""
    by_slug = {plan.spec.collectivite: plan for plan in plans}
    taken = [(s.start_date, s.end_date) for plan in plans for s in plan.sessions]
    for number, host_slug, search_from, days, title in GATHERINGS:
        host = by_slug[host_slug].lab
        while True:
            ((first_day, last_day),) = propose_rhythm(
                start=search_from, session_count=1, days_per_session=days,
                holiday_subdivision=host.collectivite.holiday_subdivision,
            )
            if not any(start <= last_day and first_day <= end for start, end in taken):
                break
            search_from = last_day + datetime.timedelta(days=1)
        seat_name, _newline, street = host.collectivite.seat_address.partition("\n")
        gathering, _created = _upsert(Gathering, {"programme": programme, "number": number}, {
            "host_lab": host, "title": title, "start_date": first_day, "end_date": last_day,
            "place_name": seat_name, "place_address": street, "status": EventStatus.HELD,
            "objectives": "Croiser les cas pratiques des Transfo en cours, comparer les projets de labo et "
                          "construire un savoir commun entre collectivités.",
            "minutes": "Chaque Transfo a présenté deux cas pratiques ; des cas proches (accueil des usagers, "
                       "simplification, intégration des agents) ont été rapprochés pour partager enquêtes et "
                       "prototypes. Prochaine InterTransfo à organiser par la coordination.",
        })
        _load_gathering_days(gathering, random.Random(f"{SEED}:intertransfo-{number}"))


def _load_gathering_days(gathering, rng):
    """Its agenda, and everyone of the programme invited, with their answers and who came.

    Written directly, as a held InterTransfo's history: announcing it would mail everyone.
    """
    existing = set(AgendaItem.objects.filter(gathering=gathering).values_list("day", "start_time"))
    items = []
    for day, blocks in zip(gathering.days, GATHERING_DAYS):
        for start, end, title, kind in blocks:
            if (day, datetime.time(*start)) not in existing:
                items.append(AgendaItem(
                    gathering=gathering, day=day, start_time=datetime.time(*start), end_time=datetime.time(*end),
                    title=title, kind=kind, description=KIND_DESCRIPTIONS.get(kind, ""),
                ))
    AgendaItem.objects.bulk_create(items)
    known = set(GatheringAttendance.objects.filter(invitation__gathering=gathering).values_list("invitation_id", "day"))
    answers = []
    for invitee in gathering_invitees(gathering):
        invitation, _created = GatheringInvitation.objects.get_or_create(
            gathering=gathering, key=invitee.key, defaults={"user": invitee.user, "ambassador": invitee.ambassador}
        )
        # Drawn for every day before looking at the database: a second load draws the same.
        comes = rng.random() < 0.7
        for day in gathering.days:
            came = comes and rng.random() < 0.9
            if (invitation.pk, day) not in known:
                answers.append(GatheringAttendance(
                    invitation=invitation, day=day, attended=came,
                    response=GatheringAttendance.Response.YES if comes else GatheringAttendance.Response.NO,
                    answered_at=_at(gathering.start_date - datetime.timedelta(days=10), 9),
                ))
    GatheringAttendance.objects.bulk_create(answers)


def _load_pages(labs):
    """The Labs' public pages, a few articles in their Labs' places and the FAQ under the
    documentation index, created once and published."""
    _home, index = ensure_site_pages()
    ensure_lab_index()
    # Every Lab's place, and pages of an earlier load moved into it (docs.rights).
    sync_everything()
    places = _load_lab_pages(labs)
    for article in ARTICLES:
        if ArticlePage.objects.filter(slug=article["slug"]).exists():
            continue
        page = ArticlePage(
            title=article["title"], slug=article["slug"], date=article["date"], intro=article["intro"],
            lab=labs[article["lab"]], authors=article["authors"], licence=Licence.CC_BY_SA_4,
            body=[
                _block(article["slug"], position, kind, text) for position, (kind, text) in enumerate(article["body"])
            ],
            first_published_at=_at(article["date"], 10), cover_image=demo_picture(article["slug"], article["title"]),
        )
        page.tags.add(*article["tags"])
        _publish(places[article["lab"]], page)

    if not FaqPage.objects.child_of(index).filter(slug=FAQ_SLUG).exists():
        questions = parse_faq((Path(apps.get_app_config("docs").path) / FAQ_PATH).read_text(encoding="utf-8"))
        page = FaqPage(
            title="Questions fréquentes", slug=FAQ_SLUG, authors="La 27e Région", licence=Licence.CC_BY_SA_4,
            date=datetime.date(2020, 12, 1),
            preamble="<p>Les questions que l'on nous pose le plus souvent sur La Transfo, tirées de la documentation "
                  "d'origine du programme.</p>",
            questions=[
                {
                    "type": "question",
                    "id": str(uuid.uuid5(BLOCK_NAMESPACE, f"{FAQ_SLUG}:{position}")),
                    "value": {
                        "question": question,
                        "answer": "".join(
                            f"<p>{escape(p)}</p>" for p in paragraphs or FAQ_ANSWERS_FROM_THE_TEXT.get(question, [])
                        ),
                    },
                }
                for position, (question, paragraphs) in enumerate(questions)
            ],
            first_published_at=_at(datetime.date(2020, 12, 1), 10),
            cover_image=demo_picture(FAQ_SLUG, "Questions fréquentes"),
        )
        _publish(index, page)

    _load_more_pages(places, labs)
    _picture_pages_of_earlier_loads()


def demo_picture(slug, title):
    """The drawn picture of a demo page: a Wagtail image credited and licensed in its title and
    description, created once (found again by its title)."""
    Image = get_image_model()
    full_title = f"{title} — {CREDIT}"[: Image._meta.get_field("title").max_length]
    image = Image.objects.filter(title=full_title).first()
    if image is None:
        image = Image(
            title=full_title,
            description=f"{CREDIT} : composition abstraite dessinée pour illustrer « {title} ».",
            file=ContentFile(draw_picture(f"{SEED}:{slug}", width=1200, height=630), name=f"demo-{slug}.jpg"),
        )
        image.save()
        image.tags.add(LICENCE_TAG, "demo")
    return image


def _picture_pages_of_earlier_loads():
    """Pages published by an earlier load, before the demo drew pictures, get theirs.

    Only those still without a cover image and without changes waiting: what an editor did stays.
    """
    titles = {item["slug"]: item["title"] for item in ARTICLES + SESSION_REPORTS + CASE_STORIES + FICHES}
    titles[FAQ_SLUG] = "Questions fréquentes"
    pages = []
    for model, items in ((ArticlePage, ARTICLES), (SessionReportPage, SESSION_REPORTS), (CaseStoryPage, CASE_STORIES),
                         (FichePage, FICHES), (FaqPage, [{"slug": FAQ_SLUG}])):
        pages += model.objects.filter(slug__in=[item["slug"] for item in items], cover_image__isnull=True)
    for page in pages:
        if page.live and not page.has_unpublished_changes:
            page.cover_image = demo_picture(page.slug, titles[page.slug])
            page.save_revision().publish()


def _load_more_pages(places, labs):
    """Session reports, case stories and fiches in their Labs' places, created once."""
    for report in SESSION_REPORTS:
        if SessionReportPage.objects.filter(slug=report["slug"]).exists():
            continue
        session = Session.objects.get(lab=labs[report["lab"]], number=report["session"])
        page = SessionReportPage(
            title=report["title"], slug=report["slug"], date=session.end_date, intro=report["intro"],
            lab=session.lab, session=session, start_date=session.start_date, end_date=session.end_date,
            authors=report["authors"], licence=Licence.CC_BY_SA_4,
            body=[_block(report["slug"], position, kind, text) for position, (kind, text) in enumerate(report["body"])],
            first_published_at=_at(session.end_date + datetime.timedelta(days=7), 10),
            cover_image=demo_picture(report["slug"], report["title"]),
        )
        page.tags.add(*report["tags"])
        _publish(places[report["lab"]], page)

    for story in CASE_STORIES:
        if CaseStoryPage.objects.filter(slug=story["slug"]).exists():
            continue
        case = Case.objects.get(lab=labs[story["lab"]], slug=story["case"])
        # The day of its last move: the story is told once the case has got somewhere.
        day = case.stage_changes.order_by("-changed_at").first().changed_at.date()
        page = CaseStoryPage(
            title=story["title"], slug=story["slug"], date=day, intro=story["intro"], lab=case.lab, case=case,
            problem=case.problem_statement, stage=case.stage, lessons=case.lessons or CASES[story["case"]].lessons,
            authors=story["authors"], licence=Licence.CC_BY_SA_4,
            body=[_block(story["slug"], position, kind, text) for position, (kind, text) in enumerate(story["body"])],
            first_published_at=_at(day, 10), cover_image=demo_picture(story["slug"], story["title"]),
        )
        page.tags.add(*story["tags"])
        _publish(places[story["lab"]], page)

    for fiche in FICHES:
        if FichePage.objects.filter(slug=fiche["slug"]).exists():
            continue
        lab = labs[fiche["lab"]]
        sections = {}
        for field in ("hypotheses", "observations", "lessons"):
            sections[field] = [
                {
                    "type": "point",
                    "id": str(uuid.uuid5(BLOCK_NAMESPACE, f"{fiche['slug']}:{field}:{position}")),
                    "value": {
                        "text": f"<p>{escape(text)}</p>",
                        "sessions": [str(Session.objects.get(lab=labs[key], number=number).pk) for key, number in sessions],
                        "cases": [str(Case.objects.get(lab=labs[key], slug=slug).pk) for key, slug in cases],
                    },
                }
                for position, (text, sessions, cases) in enumerate(fiche[field])
            ]
        page = FichePage(
            title=fiche["title"], slug=fiche["slug"], date=lab.end_date, intro=fiche["intro"], lab=lab,
            authors=fiche["authors"], licence=Licence.CC_BY_SA_4, first_published_at=_at(lab.end_date, 10),
            cover_image=demo_picture(fiche["slug"], fiche["title"]), **sections,
        )
        page.tags.add(*fiche["tags"])
        _publish(places[fiche["lab"]], page)



def _load_lab_pages(labs, specs=LABS):
    """Each Lab's public page, published once: ``{collectivite slug: page}``.

    The Lab got its page, unpublished, when it was created (docs.rights): the demo fills it in.
    """
    lab_index = ensure_lab_index()
    places = {}
    for spec in specs:
        lab = labs[spec.collectivite]
        page = LabPage.objects.filter(lab=lab).order_by("path").first()
        if page is not None and page.live:
            places[spec.collectivite] = page
            continue
        values = {
            "title": lab.name, "slug": spec.collectivite, "date": spec.start, "intro": spec.description,
            "authors": LAB_PAGE_AUTHORS, "licence": Licence.CC_BY_SA_4, "first_published_at": _at(spec.start, 10),
            "cover_image": demo_picture(f"lab-{spec.collectivite}", lab.name),
        }
        if page is None:
            page = LabPage(lab=lab, **values)
            page.tags.add("transfo", lab.collectivite.name)
            places[spec.collectivite] = _publish(lab_index, page)
            continue
        for name, value in values.items():
            setattr(page, name, value)
        page.tags.add("transfo", lab.collectivite.name)
        page.save_revision().publish()
        # Publishing wrote the new slug and address: read them back for the pages put under it.
        places[spec.collectivite] = LabPage.objects.get(pk=page.pk)
    return places


def ensure_lab_index():
    """The list of the Labs, created like the data migration does if missing."""
    lab_index = LabIndexPage.objects.first()
    if lab_index is None:
        home, _index = ensure_site_pages()
        lab_index = LabIndexPage(
            title="Les Transfos", slug="transfos",
            intro="<p>Chaque collectivité a mené sa Transfo : ses dates, son équipe, ses cas pratiques publics et "
                  "ses comptes rendus.</p>",
        )
        _publish(home, lab_index)
    return lab_index


def ensure_site_pages():
    """The home page and the documentation index, created like the data migration does if missing."""
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(
            title="Transfo", slug="accueil",
            intro="<p>Transfo accompagne les collectivités qui montent leur propre laboratoire d'innovation "
                  "publique, et documente ouvertement ce qu'elles apprennent.</p>",
        )
        _publish(Page.get_first_root_node(), home)
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            hostname, port = site_address()
            Site.objects.create(hostname=hostname, port=port, root_page=home, is_default_site=True, site_name="Transfo")
        else:
            site.root_page = home
            site.save()
    index = DocumentationIndexPage.objects.first()
    if index is None:
        index = DocumentationIndexPage(
            title="Documentation", slug="documentation",
            intro="<p>Tout ce que le programme apprend, sous licence libre.</p>",
        )
        _publish(home, index)
    return home, index


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _block(page_slug, position, kind, text):
    block_id = str(uuid.uuid5(BLOCK_NAMESPACE, f"{page_slug}:{position}"))
    if kind == "heading":
        return {"type": "heading", "id": block_id, "value": {"text": text, "level": "h2"}}
    return {"type": "paragraph", "id": block_id, "value": f"<p>{escape(text)}</p>"}


def parse_faq(text):
    """Questions and their answers from the seed FAQ: ``[(question, [paragraph, ...]), ...]``.

    A line ending with "?" is a question; the lines after it, up to the next question, are its
    answer (possibly none). The seed is hard-wrapped, so lines are joined with spaces; a line that
    ends a sentence well before the wrapping width ends a paragraph.
    """
    questions = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        if line.endswith("?"):
            questions.append((line, []))
        elif questions:
            questions[-1][1].append(line)
    parsed = []
    for question, lines in questions:
        width = max((len(line) for line in lines), default=0)
        paragraphs, current = [], []
        for line in lines:
            current.append(line)
            if line.rstrip("”»\"' ").endswith((".", "!", "…", ":")) and len(line) < 0.75 * width:
                paragraphs.append(current)
                current = []
        if current:
            paragraphs.append(current)
        parsed.append((question, [re.sub(r"\s+([,.])", r"\1", " ".join(p)) for p in paragraphs]))
    return parsed


def _upsert(model, lookup, values):
    """Find a row by its natural key and bring it to ``values``, writing only what differs.

    Unchanged rows are not saved again, so a second load leaves even their timestamps alone.
    """
    obj = model.objects.filter(**lookup).first()
    created = obj is None
    if created:
        obj = model(**lookup)
    changed = created
    for name, value in values.items():
        model_field = model._meta.get_field(name)
        current = getattr(obj, model_field.attname)
        wanted = value.pk if isinstance(value, models.Model) else value
        if created or current != wanted:
            setattr(obj, name, value)
            changed = True
    if changed:
        obj.full_clean()
        obj.save()
    return obj, created


def _backdate(obj, moment):
    """Give a freshly created row the creation date it would have had back then."""
    if isinstance(moment, datetime.date) and not isinstance(moment, datetime.datetime):
        moment = _at(moment, 9)
    type(obj).objects.filter(pk=obj.pk).update(created_at=moment, updated_at=moment)
    obj.created_at = obj.updated_at = moment


def _at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


def _print_summary(stdout, result, seconds):
    counts = result["counts"]
    lines = [_("Données de démonstration chargées en %(seconds).1f s.") % {"seconds": seconds}]
    lines.append(
        _("%(labs)d labos, %(ambassadors)d ambassadeur·rices et relais, %(sessions)d sessions, "
          "%(cases)d cas pratiques, %(entries)d entrées de journal, %(attendances)d présences.")
        % {
            "labs": counts["programmes.Lab"], "ambassadors": counts["ambassadors.Ambassador"],
            "sessions": counts["lab_sessions.Session"], "cases": counts["cases.Case"],
            "entries": counts["cases.ProgressEntry"], "attendances": counts["lab_sessions.Attendance"],
        }
    )
    lines.append("")
    lines.append(_("Comptes de démonstration (même mot de passe pour tous) :"))
    rows = [(_("Rôle"), _("E-mail"), _("Mot de passe"))]
    rows += [(login["role"], login["email"], result["password"]) for login in result["logins"]]
    role_width, email_width = (max(len(row[column]) for row in rows) for column in (0, 1))
    lines += [f"  {role:<{role_width}}  {email:<{email_width}}  {password}" for role, email, password in rows]
    # Works for a command's output wrapper and for a plain file alike.
    stdout.write("\n".join(lines) + "\n")
