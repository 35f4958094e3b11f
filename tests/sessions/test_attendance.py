"""Announcing invites the Lab; each person answers per day, by the page or by their mail's link;
residents note who came; the Lab's table shows each person's rate of presence."""
import datetime
import html
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ambassadors.models import Ambassador
from outbox.models import OutgoingMail
from programmes.models import Visibility
from sessions.models import Attendance, EventStatus, Session
from sessions.invitations import rsvp_token
from sessions.services import announce_session

from ..queries import exactly
from ..factories import (
    make_agenda_item,
    make_ambassador,
    make_lab,
    make_resident,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YES, NO, MAYBE, PENDING = (Attendance.Response.YES, Attendance.Response.NO, Attendance.Response.MAYBE, Attendance.Response.PENDING)


@pytest.fixture
def lab():
    return make_lab(start_date=TODAY - datetime.timedelta(days=120), end_date=TODAY + datetime.timedelta(days=300))


@pytest.fixture
def session(lab):
    start = TODAY + datetime.timedelta(days=20)
    return make_session(lab, number=4, start_date=start, end_date=start + datetime.timedelta(days=1), title="Immersion")


@pytest.fixture
def people(lab):
    """Two ambassadors with an account, one network member without, one who left the Lab."""
    return {
        "alex": make_ambassador(lab, first_name="Alex", user=make_user()),
        "sacha": make_ambassador(lab, first_name="Sacha", user=make_user()),
        "dominique": make_ambassador(lab, first_name="Dominique", circle=Ambassador.Circle.NETWORK),
        "gone": make_ambassador(lab, first_name="Parti", is_active=False),
    }


@pytest.fixture
def resident(lab):
    return make_resident(lab).user


def url(name, session, **kwargs):
    return reverse(f"lab_sessions:{name}", kwargs={"lab_slug": session.lab.slug, "number": session.number, **kwargs})


def answers(session, person):
    return [
        row.response for row in Attendance.objects.filter(session=session, ambassador=person).order_by("day")
    ]


def text(response):
    return html.unescape(response.content.decode())


def day_field(day):
    return f"day-{day.isoformat()}"


def test_announcing_invites_every_active_person_for_every_day_and_mails_each_once(
    client, session, people, resident, django_capture_on_commit_callbacks
):
    make_agenda_item(session, title="Immersion au guichet")
    client.force_login(resident)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("session_announce", session))

    session.refresh_from_db()
    active = [people["alex"], people["sacha"], people["dominique"]]
    assert response.status_code == 302
    assert session.status == EventStatus.ANNOUNCED
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in active)
    assert set(OutgoingMail.objects.values_list("key", flat=True)) == {
        f"session-{session.pk}-announce-{person.pk}" for person in active
    }
    for person in active:
        assert answers(session, person) == [PENDING, PENDING]
    assert answers(session, people["gone"]) == []
    body = next(message.body for message in mail.outbox if message.to == [people["alex"].email])
    assert "Immersion au guichet" in body
    assert "/reponse/" in body


def test_announcing_again_mails_only_the_newcomers(session, people):
    announce_session(session=session)
    newcomer = make_ambassador(session.lab, first_name="Nouvelle")

    queued = announce_session(session=session)

    assert queued == 1
    assert OutgoingMail.objects.count() == 4
    assert answers(session, newcomer) == [PENDING, PENDING]


def test_a_past_or_cancelled_session_cannot_be_announced(client, lab, people, resident):
    past = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=30))
    cancelled = make_session(lab, number=2, start_date=TODAY + datetime.timedelta(days=40), status=EventStatus.CANCELLED)
    client.force_login(resident)

    responses = [client.post(url("session_announce", past)), client.post(url("session_announce", cancelled))]

    assert [response.status_code for response in responses] == [400, 400]
    assert "Cette session est passée : il n'y a plus personne à inviter." in text(responses[0])
    assert OutgoingMail.objects.count() == 0
    assert Attendance.objects.count() == 0


