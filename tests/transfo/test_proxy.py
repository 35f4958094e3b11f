"""The shipped reverse proxy: what it serves, what it refuses, what it tells the application.

Reads deploy/nginx/transfo.conf and docker-compose.yml; where Debian's nginx is installed
(apt-get install nginx-light), checks the file with `nginx -t` and runs it in front of the
application to see the forwarded address and the media folders as a visitor would.
"""
import datetime
import http.client
import logging
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from common.media import PUBLIC_MEDIA_FOLDERS

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "nginx" / "transfo.conf"
COMPOSE = ROOT / "docker-compose.yml"
PRIVATE_PATHS = [
    "/media/journal/2026/03/compte-rendu.pdf",
    "/media/sessions/2026/03/atelier.jpg",
    "/media/ambassadors/camille.jpg",
    "/media/documents/programme.pdf",
    "/media/opendata/documentation-transfo.zip",
    "/media/images/../journal/2026/03/compte-rendu.pdf",
    "/media/%6aournal/2026/03/compte-rendu.pdf",
]
VISITOR = "127.0.0.3"
FORGED = "198.51.100.7"
LOCATION = re.compile(r"location\s+(?:(\^~|=|~\*|~)\s+)?(\S+)\s*\{([^{}]*)\}")


def config_text():
    return "\n".join(line.split("#", 1)[0] for line in CONFIG.read_text().splitlines())


