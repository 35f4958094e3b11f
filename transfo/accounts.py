"""Account rules shared by the whole platform."""
from allauth.account.adapter import DefaultAccountAdapter


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """People join a Lab by invitation; nobody opens an account on their own."""

    def is_open_for_signup(self, request):
        return False