def rsvp_url_from_mail(person):
    body = OutgoingMail.objects.get(to=person.email).body_text
    return re.search(r"https?://\S+/reponse/\S+/", body).group(0)


def test_link_in_the_mail_answers_without_logging_in(client, session, people, django_capture_on_commit_callbacks):
    announce_session(session=session, base_url="http://testserver")
    link = rsvp_url_from_mail(people["dominique"])
    first, second = session.days

    page = client.get(link)
    response = client.post(link, {day_field(first): YES, day_field(second): MAYBE})

    assert page.status_code == 200
    assert "Dominique, serez-vous là ?" in page.content.decode()
    assert response.status_code == 302
    assert answers(session, people["dominique"]) == [YES, MAYBE]
    assert answers(session, people["alex"]) == [PENDING, PENDING]


def test_opening_the_mail_link_changes_nothing(client, session, people):
    announce_session(session=session)

    client.get(url("session_rsvp", session, token=rsvp_token(session, people["alex"])))

    assert answers(session, people["alex"]) == [PENDING, PENDING]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: "n'importe quoi",
        lambda token: token.replace(":", ""),
    ],
    ids=["signature", "payload", "garbage", "separators"],
)
def test_tampered_mail_link_is_refused_with_a_page(client, session, people, tamper):
    announce_session(session=session)
    token = tamper(rsvp_token(session, people["alex"]))

    page = client.get(url("session_rsvp", session, token=token))
    post = client.post(url("session_rsvp", session, token=token), {day_field(session.start_date): NO})

    assert (page.status_code, post.status_code) == (404, 404)
    assert "Ce lien de réponse n'est pas valable." in text(page)
    assert answers(session, people["alex"]) == [PENDING, PENDING]


def test_link_of_another_session_does_not_answer_this_one(client, lab, session, people):
    other = make_session(lab, number=5, start_date=session.start_date + datetime.timedelta(days=30))
    announce_session(session=session)
    announce_session(session=other)
    token = rsvp_token(other, people["alex"])

    response = client.post(url("session_rsvp", session, token=token), {day_field(session.start_date): NO})

    assert response.status_code == 404
    assert answers(session, people["alex"]) == [PENDING, PENDING]


def test_session_links_already_mailed_still_answer(client, session, people):
    """A session's answer link is signed as it always was: those in people's mailboxes still work."""
    from django.core import signing

    announce_session(session=session)
    mailed = signing.dumps({"s": session.pk, "a": people["alex"].pk}, salt="sessions.rsvp")

    response = client.get(url("session_rsvp", session, token=mailed))

    assert response.status_code == 200


def test_an_intertransfo_link_does_not_answer_a_session(client, session, people):
    """A link made for an InterTransfo, under either salt, names no session."""
    from django.core import signing

    announce_session(session=session)
    for salt in ("sessions.rsvp", "sessions.gathering-rsvp"):
        token = signing.dumps({"g": session.pk, "i": people["alex"].pk}, salt=salt)
        assert client.get(url("session_rsvp", session, token=token)).status_code == 404


def test_link_of_someone_who_left_the_lab_no_longer_works(client, session, people):
    announce_session(session=session)
    token = rsvp_token(session, people["alex"])
    Ambassador.objects.filter(pk=people["alex"].pk).update(is_active=False)

    assert client.get(url("session_rsvp", session, token=token)).status_code == 404


def test_link_after_the_session_or_once_it_is_cancelled_explains_why(client, lab, people):
    past = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=10))
    cancelled = make_session(lab, number=2, start_date=TODAY + datetime.timedelta(days=50), status=EventStatus.CANCELLED)

    expired = client.get(url("session_rsvp", past, token=rsvp_token(past, people["alex"])))
    gone = client.get(url("session_rsvp", cancelled, token=rsvp_token(cancelled, people["alex"])))

    assert expired.status_code == 410
    assert "Cette session est passée" in expired.content.decode()
    assert gone.status_code == 410
    assert "Cette session a été annulée" in gone.content.decode()


