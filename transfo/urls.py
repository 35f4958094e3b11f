"""URLs: the allauth login comes before both admins so there is a single way in."""
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # Django admin's own login is replaced by the allauth one.
    path("django-admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("django-admin/", admin.site.urls),
    path("cms/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("compte/", include("accounts.urls")),
    path("labs/<slug:lab_slug>/sessions/", include("sessions.urls")),
    path("labs/<slug:lab_slug>/cas/", include("cases.urls")),
    path("labs/<slug:lab_slug>/calendrier/", include("sessions.calendar_urls")),
    path("calendrier/", include("sessions.feed_urls")),
    path("labs/", include("programmes.urls")),
    path("mes-cas/", include("cases.my_urls")),
    path("", include("ambassadors.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
