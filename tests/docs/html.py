"""Reading what a public page tells machines: JSON-LD, meta tags, links."""
import html as html_module
import json
import re
from html.parser import HTMLParser


class _Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.json_ld, self.meta, self.links, self.anchors = [], {}, [], []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")
        elif tag == "meta" and "property" in attrs:
            self.meta[attrs["property"]] = attrs.get("content")
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "a":
            self.anchors.append(attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data


def read(response):
    parser = _Head()
    parser.feed(response.content.decode())
    parser.structured = [json.loads(text) for text in parser.json_ld]
    return parser


def text_of(response):
    """The visible text of the page's main content, tags removed."""
    html = response.content.decode()
    main = html[html.index("<main"):html.index("</main>")]
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


SCHEMA = "https://schema.org/"


def schema_org_loader(url, options=None):
    """pyld's document loader, offline: schema.org's context, whose terms are the vocabulary's names."""
    if url.rstrip("/") not in ("https://schema.org", "http://schema.org"):
        raise ValueError(f"no network in the tests: {url}")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": {"@context": {"@vocab": SCHEMA}}}
