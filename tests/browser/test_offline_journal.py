"""The ambassador's journal on a phone without network: installable, read and written offline.

Each test drives chromium with a profile of its own on disk (a persistent context), as a phone
keeps its service worker, caches and IndexedDB between launches.
"""
import io
import time

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from cases.models import Attachment, ProgressEntry

from ..conftest import CHROMIUM, CHROMIUM_ARGS, record_csp_violations
from ..factories import make_ambassador, make_case, make_lab, make_session, make_user
from .accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"locale": "fr-FR", "viewport": {"width": 360, "height": 740}, "is_mobile": True}
LIGHT_PHOTO = 600 * 1024
PENDING = ".journal-entry--pending"

# True once the pages' cache of this person holds ``path`` (the worker keeps it after answering).
KEPT = """async path => {
    for (const name of await caches.keys()) {
        if (name.startsWith("transfo-pages-") && await (await caches.open(name)).match(path)) return true;
    }
    return false;
}"""
# What the phone keeps of anyone: page caches, and the database of entries waiting to be sent.
KEPT_OF_ANYONE = """async () => {
    const pages = (await caches.keys()).filter(name => name.startsWith("transfo-pages-"));
    const databases = (await indexedDB.databases()).map(database => database.name);
    return {pages, databases};
}"""
# The sizes of the photos of the entries waiting on the phone: what will leave it.
WAITING_PHOTOS = """async () => {
    const reader = document.querySelector('meta[name="transfo-offline"]').content;
    const entries = await TransfoQueue.all(reader);
    return entries.flatMap(entry => entry.photos.map(photo => photo.blob.size));
}"""


@pytest.fixture(scope="module")
def camera_photos(tmp_path_factory):
    """Two 12-megapixel photos of ~4 MB, as a phone's camera takes them (noise does not compress)."""
    folder = tmp_path_factory.mktemp("camera")
    gradient = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    noise = Image.merge("RGB", [Image.effect_noise((4000, 3000), 40) for _ in range(3)])
    picture = Image.blend(gradient, noise, 0.35)
    paths = []
    for number, image in enumerate([picture, picture.transpose(Image.Transpose.FLIP_LEFT_RIGHT)], start=1):
        path = folder / f"IMG_000{number}.jpg"
        image.save(path, format="JPEG", quality=88)
        paths.append(path)
    assert all(path.stat().st_size > 3_500_000 for path in paths)
    return paths


@pytest.fixture
def launch(browser, tmp_path, csp_free_page):
    """Start (or start again) chromium on one phone profile; each launch's page is watched for
    refusals of the Content-Security-Policy."""
    contexts = []

    def start(without_background_sync=False):
        context = browser.browser_type.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, **PHONE
        )
        if without_background_sync:  # chromium's switches do not take it away; the pages then lack it
            context.add_init_script("delete ServiceWorkerRegistration.prototype.sync;")
        contexts.append(context)
        page = context.pages[0] if context.pages else context.new_page()
        return context, csp_free_page(record_csp_violations(page))

    yield start
    for context in contexts:
        try:
            context.close()
        except Exception:  # already closed by the test (a browser restart)
            pass


