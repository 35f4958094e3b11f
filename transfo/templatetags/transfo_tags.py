"""Template helpers shared by every page."""
from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, override

from common.offline import offline_key as reader_offline_key

register = template.Library()


@register.filter
def in_current_language(url):
    """Wagtail page URLs carry no language prefix; keep an English reader in English.

    The URL is unprefixed, so it is read as a URL of the default language.
    """
    language = get_language()
    with override(settings.LANGUAGE_CODE):
        return translate_url(url, language)


@register.filter
def in_default_language(url):
    """The unprefixed form of a URL.

    The language switcher posts to an unprefixed URL, which always runs in the default
    language, where "/en/…" would be read as a Wagtail page path: give it the neutral path.
    """
    return translate_url(url, settings.LANGUAGE_CODE)


@register.simple_tag(takes_context=True)
def offline_key(context):
    """The reader's opaque offline key (common.offline), "" for an anonymous visitor."""
    request = context.get("request")
    return reader_offline_key(getattr(request, "user", None))
