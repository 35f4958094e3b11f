"""The blocks every documentation page body is built from."""
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


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
    text = blocks.TextBlock(label=_("citation"))
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


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraphe"), features=["bold", "italic", "link", "ul", "ol", "h3"], template="blocks/paragraph_block.html"
    )
    image = CaptionedImageBlock()
    quote = QuoteBlock()
