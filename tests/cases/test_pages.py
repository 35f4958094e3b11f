"""The case page and its timeline, stage moves, the Lab board and My cases."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import timezone, translation

from cases.models import Case, ProgressEntry, Stage, StageChange
from cases.models import StageProposal
from outbox.models import OutgoingMail
from transfo import urls as site_urls

from ..queries import exactly
from ..factories import (
    make_ambassador,
    make_case,
    make_entry,
    make_lab,
    make_resident,
    make_session,
    make_user,
)
from .test_markup import HOSTILE_PIECES, executable_parts

pytestmark = pytest.mark.django_db

# « Mes cas » until transfo/urls.py includes it: before the site's URLs (Wagtail catches the rest).
urlpatterns = [path("mes-cas/", include("cases.my_urls")), *site_urls.urlpatterns]


@pytest.fixture
def team():
    lab = make_lab()
    user = make_user()
    ambassador = make_ambassador(lab, user=user)
    case = make_case(lab, sponsoring_service="Direction des solidarités")
    case.team.add(ambassador)
    case.tags.add("accueil", "numérique")
    return lab, case, user, make_resident(lab).user


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_case_page_interleaves_entries_stage_moves_and_sessions_newest_first(client, team):
    lab, case, user, resident = team
    session = make_session(lab, start_date=datetime.date(2016, 9, 5))
    session.cases.add(case)
    make_entry(case, entry_date=datetime.date(2016, 9, 1), done="Première enquête.")
    make_entry(case, entry_date=datetime.date(2016, 10, 1), done="Prototype en carton.")
    StageChange.objects.create(case=case, from_stage="cadrage", to_stage="enquete", changed_at=timezone.make_aware(datetime.datetime(2016, 9, 20, 10)))
    client.force_login(user)

    response = client.get(case.get_absolute_url())

    kinds = [(row["kind"], row["date"]) for row in response.context["timeline"]]
    assert kinds == [
        ("entry", datetime.date(2016, 10, 1)),
        ("stage", datetime.date(2016, 9, 20)),
        ("session", datetime.date(2016, 9, 5)),
        ("entry", datetime.date(2016, 9, 1)),
    ]
    page = response.content.decode()
    assert "Direction des solidarités" in page
    assert "Ajouter une entrée au journal" in page
    assert "Proposer une étape" in page


def test_hostile_entry_text_is_inert_on_the_case_page_and_my_cases(client, team, settings):
    settings.ROOT_URLCONF = __name__
    lab, case, user, resident = team
    for piece in HOSTILE_PIECES:
        make_entry(case, author=user, done=piece, learnt=piece, next_steps=piece, blockers=piece)
    client.force_login(user)

    for url in (case.get_absolute_url(), reverse("my_cases:my_cases")):
        assert executable_parts(client.get(url).content.decode(), own_scripts=True) == []


def test_case_page_query_count_does_not_grow_with_entries(client, team):
    lab, case, user, resident = team
    make_entry(case, author=user)
    client.force_login(user)
    one = count_queries(client, case.get_absolute_url())
    for number in range(2):
        entry = make_entry(case, author=user if number % 2 else resident)
        entry.attachments.create(kind="file", file="journal/x.pdf", caption="x.pdf")
    session = make_session(lab)
    session.cases.add(case)
    StageChange.objects.create(case=case, from_stage="cadrage", to_stage="enquete")

    StageProposal.objects.create(case=case, to_stage="ideation", proposed_by=user)

    # One query of these for the proposals pending on the case, read by the Lab's people only.
    assert one == count_queries(client, case.get_absolute_url()) == exactly(9)


def entries_on(response):
    return [row["item"].done for row in response.context["timeline"] if row["kind"] == "entry"]


def test_case_page_shows_the_journal_ten_entries_a_page_with_moves_and_sessions_where_they_fall(client, team):
    lab, case, user, resident = team
    start = datetime.date(2016, 9, 1)
    for day in range(25):  # entries on 1…25 September, one a day
        make_entry(case, entry_date=start + datetime.timedelta(days=day), done=f"Jour {day + 1}")
    # On 15 Sept., the 11th newest entry's day, and written before it: second page only, after it.
    StageChange.objects.create(case=case, from_stage="cadrage", to_stage="enquete", changed_at=timezone.make_aware(datetime.datetime(2016, 9, 15, 18)))
    early = make_session(lab, start_date=datetime.date(2016, 8, 20))  # before every entry: last page
    early.cases.add(case)
    client.force_login(user)

    first = client.get(case.get_absolute_url())
    second = client.get(case.get_absolute_url() + "?page=2")
    last = client.get(case.get_absolute_url() + "?page=3")

    assert entries_on(first) == [f"Jour {day}" for day in range(25, 15, -1)]
    assert entries_on(second) == [f"Jour {day}" for day in range(15, 5, -1)]
    assert entries_on(last) == [f"Jour {day}" for day in range(5, 0, -1)]
    kinds = {name: [row["kind"] for row in response.context["timeline"]] for name, response in (("1", first), ("2", second), ("3", last))}
    assert "stage" not in kinds["1"] and kinds["2"][:2] == ["entry", "stage"] and "stage" not in kinds["3"]
    assert kinds["3"][-1] == "session" and "session" not in kinds["1"] + kinds["2"]
    page = first.content.decode()
    assert "Entrées plus anciennes" in page and "Page 1 sur 3" in page and "Entrées plus récentes" not in page
    assert "Entrées plus récentes" in last.content.decode()


@pytest.mark.parametrize(
    "reader, expected",
    [
        ("of_the_lab", ["lab", "programme", "public"]),
        ("of_the_programme", ["programme", "public"]),
        ("of_another_programme", ["public"]),
        ("anonymous", ["public"]),
    ],
)
def test_a_public_case_shows_each_reader_only_the_sessions_they_may_read(client, team, reader, expected):
    from programmes.models import Visibility

    lab, case, user, resident = team
    case.visibility = Visibility.PUBLIC
    case.save()
    for day, visibility in enumerate(("lab", "programme", "public")):
        session = make_session(lab, title=visibility, visibility=visibility, start_date=datetime.date(2016, 9, 5 + 3 * day))
        session.cases.add(case)
    readers = {
        "of_the_lab": user,
        "of_the_programme": make_user(),
        "of_another_programme": make_user(),
        "anonymous": None,
    }
    make_ambassador(make_lab(programme=lab.programme), user=readers["of_the_programme"])
    make_ambassador(make_lab(), user=readers["of_another_programme"])
    if readers[reader] is not None:
        client.force_login(readers[reader])

    response = client.get(case.get_absolute_url())

    shown = [row["item"].title for row in response.context["timeline"] if row["kind"] == "session"]
    assert sorted(shown) == expected


def test_a_case_page_number_out_of_range_or_not_a_number_shows_a_page_of_the_journal(client, team):
    lab, case, user, resident = team
    for day in range(12):
        make_entry(case, entry_date=datetime.date(2016, 9, 1) + datetime.timedelta(days=day), done=f"Jour {day + 1}")
    client.force_login(user)

    assert entries_on(client.get(case.get_absolute_url() + "?page=abc"))[0] == "Jour 12"
    assert entries_on(client.get(case.get_absolute_url() + "?page=99")) == ["Jour 2", "Jour 1"]


def test_an_entry_address_leads_to_the_journal_page_it_is_on(client, team):
    lab, case, user, resident = team
    entries = [
        make_entry(case, entry_date=datetime.date(2016, 9, 1) + datetime.timedelta(days=day), done=f"Jour {day + 1}")
        for day in range(15)
    ]
    client.force_login(user)

    oldest = client.get(reverse("cases:entry_link", kwargs={"lab_slug": lab.slug, "slug": case.slug, "pk": entries[0].pk}))
    newest = client.get(reverse("cases:entry_link", kwargs={"lab_slug": lab.slug, "slug": case.slug, "pk": entries[-1].pk}))

    assert oldest.url == f"{case.get_absolute_url()}?page=2#entree-{entries[0].pk}"
    assert newest.url == f"{case.get_absolute_url()}#entree-{entries[-1].pk}"
    assert f'id="entree-{entries[0].pk}"' in client.get(oldest.url).content.decode()


def test_an_entry_address_of_a_case_the_reader_may_not_see_is_not_found(client, team):
    lab, case, user, resident = team
    entry = make_entry(case)
    stranger = make_user()
    make_ambassador(make_lab(), user=stranger)
    client.force_login(stranger)  # another Lab's ambassador; the case is Lab-only
    case.visibility = "lab"
    case.save()

    response = client.get(reverse("cases:entry_link", kwargs={"lab_slug": lab.slug, "slug": case.slug, "pk": entry.pk}))

    assert response.status_code == 404


def test_a_backdated_entry_sends_its_author_to_the_journal_page_it_falls_on(client, team):
    lab, case, user, resident = team
    for day in range(12):
        make_entry(case, entry_date=datetime.date(2016, 10, 1) + datetime.timedelta(days=day))
    client.force_login(resident)
    url = reverse("cases:entry_create", kwargs={"lab_slug": lab.slug, "slug": case.slug})
    form = client.get(url).context["form"]

    response = client.post(url, {"entry_date": "2016-09-01", "done": "Une enquête oubliée.", "token": form["token"].value()})

    entry = ProgressEntry.objects.get(done="Une enquête oubliée.")
    assert response.status_code == 302
    assert response.url == f"{case.get_absolute_url()}?page=2#entree-{entry.pk}"


def test_resident_moves_the_case_and_the_move_is_on_the_timeline(client, team):
    lab, case, user, resident = team
    client.force_login(resident)

    response = client.post(reverse("cases:case_move", kwargs={"lab_slug": lab.slug, "slug": case.slug}), {"move-to_stage": "enquete", "move-note": "Cadrage validé."})

    case.refresh_from_db()
    change = StageChange.objects.get()
    assert response.status_code == 302
    assert case.stage == Stage.INQUIRY
    assert (change.from_stage, change.to_stage, change.changed_by, change.note) == ("cadrage", "enquete", resident, "Cadrage validé.")
    assert "Cadrage validé." in client.get(case.get_absolute_url()).content.decode()


def test_abandoning_a_case_requires_its_lessons(client, team):
    lab, case, user, resident = team
    client.force_login(resident)
    url = reverse("cases:case_move", kwargs={"lab_slug": lab.slug, "slug": case.slug})

    refused = client.post(url, {"move-to_stage": "abandonne"})
    accepted = client.post(url, {"move-to_stage": "abandonne", "move-lessons": "Le service n'était pas prêt."})

    case.refresh_from_db()
    assert refused.status_code == 400
    assert "Un cas abandonné doit dire ce qu&#x27;on en a appris." in refused.content.decode()
    assert accepted.status_code == 302
    assert (case.stage, case.lessons) == (Stage.ABANDONED, "Le service n'était pas prêt.")
    assert StageChange.objects.count() == 1


def test_ambassador_cannot_move_the_case_but_proposes_to_the_residents(client, team):
    lab, case, user, resident = team
    client.force_login(user)
    kwargs = {"lab_slug": lab.slug, "slug": case.slug}

    move = client.post(reverse("cases:case_move", kwargs=kwargs), {"move-to_stage": "enquete"})
    propose = client.post(reverse("cases:case_propose", kwargs=kwargs), {"propose-to_stage": "enquete", "propose-note": "Nous avons fini le cadrage."})

    case.refresh_from_db()
    assert move.status_code == 404
    assert propose.status_code == 302
    assert case.stage == Stage.FRAMING
    proposal = OutgoingMail.objects.get()
    assert proposal.to == resident.email
    assert "Nous avons fini le cadrage." in proposal.body_text


def test_board_shows_cases_by_stage_and_flags_the_quiet_ones(client, team):
    lab, case, user, resident = team
    busy = make_case(lab, stage="prototypage")
    make_entry(busy)
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - datetime.timedelta(days=45))
    client.force_login(resident)

    response = client.get(reverse("cases:board", kwargs={"lab_slug": lab.slug}))

    columns = {column["stage"]: column["cases"] for column in response.context["columns"]}
    assert [c.title for c in columns["cadrage"]] == [case.title]
    assert [c.title for c in columns["prototypage"]] == [busy.title]
    assert [c.stale for c in columns["cadrage"] + columns["prototypage"]] == [True, False]
    assert "Sans entrée depuis un mois" in response.content.decode()


def test_board_filters_by_tag_member_and_activity(client, team):
    lab, case, user, resident = team
    other = make_case(lab)
    make_entry(other)
    member = case.team.get()
    client.force_login(resident)
    url = reverse("cases:board", kwargs={"lab_slug": lab.slug})

    def titles(query):
        response = client.get(url, query)
        return sorted(c.title for column in response.context["columns"] for c in column["cases"])

    assert titles({"tag": "accueil"}) == [case.title]
    assert titles({"membre": str(member.pk)}) == [case.title]
    assert titles({"activite": "actifs"}) == sorted([case.title, other.title])
    assert titles({"membre": "pas-un-nombre"}) == sorted([case.title, other.title])


def test_board_filters_by_a_tag_made_only_of_punctuation(client, team):
    lab, case, user, resident = team
    shouted = make_case(lab, title="Le cas qui crie")
    shouted.tags.add("?!")
    client.force_login(resident)
    url = reverse("cases:board", kwargs={"lab_slug": lab.slug})

    choice = dict((tag.name, tag.slug) for tag in client.get(url).context["tag_choices"])["?!"]
    response = client.get(url, {"tag": choice})

    assert choice != ""
    assert [c.title for column in response.context["columns"] for c in column["cases"]] == ["Le cas qui crie"]


@pytest.mark.parametrize("who, status", [("member", 200), ("resident", 200), ("stranger", 404)])
def test_board_is_for_the_people_of_the_lab(client, team, who, status):
    lab, case, user, resident = team
    people = {"member": user, "resident": resident, "stranger": make_user()}
    client.force_login(people[who])

    assert client.get(reverse("cases:board", kwargs={"lab_slug": lab.slug})).status_code == status


def test_board_query_count_does_not_grow_with_cases(client, team):
    lab, case, user, resident = team
    client.force_login(resident)
    url = reverse("cases:board", kwargs={"lab_slug": lab.slug})
    one = count_queries(client, url)
    for number in range(2):
        extra = make_case(lab, stage=Stage.values[number % 6])
        extra.tags.add(f"tag-{number % 7}")
        extra.team.add(case.team.get())
        make_entry(extra)

    assert one == count_queries(client, url) == exactly(5)


def test_my_cases_lists_my_teams_cases_across_labs_and_my_next_steps(client, team, settings):
    settings.ROOT_URLCONF = __name__
    lab, case, user, resident = team
    elsewhere = make_case(make_lab())
    elsewhere.team.add(make_ambassador(elsewhere.lab, user=user))
    not_mine = make_case(lab)
    make_entry(case, author=user, next_steps="Appeler la directrice.")
    make_entry(not_mine, done="Pas mon équipe.")
    client.force_login(user)

    response = client.get(reverse("my_cases:my_cases"))

    assert sorted(c.pk for c in response.context["cases"]) == sorted([case.pk, elsewhere.pk])
    page = response.content.decode()
    assert "Appeler la directrice." in page
    assert "Pas mon équipe." not in page


def test_my_cases_query_count_does_not_grow(client, team, settings):
    settings.ROOT_URLCONF = __name__
    lab, case, user, resident = team
    make_entry(case, author=user, next_steps="Suite.")
    client.force_login(user)
    url = reverse("my_cases:my_cases")
    one = count_queries(client, url)
    ambassador = case.team.get()
    for number in range(2):
        extra = make_case(lab)
        extra.team.add(ambassador)
        make_entry(extra, author=user, next_steps="Suite.")

    assert one == count_queries(client, url) == exactly(4)
    assert ProgressEntry.objects.count() == 3


def test_each_case_page_offers_the_moves_from_its_own_stage_and_keeps_its_lessons(client, team):
    lab, case, user, resident = team
    later = make_case(lab, stage=Stage.PROTOTYPING, lessons="Les agents veulent un guichet unique.")
    client.force_login(resident)

    def move_choices(page_case):
        page = client.get(page_case.get_absolute_url()).content.decode()
        select = page.split('name="move-to_stage"')[1].split("</select>")[0]
        return {value for value in Stage.values if f'value="{value}"' in select}, page

    first, first_page = move_choices(case)
    second, second_page = move_choices(later)
    with translation.override("en"):  # and back to French afterwards, for the tests that follow
        english = client.get(later.get_absolute_url()).content.decode()

    assert first == set(Stage.values) - {Stage.FRAMING}
    assert second == set(Stage.values) - {Stage.PROTOTYPING}
    assert "Les agents veulent un guichet unique." in second_page
    assert "Les agents veulent un guichet unique." not in first_page.split("journal-title")[0]
    assert "New stage" in english
    assert "Nouvelle étape" not in english


def test_a_pending_proposal_shows_on_the_case_page_until_the_residents_move_the_case(client, team):
    lab, case, user, resident = team
    kwargs = {"lab_slug": lab.slug, "slug": case.slug}
    client.force_login(user)
    client.post(reverse("cases:case_propose", kwargs=kwargs), {"propose-to_stage": "enquete", "propose-note": "Nous avons fini le cadrage."})

    seen_by_the_team = client.get(case.get_absolute_url()).content.decode()
    client.force_login(resident)
    seen_by_a_resident = client.get(case.get_absolute_url()).content.decode()
    client.post(reverse("cases:case_move", kwargs=kwargs), {"move-to_stage": "enquete"})
    after_the_move = client.get(case.get_absolute_url())

    for page in (seen_by_the_team, seen_by_a_resident):
        assert "Propositions d'étape en attente" in page
        assert "Passer à l'étape « Enquête / immersion », proposé par" in page
    assert after_the_move.context["stage_proposals"] == []


def test_the_stage_menus_start_at_the_case_next_stage(client, team):
    lab, case, user, resident = team
    Case.objects.filter(pk=case.pk).update(stage=Stage.INQUIRY)
    kwargs = {"lab_slug": lab.slug, "slug": case.slug}
    client.force_login(user)

    propose_page = client.get(reverse("cases:case_propose", kwargs=kwargs)).content.decode()
    case_page = client.get(case.get_absolute_url()).content.decode()
    client.force_login(resident)
    resident_page = client.get(case.get_absolute_url()).content.decode()

    for page in (propose_page, case_page, resident_page):
        assert '<option value="ideation" selected>' in page
    # Folded under its summary, after the journal on a phone (cases.css).
    assert "<details>" in case_page and '<summary id="propose-title"' in case_page
