"""What a reader outside a case's Lab sees of its texts: people named only with their consent.

A public case is read by anyone, a shared one by the other Labs of the programme: for them every
text that may name people (problem, lessons, journal, captions, notes) goes through the one rule
of ``ambassadors.public_names``. The objects are rewritten in memory, for the page only.
"""
from ambassadors.public_names import PublicNames

CASE_TEXTS = ("title", "problem_statement", "sponsoring_service", "lessons")
ENTRY_TEXTS = ("done", "learnt", "next_steps", "blockers")


def show_outside_lab(case, *, entries=(), stage_changes=(), sessions=()):
    """Rewrite the case's, its journal's, its moves' and its sessions' texts for a reader outside its Lab.

    Call it before the entries' texts are rendered (``prepare_entries``); ``entry.files`` are
    the entries' attachments.
    """
    files = [file for entry in entries for file in getattr(entry, "files", ())]
    texts = [getattr(case, name) for name in CASE_TEXTS]
    texts += [getattr(entry, name) for entry in entries for name in ENTRY_TEXTS]
    texts += [file.caption for file in files]
    texts += [change.note for change in stage_changes]
    texts += [session.title for session in sessions]
    names = PublicNames.for_lab(case.lab, texts=texts)
    for name in CASE_TEXTS:
        setattr(case, name, names.text(getattr(case, name)))
    for entry in entries:
        for name in ENTRY_TEXTS:
            setattr(entry, name, names.text(getattr(entry, name)))
    for file in files:
        file.caption = names.text(file.caption)
    for change in stage_changes:
        change.note = names.text(change.note)
    for session in sessions:
        session.title = names.text(session.title)
    return names


def file_name_outside_lab(attachment, lab):
    """The name a file downloads under (its caption, else its file's name) for a reader outside its Lab."""
    name = str(attachment)
    return PublicNames.for_lab(lab, texts=[name]).text(name)
