"""Drafts of public pages from a Lab's own material: a session report, a case story.

A resident turns what the Lab wrote for itself (agenda, minutes, journal, photos) into a Wagtail
draft that editors review in the moderation workflow before anything is public. What the public
may not see never reaches the draft:

- people are named only with their consent (ambassadors, residents, hosts); anyone else becomes a
  first name and a role, and an unknown name among the facilitators is left out (DESIGN.md §2);
- a case that is not public is neither named nor linked: its title is replaced wherever it
  appears, its journal and its photos stay inside the Lab;
- an address of a page behind login (a Lab's sessions, cases, calendar…) is removed from the text.

``non_public_links`` is the check the admin runs before a page goes live (docs.wagtail_hooks): a
link written by hand in the editor to a Lab-only item is refused there.
"""
import json
import os
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _, ngettext
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from ambassadors.public_names import PublicNames
from cases.models import Attachment, Case, ProgressEntry
from common.images import clean_image
from programmes.models import Lab, LabMembership, Visibility
from sessions.models import AgendaItem, Session

from .models import CaseStoryPage, SessionReportPage, SessionReportPhoto
from .rights import ensure_lab_space, free_slug, lab_page

INTRO_LENGTH = 300
# Namespaces of the pages that live behind a login: a Lab's working pages and one's own account.
PRIVATE_NAMESPACES = frozenset(
    {"programmes", "lab_sessions", "cases", "my_cases", "ambassadors", "accounts", "calendar", "calendar_feeds",
     "intertransfo", "programme_cases", "docs"}
)
# Paths of the two admins: behind a login whatever they show.
ADMIN_PREFIXES = ("cms/", "django-admin/")
# Pages of a Lab item that anyone may open when the item itself is public (its visibility decides).
PUBLIC_IF_ITEM_IS = {
    "lab_sessions": {"session_detail", "agenda_print", "session_photo"},
    "cases": {"case_detail", "attachment", "attachment_thumbnail"},
}

# An address in stored text: absolute, or a path inside an attribute, quotes or parentheses.
_URL = re.compile(r"""https?://[^\s"'<>\\)]+|(?:(?<=["'(\s=>])|^)/[^\s"'<>\\)]+""", re.M)
_PAGE_LINK = re.compile(r"""<a\b[^>]*\blinktype=\\?["']page\\?["'][^>]*>""")
_ID = re.compile(r"""\bid=\\?["'](\d+)""")
# The spaces Wagtail's editor collapses into one (not the non-breaking ones).
_SPACES = re.compile(r"[ \t\n\f\r\v]+")


class DraftRefused(Exception):
    """The draft cannot be made; the message says why, in words a resident understands."""


# --------------------------------------------------------------------------------------------
# What the public may read of a Lab: names with consent, public cases, no address behind login
# --------------------------------------------------------------------------------------------


@dataclass
class Redactor:
    """Rewrites a Lab's own text for the public.

    People are named as ``ambassadors.public_names`` says (the rule of every page read from
    outside a Lab). Built once per draft with a few queries (the people the texts name, the Lab's
    cases), it then works on text alone: a draft costs the same number of queries whatever it
    contains.
    """

    lab: Lab
    names: PublicNames = field(default_factory=PublicNames)
    hidden_case_titles: list = field(default_factory=list)
    public_cases: dict = field(default_factory=dict)

    @classmethod
    def for_lab(cls, lab, *, texts=None):
        """``texts``: every text the draft will use, so that only the people they name are read
        (with the titles of the Lab's public cases, which a draft may show)."""
        redactor = cls(lab=lab)
        for case in Case.objects.filter(lab=lab).only("title", "slug", "visibility", "lab_id"):
            if case.visibility == Visibility.PUBLIC:
                redactor.public_cases[case.pk] = case
            elif case.title.strip():
                redactor.hidden_case_titles.append(case.title.strip())
        # Longest first: « Accueil des habitants » is replaced before « Accueil ».
        redactor.hidden_case_titles.sort(key=len, reverse=True)
        if texts is not None:
            texts = [*texts, *(case.title for case in redactor.public_cases.values())]
        redactor.names = PublicNames.for_lab(lab, texts=texts)
        return redactor

    def text(self, value):
        """Plain text for the public: names, hidden cases and private addresses replaced."""
        value = value or ""
        value = _URL.sub(lambda match: self._url(match.group(0)), value)
        for title in self.hidden_case_titles:
            value = re.sub(rf"(?<!\w){re.escape(title)}(?!\w)", _("[cas pratique interne]"), value, flags=re.I)
        return self.names.text(value).strip()

    def _url(self, url):
        return _("[lien interne retiré]") if is_private_address(url) else url

    def people(self, facilitators):
        """The facilitators a public page may name (``PublicNames.people``)."""
        return self.names.people(facilitators)

    def case_label(self, case):
        """A public case by its title, any other by a phrase that does not tell which."""
        if case is not None and case.pk in self.public_cases:
            return self.text(case.title)
        return _("un cas pratique interne au labo")


