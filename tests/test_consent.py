"""Guard: the name of someone without consent appears nowhere an anonymous visitor can go.

A Lab whose people (a resident, a host, ambassadors and relais, the programme's coordination, a
resident of another Lab) have not consented, with a public session and a public case whose every
text names them in the ways people write names (in full, last name first, the last name alone,
in capitals). Its public page, the report and the story drafted from them are published. Then the
site is crawled as an anonymous visitor: from the home page, the sitemap and every public session
and case page, following every link (the static archive's own crawl), with the printable agendas,
the RSS/Atom feeds, the API and the open data bundle. No last name of theirs may appear, in any
case; the names of those who consented, and the first names of the others, must.
"""
import datetime

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from cases.models import Attachment, StageChange
from docs.archive import SiteArchiver
from docs.drafting import draft_case_story, draft_session_report
from .docs.pages import make_lab_page
from docs.opendata import write_bundle
from programmes.models import Coordination, LabMembership, Visibility
from sessions.models import SessionPhoto

from .factories import make_agenda_item, make_ambassador, make_case, make_entry, make_lab, make_session, make_user
from .guards import response_text
from .test_permission_matrix import tiny_png

pytestmark = pytest.mark.django_db

# Fictional people without consent: (first name, last name).
WITHOUT_CONSENT = {
    "resident": ("Théodora", "Vanderkelen"),
    "host": ("Barnabé", "Quintallet"),
    "ambassador": ("Ysaline", "Morvandieu"),
    "relais": ("Gaspard", "Lhermitier"),
    "coordinator": ("Octave", "Brunschwig"),
    "other_lab": ("Léontine", "Carabasse"),
}
WITH_CONSENT = {"resident": ("Aurélien", "Consentino"), "ambassador": ("Clémentine", "Aubertot")}


def full(key, people=WITHOUT_CONSENT):
    return " ".join(people[key])


def user(first_name, last_name):
    return make_user(first_name=first_name, last_name=last_name, email=f"{first_name[0]}.{last_name}@ville.example".lower())


def build_lab():
    lab = make_lab(name="La Transfo de Grandval", slug="transfo-grandval")
    other = make_lab(programme=lab.programme)
    resident = LabMembership.objects.create(lab=lab, user=user(*WITHOUT_CONSENT["resident"]), discipline="designer").user
    LabMembership.objects.create(lab=lab, user=user(*WITHOUT_CONSENT["host"]), role=LabMembership.Role.HOST)
    LabMembership.objects.create(lab=lab, user=user(*WITH_CONSENT["resident"]), public_consent=True)
    LabMembership.objects.create(lab=other, user=user(*WITHOUT_CONSENT["other_lab"]))
    Coordination.objects.create(programme=lab.programme, user=user(*WITHOUT_CONSENT["coordinator"]))
    first, last = WITHOUT_CONSENT["ambassador"]
    shy = make_ambassador(lab, first_name=first, last_name=last, metier="Urbaniste", email=f"{first}.{last}@ville.example")
    first, last = WITHOUT_CONSENT["relais"]
    make_ambassador(lab, first_name=first, last_name=last, circle="network", email=f"{first}.{last}@ville.example")
    first, last = WITH_CONSENT["ambassador"]
    named = make_ambassador(lab, first_name=first, last_name=last, public_consent=True)
    return lab, resident, (shy, named)


def naming_everyone():
    """Free text naming every person without consent, as people write names."""
    last = {key: names[1] for key, names in WITHOUT_CONSENT.items()}
    return (
        f"Avec {full('resident')} et {last['host']} {WITHOUT_CONSENT['host'][0]} ; {full('ambassador')} a noté, "
        f"{last['relais'].upper()} a photographié, {full('coordinator')} est passé, {full('other_lab')} aussi. "
        f"Merci à {full('resident', WITH_CONSENT)}. {last['resident']} conclut."
    )


