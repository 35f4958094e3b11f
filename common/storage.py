"""Uploads in an S3-compatible bucket, when the operator gives one; the local disk otherwise.

One bucket holds every upload under the names the models give (journal/…, sessions/…, images/…).
Public names (common.media: Wagtail images and renditions, logos; plus the open-data bundle,
which anyone may download) get a public-read ACL and an unsigned address, the bucket's own or a
CDN's in front of it (S3_PUBLIC_URL). Every other name is private: no ACL, and its address is a
signed URL that lives a few minutes. The views that check who asks stream private files through
the storage and never hand out their address.

Settings (environment), either one URL::

    STORAGE_URL=s3://KEY:SECRET@s3.fr-par.scw.cloud/transfo-media?region=fr-par
    (s3+http:// for an endpoint without TLS, such as a MinIO next to the app)

or the separate values S3_ENDPOINT_URL (empty for Amazon S3), S3_BUCKET, S3_REGION,
S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY; with either, optionally S3_PUBLIC_URL (a CDN),
S3_PUBLIC_ACL (public-read; empty when a bucket policy makes the public folders readable)
and S3_SIGNED_URL_SECONDS (300).
"""
import os
import posixpath
import tempfile
from urllib.parse import parse_qs, quote, unquote, urlsplit

from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured
from botocore.exceptions import ClientError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from .media import is_public_media

