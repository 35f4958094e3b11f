"""Journal text as safe HTML: paragraphs and line breaks kept, web and mail addresses linked.

The text is plain text, whatever libraries the machine has (a markdown renderer arriving with
another package must not change how journals read). Its HTML still goes through nh3 with a short
list of tags and only http, https and mailto links: no script, event handler, style or
``javascript:`` URL can come through, even if the rendering had a bug.
"""
import functools

import nh3
from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

# What linebreaks and urlize write, and nothing else.
ALLOWED_TAGS = {"p", "br", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


# The same texts are shown again and again (a case's journal, My cases): each is rendered once
# per process. Pure function of the text; the memory is bounded by the number kept.
@functools.lru_cache(maxsize=2048)
def render_text(text: str) -> SafeString:
    """The HTML of a journal text, sanitised whatever its source."""
    # urlize escapes the text and links the addresses; linebreaks must not escape it twice.
    html = linebreaks(urlize(text or "", nofollow=True, autoescape=True), autoescape=False)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    return mark_safe(cleaned)
