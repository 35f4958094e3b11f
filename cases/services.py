"""Creating cases and setting their teams, writing their journal, moving their stages: every write
of the cases app goes through here."""
import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext

from outbox.services import queue_mail
from programmes.models import LabMembership, Visibility

from .models import RESERVED_SLUGS, Attachment, Case, EntryRevision, ProgressEntry, Stage, StageChange, check_team
from .signals import stage_proposed
from .uploads import CheckedFile, thumbnail_name


class DuplicateSubmission(Exception):
    """The same entry form was posted again (double tap, retry): the first post already saved it."""


def _store_files(entry: ProgressEntry, files: list[CheckedFile]) -> list[str]:
    """Save the checked files of an entry; return the stored names (to remove them on failure)."""
    stored = []
    for checked in files:
        attachment = Attachment(entry=entry, kind=checked.kind, caption=checked.original_name[:300])
        attachment.file.save(checked.content.name, checked.content, save=False)
        stored.append(attachment.file.name)
        if checked.thumbnail is not None:
            stored.append(attachment.file.storage.save(thumbnail_name(attachment.file.name), checked.thumbnail))
        attachment.full_clean()
        attachment.save()
    return stored


def _remove_files(storage, names) -> None:
    for name in names:
        storage.delete(name)


@transaction.atomic
def log_progress(
    *,
    case: Case,
    author,
    done: str,
    learnt: str = "",
    next_steps: str = "",
    blockers: str = "",
    entry_date: datetime.date | None = None,
    session=None,
    files: list[CheckedFile] = (),
    token: str | None = None,
) -> ProgressEntry:
    """Add an entry to a case's journal with its (already checked) photos and files.

    ``token`` comes from the form as it was shown: a second post with the same token raises
    DuplicateSubmission and saves nothing. The database's unique constraint is the guard, so it
    holds across web processes and whatever the cache does; concurrent posts wait on the first
    one's row and then fail. All or nothing: a refused field or file leaves no entry and no
    stored file behind.
    """
    if token and ProgressEntry.objects.filter(submission_token=token).exists():
        raise DuplicateSubmission
    entry = ProgressEntry(
        submission_token=token or None,
        case=case,
        author=author,
        done=done,
        learnt=learnt,
        next_steps=next_steps,
        blockers=blockers,
    )
    if entry_date is not None:
        entry.entry_date = entry_date
    stored = []
    try:
        entry.full_clean(exclude=["submission_token"])
        entry.check_session(session)
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError as error:
            if token and ProgressEntry.objects.filter(submission_token=token).exists():
                raise DuplicateSubmission from error
            raise
        entry.set_session(session, new=True)
        stored = _store_files(entry, list(files))
    except Exception:
        _remove_files(Attachment._meta.get_field("file").storage, stored)
        raise
    return entry


REVISED_FIELDS = ("entry_date", "done", "learnt", "next_steps", "blockers", "session")


def _revised_values(entry):
    return {
        "entry_date": entry.entry_date.isoformat() if entry.entry_date else None,
        "done": entry.done,
        "learnt": entry.learnt,
        "next_steps": entry.next_steps,
        "blockers": entry.blockers,
        "session": entry.session_id,
    }


