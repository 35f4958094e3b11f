"""A second, fictional programme, under way on the day the demo is loaded.

La Transfo 2016–2020 shows the platform's memory; this one lets a newcomer try its journeys:
three Labs started 4, 7 and 10 months before the day of loading, their past sessions held
(attendance, minutes, photos), the next one within the coming fortnight (announced, some answers
in), the later ones planned; cases at every stage with recent journal entries, one case left
without an entry for over a month, one stage proposal waiting in the residents' mail, one draft
article waiting in the moderation workflow.

Every date is computed from ``today`` (the day of loading): the same day gives the same rows, and
a second load that day changes nothing. The programme's description names that day, which is how
a later load knows the dates have moved: it keeps the programme, its collectivités, Labs, people
and pages (same rows, found by slug or e-mail) and rebuilds the Labs' sessions and cases for the
new day (same numbers and slugs, so the same addresses); what was written in them is lost,
nothing is duplicated.
"""
import datetime
import random
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cases.models import Case, ProgressEntry, Stage, StageChange, StageProposal
from docs.models import ArticlePage
from outbox.services import queue_mail
from programmes.models import Collectivite, Coordination, Lab, Licence, Programme, Visibility
from sessions.models import EventStatus, Session, SessionPhoto
from sessions.planning import propose_rhythm

from .content import (
    BLOCKERS,
    CASES,
    CLOSING_THEME,
    DISCIPLINES,
    EMAIL_DOMAIN,
    ENTRY_TEXTS,
    METIERS_COMMON,
    METIERS_LOCAL,
    SESSION_THEMES,
    STAGE_ORDER,
)
from .loader import (
    LabPlan,
    _at,
    _backdate,
    _block,
    _leave,
    _link_sessions_and_cases,
    _load_agenda,
    _load_attendance,
    _load_journal,
    _load_lab_pages,
    _upsert,
    load_ambassadors,
    load_collectivites,
    load_runners,
)
from .pictures import CREDIT, draw_picture

SEED = "transfo-demo-en-cours"
PROGRAMME_SLUG = "transfo-demo-en-cours"
STALE_DAYS = 40  # the board calls a case inactive after 30 days without an entry


@dataclass(frozen=True)
class RunningLabSpec:
    collectivite: str
    name: str
    months_ago: int
    days_per_session: int
    next_in: tuple  # the next session starts between these many days after today
    residents: int
    cases: tuple  # (case key of content.CASES, its stage today)
    stale: str  # the case left without an entry for over a month
    description: str


COLLECTIVITES = [
    ("belval", "Ville de Belval-sur-Loire (fictive)", Collectivite.Kind.VILLE, "49", "https://belval.example",
     "Hôtel de ville de Belval", "1 place de la Mairie\n49000 Belval-sur-Loire"),
    ("val-d-orme", "Communauté urbaine du Val d'Orme (fictive)", Collectivite.Kind.COMMUNAUTE_URBAINE, "21",
     "https://val-d-orme.example", "Maison de la communauté", "12 quai des Tanneurs\n21000 Val-d'Orme"),
    ("haute-sorgue", "Département de la Haute-Sorgue (fictif)", Collectivite.Kind.DEPARTEMENT, "84",
     "https://haute-sorgue.example", "Hôtel du Département", "3 cours des Platanes\n84000 Sorgue-la-Haute"),
]

