"""Template helpers shared by every page."""
from django import template
from django.urls import translate_url
from django.utils.translation import get_language

register = template.Library()


@register.filter
def in_current_language(url):
    """Wagtail page URLs carry no language prefix; keep an English reader in English."""
    return translate_url(url, get_language())
