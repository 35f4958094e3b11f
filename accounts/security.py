"""Login security helpers shared by django-axes, the audit trail and the rate limits.

One rule for "where does this request come from" and one for "which login was tried",
so that the lockout counters, allauth's rate limits and the audit lines agree.
"""
import ipaddress
import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render


def _valid_ip(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except (AttributeError, ValueError):
        return None


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind our own reverse proxies the address they saw.

    X-Forwarded-For is only read when ALLAUTH_TRUSTED_PROXY_COUNT says how many proxies of
    ours sit in front (production). Each proxy appends the address it received the request
    from, so the n-th entry from the right is the one a client cannot forge; anything to its
    left was typed by the client. The same setting drives allauth's rate limits.
    """
    if request is None:
        return None
    remote_addr = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    proxy_count = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxy_count > 0 and forwarded_for:
        hops = forwarded_for.split(",")
        if len(hops) >= proxy_count:
            return _valid_ip(hops[-proxy_count]) or remote_addr
    return remote_addr


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
    """The page django-axes answers while a (address, login) pair is locked out: 429, in French."""
    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 15
    return render(
        request,
        "accounts/locked_out.html",
        {"cooloff_minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