LABS = [
    RunningLabSpec(
        "belval", "La Transfo de Belval", 10, 2, (3, 9), 3,
        (("accueil-etat-civil", Stage.DEPLOYMENT), ("courriers-langage-clair", Stage.PROTOTYPING),
         ("abords-ecoles", Stage.TESTING), ("tiers-lieu-mairie", Stage.ABANDONED),
         ("jardins-partages", Stage.INQUIRY)),
        "jardins-partages",
        "Une Transfo fictive, en cours, pour essayer la plateforme : une ville moyenne qui prépare son labo.",
    ),
    RunningLabSpec(
        "val-d-orme", "La Transfo du Val d'Orme", 7, 3, (8, 13), 4,
        (("non-recours", Stage.TESTING), ("demarches-en-ligne", Stage.PROTOTYPING),
         ("depots-sauvages", Stage.IDEATION), ("integration-nouveaux-agents", Stage.INQUIRY)),
        "",
        "Une Transfo fictive, en cours : une intercommunalité et ses communes autour de cas partagés.",
    ),
    RunningLabSpec(
        "haute-sorgue", "La Transfo de la Haute-Sorgue", 4, 1, (5, 7), 3,
        (("transport-rural", Stage.IDEATION), ("restauration-scolaire", Stage.INQUIRY),
         ("bibliotheque-hors-les-murs", Stage.FRAMING)),
        "",
        "Une Transfo fictive, en cours : un département rural, quatre mois après son lancement.",
    ),
]

DRAFT = {
    "lab": "val-d-orme",
    "slug": "premiers-enseignements-du-val-d-orme",
    "title": "Premiers enseignements de la Transfo du Val d'Orme",
    "intro": "Ce que les premiers mois ont appris à l'équipe, avant relecture par la coordination.",
    "body": [
        ("heading", "Ce qui a marché"),
        ("paragraph", "Les immersions dans les services ont convaincu plus que les présentations : les "
                      "ambassadeur·rices racontent ce qu'ils ont vu à leurs collègues."),
        ("heading", "Ce qui reste difficile"),
        ("paragraph", "Trouver du temps entre deux sessions pour le journal de bord des cas."),
    ],
}

PHOTO_CAPTIONS = [
    "Le mur des idées en fin de journée",
    "Atelier en petits groupes autour des cas",
    "Restitution collective devant les maquettes",
]


def programme_values(today):
    first_start = _months_before(today, max(spec.months_ago for spec in LABS))
    return {
        "name": "Transfo démo — programme fictif en cours",
        "organiser": "Coordination fictive de la démo",
        "start_date": first_start,
        "end_date": _months_after(first_start, 24) - datetime.timedelta(days=1),
        "default_licence": Licence.CC_BY_SA_4,
        # Names the day of loading: a load on another day sees it has changed (module docstring).
        "description": (
            "Programme entièrement fictif, pour essayer la plateforme sur une Transfo en cours : ses dates "
            f"sont calculées à partir du jour où la démo a été chargée ({today.isoformat()}). Trois labos, "
            "des sessions passées et à venir, des cas pratiques à toutes les étapes."
        ),
    }


def load_running_programme(*, today, names, accounts, site_wide):
    """Load the running programme for ``today``; returns its demo logins and its Labs' plans."""
    values = programme_values(today)
    previous = Programme.objects.filter(slug=PROGRAMME_SLUG).first()
    moved = previous is not None and previous.description != values["description"]
    programme, _created = _upsert(Programme, {"slug": PROGRAMME_SLUG}, values)
    coordinator = accounts.get(
        email=f"coordination-en-cours@{EMAIL_DOMAIN}", first_name="Samia", last_name="Benali"
    )
    _leave(coordinator, site_wide)
    Coordination.objects.get_or_create(programme=programme, user=coordinator)
    logins = [{"role": f"{_('Coordination du programme')} — {programme.name}", "email": coordinator.email, "lab": None}]

    collectivites = load_collectivites(COLLECTIVITES)

    plans = []
    for spec in LABS:
        start = _months_before(today, spec.months_ago)
        lab, _created = _upsert(Lab, {"slug": f"transfo-{spec.collectivite}"}, {
            "programme": programme, "collectivite": collectivites[spec.collectivite], "name": spec.name,
            "start_date": start, "end_date": _months_after(start, 18) - datetime.timedelta(days=1),
            "description": spec.description, "phase": Lab.Phase.RUNNING,
        })
        if moved:
            _clear_dated_rows(lab)
        plan = LabPlan(spec=spec, lab=lab, rng=random.Random(f"{SEED}:{today.isoformat()}:{spec.collectivite}"))
        _load_team(plan, names, accounts, site_wide)
        _load_sessions(plan, today)
        _load_cases(plan, today)
        _link_sessions_and_cases(plan)
        _load_agenda(plan)
        _load_attendance(plan, today=today)
        _load_journal(plan)
        _load_recent_entries(plan, today)
        _load_photos(plan)
        plans.append(plan)
        logins.extend(plan.logins)

    _queue_stage_proposal(plans[0])
    return logins, plans


