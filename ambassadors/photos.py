"""A person's photo, served to whoever may see it: never straight from /media/.

The photo is public only with the person's consent (DESIGN: a name or photo appears publicly only
with consent): anyone may then open it. Otherwise only the person themself (their profile page)
and those who manage ambassadors in the administration do; anyone else gets a 404.
"""
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views import View

from common.views import PermissionRequiredMixin

from .models import Ambassador

CONTENT_TYPES = {".png": "image/png", ".webp": "image/webp", ".gif": "image/gif"}


def may_see_photo(user, ambassador) -> bool:
    if ambassador.public_consent and ambassador.is_active:
        return True
    if not user.is_authenticated:
        return False
    return ambassador.user_id == user.pk or user.has_perm("ambassadors.view_ambassador")


class AmbassadorPhotoView(PermissionRequiredMixin, View):
    """The photo itself; a photo one may not see is a 404, for a visitor too (no login asked)."""

    permission_required = "ambassadors.view_photo"
    login_required = False
    login_when_refused = False

    def get_permission_object(self):
        ambassador = get_object_or_404(
            Ambassador.objects.only("photo", "public_consent", "is_active", "user_id"), pk=self.kwargs["pk"]
        )
        if not ambassador.photo:
            raise Http404
        return ambassador

    def get(self, request, pk):
        return photo_response(self.permission_object)


def photo_response(ambassador):
    try:
        handle = ambassador.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = ambassador.photo.name.lower()
    content_type = next((kind for suffix, kind in CONTENT_TYPES.items() if name.endswith(suffix)), "image/jpeg")
    response = FileResponse(handle, content_type=content_type)
    # Only a public photo may sit in a shared cache; consent can be withdrawn, so not for long.
    public = ambassador.public_consent and ambassador.is_active
    response["Cache-Control"] = "public, max-age=3600" if public else "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