def test_mail_link_with_an_unknown_answer_is_refused(client, session, people):
    announce_session(session=session)
    link = url("session_rsvp", session, token=rsvp_token(session, people["alex"]))

    unknown = client.post(link, {day_field(session.start_date): "peut-être demain"})
    empty = client.post(link, {})

    assert (unknown.status_code, empty.status_code) == (400, 400)
    assert "Choisissez une réponse pour au moins un jour." in empty.content.decode()
    assert answers(session, people["alex"]) == [PENDING, PENDING]


def test_ambassador_answers_for_themself_from_the_session_page(client, session, people):
    announce_session(session=session)
    alex = people["alex"]
    client.force_login(alex.user)

    page = client.get(session.get_absolute_url())
    response = client.post(url("session_answer", session), {day_field(session.start_date): YES, day_field(session.end_date): NO})

    assert "Votre réponse" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == session.get_absolute_url() + "#presence"
    assert answers(session, alex) == [YES, NO]


def test_ambassador_cannot_answer_for_someone_else(client, session, people):
    announce_session(session=session)
    client.force_login(people["alex"].user)

    response = client.post(
        url("session_answer", session), {"personne": people["sacha"].pk, day_field(session.start_date): NO}
    )

    assert response.status_code == 404
    assert answers(session, people["sacha"]) == [PENDING, PENDING]


@pytest.mark.parametrize("forged", ["abc", "999999", "-1", ""])
def test_forged_person_id_is_refused(client, session, people, resident, forged):
    announce_session(session=session)
    client.force_login(resident)

    response = client.post(url("session_answer", session), {"personne": forged, day_field(session.start_date): NO})

    # A resident is nobody's ambassador: without a valid person there is no one to answer for.
    assert response.status_code == 404
    assert Attendance.objects.exclude(response=PENDING).count() == 0


def test_resident_answers_for_anyone_of_the_lab(client, session, people, resident):
    announce_session(session=session)
    client.force_login(resident)

    page = client.get(url("session_answer", session) + f"?personne={people['dominique'].pk}")
    response = client.post(
        url("session_answer", session), {"personne": people["dominique"].pk, day_field(session.start_date): MAYBE}
    )

    assert page.status_code == 200
    assert response.status_code == 302
    assert answers(session, people["dominique"]) == [MAYBE, PENDING]


def test_resident_cannot_answer_for_someone_of_another_lab(client, session, people, resident):
    announce_session(session=session)
    stranger = make_ambassador(make_lab())
    client.force_login(resident)

    response = client.post(url("session_answer", session), {"personne": stranger.pk, day_field(session.start_date): YES})

    assert response.status_code == 404
    assert not Attendance.objects.filter(ambassador=stranger).exists()


def test_pages_per_role(client, lab, session, people, resident):
    """Resident A edits; ambassador A reads and answers; ambassador B gets a 404; anonymous logs in."""
    announce_session(session=session)
    other_lab = make_lab(programme=lab.programme)
    ambassador_b = make_ambassador(other_lab, user=make_user()).user
    pages = [session.get_absolute_url(), url("session_answer", session), url("session_attendance", session),
             reverse("lab_sessions:lab_attendance", kwargs={"lab_slug": lab.slug})]

    def statuses(user):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        return [client.get(page).status_code for page in pages]

    assert statuses(resident) == [200, 404, 200, 200]  # a resident has no answer of their own
    assert statuses(people["alex"].user) == [200, 200, 404, 404]
    assert statuses(ambassador_b) == [404, 404, 404, 404]
    assert statuses(None) == [302, 302, 302, 302]


def test_shared_session_is_read_but_not_answered_by_another_lab(client, lab, session, people):
    Session.objects.filter(pk=session.pk).update(visibility=Visibility.PROGRAMME)
    announce_session(session=session)
    ambassador_b = make_ambassador(make_lab(programme=lab.programme), user=make_user()).user
    client.force_login(ambassador_b)

    page = client.get(session.get_absolute_url())

    assert page.status_code == 200
    assert people["alex"].full_name not in page.content.decode()
    assert client.post(url("session_answer", session), {day_field(session.start_date): YES}).status_code == 404


