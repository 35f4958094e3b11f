"""Residents create and edit a session in the browser; bad input gets a message and saves nothing."""
import datetime
import io
import time

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from outbox.models import OutgoingMail
from common.images import PHOTO_SIDE
from programmes.models import Visibility
from sessions.models import EventStatus, Session, SessionPhoto

from ..queries import exactly
from ..images import assert_only_pixels, assert_upright_portrait, huge_png, jpeg_with_comment, phone_photo, png_with_text
from ..factories import (
    make_ambassador,
    make_case,
    make_collectivite,
    make_lab,
    make_resident,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def lab():
    collectivite = make_collectivite(name="Mulhouse", seat_address="2 rue Pierre et Marie Curie\n68100 Mulhouse")
    return make_lab(
        collectivite=collectivite,
        start_date=TODAY - datetime.timedelta(days=60),
        end_date=TODAY + datetime.timedelta(days=400),
    )


@pytest.fixture
def resident(lab):
    return make_resident(lab).user


def create_url(lab):
    return reverse("lab_sessions:session_create", kwargs={"lab_slug": lab.slug})


def edit_url(session):
    return reverse("lab_sessions:session_edit", kwargs={"lab_slug": session.lab.slug, "number": session.number})


def session_data(start, days=2, **overrides):
    data = {
        "number": "",
        "title": "Immersion au guichet unique",
        "start_date": start.isoformat(),
        "end_date": (start + datetime.timedelta(days=days - 1)).isoformat(),
        "place_source": "other",
        "place_name": "Salle des fêtes",
        "place_address": "1 place de la Réunion",
        "objectives": "Observer l'accueil.",
        "status": EventStatus.DRAFT,
        "visibility": Visibility.LAB,
    }
    return {**data, **overrides}


def future_monday(weeks=3):
    day = TODAY + datetime.timedelta(weeks=weeks)
    return day - datetime.timedelta(days=day.weekday())


def errors_of(response):
    form = response.context["form"]
    return [message for messages in form.errors.values() for message in messages]


def test_resident_creates_a_session_numbered_after_the_last_one(client, lab, resident):
    make_session(lab, number=4, start_date=lab.start_date + datetime.timedelta(days=3))
    client.force_login(resident)

    response = client.post(create_url(lab), session_data(future_monday()))

    session = Session.objects.get(lab=lab, title="Immersion au guichet unique")
    assert response.status_code == 302
    assert response["Location"] == session.get_absolute_url()
    assert session.number == 5
    assert (session.start_date, session.day_count) == (future_monday(), 2)


def test_new_session_form_proposes_the_next_number_and_the_seat(client, lab, resident):
    client.force_login(resident)

    response = client.get(create_url(lab))

    assert response.status_code == 200
    assert response.context["form"]["number"].value() == 0
    assert response.context["form"]["place_source"].value() == "seat"
    assert "Siège de la collectivité : 2 rue Pierre et Marie Curie 68100 Mulhouse" in response.content.decode()


def test_place_from_the_seat_fills_the_address_without_javascript(client, lab, resident):
    client.force_login(resident)

    client.post(create_url(lab), session_data(future_monday(), place_source="seat", place_name="", place_address=""))

    session = Session.objects.get(lab=lab)
    assert session.place_name == "Mulhouse"
    assert session.place_address == "2 rue Pierre et Marie Curie\n68100 Mulhouse"


def test_place_from_a_case_site_takes_its_address(client, lab, resident):
    case = make_case(lab, title="Accueil en mairie annexe", site_address="5 rue du Marché, Bourtzwiller")
    client.force_login(resident)

    client.post(
        create_url(lab),
        session_data(future_monday(), place_source=f"case-{case.pk}", place_name="", place_address="ignorée"),
    )

    session = Session.objects.get(lab=lab)
    assert (session.place_name, session.place_address) == ("Accueil en mairie annexe", "5 rue du Marché, Bourtzwiller")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"end_date_offset": -1}, "Le dernier jour ne peut pas précéder le premier."),
        ({"days": 4}, "Une session ou une InterTransfo dure au plus 3 jours consécutifs."),
        ({"start": "outside"}, "La session doit avoir lieu pendant le labo"),
        ({"start_date": "2017-02-31"}, "Saisissez une date valide."),
    ],
    ids=["reversed", "four-days", "outside-the-lab", "impossible-date"],
)
def test_session_with_bad_dates_is_refused_with_a_message_and_nothing_saved(client, lab, resident, change, message):
    start = future_monday()
    data = session_data(start, days=change.get("days", 2))
    if "end_date_offset" in change:
        data["end_date"] = (start + datetime.timedelta(days=change["end_date_offset"])).isoformat()
    if change.get("start") == "outside":
        data = session_data(lab.end_date + datetime.timedelta(days=30))
    if "start_date" in change:
        data["start_date"] = change["start_date"]
    client.force_login(resident)

    response = client.post(create_url(lab), data)

    assert response.status_code == 400
    assert any(error.startswith(message) for error in errors_of(response))
    assert Session.objects.count() == 0