def build_public_items(lab, resident, team):
    case = make_case(
        lab, title="Jardins partagés", visibility=Visibility.PUBLIC,
        problem_statement=naming_everyone(), lessons=naming_everyone(), sponsoring_service="Direction des espaces verts",
    )
    case.team.add(*team)
    session = make_session(
        lab, visibility=Visibility.PUBLIC, title="Immersion", objectives=naming_everyone(), minutes=naming_everyone(),
        start_date=datetime.date(2016, 9, 12), end_date=datetime.date(2016, 9, 13),
    )
    session.cases.add(case)
    make_agenda_item(
        session, title="Visite du quartier", description=naming_everyone(),
        facilitators=f"{full('resident')}, {full('coordinator')} et {full('resident', WITH_CONSENT)}",
    )
    make_agenda_item(
        session, title="Restitution", start_time=datetime.time(14), end_time=datetime.time(16),
        facilitators=f"{full('host')} / {full('other_lab')}", case=case,
    )
    photo = SessionPhoto(session=session, caption=naming_everyone()[:300])
    photo.image.save("groupe.png", ContentFile(tiny_png()), save=True)
    entry = make_entry(case, session=session, author=resident, done=naming_everyone(), learnt=naming_everyone())
    Attachment.objects.create(entry=entry, kind=Attachment.Kind.PHOTO, caption=naming_everyone()[:300],
                              file=ContentFile(tiny_png(), name="terrain.png"))
    Attachment.objects.create(entry=entry, kind=Attachment.Kind.FILE, caption=f"Notes de {full('ambassador')}",
                              file=ContentFile(b"%PDF-1.4", name="notes.pdf"))
    StageChange.objects.create(case=case, from_stage="cadrage", to_stage="enquete", changed_by=resident, note=naming_everyone())
    return session, case


def publish(lab, session, case, drafted_by):
    make_lab_page(lab)
    for page in (draft_session_report(session=session, drafted_by=drafted_by), draft_case_story(case=case, drafted_by=drafted_by)):
        page.get_latest_revision().publish()
    write_bundle()


class Crawler(SiteArchiver):
    """The static archive's crawl from more starting points, keeping every text it reads."""

    def __init__(self, extra_seeds):
        super().__init__(base_url="http://testserver")
        self.extra_seeds, self.read = extra_seeds, []

    def seeds(self):
        return [*super().seeds(), *self.extra_seeds]


class Keeper:
    """An archive writer that keeps the files' contents in memory."""

    def __init__(self, texts):
        self.texts = texts

    def write(self, name, content):
        self.texts.append((name, content.decode("utf-8", errors="replace")))

    def close(self):
        pass


def public_addresses(lab, session, case):
    item_pages = [
        session.get_absolute_url(),
        reverse("lab_sessions:agenda_print", kwargs={"lab_slug": lab.slug, "number": session.number}),
        case.get_absolute_url(),
        *(
            reverse("cases:attachment", kwargs={"lab_slug": lab.slug, "slug": case.slug, "pk": file.pk})
            for file in Attachment.objects.filter(entry__case=case)
        ),
    ]
    feeds = [reverse("opendata:feed_rss"), reverse("opendata:feed_atom"),
             reverse("opendata:lab_feed_rss", args=[lab.slug]), reverse("opendata:lab_feed_atom", args=[lab.slug])]
    return item_pages, feeds


def api_and_open_data():
    from wagtail.models import Page

    urls = ["/api/v2/pages/?fields=*", "/api/v2/images/?fields=*", "/api/v2/documents/?fields=*", "/sitemap.xml"]
    urls += [reverse("wagtailapi:pages:detail", args=[pk]) for pk in Page.objects.values_list("pk", flat=True)]
    urls.append(reverse("opendata:download"))
    return urls


def test_nobody_without_consent_is_named_where_anonymous_visitors_go(tmp_path):
    lab, resident, team = build_lab()
    session, case = build_public_items(lab, resident, team)
    publish(lab, session, case, resident)
    item_pages, feeds = public_addresses(lab, session, case)

    texts = []
    crawler = Crawler(item_pages + feeds)
    result = crawler.archive(Keeper(texts))
    client = Client()
    texts += [(url, response_text(client.get(url))) for url in item_pages + feeds + api_and_open_data()]

    crawled = {name for name, _text in texts}
    assert result.errors == []
    assert {"labs/transfo-grandval/sessions/%d/index.html" % session.number, "flux/rss/index.xml"} <= crawled, sorted(crawled)
    named = [
        f"{first} {last} in {where}"
        for where, text in texts
        for first, last in WITHOUT_CONSENT.values()
        if last.lower() in text.lower()
    ]
    assert named == [], "\n".join(named)
    everything = "\n".join(text for _where, text in texts)
    # The rule rewrote the names rather than the pages losing their texts.
    assert full("resident", WITH_CONSENT) in everything and full("ambassador", WITH_CONSENT) in everything
    assert "Théodora (Résident·e)" in everything and "Ysaline (Urbaniste)" in everything
    assert "Octave (coordination du programme)" in everything
