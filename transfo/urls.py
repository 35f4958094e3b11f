"""URLs: the allauth login comes before both admins so there is a single way in."""
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts.views import LoginView, LogoutView
from common.media import public_media
from docs import admin_guards
from docs.api import api_router
from docs.sitemaps import SITEMAPS, robots_txt
from transfo import pwa

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # Django admin's own login is replaced by the allauth one.
    path("django-admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("django-admin/", admin.site.urls),
    path("cms/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    # Wagtail views that its page permissions do not cover, checked first (docs.admin_guards);
    # unnamed, so that Wagtail's names still build these addresses.
    path("cms/choose-page/<int:parent_page_id>/", admin_guards.choose_page_child),
    path("cms/choose-page/chosen-multiple/", admin_guards.choose_page_chosen_multiple),
    path("cms/pages/workflow/confirm_cancellation/<int:page_id>/", admin_guards.confirm_workflow_cancellation),
    path("cms/reports/page-types-usage/", admin_guards.page_types_usage),
    path("cms/reports/page-types-usage/results/", admin_guards.page_types_usage_results),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Open documentation for machines: no language prefix, French URLs inside.
    path("robots.txt", robots_txt, name="robots_txt"),
    # The service worker, at the root so that its scope is the whole site (transfo.pwa).
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("api/v2/", api_router.urls),
    # Public uploads only (Wagtail images, logos), in every environment; private ones go through
    # their permission-checked views (common.media). In production the proxy serves these itself.
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", public_media, name="public_media"),
]

urlpatterns += i18n_patterns(
    # allauth's login, told what to answer a logged-in person whom an admin sent back to it.
    path("accounts/login/", LoginView.as_view(), name="account_login"),
    # allauth's logout, with the header that empties what the phone kept offline.
    path("accounts/logout/", LogoutView.as_view(), name="account_logout"),
    path("accounts/", include("allauth.urls")),
    path("compte/", include("accounts.urls")),
    path("espace/", include("espace.urls")),
    path("", include("outbox.urls")),
    path("labs/<slug:lab_slug>/sessions/", include("sessions.urls")),
    path("labs/<slug:lab_slug>/cas/", include("cases.urls")),
    path("labs/<slug:lab_slug>/documentation/", include("docs.urls")),
    path("labs/<slug:lab_slug>/calendrier/", include("sessions.calendar_urls")),
    path("labs/<slug:lab_slug>/tableau-de-bord/", include("dashboards.lab_urls")),
    path("programme/<slug:programme_slug>/tableau-de-bord/", include("dashboards.programme_urls")),
    path("calendrier/intertransfo/", include("sessions.intertransfo_urls")),
    path("calendrier/", include("sessions.feed_urls")),
    path("labs/", include("programmes.urls")),
    path("mes-cas/", include("cases.my_urls")),
    path("cas/", include("cases.programme_urls")),
    path("manifest.webmanifest", pwa.manifest, name="web_manifest"),
    path("", include("ambassadors.urls")),
    path("", include("docs.opendata_urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