def test_session_overlapping_another_is_refused(client, lab, resident):
    start = future_monday()
    make_session(lab, number=1, start_date=start)
    client.force_login(resident)

    response = client.post(create_url(lab), session_data(start + datetime.timedelta(days=1)))

    assert response.status_code == 400
    assert "Ces dates chevauchent une autre session de ce labo." in errors_of(response)
    assert Session.objects.count() == 1


def test_session_number_already_used_is_refused(client, lab, resident):
    make_session(lab, number=3, start_date=future_monday(weeks=8))
    client.force_login(resident)

    response = client.post(create_url(lab), session_data(future_monday(), number="3"))

    assert response.status_code == 400
    assert "Ce labo a déjà une session portant ce numéro." in errors_of(response)
    assert Session.objects.count() == 1


def test_forged_case_of_another_lab_is_refused_and_nothing_saved(client, lab, resident):
    mine = make_case(lab)
    stranger = make_case(make_lab())
    client.force_login(resident)

    response = client.post(create_url(lab), {**session_data(future_monday()), "cases": [mine.pk, stranger.pk]})

    assert response.status_code == 400
    assert any("n’en fait pas partie" in error or "n'en fait pas partie" in error for error in errors_of(response))
    assert Session.objects.count() == 0


def test_forged_place_source_is_refused(client, lab, resident):
    client.force_login(resident)

    response = client.post(create_url(lab), session_data(future_monday(), place_source="case-999999"))

    assert response.status_code == 400
    assert Session.objects.count() == 0


def test_resident_edits_a_session_and_its_cases(client, lab, resident):
    session = make_session(lab, number=2, start_date=future_monday())
    case = make_case(lab)
    client.force_login(resident)

    response = client.post(
        edit_url(session),
        {**session_data(future_monday(weeks=5), days=3, number="2", title="Prototypage"), "cases": [case.pk]},
    )

    session.refresh_from_db()
    assert response.status_code == 302
    assert (session.title, session.start_date, session.day_count) == ("Prototypage", future_monday(weeks=5), 3)
    assert list(session.cases.all()) == [case]


def test_editing_with_bad_dates_keeps_the_session_as_it_was(client, lab, resident):
    start = future_monday()
    session = make_session(lab, number=2, start_date=start, title="Avant")
    client.force_login(resident)

    response = client.post(edit_url(session), session_data(start, days=4, number="2", title="Après"))

    session.refresh_from_db()
    assert response.status_code == 400
    assert (session.title, session.day_count) == ("Avant", 2)
    # The page's header shows the saved session, not the refused input.
    assert "Modifier la session n° 2" in response.content.decode()


def test_choosing_announced_in_the_editor_invites_the_lab(client, lab, resident, django_capture_on_commit_callbacks):
    people = [make_ambassador(lab), make_ambassador(lab)]
    session = make_session(lab, number=1, start_date=future_monday())
    client.force_login(resident)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url(session), session_data(future_monday(), number="1", status=EventStatus.ANNOUNCED))

    session.refresh_from_db()
    assert session.status == EventStatus.ANNOUNCED
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in people)
    assert session.attendances.count() == 4


def test_changing_the_dates_of_an_announced_session_notifies_the_invited_once(
    client, lab, resident, django_capture_on_commit_callbacks
):
    person = make_ambassador(lab)
    session = make_session(lab, number=1, start_date=future_monday(), status=EventStatus.DRAFT)
    client.force_login(resident)
    client.post(reverse("lab_sessions:session_announce", kwargs={"lab_slug": lab.slug, "number": 1}))
    moved = session_data(future_monday(weeks=4), number="1", status=EventStatus.ANNOUNCED)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url(session), moved)
        client.post(edit_url(session), moved)

    changes = OutgoingMail.objects.filter(key__startswith=f"session-{session.pk}-change-")
    assert [mail.to for mail in changes] == [person.email]
    assert "change de dates ou de lieu" in changes.get().body_text
    # The answers follow the new days.
    assert sorted(session.attendances.values_list("day", flat=True)) == [
        future_monday(weeks=4),
        future_monday(weeks=4) + datetime.timedelta(days=1),
    ]


