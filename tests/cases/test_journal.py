"""Writing the journal: who may, what a post saves, and what a bad post leaves behind (nothing)."""
import datetime
import io
import threading
import time
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image

from ambassadors.models import Ambassador
from common.images import PHOTO_SIDE
from cases.models import Attachment, ProgressEntry
from programmes.models import Coordination, Visibility

from ..images import assert_only_pixels, assert_upright_portrait, huge_png, jpeg_with_comment, phone_photo, png_with_text
from ..factories import (
    make_ambassador,
    make_case,
    make_entry,
    make_lab,
    make_resident,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db


def photo_bytes(size=(800, 600), gps=True):
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update({ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (47.0, 45.0, 0.0)})
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()


class World:
    def __init__(self):
        self.lab = make_lab()
        self.member = make_user()
        self.ambassador = make_ambassador(self.lab, user=self.member)
        self.case = make_case(self.lab)
        self.case.team.add(self.ambassador)
        self.resident = make_resident(self.lab).user
        self.outsider_ambassador = make_user()
        make_ambassador(self.lab, user=self.outsider_ambassador)
        self.relay = make_user()
        relay = make_ambassador(self.lab, user=self.relay, circle=Ambassador.Circle.NETWORK)
        self.case.team.add(relay)
        self.other_lab_user = make_user()
        make_ambassador(make_lab(programme=self.lab.programme), user=self.other_lab_user)
        self.coordinator = make_user()
        Coordination.objects.create(programme=self.lab.programme, user=self.coordinator)

    def url(self, name, **kwargs):
        return reverse(f"cases:{name}", kwargs={"lab_slug": self.lab.slug, "slug": self.case.slug, **kwargs})


@pytest.fixture
def world():
    return World()


def entry_data(**overrides):
    data = {"done": "Nous avons interrogé dix usagers.", "entry_date": "2016-09-12", "token": str(uuid.uuid4())}
    data.update(overrides)
    return data


def test_team_ambassador_logs_an_entry_with_photos_and_a_pdf(client, world):
    client.force_login(world.member)
    files = [
        SimpleUploadedFile("tableau.jpg", photo_bytes(), "image/jpeg"),
        SimpleUploadedFile("plan.jpg", photo_bytes((300, 200), gps=False), "image/jpeg"),
        SimpleUploadedFile("cr.pdf", b"%PDF-1.4\n%%EOF", "application/pdf"),
    ]

    response = client.post(world.url("entry_create"), {**entry_data(learnt="Les horaires gênent."), "files": files})

    entry = ProgressEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == world.case.get_absolute_url() + f"#entree-{entry.pk}"
    assert entry.author == world.member
    assert sorted(entry.attachments.values_list("kind", "caption")) == [
        ("file", "cr.pdf"),
        ("photo", "plan.jpg"),
        ("photo", "tableau.jpg"),
    ]
    stored = entry.attachments.get(caption="tableau.jpg")
    with stored.file.open("rb") as handle:
        assert dict(Image.open(handle).getexif()) == {}


def test_entry_form_shows_a_multiple_file_input_and_a_fresh_token(client, world):
    client.force_login(world.member)

    first = client.get(world.url("entry_create")).content.decode()
    second = client.get(world.url("entry_create")).content.decode()

    assert 'type="file" name="files" multiple' in first
    token = first.split('name="token" value="')[1].split('"')[0]
    assert token not in second


def test_one_refused_file_saves_nothing_and_names_the_file(client, world):
    client.force_login(world.member)
    files = [
        SimpleUploadedFile("bonne.jpg", photo_bytes(), "image/jpeg"),
        SimpleUploadedFile("piege.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
    ]

    response = client.post(world.url("entry_create"), {**entry_data(), "files": files})

    assert response.status_code == 400
    assert "« piege.jpg » n&#x27;est pas accepté" in response.content.decode()
    assert ProgressEntry.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_photos_of_a_public_case_are_served_with_their_pixels_and_nothing_else(client, world):
    world.case.visibility = Visibility.PUBLIC
    world.case.save()
    client.force_login(world.member)
    files = [SimpleUploadedFile("commentee.jpg", jpeg_with_comment()), SimpleUploadedFile("texte.png", png_with_text())]
    client.post(world.url("entry_create"), {**entry_data(), "files": files})
    anonymous = Client()

    served = [
        anonymous.get(world.url(view, pk=photo.pk))
        for photo in Attachment.objects.order_by("pk")
        for view in ("attachment", "attachment_thumbnail")
    ]

    assert [response.status_code for response in served] == [200] * 4
    for response in served:
        assert_only_pixels(b"".join(response.streaming_content))


def test_phone_photo_is_stored_upright(client, world):
    client.force_login(world.member)

    client.post(world.url("entry_create"), {**entry_data(), "files": [SimpleUploadedFile("portrait.jpg", phone_photo())]})

    with Attachment.objects.get().file.open("rb") as stored:
        assert_upright_portrait(stored.read(), PHOTO_SIDE)


def test_59_megapixel_png_is_refused_at_once_and_the_entry_keeps_what_was_typed(client, world):
    client.force_login(world.member)
    files = [SimpleUploadedFile("bonne.jpg", photo_bytes()), SimpleUploadedFile("affiche.png", huge_png())]

    started = time.perf_counter()
    response = client.post(world.url("entry_create"), {**entry_data(done="Atelier avec les agents."), "files": files})
    print(f"journal: a 59-MP PNG refused in {time.perf_counter() - started:.2f} s")

    page = response.content.decode()
    assert response.status_code == 400
    assert "« affiche.png » est une image trop grande (7700 × 7700 pixels) : 50 millions de pixels au plus par image." in page
    assert "Atelier avec les agents." in page
    assert ProgressEntry.objects.count() == Attachment.objects.count() == 0


def test_five_59_megapixel_pngs_in_one_entry_are_refused_at_once(client, world):
    client.force_login(world.member)
    files = [SimpleUploadedFile(f"affiche-{number}.png", huge_png()) for number in range(1, 6)]

    started = time.perf_counter()
    response = client.post(world.url("entry_create"), {**entry_data(), "files": files})
    print(f"journal: five 59-MP PNGs refused in {time.perf_counter() - started:.2f} s")

    assert response.status_code == 400
    assert response.context["form"].errors["files"] == [
        f"« affiche-{number}.png » est une image trop grande (7700 × 7700 pixels) : 50 millions de pixels au plus par image."
        for number in range(1, 6)
    ]
    assert ProgressEntry.objects.count() == 0


def test_many_big_photos_in_one_entry_are_refused_with_the_limit_of_one_post(client, world):
    client.force_login(world.member)
    big = huge_png(6700, 6700)  # 45 megapixels each: each is allowed, three together are too much
    files = [SimpleUploadedFile(f"plan-{number}.png", big) for number in range(1, 4)]

    started = time.perf_counter()
    response = client.post(world.url("entry_create"), {**entry_data(done="Trois plans du quartier."), "files": files})
    print(f"journal: three 45-MP PNGs refused in {time.perf_counter() - started:.2f} s")

    page = response.content.decode()
    assert response.status_code == 400
    assert (
        "« plan-3.png » n&#x27;a pas été traitée : avec les images envoyées avant elle, cet envoi dépasse "
        "120 millions de pixels. Envoyez les autres images en une autre fois." in page
    )
    assert "Trois plans du quartier." in page
    assert ProgressEntry.objects.count() == Attachment.objects.count() == 0


def test_entry_without_what_we_did_is_refused(client, world):
    client.force_login(world.member)

    response = client.post(world.url("entry_create"), entry_data(done=""))

    assert response.status_code == 400
    assert ProgressEntry.objects.count() == 0


def test_forged_session_of_another_lab_is_a_form_error(client, world):
    client.force_login(world.member)
    foreign = make_session(make_lab())

    response = client.post(world.url("entry_create"), entry_data(session=str(foreign.pk)))

    assert response.status_code == 400
    assert "session" in response.context["form"].errors
    assert ProgressEntry.objects.count() == 0


def test_entry_may_name_a_session_of_the_same_lab(client, world):
    client.force_login(world.member)
    session = make_session(world.lab)

    client.post(world.url("entry_create"), entry_data(session=str(session.pk)))

    assert ProgressEntry.objects.get().session == session


def test_same_form_posted_twice_saves_one_entry(client, world):
    client.force_login(world.member)
    data = entry_data()

    first = client.post(world.url("entry_create"), data)
    second = client.post(world.url("entry_create"), data)

    assert first.status_code == second.status_code == 302
    assert ProgressEntry.objects.count() == 1


@pytest.mark.parametrize(
    "who, status",
    [("member", 200), ("resident", 200), ("coordinator", 200), ("outsider_ambassador", 404), ("relay", 404), ("other_lab_user", 404)],
)
def test_who_may_open_the_entry_form(client, world, who, status):
    client.force_login(getattr(world, who))

    assert client.get(world.url("entry_create")).status_code == status


def test_ambassador_cannot_post_on_a_case_of_another_team(client, world):
    client.force_login(world.outsider_ambassador)

    response = client.post(world.url("entry_create"), entry_data())

    assert response.status_code == 404
    assert ProgressEntry.objects.count() == 0


def test_ambassador_of_another_lab_cannot_post_even_on_a_shared_case(client, world):
    world.case.visibility = Visibility.PROGRAMME
    world.case.save()
    client.force_login(world.other_lab_user)

    assert client.get(world.case.get_absolute_url()).status_code == 200
    assert client.post(world.url("entry_create"), entry_data()).status_code == 404


def test_anonymous_visitor_is_sent_to_login(client, world):
    response = client.get(world.url("entry_create"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_author_edits_their_entry(client, world):
    entry = make_entry(world.case, author=world.member)
    client.force_login(world.member)

    response = client.post(world.url("entry_update", pk=entry.pk), {"done": "Corrigé.", "entry_date": "2016-09-13"})

    entry.refresh_from_db()
    assert response.status_code == 302
    assert entry.done == "Corrigé."


def test_ambassador_cannot_edit_or_delete_another_persons_entry(client, world):
    colleague = make_user()
    world.case.team.add(make_ambassador(world.lab, user=colleague))
    entry = make_entry(world.case, author=colleague)
    client.force_login(world.member)

    edit = client.post(world.url("entry_update", pk=entry.pk), {"done": "Piraté.", "entry_date": "2016-09-13"})
    delete = client.post(world.url("entry_delete", pk=entry.pk))

    entry.refresh_from_db()
    assert (edit.status_code, delete.status_code) == (404, 404)
    assert entry.done == "Nous avons rencontré les usagers."


def test_resident_moderates_any_entry_after_a_confirmation(client, world):
    entry = make_entry(world.case, author=world.member)
    client.force_login(world.resident)

    confirmation = client.get(world.url("entry_delete", pk=entry.pk))
    response = client.post(world.url("entry_delete", pk=entry.pk))

    assert "Supprimer cette entrée du journal ?" in confirmation.content.decode()
    assert response.status_code == 302
    assert ProgressEntry.objects.count() == 0


def test_entry_of_another_case_is_not_reachable_through_this_one(client, world):
    other_case = make_case(world.lab)
    entry = make_entry(other_case, author=world.member)
    client.force_login(world.member)

    assert client.get(world.url("entry_update", pk=entry.pk)).status_code == 404


def test_private_case_photo_is_served_only_inside_the_lab(client, world):
    client.force_login(world.member)
    client.post(world.url("entry_create"), {**entry_data(), "files": [SimpleUploadedFile("a.jpg", photo_bytes(), "image/jpeg")]})
    photo = Attachment.objects.get()
    url, thumb = world.url("attachment", pk=photo.pk), world.url("attachment_thumbnail", pk=photo.pk)

    inside = client.get(url)
    inside_thumb = client.get(thumb)
    client.force_login(world.other_lab_user)
    outside = client.get(url)
    anonymous = Client().get(thumb)

    assert inside.status_code == inside_thumb.status_code == 200
    assert inside["Content-Type"] == "image/jpeg"
    assert inside["Cache-Control"] == "private, max-age=3600"
    assert outside.status_code == 404
    assert anonymous.status_code == 302


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_posts_of_the_same_form_create_one_entry(live_server, world):
    # Threads against the live server: real concurrent requests, each on its own database
    # connection (PostgreSQL; SQLite's in-memory test database shares one connection between
    # threads, hence the services mark) and the shared Redis cache as the guard.
    data = entry_data()
    url = live_server.url + world.url("entry_create")
    clients = []
    for _ in range(20):
        client = Client()
        client.force_login(world.member)
        clients.append(client)
    sessionid = [client.cookies["sessionid"].value for client in clients]
    import requests  # only this test needs it

    barrier = threading.Barrier(20)
    statuses = []

    def post(index):
        session = requests.Session()
        session.cookies.set("sessionid", sessionid[index])
        page = session.get(url)
        csrf = session.cookies.get("csrftoken")
        barrier.wait()
        response = session.post(url, data={**data, "csrfmiddlewaretoken": csrf}, headers={"Referer": url}, allow_redirects=False)
        statuses.append(response.status_code)
        assert page.status_code == 200

    threads = [threading.Thread(target=post, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302] * 20
    assert ProgressEntry.objects.count() == 1


def test_the_session_menu_numbers_sessions_as_everywhere_else(client, world):
    client.force_login(world.member)
    session = make_session(world.lab, number=16, start_date=datetime.date(2017, 3, 14), title="Immersion")

    page = client.get(world.url("entry_create")).content.decode()

    assert f'<option value="{session.pk}">Session n° 16 — 14/03/2017 : Immersion</option>' in page
    assert "#16" not in page
    assert str(session).endswith("— Session n° 16 (14/03/2017)")
