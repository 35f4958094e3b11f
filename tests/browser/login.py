"""Logging a person in a browser test without going through the login form (tested on its own)."""
from django.conf import settings
from django.test import Client


def logged_in(page, live_server, user):
    """Give the browser a session of the person, as the login would."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return page