def test_cancelling_an_announced_session_tells_the_invited(client, lab, resident):
    person = make_ambassador(lab)
    session = make_session(lab, number=1, start_date=future_monday())
    client.force_login(resident)
    url = reverse("lab_sessions:session_cancel", kwargs={"lab_slug": lab.slug, "number": 1})
    client.post(reverse("lab_sessions:session_announce", kwargs={"lab_slug": lab.slug, "number": 1}))

    page = client.get(url)
    response = client.post(url)
    client.post(url)

    session.refresh_from_db()
    assert page.status_code == 200
    assert response.status_code == 302
    assert session.status == EventStatus.CANCELLED
    cancel_mails = OutgoingMail.objects.filter(key=f"session-{session.pk}-cancel-{person.pk}")
    assert cancel_mails.count() == 1
    assert "est annulée" in cancel_mails.get().body_text


@pytest.mark.parametrize("url_name", ["session_create", "session_edit", "session_announce", "session_cancel", "session_minutes", "session_photo_add"])
def test_editor_pages_are_for_those_who_run_the_lab(client, lab, url_name):
    session = make_session(lab, number=1, start_date=future_monday(), visibility=Visibility.PUBLIC)
    kwargs = {"lab_slug": lab.slug} if url_name == "session_create" else {"lab_slug": lab.slug, "number": session.number}
    url = reverse(f"lab_sessions:{url_name}", kwargs=kwargs)
    ambassador = make_user()
    make_ambassador(lab, user=ambassador)
    other_resident = make_resident(make_lab()).user

    anonymous = client.get(url)
    client.force_login(ambassador)
    as_ambassador_get, as_ambassador_post = client.get(url), client.post(url, session_data(future_monday()))
    client.force_login(other_resident)
    as_other_resident = client.get(url)

    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("account_login"))
    assert (as_ambassador_get.status_code, as_ambassador_post.status_code, as_other_resident.status_code) == (404, 404, 404)
    assert Session.objects.count() == 1
    session.refresh_from_db()
    assert session.status == EventStatus.DRAFT


def test_coordinator_of_the_programme_may_edit(client, lab):
    from programmes.models import Coordination

    coordinator = make_user()
    Coordination.objects.create(programme=lab.programme, user=coordinator)
    client.force_login(coordinator)

    assert client.get(create_url(lab)).status_code == 200


def test_resident_writes_the_minutes(client, lab, resident):
    session = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=7))
    client.force_login(resident)
    url = reverse("lab_sessions:session_minutes", kwargs={"lab_slug": lab.slug, "number": 1})

    response = client.post(url, {"minutes": "Deux jours d'immersion ; trois pistes retenues."})
    page = client.get(session.get_absolute_url())

    session.refresh_from_db()
    assert response.status_code == 302
    assert session.minutes == "Deux jours d'immersion ; trois pistes retenues."
    assert "trois pistes retenues" in page.content.decode()


def test_minutes_far_too_long_are_refused(client, lab, resident):
    session = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=7), minutes="Avant")
    client.force_login(resident)
    url = reverse("lab_sessions:session_minutes", kwargs={"lab_slug": lab.slug, "number": 1})

    response = client.post(url, {"minutes": "x" * 60_000})

    session.refresh_from_db()
    assert response.status_code == 400
    assert session.minutes == "Avant"


def photo_with_gps(fmt="JPEG", size=(64, 48)):
    image = Image.new("RGB", size, (200, 90, 40))
    exif = Image.Exif()
    exif[0x010F] = "Appareil de test"  # Make
    exif[0x8825] = {1: "N", 2: (47.0, 45.0, 0.0), 3: "E", 4: (7.0, 20.0, 0.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, exif=exif)
    buffer.seek(0)
    buffer.name = "photo.jpg"
    return buffer


def photo_url(session):
    return reverse("lab_sessions:session_photo_add", kwargs={"lab_slug": session.lab.slug, "number": session.number})


def test_photo_is_stored_without_its_gps_position(client, lab, resident, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    session = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=7))
    client.force_login(resident)
    upload = photo_with_gps()
    assert Image.open(upload).getexif().get_ifd(0x8825)
    upload.seek(0)

    response = client.post(photo_url(session), {"image": upload, "caption": "Atelier du matin"})

    photo = SessionPhoto.objects.get()
    stored = Image.open(photo.image.path)
    assert response.status_code == 302
    assert photo.caption == "Atelier du matin"
    assert dict(stored.getexif()) == {}
    assert stored.size == (64, 48)
    assert photo.uploaded_by == resident


