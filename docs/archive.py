"""A static copy of the public site that works offline: HTML pages, CSS, images, renditions, documents.

The site is crawled as an anonymous visitor would see it, through Django's test client (the real
URLs, middleware and templates, without a server): from the home page and every page of the
sitemap, following internal links. A page that answers anything but a page to an anonymous
visitor (a login redirect, a 404) is not copied, nor are the admin, the accounts and the API; links
to them point to the online site instead. A Lab's public items (a public case, a public session)
are copied like any page an anonymous visitor may open. Internal links are rewritten to
relative file paths (``/documentation/x/`` becomes ``documentation/x/index.html`` relative to the
page holding the link), static files are copied from where the staticfiles finders (or the
collected storage) find them, media files from the media storage.
"""
import html
import logging
import mimetypes
import posixpath
import re
import zipfile
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import default_storage
from django.http.request import validate_host
from django.test import Client
from django.utils import translation
from wagtail.models import Site

from common.public_url import public_base_url
from common.storage import public_media_base

from .sitemaps import ADMIN_PREFIXES, PagesSitemap

logger = logging.getLogger("transfo.archive")

# href="…", src='…', action=…, poster=… (not data-href): the links a page follows or loads.
LINK_ATTRIBUTE = re.compile(
    r"(?P<prefix>(?<![\w-])(?:href|src|action|poster)\s*=\s*)(?P<quote>[\"'])(?P<value>.*?)(?P=quote)",
    re.IGNORECASE | re.DOTALL,
)
SRCSET_ATTRIBUTE = re.compile(
    r"(?P<prefix>(?<![\w-])srcset\s*=\s*)(?P<quote>[\"'])(?P<value>.*?)(?P=quote)", re.IGNORECASE | re.DOTALL
)
CSS_URL = re.compile(r"url\(\s*(?P<quote>[\"']?)(?P<value>[^\"')]+)(?P=quote)\s*\)")
CSS_IMPORT = re.compile(r"@import\s+(?P<quote>[\"'])(?P<value>[^\"']+)(?P=quote)")
NOT_FOLLOWED = ("mailto:", "tel:", "data:", "javascript:", "#")
EXTENSIONS = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/rss+xml": ".xml",
    "application/atom+xml": ".xml",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "application/json": ".json",
    "text/plain": ".txt",
    "text/css": ".css",
}
REDIRECTS = {301, 302, 303, 307, 308}
# Never fetched, with the admins and the API: the pages of one's account (sign-in, profile, invitations).
ACCOUNT_PREFIXES = ["/accounts/", "/compte/", "/invitations/"]
MAX_URLS = 20000


class DirectoryWriter:
    """Writes the archive's files under a folder."""

    def __init__(self, root):
        self.root = Path(root)

    def write(self, name, content):
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)

    def close(self):
        pass


class ZipWriter:
    """Writes the archive's files into a zip, in the order they come."""

    def __init__(self, path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)

    def write(self, name, content):
        self.zip.writestr(name, content)

    def close(self):
        self.zip.close()


@dataclass
class ArchiveResult:
    files: list = field(default_factory=list)
    pages: int = 0
    # URLs linked from the archive but left online (private, not found, or not a page).
    online: list = field(default_factory=list)
    # URLs that answered with a server error: the archive is incomplete.
    errors: list = field(default_factory=list)


def is_skipped(path):
    """Paths the archive never fetches, in every language."""
    prefixes = [*ADMIN_PREFIXES, "/api/", *ACCOUNT_PREFIXES]
    prefixes += [f"/{code}{prefix}" for code, _name in settings.LANGUAGES for prefix in ACCOUNT_PREFIXES]
    return path.startswith(tuple(prefixes))


def file_name_for(key, content_type):
    """The archive file of a URL: ``/a/b/`` → ``a/b/index.html``, ``/a/b.pdf`` → ``a/b.pdf``.

    A query string becomes part of the name (``/a/?page=2`` → ``a/index-page-2.html``): offline
    there is no server to read it.
    """
    parts = urlsplit(key)
    path = posixpath.normpath(unquote(parts.path)).lstrip("/") if parts.path not in ("", "/") else ""
    if path.startswith("..") or "/../" in f"/{path}/":
        raise ValueError(f"unsafe path: {key}")
    suffix = re.sub(r"[^A-Za-z0-9]+", "-", parts.query).strip("-")
    extension = EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type or "") or ""
    stem, ext = posixpath.splitext(posixpath.basename(path))
    if path and ext and not parts.path.endswith("/"):
        if suffix:
            return posixpath.join(posixpath.dirname(path), f"{stem}-{suffix}{ext}")
        return path
    name = f"index-{suffix}{extension}" if suffix else f"index{extension}"
    return posixpath.join(path, name) if path else name


