"""Wagtail rights follow the Lab roles: a place for each new programme and Lab, groups for each role change.

Receivers on purpose (the brief of docs.rights): a role is granted or revoked in the Django
admin, in a service, by the demo or by a CSV import, and each way must move the Wagtail rights
with it. The work itself is in docs.rights; joining and leaving groups is audited there
(accounts.audit listens to group changes).
"""
from django.db.models.signals import post_delete, post_save, pre_save

from programmes.models import Coordination, Lab, LabMembership, Programme

from . import rights
from .spaces import LabSpace, ProgrammeSpace


def _programme_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        rights.ensure_programme_space(instance)


def _lab_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        rights.ensure_lab_space(instance)


def _role_before(sender, instance, raw=False, **kwargs):
    # A row moved from one person to another takes the rights from the first.
    instance._rights_previous_user_id = None
    if not raw and instance.pk is not None:
        instance._rights_previous_user_id = sender.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first()


def _role_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    previous = getattr(instance, "_rights_previous_user_id", None)
    if previous is not None and previous != instance.user_id:
        rights.sync_user_rights_by_id(previous)
    rights.sync_user_rights_by_id(instance.user_id)


def _role_deleted(sender, instance, **kwargs):
    # Only take out: the account itself may be being deleted with its roles.
    rights.sync_user_rights_by_id(instance.user_id, grant=False)


def _space_deleted(sender, instance, **kwargs):
    # The place's group goes with it (its page permissions with the group).
    from django.contrib.auth.models import Group

    Group.objects.filter(pk=instance.group_id).delete()


def connect():
    post_save.connect(_programme_saved, sender=Programme, dispatch_uid="docs_rights_programme")
    post_save.connect(_lab_saved, sender=Lab, dispatch_uid="docs_rights_lab")
    for model in (LabMembership, Coordination):
        label = model._meta.label
        pre_save.connect(_role_before, sender=model, dispatch_uid=f"docs_rights_before_{label}")
        post_save.connect(_role_saved, sender=model, dispatch_uid=f"docs_rights_saved_{label}")
        post_delete.connect(_role_deleted, sender=model, dispatch_uid=f"docs_rights_deleted_{label}")
    for model in (LabSpace, ProgrammeSpace):
        post_delete.connect(_space_deleted, sender=model, dispatch_uid=f"docs_rights_space_{model._meta.label}")