def test_file_that_is_not_a_photo_is_refused_whatever_its_name(client, lab, resident, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    session = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=7))
    client.force_login(resident)
    fake = io.BytesIO(b"<script>alert(1)</script>" * 20)
    fake.name = "vacances.jpg"

    response = client.post(photo_url(session), {"image": fake})

    assert response.status_code == 400
    assert "« vacances.jpg » n'est pas une image lisible : envoyez une photo JPEG, PNG, WebP, GIF ou HEIC." in errors_of(
        response
    )
    assert SessionPhoto.objects.count() == 0


def test_photo_over_ten_megabytes_is_refused(client, lab, resident, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    session = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=7))
    client.force_login(resident)
    big = io.BytesIO(photo_with_gps().getvalue() + b"\0" * (10 * 1024 * 1024))
    big.name = "grande.jpg"

    response = client.post(photo_url(session), {"image": big})

    assert response.status_code == 400
    assert any("10 Mo au plus" in error for error in errors_of(response))
    assert SessionPhoto.objects.count() == 0


def test_image_of_huge_dimensions_is_refused_before_it_is_decoded(client, lab, resident, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    session = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=7))
    client.force_login(resident)
    buffer = io.BytesIO()
    # A few kilobytes on disk, 64 million pixels once decoded.
    Image.new("1", (8000, 8000)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "bombe.png"

    response = client.post(photo_url(session), {"image": buffer})

    assert response.status_code == 400
    assert (
        "« bombe.png » est une image trop grande (8000 × 8000 pixels) : 50 millions de pixels au plus par image."
        in errors_of(response)
    )
    assert SessionPhoto.objects.count() == 0


def named(name, content):
    buffer = io.BytesIO(content)
    buffer.name = name
    return buffer


@pytest.mark.parametrize(
    "name, content", [("commentee.jpg", jpeg_with_comment()), ("texte.png", png_with_text())], ids=["jpeg-com", "png-text"]
)
def test_photo_served_to_anonymous_visitors_has_its_pixels_and_nothing_else(
    client, lab, resident, settings, tmp_path, name, content
):
    settings.MEDIA_ROOT = str(tmp_path)
    session = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=7), visibility=Visibility.PUBLIC)
    client.force_login(resident)
    client.post(photo_url(session), {"image": named(name, content)})
    photo = SessionPhoto.objects.get()
    client.logout()

    served = client.get(reverse("lab_sessions:session_photo", kwargs={"lab_slug": lab.slug, "number": 1, "pk": photo.pk}))

    assert served.status_code == 200
    assert_only_pixels(b"".join(served.streaming_content))


def test_phone_photo_is_stored_upright(client, lab, resident, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    session = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=7))
    client.force_login(resident)

    response = client.post(photo_url(session), {"image": named("portrait.jpg", phone_photo())})

    assert response.status_code == 302
    with SessionPhoto.objects.get().image.open("rb") as stored:
        assert_upright_portrait(stored.read(), PHOTO_SIDE)


def test_59_megapixel_png_is_refused_at_once_with_the_limit(client, lab, resident, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    session = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=7))
    client.force_login(resident)
    poster = named("affiche.png", huge_png())

    started = time.perf_counter()
    response = client.post(photo_url(session), {"image": poster, "caption": "L'affiche"})
    print(f"session photo: a 59-MP PNG refused in {time.perf_counter() - started:.2f} s")

    assert response.status_code == 400
    assert errors_of(response) == [
        "« affiche.png » est une image trop grande (7700 × 7700 pixels) : 50 millions de pixels au plus par image."
    ]
    assert SessionPhoto.objects.count() == 0


