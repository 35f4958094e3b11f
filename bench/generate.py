"""Data at scale for the benchmark: a programme of ``7 × S`` Labs, everything else per Lab.

S=1 is one La Transfo (7 Labs, 21 residents and 7 hosts, 140 ambassadors and 35 relais, 119
sessions with their agenda and attendance, 42 cases, ~1,000 journal entries, ~50 documentation
pages); S=100 a national programme (700 Labs, 14,000 ambassadors, 11,900 sessions, 4,200 cases,
~100,000 entries, ~4,900 pages). S is a float: S=0.05 (one Lab) is what the tests load.

Rows go in with ``bulk_create`` in large batches, Lab by Lab in chunks so memory stays flat;
Wagtail pages get their tree paths computed here instead of one ``add_child`` per page. Values
are drawn from one seeded generator per Lab, and every date is fixed (never today's), so a scale
always gives the same rows. A database that already holds the benchmark programme is left as
it is: one database per scale (the harness creates them).

    DJANGO_SETTINGS_MODULE=... python -m bench.generate --scale 1
"""
import argparse
import datetime
import random
import time
import uuid
import zoneinfo
from contextlib import contextmanager

from django.db import transaction
from django.utils.text import slugify

# Models are imported inside the functions: the harness (bench.run) reads this module's
# constants before any Django setup, in a process that never opens the database.

GENERATOR_VERSION = 1
SEED = "transfo-bench"
PROGRAMME_SLUG = "programme-national-banc-essai"
EMAIL_DOMAIN = "bench.transfo.example"
# Every generated account shares it (hashed once): the harness logs in with it.
PASSWORD = "banc-essai-transfo-2026"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
PAGE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, f"https://{EMAIL_DOMAIN}/pages")

LABS_PER_SCALE = 7
RESIDENTS_PER_LAB = 3
AMBASSADORS_PER_LAB = 20
NETWORK_PER_LAB = 5
# Ambassadors who accepted their invitation (they have an account); the first is the persona.
ACCOUNTS_PER_LAB = 5
SESSIONS_PER_LAB = 17
HELD_SESSIONS = 11
CASES_PER_LAB = 6
ENTRIES_PER_CASE = (16, 32)
PAGES_PER_LAB = 7
LABS_PER_CHUNK = 50
BATCH_SIZE = 2000

PROGRAMME_START = datetime.date(2025, 1, 1)
PROGRAMME_END = datetime.date(2028, 12, 31)
FIRST_LAB_MONTH = datetime.date(2025, 9, 1)
SESSION_SPACING = datetime.timedelta(days=28)

CITIES = [
    "Mulhouse", "Dunkerque", "Metz", "Lille", "Strasbourg", "Toulouse", "Nantes", "Rennes", "Brest", "Grenoble",
    "Angers", "Tours", "Dijon", "Besançon", "Limoges", "Poitiers", "Amiens", "Rouen", "Caen", "Reims", "Nancy",
    "Orléans", "Clermont-Ferrand", "Saint-Étienne", "Nîmes", "Montpellier", "Perpignan", "Pau", "Bayonne",
    "Bordeaux", "La Rochelle", "Lorient", "Vannes", "Quimper", "Annecy", "Chambéry", "Valence", "Avignon", "Toulon",
    "Nice",
]
DEPARTEMENTS = [f"{number:02d}" for number in range(1, 96) if number != 20] + ["2A", "2B"]


def lab_count(scale: float) -> int:
    """How many Labs a scale gives: 7 per unit of scale, at least one."""
    return max(1, round(LABS_PER_SCALE * scale))


def expected_counts(scale: float) -> dict:
    """What ``generate`` creates at this scale, for the rows whose number does not depend on chance."""
    labs = lab_count(scale)
    return {
        "labs": labs,
        "residents": labs * RESIDENTS_PER_LAB,
        "hosts": labs,
        "ambassadors": labs * AMBASSADORS_PER_LAB,
        "network": labs * NETWORK_PER_LAB,
        "sessions": labs * SESSIONS_PER_LAB,
        "cases": labs * CASES_PER_LAB,
        "pages": labs * PAGES_PER_LAB,
    }


def persona_emails() -> dict:
    """The accounts the harness logs in with: a resident and an ambassador of the first Lab."""
    return {"resident": _email("residente", 0, 0), "ambassador": _email("ambassadeur", 0, 0)}