def load_running_pages(plans):
    """The Labs' public pages and the draft in moderation, once the Labs have their places."""
    places = _load_lab_pages(
        {plan.spec.collectivite: plan.lab for plan in plans}, [_PageSpec(plan.spec, plan.lab) for plan in plans]
    )
    draft_plan = next(plan for plan in plans if plan.spec.collectivite == DRAFT["lab"])
    _load_draft_in_moderation(places[DRAFT["lab"]], draft_plan)


@dataclass(frozen=True)
class _PageSpec:
    """What ``_load_lab_pages`` reads of a Lab's spec."""

    collectivite: str
    start: datetime.date
    description: str

    def __init__(self, spec, lab):
        object.__setattr__(self, "collectivite", spec.collectivite)
        object.__setattr__(self, "start", lab.start_date)
        object.__setattr__(self, "description", spec.description)


def _clear_dated_rows(lab):
    """The Lab's sessions and cases (and all that hangs from them), to be rebuilt for a new day."""
    for photo in SessionPhoto.objects.filter(session__lab=lab):
        photo.image.delete(save=False)
    Session.objects.filter(lab=lab).delete()
    Case.objects.filter(lab=lab).delete()


def _load_team(plan, names, accounts, site_wide):
    spec, lab, rng = plan.spec, plan.lab, random.Random(f"{SEED}:team:{plan.spec.collectivite}")
    disciplines = ["designer de services", "sociologue"] + rng.sample(DISCIPLINES[2:], spec.residents - 2)
    load_runners(plan, names, accounts, site_wide, disciplines=disciplines, rng=rng)
    pool = rng.sample(METIERS_LOCAL, 6) + rng.sample(METIERS_COMMON, 8)
    load_ambassadors(
        plan, names, accounts, pool, rng=rng, ambassadors=12, with_accounts=2, joined_on=lab.start_date, rates=(0.6, 0.95)
    )


def rhythm_for(lab, spec, today):
    """The Lab's monthly sessions: the rhythm planner's, from the first start in the Lab's first two
    months that puts the next session ``spec.next_in`` days away with no session on ``today``.

    Public holidays and August are left out by the planner. The first session may come up to
    eight weeks after the Lab's start (a Lab opening in August starts in September). When no start
    gives such a gap (a summer break, say), the one whose next session is nearest to it is kept.
    """
    best, best_distance = None, None
    for shift in range(56):
        proposals = [
            (first, last) for first, last in propose_rhythm(
                start=lab.start_date + datetime.timedelta(days=shift), session_count=18,
                days_per_session=spec.days_per_session, holiday_subdivision=lab.collectivite.holiday_subdivision,
            ) if last <= lab.end_date
        ]
        upcoming = [first for first, _last in proposals if first > today]
        held = [last for _first, last in proposals if last < today]
        if not upcoming or len(held) < 2 or len(held) + len(upcoming) != len(proposals):
            continue
        gap = (upcoming[0] - today).days
        distance = max(spec.next_in[0] - gap, gap - spec.next_in[1], 0)
        if distance == 0:
            return proposals
        if best is None or distance < best_distance:
            best, best_distance = proposals, distance
    if best is None:
        raise ValueError(f"{lab.name}: no rhythm found for {today}.")
    return best