def test_photos_follow_the_session_visibility(client, lab, resident, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    session = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=7))
    client.force_login(resident)
    client.post(photo_url(session), {"image": photo_with_gps()})
    photo = SessionPhoto.objects.get()
    url = reverse("lab_sessions:session_photo", kwargs={"lab_slug": lab.slug, "number": 1, "pk": photo.pk})
    insider, outsider = make_user(), make_user()
    make_ambassador(lab, user=insider)
    make_ambassador(make_lab(programme=lab.programme), user=outsider)

    as_resident = client.get(url)
    client.force_login(insider)
    as_insider = client.get(url)
    client.force_login(outsider)
    as_outsider = client.get(url)
    client.logout()
    as_anonymous = client.get(url)
    Session.objects.filter(pk=session.pk).update(visibility=Visibility.PUBLIC)
    public = client.get(url)

    assert (as_resident.status_code, as_insider.status_code, as_outsider.status_code) == (200, 200, 404)
    assert as_resident["Content-Type"] == "image/jpeg"
    assert as_anonymous.status_code == 302
    assert public.status_code == 200


def test_session_page_shows_its_photos_in_upload_order_with_one_query_for_all(client, lab, resident, settings, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MEDIA_ROOT = str(tmp_path)
    session = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=7))
    client.force_login(resident)
    client.get(session.get_absolute_url())  # the login's own first-request work, not counted
    with CaptureQueriesContext(connection) as without_photos:
        client.get(session.get_absolute_url())
    for caption in ("Accueil", "Atelier", "Restitution"):
        client.post(photo_url(session), {"image": photo_with_gps(), "caption": caption})

    with CaptureQueriesContext(connection) as with_photos:
        page = client.get(session.get_absolute_url())

    assert [photo.caption for photo in page.context["photos"]] == ["Accueil", "Atelier", "Restitution"]
    assert 'alt="Restitution"' in page.content.decode()
    # The photos, asked for once they exist.
    assert (len(without_photos), len(with_photos)) == (exactly(7), exactly(8))


def test_resident_removes_a_photo(client, lab, resident, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    session = make_session(lab, number=1, start_date=TODAY - datetime.timedelta(days=7))
    client.force_login(resident)
    client.post(photo_url(session), {"image": photo_with_gps()})
    photo = SessionPhoto.objects.get()
    url = reverse("lab_sessions:session_photo_delete", kwargs={"lab_slug": lab.slug, "number": 1, "pk": photo.pk})

    confirm = client.get(url)
    response = client.post(url)

    assert (confirm.status_code, response.status_code) == (200, 302)
    assert SessionPhoto.objects.count() == 0


# --- Days that are allowed but probably a slip -----------------------------------------------


def next_may_day():
    may_day = datetime.date(TODAY.year, 5, 1)
    return may_day if may_day > TODAY + datetime.timedelta(days=7) else may_day.replace(year=TODAY.year + 1)


def warnings_of(response):
    return [str(message) for message in response.context["messages"] if message.level_tag == "warning"]


def test_moving_a_session_onto_a_public_holiday_saves_it_with_a_warning_naming_the_holiday(client, lab, resident):
    session = make_session(lab, number=2, start_date=future_monday())
    client.force_login(resident)

    response = client.post(edit_url(session), session_data(next_may_day(), days=1, number="2"), follow=True)

    session.refresh_from_db()
    assert session.start_date == next_may_day()
    assert len(warnings_of(response)) == 1
    assert "Jour férié le" in warnings_of(response)[0]
    assert "Fête du Travail" in warnings_of(response)[0]
    assert "Fête du Travail" in response.content.decode()


def test_editing_a_session_on_a_holiday_without_moving_it_says_nothing_more(client, lab, resident):
    session = make_session(lab, number=2, start_date=next_may_day(), end_date=next_may_day())
    client.force_login(resident)

    response = client.post(
        edit_url(session), session_data(next_may_day(), days=1, number="2", title="Autre titre"), follow=True
    )

    assert warnings_of(response) == []


def test_a_session_created_in_august_is_saved_with_a_warning(client, resident):
    lab = make_lab(start_date=TODAY - datetime.timedelta(days=30), end_date=TODAY + datetime.timedelta(days=800))
    resident = make_resident(lab).user
    august = datetime.date(TODAY.year + 1, 8, 21)
    client.force_login(resident)

    response = client.post(create_url(lab), session_data(august - datetime.timedelta(days=august.weekday())), follow=True)

    assert Session.objects.filter(lab=lab).count() == 1
    assert warnings_of(response) == ["La session tombe en août, quand presque personne n'est au travail."]


def test_a_session_after_the_lab_end_is_still_refused(client, lab, resident):
    client.force_login(resident)

    response = client.post(create_url(lab), session_data(lab.end_date + datetime.timedelta(days=3)))

    assert response.status_code == 400
    assert "La session doit avoir lieu pendant le labo" in response.content.decode()
    assert Session.objects.filter(lab=lab).count() == 0
