"""A real S3 API for the tests: moto's threaded server on a free loopback port, one new bucket a test.

Never a mock of the storage class: django-storages and boto3 talk HTTP to the server as they
would to a provider. Runs in both passes (moto is a Python package, always installed).
"""
import urllib.error
import urllib.request
import uuid

import boto3
import environ
import pytest
from moto.server import ThreadedMotoServer

from common.storage import storage_settings

KEY, SECRET, REGION = "transfo-test-key", "transfo-test-secret", "eu-west-3"
SIGNED_URL_SECONDS = 60


@pytest.fixture(scope="session")
def moto_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=KEY, aws_secret_access_key=SECRET,
                        region_name=REGION)


def new_bucket(endpoint) -> str:
    name = f"transfo-media-{uuid.uuid4().hex[:10]}"
    s3_client(endpoint).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


def storage_url(endpoint, bucket) -> str:
    return f"s3+http://{KEY}:{SECRET}@{endpoint.removeprefix('http://')}/{bucket}?region={REGION}"


@pytest.fixture
def bucket(moto_endpoint, settings, monkeypatch, tmp_path):
    """The uploads go to a new bucket, configured as an operator would (STORAGE_URL)."""
    name = new_bucket(moto_endpoint)
    monkeypatch.setenv("STORAGE_URL", storage_url(moto_endpoint, name))
    monkeypatch.setenv("S3_SIGNED_URL_SECONDS", str(SIGNED_URL_SECONDS))
    settings.STORAGES = {**settings.STORAGES, "default": storage_settings(environ.Env())}
    # Nothing may land on the local disk: an empty folder that the tests check stays empty.
    settings.MEDIA_ROOT = str(tmp_path / "local-disk")
    return name


def objects(endpoint, bucket) -> list[str]:
    listed = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", ()))


def anonymous_get(url) -> tuple[int, bytes]:
    """A GET without any credential, as a visitor's browser would send it."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""