def generate(scale: float, *, stdout=None) -> dict:
    """Load the benchmark programme at ``scale`` unless it is already there; return row counts.

    ``{"created": bool, "seconds": float, "counts": {...}}``; ``stdout`` gets one line per chunk.
    """
    from programmes.models import Programme

    started = time.monotonic()
    if Programme.objects.filter(slug=PROGRAMME_SLUG).exists():
        return {"created": False, "seconds": 0.0, "counts": count_rows()}
    with transaction.atomic(), explicit_timestamps():
        _Generator(scale, stdout=stdout).run()
    return {"created": True, "seconds": round(time.monotonic() - started, 1), "counts": count_rows()}


def count_rows() -> dict:
    """Rows per model the generator writes, by model label."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from taggit.models import TaggedItem
    from wagtail.models import Page

    from ambassadors.models import Ambassador
    from cases.models import Case, ProgressEntry, StageChange
    from docs.models import ArticlePage
    from programmes.models import Lab, LabMembership
    from sessions.models import AgendaItem, Attendance, Gathering, Session

    models = [
        Lab, LabMembership, Ambassador, Session, AgendaItem, Attendance, Gathering, Case, StageChange,
        ProgressEntry, Page, ArticlePage, get_user_model(), EmailAddress, TaggedItem,
    ]
    return {model._meta.label: model.objects.count() for model in models}


@contextmanager
def explicit_timestamps():
    """Let ``bulk_create`` keep the creation dates we give instead of stamping now.

    Without it ``auto_now``/``auto_now_add`` fields would take the load's time: data that differs
    from one load to the next, and journals whose every entry looks written the same second.
    """
    from django.apps import apps

    saved = []
    for model in apps.get_models():
        for field in model._meta.local_concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _email(role, lab_index, number):
    return f"{role}{number + 1}.labo{lab_index + 1:04d}@{EMAIL_DOMAIN}"


def _at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


def _first_tuesday(year, month):
    day = datetime.date(year, month, 1)
    return day + datetime.timedelta(days=(1 - day.weekday()) % 7)


class _Generator:
    def __init__(self, scale, *, stdout=None):
        from django.contrib.auth.hashers import make_password

        self.scale = scale
        self.labs = lab_count(scale)
        self.stdout = stdout
        self.password_hash = make_password(PASSWORD)
        self.all_labs = []

    def say(self, message):
        if self.stdout is not None:
            self.stdout.write(message + "\n")
            self.stdout.flush()

    def run(self):
        from django.contrib.auth import get_user_model

        from programmes.models import Coordination, Programme

        self.programme = Programme.objects.create(
            slug=PROGRAMME_SLUG,
            name=f"Programme national (banc d'essai, échelle {self.scale:g})",
            organiser="La 27e Région",
            description="Données générées pour mesurer les performances de la plateforme.",
            start_date=PROGRAMME_START,
            end_date=PROGRAMME_END,
        )
        coordinator = get_user_model().objects.create(
            username=f"coordination@{EMAIL_DOMAIN}", email=f"coordination@{EMAIL_DOMAIN}",
            first_name="Claude", last_name="Coordination", password=self.password_hash,
        )
        self._verified_addresses([coordinator])
        Coordination.objects.create(programme=self.programme, user=coordinator)
        self.tags = self._tags()
        started = time.monotonic()
        for first in range(0, self.labs, LABS_PER_CHUNK):
            self._chunk(range(first, min(first + LABS_PER_CHUNK, self.labs)))
            self.say(f"  labos {min(first + LABS_PER_CHUNK, self.labs)}/{self.labs} ({time.monotonic() - started:.0f} s)")
        self._gatherings()

    # --- Labs and their people ---------------------------------------------------------

    def _tags(self):
        from taggit.models import Tag

        from transfo.demo.content import CASES

        names = sorted({tag for spec in CASES.values() for tag in spec.tags})
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
        missing = [Tag(name=name, slug=slugify(name)) for name in names if name not in existing]
        Tag.objects.bulk_create(missing)
        return {tag.name: tag for tag in Tag.objects.filter(name__in=names)}

    def _chunk(self, indexes):
        from programmes.models import Collectivite, Lab

        kinds = list(Collectivite.Kind)
        collectivites, labs = [], []
        for index in indexes:
            city = CITIES[index % len(CITIES)]
            name = city if index < len(CITIES) else f"{city} {index // len(CITIES) + 1}"
            collectivites.append(Collectivite(
                name=name, slug=f"{slugify(name)}-{index + 1:04d}", kind=kinds[index % len(kinds)],
                departement=DEPARTEMENTS[index % len(DEPARTEMENTS)], seat_address=f"Hôtel de ville\n1 place de la Mairie, {city}",
                website=f"https://{slugify(name)}.example",
            ))
        Collectivite.objects.bulk_create(collectivites, batch_size=BATCH_SIZE)
        plans = []
        for index, collectivite in zip(indexes, collectivites):
            month = (FIRST_LAB_MONTH.month - 1 + index % 18)
            start = _first_tuesday(FIRST_LAB_MONTH.year + month // 12, month % 12 + 1)
            lab = Lab(
                programme=self.programme, collectivite=collectivite, name=f"La Transfo de {collectivite.name}",
                slug=f"transfo-{collectivite.slug}", start_date=start - datetime.timedelta(days=1),
                end_date=start + SESSION_SPACING * SESSIONS_PER_LAB + datetime.timedelta(days=60),
                phase=Lab.Phase.RUNNING,
                description="Préfigurer le labo d'innovation de la collectivité avec ses agents et ses usagers.",
            )
            labs.append(lab)
            plans.append(_LabPlan(index=index, lab=lab, rng=random.Random(f"{SEED}:{index}")))
        Lab.objects.bulk_create(labs, batch_size=BATCH_SIZE)
        self.all_labs.extend(labs)
        self._people(plans)
        self._sessions(plans)
        self._cases(plans)
        self._agenda(plans)
        self._attendance(plans)
        self._journal(plans)
        self._pages(plans)

    def _verified_addresses(self, users):
        from allauth.account.models import EmailAddress

        # allauth lets nobody in without a verified primary address (mandatory verification).
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users],
            batch_size=BATCH_SIZE,
        )

    def _people(self, plans):
        from django.contrib.auth import get_user_model

        from ambassadors.models import Ambassador
        from programmes.models import LabMembership
        from transfo.demo.content import DISCIPLINES, FIRST_NAMES, HOST_DISCIPLINES, LAST_NAMES, METIERS_COMMON, METIERS_LOCAL

        User = get_user_model()
        users = []

        def account(email, rng):
            user = User(
                username=email, email=email, first_name=rng.choice(FIRST_NAMES), last_name=rng.choice(LAST_NAMES),
                password=self.password_hash, date_joined=_at(PROGRAMME_START, 9),
            )
            users.append(user)
            return user

        for plan in plans:
            rng = plan.rng
            plan.residents = [account(_email("residente", plan.index, number), rng) for number in range(RESIDENTS_PER_LAB)]
            plan.host = account(_email("hote", plan.index, 0), rng)
            plan.ambassador_users = [account(_email("ambassadeur", plan.index, number), rng) for number in range(ACCOUNTS_PER_LAB)]
        User.objects.bulk_create(users, batch_size=BATCH_SIZE)
        self._verified_addresses(users)

        memberships, ambassadors = [], []
        metiers = METIERS_LOCAL + METIERS_COMMON
        for plan in plans:
            rng = plan.rng
            for number, user in enumerate(plan.residents):
                memberships.append(LabMembership(
                    lab=plan.lab, user=user, role=LabMembership.Role.RESIDENT, discipline=DISCIPLINES[(plan.index + number) % len(DISCIPLINES)],
                    public_consent=rng.random() < 0.7,
                ))
            memberships.append(LabMembership(
                lab=plan.lab, user=plan.host, role=LabMembership.Role.HOST, discipline=rng.choice(HOST_DISCIPLINES),
            ))
            for number in range(AMBASSADORS_PER_LAB + NETWORK_PER_LAB):
                circle = Ambassador.Circle.AMBASSADOR if number < AMBASSADORS_PER_LAB else Ambassador.Circle.NETWORK
                user = plan.ambassador_users[number] if number < ACCOUNTS_PER_LAB else None
                metier, direction = metiers[(plan.index * 7 + number) % len(metiers)]
                ambassador = Ambassador(
                    lab=plan.lab, user=user, circle=circle,
                    first_name=user.first_name if user else rng.choice(FIRST_NAMES),
                    last_name=user.last_name if user else rng.choice(LAST_NAMES),
                    email=user.email if user else _email("ambassadeur" if circle == Ambassador.Circle.AMBASSADOR else "relais", plan.index, number),
                    metier=metier, direction=direction, public_consent=rng.random() < 0.6, joined_on=plan.lab.start_date,
                )
                ambassador.rate = rng.uniform(0.55, 0.98) if circle == Ambassador.Circle.AMBASSADOR else rng.uniform(0.3, 0.7)
                ambassadors.append(ambassador)
                (plan.ambassadors if circle == Ambassador.Circle.AMBASSADOR else plan.network).append(ambassador)
        LabMembership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
        Ambassador.objects.bulk_create(ambassadors, batch_size=BATCH_SIZE)

    # --- Sessions, cases, agenda, attendance, journal ----------------------------------

    def _sessions(self, plans):
        from programmes.models import Visibility
        from sessions.models import EventStatus, Session
        from transfo.demo.content import CLOSING_THEME, SESSION_THEMES

        sessions = []
        for plan in plans:
            days = plan.rng.choice([2, 3])
            first = plan.lab.start_date + datetime.timedelta(days=1)
            for number in range(SESSIONS_PER_LAB):
                title, objectives, morning, afternoon = (
                    CLOSING_THEME if number == SESSIONS_PER_LAB - 1 else SESSION_THEMES[number % len(SESSION_THEMES)]
                )
                start = first + SESSION_SPACING * number
                if number < HELD_SESSIONS:
                    status = EventStatus.HELD
                elif number < HELD_SESSIONS + 2:
                    status = EventStatus.ANNOUNCED
                else:
                    status = EventStatus.DRAFT
                if number in (0, SESSIONS_PER_LAB - 1):
                    visibility = Visibility.PUBLIC
                elif number % 5 == 2:
                    visibility = Visibility.PROGRAMME
                else:
                    visibility = Visibility.LAB
                created = _at(start - datetime.timedelta(days=40), 9)
                session = Session(
                    lab=plan.lab, number=number, title=title, start_date=start,
                    end_date=start + datetime.timedelta(days=days - 1), place_name="Hôtel de ville",
                    place_address=plan.lab.collectivite.seat_address.partition("\n")[2], status=status,
                    objectives=objectives, visibility=visibility, created_at=created, updated_at=created,
                    minutes=(
                        f"Session n° {number} « {title} ». Les équipes ont présenté l'avancée de leurs cas ; "
                        "prochaine étape : rencontrer au moins deux usagers par cas." if status == EventStatus.HELD else ""
                    ),
                )
                session.kinds = (morning, afternoon)
                sessions.append(session)
                plan.sessions.append(session)
        Session.objects.bulk_create(sessions, batch_size=BATCH_SIZE)

    def _cases(self, plans):
        from cases.models import Case, Stage
        from programmes.models import Visibility
        from transfo.demo.content import CASES, STAGE_ORDER

        keys = sorted(CASES)
        cases = []
        for plan in plans:
            rng = plan.rng
            chosen = rng.sample(keys, CASES_PER_LAB)
            for number, key in enumerate(chosen):
                spec = CASES[key]
                # One case per Lab is abandoned (a failure is an outcome); the others spread over the stages.
                stage = Stage.ABANDONED if number == CASES_PER_LAB - 1 else STAGE_ORDER[(number + plan.index) % len(STAGE_ORDER)]
                opened = plan.sessions[1 + number % 3]
                created = _at(opened.start_date, 11)
                case = Case(
                    lab=plan.lab, title=spec.title, slug=key, problem_statement=spec.problem,
                    sponsoring_service=spec.service, stage=stage,
                    lessons=spec.lessons if stage == Stage.ABANDONED else "",
                    visibility=[Visibility.PUBLIC, Visibility.PROGRAMME][number] if number < 2 else rng.choice(list(Visibility)),
                    created_at=created, updated_at=created,
                )
                case.spec = spec
                case.opened = opened
                cases.append(case)
                plan.cases.append(case)
        Case.objects.bulk_create(cases, batch_size=BATCH_SIZE)
        self._case_links(plans)

    def _case_links(self, plans):
        """Teams, tags, stage histories, and which cases each session works on."""
        from django.contrib.contenttypes.models import ContentType
        from taggit.models import TaggedItem

        from cases.models import Case, StageChange
        from sessions.models import Session
        from transfo.demo.content import STAGE_ORDER

        case_type = ContentType.objects.get_for_model(Case)
        team_rows, tag_rows, changes, worked = [], [], [], []
        for plan in plans:
            rng = plan.rng
            runners = plan.residents + [plan.host]
            with_account, others = plan.ambassadors[:ACCOUNTS_PER_LAB], plan.ambassadors[ACCOUNTS_PER_LAB:]
            for number, case in enumerate(plan.cases):
                # Each ambassador with an account is in two cases, so their "My cases" shows some.
                team = [with_account[number % ACCOUNTS_PER_LAB], with_account[(number + 2) % ACCOUNTS_PER_LAB]]
                team += rng.sample(others, rng.randint(2, 4))
                case.team_members = team
                team_rows += [Case.team.through(case=case, ambassador=member) for member in team]
                tag_rows += [
                    TaggedItem(tag=self.tags[name], content_type=case_type, object_id=case.pk) for name in case.spec.tags
                ]
                path = STAGE_ORDER[: STAGE_ORDER.index(case.stage) + 1] if case.stage in STAGE_ORDER else STAGE_ORDER[:3] + [case.stage]
                moments = [case.opened.start_date + SESSION_SPACING * step for step in range(len(path))]
                previous = ""
                for stage, moment in zip(path, moments):
                    changes.append(StageChange(
                        case=case, from_stage=previous, to_stage=stage, changed_at=_at(moment, 16, 30),
                        changed_by=rng.choice(runners), note="",
                    ))
                    previous = stage
            for session in plan.sessions[:HELD_SESSIONS + 2]:
                session.worked = sorted(rng.sample(plan.cases, 2), key=lambda c: c.slug)
                worked += [Session.cases.through(session=session, case=case) for case in session.worked]
        Case.team.through.objects.bulk_create(team_rows, batch_size=BATCH_SIZE)
        TaggedItem.objects.bulk_create(tag_rows, batch_size=BATCH_SIZE)
        StageChange.objects.bulk_create(changes, batch_size=BATCH_SIZE)
        Session.cases.through.objects.bulk_create(worked, batch_size=BATCH_SIZE)

    def _agenda(self, plans):
        from sessions.models import AgendaItem
        from transfo.demo.content import CASE_KINDS, KIND_DESCRIPTIONS, KIND_TITLES

        items = []
        for plan in plans:
            rng = plan.rng
            facilitators = [f"{user.first_name} {user.last_name}" for user in plan.residents]
            for session in plan.sessions:
                worked = getattr(session, "worked", [])
                for day_index in range(session.day_count):
                    day = session.start_date + datetime.timedelta(days=day_index)
                    blocks = [
                        ((9, 0), (9, 30), "Accueil et tour de météo", AgendaItem.Kind.OTHER),
                        ((9, 30), (12, 30), None, session.kinds[day_index % 2]),
                        ((14, 0), (16, 15), None, session.kinds[(day_index + 1) % 2]),
                        ((16, 30), (17, 30), None, AgendaItem.Kind.RESTITUTION),
                    ]
                    for slot, (start, end, title, kind) in enumerate(blocks):
                        case = worked[(day_index + slot) % len(worked)] if kind in CASE_KINDS and worked else None
                        if title is None:
                            title = rng.choice(KIND_TITLES[kind])
                            if "{case}" in title and case is None:
                                kind, title = AgendaItem.Kind.WORKSHOP, "Atelier créatif"
                            title = title.format(case=case.title if case else "")
                        items.append(AgendaItem(
                            session=session, day=day, start_time=datetime.time(*start), end_time=datetime.time(*end),
                            title=title, kind=kind, description=KIND_DESCRIPTIONS.get(kind, ""), case=case,
                            facilitators=" et ".join(rng.sample(facilitators, 2)) if kind in KIND_DESCRIPTIONS else "",
                        ))
        AgendaItem.objects.bulk_create(items, batch_size=BATCH_SIZE)

    def _attendance(self, plans):
        from sessions.models import Attendance, EventStatus

        rows = []
        for plan in plans:
            rng = plan.rng
            for session in plan.sessions:
                if session.status == EventStatus.DRAFT:
                    continue  # Invitations go out when a session is announced.
                invited = plan.ambassadors + (plan.network if session.number % 4 == 0 else [])
                for ambassador in invited:
                    comes = rng.random() < ambassador.rate
                    for day_index in range(session.day_count):
                        day = session.start_date + datetime.timedelta(days=day_index)
                        if session.status == EventStatus.HELD:
                            attended = comes and rng.random() < 0.92
                            response = "yes" if attended else rng.choice(["no", "no", "pending"])
                        else:
                            attended = None
                            response = rng.choice(["pending", "yes", "yes", "no", "maybe"])
                        answered = None if response == "pending" else _at(session.start_date - datetime.timedelta(days=rng.randint(2, 20)), 10)
                        rows.append(Attendance(
                            session=session, ambassador=ambassador, day=day, response=response,
                            attended=attended, answered_at=answered,
                        ))
        Attendance.objects.bulk_create(rows, batch_size=BATCH_SIZE)

    def _journal(self, plans):
        from cases.models import ProgressEntry, Stage
        from sessions.models import EntrySession
        from transfo.demo.content import BLOCKERS, ENTRY_TEXTS

        entries, sessions_of = [], []  # the session each entry was written in, if any
        for plan in plans:
            rng = plan.rng
            held = plan.sessions[:HELD_SESSIONS]
            for case in plan.cases:
                authors = [member.user for member in case.team_members if member.user_id] + plan.residents
                count = rng.randint(*ENTRIES_PER_CASE)
                first = case.opened.start_date
                span = (held[-1].end_date - first).days
                for number in range(count):
                    entry_date = first + datetime.timedelta(days=round(number * span / count))
                    session = next((s for s in held if s.start_date <= entry_date <= s.end_date), None)
                    stage = case.stage if case.stage in ENTRY_TEXTS else Stage.FRAMING
                    done, learnt, next_steps = ENTRY_TEXTS[stage]
                    moment = _at(entry_date, 18, number % 60)
                    entries.append(ProgressEntry(
                        case=case, author=rng.choice(authors), entry_date=entry_date,
                        done=rng.choice(done).format(topic=case.spec.topic), learnt=rng.choice(learnt),
                        next_steps=rng.choice(next_steps),
                        blockers=rng.choice(BLOCKERS) if rng.random() < 0.3 else "",
                        created_at=moment, updated_at=moment,
                    ))
                    sessions_of.append(session)
        ProgressEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
        EntrySession.objects.bulk_create(
            [EntrySession(entry=entry, session=session) for entry, session in zip(entries, sessions_of) if session],
            batch_size=BATCH_SIZE,
        )

    def _gatherings(self):
        from sessions.models import EventStatus, Gathering

        count = 2 + self.labs // 50
        gatherings = []
        for number in range(count):
            host = self.all_labs[(number * 7) % len(self.all_labs)]
            start = _first_tuesday(2025 + (number + 10) // 12, (number + 10) % 12 + 1) + datetime.timedelta(days=14)
            gatherings.append(Gathering(
                programme=self.programme, host_lab=host, number=number + 1, title=f"InterTransfo n° {number + 1}",
                start_date=start, end_date=start + datetime.timedelta(days=1), place_name="Hôtel de ville",
                status=EventStatus.HELD if number < count // 2 else EventStatus.ANNOUNCED,
                objectives="Croiser les cas pratiques des labos et construire un savoir commun.",
                created_at=_at(start - datetime.timedelta(days=60), 9), updated_at=_at(start - datetime.timedelta(days=60), 9),
            ))
        Gathering.objects.bulk_create(gatherings, batch_size=BATCH_SIZE)

    # --- Documentation pages -------------------------------------------------------------

    def _pages(self, plans):
        """Seven public pages a Lab: its Lab page, two session reports, a case story, a fiche, two articles.

        The six others stand under the Lab's page, where the platform keeps a Lab's documentation
        (docs.rights): elsewhere, the next ``migrate`` would move them all there. Where the
        documentation has only articles, all seven are articles, under its index.
        """
        from django.apps import apps
        from wagtail.models import Page

        from docs.models import ArticlePage, DocumentationIndexPage
        from programmes.models import Licence

        docs = apps.get_app_config("docs")
        kinds = {name: _model_or_none(docs, name) for name in (
            "LabPage", "LabIndexPage", "SessionReportPage", "CaseStoryPage", "FichePage", "DocumentationPageTag", "ArticleTag",
        )}
        index = DocumentationIndexPage.objects.get()
        lab_index = Page.objects.type(kinds["LabIndexPage"]).first() if kinds["LabIndexPage"] else None
        pages, lab_pages = [], []
        for plan in plans:
            rng = random.Random(f"{SEED}:pages:{plan.index}")
            lab = plan.lab
            home = index
            for number in range(PAGES_PER_LAB):
                case = plan.cases[number % CASES_PER_LAB]
                spec = case.spec
                day = lab.start_date + datetime.timedelta(days=30 + 60 * number)
                slug = f"{lab.slug}-{number + 1}"
                model, parent = ArticlePage, home
                if number == 0 and kinds["LabPage"] and lab_index:
                    model, parent, slug = kinds["LabPage"], lab_index.specific, lab.slug
                elif number in (1, 2) and kinds["SessionReportPage"]:
                    model = kinds["SessionReportPage"]
                elif number == 3 and kinds["CaseStoryPage"]:
                    model = kinds["CaseStoryPage"]
                elif number == 4 and kinds["FichePage"]:
                    model = kinds["FichePage"]
                session = plan.sessions[(number - 1) * (SESSIONS_PER_LAB - 1)] if number in (1, 2) else None
                body = [
                    _block(slug, 0, "heading", {"text": "Le problème", "level": "h2"}),
                    _block(slug, 1, "paragraph", f"<p>{spec.problem}</p>"),
                    _block(slug, 2, "heading", {"text": "Ce que nous en retenons", "level": "h2"}),
                    _block(slug, 3, "paragraph", f"<p>{spec.lessons}</p>"),
                ]
                point = {"text": f"<p>{spec.lessons}</p>", "sessions": [], "cases": []}
                values = {
                    "title": lab.name if model is kinds["LabPage"] else f"{lab.name} : {spec.title}",
                    "slug": slug, "date": day, "lab": lab, "intro": f"Ce que {lab.name} a appris sur {spec.topic}. {spec.problem}"[:500],
                    "authors": "L'équipe des résident·es", "licence": Licence.CC_BY_SA_4, "body": body,
                    "session": session, "start_date": session.start_date if session else None,
                    "end_date": session.end_date if session else None,
                    "case": case, "problem": spec.problem, "stage": case.stage, "lessons": spec.lessons,
                    "first_published_at": _at(day, 10), "last_published_at": _at(day, 10),
                }
                if model is kinds["FichePage"]:
                    values.update(
                        hypotheses=[_block(slug, 4, "point", point)], observations=[_block(slug, 5, "point", point)],
                        lessons=[_block(slug, 6, "point", point)],
                    )
                page = model(**{name: value for name, value in values.items() if _has_field(model, name)})
                page.parent_page = parent
                page.tag_names = rng.sample(spec.tags, 2)
                pages.append(page)
                if model is kinds["LabPage"]:
                    lab_pages.append(page)
                    home = page
        # The Lab pages first: the others need their tree paths.
        create_pages(lab_index, lab_pages)
        by_parent, lab_page_ids = {}, {id(page) for page in lab_pages}
        for page in pages:
            if id(page) not in lab_page_ids:
                by_parent.setdefault((id(page.parent_page), type(page)), []).append(page)
        for (_parent, model), group in by_parent.items():
            create_pages(group[0].parent_page, group)
        by_parent[(id(lab_index), kinds["LabPage"])] = lab_pages
        tag_model = kinds["DocumentationPageTag"] or kinds["ArticleTag"]
        tag_model.objects.bulk_create(
            [tag_model(tag=self.tags[name], content_object_id=page.pk) for page in pages for name in page.tag_names],
            batch_size=BATCH_SIZE,
        )
        for (_parent, model), group in by_parent.items():
            index_pages(model, [page.pk for page in group])


class _LabPlan:
    def __init__(self, *, index, lab, rng):
        self.index, self.lab, self.rng = index, lab, rng
        self.residents, self.host, self.ambassador_users = [], None, []
        self.ambassadors, self.network, self.sessions, self.cases = [], [], [], []


def _model_or_none(app_config, name):
    try:
        return app_config.get_model(name)
    except LookupError:
        return None


def _has_field(model, name):
    try:
        model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist
        return False
    return True


def _block(slug, position, kind, value):
    return {"type": kind, "id": str(uuid.uuid5(PAGE_NAMESPACE, f"{slug}:{position}")), "value": value}


def create_pages(parent, pages):
    """Insert live Wagtail pages of one model under ``parent`` in bulk, with their tree paths computed here.

    ``add_child`` takes a lock and a few queries per page; a tree path is the parent's path plus a
    4-character step (treebeard), so a batch of children just takes the next steps in a row.
    Page rows are bulk inserted, then the rows of each table down to the specific model
    (multi-table inheritance, which ``bulk_create`` refuses) with the same primary keys.
    """
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Locale, Page

    if not pages:
        return
    model = type(pages[0])
    locale = Locale.get_default()
    content_type = ContentType.objects.get_for_model(model)
    last = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("-path").first()
    step = Page._str2int(last.path[-Page.steplen:]) if last else 0
    bases = []
    for page in pages:
        step += 1
        bases.append(Page(
            title=page.title, draft_title=page.title, slug=page.slug, content_type=content_type,
            path=Page._get_path(parent.path, parent.depth + 1, step), depth=parent.depth + 1, numchild=0,
            url_path=f"{parent.url_path}{page.slug}/", live=True, has_unpublished_changes=False,
            first_published_at=page.first_published_at, last_published_at=page.last_published_at,
            locale=locale, translation_key=uuid.uuid5(PAGE_NAMESPACE, f"{model._meta.label}:{page.slug}"),
        ))
    Page.objects.bulk_create(bases, batch_size=BATCH_SIZE)
    # From the table just under Page down to the specific model's own.
    tables = [cls for cls in reversed(model._meta.get_parent_list()) if cls is not Page] + [model]
    for base, page in zip(bases, pages):
        page.path, page.depth, page.url_path = base.path, base.depth, base.url_path  # a parent of the next batch
        for table in tables:
            for link in table._meta.parents.values():
                setattr(page, link.attname, base.pk)
    for table in tables:
        fields = list(table._meta.local_concrete_fields)
        for first in range(0, len(pages), BATCH_SIZE):
            # What bulk_create does for one table, for this table alone.
            table._base_manager._insert(pages[first:first + BATCH_SIZE], fields=fields, using="default")
    Page.objects.filter(pk=parent.pk).update(
        numchild=Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).count()
    )


def index_pages(model, pks):
    """Add the pages to the search index in batches (the search backend's bulk insert)."""
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    with _choices_not_looked_up(model):
        for first in range(0, len(pks), 500):
            backend.add_bulk(model, list(model.objects.filter(pk__in=pks[first:first + 500])))


@contextmanager
def _choices_not_looked_up(model):
    """Index without reading choice blocks' choices (those the generated pages leave empty).

    A choice block's searchable content is the label of its value, looked up in its choices;
    when they come from a callable reading the database (every session, every case) that is a
    full read per block and per page, hours at S=100, to label values the generated pages do
    not have: their index entries are the same without it.
    """
    from wagtail import blocks
    from wagtail.fields import StreamField

    def walk(block):
        if isinstance(block, (blocks.ChoiceBlock, blocks.MultipleChoiceBlock)):
            yield block
        for child in getattr(block, "child_blocks", {}).values():
            yield from walk(child)
        if getattr(block, "child_block", None) is not None:
            yield from walk(block.child_block)

    found = [
        block for field in model._meta.get_fields() if isinstance(field, StreamField)
        for block in walk(field.stream_block) if block.search_index
    ]
    for block in found:
        block.search_index = False
    try:
        yield
    finally:
        for block in found:
            block.search_index = True


def main(argv=None):
    import django

    parser = argparse.ArgumentParser(description="Charge les données du banc d'essai à l'échelle S.")
    parser.add_argument("--scale", type=float, required=True)
    args = parser.parse_args(argv)
    django.setup()
    import sys

    print(f"Génération à l'échelle {args.scale:g} ({lab_count(args.scale)} labos)…", flush=True)
    result = generate(args.scale, stdout=sys.stdout)
    state = "créées" if result["created"] else "déjà présentes"
    print(f"Données {state} en {result['seconds']} s : " + ", ".join(f"{k}={v}" for k, v in result["counts"].items()))


if __name__ == "__main__":
    main()
