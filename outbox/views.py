"""The page a notification's « se désabonner » link opens, and where mail clients post one-click."""
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from . import unsubscribe
from .models import MailKind


# No login and no CSRF cookie: a mail client posts « List-Unsubscribe=One-Click » on its own
# (RFC 8058); the signed link names the address and the kind, and decides.
@method_decorator([csrf_exempt, never_cache], name="dispatch")
class UnsubscribeView(View):
    template_name = "outbox/unsubscribe.html"

    def dispatch(self, request, *args, token, **kwargs):
        self.reader = unsubscribe.read_token(token)
        if self.reader is None:
            return TemplateResponse(request, self.template_name, {"invalid": True}, status=400)
        return super().dispatch(request, *args, **kwargs)

    def page(self, request, *, done: bool):
        email, kind = self.reader
        return TemplateResponse(request, self.template_name, {"email": email, "kind": MailKind(kind).label, "done": done})

    def get(self, request):
        return self.page(request, done=False)

    def post(self, request):
        unsubscribe.unsubscribe(*self.reader)
        return self.page(request, done=True)
