"""The few admin views that Wagtail's page permission policy does not cover, guarded by the same rule.

Every other view of Wagtail's admin asks the permission policy (docs.rights gives each Lab its
subtree and collection). These answer whatever the page permissions, so a resident of one Lab
would read another Lab's drafts through them: they are put in front of Wagtail's own views
(transfo/urls.py, before the admin's URLs) and answer 404 for a page the user may not read.

A user may read a page in the admin if it is in the part of the tree they may explore (their
Lab's subtree and its ancestors, everything for the site's editors), or if anyone may read it
(published, public, with no unpublished change whose title would show).
"""
from django.db.models import Q
from django.http import Http404
from django.urls import URLPattern, URLResolver
from wagtail.models import Page
from wagtail.permissions import policy_registry


def readable(pages, user):
    """``pages`` narrowed to those ``user`` may see named in the admin."""
    if user.is_superuser:
        return pages
    explorable = policy_registry.get_by_type(Page).explorable_instances(user).order_by().values("pk")
    public = Page.objects.live().public().filter(has_unpublished_changes=False).order_by().values("pk")
    return pages.filter(Q(pk__in=explorable) | Q(pk__in=public))


def may_read_page(user, page_id) -> bool:
    # A page that does not exist is Wagtail's to answer (404).
    pages = Page.objects.filter(pk=page_id)
    return not pages.exists() or readable(pages, user).exists()


def may_see_every_page(user) -> bool:
    """The site's editors: page rights at the root of the tree (or superusers)."""
    if user.is_superuser:
        return True
    return bool(Page.get_first_root_node().permissions_for_user(user).permissions)


def _wagtail_view(name, patterns=None, namespace=None):
    """Wagtail's own view for ``name`` (``namespace:name``), with the admin's decorators (login,
    admin access, locale)."""
    # Imported here: the admin's URLs run the admin hooks, some of which import this module.
    from wagtail.admin import urls as wagtailadmin_urls

    for pattern in wagtailadmin_urls.urlpatterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part) or None
            found = _wagtail_view(name, pattern.url_patterns, inner)
            if found is not None:
                return found
        elif isinstance(pattern, URLPattern) and ":".join(part for part in (namespace, pattern.name) if part) == name:
            return pattern.callback
    return None


def _guarded(name, allowed):
    """Wagtail's view ``name``, answering 404 first when ``allowed(request, **kwargs)`` is false.

    An anonymous visitor goes straight to Wagtail's view, which sends them to the login.
    """
    def view(request, *args, **kwargs):
        if request.user.is_authenticated and not allowed(request, **kwargs):
            raise Http404
        return _wagtail_view(name)(request, *args, **kwargs)

    view.__name__ = f"guarded_{name}"
    return view


def _chosen_pages_readable(request):
    # The chooser's answer names each page it is given: only pages one may read.
    return all(may_read_page(request.user, pk) for pk in request.GET.getlist("id") if str(pk).isdigit())


def _may_publish(request, page_id):
    page = Page.objects.filter(pk=page_id).first()
    return page is not None and page.permissions_for_user(request.user).can_publish()


# The page chooser browsing a page: it shows that page's title (a draft's, for a draft).
choose_page_child = _guarded(
    "wagtailadmin_choose_page_child", lambda request, parent_page_id: may_read_page(request.user, parent_page_id)
)
choose_page_chosen_multiple = _guarded(
    "wagtailadmin_choose_page_chosen_multiple", lambda request: _chosen_pages_readable(request)
)
# Asked before publishing a page in moderation: it tells where the page is in its workflow.
confirm_workflow_cancellation = _guarded(
    "wagtailadmin_pages:confirm_workflow_cancellation", lambda request, page_id: _may_publish(request, page_id)
)
# The report names the last edited page of every kind, whoever may edit it.
page_types_usage = _guarded(
    "wagtailadmin_reports:page_types_usage", lambda request: may_see_every_page(request.user)
)
page_types_usage_results = _guarded(
    "wagtailadmin_reports:page_types_usage_results", lambda request: may_see_every_page(request.user)
)
