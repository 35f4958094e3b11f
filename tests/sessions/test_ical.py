"""Calendar subscriptions: one event per day of a session, and private addresses that can be renewed."""
import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.models import Coordination, LabMembership, Visibility
from sessions.models import CalendarFeedToken, EventStatus

from ..queries import exactly
from ..factories import (
    make_agenda_item,
    make_ambassador,
    make_gathering,
    make_gathering_item,
    make_lab,
    make_programme,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def ambassador_of(lab):
    user = make_user()
    make_ambassador(lab, user=user)
    return user


@pytest.fixture
def world():
    programme = make_programme()
    lab_a = make_lab(programme=programme, name="La Transfo de Mulhouse")
    lab_b = make_lab(programme=programme, name="La Transfo de Metz")
    resident = make_user()
    LabMembership.objects.create(lab=lab_a, user=resident, role=LabMembership.Role.RESIDENT)
    session = make_session(
        lab_a,
        number=3,
        start_date=datetime.date(2017, 3, 14),
        end_date=datetime.date(2017, 3, 16),
        place_name="Hôtel de ville",
        place_address="2 rue Pierre et Marie Curie\n68100 Mulhouse",
        status=EventStatus.ANNOUNCED,
    )
    make_agenda_item(session, day=session.start_date, start_time=datetime.time(9, 30), end_time=datetime.time(12, 0),
                     title="Atelier créatif")
    make_agenda_item(session, day=session.start_date, start_time=datetime.time(14, 0), end_time=datetime.time(17, 30),
                     title="Restitution")
    return {
        "programme": programme,
        "lab_a": lab_a,
        "lab_b": lab_b,
        "resident": resident,
        "ambassador_a": ambassador_of(lab_a),
        "ambassador_b": ambassador_of(lab_b),
        "ambassador_of_another_programme": ambassador_of(make_lab()),
        "session": session,
    }


def lab_feed_url(lab, **query):
    address = reverse("calendar:lab_feed", kwargs={"lab_slug": lab.slug})
    return address + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def events_of(response):
    calendar = icalendar.Calendar.from_ical(response.content)
    return sorted(calendar.walk("VEVENT"), key=lambda event: (str(event["UID"])))


def test_lab_feed_parses_and_has_one_event_per_day_of_a_session(client, world):
    client.force_login(world["ambassador_a"])

    response = client.get(lab_feed_url(world["lab_a"]))

    events = events_of(response)
    session = world["session"]
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert [str(event["UID"]) for event in events] == [
        f"session-{session.pk}-day-1@transfo",
        f"session-{session.pk}-day-2@transfo",
        f"session-{session.pk}-day-3@transfo",
    ]
    assert [str(event["SUMMARY"]) for event in events] == [
        "La Transfo de Mulhouse — session n° 3 (jour 1/3)",
        "La Transfo de Mulhouse — session n° 3 (jour 2/3)",
        "La Transfo de Mulhouse — session n° 3 (jour 3/3)",
    ]
    assert {str(event["STATUS"]) for event in events} == {"CONFIRMED"}
    assert {str(event["LOCATION"]) for event in events} == {
        "Hôtel de ville, 2 rue Pierre et Marie Curie, 68100 Mulhouse"
    }
    assert {str(event["URL"]) for event in events} == {settings.TRANSFO_PUBLIC_URL + session.get_absolute_url()}


def test_lab_feed_gives_a_day_with_a_programme_its_hours_and_agenda(client, world):
    client.force_login(world["ambassador_a"])

    first_day, second_day, _ = events_of(client.get(lab_feed_url(world["lab_a"])))

    assert first_day.start == datetime.datetime(2017, 3, 14, 9, 30, tzinfo=PARIS)
    assert first_day.end == datetime.datetime(2017, 3, 14, 17, 30, tzinfo=PARIS)
    assert str(first_day["DESCRIPTION"]).splitlines()[:2] == ["09:30–12:00 Atelier créatif", "14:00–17:30 Restitution"]
    # A day without a programme yet is an all-day event.
    assert second_day.start == datetime.date(2017, 3, 15)
    assert second_day.end == datetime.date(2017, 3, 16)
    assert b"DTSTART;VALUE=DATE:20170315" in second_day.to_ical()


@pytest.mark.parametrize(
    "status, expected", [(EventStatus.CANCELLED, "CANCELLED"), (EventStatus.DRAFT, "TENTATIVE"), (EventStatus.HELD, "CONFIRMED")]
)
def test_lab_feed_marks_each_status(client, world, status, expected):
    world["session"].status = status
    world["session"].save()
    client.force_login(world["ambassador_a"])

    events = events_of(client.get(lab_feed_url(world["lab_a"])))

    assert {str(event["STATUS"]) for event in events} == {expected}


def test_lab_feed_includes_the_programme_gatherings_day_by_day(client, world):
    gathering = make_gathering(
        world["programme"], title="Faire labo ensemble", start_date=datetime.date(2017, 6, 19),
        end_date=datetime.date(2017, 6, 20), host_lab=world["lab_b"],
    )
    client.force_login(world["ambassador_a"])

    events = [event for event in events_of(client.get(lab_feed_url(world["lab_a"]))) if "gathering" in event["UID"]]

    assert [str(event["SUMMARY"]) for event in events] == [
        f"InterTransfo n° {gathering.number} — Faire labo ensemble (jour 1/2)",
        f"InterTransfo n° {gathering.number} — Faire labo ensemble (jour 2/2)",
    ]
    assert "Accueillie par La Transfo de Metz" in str(events[0]["DESCRIPTION"])


def test_lab_feed_gives_a_gathering_day_its_hours_and_agenda(client, world):
    gathering = make_gathering(
        world["programme"], start_date=datetime.date(2017, 6, 19), end_date=datetime.date(2017, 6, 20),
    )
    make_gathering_item(gathering, day=gathering.start_date, start_time=datetime.time(10), end_time=datetime.time(12, 30),
                        title="Plénière d'ouverture")
    make_gathering_item(gathering, day=gathering.start_date, start_time=datetime.time(14), end_time=datetime.time(18),
                        title="Ateliers croisés")
    client.force_login(world["ambassador_b"])

    first_day, second_day = [
        event for event in events_of(client.get(lab_feed_url(world["lab_b"]))) if "gathering" in event["UID"]
    ]

    assert (first_day.start, first_day.end) == (
        datetime.datetime(2017, 6, 19, 10, tzinfo=PARIS), datetime.datetime(2017, 6, 19, 18, tzinfo=PARIS),
    )
    assert str(first_day["DESCRIPTION"]).splitlines()[:2] == ["10:00–12:30 Plénière d'ouverture", "14:00–18:00 Ateliers croisés"]
    assert (second_day.start, second_day.end) == (datetime.date(2017, 6, 20), datetime.date(2017, 6, 21))


def test_feeds_query_count_does_not_grow_with_the_gatherings(client, world, django_assert_num_queries):
    lab = world["lab_a"]
    client.force_login(world["ambassador_a"])
    token = client.get(reverse("calendar_feeds:subscription")).context["personal_url"].rsplit("/", 1)[-1].removesuffix(".ics")
    addresses = [lab_feed_url(lab), reverse("calendar_feeds:personal", kwargs={"token": token})]
    make_gathering_item(make_gathering(world["programme"], start_date=datetime.date(2017, 1, 9)))
    with django_assert_num_queries(exactly(12)):
        for address in addresses:
            client.get(address)
    for week in range(2, 4):
        gathering = make_gathering(world["programme"], start_date=datetime.date(2017, 1, 2) + week * datetime.timedelta(weeks=1))
        make_gathering_item(gathering)
        make_gathering_item(gathering, start_time=datetime.time(14), end_time=datetime.time(15))

    with django_assert_num_queries(exactly(12)):
        responses = [client.get(address) for address in addresses]

    assert [sum("gathering" in event["UID"] for event in events_of(response)) for response in responses] == [6, 6]


def test_lab_feed_shows_another_lab_only_its_shared_sessions(client, world):
    shared = make_session(world["lab_a"], number=4, start_date=datetime.date(2017, 4, 4),
                          end_date=datetime.date(2017, 4, 4), visibility=Visibility.PROGRAMME)
    client.force_login(world["ambassador_b"])

    events = events_of(client.get(lab_feed_url(world["lab_a"])))

    assert [str(event["UID"]) for event in events] == [f"session-{shared.pk}-day-1@transfo"]


def test_lab_feed_query_count_does_not_grow_with_the_sessions(client, world, django_assert_num_queries):
    lab = world["lab_a"]
    client.force_login(world["ambassador_a"])
    with django_assert_num_queries(exactly(6)):
        client.get(lab_feed_url(lab))
    for number in range(10, 12):
        start = lab.start_date + (number - 9) * 9 * datetime.timedelta(days=1)
        session = make_session(lab, number=number, start_date=start, end_date=start + datetime.timedelta(days=1))
        make_agenda_item(session)

    with django_assert_num_queries(exactly(6)):
        response = client.get(lab_feed_url(lab))

    assert len(events_of(response)) == 3 + 2 * 2


def test_lab_feed_sends_an_anonymous_visitor_to_the_login(client, world):
    response = client.get(lab_feed_url(world["lab_a"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_lab_feed_refuses_someone_of_another_programme(client, world):
    client.force_login(world["ambassador_of_another_programme"])

    assert client.get(lab_feed_url(world["lab_a"])).status_code == 404


def test_lab_feed_answers_a_calendar_application_with_the_person_token(client, world):
    token = CalendarFeedToken.objects.create(user=world["ambassador_a"], token="jeton-de-test-a")
    outsider = CalendarFeedToken.objects.create(user=world["ambassador_of_another_programme"], token="jeton-dehors")

    good = client.get(lab_feed_url(world["lab_a"], jeton=token.token))
    wrong = client.get(lab_feed_url(world["lab_a"], jeton="jeton-invente"))
    foreign = client.get(lab_feed_url(world["lab_a"], jeton=outsider.token))

    assert good.status_code == 200
    assert len(events_of(good)) == 3
    assert (wrong.status_code, foreign.status_code) == (404, 404)


# --- The private feed ------------------------------------------------------------------------


def test_personal_feed_lists_the_sessions_of_my_labs_and_the_programme_gatherings(client, world):
    # Neither the private sessions of another Lab nor the public ones of another programme.
    make_session(world["lab_b"], number=1, start_date=datetime.date(2017, 5, 2), end_date=datetime.date(2017, 5, 2))
    make_session(make_lab(), number=1, visibility=Visibility.PUBLIC)
    gathering = make_gathering(world["programme"], start_date=datetime.date(2017, 6, 19), end_date=datetime.date(2017, 6, 19))
    token = CalendarFeedToken.objects.create(user=world["ambassador_a"], token="jeton-personnel")

    response = client.get(reverse("calendar_feeds:personal", kwargs={"token": token.token}))

    uids = {str(event["UID"]) for event in events_of(response)}
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert uids == {
        f"session-{world['session'].pk}-day-1@transfo",
        f"session-{world['session'].pk}-day-2@transfo",
        f"session-{world['session'].pk}-day-3@transfo",
        f"gathering-{gathering.pk}-day-1@transfo",
    }


def test_personal_feed_of_a_coordinator_covers_every_lab_of_the_programme(client, world):
    coordinator = make_user()
    Coordination.objects.create(programme=world["programme"], user=coordinator)
    other = make_session(world["lab_b"], number=1, start_date=datetime.date(2017, 5, 2), end_date=datetime.date(2017, 5, 2))
    token = CalendarFeedToken.objects.create(user=coordinator, token="jeton-coordination")

    uids = {str(event["UID"]) for event in events_of(client.get(reverse("calendar_feeds:personal", kwargs={"token": token.token})))}

    assert f"session-{other.pk}-day-1@transfo" in uids
    assert len(uids) == 4


@pytest.mark.parametrize("token", ["jeton-invente", "a" * 64, "a" * 200])
def test_personal_feed_refuses_a_wrong_token(client, world, token):
    CalendarFeedToken.objects.create(user=world["ambassador_a"], token="jeton-personnel")

    assert client.get(reverse("calendar_feeds:personal", kwargs={"token": token})).status_code == 404


def test_personal_feed_refuses_the_token_of_a_deactivated_person(client, world):
    token = CalendarFeedToken.objects.create(user=world["ambassador_a"], token="jeton-personnel")
    world["ambassador_a"].is_active = False
    world["ambassador_a"].save()

    assert client.get(reverse("calendar_feeds:personal", kwargs={"token": token.token})).status_code == 404


# --- The subscription page -------------------------------------------------------------------


def test_subscription_page_creates_my_secret_address_once(client, world):
    client.force_login(world["ambassador_a"])

    first = client.get(reverse("calendar_feeds:subscription"))
    second = client.get(reverse("calendar_feeds:subscription"))

    token = CalendarFeedToken.objects.get(user=world["ambassador_a"]).token
    address = settings.TRANSFO_PUBLIC_URL + reverse("calendar_feeds:personal", kwargs={"token": token})
    assert len(token) == 43
    assert first.context["personal_url"] == second.context["personal_url"] == address
    assert f'value="{address}"' in first.content.decode()
    assert "webcal://" + settings.TRANSFO_PUBLIC_URL.split("://", 1)[1] + "/calendrier/" in first.content.decode()


def test_renewing_the_address_makes_the_old_one_answer_404(client, world):
    client.force_login(world["ambassador_a"])
    client.get(reverse("calendar_feeds:subscription"))
    old = CalendarFeedToken.objects.get(user=world["ambassador_a"]).token

    response = client.post(reverse("calendar_feeds:subscription"), follow=True)

    new = CalendarFeedToken.objects.get(user=world["ambassador_a"]).token
    client.logout()
    assert new != old
    assert "l&#x27;ancienne ne fonctionne plus" in response.content.decode()
    assert client.get(reverse("calendar_feeds:personal", kwargs={"token": old})).status_code == 404
    assert client.get(lab_feed_url(world["lab_a"], jeton=old)).status_code == 404
    assert client.get(reverse("calendar_feeds:personal", kwargs={"token": new})).status_code == 200


def test_subscription_page_sends_an_anonymous_visitor_to_the_login(client):
    get = client.get(reverse("calendar_feeds:subscription"))
    post = client.post(reverse("calendar_feeds:subscription"))

    assert get.status_code == post.status_code == 302
    assert get["Location"].startswith(reverse("account_login"))
    assert CalendarFeedToken.objects.count() == 0


# --- The feeds read by a calendar application: cached until something they show changes --------


def personal_feed(client, token, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("calendar_feeds:personal", kwargs={"token": token}), **headers)
    return response, len(queries)


def test_personal_feed_fetched_again_is_answered_without_a_query(client, world):
    token = CalendarFeedToken.objects.create(user=world["ambassador_a"], token="jeton-en-cache")

    first, first_queries = personal_feed(client, token.token)
    second, second_queries = personal_feed(client, token.token)

    assert first.status_code == second.status_code == 200
    assert first_queries > 0
    assert second_queries == 0
    assert second.content == first.content
    assert second["Content-Type"] == "text/calendar; charset=utf-8"
    assert second["Content-Disposition"] == 'inline; filename="transfo.ics"'


def test_a_changed_session_shows_in_the_next_fetch(client, world):
    token = CalendarFeedToken.objects.create(user=world["ambassador_a"], token="jeton-en-cache")
    personal_feed(client, token.token)
    session = world["session"]

    session.place_name = "Salle des fêtes"
    session.save()
    moved = personal_feed(client, token.token)[0]
    make_agenda_item(session, day=session.end_date, title="Visite de terrain")
    with_item = personal_feed(client, token.token)[0]
    session.status = EventStatus.CANCELLED
    session.save()
    cancelled = personal_feed(client, token.token)[0]

    assert {str(event["LOCATION"]) for event in events_of(moved)} == {"Salle des fêtes, 2 rue Pierre et Marie Curie, 68100 Mulhouse"}
    assert "Visite de terrain" in with_item.content.decode()
    assert {str(event["STATUS"]) for event in events_of(cancelled) if "session" in event["UID"]} == {"CANCELLED"}


def test_a_new_gathering_and_a_new_lab_shows_in_the_next_fetch(client, world):
    token = CalendarFeedToken.objects.create(user=world["ambassador_a"], token="jeton-en-cache")
    personal_feed(client, token.token)
    gathering = make_gathering(world["programme"], start_date=datetime.date(2017, 6, 19), end_date=datetime.date(2017, 6, 19))
    other_lab_session = make_session(world["lab_b"], number=1, start_date=datetime.date(2017, 5, 2),
                                     end_date=datetime.date(2017, 5, 2))
    with_gathering = personal_feed(client, token.token)[0]
    make_ambassador(world["lab_b"], user=world["ambassador_a"])

    joined = personal_feed(client, token.token)[0]

    assert f"gathering-{gathering.pk}-day-1@transfo" in {str(event["UID"]) for event in events_of(with_gathering)}
    assert f"session-{other_lab_session.pk}-day-1@transfo" in {str(event["UID"]) for event in events_of(joined)}


def test_a_block_moved_on_the_agenda_shows_in_the_next_fetch(client, world):
    from sessions.models import AgendaItem
    from sessions.services import move_agenda_item

    token = CalendarFeedToken.objects.create(user=world["ambassador_a"], token="jeton-en-cache")
    personal_feed(client, token.token)

    move_agenda_item(item=AgendaItem.objects.get(title="Atelier créatif"), direction="down")

    first_day = events_of(personal_feed(client, token.token)[0])[0]
    assert str(first_day["DESCRIPTION"]).splitlines()[:2] == ["09:30–13:00 Restitution", "15:00–17:30 Atelier créatif"]


def test_an_ambassador_deactivated_from_the_admin_loses_the_lab_in_the_next_fetch(admin_client, client, world):
    from ambassadors.models import Ambassador

    token = CalendarFeedToken.objects.create(user=world["ambassador_a"], token="jeton-en-cache")
    assert events_of(personal_feed(client, token.token)[0])
    ambassadorship = Ambassador.objects.get(user=world["ambassador_a"])

    response = admin_client.post(
        reverse("admin:ambassadors_ambassador_changelist"), {"action": "deactivate", "_selected_action": [str(ambassadorship.pk)]}
    )

    assert response.status_code == 302
    assert not Ambassador.objects.get(pk=ambassadorship.pk).is_active
    assert f"session-{world['session'].pk}-day-1@transfo" not in personal_feed(client, token.token)[0].content.decode()


def test_a_renewed_token_refuses_the_cached_address_at_once(client, world):
    from sessions.ical import renew_feed_token

    old = CalendarFeedToken.objects.create(user=world["ambassador_a"], token="jeton-en-cache").token
    personal_feed(client, old)
    assert personal_feed(client, old)[1] == 0
    lab_feed = lab_feed_url(world["lab_a"], jeton=old)
    assert client.get(lab_feed).status_code == 200

    new = renew_feed_token(user=world["ambassador_a"]).token

    assert personal_feed(client, old)[0].status_code == 404
    assert client.get(lab_feed).status_code == 404
    assert personal_feed(client, new)[0].status_code == 200


def test_a_deactivated_person_is_refused_at_once_even_from_the_cache(client, world):
    token = CalendarFeedToken.objects.create(user=world["ambassador_a"], token="jeton-en-cache")
    personal_feed(client, token.token)

    world["ambassador_a"].is_active = False
    world["ambassador_a"].save()

    assert personal_feed(client, token.token)[0].status_code == 404


def test_calendar_application_sending_back_the_etag_gets_a_304_until_a_change(client, world):
    token = CalendarFeedToken.objects.create(user=world["ambassador_a"], token="jeton-en-cache")
    first = personal_feed(client, token.token)[0]

    unchanged, queries = personal_feed(client, token.token, HTTP_IF_NONE_MATCH=first["ETag"])
    make_agenda_item(world["session"], day=world["session"].end_date, title="Nouveau temps")
    changed = personal_feed(client, token.token, HTTP_IF_NONE_MATCH=first["ETag"])[0]

    assert (unchanged.status_code, unchanged.content, queries) == (304, b"", 0)
    assert changed.status_code == 200
    assert "Nouveau temps" in changed.content.decode()


def test_logged_in_reader_of_the_lab_feed_gets_a_304_for_an_unchanged_calendar(client, world):
    client.force_login(world["ambassador_a"])
    first = client.get(lab_feed_url(world["lab_a"]))

    again = client.get(lab_feed_url(world["lab_a"]), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert not again.has_header("X-Page-Cache")