def test_resident_notes_who_came_and_the_session_is_held(client, lab, people, resident):
    held = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=3), end_date=TODAY - datetime.timedelta(days=2))
    Session.objects.filter(pk=held.pk).update(status=EventStatus.ANNOUNCED)
    first, second = held.days
    client.force_login(resident)
    alex, sacha = people["alex"], people["sacha"]

    page = client.get(url("session_attendance", held))
    response = client.post(
        url("session_attendance", held),
        {
            f"came-{alex.pk}-{first.isoformat()}": "1",
            f"came-{alex.pk}-{second.isoformat()}": "0",
            f"came-{sacha.pk}-{first.isoformat()}": "1",
            f"came-{people['gone'].pk}-{first.isoformat()}": "1",
        },
    )

    held.refresh_from_db()
    assert page.status_code == 200
    assert response.status_code == 302
    assert held.status == EventStatus.HELD
    came = {(row.ambassador_id, row.day): row.attended for row in held.attendances.all()}
    assert came == {(alex.pk, first): True, (alex.pk, second): False, (sacha.pk, first): True}


def test_attendance_with_an_unknown_value_is_refused_and_nothing_saved(client, lab, people, resident):
    held = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=3))
    client.force_login(resident)

    response = client.post(
        url("session_attendance", held),
        {f"came-{people['alex'].pk}-{held.start_date.isoformat()}": "1", f"came-{people['sacha'].pk}-{held.start_date.isoformat()}": "oui"},
    )

    held.refresh_from_db()
    assert response.status_code == 400
    assert Attendance.objects.count() == 0
    assert held.status == EventStatus.DRAFT


def test_attendance_cannot_be_noted_before_the_session(client, session, people, resident):
    client.force_login(resident)

    page = client.get(url("session_attendance", session))
    response = client.post(url("session_attendance", session), {f"came-{people['alex'].pk}-{session.start_date.isoformat()}": "1"})

    assert "Les présences se notent à partir du premier jour de la session." in page.content.decode()
    assert response.status_code == 400
    assert Attendance.objects.count() == 0


def hold(lab, number, start, came):
    """A held session of two days; ``came`` maps people to the number of days they came."""
    session = make_session(lab, number=number, start_date=start, status=EventStatus.HELD)
    Attendance.objects.bulk_create(
        Attendance(session=session, ambassador=person, day=day, response=YES, attended=index < days)
        for person, days in came.items()
        for index, day in enumerate(session.days)
    )
    return session


def test_lab_table_shows_each_persons_rate_of_presence(client, lab, people, resident):
    alex, sacha = people["alex"], people["sacha"]
    hold(lab, 1, lab.start_date + datetime.timedelta(days=7), {alex: 2, sacha: 1})
    hold(lab, 2, lab.start_date + datetime.timedelta(days=37), {alex: 2, sacha: 0})
    # Neither a planned nor a cancelled session counts.
    make_session(lab, number=3, start_date=lab.start_date + datetime.timedelta(days=67), status=EventStatus.CANCELLED)
    client.force_login(resident)

    response = client.get(reverse("lab_sessions:lab_attendance", kwargs={"lab_slug": lab.slug}) + "?tri=taux")

    rates = [(person.first_name, person.attended_days, person.rate) for person in response.context["people"]]
    assert response.context["held_days"] == 4
    assert rates[:2] == [("Alex", 4, 100), ("Sacha", 1, 25)]
    assert ("Dominique", 0, 0) in rates
    assert "100 %" in response.content.decode()