def https_server():
    """The server block that answers visitors (the other one only sends them to HTTPS)."""
    text = config_text()
    for start in [match.start() for match in re.finditer(r"\bserver\s*\{", text)]:
        depth, end = 0, start
        for end in range(text.index("{", start), len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                break
        block = text[start:end + 1]
        if re.search(r"listen\s+443\s+ssl", block):
            return block
    raise AssertionError("no server listens on 443")


def locations():
    return [(modifier or "", prefix, body) for modifier, prefix, body in LOCATION.findall(https_server())]


def location_for(path):
    """nginx's choice among prefix locations: the longest that matches (there are no regex ones)."""
    matching = [(prefix, body) for modifier, prefix, body in locations() if path.startswith(prefix)]
    return max(matching, key=lambda match: len(match[0]))


def directives(body):
    return [" ".join(statement.split()) for statement in body.split(";") if statement.strip()]


# --- The file as written --------------------------------------------------------


def test_the_proxy_serves_exactly_the_public_media_folders_from_the_volume():
    assert not [prefix for modifier, prefix, _ in locations() if modifier.startswith("~")], "no regex locations"
    served = {prefix for _, prefix, body in locations() if "root /srv" in directives(body)}

    assert served == {f"/media/{folder}" for folder in PUBLIC_MEDIA_FOLDERS}


@pytest.mark.parametrize("path", PRIVATE_PATHS[:5])
def test_the_proxy_refuses_every_private_media_folder(path):
    prefix, body = location_for(path)

    assert prefix == "/media/"
    assert directives(body) == ["return 404"]


def test_the_proxy_forwards_the_host_the_client_address_and_the_scheme():
    prefix, body = location_for("/labs/")
    forwarded = directives(body)

    assert prefix == "/"
    assert "proxy_pass http://transfo_web" in forwarded
    assert "proxy_set_header Host $host" in forwarded
    # Replaced, not appended to: what the client typed in the header never reaches the application.
    assert "proxy_set_header X-Forwarded-For $remote_addr" in forwarded
    assert "proxy_set_header X-Forwarded-Proto $scheme" in forwarded


def test_compose_publishes_only_the_proxy_and_web_trusts_only_its_network():
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    edge_subnet = compose["networks"]["edge"]["ipam"]["config"][0]["subnet"]

    assert [name for name, service in services.items() if service.get("ports")] == ["proxy"]
    assert services["proxy"]["networks"] == ["edge"]
    assert set(services["web"]["networks"]) == {"default", "edge"}
    assert [name for name, service in services.items() if "edge" in service.get("networks", [])] == ["proxy", "web"]
    assert services["web"]["environment"]["DJANGO_TRUSTED_PROXIES"] == edge_subnet
    volumes = services["proxy"]["volumes"]
    assert "./deploy/nginx/transfo.conf:/etc/nginx/conf.d/default.conf:ro" in volumes
    assert "media:/srv/media:ro" in volumes
    assert "media:/srv/media" in services["web"]["volumes"]


# --- The file run by nginx -------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def self_signed_certificate(folder):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "fullchain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def nginx_config(folder, *, upstream, media_parent, http_port, https_port):
    """The shipped file with only what differs on this machine: ports, upstream, paths."""
    certificates = folder / "certs"
    certificates.mkdir()
    self_signed_certificate(certificates)
    server = (
        config_text()
        .replace("server web:8000;", f"server {upstream};")
        .replace("listen 80;", f"listen 127.0.0.1:{http_port};").replace("listen [::]:80;", "")
        .replace("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;").replace("listen [::]:443 ssl;", "")
        .replace("/etc/nginx/certs/", f"{certificates}/")
        .replace("root /srv;", f"root {media_parent};")
    )
    (folder / "transfo.conf").write_text(server)
    main = folder / "nginx.conf"
    # Started as root, nginx's workers would run as nobody, who cannot read the test's folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    main.write_text(
        f"{user}daemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n"
        + "".join(f"  {kind}_temp_path {folder}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  include {folder}/transfo.conf;\n}}\n"
    )
    return main


@pytest.fixture
def nginx_binary():
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        pytest.skip("needs Debian's nginx (apt-get install nginx-light)")
    return binary


def test_nginx_accepts_the_shipped_config(nginx_binary, tmp_path):
    main = nginx_config(tmp_path, upstream="127.0.0.1:9", media_parent=tmp_path, http_port=free_port(), https_port=free_port())

    result = subprocess.run([nginx_binary, "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


@pytest.fixture
def nginx_in_front(nginx_binary, live_server, tmp_path, settings):
    """nginx with the shipped config, in front of the application, trusted as production trusts it."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    media_parent = tmp_path / "srv"
    settings.MEDIA_ROOT = str(media_parent / "media")
    for name in ("images/atelier.width-800.png", *[path.removeprefix("/media/") for path in PRIVATE_PATHS[:5]]):
        (media_parent / "media" / name).parent.mkdir(parents=True, exist_ok=True)
        (media_parent / "media" / name).write_bytes(b"public" if name.startswith("images/") else b"private")
    https_port = free_port()
    upstream = live_server.url.removeprefix("http://")
    main = nginx_config(tmp_path, upstream=upstream, media_parent=media_parent, http_port=free_port(), https_port=https_port)
    process = subprocess.Popen([nginx_binary, "-p", str(tmp_path), "-c", str(main)], stderr=subprocess.DEVNULL)
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield https_port
    process.terminate()
    process.wait(timeout=10)


def through_nginx(port, method, path, *, body=None, headers=None):
    """A visitor at another loopback address than nginx's own, over HTTPS, as a browser comes."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, source_address=(VISITOR, 0), timeout=10)
    connection.request(method, path, body=body, headers={"Host": "localhost", **(headers or {})})
    response = connection.getresponse()
    return response.status, response.read(), response.headers


class AuditLines(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.INFO)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def audit():
    handler = AuditLines()
    logger = logging.getLogger("transfo.audit")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


@pytest.mark.django_db(transaction=True)
def test_through_nginx_the_application_sees_the_visitor_over_https_whatever_the_headers_say(nginx_in_front, audit):
    from axes.models import AccessAttempt

    forged = {"X-Forwarded-For": FORGED, "X-Forwarded-Proto": "http"}
    status, page, headers = through_nginx(nginx_in_front, "GET", "/accounts/login/", headers=forged)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    cookie = headers["Set-Cookie"].split(";")[0]
    through_nginx(
        nginx_in_front, "POST", "/accounts/login/",
        body=f"csrfmiddlewaretoken={token}&login=camille%40ville.example&password=faux",
        headers={**forged, "Cookie": cookie, "Origin": "https://localhost",
                 "Content-Type": "application/x-www-form-urlencoded"},
    )

    # No redirect to https: nginx said the visit is over https, whatever the client claimed.
    assert status == 200
    assert [line for line in audit if line.startswith("event=login_failed ")] == [
        f"event=login_failed login=camille@ville.example ip={VISITOR}"
    ]
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [VISITOR]
    assert not [line for line in audit if FORGED in line]


@pytest.mark.django_db(transaction=True)
def test_through_nginx_public_media_is_served_and_private_media_is_not(nginx_in_front):
    public_status, public_body, _ = through_nginx(nginx_in_front, "GET", "/media/images/atelier.width-800.png")
    private = [through_nginx(nginx_in_front, "GET", path) for path in PRIVATE_PATHS]

    assert (public_status, public_body) == (200, b"public")
    assert [status for status, _, _ in private] == [404] * len(PRIVATE_PATHS)
    assert not [body for _, body, _ in private if b"private" in body]
