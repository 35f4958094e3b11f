"""The day-by-day agenda, edited in place with htmx and page by page without JavaScript."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.models import Visibility
from sessions.models import AgendaItem

from ..queries import exactly
from ..factories import (
    make_agenda_item,
    make_ambassador,
    make_case,
    make_lab,
    make_resident,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
MONDAY = datetime.date(2016, 9, 12)
TUESDAY = MONDAY + datetime.timedelta(days=1)


@pytest.fixture
def session():
    return make_session(make_lab(), number=3, start_date=MONDAY, end_date=TUESDAY, title="Prototypage")


@pytest.fixture
def resident(session):
    return make_resident(session.lab).user


def url(name, session, **kwargs):
    return reverse(f"lab_sessions:{name}", kwargs={"lab_slug": session.lab.slug, "number": session.number, **kwargs})


def block(day=MONDAY, start="09:30", end="11:00", title="Atelier créatif", **overrides):
    return {
        "day": day if isinstance(day, str) else day.isoformat(),
        "start_time": start,
        "end_time": end,
        "title": title,
        "kind": AgendaItem.Kind.WORKSHOP,
        "case": "",
        "facilitators": "Camille et Sacha",
        "description": "",
        **overrides,
    }


def schedule(session):
    return [
        (item.day, item.start_time.strftime("%H:%M"), item.end_time.strftime("%H:%M"), item.title)
        for item in session.agenda_items.order_by("day", "start_time")
    ]


def test_block_added_with_htmx_comes_back_in_the_editor(client, session, resident):
    client.force_login(resident)

    response = client.post(url("agenda_add", session), block(), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "sessions/partials/agenda_editor.html"
    assert schedule(session) == [(MONDAY, "09:30", "11:00", "Atelier créatif")]
    assert 'id="agenda-editor"' in html and "Atelier créatif" in html
    assert "« Atelier créatif » ajouté au lundi 12 septembre." in html


def test_block_added_without_javascript_redirects_to_its_day(client, session, resident):
    client.force_login(resident)

    response = client.post(url("agenda_add", session), block(day=TUESDAY))

    assert response.status_code == 302
    assert response["Location"] == session.get_absolute_url() + "#jour-2016-09-13"
    assert schedule(session) == [(TUESDAY, "09:30", "11:00", "Atelier créatif")]


def test_overlapping_block_is_refused_next_to_its_form(client, session, resident):
    make_agenda_item(session, start_time=datetime.time(9), end_time=datetime.time(10), title="Café d'accueil")
    client.force_login(resident)

    with_htmx = client.post(url("agenda_add", session), block(start="09:30", end="11:00"), **HTMX)
    without = client.post(url("agenda_add", session), block(start="09:45", end="10:15"))

    assert with_htmx.status_code == 422
    assert "Ce créneau chevauche « 12/09 09:00–10:00 Café d&#x27;accueil »." in with_htmx.content.decode()
    assert without.status_code == 400
    assert without.context["form"].non_field_errors() == ["Ce créneau chevauche « 12/09 09:00–10:00 Café d'accueil »."]
    assert len(schedule(session)) == 1


def test_block_on_a_day_outside_the_session_is_refused(client, session, resident):
    client.force_login(resident)

    response = client.post(url("agenda_add", session), block(day=MONDAY + datetime.timedelta(days=5)), **HTMX)

    assert response.status_code == 422
    assert "Ce jour ne fait pas partie de la session (du 12/09/2016 au 13/09/2016)." in response.content.decode()
    assert schedule(session) == []


def test_block_ending_before_it_starts_is_refused(client, session, resident):
    client.force_login(resident)

    response = client.post(url("agenda_add", session), block(start="14:00", end="12:00"))

    assert response.status_code == 400
    assert "Un temps du programme doit finir après avoir commencé." in response.content.decode()
    assert schedule(session) == []


@pytest.mark.parametrize("forged", ["2016-02-31", "demain", "", "2016-09-12T10:00"])
def test_forged_day_gets_a_message_never_an_error_page(client, session, resident, forged):
    client.force_login(resident)

    response = client.post(url("agenda_add", session), block(day=forged), **HTMX)

    assert response.status_code == 422
    assert schedule(session) == []


def test_case_of_another_lab_cannot_be_linked(client, session, resident):
    stranger = make_case(make_lab())
    client.force_login(resident)

    response = client.post(url("agenda_add", session), block(case=str(stranger.pk)), **HTMX)

    assert response.status_code == 422
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert schedule(session) == []


def test_case_of_the_lab_is_linked(client, session, resident):
    case = make_case(session.lab, title="Guichet unique")
    client.force_login(resident)

    client.post(url("agenda_add", session), block(case=str(case.pk)), **HTMX)

    assert session.agenda_items.get().case == case


def test_edit_form_replaces_the_row_in_place(client, session, resident):
    item = make_agenda_item(session, title="Atelier")
    client.force_login(resident)

    response = client.get(url("agenda_edit", session, pk=item.pk), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="agenda__item agenda__item--editing"' in html
    assert f'id="id_edit-{item.pk}_day"' in html and "autofocus" in html


def test_block_edited_inline_is_saved(client, session, resident):
    item = make_agenda_item(session, title="Atelier")
    client.force_login(resident)

    response = client.post(
        url("agenda_edit", session, pk=item.pk), block(day=TUESDAY, start="14:00", end="16:30", title="Restitution"), **HTMX
    )

    assert response.status_code == 200
    assert schedule(session) == [(TUESDAY, "14:00", "16:30", "Restitution")]
    assert f'id="edit-link-{item.pk}"' in response.content.decode()


def test_block_edited_onto_another_one_is_refused_and_left_as_it_was(client, session, resident):
    make_agenda_item(session, start_time=datetime.time(14), end_time=datetime.time(16), title="Restitution")
    item = make_agenda_item(session, title="Atelier")
    client.force_login(resident)

    with_htmx = client.post(url("agenda_edit", session, pk=item.pk), block(start="15:00", end="17:00"), **HTMX)
    without = client.post(url("agenda_edit", session, pk=item.pk), block(start="15:00", end="17:00"))

    assert with_htmx.status_code == 422
    assert "Ce créneau chevauche" in with_htmx.content.decode()
    assert without.status_code == 400
    assert schedule(session) == [(MONDAY, "09:30", "11:00", "Atelier"), (MONDAY, "14:00", "16:00", "Restitution")]


def test_edit_page_works_without_javascript(client, session, resident):
    item = make_agenda_item(session, title="Atelier")
    client.force_login(resident)

    page = client.get(url("agenda_edit", session, pk=item.pk))
    response = client.post(url("agenda_edit", session, pk=item.pk), block(title="Atelier d'idéation"))

    assert page.status_code == 200
    assert page.templates[0].name == "sessions/agenda_item_form.html"
    assert response.status_code == 302
    assert schedule(session) == [(MONDAY, "09:30", "11:00", "Atelier d'idéation")]


def test_deleting_asks_for_confirmation_then_removes_the_block(client, session, resident):
    item = make_agenda_item(session, title="Atelier")
    client.force_login(resident)

    confirm = client.get(url("agenda_delete", session, pk=item.pk), **HTMX)
    confirm_page = client.get(url("agenda_delete", session, pk=item.pk))
    assert schedule(session) != []
    response = client.post(url("agenda_delete", session, pk=item.pk), **HTMX)

    assert "Retirer « Atelier » (09:30–11:00) du programme ?" in confirm.content.decode()
    assert confirm_page.status_code == 200
    assert response.status_code == 200
    assert "« Atelier » retiré du programme." in response.content.decode()
    assert schedule(session) == []


def test_moving_a_block_earlier_swaps_it_with_the_one_before_keeping_lengths_and_gap(client, session, resident):
    make_agenda_item(session, start_time=datetime.time(8), end_time=datetime.time(8, 30), title="Accueil")
    make_agenda_item(session, start_time=datetime.time(9), end_time=datetime.time(10), title="Veille")
    late = make_agenda_item(session, start_time=datetime.time(10, 15), end_time=datetime.time(12), title="Atelier")
    make_agenda_item(session, start_time=datetime.time(14), end_time=datetime.time(15), title="Restitution")
    client.force_login(resident)

    response = client.post(url("agenda_move", session, pk=late.pk), {"direction": "up"}, **HTMX)

    assert response.status_code == 200
    assert "« Atelier » passe avant « Veille »." in response.content.decode()
    assert schedule(session) == [
        (MONDAY, "08:00", "08:30", "Accueil"),
        (MONDAY, "09:00", "10:45", "Atelier"),
        (MONDAY, "11:00", "12:00", "Veille"),
        (MONDAY, "14:00", "15:00", "Restitution"),
    ]


def test_moving_a_block_later_without_javascript(client, session, resident):
    first = make_agenda_item(session, start_time=datetime.time(9), end_time=datetime.time(10), title="Veille")
    make_agenda_item(session, start_time=datetime.time(10), end_time=datetime.time(12), title="Atelier")
    client.force_login(resident)

    response = client.post(url("agenda_move", session, pk=first.pk), {"direction": "down"})

    assert response.status_code == 302
    assert schedule(session) == [(MONDAY, "09:00", "11:00", "Atelier"), (MONDAY, "11:00", "12:00", "Veille")]


def test_first_block_moved_earlier_stays_put(client, session, resident):
    first = make_agenda_item(session, start_time=datetime.time(9), end_time=datetime.time(10), title="Veille")
    client.force_login(resident)

    response = client.post(url("agenda_move", session, pk=first.pk), {"direction": "up"}, **HTMX)
    forged = client.post(url("agenda_move", session, pk=first.pk), {"direction": "sideways"}, **HTMX)

    forged_without_javascript = client.post(url("agenda_move", session, pk=first.pk), {"direction": ""})

    assert "« Veille » est déjà le premier temps de la journée." in response.content.decode()
    assert forged.status_code == 422
    assert forged_without_javascript.status_code == 400
    assert "Déplacement inconnu : vers le haut ou vers le bas seulement." in forged_without_javascript.content.decode()
    assert schedule(session) == [(MONDAY, "09:00", "10:00", "Veille")]


def test_block_of_another_session_cannot_be_reached(client, session, resident):
    other = make_session(session.lab, number=9, start_date=MONDAY + datetime.timedelta(days=30))
    foreign = make_agenda_item(other, title="Ailleurs")
    client.force_login(resident)

    edit = client.post(url("agenda_edit", session, pk=foreign.pk), block(), **HTMX)
    delete = client.post(url("agenda_delete", session, pk=foreign.pk), **HTMX)

    assert (edit.status_code, delete.status_code) == (404, 404)
    assert schedule(other) == [(other.start_date, "09:30", "11:00", "Ailleurs")]


@pytest.mark.parametrize("name", ["agenda_add", "agenda_edit", "agenda_delete", "agenda_move", "agenda_editor"])
def test_agenda_editing_is_for_those_who_run_the_lab(client, session, name):
    item = make_agenda_item(session, title="Atelier")
    kwargs = {} if name in ("agenda_add", "agenda_editor") else {"pk": item.pk}
    ambassador = make_user()
    make_ambassador(session.lab, user=ambassador)

    anonymous = client.post(url(name, session, **kwargs), block(title="Pirate"))
    client.force_login(ambassador)
    as_ambassador = client.post(url(name, session, **kwargs), block(title="Pirate"), **HTMX)

    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("account_login"))
    assert as_ambassador.status_code == 404
    assert schedule(session) == [(MONDAY, "09:30", "11:00", "Atelier")]


def test_session_page_gives_the_editor_to_residents_only(client, session, resident):
    ambassador = make_user()
    make_ambassador(session.lab, user=ambassador)
    make_agenda_item(session, title="Atelier")

    client.force_login(resident)
    as_resident = client.get(session.get_absolute_url()).content.decode()
    client.force_login(ambassador)
    as_ambassador = client.get(session.get_absolute_url()).content.decode()

    assert 'id="agenda-editor"' in as_resident and "htmx-2.min.js" in as_resident
    assert 'id="agenda-editor"' not in as_ambassador and "htmx" not in as_ambassador
    assert "Atelier" in as_ambassador


def test_printable_agenda_has_one_section_per_day(client, session):
    make_agenda_item(session, title="Atelier", day=MONDAY)
    make_agenda_item(session, title="Restitution", day=TUESDAY)
    ambassador = make_user()
    make_ambassador(session.lab, user=ambassador)
    client.force_login(ambassador)

    response = client.get(url("agenda_print", session))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="print-day"') == 2
    assert "css/sessions.css" in html
    assert html.index("Lundi 12 septembre 2016") < html.index("Atelier") < html.index("Mardi 13 septembre 2016") < html.index("Restitution")


def test_printable_agenda_of_a_lab_only_session_is_hidden_from_other_labs(client, session):
    outsider = make_user()
    make_ambassador(make_lab(programme=session.lab.programme), user=outsider)

    anonymous = client.get(url("agenda_print", session))
    client.force_login(outsider)
    as_outsider = client.get(url("agenda_print", session))

    assert anonymous.status_code == 302
    assert as_outsider.status_code == 404


def test_printable_agenda_of_a_public_session_is_open_to_all(client):
    session = make_session(visibility=Visibility.PUBLIC)

    assert client.get(url("agenda_print", session)).status_code == 200


def fill_day(session, count):
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                session=session,
                day=session.start_date,
                start_time=datetime.time(7 + index // 4, (index % 4) * 15),
                end_time=datetime.time(7 + index // 4, (index % 4) * 15 + 10),
                title=f"Temps {index}",
                case=make_case(session.lab) if index == 0 else None,
            )
            for index in range(count)
        ]
    )


SESSION_PAGE_QUERIES = {"resident": exactly(7), "ambassador": exactly(6)}


@pytest.mark.parametrize("role", ["resident", "ambassador"])
def test_session_page_makes_as_many_queries_for_one_block_as_for_three(client, role):
    counts = []
    for blocks in (1, 3):
        lab = make_lab()
        session = make_session(lab, start_date=MONDAY, end_date=TUESDAY)
        fill_day(session, blocks)
        user = make_user()
        if role == "resident":
            make_resident(lab, user=user)
        else:
            make_ambassador(lab, user=user)
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(session.get_absolute_url())
        assert response.status_code == 200
        assert response.content.decode().count("Temps ") >= blocks
        counts.append(len(queries))

    # Those who run the Lab get the agenda's editor too: its blocks' cases, read with them.
    assert counts == [SESSION_PAGE_QUERIES[role]] * 2
