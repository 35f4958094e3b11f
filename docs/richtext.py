"""Rich text cleaned on every path that writes it, not only in the admin's editor.

Wagtail's editor converts what an editor types into its own database format, but ``|richtext``
prints whatever is stored: a page built in code (drafts from sessions and cases, the demo, an
import) could carry ``<script>``, ``onerror=`` or ``javascript:`` links. ``sanitise_richtext``
keeps exactly what Wagtail's rich text features store and drops the rest; page models call it
on every save (``docs.models.SanitisedPage``).
"""
import re

import nh3
from wagtail import blocks

# What Wagtail's rich text features store (its database format): headings, lists, bold and
# italic as <b>/<i>, links (external with href, internal with linktype and id), images and
# embeds as <embed/>, plus the few inline tags its optional features use.
ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "h5", "h6", "b", "i", "strong", "em", "u", "s", "sup", "sub", "code",
    "ul", "ol", "li", "a", "hr", "blockquote", "embed",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "linktype", "id"},
    "embed": {"embedtype", "id", "format", "alt", "url"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

# The HTML parser writes void elements as <br>, <hr>, <embed ...>; Wagtail writes and reads them
# closed (<br/>): its editor takes an unclosed <br> for an open element and fails on the next end
# tag, and its front end only expands <embed .../>.
_VOID = re.compile(r"""<(br|hr|embed)\b((?:[^>"']|"[^"]*"|'[^']*')*?)\s*/?>""")


def sanitise_richtext(html: str) -> str:
    """The same rich text with anything script-capable removed (tags, event attributes, URLs)."""
    if not html:
        return html or ""
    cleaned = nh3.clean(
        str(html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        # No rel added: the stored format stays Wagtail's own; the templates render links.
        link_rel=None,
    )
    return _VOID.sub(r"<\1\2/>", cleaned)


def sanitise_block_data(block, data):
    """Walk a block's stored (JSON-ready) value and clean every rich text inside it."""
    if isinstance(block, blocks.RichTextBlock):
        return sanitise_richtext(data)
    if isinstance(block, blocks.StreamBlock):
        cleaned = []
        for child in data or []:
            child_block = block.child_blocks.get(child.get("type"))
            if child_block is not None:
                child = {**child, "value": sanitise_block_data(child_block, child.get("value"))}
            cleaned.append(child)
        return cleaned
    if isinstance(block, blocks.StructBlock):
        if not isinstance(data, dict):
            return data
        return {
            name: sanitise_block_data(block.child_blocks[name], value) if name in block.child_blocks else value
            for name, value in data.items()
        }
    if isinstance(block, blocks.ListBlock):
        cleaned = []
        for item in data or []:
            if isinstance(item, dict) and "value" in item and "type" in item:
                cleaned.append({**item, "value": sanitise_block_data(block.child_block, item["value"])})
            else:
                cleaned.append(sanitise_block_data(block.child_block, item))
        return cleaned
    return data


def sanitise_stream(stream_field, value):
    """A StreamField value rebuilt from its cleaned stored form."""
    data = stream_field.stream_block.get_prep_value(value)
    return stream_field.to_python(sanitise_block_data(stream_field.stream_block, data))
