"""The language a mail is written in: the reader's own choice, else their programme's, else the site's."""
from django.conf import settings

from .models import MailPreference


def reader_languages(emails, *, default: str | None = None) -> dict[str, str]:
    """The language of each address of ``emails`` (one query), keyed by the address in lower case."""
    fallback = default or settings.LANGUAGE_CODE
    addresses = {email.lower() for email in emails if email}
    chosen = dict(
        MailPreference.objects.filter(user__email__in=[*addresses, *emails]).values_list("user__email", "language")
    )
    chosen = {email.lower(): language for email, language in chosen.items()}
    return {address: chosen.get(address, fallback) for address in addresses}


def reader_language(email: str, *, default: str | None = None) -> str:
    return reader_languages([email], default=default).get(email.lower(), default or settings.LANGUAGE_CODE)