@transaction.atomic
def edit_entry(*, entry: ProgressEntry, edited_by=None, files: list[CheckedFile] = (), **changes) -> ProgressEntry:
    """Change an entry's text, date or session and add files to it.

    Every edit that changes something keeps what the entry said before, with who and when
    (``EntryRevision``).
    """
    unknown = set(changes) - set(REVISED_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    before = _revised_values(entry)
    # The session is a row of its own (sessions.models.EntrySession), set once the entry is saved.
    session = changes.pop("session", entry.session)
    for name, value in changes.items():
        setattr(entry, name, value)
    stored = []
    try:
        entry.full_clean()
        entry.check_session(session)
        entry.save()
        if (session.pk if session else None) != before["session"]:
            entry.set_session(session)
        if _revised_values(entry) != before:
            EntryRevision.objects.create(entry=entry, edited_by=edited_by, previous=before)
        stored = _store_files(entry, list(files))
    except Exception:
        _remove_files(Attachment._meta.get_field("file").storage, stored)
        raise
    return entry


@transaction.atomic
def delete_entry(*, entry: ProgressEntry) -> None:
    """Remove an entry and its attachments; their files go once the removal is committed."""
    names = []
    for attachment in entry.attachments.all():
        names.append(attachment.file.name)
        if attachment.kind == Attachment.Kind.PHOTO:
            names.append(thumbnail_name(attachment.file.name))
    storage = Attachment._meta.get_field("file").storage
    entry.delete()

    def remove_files():
        _remove_files(storage, names)

    transaction.on_commit(remove_files, robust=True)


@transaction.atomic
def move_case(*, case: Case, to_stage: str, note: str = "", moved_by=None, lessons: str | None = None) -> StageChange:
    """Move a case to another stage, dated on its timeline; abandoning it requires its lessons."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to_stage == case.stage:
        raise ValidationError({"to_stage": gettext("Le cas est déjà à cette étape.")})
    if lessons is not None:
        case.lessons = lessons.strip()
    change = StageChange(
        case=case,
        from_stage=case.stage,
        to_stage=to_stage,
        changed_by=moved_by if moved_by is not None and moved_by.is_authenticated else None,
        note=note.strip(),
    )
    case.stage = to_stage
    case.full_clean()
    change.full_clean()
    case.save()
    change.save()
    return change


@transaction.atomic
def propose_stage(*, case: Case, to_stage: str, note: str, proposed_by, case_url: str) -> int:
    """Mail a team ambassador's proposal to move the case to the Lab's residents and host.

    A proposal changes nothing on the case: residents decide and move it themselves. Returns the
    number of mails queued (through the outbox, so none is lost if the mail server is down).
    """
    if to_stage == case.stage or to_stage not in Stage.values:
        raise ValidationError({"to_stage": gettext("Choisissez une autre étape que l'étape actuelle.")})
    recipients = (
        LabMembership.objects.filter(lab=case.lab).exclude(user__email="").values_list("user__email", flat=True).distinct()
    )
    context = {
        "case": case,
        "to_stage": Stage(to_stage).label,
        "note": note.strip(),
        "proposer": proposed_by.get_full_name() or proposed_by.email,
        "case_url": case_url,
    }
    subject = gettext("%(case)s : proposition de passer à l'étape « %(stage)s »") % {
        "case": case.title,
        "stage": context["to_stage"],
    }
    body = render_to_string("cases/email/stage_proposal.txt", context)
    count = 0
    for email in recipients:
        queue_mail(to=email, subject=subject, body_text=body)
        count += 1
    stage_proposed.send(sender=Case, case=case, to_stage=to_stage, proposed_by=proposed_by, note=note.strip())
    return count


CASE_FIELDS = ("title", "problem_statement", "sponsoring_service", "site_address", "visibility")
SLUG_LENGTH = Case._meta.get_field("slug").max_length


def _free_slug(lab, title: str) -> str:
    """A slug from the title, unique in the Lab and none of its reserved page names."""
    base = slugify(title)[: SLUG_LENGTH - 4].strip("-") or "cas"
    taken = set(Case.objects.filter(lab=lab, slug__startswith=base).values_list("slug", flat=True)) | RESERVED_SLUGS
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def set_case_team(*, case: Case, team) -> Case:
    """Make ``team`` the case's team of ambassadors; all of them must be of the case's Lab.

    Raises ValidationError (on ``team``), having changed nothing, for anyone of another Lab.
    """
    team = list(team)
    check_team(case.lab, team)
    case.team.set(team)
    return case


@transaction.atomic
def create_case(
    *,
    lab,
    title: str,
    problem_statement: str,
    sponsoring_service: str = "",
    site_address: str = "",
    visibility: str = Visibility.LAB,
    tags=(),
    team=(),
) -> Case:
    """Open a case in a Lab, at the framing stage (cadrage), with its tags and its team.

    The slug comes from the title and stays when the title changes, so links keep working.
    Raises ValidationError, having saved nothing, for a missing title or problem statement, an
    unknown visibility or a team member of another Lab.
    """
    case = Case(
        lab=lab,
        title=title.strip(),
        slug=_free_slug(lab, title),
        problem_statement=problem_statement.strip(),
        sponsoring_service=sponsoring_service.strip(),
        site_address=site_address.strip(),
        visibility=visibility,
        stage=Stage.FRAMING,
    )
    team = list(team)
    check_team(lab, team)
    case.full_clean()
    case.save()
    case.tags.set(list(tags))
    case.team.set(team)
    return case


@transaction.atomic
def update_case(*, case: Case, tags=None, **changes) -> Case:
    """Change a case's description, visibility and, when given, its tags.

    ``changes`` takes the fields of ``CASE_FIELDS``; the stage moves through ``move_case`` and
    the team through ``set_case_team``. Raises ValidationError, having saved nothing.
    """
    unknown = set(changes) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"update_case() got unexpected fields: {sorted(unknown)}")
    current = Case.objects.select_for_update().select_related("lab").get(pk=case.pk)
    for field, value in changes.items():
        setattr(current, field, value.strip() if field != "visibility" else value)
    current.full_clean()
    current.save()
    if tags is not None:
        current.tags.set(list(tags))
    return current
