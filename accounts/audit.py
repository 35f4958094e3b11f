"""The audit trail: logins, failed logins, refused accesses and role changes, with who and when.

One line per event on the ``transfo.audit`` logger, as ``key=value`` pairs:
``event=login user_id=12 email=camille@example.org ip=203.0.113.7``. The record's own time
says when. Events: ``login``, ``login_failed`` (with the login name typed), ``logout``,
``locked_out`` (``scope=address`` by django-axes, ``scope=account`` or ``scope=second_factor`` by
accounts.lockout), ``second_factor_failed``, ``access_refused`` (a PermissionDenied, or a view calling
``common.audit.log_refused_access``) and ``role_changed`` (Lab team, coordination, ambassador account,
groups, staff / superuser / active flags), the latter with ``by=`` the person who made it. What a line may carry is decided here and only here: never a password, a login
code, a token or a session key (Django hands us credentials with the password masked, and
we read only the login name from them).
"""
from allauth.mfa import signals as mfa_signals
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from ambassadors.models import Ambassador
from common.audit import record
from programmes.models import Coordination, LabMembership

from .security import attempted_login

WATCHED_USER_FIELDS = ("is_superuser", "is_staff", "is_active")


# --- Logins ---------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="audit_login")
def _login(sender, request, user, **kwargs):
    record("login", request=request, user=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    record("login_failed", request=request, login=attempted_login(None, credentials) or "-")


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logout(sender, request, user, **kwargs):
    record("logout", request=request, user=user)


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    # django-axes: this (address, login) pair. The per-account limits write their own lines
    # (accounts.lockout), with scope=account or scope=second_factor.
    record(
        "locked_out",
        request=request,
        login=username or "-",
        scope="address",
        failure_limit=settings.AXES_FAILURE_LIMIT,
    )


@receiver(mfa_signals.authentication_failed, dispatch_uid="audit_second_factor_failed")
def _second_factor_failed(sender, request, user, authenticator=None, reauthentication=False, **kwargs):
    record(
        "second_factor_failed",
        request=request,
        user=user,
        method=getattr(authenticator, "type", None),
        reauthentication="yes" if reauthentication else None,
    )


# --- Roles ----------------------------------------------------------------


def _user_or_id(user_id):
    user = get_user_model().objects.filter(pk=user_id).only("pk", "email").first()
    if user is None:
        return {"login": f"user#{user_id}"}
    return {"user": user}


def _record_role_change(change, *, role, user_id, **where):
    """One ``role_changed`` line, for a Lab team, a coordination or an ambassador account."""
    record("role_changed", change=change, role=role, **where, **_user_or_id(user_id))


@receiver(pre_save, sender=LabMembership, dispatch_uid="audit_membership_before")
def _membership_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._audit_previous_role = None
        return
    instance._audit_previous_role = (
        LabMembership.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
    )


@receiver(post_save, sender=LabMembership, dispatch_uid="audit_membership_saved")
def _membership_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    previous = getattr(instance, "_audit_previous_role", None)
    if created:
        _record_role_change("granted", role=instance.role, user_id=instance.user_id, lab=instance.lab_id)
    elif previous is not None and previous != instance.role:
        _record_role_change(
            "changed", role=instance.role, user_id=instance.user_id, previous_role=previous, lab=instance.lab_id
        )


@receiver(post_delete, sender=LabMembership, dispatch_uid="audit_membership_deleted")
def _membership_deleted(sender, instance, **kwargs):
    _record_role_change("revoked", role=instance.role, user_id=instance.user_id, lab=instance.lab_id)


@receiver(post_save, sender=Coordination, dispatch_uid="audit_coordination_saved")
def _coordination_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        _record_role_change("granted", role="coordinator", user_id=instance.user_id, programme=instance.programme_id)


@receiver(post_delete, sender=Coordination, dispatch_uid="audit_coordination_deleted")
def _coordination_deleted(sender, instance, **kwargs):
    _record_role_change("revoked", role="coordinator", user_id=instance.user_id, programme=instance.programme_id)


@receiver(pre_save, sender=Ambassador, dispatch_uid="audit_ambassador_before")
def _ambassador_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._audit_previous = None
        return
    instance._audit_previous = Ambassador.objects.filter(pk=instance.pk).values_list("user_id", "is_active").first()


@receiver(post_save, sender=Ambassador, dispatch_uid="audit_ambassador_saved")
def _ambassador_saved(sender, instance, created, raw=False, **kwargs):
    # An account holds the ambassador role while linked to an active row: linking, unlinking,
    # deactivating and reactivating each grant or revoke it.
    if raw:
        return
    previous_user_id, was_active = getattr(instance, "_audit_previous", None) or (None, False)
    held_before = previous_user_id if was_active else None
    held_now = instance.user_id if instance.is_active else None
    if held_before == held_now:
        return
    where = {"lab": instance.lab_id, "ambassador": instance.pk}
    if held_before is not None:
        _record_role_change("revoked", role="ambassador", user_id=held_before, **where)
    if held_now is not None:
        _record_role_change("granted", role="ambassador", user_id=held_now, **where)


@receiver(post_delete, sender=Ambassador, dispatch_uid="audit_ambassador_deleted")
def _ambassador_deleted(sender, instance, **kwargs):
    if instance.user_id is not None:
        _record_role_change(
            "revoked", role="ambassador", user_id=instance.user_id, lab=instance.lab_id, ambassador=instance.pk
        )


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="audit_user_before")
def _user_before(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._audit_previous_flags = None
    # Saving last_login at every login names its field: no query then.
    if raw or instance.pk is None or (update_fields is not None and not set(update_fields) & set(WATCHED_USER_FIELDS)):
        return
    instance._audit_previous_flags = (
        sender.objects.filter(pk=instance.pk).values(*WATCHED_USER_FIELDS).first()
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="audit_user_saved")
def _user_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    previous = getattr(instance, "_audit_previous_flags", None)
    if created:
        previous = {"is_superuser": False, "is_staff": False, "is_active": True}
    if not previous:
        return
    for field in WATCHED_USER_FIELDS:
        old, new = previous[field], getattr(instance, field)
        if old != new:
            record("role_changed", change="changed", user=instance, field=field, previous=old, value=new)


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    # Groups carry the Wagtail roles (editors, moderators): joining one is a role change.
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    change = "granted" if action == "post_add" else "revoked"
    if reverse:
        users, groups = get_user_model().objects.filter(pk__in=pk_set), [instance]
    else:
        users, groups = [instance], Group.objects.filter(pk__in=pk_set)
    for user in users:
        for group in groups:
            record("role_changed", change=change, user=user, role="group", group=group.name)


m2m_changed.connect(_groups_changed, sender=get_user_model().groups.through, dispatch_uid="audit_groups")
