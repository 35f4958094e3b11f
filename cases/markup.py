"""Journal text as safe HTML: light markup when markdown-it-py is installed, plain text otherwise.

Whatever renders the text, its HTML goes through nh3 with a short list of tags and only http,
https and mailto links: no script, event handler, style or ``javascript:`` URL can come through,
even if the renderer had a bug.
"""
import functools
import importlib.util

import nh3
from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "br", "a", "strong", "em", "ul", "ol", "li", "code", "pre", "blockquote", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

_markdown = None


def _markdown_renderer():
    global _markdown
    if _markdown is None:
        from markdown_it import MarkdownIt

        # "js-default" escapes raw HTML instead of passing it through.
        _markdown = MarkdownIt("js-default")
    return _markdown


@functools.cache
def has_markdown() -> bool:
    # Looked up once per process: find_spec searches the file system, and a page renders many texts.
    return importlib.util.find_spec("markdown_it") is not None


# The same texts are shown again and again (a case's journal, My cases): each is rendered once
# per process. Pure function of the text; the memory is bounded by the number kept.
@functools.lru_cache(maxsize=2048)
def render_text(text: str) -> SafeString:
    """The HTML of a journal text, sanitised whatever its source."""
    text = text or ""
    if has_markdown():
        html = _markdown_renderer().render(text)
    else:
        # urlize escapes the text and links the addresses; linebreaks must not escape it twice.
        html = linebreaks(urlize(text, nofollow=True, autoescape=True), autoescape=False)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    return mark_safe(cleaned)
