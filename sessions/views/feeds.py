"""iCalendar feeds (a Lab's, and a private one per person) and the page to subscribe to them.

A calendar application cannot log in: the private address carries a secret token instead,
which the person can renew (the old address then answers 404). The Lab's feed answers either
the logged-in reader or the same token, in ``?jeton=``.
"""
import time

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.text import slugify
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from common.page_cache import CALENDAR, mark_cacheable
from common.public_url import public_url
from common.views import PermissionRequiredMixin
from programmes.models import Lab
from programmes.rules import labs_seen_whole_by, may_open_lab

from ..gatherings import gatherings_visible_to
from ..ical import (
    CONTENT_TYPE,
    build_calendar,
    calendar_etag,
    feed_token_of,
    renew_feed_token,
    sessions_of_person,
    user_of_token,
    with_feed_details,
    with_gathering_feed_details,
)
from ..models import Gathering, Session

TOKEN_PARAMETER = "jeton"


# How long the moment a feed last changed is remembered; forgotten, it is taken as now (a
# calendar application then downloads the feed once more, nothing worse).
LAST_MODIFIED_TIMEOUT = 60 * 60 * 24 * 30


def last_modified(feed: str, etag: str) -> int:
    """When the ``feed`` (a calendar for one reader) first said what ``etag`` names, in seconds.

    Remembered beside the ETag (in the cache: no query): a calendar deleted or hidden from the
    reader changes the feed without changing any event's LAST-MODIFIED, so only the feed itself
    knows. Each new content gets a later second than the previous one, so that a calendar
    application asking with If-Modified-Since never misses a change made in the same second.
    """
    key = f"calendar:modified:{feed}"
    known = cache.get(key)
    if known is not None and known[0] == etag:
        return known[1]
    moment = int(time.time())
    if known is not None:
        moment = max(moment, known[1] + 1)
    cache.set(key, (etag, moment), LAST_MODIFIED_TIMEOUT)
    return moment


def calendar_response(request, *, uid, reader, name, filename, sessions, gatherings, by_token):
    body = build_calendar(
        uid=uid, name=name, sessions=sessions, gatherings=gatherings, absolute=public_url
    )
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    # A personal calendar: never kept by a shared cache.
    response["Cache-Control"] = "private, max-age=300"
    # A calendar application asking again with the ETag it has, or the Last-Modified date, gets
    # a 304 when nothing changed.
    etag = response["ETag"] = calendar_etag(body)
    modified = last_modified(f"{uid}:{reader.pk}", etag)
    response["Last-Modified"] = http_date(modified)
    if by_token:
        # Building the calendar is most of its cost: the next fetch of the same secret address
        # is answered from the cache until a session, a team or the token changes (common.page_cache).
        mark_cacheable(response, CALENDAR)
    return get_conditional_response(request, etag=etag, last_modified=modified, response=response)


class LabFeedView(View):
    """The Lab's sessions the reader may see, day by day, and the programme's InterTransfo."""

    def get(self, request, lab_slug):
        token = request.GET.get(TOKEN_PARAMETER)
        if token is not None:
            user = user_of_token(token)
            if user is None:
                raise Http404
        elif request.user.is_authenticated:
            user = request.user
        else:
            return redirect_to_login(request.get_full_path())
        lab = Lab.objects.select_related("programme").filter(slug=lab_slug).first()
        if lab is None or not may_open_lab(user, lab):
            raise Http404
        sessions = with_feed_details(Session.objects.visible_to(user).filter(lab=lab)).order_by("start_date")
        gatherings = with_gathering_feed_details(Gathering.objects.filter(programme=lab.programme))
        return calendar_response(
            request,
            uid=f"lab-{lab.pk}@transfo",
            reader=user,
            name=lab.name,
            filename=lab.slug,
            sessions=sessions,
            gatherings=gatherings.order_by("start_date"),
            by_token=token is not None,
        )


class PersonalFeedView(View):
    """Every session of the person's Labs they may see, and their programmes' InterTransfo."""

    def get(self, request, token):
        user = user_of_token(token)
        if user is None:
            raise Http404
        sessions = with_feed_details(sessions_of_person(user)).order_by("start_date", "lab_id")
        gatherings = with_gathering_feed_details(gatherings_visible_to(user)).order_by("start_date")
        return calendar_response(
            request,
            uid=f"person-{user.pk}@transfo",
            reader=user,
            name=gettext("Mes sessions Transfo"),
            filename="transfo",
            sessions=sessions,
            gatherings=gatherings,
            by_token=True,
        )


class SubscriptionView(PermissionRequiredMixin, TemplateView):
    """The person's private calendar address, created on their first visit, and its renewal."""

    permission_required = "common.logged_in"

    template_name = "sessions/calendar/subscription.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        token = feed_token_of(user=self.request.user).token
        personal = public_url(reverse("calendar_feeds:personal", kwargs={"token": token}))
        labs = labs_seen_whole_by(self.request.user).select_related("programme").order_by("start_date", "name")
        context.update(
            personal_url=personal,
            personal_webcal=_webcal(personal),
            lab_feeds=[
                {
                    "lab": lab,
                    "url": public_url(
                        reverse("calendar:lab_feed", kwargs={"lab_slug": lab.slug}) + f"?{TOKEN_PARAMETER}={token}"
                    ),
                    "calendar_url": reverse("calendar:month", kwargs={"lab_slug": lab.slug}),
                    "id": f"flux-{slugify(lab.slug)}",
                }
                for lab in labs
            ],
        )
        return context

    def post(self, request, *args, **kwargs):
        renew_feed_token(user=request.user)
        messages.success(
            request,
            gettext("Votre adresse d'abonnement est renouvelée : l'ancienne ne fonctionne plus. Abonnez-vous à la nouvelle."),
        )
        return redirect("calendar_feeds:subscription")


def _webcal(url):
    """The same address for calendar applications that open webcal:// links."""
    return "webcal://" + url.split("://", 1)[-1]