def is_private_address(url) -> bool:
    """Whether an address points to a page the public cannot open (see ``non_public_links``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https"):
        return False
    if parts.netloc and parts.netloc.split(":")[0] not in _own_hosts():
        return False
    path = parts.path or "/"
    if not path.startswith("/"):
        return False
    matches = _resolve(path)
    if not matches:
        return False
    match = matches[0]
    if match.route.lstrip("^").startswith(ADMIN_PREFIXES):
        return True
    if match.url_name == "wagtail_serve":
        # The page the path names in the language that finds the deepest one.
        pages = [_page_at(serve.args[0] if serve.args else serve.kwargs.get("path", "")) for serve in matches]
        pages = [page for page in pages if page is not None]
        page = max(pages, key=lambda page: page.depth, default=None)
        return page is not None and not _page_is_public(page)
    namespaces = set(match.namespaces)
    if not namespaces & PRIVATE_NAMESPACES:
        return False
    for namespace, names in PUBLIC_IF_ITEM_IS.items():
        if namespace in namespaces and match.url_name in names:
            return not _item_is_public(namespace, match.kwargs)
    return True


def _resolve(path):
    """The URL patterns a path matches, in each language (a prefix such as /en/ names one).

    Wagtail's catch-all route matches any path in the default language (« en/labs/… » could be
    a page's path): a match on one of our own pages, in any language, comes first.
    """
    matches = []
    for language in dict.fromkeys([translation.get_language(), *(code for code, _name in settings.LANGUAGES)]):
        with translation.override(language):
            try:
                matches.append(resolve(path))
            except Resolver404:
                continue
    matches.sort(key=lambda match: match.url_name == "wagtail_serve")
    return matches


def _own_hosts():
    hosts = {host.lstrip(".") for host in settings.ALLOWED_HOSTS if host != "*"}
    hosts.update(Site.objects.values_list("hostname", flat=True))
    for base in (getattr(settings, "WAGTAILADMIN_BASE_URL", ""), settings.TRANSFO_PUBLIC_URL):
        if base:
            hosts.add(urlsplit(base).hostname or "")
    hosts.update({"localhost", "127.0.0.1", "testserver"})
    return hosts


def _item_is_public(namespace, kwargs):
    lab_slug = kwargs.get("lab_slug")
    if namespace == "lab_sessions":
        items = Session.objects.filter(lab__slug=lab_slug, number=kwargs.get("number"))
    else:
        items = Case.objects.filter(lab__slug=lab_slug, slug=kwargs.get("slug"))
    return items.filter(visibility=Visibility.PUBLIC).exists()


def _page_at(path):
    """The Wagtail page a public path shows (or its nearest ancestor, for a routed sub-page)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return None
    components = [component for component in path.strip("/").split("/") if component]
    while True:
        url_path = site.root_page.url_path + "".join(f"{component}/" for component in components)
        page = Page.objects.filter(url_path=url_path).first()
        if page is not None or not components:
            return page
        components.pop()


def _page_is_public(page):
    return page.live and not page.get_view_restrictions().exists()


def _page_fields():
    return {"pk"} | {field.name for field in Page._meta.get_fields()} - {"title"}


def _strings(value):
    """Every string inside a page's stored data, JSON (StreamField) unpacked."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped[:1] in ("[", "{"):
            try:
                yield from _strings(json.loads(stripped))
                return
            except ValueError:
                pass
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def non_public_links(page) -> list[str]:
    """Addresses in the page's content that the public could not open, in the order found.

    A link to a Lab's working page (a session, a case, its calendar…) counts unless the item is
    public; so do a link to either admin and an internal link to a Wagtail page that is not
    published or is restricted. A link elsewhere on the web is not our business.
    """
    found = []
    data = page.specific.serializable_data() if isinstance(page, Page) else page
    if isinstance(page, Page):
        # Wagtail's own fields (paths, URL path, comments) are not content anyone wrote.
        data = {key: value for key, value in data.items() if key not in _page_fields()}
    for text in _strings(data):
        for match in _URL.finditer(text):
            url = match.group(0).rstrip(".,;:!?")
            if url not in found and is_private_address(url):
                found.append(url)
        for tag in _PAGE_LINK.findall(text):
            page_id = _ID.search(tag)
            if page_id is None:
                continue
            linked = Page.objects.filter(pk=int(page_id.group(1))).first()
            if linked is not None and not _page_is_public(linked):
                label = linked.url or f"page {linked.pk}"
                if label not in found:
                    found.append(label)
    return found


# --------------------------------------------------------------------------------------------
# Building the drafts
# --------------------------------------------------------------------------------------------


def _text(text):
    """A Lab's text as a text block: paragraphs and line breaks as typed, laid out and escaped
    by the block's template (``blocks/text_block.html``)."""
    return {"type": "text", "value": _multi_line(text)}