def log_in(context, live_server, user):
    """Give the browser a session of the person, as the login would (kept across restarts)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url, "expires": time.time() + 3600}])


def wait_until(page, script, arg=None):
    """Ask the page until ``script`` answers true (Playwright's wait_for_function would evaluate a
    string, which the Content-Security-Policy forbids)."""
    for _attempt in range(200):
        if page.evaluate(script, arg):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true on {page.url}: {script}")


def keep_for_offline(page, live_server, *paths):
    """Open each page once the service worker controls the tab, and wait until it is kept."""
    page.goto(live_server.url + paths[0])
    wait_until(page, "() => navigator.serviceWorker.controller !== null")
    for path in paths:
        page.goto(live_server.url + path)
        wait_until(page, KEPT, path)


def banner(page):
    return page.locator("#offline-banner")


@pytest.fixture
def world():
    lab = make_lab(name="La Transfo de Mulhouse")
    case = make_case(lab, title="Accueil des usagers en mairie", slug="accueil")
    user = make_user(first_name="Camille", last_name="Durand")
    ambassador = make_ambassador(lab, user=user)
    case.team.add(ambassador)
    return {"lab": lab, "case": case, "user": user, "ambassador": ambassador}


def write_entry(page, live_server, case, text, photos=()):
    page.goto(live_server.url + case.get_absolute_url() + "journal/nouveau/")
    page.get_by_label("Ce que nous avons fait").fill(text)
    if photos:
        page.get_by_label("Photos et fichiers").set_input_files([str(path) for path in photos])
    page.get_by_role("button", name="Enregistrer l'entrée").click()
    page.wait_for_url(f"**{case.get_absolute_url()}#journal-title")
    page.locator(".journal-entry--pending, .journal-entry--refused").first.wait_for()


def test_installable_and_readable_offline_with_a_banner(live_server, launch, world):
    case, lab = world["case"], world["lab"]
    session = make_session(lab, title="Session d'ouverture", place_name="Hôtel de ville")
    context, page = launch()
    log_in(context, live_server, world["user"])
    keep_for_offline(page, live_server, "/mes-cas/", case.get_absolute_url(), session.get_absolute_url())

    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    installability = cdp.send("Page.getInstallabilityErrors")
    worker_state = page.evaluate("navigator.serviceWorker.ready.then(registration => registration.active.state)")
    page.goto(live_server.url + "/mes-cas/")
    my_cases_violations = serious_violations(page)
    page.goto(live_server.url + case.get_absolute_url())
    case_violations = serious_violations(page)

    context.set_offline(True)
    page.goto(live_server.url + "/mes-cas/")
    my_cases_offline = (page.get_by_role("heading", level=1).text_content(), banner(page).is_visible(), banner(page).text_content())
    offline_violations = serious_violations(page)
    page.goto(live_server.url + case.get_absolute_url())
    case_offline = (page.get_by_role("heading", level=1).text_content(), banner(page).is_visible())
    page.goto(live_server.url + session.get_absolute_url())
    session_offline = ("Hôtel de ville" in page.content(), banner(page).is_visible())

    assert manifest["errors"] == [] and '"start_url": "/mes-cas/"' in manifest["data"]
    assert installability["installabilityErrors"] == []
    assert worker_state == "activated"
    assert (my_cases_violations, case_violations, offline_violations) == ([], [], [])
    assert my_cases_offline[:2] == ("Mes cas", True)
    assert my_cases_offline[2].startswith("Hors ligne — données du ")
    assert case_offline == ("Accueil des usagers en mairie", True)
    assert session_offline == (True, True)


def test_an_entry_written_offline_survives_a_restart_and_goes_up_once(live_server, launch, world, camera_photos):
    case = world["case"]
    context, page = launch(without_background_sync=True)
    # As in Firefox or Safari: the page itself sends what waits once the network is back. It also
    # keeps the restart honest: a restarted chromium is online for an instant before the test cuts
    # its network, and Background Sync would send the entry in that instant.
    page.goto(live_server.url + "/")
    no_background_sync = page.evaluate("() => navigator.serviceWorker.ready.then(registration => !registration.sync)")
    log_in(context, live_server, world["user"])
    keep_for_offline(page, live_server, "/mes-cas/", case.get_absolute_url(), case.get_absolute_url() + "journal/nouveau/")
    context.set_offline(True)

    write_entry(page, live_server, case, "Atelier à la sortie de l'école, sans réseau.", camera_photos)
    shown_pending = page.locator(PENDING).text_content()
    pending_photos = page.locator(PENDING).get_by_role("img").count()
    leaving_sizes = page.evaluate(WAITING_PHOTOS)
    page.reload()
    page.locator(PENDING).first.wait_for()  # the page lists what waits once IndexedDB has answered
    after_reload = page.locator(PENDING).count()
    context.close()

    context, page = launch(without_background_sync=True)
    context.set_offline(True)
    page.goto(live_server.url + case.get_absolute_url())
    page.locator(PENDING).wait_for()
    after_restart = page.locator(PENDING).text_content()
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    assert ProgressEntry.objects.count() == 0
    # The network comes back in steps: the first request after the "online" event still fails.
    first_tries = []

    def not_yet_back(route):
        if first_tries:
            route.continue_()
        else:
            first_tries.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/journal/nouveau/", not_yet_back)
    context.set_offline(False)
    sent = page.locator(".timeline .journal-entry:not(.journal-entry--pending)", has_text="sans réseau")
    sent.wait_for()
    # Back online a second time, and a page load: nothing more goes up.
    context.set_offline(True)
    context.set_offline(False)
    page.reload()
    page.locator("#journal-title").wait_for()

    assert no_background_sync
    assert "En attente d'envoi" in shown_pending and "sans réseau" in shown_pending
    assert pending_photos == 2
    assert len(leaving_sizes) == 2 and all(size <= LIGHT_PHOTO for size in leaving_sizes)
    assert after_reload == 1
    assert "sans réseau" in after_restart
    assert page.locator(PENDING).count() == 0
    assert first_tries == [live_server.url + case.get_absolute_url() + "journal/nouveau/"]
    assert len(posts) == 1
    entry = ProgressEntry.objects.get()
    assert entry.done == "Atelier à la sortie de l'école, sans réseau."
    attachments = list(Attachment.objects.filter(entry=entry))
    assert len(attachments) == 2
    for attachment in attachments:
        with attachment.file.open("rb") as handle:
            data = handle.read()
        assert len(data) <= LIGHT_PHOTO
        assert max(Image.open(io.BytesIO(data)).size) <= 2048


def test_logging_out_offline_leaves_nothing_for_the_next_person(live_server, launch, world):
    case, lab = world["case"], world["lab"]
    other = make_user(first_name="Dominique", last_name="Martin")
    make_case(lab, title="Mobilité des agents", slug="mobilite").team.add(make_ambassador(lab, user=other))
    context, page = launch()
    log_in(context, live_server, world["user"])
    keep_for_offline(page, live_server, "/mes-cas/", case.get_absolute_url(), case.get_absolute_url() + "journal/nouveau/")
    context.set_offline(True)
    write_entry(page, live_server, case, "Une note de Camille, jamais envoyée.")

    page.get_by_role("button", name="Se déconnecter").click()
    page.locator(".offline-notice").wait_for()
    kept_after_logout = page.evaluate(KEPT_OF_ANYONE)
    context.set_offline(False)
    # Back online: the server hears of the logout before anything else.
    page.goto(live_server.url + "/mes-cas/")
    page.wait_for_url("**/accounts/login/**")
    log_in(context, live_server, other)
    keep_for_offline(page, live_server, "/mes-cas/")
    other_my_cases = page.locator("main").text_content()
    context.set_offline(True)
    page.goto(live_server.url + "/mes-cas/")
    other_offline = page.locator("main").text_content()
    with pytest.raises(Exception):  # the browser's own "no network" page: nothing was kept
        page.goto(live_server.url + case.get_absolute_url())
    context.set_offline(False)

    assert kept_after_logout == {"pages": [], "databases": []}
    assert "Mobilité des agents" in other_my_cases and "Accueil des usagers" not in other_my_cases
    assert "Mobilité des agents" in other_offline and "Accueil des usagers" not in other_offline
    assert ProgressEntry.objects.count() == 0


def test_an_entry_refused_by_the_server_stays_with_its_message(live_server, launch, world):
    case = world["case"]
    context, page = launch()
    log_in(context, live_server, world["user"])
    keep_for_offline(page, live_server, "/mes-cas/", case.get_absolute_url(), case.get_absolute_url() + "journal/nouveau/")
    context.set_offline(True)
    write_entry(page, live_server, case, "Écrit avant de quitter l'équipe.")
    # Meanwhile the residents took Camille off the case's team (Camille stays in the Lab).
    case.team.remove(world["ambassador"])

    context.set_offline(False)
    page.goto(live_server.url + case.get_absolute_url())
    refused = page.locator(".journal-entry--refused")
    refused.wait_for()
    page.reload()
    refused.wait_for()

    assert "Écrit avant de quitter l'équipe." in refused.text_content()
    assert "Refusée par le serveur" in refused.text_content()
    assert "Page introuvable" in refused.locator(".journal-entry__message").text_content()
    assert ProgressEntry.objects.count() == 0
    assert serious_violations(page) == []


def test_background_sync_sends_an_entry_once_the_page_is_closed(live_server, launch, world):
    case = world["case"]
    context, page = launch()
    log_in(context, live_server, world["user"])
    keep_for_offline(page, live_server, "/mes-cas/", case.get_absolute_url(), case.get_absolute_url() + "journal/nouveau/")
    context.set_offline(True)
    write_entry(page, live_server, case, "Écrit à l'arrêt de bus, page fermée ensuite.")
    page.goto("about:blank")  # no page of Transfo open: only the worker can send it
    waited_offline = ProgressEntry.objects.count()
    context.set_offline(False)
    for _attempt in range(100):
        if ProgressEntry.objects.exists():
            break
        time.sleep(0.2)

    assert waited_offline == 0
    assert list(ProgressEntry.objects.values_list("done", flat=True)) == ["Écrit à l'arrêt de bus, page fermée ensuite."]
