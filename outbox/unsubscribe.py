"""Stopping a kind of notification from the mail itself (RFC 2369 and RFC 8058 one-click).

Every notification carries ``List-Unsubscribe`` with a signed link: the signature names the
address and the kind, so the link works without logging in, and only for that address. A mail
client's one-click POST and a person's click on the confirmation page both land on the same view.
Every mail of ours says it was sent by a program (``Auto-Submitted``): no out-of-office replies.
"""
from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import MailKind, Unsubscription

SALT = "outbox.unsubscribe"


def token_for(email: str, kind: str) -> str:
    return signing.dumps({"e": email.lower(), "k": kind}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[str, str] | None:
    """The (address, kind) a link speaks for, or None for a forged or damaged one."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in MailKind.values or not isinstance(data.get("e"), str):
        return None
    return data["e"], data["k"]


def link_for(email: str, kind: str) -> str:
    path = reverse("outbox:unsubscribe", kwargs={"token": token_for(email, kind)})
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def headers_of(mail) -> dict[str, str]:
    headers = {"Auto-Submitted": "auto-generated"}
    if mail.kind:
        headers["List-Unsubscribe"] = f"<{link_for(mail.to, mail.kind)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def unsubscribe(email: str, kind: str) -> None:
    Unsubscription.objects.get_or_create(email=email.lower(), kind=kind)


def subscribe_again(email: str, kind: str) -> None:
    Unsubscription.objects.filter(email=email.lower(), kind=kind).delete()


def stopped_kinds(email: str) -> set[str]:
    return set(Unsubscription.objects.filter(email=email.lower()).values_list("kind", flat=True))
