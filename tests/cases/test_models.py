"""Cases: an abandoned case states its lessons; stage changes really change the stage."""
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.models import Case, ProgressEntry, Stage, StageChange
from sessions.models import EntrySession

from ..factories import make_case, make_entry, make_lab, make_session

pytestmark = pytest.mark.django_db


def test_abandoned_case_without_lessons_is_refused_with_a_message():
    case = make_case()
    case.stage = Stage.ABANDONED

    with pytest.raises(ValidationError) as error:
        case.full_clean()

    assert error.value.message_dict["lessons"] == ["Un cas abandonné doit dire ce qu'on en a appris."]


def test_abandoned_case_without_lessons_is_refused_by_the_database():
    case = make_case()

    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(stage=Stage.ABANDONED, lessons="")


def test_abandoned_case_with_lessons_is_accepted():
    case = make_case(stage=Stage.ABANDONED, lessons="Le service n'était pas prêt : commencer par l'écouter.")

    case.full_clean()

    assert Case.objects.get(pk=case.pk).stage == Stage.ABANDONED


def test_case_slug_is_unique_in_its_lab():
    case = make_case()
    duplicate = Case(lab=case.lab, title="Autre", slug=case.slug, problem_statement="…")

    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()

    assert error.value.messages == ["Ce labo a déjà un cas avec cet identifiant."]


def test_stage_change_to_the_same_stage_is_refused():
    case = make_case()
    change = StageChange(case=case, from_stage=Stage.IDEATION, to_stage=Stage.IDEATION)

    with pytest.raises(ValidationError) as error:
        change.full_clean()

    assert error.value.messages == ["Le cas est déjà à cette étape."]


def test_journal_entry_tied_to_a_session_of_another_lab_is_refused():
    case = make_case()
    elsewhere = make_session(make_lab())
    entry = make_entry(case, done="Atelier")

    # Checked by the services of cases, and by sessions' row that ties the entry to the session.
    for check in (lambda: entry.check_session(elsewhere), EntrySession(entry=entry, session=elsewhere).full_clean):
        with pytest.raises(ValidationError) as error:
            check()
        assert error.value.message_dict["session"] == ["Cette session n'est pas celle du labo du cas."]


def test_case_tags_are_shared_across_labs():
    first = make_case(make_lab())
    second = make_case(make_lab())
    first.tags.add("accueil des usagers")
    second.tags.add("accueil des usagers")

    assert list(Case.objects.filter(tags__name="accueil des usagers").order_by("pk")) == [first, second]


def test_editing_an_entry_keeps_what_it_said_before_with_who_and_when():
    from cases.services import edit_entry

    from ..factories import make_user

    entry = make_entry(done="Première version")
    editor = make_user()

    edit_entry(entry=entry, edited_by=editor, done="Version corrigée")

    revision = entry.revisions.get()
    assert (revision.edited_by, revision.previous["done"]) == (editor, "Première version")
    assert ProgressEntry.objects.get(pk=entry.pk).done == "Version corrigée"


def test_saving_an_entry_unchanged_records_no_revision():
    from cases.services import edit_entry

    entry = make_entry()

    edit_entry(entry=entry, done=entry.done)

    assert entry.revisions.count() == 0


def test_same_form_token_never_makes_two_entries():
    import uuid

    from cases.services import DuplicateSubmission, log_progress

    case = make_case()
    token = str(uuid.uuid4())
    log_progress(case=case, author=None, done="Atelier", token=token)

    with pytest.raises(DuplicateSubmission):
        log_progress(case=case, author=None, done="Atelier", token=token)

    assert case.entries.count() == 1
