"""A storage that does not answer gets a clear page, not a server error.

When the bucket (or the disk) fails while a view reads or writes a file, the view's exception
comes here: the services write the row and its file in one transaction, so the row is rolled
back with the failed write and nothing points to a missing file. The person is told nothing
was saved and to go back (the browser keeps what they typed in the form) and try again later.
Pages that touch no file never get here.
"""
import logging
import sys

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from django.template.loader import render_to_string
from django.http import HttpResponse

logger = logging.getLogger(__name__)

STORAGE_MODULES = ("django.core.files.", "storages.", "common.storage")
RETRY_AFTER_SECONDS = 120


def _raised_in_storage(traceback) -> bool:
    while traceback is not None:
        module = traceback.tb_frame.f_globals.get("__name__", "")
        if module.startswith(STORAGE_MODULES):
            return True
        traceback = traceback.tb_next
    return False


def is_storage_unavailable(error: BaseException) -> bool:
    """The bucket unreachable or failing on its side, or the local disk refusing a file operation."""
    if isinstance(error, (BotoConnectionError, HTTPClientError)):
        return True
    if isinstance(error, ClientError):
        return error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500
    if isinstance(error, OSError) and not isinstance(error, FileNotFoundError):
        return _raised_in_storage(error.__traceback__)
    return False


class StorageUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_storage_unavailable(exception):
            return None
        logger.warning("File storage unavailable on %s %s: %r", request.method, request.path, exception,
                       exc_info=sys.exc_info())
        response = HttpResponse(render_to_string("503_storage.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