def test_lab_table_sorts_by_name_by_default_and_ignores_unknown_sorts(client, lab, people, resident):
    client.force_login(resident)

    response = client.get(reverse("lab_sessions:lab_attendance", kwargs={"lab_slug": lab.slug}) + "?tri=motdepasse")

    assert response.status_code == 200
    assert response.context["sort"] == "nom"
    names = [person.last_name for person in response.context["people"]]
    assert names == sorted(names)


def test_lab_table_makes_as_many_queries_for_one_session_as_for_three(client):
    counts = []
    for sessions in (1, 3):
        lab = make_lab(start_date=datetime.date(2010, 1, 1), end_date=datetime.date(2030, 1, 1))
        people = [make_ambassador(lab) for _ in range(3)]
        for number in range(sessions):
            hold(lab, number, lab.start_date + datetime.timedelta(days=10 * number), {person: 1 for person in people})
        resident = make_resident(lab).user
        client.force_login(resident)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("lab_sessions:lab_attendance", kwargs={"lab_slug": lab.slug}))
        assert response.context["held_days"] == 2 * sessions
        counts.append(len(queries))

    assert counts == [exactly(5)] * 2


def test_session_page_with_answers_makes_as_many_queries_for_one_person_as_for_three(client):
    counts = []
    for size in (1, 3):
        lab = make_lab(start_date=TODAY - datetime.timedelta(days=10), end_date=TODAY + datetime.timedelta(days=100))
        session = make_session(lab, start_date=TODAY + datetime.timedelta(days=5))
        people = [make_ambassador(lab) for _ in range(size)]
        announce_session(session=session)
        viewer = make_user()
        make_ambassador(lab, user=viewer)
        Attendance.objects.create(session=session, ambassador=viewer.ambassadorships.get(), day=session.start_date)
        client.force_login(viewer)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(session.get_absolute_url())
        assert len(response.context["attendance_table"]) == size + 1
        assert people
        counts.append(len(queries))

    assert counts == [exactly(5)] * 2


def test_everyone_present_on_a_day_in_one_action_keeps_the_absences_already_noted(client, lab, people, resident):
    held = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=3), end_date=TODAY - datetime.timedelta(days=2))
    first, second = held.days
    alex, sacha, dominique = people["alex"], people["sacha"], people["dominique"]
    client.force_login(resident)

    page = client.get(url("session_attendance", held))
    response = client.post(
        url("session_attendance", held),
        {
            f"came-{alex.pk}-{first.isoformat()}": "0",
            f"came-{sacha.pk}-{second.isoformat()}": "0",
            "tous_presents": first.isoformat(),
        },
        follow=True,
    )

    came = {(row.ambassador_id, row.day): row.attended for row in held.attendances.all()}
    assert f'name="tous_presents" value="{first.isoformat()}"' in page.content.decode()
    assert response.redirect_chain == [(url("session_attendance", held) + "#presences", 302)]
    assert came == {(alex.pk, first): False, (sacha.pk, first): True, (dominique.pk, first): True, (sacha.pk, second): False}
    assert "toutes les personnes qui n'étaient pas notées sont notées présentes" in text(response)
    # Back on the table, the exceptions are changed and saved as usual.
    response = client.post(
        url("session_attendance", held),
        {f"came-{alex.pk}-{first.isoformat()}": "1", f"came-{sacha.pk}-{first.isoformat()}": "0", f"came-{dominique.pk}-{first.isoformat()}": "1"},
    )
    came = {(row.ambassador_id, row.day): row.attended for row in held.attendances.all()}
    assert response.status_code == 302
    assert (came[(alex.pk, first)], came[(sacha.pk, first)]) == (True, False)


@pytest.mark.parametrize("day", ["2001-01-01", "demain", ""])
def test_everyone_present_on_a_day_the_session_does_not_have_is_refused(client, lab, people, resident, day):
    held = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=3))
    client.force_login(resident)

    response = client.post(url("session_attendance", held), {"tous_presents": day})

    assert response.status_code == 400
    assert "Ce jour ne fait pas partie de la session." in text(response)
    assert Attendance.objects.count() == 0