class SiteArchiver:
    """Crawls the public site and writes it, links rewritten, with a writer."""

    def __init__(self, *, base_url=None):
        site = Site.objects.filter(is_default_site=True).first()
        self.base_url = (base_url or public_base_url()).rstrip("/")
        allowed = [h for h in settings.ALLOWED_HOSTS if h and not h.startswith(".") and h != "*"]
        candidates = [site.hostname] if site else []
        candidates += allowed + ["localhost"]
        self.host = next(h for h in candidates if validate_host(h, settings.ALLOWED_HOSTS) or h == "localhost")
        self.own_hosts = {self.host, urlsplit(self.base_url).hostname, "testserver"} | set(allowed)
        if site:
            self.own_hosts.add(site.hostname)
        self.client = Client(HTTP_HOST=self.host, raise_request_exception=False)
        self.secure = bool(getattr(settings, "SECURE_SSL_REDIRECT", False))
        self.bucket_url = public_media_base(default_storage)
        # URL key → archive file name, or None when the URL stays online.
        self.files = {}
        # URL key → URL key it redirects to.
        self.redirects = {}
        # URL key → (file name, text) of pages and style sheets, rewritten once everything is known.
        self.texts = {}

    # --- URLs ---------------------------------------------------------------

    def key_for(self, link, base_key):
        """The internal URL (path and query, no fragment) a link points to, or None if external."""
        link = link.strip()
        if not link or link.lower().startswith(NOT_FOLLOWED):
            return None
        if self.bucket_url and link.startswith(self.bucket_url):
            # A public file in the bucket (or its CDN): copied from the media storage like one on disk.
            link = settings.MEDIA_URL + link[len(self.bucket_url):]
        absolute = urljoin(f"http://{self.host}{base_key}", urldefrag(link)[0])
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or parts.hostname not in self.own_hosts:
            return None
        # One key per address, whether a link spells « é » or « %C3%A9 ».
        path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~")
        return path + (f"?{parts.query}" if parts.query else "")

    def file_for(self, key, seen=None):
        """The archive file a URL ends up at, following redirects; None if it stays online."""
        seen = seen or set()
        while key in self.redirects and key not in seen:
            seen.add(key)
            key = self.redirects[key]
        return self.files.get(key)

    # --- Crawling -----------------------------------------------------------

    def seeds(self):
        keys = ["/"]
        with translation.override(settings.LANGUAGE_CODE):
            sitemap = PagesSitemap()
            keys += [sitemap.location(page) for page in sitemap.items()]
        return keys

    def crawl(self, writer, result):
        queue = deque(self.seeds())
        queued = set(queue)

        def follow(links, base_key):
            for link in links:
                key = self.key_for(link, base_key)
                if key is not None and key not in queued and len(queued) < MAX_URLS:
                    queued.add(key)
                    queue.append(key)

        while queue:
            key = queue.popleft()
            follow(self.visit(key, writer, result), key)

    def visit(self, key, writer, result):
        """Fetch one URL, store what is archived; return the links found in it."""
        path = urlsplit(key).path
        if is_skipped(path):
            self.files[key] = None
            return []
        if path.startswith(settings.STATIC_URL):
            return self.copy_file(key, unquote(path[len(settings.STATIC_URL):]), self.open_static, writer, result)
        if path.startswith(settings.MEDIA_URL):
            return self.copy_file(key, unquote(path[len(settings.MEDIA_URL):]), default_storage.open, writer, result)
        response = self.client.get(key, secure=self.secure)
        # Reading a streamed body to its end lets the test client close it (files included).
        # Closing it again here would fire request_finished, which drops the caller's database
        # connection when the crawl runs inside a transaction.
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code in REDIRECTS:
            target = self.key_for(response["Location"], key)
            if target is None:
                self.files[key] = None
                return []
            self.redirects[key] = target
            return [target]
        if response.status_code != 200:
            self.files[key] = None
            (result.errors if response.status_code >= 500 else result.online).append(key)
            return []
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        name = file_name_for(key, content_type)
        self.files[key] = name
        if content_type in ("text/html", "text/css"):
            text = content.decode(response.charset or "utf-8")
            self.texts[key] = (name, text)
            if content_type == "text/html":
                result.pages += 1
                return self.links_in_html(text)
            return self.links_in_css(text)
        writer.write(name, content)
        result.files.append(name)
        return []

    def open_static(self, name):
        found = finders.find(name)
        if found:
            return open(found, "rb")
        return staticfiles_storage.open(name)

    def copy_file(self, key, name, opener, writer, result):
        try:
            with opener(name) as source:
                content = source.read()
        except (FileNotFoundError, OSError, ValueError):
            # ValueError: a storage refusing a path outside its root.
            self.files[key] = None
            result.online.append(key)
            return []
        archived = file_name_for(urlsplit(key).path, mimetypes.guess_type(name)[0] or "")
        self.files[key] = archived
        if archived.endswith(".css"):
            text = content.decode("utf-8")
            self.texts[key] = (archived, text)
            return self.links_in_css(text)
        writer.write(archived, content)
        result.files.append(archived)
        return []

    @staticmethod
    def links_in_html(text):
        links = [html.unescape(match["value"]) for match in LINK_ATTRIBUTE.finditer(text)]
        for match in SRCSET_ATTRIBUTE.finditer(text):
            links += [candidate.split()[0] for candidate in html.unescape(match["value"]).split(",") if candidate.strip()]
        return links

    @staticmethod
    def links_in_css(text):
        return [match["value"] for pattern in (CSS_URL, CSS_IMPORT) for match in pattern.finditer(text)]

    # --- Rewriting ----------------------------------------------------------

    def rewrite_link(self, link, key, own_file):
        """A link as the archived file at ``own_file`` must write it."""
        key_target = self.key_for(link, key)
        if key_target is None:
            return link
        fragment = urldefrag(link.strip())[1]
        anchor = f"#{fragment}" if fragment else ""
        target = self.file_for(key_target)
        if target is None:
            return f"{self.base_url}{key_target}{anchor}"
        relative = posixpath.relpath(target, posixpath.dirname(own_file) or ".")
        return quote(relative, safe="/-._~") + anchor

    def rewrite_html(self, text, key, own_file):
        def attribute(match):
            value = self.rewrite_link(html.unescape(match["value"]), key, own_file)
            return f"{match['prefix']}{match['quote']}{html.escape(value)}{match['quote']}"

        def srcset(match):
            candidates = []
            for candidate in html.unescape(match["value"]).split(","):
                if candidate.strip():
                    url, *descriptor = candidate.split()
                    candidates.append(" ".join([self.rewrite_link(url, key, own_file), *descriptor]))
            return f"{match['prefix']}{match['quote']}{html.escape(', '.join(candidates))}{match['quote']}"

        return SRCSET_ATTRIBUTE.sub(srcset, LINK_ATTRIBUTE.sub(attribute, text))

    def rewrite_css(self, text, key, own_file):
        def url(match):
            return f"url({match['quote']}{self.rewrite_link(match['value'], key, own_file)}{match['quote']})"

        def imported(match):
            return f"@import {match['quote']}{self.rewrite_link(match['value'], key, own_file)}{match['quote']}"

        return CSS_IMPORT.sub(imported, CSS_URL.sub(url, text))

    def archive(self, writer):
        result = ArchiveResult()
        self.crawl(writer, result)
        for key, (name, text) in sorted(self.texts.items(), key=lambda entry: entry[1][0]):
            rewrite = self.rewrite_css if name.endswith(".css") else self.rewrite_html
            writer.write(name, rewrite(text, key, name).encode("utf-8"))
            result.files.append(name)
        result.online = sorted(set(result.online) | {key for key, name in self.files.items() if name is None})
        result.files.sort()
        return result


def archive_site(*, output_dir=None, zip_path=None, base_url=None):
    """Write the public site into a folder or a zip; returns what was written and left online."""
    if (output_dir is None) == (zip_path is None):
        raise ValueError("give exactly one of output_dir and zip_path")
    writer = DirectoryWriter(output_dir) if output_dir is not None else ZipWriter(zip_path)
    try:
        return SiteArchiver(base_url=base_url).archive(writer)
    finally:
        writer.close()
