"""What a reader outside a session's Lab sees of its texts: people named only with their consent.

The session page and its printable agenda show a public session to anyone, and a shared one to
the other Labs of the programme: for them, every text that may name people goes through the one
rule of ``ambassadors.public_names``. The objects are rewritten in memory, for the page only.
"""
from ambassadors.public_names import PublicNames

SESSION_TEXTS = ("title", "objectives", "minutes")
BLOCK_TEXTS = ("title", "description")


def show_outside_lab(session, *, items=(), photos=()):
    """Rewrite the session's, its agenda blocks' and its photos' texts for a reader outside its Lab."""
    texts = [getattr(session, name) for name in SESSION_TEXTS]
    texts += [getattr(item, name) for item in items for name in (*BLOCK_TEXTS, "facilitators")]
    texts += [photo.caption for photo in photos]
    names = PublicNames.for_lab(session.lab, texts=texts)
    for name in SESSION_TEXTS:
        setattr(session, name, names.text(getattr(session, name)))
    for item in items:
        for name in BLOCK_TEXTS:
            setattr(item, name, names.text(getattr(item, name)))
        item.facilitators = names.people(item.facilitators)
    for photo in photos:
        photo.caption = names.text(photo.caption)
    return names


def show_gathering_agenda(gathering, agenda_days):
    """Rewrite an InterTransfo's agenda for its guests (every Lab of the programme, and whoever holds
    an answer link): the people of the programme only as their consent allows.

    ``agenda_days`` is ``services.agenda_by_day(gathering)``; its blocks are rewritten in place.
    """
    items = [item for _day, day_items in agenda_days for item in day_items]
    texts = [getattr(item, name) for item in items for name in (*BLOCK_TEXTS, "facilitators")]
    names = PublicNames.for_programme(gathering.programme_id, texts=texts)
    for item in items:
        for name in BLOCK_TEXTS:
            setattr(item, name, names.text(getattr(item, name)))
        item.facilitators = names.people(item.facilitators)
    return agenda_days
