"""Two web processes with different local disks and one bucket, then the bucket away for a while.

Promise: with the uploads in an S3-compatible bucket (moto's server, a real S3 API), a photo
posted through one web process is shown, thumbnailed and downloaded through the other, and
neither process's own disk holds it. While the bucket does not answer, an upload gets the clear
503 page and saves nothing (no row pointing to a missing file), and the pages and posts that touch
no file keep working; once it is back, uploads work again.
"""
import http.client
import io
import uuid

import boto3
from moto.server import ThreadedMotoServer
from PIL import Image

from . import scenario
from .client import Browser, Recorder
from .stack import free_port, port_answers, wait_for

KEY, SECRET, REGION = "faults-key", "faults-secret", "eu-west-3"


def jpeg() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (1200, 900), (30, 140, 90)).save(output, format="JPEG")
    return output.getvalue()


def raw_get(browser: Browser, path: str) -> tuple[int, str, bytes]:
    """A GET with the person's cookies, keeping the body's bytes (Browser decodes it as text)."""
    connection = http.client.HTTPConnection("127.0.0.1", browser.port, timeout=30)
    try:
        connection.request("GET", path, headers={
            "Host": f"127.0.0.1:{browser.port}", "X-Forwarded-Proto": "https", "X-Forwarded-For": browser.address,
            "Cookie": "; ".join(f"{name}={value}" for name, value in browser.cookies.items()),
        })
        answer = connection.getresponse()
        return answer.status, answer.getheader("Content-Type", ""), answer.read()
    finally:
        connection.close()


def through(browser: Browser, port: int) -> Browser:
    other = Browser(port)
    other.cookies = browser.cookies
    other.address = browser.address
    return other


def files_on(disk) -> list[str]:
    return sorted(str(path.relative_to(disk)) for path in disk.rglob("*") if path.is_file())


def start_s3(port: int) -> ThreadedMotoServer:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    wait_for(lambda: port_answers(port), timeout=10, what="the S3 server")
    return server


def test_two_web_processes_with_their_own_disks_share_one_bucket(make_app, database, seed, tmp_path):
    s3_port = free_port()
    server = start_s3(s3_port)
    endpoint = f"http://127.0.0.1:{s3_port}"
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=KEY, aws_secret_access_key=SECRET, region_name=REGION)
    bucket = f"transfo-media-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    try:
        app = make_app(STORAGE_URL=f"s3+http://{KEY}:{SECRET}@127.0.0.1:{s3_port}/{bucket}?region={REGION}")
        disks = [tmp_path / "disk-web1", tmp_path / "disk-web2"]
        for name, disk in zip(("web1", "web2"), disks):
            disk.mkdir()
            app.spawn_web(name, env={"DJANGO_MEDIA_ROOT": str(disk)})
        app.wait_ready()
        ports = [app.ports["web1"], app.ports["web2"]]
        site = scenario.Site(seed)
        recorder = Recorder()
        person = Browser(ports[0])
        assert scenario.log_in(person, site, recorder, 0, seed["emails"][0])
        other = through(person, ports[1])

        # A photo posted through web1, read through web2.
        photo = [("files", "atelier.jpg", jpeg(), "image/jpeg")]
        _text, _response, posted = scenario.write_entry(person, site, recorder, 0, files=photo)
        (pk, name), = database.rows("SELECT id, file FROM cases_attachment ORDER BY id DESC LIMIT 1")
        keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", ()))
        (thumbnail,) = [key for key in keys if key != name]
        page = other.get(site.case)
        full = raw_get(other, f"{site.case}pieces/{pk}/")
        small = raw_get(other, f"{site.case}pieces/{pk}/vignette/")
        stored = s3.get_object(Bucket=bucket, Key=name)["Body"].read()
        stored_thumbnail = s3.get_object(Bucket=bucket, Key=thumbnail)["Body"].read()
        shared = (posted and page.status == 200 and f"pieces/{pk}/vignette/" in page.body
                  and full == (200, "image/jpeg", stored) and small[:2] == (200, "image/jpeg")
                  and small[2] == stored_thumbnail and len(stored_thumbnail) < len(stored))
        local_files = [files_on(disk) for disk in disks]

        # The bucket away: an upload is refused with the clear page, nothing else stops.
        server.stop()
        counts = database.rows("SELECT (SELECT count(*) FROM cases_progressentry), (SELECT count(*) FROM cases_attachment)")[0]
        _text, refused, _ok = scenario.write_entry(other, site, recorder, 1, files=photo)
        after_refusal = database.rows("SELECT (SELECT count(*) FROM cases_progressentry), (SELECT count(*) FROM cases_attachment)")[0]
        _text, _response, text_only = scenario.write_entry(person, site, recorder, 0)
        pages = [browser.get(path).status for browser in (person, other) for path in (site.case, site.session, site.home)]
        after_text = database.rows("SELECT (SELECT count(*) FROM cases_progressentry), (SELECT count(*) FROM cases_attachment)")[0]

        # Back: uploads work again, and every attachment's row names an object that is there.
        server = start_s3(s3_port)
        _text, _response, posted_again = scenario.write_entry(other, site, recorder, 1, files=photo)
        names = [row[0] for row in database.rows("SELECT file FROM cases_attachment WHERE file <> ''")]
        keys = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", ())}
        missing = [each for each in names if each not in keys]

        print(f"\n[bucket] two gunicorn processes, each with its own MEDIA_ROOT, one bucket (moto on port {s3_port}).")
        print(f"[bucket] photo posted through web1: {posted}; through web2 the case page shows it, the photo "
              f"({full[0]}, {len(full[2])} bytes) and its thumbnail ({small[0]}, {len(small[2])} bytes) equal the "
              f"bucket's objects: {shared}; files on the local disks: {local_files}")
        print(f"[bucket] bucket stopped: the upload answered {refused.status} (clear page: "
              f"{'Le stockage des fichiers ne répond pas' in refused.body}); rows (entries, attachments) "
              f"{counts} → {after_refusal}; an entry without file saved: {text_only} → {after_text}; "
              f"pages without files answered {pages}")
        print(f"[bucket] bucket back: upload saved {posted_again}; attachment rows naming a missing object: {missing or 'none'}")

        assert shared and local_files == [[], []]
        assert refused.status == 503 and "Rien n'a été enregistré" in refused.body
        assert after_refusal == counts
        assert text_only and after_text == (counts[0] + 1, counts[1])
        assert pages == [200] * 6
        assert posted_again and missing == []
    finally:
        server.stop()
