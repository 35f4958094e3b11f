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