def _bullets(lines):
    """Lines of text as a bulleted list block, one item per line (``blocks/bullets_block.html``)."""
    return {"type": "bullets", "value": [_list_item(line) for line in map(_single_line, lines) if line]}


def _single_line(text):
    """Text for a one-line field: a browser's text input holds no line break or run of spaces
    (non-breaking spaces, as French typography uses them, are kept)."""
    return _SPACES.sub(" ", text or "").strip()


def _heading(text, level="h2"):
    return {"type": "heading", "value": {"text": _single_line(str(text)), "level": level}}


def _quote(text, attribution):
    return {"type": "quote", "value": {"text": _multi_line(text), "attribution": _single_line(str(attribution))}}


def _authors(lab):
    """The Lab's team as a public page may name it: those who consented, else the team."""
    names = [
        membership.user.get_full_name()
        for membership in LabMembership.objects.filter(lab=lab, public_consent=True).select_related("user")
        if membership.user.get_full_name()
    ]
    return ", ".join(names)[:300] if names else _("L'équipe de %(lab)s") % {"lab": lab.name}


def _lab_place(lab):
    """The Lab's page, under which its drafts go, and the collection of its images: where its
    residents may edit them and no other Lab sees them (docs.rights)."""
    collection = ensure_lab_space(lab).collection
    place = lab_page(lab)
    if place is None:
        raise DraftRefused(
            _("La documentation n'a pas encore de liste des labos : un·e administrateur·rice doit la créer.")
        )
    return place, collection


def _copy_image(source_file, *, title, drafted_by, collection):
    """A Wagtail image made of a Lab photo's pixels (common.images), nothing else of the file.

    The Lab's photos were cleaned at upload, but not always by today's rules (a comment could
    stay in those stored before): the copy is cleaned again. Returns None for a file that is
    missing or that is refused.
    """
    try:
        with source_file.open("rb") as handle:
            clean = clean_image(handle, name=os.path.basename(source_file.name))
    except (OSError, ValueError, ValidationError):
        return None
    image = get_image_model()(
        title=Truncator(title).chars(250),
        file=clean.file(),
        uploaded_by_user=drafted_by if drafted_by is not None and drafted_by.is_authenticated else None,
        # In the Lab's collection: its team and coordination see it, no other Lab does.
        collection=collection,
    )
    image.save()
    return image


def _public_photos_of_entries(entries, redactor):
    """Photos attached to journal entries of public cases, as (file, caption)."""
    photos = []
    for entry in entries:
        if entry.case_id not in redactor.public_cases:
            continue
        for attachment in entry.attachments.all():
            if attachment.kind == Attachment.Kind.PHOTO:
                photos.append((attachment.file, _single_line(redactor.text(attachment.caption))))
    return photos


def _send_to_moderation(page, user):
    """Put the draft in the moderation workflow that covers it, unless it is already there."""
    if page.live or page.current_workflow_state is not None:
        return
    workflow = page.get_workflow()
    if workflow is not None:
        workflow.start(page, user)


def find_session_report(session):
    """The report already drafted (or published) for this session, if any."""
    return SessionReportPage.objects.filter(session=session).order_by("pk").first()


def find_case_story(case):
    """The story already drafted (or published) for this case, if any."""
    return CaseStoryPage.objects.filter(case=case).order_by("pk").first()


def _agenda_blocks(session, items, redactor):
    """The programme, one block per day that has any (``AgendaDayBlock``, rendered by its template)."""
    if not items:
        return []
    blocks = [_heading(_("Le programme"))]
    for day in session.days:
        slots = [
            _list_item({
                "start_time": item.start_time.strftime("%H:%M:%S"),
                "end_time": item.end_time.strftime("%H:%M:%S"),
                "title": _single_line(redactor.text(item.title)),
                "kind": str(item.get_kind_display()),
                "facilitators": _single_line(redactor.people(item.facilitators)),
                "case": _single_line(redactor.case_label(item.case)) if item.case_id else "",
                "description": _multi_line(redactor.text(item.description)),
            })
            for item in items
            if item.day == day
        ]
        if slots:
            blocks.append({"type": "agenda_day", "value": {"day": day.isoformat(), "slots": slots}})
    return blocks


