"""Close the line breaks of rich text saved unclosed (``<br>``): Wagtail's editor fails on them.

Until now the sanitiser wrote ``<br>``; the editor reads it as an element left open and answers
500 on the page's edit view. Pages and their revisions (the editor opens the latest) are fixed.
"""
import re

from django.db import migrations

# The void elements as the sanitiser now writes them (docs.richtext): closed.
VOID = re.compile(r"""<(br|hr|embed)\b((?:[^>"']|"[^"]*"|'[^']*')*?)\s*/?>""")

# The docs models and their rich text fields (StreamFields and RichTextFields).
FIELDS = {
    "HomePage": ["intro"],
    "DocumentationIndexPage": ["intro"],
    "LabIndexPage": ["intro"],
    "ArticlePage": ["body"],
    "SessionReportPage": ["body"],
    "CaseStoryPage": ["body"],
    "FichePage": ["hypotheses", "observations", "lessons"],
    "FaqPage": ["preamble", "questions"],
    "LabPage": ["body"],
}


def close_void_elements(data):
    """Stored data (strings, lists, dicts) with every ``<br>``, ``<hr>``, ``<embed>`` closed."""
    if isinstance(data, str):
        return VOID.sub(r"<\1\2/>", data) if "<" in data else data
    if isinstance(data, dict):
        return {key: close_void_elements(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [close_void_elements(item) for item in data]
    return data


def close_line_breaks(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        model = apps.get_model("docs", model_name)
        for pk, *values in model.objects.values_list("pk", *fields).iterator():
            stored = [list(value.raw_data) if hasattr(value, "raw_data") else value for value in values]
            fixed = close_void_elements(stored)
            if fixed != stored:
                model.objects.filter(pk=pk).update(**dict(zip(fields, fixed)))
    Revision = apps.get_model("wagtailcore", "Revision")
    for pk, content in Revision.objects.filter(content_type__app_label="docs").values_list("pk", "content").iterator():
        fixed = close_void_elements(content)
        if fixed != content:
            Revision.objects.filter(pk=pk).update(content=fixed)


class Migration(migrations.Migration):
    dependencies = [
        ("docs", "0006_agenda_day_block_and_evidence_chooser"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(close_line_breaks, migrations.RunPython.noop)]
