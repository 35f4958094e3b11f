"""Where a Lab's name leads: its working page for those who may open it, its public page for others.

A public session or case is read by visitors who may not open the Lab's working page (it needs a
login in the Lab's programme): its breadcrumb sends them to the Lab's public page in the open
documentation (« les Transfos »), or shows the name without a link when the Lab has none yet.
"""
from django import template

from docs.models import LabPage

register = template.Library()


@register.simple_tag(takes_context=True)
def lab_url(context, lab, may_open):
    """The address the Lab's name links to for this reader, "" for no link.

    ``may_open``: whether the reader may open the Lab's working page, read with the page's item
    (``reader_may_open_lab`` of ``programmes.rules.with_reader_roles``).
    """
    if may_open:
        return lab.get_absolute_url()
    public_page = LabPage.objects.published().filter(lab=lab).first()
    return public_page.get_url(request=context.get("request")) if public_page else ""