def _list_item(value):
    """An item of a ListBlock as Wagtail stores it (the editor keeps each item's id)."""
    return {"type": "item", "value": value, "id": str(uuid.uuid4())}


def _multi_line(text):
    """Text for a text area: lines as typed, without carriage returns or trailing spaces."""
    lines = [line.rstrip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()


@transaction.atomic
def draft_session_report(*, session: Session, drafted_by) -> SessionReportPage:
    """Draft the public report of a session and send it to moderation.

    Pre-filled from the session's agenda (day by day), its minutes, what the journals of its
    public cases learnt during it, and its photos; people named only with consent, cases only
    when public. A second call opens the page already drafted for the session (its editors'
    work is kept) and sends it back to moderation if it left it unpublished.
    """
    # One draft per session, even when two people click at once: the second waits for the first.
    Session.objects.select_for_update().filter(pk=session.pk).first()
    existing = find_session_report(session)
    if existing is not None:
        _send_to_moderation(existing, drafted_by)
        return existing

    lab = Lab.objects.select_related("programme").get(pk=session.lab_id)
    items = list(
        AgendaItem.objects.filter(session=session).select_related("case").order_by("day", "start_time")
    )
    entries = list(
        ProgressEntry.objects.filter(session_link__session=session, case__lab=lab)
        .select_related("case")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk")))
        .order_by("entry_date", "created_at")
    )
    session_photos = list(session.photos.order_by("uploaded_at", "pk"))
    texts = [session.title, session.objectives, session.minutes, *(photo.caption for photo in session_photos)]
    texts += [text for item in items for text in (item.title, item.description, item.facilitators)]
    texts += [text for entry in entries for text in (entry.learnt, *(file.caption for file in entry.attachments.all()))]
    redactor = Redactor.for_lab(lab, texts=texts)
    worked_cases = list(session.cases.order_by("title"))
    label = _("Session n° %(number)s de %(lab)s") % {"number": session.number, "lab": lab.name}
    title = f"{label} : {redactor.text(session.title)}" if session.title.strip() else label

    body = []
    objectives = redactor.text(session.objectives)
    if objectives:
        body += [_heading(_("Objectifs")), _text(objectives)]
    body += _agenda_blocks(session, items, redactor)
    public_cases = [case for case in worked_cases if case.pk in redactor.public_cases]
    hidden = len(worked_cases) - len(public_cases)
    if worked_cases:
        body.append(_heading(_("Les cas pratiques travaillés")))
        lines = [redactor.case_label(case) for case in public_cases]
        if hidden:
            lines.append(
                ngettext("%(count)d cas pratique interne au labo", "%(count)d cas pratiques internes au labo", hidden)
                % {"count": hidden}
            )
        body.append(_bullets(lines))
    minutes = redactor.text(session.minutes)
    if minutes:
        body += [_heading(_("Compte rendu")), _text(minutes)]
    learnt = [entry for entry in entries if entry.case_id in redactor.public_cases and entry.learnt.strip()]
    if learnt:
        body.append(_heading(_("Ce que nous avons appris")))
        for entry in learnt:
            body.append(_quote(redactor.text(entry.learnt), redactor.case_label(entry.case)))

    default_intro = _("Ce que la session n° %(number)s de %(lab)s a travaillé, jour par jour.") % {
        "number": session.number, "lab": lab.name,
    }
    index, collection = _lab_place(lab)
    page = SessionReportPage(
        title=Truncator(title).chars(250),
        slug=free_slug(index, f"session-{session.number}-{lab.slug}"),
        session=session,
        lab=lab,
        date=session.end_date,
        start_date=session.start_date,
        end_date=session.end_date,
        licence=lab.programme.default_licence,
        authors=_authors(lab),
        intro=Truncator(_single_line(objectives) or default_intro).chars(INTRO_LENGTH),
        body=json.dumps(body),
        live=False,
        owner=drafted_by,
    )

    photos = [(photo.image, _single_line(redactor.text(photo.caption))) for photo in session_photos]
    photos += _public_photos_of_entries(entries, redactor)
    report_photos = []
    for position, (source, caption) in enumerate(photos, start=1):
        alt = caption or _("Photo %(position)d de la session n° %(number)s") % {
            "position": position, "number": session.number,
        }
        image = _copy_image(source, title=alt, drafted_by=drafted_by, collection=collection)
        if image is not None:
            report_photos.append(SessionReportPhoto(
                image=image, alt_text=Truncator(alt).chars(250), caption=Truncator(caption).chars(250)
            ))
    page.photos = report_photos
    if report_photos:
        page.cover_image = report_photos[0].image
    tags = sorted({tag.name for case in public_cases for tag in case.tags.all()})
    return _save_draft(index, page, tags, drafted_by)


@transaction.atomic
def draft_case_story(*, case: Case, drafted_by) -> CaseStoryPage:
    """Draft the public story of a case and send it to moderation.

    Only a public case gets a public story: any other is refused (``DraftRefused``), since its
    story would name it. Pre-filled from its problem, stage, lessons, the sessions that worked on
    it (public ones named), what its journal learnt and its photos. A second call opens the
    story already drafted.
    """
    if case.visibility != Visibility.PUBLIC:
        raise DraftRefused(
            _("Ce cas pratique n'est pas public : rendez-le public avant d'en rédiger le récit public.")
        )
    Case.objects.select_for_update().filter(pk=case.pk).first()
    existing = find_case_story(case)
    if existing is not None:
        _send_to_moderation(existing, drafted_by)
        return existing

    lab = Lab.objects.select_related("programme").get(pk=case.lab_id)
    entries = list(
        ProgressEntry.objects.filter(case=case)
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk")))
        .order_by("entry_date", "created_at")
    )
    sessions = list(case.sessions.order_by("start_date"))
    texts = [case.problem_statement, case.lessons, *(session.title for session in sessions)]
    texts += [text for entry in entries for text in (entry.done, entry.learnt, *(file.caption for file in entry.attachments.all()))]
    redactor = Redactor.for_lab(lab, texts=texts)
    problem = redactor.text(case.problem_statement)

    body = []
    if sessions:
        body.append(_heading(_("Les sessions qui y ont travaillé")))
        lines = []
        for session in sessions:
            when = date_format(session.start_date, "DATE_FORMAT")
            if session.visibility == Visibility.PUBLIC:
                line = _("Session n° %(number)s (%(date)s)") % {"number": session.number, "date": when}
                if session.title.strip():
                    line += f" : {redactor.text(session.title)}"
            else:
                line = _("Une session du labo (%(date)s)") % {"date": when}
            lines.append(line)
        body.append(_bullets(lines))
    journal = [entry for entry in entries if entry.done.strip() or entry.learnt.strip()]
    if journal:
        body.append(_heading(_("Le journal de bord")))
        for entry in journal:
            body.append(_heading(date_format(entry.entry_date, "DATE_FORMAT"), "h3"))
            if entry.done.strip():
                body.append(_text(redactor.text(entry.done)))
            if entry.learnt.strip():
                body.append(_quote(redactor.text(entry.learnt), _("Ce que nous avons appris")))
    index, collection = _lab_place(lab)
    photos = _public_photos_of_entries(entries, redactor)
    first_image = None
    for position, (source, caption) in enumerate(photos, start=1):
        alt = caption or _single_line(
            _("Photo %(position)d du cas « %(title)s »") % {"position": position, "title": redactor.case_label(case)}
        )
        image = _copy_image(source, title=alt, drafted_by=drafted_by, collection=collection)
        if image is None:
            continue
        first_image = first_image or image
        body.append(
            {"type": "image", "value": {"image": image.pk, "alt_text": Truncator(alt).chars(250), "caption": caption}}
        )

    page = CaseStoryPage(
        title=Truncator(redactor.case_label(case)).chars(250),
        slug=free_slug(index, f"{case.slug}-{lab.slug}"),
        case=case,
        lab=lab,
        date=timezone.localdate(),
        problem=problem,
        stage=case.stage,
        lessons=redactor.text(case.lessons),
        licence=lab.programme.default_licence,
        authors=_authors(lab),
        intro=Truncator(_single_line(problem)).chars(INTRO_LENGTH),
        body=json.dumps(body),
        cover_image=first_image,
        live=False,
        owner=drafted_by,
    )
    return _save_draft(index, page, sorted(tag.name for tag in case.tags.all()), drafted_by)


def _save_draft(index, page, tags, drafted_by):
    """Add the page unpublished in the Lab's place (``index``), keep a revision, start moderation."""
    if tags:
        page.tags.add(*tags)
    page.has_unpublished_changes = True
    index.add_child(instance=page)
    page.save_revision(user=drafted_by, log_action=True)
    _send_to_moderation(page, drafted_by)
    return page
