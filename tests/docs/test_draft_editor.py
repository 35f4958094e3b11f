"""Every kind of drafted page opens in Wagtail's editor and comes back unchanged when saved.

A draft is built in code from what a Lab wrote (agenda, minutes, journal): its body must be made
of values the editor reads and writes back as they were, whatever the text holds — lines, lists,
links, ``&``, ``<``, quotes, accents, emoji. The test does what an editor's browser does: it opens
the edit view, reads the form (the StreamField as the editor's widgets hold it), posts it back,
and compares the saved revision and the public rendering with the draft's.
"""
import datetime
import difflib
import io
import json
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.text import normalize_newlines
from PIL import Image
from wagtail import blocks
from django.forms import Textarea
from wagtail.test.utils import WagtailTestUtils
from wagtail.test.utils.form_data import querydict_from_html

from cases.models import Attachment
from docs.drafting import draft_case_story, draft_session_report
from programmes.models import Visibility
from sessions.models import SessionPhoto

from ..factories import (
    make_agenda_item,
    make_ambassador,
    make_case,
    make_entry,
    make_lab,
    make_resident,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

# Text as residents type it: several lines, a list, a link, markup characters, accents, emoji.
TRICKY_TITLE = "Café & croissants <pour> « tous » l'équipe \"ouverte\" 🎉"
TRICKY_TEXT = (
    "Première ligne : accueil & café <b>non gras</b>.\n"
    "Deuxième ligne, avec l'apostrophe et des \"guillemets\".\n"
    "\n"
    "- un point de liste\n"
    "- un autre, 3 < 5 > 2\n"
    "Voir https://example.org/guide?a=1&b=2 pour la suite ✨"
)


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def lab():
    lab = make_lab(name="La Transfo d'Évry & co", slug="transfo-evry")
    make_ambassador(lab, first_name="Sacha", last_name="Vautrin", metier="Jardinier")
    make_ambassador(lab, first_name="Camille", last_name="Durand", public_consent=True)
    return lab


@pytest.fixture
def resident(lab):
    return make_resident(lab, user=make_user(first_name="Rosa", last_name="Lumière"), public_consent=True).user


@pytest.fixture
def editor():
    return make_user(is_superuser=True, is_staff=True)


@pytest.fixture
def public_case(lab):
    case = make_case(
        lab, title="Accueil & orientation « 2.0 » 🚀", visibility=Visibility.PUBLIC,
        problem_statement=TRICKY_TEXT, lessons=TRICKY_TEXT,
    )
    case.tags.add("accueil")
    entry = make_entry(case, done=TRICKY_TEXT, learnt=TRICKY_TEXT)
    Attachment.objects.create(entry=entry, file=ContentFile(png_bytes(), name="photo.png"), caption=TRICKY_TITLE)
    return case


@pytest.fixture
def session(lab, public_case):
    hidden_case = make_case(lab, title="Réorganisation interne", visibility=Visibility.LAB)
    session = make_session(
        lab, title=TRICKY_TITLE, objectives=TRICKY_TEXT, minutes=TRICKY_TEXT, visibility=Visibility.PUBLIC
    )
    session.cases.add(public_case, hidden_case)
    make_agenda_item(
        session, title=TRICKY_TITLE, kind="immersion", description=TRICKY_TEXT,
        facilitators="Sacha Vautrin, Camille Durand", case=public_case,
    )
    make_agenda_item(
        session, title="Point <interne> & suite", start_time=datetime.time(14, 0), end_time=datetime.time(15, 30),
        description="Une ligne.\nUne autre.", case=hidden_case,
    )
    make_agenda_item(session, day=session.end_date, title="Clôture 👋", description=TRICKY_TEXT)
    make_entry(public_case, session=session, learnt=TRICKY_TEXT)
    photo = SessionPhoto(session=session, caption=TRICKY_TITLE)
    photo.image.save("groupe.png", ContentFile(png_bytes()), save=True)
    # A case story that lists this session too.
    public_case.sessions.add(session)
    return session


# --------------------------------------------------------------------------------------------
# What the browser posts: the form's plain fields as rendered, the StreamField as its widgets
# hold it (Wagtail builds those inputs in JavaScript from the block's value)
# --------------------------------------------------------------------------------------------


def stream_form_data(block, value, prefix):
    """The inputs the StreamField's JavaScript posts for ``value``, flat, under ``prefix``."""
    data = {}
    if isinstance(block, blocks.StreamBlock):
        data[f"{prefix}-count"] = str(len(value))
        for index, child in enumerate(value):
            data[f"{prefix}-{index}-type"] = child.block_type
            data[f"{prefix}-{index}-id"] = child.id or ""
            data[f"{prefix}-{index}-deleted"] = ""
            data[f"{prefix}-{index}-order"] = str(index)
            data.update(stream_form_data(child.block, child.value, f"{prefix}-{index}-value"))
    elif isinstance(block, blocks.ListBlock):
        data[f"{prefix}-count"] = str(len(value))
        for index, child in enumerate(value.bound_blocks):
            data[f"{prefix}-{index}-id"] = child.id or ""
            data[f"{prefix}-{index}-deleted"] = ""
            data[f"{prefix}-{index}-order"] = str(index)
            data.update(stream_form_data(block.child_block, child.value, f"{prefix}-{index}-value"))
    elif isinstance(block, blocks.StructBlock):
        for name, child_block in block.child_blocks.items():
            data.update(stream_form_data(child_block, value.get(name), f"{prefix}-{name}"))
    elif isinstance(block, blocks.RichTextBlock):
        # What the editor's widget is given, and posts back untouched (Draftail's contentstate).
        data[prefix] = block.field.widget.format_value(block.value_for_form(value))
    else:
        form_value = block.value_for_form(block.get_prep_value(value))
        data[prefix] = block.field.widget.format_value(form_value) or ""
        if isinstance(block.field.widget, Textarea):
            data[prefix] = as_browser_submits(data[prefix])
    return data


def as_browser_submits(text):
    """A text area's value as a browser submits it: every line break as « \\r\\n »."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def editor_post_data(html, page):
    """The edit form as a browser submits it, with « Save draft » (no action button)."""
    data = querydict_from_html(html, form_id="page-edit-form").dict()
    for textarea in WagtailTestUtils.get_soup(html).select("#page-edit-form textarea[name]"):
        data[textarea["name"]] = as_browser_submits(data[textarea["name"]])
    for name in ("body",):
        field = page._meta.get_field(name)
        data = {key: value for key, value in data.items() if not key.startswith(f"{name}-")}
        data.update(stream_form_data(field.stream_block, getattr(page, name), name))
    return data


def stored(stream):
    """A StreamField's stored value, one line per value (a difference shows as a line)."""
    return json.dumps(list(stream.raw_data), indent=1, ensure_ascii=False).splitlines()


def assert_same(after, before):
    difference = list(difflib.unified_diff(before, after, "draft", "saved from the editor", lineterm="", n=1))
    assert not difference, "\n".join(difference)


def body_html(page):
    """The body as a public page renders it (every block through its template)."""
    return "".join(str(block.render()) for block in page.body).splitlines()


def public_view(client, page):
    """The main content of the page as the public will read it (the preview of its latest revision)."""
    html = client.get(reverse("wagtailadmin_pages:view_draft", args=[page.pk])).content.decode()
    return html[html.index("<main"):html.index("</main>")].splitlines()


def round_trip(client, editor, page):
    """Open the draft in the editor and save it unchanged; return the page before and after."""
    client.force_login(editor)
    before = page.get_latest_revision_as_object()
    before_revision, before_view = page.get_latest_revision(), public_view(client, page)
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])

    response = client.get(edit_url)

    assert response.status_code == 200
    response = client.post(edit_url, editor_post_data(response.content.decode(), before))
    assert response.status_code == 302, re.findall(r'error-message">\s*<p>([^<]*)', response.content.decode())
    page.refresh_from_db()
    assert page.get_latest_revision() != before_revision
    assert_same(public_view(client, page), before_view)
    return before, page.get_latest_revision_as_object()


