"""How the pages and messages shared by a Lab's sessions and the InterTransfo name the event.

French needs more than a swapped noun (« la session », « l'InterTransfo », « de la session »,
« de l'InterTransfo », the gender of « annulée »…), so each kind of event has its own set of
whole phrases: translators get full sentences, never pasted fragments. ``Session.phrases`` and
``Gathering.phrases`` hold them; ``event.wording`` gives them with the event's number filled in.
"""
from dataclasses import dataclass

from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


# A number said alone, whatever the kind of event (a table's column, a choice in a menu): one
# way everywhere, never « #16 ».
NUMBER = _("n° %(number)s")


@dataclass(frozen=True)
class Phrases:
    """Every phrase that differs between the two kinds of event; ``%(number)s`` is the event's number."""

    numbered: str
    answer_title: str
    rsvp_title: str
    attendance_title: str
    attendance_heading: str
    answers_closed: str
    back: str
    see_whole_page: str
    see_page: str
    change_until: str
    attendance_help: str
    not_invited_cell: str
    nobody_invited: str
    answer_saved_by_link: str
    attendance_saved: str
    rsvp_unknown: str
    rsvp_expired: str
    rsvp_cancelled: str
    cancelled: str
    over: str
    not_a_day: str
    marks_cancelled: str
    too_early: str
    not_invited: str
    marked_not_invited: str


SESSION_PHRASES = Phrases(
    numbered=_("Session n° %(number)s"),
    answer_title=_("Réponse pour la session n° %(number)s"),
    rsvp_title=_("Votre réponse pour la session n° %(number)s"),
    attendance_title=_("Présences de la session n° %(number)s"),
    attendance_heading=_("Qui était là ? Session n° %(number)s"),
    answers_closed=_("Les réponses à cette session sont closes."),
    back=_("Revenir à la session"),
    see_whole_page=_("Voir toute la page de la session (connexion nécessaire)"),
    see_page=_("Voir la page de la session (connexion nécessaire)"),
    change_until=_("Répondez jour par jour ; vous pouvez changer d'avis ici jusqu'à la session."),
    attendance_help=_(
        "Pour chaque personne et chaque jour, notez si elle est venue. Sa réponse à l'invitation est rappelée "
        "dans la case. Enregistrer marque la session comme tenue."
    ),
    not_invited_cell=_("Pas invité·e"),
    nobody_invited=_("Personne n'est inscrit·e dans ce labo."),
    answer_saved_by_link=_("Merci, votre réponse est enregistrée. Vous pouvez la changer ici jusqu'à la session."),
    attendance_saved=_("Présences enregistrées : la session est notée comme tenue."),
    rsvp_unknown=_(
        "Ce lien de réponse n'est pas valable. Vérifiez qu'il a été copié en entier depuis le courriel, "
        "ou connectez-vous pour répondre depuis la page de la session."
    ),
    rsvp_expired=_("Cette session est passée : il n'est plus possible d'y répondre."),
    rsvp_cancelled=_("Cette session a été annulée : il n'y a plus rien à répondre."),
    cancelled=_("Cette session est annulée : il n'y a plus rien à répondre."),
    over=_("Cette session est passée : les réponses sont closes."),
    not_a_day=_("Ce jour ne fait pas partie de la session."),
    marks_cancelled=_("Cette session est annulée : il n'y a pas de présences à noter."),
    too_early=_("Les présences se notent à partir du premier jour de la session."),
    not_invited=_("Cette personne ne fait pas partie du labo de la session."),
    marked_not_invited=_("Une des personnes cochées ne fait pas partie du labo de la session."),
)

GATHERING_PHRASES = Phrases(
    numbered=_("InterTransfo n° %(number)s"),
    answer_title=_("Réponse pour l'InterTransfo n° %(number)s"),
    rsvp_title=_("Votre réponse pour l'InterTransfo n° %(number)s"),
    attendance_title=_("Présences de l'InterTransfo n° %(number)s"),
    attendance_heading=_("Qui était là ? InterTransfo n° %(number)s"),
    answers_closed=_("Les réponses à cette InterTransfo sont closes."),
    back=_("Revenir à l'InterTransfo"),
    see_whole_page=_("Voir toute la page de l'InterTransfo (connexion nécessaire)"),
    see_page=_("Voir la page de l'InterTransfo (connexion nécessaire)"),
    change_until=_("Répondez jour par jour ; vous pouvez changer d'avis ici jusqu'à l'InterTransfo."),
    attendance_help=_(
        "Pour chaque personne invitée et chaque jour, notez si elle est venue. Sa réponse à l'invitation est "
        "rappelée dans la case. Enregistrer marque l'InterTransfo comme tenue."
    ),
    not_invited_cell=_("Pas de réponse"),
    nobody_invited=_("Personne n'a été invité·e à cette InterTransfo."),
    answer_saved_by_link=_(
        "Merci, votre réponse est enregistrée. Vous pouvez la changer ici jusqu'à l'InterTransfo."
    ),
    attendance_saved=_("Présences enregistrées : l'InterTransfo est notée comme tenue."),
    rsvp_unknown=_(
        "Ce lien de réponse n'est pas valable. Vérifiez qu'il a été copié en entier depuis le courriel, "
        "ou connectez-vous pour répondre depuis la page de l'InterTransfo."
    ),
    rsvp_expired=_("Cette InterTransfo est passée : il n'est plus possible d'y répondre."),
    rsvp_cancelled=_("Cette InterTransfo a été annulée : il n'y a plus rien à répondre."),
    cancelled=_("Cette InterTransfo est annulée : il n'y a plus rien à répondre."),
    over=_("Cette InterTransfo est passée : les réponses sont closes."),
    not_a_day=_("Ce jour ne fait pas partie de l'InterTransfo."),
    marks_cancelled=_("Cette InterTransfo est annulée : il n'y a pas de présences à noter."),
    too_early=_("Les présences se notent à partir du premier jour de l'InterTransfo."),
    not_invited=_("Cette personne n'est plus invitée à l'InterTransfo."),
    marked_not_invited=_("Une des personnes cochées n'est pas invitée à cette InterTransfo."),
)


class Wording:
    """The phrases of one event, in the active language, with its number filled in.

    Read as ``event.wording.back`` in code and templates. Like ``{% translate %}``, a phrase is
    not escaped: it comes from the catalogues, and only the event's number is put into it.
    """

    def __init__(self, phrases: Phrases, number):
        self._phrases = phrases
        self._number = number

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)  # Only phrases are looked up here (copy and pickle ask for others).
        phrase = getattr(self._phrases, name)
        return mark_safe(str(phrase) % {"number": self._number})
