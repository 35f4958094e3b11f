"""The digest of a Lab's cases: one mail a day or a week for those who run it, never empty, never twice."""
import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.digest import build_digest, due_period, send_due_digests
from cases.models import DigestPreference, ProgressEntry, Stage, StageChange
from cases.tasks import send_digests_task
from outbox.models import OutgoingMail
from programmes.models import Coordination, LabMembership, Visibility
from transfo.celery import app as celery_app

from ..queries import exactly
from ..browser.accessibility import serious_violations
from ..factories import make_ambassador, make_case, make_entry, make_lab, make_resident, make_user
from ..browser.login import logged_in

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
MONDAY = datetime.date(2031, 3, 10)


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


def days(count):
    return datetime.timedelta(days=count)


# Tuesday 11 March 2031, 8 a.m. in Paris: the daily digest of Monday 10 is due.
TUESDAY_MORNING = at(MONDAY + days(1), 8)


def entry_at(case, moment, **overrides):
    entry = make_entry(case, **overrides)
    ProgressEntry.objects.filter(pk=entry.pk).update(created_at=moment)
    return entry


def move_at(case, moment, to_stage=Stage.INQUIRY, by=None):
    return StageChange.objects.create(case=case, from_stage=case.stage, to_stage=to_stage, changed_at=moment, changed_by=by)


def digests():
    return {mail.to: mail for mail in OutgoingMail.objects.filter(key__startswith="cases-digest-")}


@pytest.fixture
def world():
    lab = make_lab(name="La Transfo de Mulhouse")
    other_lab = make_lab(name="La Transfo de Metz", programme=lab.programme)
    resident = make_resident(lab, user=make_user(first_name="Rosa", email="rosa@mulhouse.example")).user
    host = LabMembership.objects.create(
        lab=lab, user=make_user(first_name="Hugo", email="hugo@mulhouse.example"), role=LabMembership.Role.HOST
    ).user
    ambassador = make_user(first_name="Alex", last_name="Agent", email="alex@mulhouse.example")
    make_ambassador(lab, user=ambassador, email=ambassador.email)
    case = make_case(lab, title="Accueil des usagers", slug="accueil")
    other_case = make_case(other_lab, title="Cas de Metz", slug="metz", visibility=Visibility.PROGRAMME)
    return {
        "lab": lab,
        "other_lab": other_lab,
        "resident": resident,
        "host": host,
        "ambassador": ambassador,
        "case": case,
        "other_case": other_case,
    }


def test_daily_digest_lists_yesterday_s_entries_and_moves_with_a_link_to_each_case(world):
    case = world["case"]
    entry = entry_at(case, at(MONDAY, 10), author=world["ambassador"], done="Nous avons observé le guichet.")
    # Paris midnights, not UTC ones: 23:30 on Monday is in, 00:15 on Tuesday is out.
    late = entry_at(case, at(MONDAY, 23, 30), done="Relecture tardive du compte rendu.")
    entry_at(case, at(MONDAY - days(1), 23, 50), done="Texte du dimanche.")
    entry_at(case, at(MONDAY + days(1), 0, 15), done="Texte du mardi.")
    move_at(case, at(MONDAY, 16), by=world["ambassador"])

    queued = send_due_digests(TUESDAY_MORNING)

    sent = digests()
    assert queued == 2
    assert sorted(sent) == ["hugo@mulhouse.example", "rosa@mulhouse.example"]
    body = sent["rosa@mulhouse.example"].body_text
    case_url = settings.WAGTAILADMIN_BASE_URL + case.get_absolute_url()
    assert body.startswith("Bonjour Rosa,")
    assert "lundi 10 mars 2031" in body
    assert "Accueil des usagers\n" + case_url + "\n" in body
    assert "Étape : Cadrage → Enquête / immersion (Alex Agent)" in body
    assert "Nous avons observé le guichet." in body
    assert "Relecture tardive du compte rendu." in body
    assert f"{case_url}journal/{entry.pk}/" in body
    assert f"{case_url}journal/{late.pk}/" in body
    assert "Texte du dimanche." not in body
    assert "Texte du mardi." not in body
    assert sent["rosa@mulhouse.example"].subject == "Vos cas du lundi 10 mars 2031 : 2 entrées, 1 changement d'étape"


def test_daily_digest_waits_for_the_morning(world):
    entry_at(world["case"], at(MONDAY, 10))

    queued_at_night = send_due_digests(at(MONDAY + days(1), 5, 30))
    queued_in_the_morning = send_due_digests(at(MONDAY + days(1), 6, 0))

    assert (queued_at_night, queued_in_the_morning) == (0, 2)


