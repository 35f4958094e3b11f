"""The blocks every documentation page body is built from."""
from django.utils.text import normalize_newlines
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from .choosers import case_chooser_viewset, session_chooser_viewset


class PlainTextBlock(blocks.TextBlock):
    """Text on several lines, its line breaks kept as « \\n » whatever the browser sends.

    A browser submits a text area's line breaks as « \\r\\n »: without this, saving a page
    unchanged would change every multi-line text in it.
    """

    def value_from_form(self, value):
        value = super().value_from_form(value)
        return normalize_newlines(value) if value else value


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("texte"))
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Niveau 2")), ("h3", _("Niveau 3"))], default="h2", label=_("niveau")
    )

    class Meta:
        template = "blocks/heading_block.html"
        icon = "title"
        label = _("Intertitre")


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(label=_("texte alternatif"), help_text=_("Ce que l'image montre, pour qui ne la voit pas."))
    caption = blocks.CharBlock(required=False, label=_("légende"))

    class Meta:
        template = "blocks/image_block.html"
        icon = "image"
        label = _("Image")


class QuoteBlock(blocks.StructBlock):
    text = PlainTextBlock(label=_("citation"))
    attribution = blocks.CharBlock(required=False, label=_("source"))

    class Meta:
        template = "blocks/quote_block.html"
        icon = "openquote"
        label = _("Citation")


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("question"))
    answer = blocks.RichTextBlock(required=False, label=_("réponse"), features=["bold", "italic", "link", "ul", "ol"])

    class Meta:
        template = "blocks/question_block.html"
        icon = "help"
        label = _("Question")


class AgendaSlotBlock(blocks.StructBlock):
    """One block of a programme: when, what, who leads it, which case, what happens.

    Plain fields rather than HTML: the editor shows and saves them as they are, and the template
    escapes them (a title may hold « & », « < », quotes or an emoji).
    """

    start_time = blocks.TimeBlock(label=_("début"))
    end_time = blocks.TimeBlock(label=_("fin"))
    title = blocks.CharBlock(label=_("titre"))
    kind = blocks.CharBlock(required=False, label=_("type"))
    facilitators = blocks.CharBlock(
        required=False, label=_("animé par"),
        help_text=_("Nommer une personne seulement avec son accord ; sinon un prénom, un rôle ou une équipe."),
    )
    case = blocks.CharBlock(
        required=False, label=_("cas pratique"), help_text=_("Seul un cas public peut être nommé ici."),
    )
    description = PlainTextBlock(required=False, label=_("description"))

    class Meta:
        icon = "time"
        label = _("Temps du programme")


class AgendaDayBlock(blocks.StructBlock):
    """A day of a programme and its blocks, in order."""

    day = blocks.DateBlock(label=_("jour"))
    slots = blocks.ListBlock(AgendaSlotBlock(), label=_("temps du programme"))

    class Meta:
        template = "blocks/agenda_day_block.html"
        icon = "date"
        label = _("Journée de programme")


class ParagraphsBlock(PlainTextBlock):
    """Paragraphs of plain text: a blank line between two, a line break kept as one.

    What a draft carries over from a Lab's own text (objectives, minutes, journal): the template
    escapes and lays it out, so no HTML is written in code.
    """

    class Meta:
        template = "blocks/text_block.html"
        icon = "pilcrow"
        label = _("Texte")


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraphe"), features=["bold", "italic", "link", "ul", "ol", "h3"], template="blocks/paragraph_block.html"
    )
    image = CaptionedImageBlock()
    quote = QuoteBlock()
    agenda_day = AgendaDayBlock()
    text = ParagraphsBlock()
    # One-line items as a bulleted list (the cases a session worked on, the sessions of a case).
    bullets = blocks.ListBlock(
        blocks.CharBlock(label=_("texte")), label=_("Liste"), icon="list-ul", template="blocks/bullets_block.html"
    )


def session_choices():
    """Kept for the migrations that name it (evidence was once a select of every session)."""
    return []


def case_choices():
    """Kept for the migrations that name it (evidence was once a select of every case)."""
    return []


# Sessions and cases cited as evidence, picked in a chooser (docs.choosers) and kept as ids.
SessionEvidenceBlock = session_chooser_viewset.get_block_class("SessionEvidenceBlock", "docs.blocks")
CaseEvidenceBlock = case_chooser_viewset.get_block_class("CaseEvidenceBlock", "docs.blocks")


class PointBlock(blocks.StructBlock):
    """One point of a fiche (an hypothesis, an observation or a lesson) and its evidence.

    Evidence may be any session or case; the public page names and links only the public ones.
    """

    text = blocks.RichTextBlock(label=_("énoncé"), features=["bold", "italic", "link"])
    sessions = blocks.ListBlock(
        SessionEvidenceBlock(), label=_("sessions citées"),
        help_text=_("Seules les sessions publiques seront nommées sur la page publique."),
    )
    cases = blocks.ListBlock(
        CaseEvidenceBlock(), label=_("cas pratiques cités"),
        help_text=_("Seuls les cas publics seront nommés sur la page publique."),
    )

    class Meta:
        icon = "list-ol"
        label = _("Point")


class PointsBlock(blocks.StreamBlock):
    point = PointBlock()
