"""Journal text never carries a script: whatever is typed, the HTML shown is inert."""
from html.parser import HTMLParser

from django.conf import settings as django_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.markup import render_text

HOSTILE_PIECES = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">clic</a>',
    '<a href="JaVaScRiPt:alert(1)">clic</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<div style="background:url(javascript:alert(1))">',
    "[lien](javascript:alert(1))",
    "<body onload=alert(1)>",
    '"><script>alert(1)</script>',
    "https://exemple.fr/?q=<script>",
    "<<script>script>alert(1)<</script>/script>",
    "<a href='data:text/html,<script>alert(1)</script>'>d</a>",
    "&lt;script&gt;",
    "<!--",
    "<style>*{}</style>",
    "\n\n",
]


class Inspector(HTMLParser):
    """Collects what a browser would execute: script elements, event handlers, script URLs.

    With ``own_scripts``, the page's own scripts (a ``src`` in the site's static files, nothing
    inline) are not counted: a whole page carries them, a rendered text never does.
    """

    def __init__(self, own_scripts=False):
        super().__init__()
        self.problems = []
        self.own_scripts = own_scripts

    def handle_starttag(self, tag, attrs):
        src = dict(attrs).get("src") or ""
        if self.own_scripts and tag == "script" and src.startswith(django_settings.STATIC_URL):
            return
        if tag in {"script", "iframe", "object", "embed", "style", "svg"}:
            self.problems.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag}@{name}")
            if name in {"href", "src", "action", "formaction"} and value:
                cleaned = "".join(value.split()).lower()
                # Site-relative links (the page's own) are harmless; any other scheme is not.
                if not cleaned.startswith(("http://", "https://", "mailto:", "/", "#", "?")):
                    self.problems.append(f"{tag}@{name}={value}")


def executable_parts(html, own_scripts=False):
    inspector = Inspector(own_scripts=own_scripts)
    inspector.feed(str(html))
    inspector.close()
    return inspector.problems


hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30)),
    max_size=12,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(hostile_text)
def test_generated_hostile_text_renders_nothing_executable(text):
    assert executable_parts(render_text(text)) == []


def test_web_addresses_become_safe_links():
    html = str(render_text("Voir https://exemple.fr/compte-rendu et écrire à equipe@exemple.fr"))

    assert '<a href="https://exemple.fr/compte-rendu" rel="nofollow noopener noreferrer">' in html
    assert 'href="mailto:equipe@exemple.fr"' in html


def test_typed_markup_is_shown_as_text():
    html = str(render_text("<b>gras</b> & <script>x</script>"))

    assert html == "<p>&lt;b&gt;gras&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;</p>"