def test_weekly_digest_covers_last_monday_to_sunday(world):
    DigestPreference.objects.create(user=world["resident"], frequency=DigestPreference.Frequency.WEEKLY)
    case = world["case"]
    entry_at(case, at(MONDAY, 0, 10), done="Premier jour de la semaine.")
    entry_at(case, at(MONDAY + days(6), 23, 50), done="Dernier soir de la semaine.")
    entry_at(case, at(MONDAY - days(1), 23, 50), done="Semaine d'avant.")
    entry_at(case, at(MONDAY + days(7), 0, 10), done="Semaine d'après.")

    send_due_digests(at(MONDAY + days(7), 7))

    weekly = OutgoingMail.objects.get(to="rosa@mulhouse.example", key__contains="-weekly-")
    assert weekly.key == f"cases-digest-weekly-2031-03-10-{world['resident'].pk}"
    assert weekly.subject == "Vos cas de la semaine du lundi 10 mars au dimanche 16 mars 2031 : 2 entrées"
    assert "Premier jour de la semaine." in weekly.body_text
    assert "Dernier soir de la semaine." in weekly.body_text
    assert "Semaine d'avant." not in weekly.body_text
    assert "Semaine d'après." not in weekly.body_text
    # A weekly reader gets no daily digest.
    assert not OutgoingMail.objects.filter(to="rosa@mulhouse.example", key__contains="-daily-").exists()


def test_due_periods_in_paris_time():
    assert due_period("daily", at(MONDAY + days(1), 8)) == due_period("daily", at(MONDAY + days(2), 5, 59))
    assert due_period("daily", at(MONDAY + days(1), 8)).first_day == MONDAY
    # Summer time starts on Sunday 30 March 2031: Monday 31 still starts at midnight in Paris.
    period = due_period("daily", at(datetime.date(2031, 4, 1), 9))
    assert (period.start.isoformat(), period.end.isoformat()) == ("2031-03-31T00:00:00+02:00", "2031-04-01T00:00:00+02:00")
    weekly = due_period("weekly", at(datetime.date(2031, 3, 31), 6))
    assert (weekly.first_day, weekly.last_day) == (datetime.date(2031, 3, 24), datetime.date(2031, 3, 30))
    assert weekly.start.utcoffset() == datetime.timedelta(hours=1)
    assert weekly.end.utcoffset() == datetime.timedelta(hours=2)


def test_task_run_twice_sends_one_mail_per_person_and_period(world, django_capture_on_commit_callbacks):
    entry_at(world["case"], at(MONDAY, 10), author=world["ambassador"])

    with django_capture_on_commit_callbacks(execute=True):
        send_digests_task.apply(kwargs={"now": TUESDAY_MORNING.isoformat()})
        send_digests_task.apply(kwargs={"now": (TUESDAY_MORNING + datetime.timedelta(hours=9)).isoformat()})

    assert sorted(message.to[0] for message in mail.outbox) == ["hugo@mulhouse.example", "rosa@mulhouse.example"]

    entry_at(world["case"], at(MONDAY + days(1), 10), author=world["ambassador"])
    with django_capture_on_commit_callbacks(execute=True):
        send_digests_task.apply(kwargs={"now": (TUESDAY_MORNING + days(1)).isoformat()})
        send_digests_task.apply(kwargs={"now": (TUESDAY_MORNING + days(1)).isoformat()})

    assert len(mail.outbox) == 4


def test_no_mail_when_nothing_happened(world):
    entry_at(world["case"], at(MONDAY - days(3), 10))

    assert send_due_digests(TUESDAY_MORNING) == 0
    assert digests() == {}


def test_nothing_from_a_lab_the_reader_does_not_run(world):
    # Shared with the programme: the resident may read it, but does not run its Lab.
    entry_at(world["other_case"], at(MONDAY, 10), done="Nouvelles de Metz.")
    move_at(world["other_case"], at(MONDAY, 11))

    assert send_due_digests(TUESDAY_MORNING) == 0

    entry_at(world["case"], at(MONDAY, 12), done="Nouvelles de Mulhouse.")
    send_due_digests(TUESDAY_MORNING)

    body = digests()["rosa@mulhouse.example"].body_text
    assert "Nouvelles de Mulhouse." in body
    assert "Metz" not in body


def test_only_cases_the_reader_may_read():
    # An admin asking for the digest runs every Lab, and reads each of them whole.
    admin = make_user(email="admin@transfo.example", is_superuser=True)
    DigestPreference.objects.create(user=admin, frequency=DigestPreference.Frequency.DAILY)
    coordinator = make_user(email="coord@transfo.example")
    lab = make_lab()
    Coordination.objects.create(programme=lab.programme, user=coordinator)
    DigestPreference.objects.create(user=coordinator, frequency=DigestPreference.Frequency.DAILY)
    stranger_lab = make_lab()
    entry_at(make_case(lab), at(MONDAY, 10), done="Dans le programme coordonné.")
    entry_at(make_case(stranger_lab, visibility=Visibility.PUBLIC), at(MONDAY, 10), done="Ailleurs, public.")

    send_due_digests(TUESDAY_MORNING)

    sent = digests()
    assert "Dans le programme coordonné." in sent["coord@transfo.example"].body_text
    assert "Ailleurs, public." not in sent["coord@transfo.example"].body_text
    assert "Ailleurs, public." in sent["admin@transfo.example"].body_text


