"""Sessions are 1–3 consecutive days inside their Lab; agenda blocks and answers fit their session."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sessions.models import AgendaItem, Attendance, Gathering, Session

from ..factories import make_agenda_item, make_ambassador, make_case, make_lab, make_programme, make_session

pytestmark = pytest.mark.django_db


def session_of(lab, start, days, **overrides):
    return Session(lab=lab, number=1, start_date=start, end_date=start + datetime.timedelta(days=days - 1), **overrides)


def test_session_of_four_days_is_refused_with_a_message():
    lab = make_lab()
    session = session_of(lab, datetime.date(2016, 9, 12), days=4)

    with pytest.raises(ValidationError) as error:
        session.full_clean()

    assert "Une session ou une InterTransfo dure au plus 3 jours consécutifs." in error.value.messages


def test_session_of_four_days_is_refused_by_the_database():
    session = make_session()

    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(end_date=session.start_date + datetime.timedelta(days=3))


def test_session_ending_before_it_starts_is_refused():
    lab = make_lab()
    session = Session(lab=lab, number=1, start_date=datetime.date(2016, 9, 12), end_date=datetime.date(2016, 9, 11))

    with pytest.raises(ValidationError) as error:
        session.full_clean()

    assert "Le dernier jour ne peut pas précéder le premier." in error.value.messages


def test_session_outside_its_lab_is_refused():
    lab = make_lab(start_date=datetime.date(2016, 6, 1), end_date=datetime.date(2017, 11, 30))
    session = session_of(lab, datetime.date(2018, 1, 8), days=2)

    with pytest.raises(ValidationError) as error:
        session.full_clean()

    assert error.value.messages == ["La session doit avoir lieu pendant le labo (du 01/06/2016 au 30/11/2017)."]


def test_session_overlapping_another_of_its_lab_is_refused():
    lab = make_lab()
    make_session(lab, number=1, start_date=datetime.date(2016, 9, 12))
    session = session_of(lab, datetime.date(2016, 9, 13), days=2)
    session.number = 2

    with pytest.raises(ValidationError) as error:
        session.full_clean()

    assert error.value.messages == ["Ces dates chevauchent une autre session de ce labo."]


def test_session_number_is_unique_in_its_lab():
    lab = make_lab()
    make_session(lab, number=3, start_date=datetime.date(2016, 9, 12))
    session = session_of(lab, datetime.date(2016, 10, 10), days=2)
    session.number = 3

    with pytest.raises(ValidationError) as error:
        session.full_clean()

    assert error.value.messages == ["Ce labo a déjà une session portant ce numéro."]


def test_session_lists_its_consecutive_days():
    session = session_of(make_lab(), datetime.date(2016, 9, 14), days=3)

    assert session.days == [datetime.date(2016, 9, 14), datetime.date(2016, 9, 15), datetime.date(2016, 9, 16)]


def test_agenda_item_outside_the_session_days_is_refused():
    session = make_session(start_date=datetime.date(2016, 9, 12))
    item = AgendaItem(
        session=session, day=datetime.date(2016, 9, 20), start_time=datetime.time(9), end_time=datetime.time(10), title="Hors session"
    )

    with pytest.raises(ValidationError) as error:
        item.full_clean()

    assert error.value.messages == ["Ce jour ne fait pas partie de la session (du 12/09/2016 au 13/09/2016)."]


def test_agenda_item_overlapping_another_block_is_refused():
    session = make_session(start_date=datetime.date(2016, 9, 12))
    make_agenda_item(session, title="Atelier du matin", start_time=datetime.time(9, 30), end_time=datetime.time(11))
    item = AgendaItem(
        session=session, day=session.start_date, start_time=datetime.time(10, 30), end_time=datetime.time(12), title="Conflit"
    )

    with pytest.raises(ValidationError) as error:
        item.full_clean()

    assert error.value.messages == ["Ce créneau chevauche « 12/09 09:30–11:00 Atelier du matin »."]


def test_agenda_item_ending_before_it_starts_is_refused():
    session = make_session()
    item = AgendaItem(session=session, day=session.start_date, start_time=datetime.time(11), end_time=datetime.time(9), title="À l'envers")

    with pytest.raises(ValidationError) as error:
        item.full_clean()

    assert "Un temps du programme doit finir après avoir commencé." in error.value.messages


def test_attendance_of_someone_from_another_lab_is_refused():
    session = make_session()
    stranger = make_ambassador()
    attendance = Attendance(session=session, ambassador=stranger, day=session.start_date)

    with pytest.raises(ValidationError) as error:
        attendance.full_clean()

    assert error.value.messages == ["Cette personne n'appartient pas au labo de la session."]


def test_attendance_is_unique_per_person_and_day():
    session = make_session()
    ambassador = make_ambassador(session.lab)
    Attendance.objects.create(session=session, ambassador=ambassador, day=session.start_date)

    with pytest.raises(ValidationError) as error:
        Attendance(session=session, ambassador=ambassador, day=session.start_date).full_clean()

    assert error.value.messages == ["Cette personne a déjà une réponse pour ce jour."]


def test_gathering_hosted_by_a_lab_of_another_programme_is_refused():
    gathering = Gathering(
        programme=make_programme(),
        host_lab=make_lab(),
        number=1,
        title="InterTransfo",
        start_date=datetime.date(2017, 3, 1),
        end_date=datetime.date(2017, 3, 2),
    )

    with pytest.raises(ValidationError) as error:
        gathering.full_clean()

    assert error.value.messages == ["Le labo hôte doit faire partie du programme."]


def test_agenda_item_linked_to_a_case_of_another_lab_is_refused():
    session = make_session()
    item = AgendaItem(
        session=session, day=session.start_date, start_time=datetime.time(9), end_time=datetime.time(10),
        title="Point cas", case=make_case(make_lab()),
    )

    with pytest.raises(ValidationError) as error:
        item.full_clean()

    assert error.value.message_dict["case"] == ["Ce cas pratique appartient à un autre labo que celui de la session."]
