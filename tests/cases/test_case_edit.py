"""Opening a case, editing it and setting its team in the browser: for those who run the Lab."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from cases.models import Case, Stage
from programmes.models import Coordination, LabMembership, Visibility

from ..factories import make_ambassador, make_case, make_lab, make_resident, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    return make_lab(name="La Transfo de Mulhouse")


@pytest.fixture
def resident(lab):
    return make_resident(lab).user


def create_url(lab):
    return reverse("cases:case_create", kwargs={"lab_slug": lab.slug})


def case_url(case, name):
    return reverse(f"cases:{name}", kwargs={"lab_slug": case.lab.slug, "slug": case.slug})


def case_data(**overrides):
    data = {
        "title": "Accueil des usagers en mairie",
        "problem_statement": "L'attente au guichet décourage les usagers.",
        "sponsoring_service": "Direction de la relation usagers",
        "site_address": "2 place de la Réunion, Mulhouse",
        "tags": "accueil, Usagers",
        "visibility": Visibility.PROGRAMME,
    }
    return {**data, **overrides}


def test_resident_opens_a_case_at_framing_with_its_tags_and_team(client, lab, resident):
    camille, dominique = make_ambassador(lab), make_ambassador(lab)
    client.force_login(resident)

    response = client.post(create_url(lab), case_data(team=[camille.pk, dominique.pk]))

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    assert (case.lab, case.slug, case.stage, case.visibility) == (lab, "accueil-des-usagers-en-mairie", Stage.FRAMING, Visibility.PROGRAMME)
    assert (case.sponsoring_service, case.site_address) == ("Direction de la relation usagers", "2 place de la Réunion, Mulhouse")
    assert sorted(tag.name for tag in case.tags.all()) == ["Usagers", "accueil"]
    assert set(case.team.all()) == {camille, dominique}
    page = client.get(response["Location"]).content.decode()
    assert "Cas « Accueil des usagers en mairie » créé." in page
    assert camille.full_name in page


@pytest.mark.parametrize("role", ["host", "coordinator"])
def test_host_and_coordinator_open_cases_too(client, lab, role):
    user = make_user()
    if role == "host":
        LabMembership.objects.create(lab=lab, user=user, role=LabMembership.Role.HOST)
    else:
        Coordination.objects.create(programme=lab.programme, user=user)
    client.force_login(user)

    response = client.post(create_url(lab), case_data())

    assert response.status_code == 302
    assert Case.objects.get().title == "Accueil des usagers en mairie"


def test_the_board_offers_a_new_case_to_residents_only(client, lab, resident):
    ambassador = make_user()
    make_ambassador(lab, user=ambassador)
    board = reverse("cases:board", kwargs={"lab_slug": lab.slug})

    client.force_login(resident)
    for_resident = client.get(board).content.decode()
    client.force_login(ambassador)
    for_ambassador = client.get(board).content.decode()

    assert f'href="{create_url(lab)}"' in for_resident
    assert f'href="{create_url(lab)}"' not in for_ambassador


def test_an_ambassador_cannot_open_a_case(client, lab):
    user = make_user()
    make_ambassador(lab, user=user)
    client.force_login(user)

    page = client.get(create_url(lab))
    post = client.post(create_url(lab), case_data())

    assert (page.status_code, post.status_code) == (404, 404)
    assert not Case.objects.exists()


def test_a_resident_of_another_lab_cannot_open_a_case_here(client, lab):
    client.force_login(make_resident(make_lab(programme=lab.programme)).user)

    assert client.post(create_url(lab), case_data()).status_code == 404
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"title": "  "}, "Champ requis."),
        ({"problem_statement": ""}, "Champ requis."),
        ({"stage": Stage.DEPLOYMENT}, "Un cas commence toujours au cadrage"),
        ({"visibility": "tout-le-monde"}, "Sélectionnez un choix valide"),
        ({"tags": "accueil, " + "x" * 101}, "Un mot-clé fait au plus 100 caractères"),
        ({"tags": ", ".join(f"theme-{n}" for n in range(16))}, "15 mots-clés au plus."),
    ],
)
def test_bad_input_when_opening_a_case_answers_400_and_saves_nothing(client, lab, resident, overrides, message):
    client.force_login(resident)

    response = client.post(create_url(lab), case_data(**overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_a_forged_team_member_of_another_lab_is_refused_and_nothing_saved(client, lab, resident):
    stranger = make_ambassador(make_lab(programme=lab.programme))
    client.force_login(resident)

    response = client.post(create_url(lab), case_data(team=[make_ambassador(lab).pk, stranger.pk]))

    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Case.objects.exists()


def test_slugs_stay_unique_in_the_lab_and_never_take_a_page_name(client, lab, resident):
    client.force_login(resident)

    client.post(create_url(lab), case_data(title="Accueil"))
    client.post(create_url(lab), case_data(title="Accueil"))
    client.post(create_url(lab), case_data(title="Nouveau"))

    assert sorted(Case.objects.values_list("slug", flat=True)) == ["accueil", "accueil-2", "nouveau-2"]
    novel = Case.objects.get(title="Nouveau")
    assert client.get(novel.get_absolute_url()).status_code == 200


def test_the_model_refuses_a_reserved_slug(lab):
    case = Case(lab=lab, title="Nouveau", slug="nouveau", problem_statement="Un problème.")

    with pytest.raises(ValidationError) as error:
        case.full_clean()

    assert "slug" in error.value.message_dict


def test_resident_edits_the_case_and_its_link_stays(client, lab, resident):
    case = make_case(lab, title="Accueil", slug="accueil")
    case.tags.add("accueil")
    client.force_login(resident)

    form = client.get(case_url(case, "case_edit"))
    response = client.post(
        case_url(case, "case_edit"),
        case_data(title="Accueil et orientation", tags="accueil, orientation", visibility=Visibility.PUBLIC),
    )

    case.refresh_from_db()
    assert form.status_code == 200
    assert 'value="Accueil"' in form.content.decode()
    assert response.status_code == 302
    assert (case.title, case.slug, case.visibility, case.stage) == ("Accueil et orientation", "accueil", Visibility.PUBLIC, Stage.FRAMING)
    assert sorted(tag.name for tag in case.tags.all()) == ["accueil", "orientation"]


def test_editing_with_an_empty_title_answers_400_and_changes_nothing(client, lab, resident):
    case = make_case(lab, title="Accueil")
    client.force_login(resident)

    response = client.post(case_url(case, "case_edit"), case_data(title=""))

    case.refresh_from_db()
    assert response.status_code == 400
    assert "Champ requis." in response.content.decode()
    assert case.title == "Accueil"


def test_resident_sets_the_team_from_the_lab_ambassadors(client, lab, resident):
    case = make_case(lab)
    leaving, staying, joining = make_ambassador(lab), make_ambassador(lab), make_ambassador(lab)
    case.team.add(leaving, staying)
    client.force_login(resident)

    page = client.get(case_url(case, "case_team"))
    response = client.post(case_url(case, "case_team"), {"team": [staying.pk, joining.pk]})

    assert page.status_code == 200
    assert joining.full_name in page.content.decode()
    assert response.status_code == 302
    assert set(case.team.all()) == {staying, joining}


def test_the_team_page_offers_only_this_labs_active_ambassadors_and_the_current_team(client, lab, resident):
    case = make_case(lab)
    former = make_ambassador(lab, is_active=False)
    case.team.add(former)
    relais = make_ambassador(lab, circle="network")
    stranger = make_ambassador(make_lab(programme=lab.programme))
    active = make_ambassador(lab)
    client.force_login(resident)

    offered = set(client.get(case_url(case, "case_team")).context["form"].fields["team"].queryset)

    assert offered == {former, active}
    assert relais not in offered and stranger not in offered


def test_a_forged_team_member_of_another_lab_leaves_the_team_unchanged(client, lab, resident):
    case = make_case(lab)
    member = make_ambassador(lab)
    case.team.add(member)
    stranger = make_ambassador(make_lab(programme=lab.programme))
    client.force_login(resident)

    response = client.post(case_url(case, "case_team"), {"team": [stranger.pk]})

    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert list(case.team.all()) == [member]


@pytest.mark.parametrize("page", ["case_edit", "case_team"])
def test_an_ambassador_of_the_team_cannot_edit_the_case_or_its_team(client, lab, page):
    user = make_user()
    case = make_case(lab, title="Accueil")
    case.team.add(make_ambassador(lab, user=user))
    client.force_login(user)

    response = client.post(case_url(case, page), {**case_data(title="Piraté"), "team": []})

    case.refresh_from_db()
    assert response.status_code == 404
    assert case.title == "Accueil"
    assert case.team.count() == 1


def test_the_case_page_links_to_edit_and_team_for_residents_only(client, lab, resident):
    user = make_user()
    case = make_case(lab)
    case.team.add(make_ambassador(lab, user=user))

    client.force_login(resident)
    for_resident = client.get(case.get_absolute_url()).content.decode()
    client.force_login(user)
    for_ambassador = client.get(case.get_absolute_url()).content.decode()

    assert case_url(case, "case_edit") in for_resident and case_url(case, "case_team") in for_resident
    assert case_url(case, "case_edit") not in for_ambassador and case_url(case, "case_team") not in for_ambassador


def test_the_services_refuse_a_team_member_of_another_lab(lab):
    case = make_case(lab)
    stranger = make_ambassador(make_lab(programme=lab.programme), first_name="Sacha", last_name="Ailleurs")

    with pytest.raises(ValidationError) as set_error:
        services.set_case_team(case=case, team=[stranger])
    with pytest.raises(ValidationError):
        services.create_case(lab=lab, title="Cas", problem_statement="Un problème.", team=[stranger])

    assert set_error.value.message_dict == {"team": ["Ces personnes n'appartiennent pas au labo du cas : Sacha Ailleurs."]}
    assert (case.team.count(), Case.objects.count()) == (0, 1)


def test_the_form_suggests_the_programmes_tags_but_not_another_labs_private_ones(client, lab, resident):
    dunkerque = make_lab(programme=lab.programme)
    make_case(dunkerque, visibility=Visibility.PROGRAMME).tags.add("guichet")
    make_case(dunkerque).tags.add("dossier-confidentiel")
    make_case(lab).tags.add("accueil")
    client.force_login(resident)

    page = client.get(create_url(lab)).content.decode()

    assert "Déjà utilisés : accueil, guichet." in page
    assert "dossier-confidentiel" not in page