def test_a_drafted_session_report_opens_in_the_editor_and_saves_back_unchanged(client, session, resident, editor):
    page = draft_session_report(session=session, drafted_by=resident)

    before, after = round_trip(client, editor, page)

    assert_same(stored(after.body), stored(before.body))
    assert_same(body_html(after), body_html(before))
    assert [(photo.image_id, photo.alt_text, photo.caption) for photo in after.photos.all()] == [
        (photo.image_id, photo.alt_text, photo.caption) for photo in before.photos.all()
    ]
    assert (after.title, after.intro, after.live) == (before.title, before.intro, False)
    # What residents typed is shown as they typed it: escaped, line by line, nobody unconsented.
    html = "\n".join(body_html(after))
    assert "<b>Café &amp; croissants &lt;pour&gt; « tous » l&#x27;équipe &quot;ouverte&quot; 🎉</b>" in html
    assert "Première ligne : accueil &amp; café &lt;b&gt;non gras&lt;/b&gt;.<br>Deuxième ligne" in html
    assert "animé par Sacha (Jardinier), Camille Durand" in html
    assert "Vautrin" not in html and "Réorganisation interne" not in html


def test_a_drafted_case_story_opens_in_the_editor_and_saves_back_unchanged(
    client, session, public_case, resident, editor
):
    page = draft_case_story(case=public_case, drafted_by=resident)

    before, after = round_trip(client, editor, page)

    assert_same(stored(after.body), stored(before.body))
    assert_same(body_html(after), body_html(before))
    # Plain text fields come back with the browser's line breaks (« \\r\\n »), shown the same.
    assert (normalize_newlines(after.problem), normalize_newlines(after.lessons)) == (before.problem, before.lessons)
    assert after.live is False


def test_a_draft_saved_with_unclosed_line_breaks_opens_once_upgraded(client, session, resident, editor):
    from importlib import import_module

    from django.apps import apps
    from wagtail.models import Revision
    from wagtail.rich_text import RichText

    from docs.models import SessionReportPage

    page = SessionReportPage.objects.get(pk=draft_session_report(session=session, drafted_by=resident).pk)
    # Drafts once carried the Lab's text as rich text paragraphs: one, as the editor stores it.
    page.body.append(("paragraph", RichText("<p>Première ligne<br/>Deuxième ligne</p>")))
    page.save()
    page.save_revision(user=resident)
    page = SessionReportPage.objects.get(pk=page.pk)
    revision = page.latest_revision

    def unclosed(data):
        return json.loads(json.dumps(data).replace("<br/>", "<br>"))

    # As the sanitiser stored rich text until now: « <br> », which the editor cannot read.
    SessionReportPage.objects.filter(pk=page.pk).update(body=unclosed(list(page.body.raw_data)))
    Revision.objects.filter(pk=revision.pk).update(content=unclosed(revision.content))
    client.force_login(editor)
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    with pytest.raises(AssertionError, match="Unmatched tags"):
        client.get(edit_url)

    import_module("docs.migrations.0007_close_rich_text_line_breaks").close_line_breaks(apps, None)

    assert client.get(edit_url).status_code == 200
    assert stored(SessionReportPage.objects.get(pk=page.pk).body) == stored(page.body)
    assert Revision.objects.get(pk=revision.pk).content == revision.content
