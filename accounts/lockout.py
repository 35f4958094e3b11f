"""Per-account limits: what stops a guesser who spreads their tries over many addresses.

django-axes locks a (address, login) pair after AXES_FAILURE_LIMIT wrong passwords: a stranger
can lock only their own address out, never the owner elsewhere. Spread over many addresses,
those tries would go on for ever; so wrong passwords are also counted per login, across
addresses, in axes' database log (AccessFailureLog): past LOGIN_FAILURES_PER_ACCOUNT within
LOGIN_FAILURES_WINDOW, the password alone no longer opens the account. Its owner still gets in
with a code sent by mail, or with the password and their second factor; the right and a wrong
password are then answered alike, so the guessing teaches nothing. One address counts for at
most AXES_FAILURE_LIMIT, so that tries from a single place never reach this limit.

Second-factor codes are counted per account the same way (SecondFactorFailure): past
SECOND_FACTOR_FAILURES_PER_ACCOUNT within the window, no code is accepted at login.
Everything here is in the database: a Redis outage changes nothing (allauth's own rate
limits live in the cache and count nothing then).
"""
from allauth.account.utils import filter_users_by_email
from allauth.mfa import signals as mfa_signals
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator
from axes.models import AccessFailureLog
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext

from common.addresses import client_ip
from common.audit import record

from .models import SecondFactorFailure
from .security import attempted_login


def _since():
    return timezone.now() - settings.LOGIN_FAILURES_WINDOW


def password_failures(login: str) -> int:
    """Wrong passwords for this login within the window, each address counting at most its own limit."""
    per_address = (
        AccessFailureLog.objects.filter(username=login, attempt_time__gte=_since())
        .values("ip_address")
        .annotate(failures=Count("id"))
        .values_list("failures", flat=True)
    )
    return sum(min(failures, settings.AXES_FAILURE_LIMIT) for failures in per_address)


def password_alone_suspended(login: str) -> bool:
    return bool(login) and password_failures(login) >= settings.LOGIN_FAILURES_PER_ACCOUNT


def has_second_factor(login: str) -> bool:
    users = filter_users_by_email(login)
    return Authenticator.objects.filter(user__in=users, type=Authenticator.Type.TOTP).exists()


class AccountLimitBackend:
    """Refuses the password alone for a login guessed at from many places (after axes' backend).

    Refuses before the password is checked, whatever it is; an account with an authenticator
    goes on to the second-factor step, which the password alone does not pass. It has no
    ``get_user()``: no session is ever tied to it (Django ties one to the first backend that has).
    """

    def authenticate(self, request, **credentials):
        if request is None:
            return None
        login = attempted_login(request, credentials)
        if not password_alone_suspended(login) or has_second_factor(login):
            return None
        record("locked_out", request=request, login=login, scope="account",
               failure_limit=settings.LOGIN_FAILURES_PER_ACCOUNT)
        # AxesMiddleware turns the flag into accounts.security.lockout_response, which reads the scope.
        request.axes_locked_out = True
        request.lockout_scope = "account"
        raise PermissionDenied("password_alone_suspended")


# --- Second factor ---------------------------------------------------------------


def second_factor_failures(user) -> int:
    return SecondFactorFailure.objects.filter(user=user, attempted_at__gte=_since()).count()


@receiver(mfa_signals.authentication_failed, dispatch_uid="count_second_factor_failure")
def _count_second_factor_failure(sender, request, user, reauthentication=False, **kwargs):
    # Re-authenticating is done by someone already logged in: not a guess at the way in.
    if not reauthentication:
        SecondFactorFailure.objects.create(user=user, ip_address=client_ip(request))


class LimitedAuthenticateForm(AuthenticateForm):
    """allauth's second-factor form at login, refusing every code once the account's limit is reached."""

    def clean_code(self):
        if second_factor_failures(self.user) >= settings.SECOND_FACTOR_FAILURES_PER_ACCOUNT:
            record("locked_out", user=self.user, scope="second_factor",
                   failure_limit=settings.SECOND_FACTOR_FAILURES_PER_ACCOUNT)
            raise ValidationError(
                gettext(
                    "Trop de codes erronés ont été saisis pour ce compte : la connexion est suspendue pour "
                    "quelques heures. Si ce n'était pas vous, votre mot de passe est connu de quelqu'un "
                    "d'autre : changez-le avec « Mot de passe oublié ? »."
                ),
                code="second_factor_suspended",
            )
        return super().clean_code()
