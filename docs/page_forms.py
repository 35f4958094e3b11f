"""The admin form of documentation pages: a page in a Lab's place belongs to that Lab.

A resident may write in their Lab's place only (docs.rights); the form makes sure the page they
write there says it is that Lab's, so it cannot appear on another Lab's public page.
"""
from wagtail.admin.forms import WagtailAdminPageForm


class DocumentationPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("lab")
        lab_id = self.place_lab_id()
        if field is None or lab_id is None:
            return
        field.queryset = field.queryset.filter(pk=lab_id)
        field.required = True
        field.empty_label = None
        if not self.instance.lab_id:
            self.initial["lab"] = lab_id

    def place_lab_id(self):
        """The Lab whose place the page is in (its Lab page or below), or None."""
        from .models import LabPage

        if isinstance(self.instance, LabPage) and self.instance.pk:
            return self.instance.lab_id
        parent = self.parent_page
        if parent is None:
            return None
        step = parent.steplen
        paths = [parent.path[:end] for end in range(step, len(parent.path) + 1, step)]
        return LabPage.objects.filter(path__in=paths).values_list("lab_id", flat=True).first()