def test_what_the_reader_did_is_left_out(world):
    entry_at(world["case"], at(MONDAY, 10), author=world["resident"], done="Écrit par Rosa.")
    move_at(world["case"], at(MONDAY, 11), by=world["resident"])

    send_due_digests(TUESDAY_MORNING)

    sent = digests()
    assert sorted(sent) == ["hugo@mulhouse.example"]
    assert "Écrit par Rosa." in sent["hugo@mulhouse.example"].body_text


def test_who_receives_by_default_and_by_choice(world):
    DigestPreference.objects.create(user=world["host"], frequency=DigestPreference.Frequency.NONE)
    # An ambassador who asks for it runs no Lab: there is nothing for them.
    DigestPreference.objects.create(user=world["ambassador"], frequency=DigestPreference.Frequency.DAILY)
    entry_at(world["case"], at(MONDAY, 10))

    send_due_digests(TUESDAY_MORNING)

    assert sorted(digests()) == ["rosa@mulhouse.example"]


def test_building_a_digest_costs_the_same_with_one_item_or_many(world):
    period = due_period("daily", TUESDAY_MORNING)
    entry_at(world["case"], at(MONDAY, 9), author=world["ambassador"])
    with CaptureQueriesContext(connection) as few:
        build_digest(world["resident"], period)
    for hour in range(10, 12):
        case = make_case(world["lab"])
        entry_at(case, at(MONDAY, hour), author=world["ambassador"])
        move_at(case, at(MONDAY, hour), by=world["ambassador"])
    with CaptureQueriesContext(connection) as many:
        digest = build_digest(world["resident"], period)

    assert (digest.entry_count, digest.change_count) == (3, 2)
    assert len(few) == len(many) == exactly(2)


def test_a_busy_case_shows_its_latest_entries_and_counts_the_others(world):
    for minute in range(8):
        entry_at(world["case"], at(MONDAY, 10, minute), done=f"Entrée numéro {minute}.")

    send_due_digests(TUESDAY_MORNING)

    mail_to_rosa = digests()["rosa@mulhouse.example"]
    body = mail_to_rosa.body_text
    assert mail_to_rosa.subject.endswith(": 8 entrées")
    assert [f"Entrée numéro {minute}." in body for minute in range(8)] == [False] * 3 + [True] * 5
    assert body.index("Entrée numéro 3.") < body.index("Entrée numéro 7.")
    assert "et 3 autres entrées, sur la page du cas." in body


def test_digest_task_is_registered_and_scheduled_every_hour():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "cases.send_digests" in celery_app.tasks
    assert schedule["cases.send_digests"] == 3600.0


# --- The preference page ---------------------------------------------------------------


def test_resident_reads_daily_by_default_and_chooses_weekly(client, world):
    client.force_login(world["resident"])
    url = reverse("my_cases:digest")

    page = client.get(url)
    response = client.post(url, {"frequency": "weekly"}, follow=True)

    assert page.status_code == 200
    assert page.context["form"].initial == {"frequency": "daily"}
    assert "La Transfo de Mulhouse" in page.content.decode()
    assert response.status_code == 200
    assert "Votre choix est enregistré : « Chaque semaine »." in response.content.decode()
    assert DigestPreference.objects.get(user=world["resident"]).frequency == "weekly"


def test_unknown_frequency_is_refused_and_nothing_saved(client, world):
    client.force_login(world["resident"])

    response = client.post(reverse("my_cases:digest"), {"frequency": "hourly"})

    assert response.status_code == 400
    assert "Rien n'a été enregistré" in response.content.decode()
    assert not DigestPreference.objects.exists()


def test_my_cases_links_to_the_digest_choice(client, world):
    client.force_login(world["ambassador"])

    page = client.get(reverse("my_cases:my_cases")).content.decode()

    assert f'href="{reverse("my_cases:digest")}"' in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_resident_chooses_the_weekly_digest_from_my_cases(live_server, phone_page):
    resident = make_resident(make_lab(name="La Transfo de Mulhouse")).user
    logged_in(phone_page, live_server, resident)
    phone_page.goto(live_server.url + reverse("my_cases:my_cases"))

    phone_page.get_by_role("link", name="Résumé des cas par e-mail").click()
    violations = serious_violations(phone_page)
    phone_page.get_by_role("radio", name="Chaque semaine").check()
    phone_page.get_by_role("button", name="Enregistrer", exact=True).click()

    assert violations == []
    assert phone_page.get_by_role("radio", name="Chaque semaine").is_checked()
    assert DigestPreference.objects.get(user=resident).frequency == "weekly"


def test_an_ambassador_reads_what_the_digest_page_is_and_what_they_can_set(client, world):
    client.force_login(world["ambassador"])

    page = client.get(reverse("my_cases:digest")).content.decode()

    assert "Ce résumé est envoyé aux personnes qui animent un labo" in page
    assert "Vous êtes ambassadeur·rice de La Transfo de Mulhouse" in page
    assert "vous pouvez seulement choisir la fréquence du résumé" in page
    assert "Vous n'animez aucun labo" not in page


def test_someone_of_no_lab_reads_that_the_choice_will_count_later(client, world):
    client.force_login(make_user())

    page = client.get(reverse("my_cases:digest")).content.decode()

    assert "Vous n'animez aucun labo pour l'instant" in page
