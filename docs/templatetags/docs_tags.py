"""Template helpers of the public documentation.

``documentation_url`` in the context is the index's Wagtail URL, which already carries the
reader's language prefix (Wagtail reverses its URLs under ``i18n_patterns``).
"""
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def tag_url(context, tag):
    """The page listing every document with this tag."""
    base = context.get("documentation_url")
    return f"{base}tag/{tag.slug}/" if base else ""


@register.simple_tag(takes_context=True)
def documentation_route(context, route):
    """A route of the documentation index (``recherche/``…)."""
    base = context.get("documentation_url")
    return f"{base}{route}" if base else ""
