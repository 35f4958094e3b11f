"""The Lab's name on a public session or case page leads each reader to a page they may open."""
import re

import pytest

from programmes.models import Visibility

from ..docs.pages import make_lab_page
from ..factories import make_ambassador, make_case, make_lab, make_session, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    return make_lab(name="La Transfo de Mulhouse", slug="transfo-mulhouse")


@pytest.fixture
def public_pages(lab):
    session = make_session(lab, visibility=Visibility.PUBLIC)
    case = make_case(lab, visibility=Visibility.PUBLIC)
    return {"session": session.get_absolute_url(), "case": case.get_absolute_url()}


def lab_links(client, path):
    html = client.get(path).content.decode()
    return re.findall(r'<a href="([^"]+)">La Transfo de Mulhouse</a>', html), html


@pytest.mark.parametrize("kind", ["session", "case"])
def test_anonymous_visitor_is_led_to_the_labs_public_page(client, lab, public_pages, kind):
    public_page = make_lab_page(lab, slug="mulhouse")

    links, _html = lab_links(client, public_pages[kind])
    followed = client.get(links[0])

    assert links == [public_page.url]
    assert followed.status_code == 200


@pytest.mark.parametrize("kind", ["session", "case"])
def test_without_a_public_page_the_lab_is_named_without_a_link(client, public_pages, kind):
    links, html = lab_links(client, public_pages[kind])

    assert links == []
    assert "La Transfo de Mulhouse" in html
    assert 'href="/labs/transfo-mulhouse/"' not in html


@pytest.mark.parametrize("kind", ["session", "case"])
def test_someone_of_another_programme_is_led_to_the_public_page_too(client, lab, public_pages, kind):
    public_page = make_lab_page(lab, slug="mulhouse")
    client.force_login(make_ambassador(make_lab(), user=make_user()).user)

    links, _html = lab_links(client, public_pages[kind])

    assert links == [public_page.url]


@pytest.mark.parametrize("kind", ["session", "case"])
def test_the_labs_own_people_are_led_to_its_working_page(client, lab, public_pages, kind):
    make_lab_page(lab, slug="mulhouse")
    client.force_login(make_ambassador(lab, user=make_user()).user)

    links, _html = lab_links(client, public_pages[kind])

    assert links == [lab.get_absolute_url()]
