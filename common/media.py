"""Which uploads are public, and the view that serves them when the proxy does not.

Public: Wagtail's images (originals, which the API's ``download_url`` names, and renditions,
which the published pages show) and the collectivités' logos. Everything else under MEDIA_ROOT
is private and reached only through a view that checks who asks: journal attachments
(cases: attachment views), session photos (sessions: photo view), people's photos
(accounts: profile photo view), Wagtail documents (Wagtail's document view, which applies the
collections' privacy), the open-data bundle (its own view).

With a bucket (common.storage), public files are read from its address or its CDN and this
view only redirects there. On disk, in production the reverse proxy serves the public folders straight from the media volume
(deploy/nginx.conf) and refuses the rest of /media/; this view answers the same folders for
any other set-up, and nothing else. tests/transfo/test_media.py holds the two lists together.
"""
import posixpath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import Http404, HttpResponsePermanentRedirect
from django.views.static import serve

# Folders under MEDIA_ROOT, as Wagtail and the models name them (upload_to).
PUBLIC_MEDIA_FOLDERS = ("images/", "original_images/", "collectivites/")
PUBLIC_MEDIA_MAX_AGE = 7 * 24 * 3600


def is_public_media(path: str) -> bool:
    """Whether a path relative to MEDIA_URL lies in a public folder (after normalising it)."""
    normalised = posixpath.normpath(path).lstrip("/")
    if normalised != path or ".." in normalised.split("/"):
        return False
    return normalised.startswith(PUBLIC_MEDIA_FOLDERS)


def public_media(request, path):
    if not is_public_media(path):
        raise Http404
    if not isinstance(default_storage, FileSystemStorage):
        # Files in a bucket: an old address under /media/ leads to the bucket's (or CDN's).
        return HttpResponsePermanentRedirect(default_storage.url(path))
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    # The same file for everyone: a shared cache may keep it.
    response["Cache-Control"] = f"public, max-age={PUBLIC_MEDIA_MAX_AGE}"
    return response