def _load_sessions(plan, today):
    lab = plan.lab
    seat_name, _newline, street = lab.collectivite.seat_address.partition("\n")
    proposals = rhythm_for(lab, plan.spec, today)
    count = len(proposals)
    plan.held = sum(1 for _first, last in proposals if last < today)
    for number, (first_day, last_day) in enumerate(proposals):
        title, objectives, morning, afternoon = CLOSING_THEME if number == count - 1 else SESSION_THEMES[number]
        if number < plan.held:
            status = EventStatus.HELD
        elif number == plan.held:
            status = EventStatus.ANNOUNCED
        else:
            status = EventStatus.DRAFT
        visibility = Visibility.PUBLIC if number == 0 else Visibility.PROGRAMME if number % 3 == 2 else Visibility.LAB
        session, created = _upsert(Session, {"lab": lab, "number": number}, {
            "title": title, "start_date": first_day, "end_date": last_day, "place_name": seat_name,
            "place_address": street, "status": status, "objectives": objectives, "visibility": visibility,
        })
        if created:
            _backdate(session, min(first_day - datetime.timedelta(days=40), today - datetime.timedelta(days=1)))
        session.demo_kinds = (morning, afternoon)
        plan.sessions.append(session)


def _path_to(stage):
    if stage == Stage.ABANDONED:
        return STAGE_ORDER[:3] + [Stage.ABANDONED]
    return STAGE_ORDER[: STAGE_ORDER.index(stage) + 1]


def _load_cases(plan, today):
    """Each case at its stage, moved on by held sessions; the stale one stopped over a month ago."""
    lab, rng = plan.lab, plan.rng
    held = plan.sessions[: plan.held]
    with_account = [a for a in plan.ambassadors if a.user_id]
    others = [a for a in plan.ambassadors if not a.user_id]
    old_enough = [s.number for s in held if s.end_date <= today - datetime.timedelta(days=STALE_DAYS)]
    for index, (key, stage) in enumerate(plan.spec.cases):
        case_spec = CASES[key]
        path = _path_to(stage)
        last = old_enough[-1] if key == plan.spec.stale and old_enough else plan.held - 1
        start = 0 if len(path) > 2 else min(1, last)
        changes = len(path) - 1
        # Spread over the sessions after the first; two moves may share a session in a young Lab.
        slots = list(range(start + 1, last + 1)) or [start]
        change_sessions = [slots[max(0, round((step + 1) * len(slots) / changes) - 1)]
                           for step in range(changes)]
        visibility = [Visibility.PUBLIC, Visibility.PROGRAMME, Visibility.LAB][index % 3]
        case, created = _upsert(Case, {"lab": lab, "slug": key}, {
            "title": case_spec.title, "problem_statement": case_spec.problem, "sponsoring_service": case_spec.service,
            "stage": stage, "lessons": case_spec.lessons if stage == Stage.ABANDONED else "", "visibility": visibility,
        })
        if created:
            _backdate(case, _at(held[start].start_date, 11))
        case.tags.set(list(case_spec.tags))
        team = [with_account[index % len(with_account)]] if index < len(with_account) * 2 else []
        team += rng.sample([a for a in others if a not in team], rng.randint(3, 5) - len(team))
        case.team.set(team)
        history = [("", path[0], _at(held[start].start_date, 11))]
        for step, (from_stage, to_stage) in enumerate(zip(path, path[1:])):
            history.append((from_stage, to_stage, _at(held[change_sessions[step]].end_date, 16, 30 + step)))
        # Drawn for every change before looking at the database: a second load draws the same.
        changes = [
            StageChange(case=case, from_stage=from_stage, to_stage=to_stage, changed_at=changed_at,
                        changed_by=rng.choice(plan.residents + [plan.host]))
            for from_stage, to_stage, changed_at in history
        ]
        existing = set(case.stage_changes.values_list("from_stage", "to_stage"))
        StageChange.objects.bulk_create([c for c in changes if (c.from_stage, c.to_stage) not in existing])
        case.demo_history = history
        case.demo_active = (start, last)
        case.demo_team = team
        case.demo_stale = key == plan.spec.stale
        plan.cases.append(case)


