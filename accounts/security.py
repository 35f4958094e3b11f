"""Login security helpers shared by django-axes, the audit trail and the rate limits.

One rule for "where does this request come from" and one for "which login was tried",
so that the lockout counters, allauth's rate limits and the audit lines agree.
"""
import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render


def attempted_login(request, credentials=None) -> str | None:
    """The login name someone tried, lower-cased so that case variants count as one.

    allauth passes ``email=`` to ``authenticate()``, Django's and Wagtail's forms pass
    ``username=``, and axes stores the name under AXES_USERNAME_FORM_FIELD ("login").
    """
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("login") or credentials.get("username")
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("login") or request.POST.get("username")
    if not value:
        return None
    # Bounded: axes stores it in a 255-character column and the audit writes it in a log line.
    return str(value).strip().lower()[:150]


def lockout_response(request, original_response=None, credentials=None):
    """The page answered (429, in French) while a login is locked out.

    Either this (address, login) pair is (django-axes), or the login was guessed at from many
    addresses and its password alone is suspended (accounts.lockout sets ``lockout_scope``).
    """
    if getattr(request, "lockout_scope", None) == "account":
        return render(request, "accounts/password_suspended.html", status=settings.AXES_HTTP_RESPONSE_CODE)
    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 15
    return render(
        request,
        "accounts/locked_out.html",
        {"cooloff_minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
