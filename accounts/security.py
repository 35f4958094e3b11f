"""Login security helpers shared by django-axes, the audit trail and the rate limits.

One rule for "where does this request come from" and one for "which login was tried",
so that the lockout counters, allauth's rate limits and the audit lines agree.
"""
import functools
import ipaddress
import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render


def _valid_ip(value):
    try:
        address = ipaddress.ip_address(value.strip())
    except (AttributeError, ValueError):
        return None
    # A server listening on IPv6 sees IPv4 clients as ::ffff:a.b.c.d: one client, one address.
    return getattr(address, "ipv4_mapped", None) or address


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def trusted_proxy_networks(entries=None) -> tuple:
    """The networks of our own reverse proxies (TRUSTED_PROXIES: addresses or CIDR networks).

    Raises ValueError on an entry that is neither (settings check it at start-up).
    """
    if entries is None:
        entries = getattr(settings, "TRUSTED_PROXIES", ())
    return _networks(tuple(entries))


def _is_trusted(address, networks) -> bool:
    return any(address in network for network in networks if address.version == network.version)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or, behind our own reverse proxies, the address they saw.

    X-Forwarded-For is read only when the connection comes from a proxy listed in
    TRUSTED_PROXIES: anyone else's header is their own words. Each proxy appends the address it
    received the request from, so the chain is walked from the right, past our proxies, and the
    first address that is not one of ours is the client; entries to its left were typed by the
    client and are never read. Used by axes' lockouts, allauth's rate limits and the audit.
    """
    if request is None:
        return None
    address = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    if address is None:
        return None
    networks = trusted_proxy_networks()
    forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if networks and forwarded_for:
        for hop in reversed(forwarded_for.split(",")):
            if not _is_trusted(address, networks):
                break
            hop_address = _valid_ip(hop)
            if hop_address is None:
                # Not an address a proxy of ours would write: stop at the last one known for sure.
                break
            address = hop_address
    return str(address)


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
