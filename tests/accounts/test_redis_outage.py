"""A real Redis server stopped under a logged-in person: login, pages and logout keep working."""
import shutil
import socket
import subprocess
import time

import pytest
from allauth.account.models import EmailAddress

from ..factories import make_user

pytestmark = [pytest.mark.services, pytest.mark.django_db]

PASSWORD = "un-mot-de-passe-solide"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_redis(settings, tmp_path):
    """A Redis server of this test alone, so stopping it disturbs no other test."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("needs redis-server (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    settings.CACHES = {
        "default": {
            "BACKEND": "common.redis_cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield process
    process.kill()
    process.wait()


def test_login_page_and_logout_work_after_redis_stops(client, own_redis):
    user = make_user(password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    assert client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code == 302

    own_redis.terminate()
    own_redis.wait(timeout=10)

    assert client.get("/labs/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/labs/").status_code == 302
    assert client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code == 302
    assert client.get("/labs/").status_code == 200
