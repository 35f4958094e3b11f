"""Account rules shared by the whole platform."""
from allauth.account.adapter import DefaultAccountAdapter

from common.addresses import client_ip
from outbox.services import queue_mail


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """People join a Lab by invitation; nobody opens an account on their own."""

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        """allauth's rate limits count per address as the lockouts and the audit do (TRUSTED_PROXIES)."""
        return client_ip(request) or super().get_client_ip(request)

    def send_mail(self, template_prefix, email, context):
        """Codes, resets and confirmations go through the outbox: never sent inside the request."""
        message = self.render_mail(template_prefix, email, context)
        html = next((content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
        queue_mail(to=email, subject=message.subject, body_text=message.body, body_html=html)
