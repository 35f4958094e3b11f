"""Builders of documentation pages for the tests: each makes a live page and takes overrides."""
import datetime
import itertools

from docs.models import (
    ArticlePage,
    CaseStoryPage,
    DocumentationIndexPage,
    FaqPage,
    FichePage,
    LabIndexPage,
    LabPage,
    SessionReportPage,
)
from programmes.models import Licence

_numbers = itertools.count(1)


def documentation_index():
    return DocumentationIndexPage.objects.get()


def _add(parent, page_class, tags=(), **values):
    number = next(_numbers)
    values.setdefault("title", f"{page_class._meta.verbose_name} {number}")
    values.setdefault("slug", f"page-{number}")
    values.setdefault("licence", Licence.CC_BY_SA_4)
    values.setdefault("date", datetime.date(2017, 1, 1) + datetime.timedelta(days=number))
    page = page_class(**values)
    if tags:
        page.tags.add(*tags)
    parent.add_child(instance=page)
    return page


def paragraph(html):
    return [{"type": "paragraph", "value": html}]


def make_article(**overrides):
    overrides.setdefault("intro", "Un article de la documentation ouverte.")
    overrides.setdefault("body", paragraph("<p>Un paragraphe.</p>"))
    return _add(overrides.pop("parent", None) or documentation_index(), ArticlePage, **overrides)


def make_session_report(**overrides):
    return _add(overrides.pop("parent", None) or documentation_index(), SessionReportPage, **overrides)


def make_case_story(**overrides):
    return _add(overrides.pop("parent", None) or documentation_index(), CaseStoryPage, **overrides)


def point(text, sessions=(), cases=()):
    return {
        "type": "point",
        "value": {"text": f"<p>{text}</p>", "sessions": [str(s.pk) for s in sessions], "cases": [str(c.pk) for c in cases]},
    }


def make_fiche(**overrides):
    return _add(overrides.pop("parent", None) or documentation_index(), FichePage, **overrides)


def make_faq(**overrides):
    overrides.setdefault(
        "questions", [{"type": "question", "value": {"question": "Qu'est-ce que la Transfo ?", "answer": "<p>Un programme.</p>"}}]
    )
    return _add(overrides.pop("parent", None) or documentation_index(), FaqPage, **overrides)


def make_lab_page(lab, tags=(), **overrides):
    """The Lab's own page, made unpublished with the Lab (docs.rights), filled in and published."""
    page = LabPage.objects.get(lab=lab)
    overrides.setdefault("title", lab.name)
    overrides.setdefault("licence", Licence.CC_BY_SA_4)
    for name, value in overrides.items():
        setattr(page, name, value)
    if tags:
        page.tags.add(*tags)
    page.save_revision().publish()
    # Publishing wrote the new slug and address: read them back.
    return LabPage.objects.get(pk=page.pk)


def add_lab_page(lab, **overrides):
    """A further public page for ``lab`` under the list of the Labs (which the model refuses)."""
    return _add(LabIndexPage.objects.get(), LabPage, lab=lab, **overrides)