BACKEND = "common.storage.BucketStorage"
OPEN_DATA_FOLDER = "opendata/"
SIGNED_URL_SECONDS = 300
S3_VARIABLES = ("S3_ENDPOINT_URL", "S3_BUCKET", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")
S3_REQUIRED = ("S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")


def is_public_in_bucket(name: str) -> bool:
    """Whether anyone may read this object without asking the site: public media, open data."""
    if is_public_media(name):
        return True
    normalised = posixpath.normpath(name).lstrip("/")
    return normalised == name and ".." not in name.split("/") and name.startswith(OPEN_DATA_FOLDER)


class BucketStorage(S3Storage):
    """django-storages' S3 storage, with public and private names told apart.

    Uploads never overwrite each other (a second « photo.jpg » gets another name, as on disk);
    ``replace`` overwrites on purpose (the open-data bundle), in one PUT: a reader gets the old
    object or the new one, never half of it.
    """

    def __init__(self, *, public_url="", public_acl="public-read", signed_url_seconds=SIGNED_URL_SECONDS, **options):
        options.setdefault("file_overwrite", False)
        options.setdefault("querystring_expire", signed_url_seconds)
        options.setdefault("signature_version", "s3v4")
        options.setdefault("addressing_style", "path")
        # A bucket that does not answer fails a request within seconds, not after a minute of retries.
        options.setdefault("client_config", Config(
            signature_version="s3v4", s3={"addressing_style": "path"},
            connect_timeout=5, read_timeout=30, retries={"max_attempts": 2, "mode": "standard"},
        ))
        super().__init__(**options)
        self.public_url = public_url
        self.public_acl = public_acl

    def public_base_url(self) -> str:
        return public_base_url(self.public_url, self.endpoint_url, self.bucket_name, self.region_name)

    def url(self, name, parameters=None, expire=None, http_method=None):
        if is_public_in_bucket(name) and not parameters:
            return self.public_base_url() + quote(self._normalize_name(name))
        return super().url(name, parameters=parameters, expire=expire, http_method=http_method)

    def get_object_parameters(self, name):
        parameters = super().get_object_parameters(name)
        if self.public_acl and is_public_in_bucket(name.removeprefix(self.location).lstrip("/")):
            parameters["ACL"] = self.public_acl
        return parameters

    def replace(self, name, content, metadata=None) -> str:
        """Put ``content`` under ``name`` over any object there, with a few words of ``metadata``."""
        name = self._normalize_name(clean_name(name))
        parameters = self._get_write_parameters(name, content)
        if metadata:
            parameters["Metadata"] = metadata
        content.seek(0)
        self.bucket.Object(name).upload_fileobj(content, ExtraArgs=parameters, Config=self.transfer_config)
        return name

    def metadata(self, name) -> dict:
        """The metadata ``replace`` kept with the object; empty when there is no object."""
        try:
            head = self.connection.meta.client.head_object(Bucket=self.bucket_name,
                                                           Key=self._normalize_name(clean_name(name)))
        except ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                return {}
            raise
        return head.get("Metadata", {})


def public_base_url(public_url, endpoint_url, bucket_name, region_name) -> str:
    """Where the public objects are read: the CDN, else the endpoint's path to the bucket."""
    if public_url:
        return public_url.rstrip("/") + "/"
    if endpoint_url:
        return f"{endpoint_url.rstrip('/')}/{bucket_name}/"
    return f"https://{bucket_name}.s3.{region_name or 'us-east-1'}.amazonaws.com/"


def public_origin(storage_options: dict) -> str:
    """The origin the pages load public images from (for the Content-Security-Policy)."""
    parts = urlsplit(public_base_url(storage_options.get("public_url"), storage_options.get("endpoint_url"),
                                     storage_options["bucket_name"], storage_options.get("region_name")))
    return f"{parts.scheme}://{parts.netloc}"


def _error(message_fr: str, message_en: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{message_fr} / {message_en}")


def _from_url(url: str) -> dict:
    parts = urlsplit(url)
    schemes = {"s3": "https", "s3+https": "https", "s3+http": "http"}
    if parts.scheme not in schemes:
        raise _error("STORAGE_URL doit commencer par s3:// ou s3+http://",
                     "STORAGE_URL must start with s3:// or s3+http://")
    bucket = parts.path.strip("/")
    if not (bucket and parts.username and parts.password):
        raise _error("STORAGE_URL doit donner les clés et le bucket : s3://CLÉ:SECRET@hôte/bucket",
                     "STORAGE_URL must give the keys and the bucket: s3://KEY:SECRET@host/bucket")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return {
        "endpoint_url": f"{schemes[parts.scheme]}://{parts.hostname}{f':{parts.port}' if parts.port else ''}"
        if parts.hostname and parts.hostname != "s3.amazonaws.com" else None,
        "bucket_name": bucket,
        "region_name": query.get("region") or None,
        "access_key": unquote(parts.username),
        "secret_key": unquote(parts.password),
    }


def storage_settings(env) -> dict | None:
    """STORAGES["default"] for the bucket the environment names, or None (the local disk).

    Half-given settings stop the start: files silently written to the local disk of one
    machine would be missing on every other.
    """
    url = env.str("STORAGE_URL", default="")
    given = {name: env.str(name, default="") for name in S3_VARIABLES}
    if url and any(given.values()):
        raise _error("Donnez STORAGE_URL ou les variables S3_*, pas les deux",
                     "Give STORAGE_URL or the S3_* variables, not both")
    if url:
        options = _from_url(url)
    elif any(given.values()):
        missing = [name for name in S3_REQUIRED if not given[name]]
        if missing:
            raise _error(f"Stockage S3 incomplet, il manque : {', '.join(missing)}",
                         f"Incomplete S3 storage, missing: {', '.join(missing)}")
        options = {
            "endpoint_url": given["S3_ENDPOINT_URL"] or None,
            "bucket_name": given["S3_BUCKET"],
            "region_name": given["S3_REGION"] or None,
            "access_key": given["S3_ACCESS_KEY_ID"],
            "secret_key": given["S3_SECRET_ACCESS_KEY"],
        }
    else:
        return None
    seconds = env.int("S3_SIGNED_URL_SECONDS", default=SIGNED_URL_SECONDS)
    if not 1 <= seconds <= 7 * 24 * 3600:
        raise _error("S3_SIGNED_URL_SECONDS doit être entre 1 et 604800",
                     "S3_SIGNED_URL_SECONDS must be between 1 and 604800")
    options.update(
        public_url=env.str("S3_PUBLIC_URL", default=""),
        public_acl=env.str("S3_PUBLIC_ACL", default="public-read"),
        signed_url_seconds=seconds,
    )
    return {"BACKEND": BACKEND, "OPTIONS": options}


def replace_file(storage, name: str, content, metadata=None) -> None:
    """Write ``content`` under ``name``, over the file already there, all at once.

    On disk: a temporary file in the same folder renamed over the old one; in a bucket: one PUT,
    which also keeps ``metadata`` (the disk keeps none). Either way a reader gets the old file or
    the new one.
    """
    if isinstance(storage, BucketStorage):
        storage.replace(name, content, metadata)
        return
    target = storage.path(name)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".building-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            content.seek(0)
            while chunk := content.read(1024 * 1024):
                handle.write(chunk)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def public_media_base(storage) -> str | None:
    """The address public files are linked at when they live in a bucket; None on disk (MEDIA_URL)."""
    return storage.public_base_url() if isinstance(storage, BucketStorage) else None


def stored_metadata(storage, name: str) -> dict | None:
    """What ``replace_file`` kept with a file in a bucket; None when the storage keeps nothing (disk)."""
    return storage.metadata(name) if isinstance(storage, BucketStorage) else None


def walk(storage, folder: str = "") -> list[str]:
    """Every file's name in the storage (or under ``folder``), sorted: the disk's and the bucket's alike."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    prefix = f"{folder.rstrip('/')}/" if folder else ""
    names = [prefix + name for name in files]
    for child in folders:
        names += walk(storage, prefix + child)
    return sorted(names)
