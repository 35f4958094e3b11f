"""Where a request comes from: one rule for the lockouts, the rate limits and the audit lines.

REMOTE_ADDR, or, behind our own reverse proxies (TRUSTED_PROXIES), the address they saw.
"""
import functools
import ipaddress

from django.conf import settings


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