def _load_recent_entries(plan, today):
    """A journal entry in the past week for every case but the stale one."""
    rng = plan.rng
    existing = set(ProgressEntry.objects.filter(case__lab=plan.lab).values_list("case_id", "entry_date"))
    entries = []
    for index, case in enumerate(plan.cases):
        day = today - datetime.timedelta(days=1 + index % 6)
        authors = [a.user for a in case.demo_team if a.user_id] + plan.residents
        done, learnt, next_steps = ENTRY_TEXTS[case.stage]
        entry = ProgressEntry(
            case=case, author=rng.choice(authors), entry_date=day,
            done=rng.choice(done).format(topic=CASES[case.slug].topic), learnt=rng.choice(learnt),
            next_steps=rng.choice(next_steps), blockers=rng.choice(BLOCKERS) if index % 3 == 1 else "",
        )
        if not case.demo_stale and (case.pk, day) not in existing:
            entries.append(entry)
    for entry in ProgressEntry.objects.bulk_create(entries):
        ProgressEntry.objects.filter(pk=entry.pk).update(created_at=_at(entry.entry_date, 18), updated_at=_at(entry.entry_date, 18))


def _load_photos(plan):
    """One drawn picture per held session, credited and licensed in its caption."""
    author = plan.residents[0]
    with_photo = set(SessionPhoto.objects.filter(session__lab=plan.lab).values_list("session_id", flat=True))
    for session in plan.sessions[: plan.held]:
        if session.pk in with_photo:
            continue
        caption = f"{PHOTO_CAPTIONS[session.number % len(PHOTO_CAPTIONS)]} ({CREDIT})"
        photo = SessionPhoto(session=session, caption=caption, uploaded_by=author)
        seed = f"{SEED}:{plan.lab.slug}:{session.number}"
        photo.image.save(f"demo-{plan.lab.slug}-{session.number}.jpg", ContentFile(draw_picture(seed)), save=False)
        photo.save()
        SessionPhoto.objects.filter(pk=photo.pk).update(uploaded_at=_at(session.end_date, 17))


def _queue_stage_proposal(plan):
    """An ambassador with an account proposes to move one of their cases on: the residents' mail.

    Keyed in the outbox by Lab, case and recipient, so it is queued once whatever the day.
    """
    ambassador = plan.ambassadors[0]
    case = next(c for c in plan.cases if ambassador in c.demo_team and c.stage in STAGE_ORDER[:-1])
    to_stage = STAGE_ORDER[STAGE_ORDER.index(case.stage) + 1]
    context = {
        "case": case, "to_stage": Stage(to_stage).label,
        "note": "Le prototype a été montré à une quinzaine d'usagers : nous sommes prêts à le tester au guichet.",
        "proposer": ambassador.user.get_full_name(), "case_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + case.get_absolute_url(),
    }
    subject = _("%(case)s : proposition de passer à l'étape « %(stage)s »") % {
        "case": case.title, "stage": context["to_stage"],
    }
    body = render_to_string("cases/email/stage_proposal.txt", context)
    for member in plan.residents + [plan.host]:
        queue_mail(to=member.email, subject=subject, body_text=body,
                   key=f"demo-stage-proposal-{plan.lab.slug}-{case.slug}-{member.pk}")
    # The proposal itself, as the case page and « Mon espace » show it until the case moves.
    StageProposal.objects.get_or_create(
        case=case, to_stage=to_stage, proposed_by=ambassador.user, defaults={"note": context["note"]}
    )


def _load_draft_in_moderation(place, plan):
    """A resident's article, submitted to the moderation workflow and waiting there."""
    if ArticlePage.objects.filter(slug=DRAFT["slug"]).exists():
        return
    author = plan.residents[0]
    page = ArticlePage(
        title=DRAFT["title"], slug=DRAFT["slug"], date=plan.sessions[plan.held - 1].end_date, intro=DRAFT["intro"],
        lab=plan.lab, authors=author.get_full_name(), licence=Licence.CC_BY_SA_4, live=False, owner=author,
        body=[_block(DRAFT["slug"], position, kind, text) for position, (kind, text) in enumerate(DRAFT["body"])],
    )
    place.add_child(instance=page)
    page.save_revision(user=author)
    page.get_workflow().start(page, author)


def _months_before(day, months):
    """The first day of the month ``months`` months before ``day``'s."""
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _months_after(first_of_month, months):
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)
