"""Every page sends a Content-Security-Policy under which injected script cannot run.

The platform's pages are those of the permission matrix (every page of our apps, built for one
Lab-only item and one public item); then the public site, the Django admin and Wagtail's admin.
What the policy lets a browser do is in tests/browser/test_content_security_policy.py.
"""
import pytest
from wagtail.models import Page

from ..docs.pages import make_article
from ..test_permission_matrix import MATRIX, world  # noqa: F401 (world is a fixture)

pytestmark = pytest.mark.django_db


def policy_of(response):
    """The response's policy as {directive: [sources]}; {} without the header."""
    header = response.get("Content-Security-Policy", "")
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def refuses_injected_script(policy):
    """Script only from our own origin: no inline script, no eval, no plugin, no foreign <base>."""
    return (
        policy.get("script-src") == ["'self'"]
        and policy.get("style-src") == ["'self'"]
        and policy.get("object-src") == ["'none'"]
        and policy.get("base-uri") == ["'self'"]
        and policy.get("default-src") == ["'self'"]
    )


def test_every_page_of_the_platform_sends_the_strict_policy(client, world):  # noqa: F811
    client.force_login(world["people"]["superuser"])

    weak = {}
    for url_name, (build_url, _expected) in sorted(MATRIX.items()):
        for item in ("item_a", "public"):
            response = client.get(build_url(world, item))
            if not refuses_injected_script(policy_of(response)):
                weak[f"{url_name} ({item})"] = response.get("Content-Security-Policy")

    assert weak == {}


@pytest.mark.parametrize(
    "path",
    ["/", "/documentation/", "/documentation/recherche/?q=accueil", "/documentation/tag/accueil/", "/en/documentation/",
     "/accounts/login/", "/cette-page-n-existe-pas/", "/labs/inconnu/"],
)
def test_public_site_sends_the_strict_policy(client, path):
    make_article(tags=["accueil"])

    response = client.get(path)

    assert refuses_injected_script(policy_of(response))


def test_a_page_served_from_the_anonymous_cache_keeps_the_policy(client):
    first = client.get("/documentation/")
    again = client.get("/documentation/")

    assert policy_of(first) == policy_of(again)
    assert refuses_injected_script(policy_of(again))


@pytest.mark.parametrize(
    "path", ["/django-admin/", "/django-admin/programmes/lab/", "/django-admin/programmes/lab/add/", "/django-admin/auth/user/"]
)
def test_django_admin_sends_the_strict_policy(admin_client, path):
    response = admin_client.get(path)

    assert response.status_code == 200
    assert refuses_injected_script(policy_of(response))


def test_wagtail_admin_alone_allows_inline_script_for_its_editor(admin_client):
    article = make_article()

    for path in ("/cms/", f"/cms/pages/{article.pk}/edit/", "/cms/images/", "/cms/documents/"):
        policy = policy_of(admin_client.get(path))

        # What Wagtail's widgets write inline, and still nothing from elsewhere.
        assert policy["script-src"] == ["'self'", "'unsafe-inline'"], path
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"], path
        assert policy["object-src"] == ["'none'"], path
        assert "'unsafe-eval'" not in policy["script-src"], path
        assert policy["img-src"] == ["'self'", "data:", "blob:"], path


def test_the_public_page_of_an_article_is_strict_even_for_an_editor(admin_client):
    article = make_article()

    response = admin_client.get(Page.objects.get(pk=article.pk).url)

    assert response.status_code == 200
    assert refuses_injected_script(policy_of(response))
