"""Where each Lab and each programme works in Wagtail, and who may approve a page in moderation.

A Lab's part of the documentation is its public page (``LabPage``, /transfos/<lab>/) and every
page under it, plus a collection of its own for images and documents. The Lab's residents and
host coordinator reach it through the Lab's group; the coordination of a programme through the
programme's group, which covers every Lab of the programme. These groups are derived from the
Lab roles by ``docs.rights``: nobody adds people to them by hand.

Wagtail's own permission machinery (GroupPagePermission on a subtree, GroupCollectionPermission
on a collection) then decides every view of the admin: listings, search, reports, choosers,
revisions, previews, images and documents.
"""
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import CharField, Subquery
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.models import AbstractGroupApprovalTask, Collection, Page, TaskState
from wagtail.models.content_types import get_default_page_content_type
from wagtail.permissions import policy_registry

from programmes.models import Lab, Programme


class LabSpace(models.Model):
    """A Lab's collection of images and documents, and the group of the people who run the Lab."""

    lab = models.OneToOneField(Lab, on_delete=models.CASCADE, related_name="+", verbose_name=_("labo"))
    collection = models.OneToOneField(
        Collection, on_delete=models.PROTECT, related_name="+", verbose_name=_("collection")
    )
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="+", verbose_name=_("groupe"))

    class Meta:
        verbose_name = _("espace d'un labo dans la documentation")
        verbose_name_plural = _("espaces des labos dans la documentation")
        ordering = ["lab"]

    def __str__(self):
        return str(self.lab)


class ProgrammeSpace(models.Model):
    """A programme's collection (parent of its Labs') and the group of its coordination."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("programme")
    )
    collection = models.OneToOneField(
        Collection, on_delete=models.PROTECT, related_name="+", verbose_name=_("collection")
    )
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="+", verbose_name=_("groupe"))

    class Meta:
        verbose_name = _("espace d'un programme dans la documentation")
        verbose_name_plural = _("espaces des programmes dans la documentation")
        ordering = ["programme"]

    def __str__(self):
        return str(self.programme)


class PublisherApprovalTask(AbstractGroupApprovalTask):
    """A moderation step approved by its groups or by whoever may publish the page.

    Wagtail's group approval lets a group approve every page of the site. Here the coordination
    of a programme approves the pages of its own Labs, because it may publish them (its group's
    page permissions), and nobody else's; the chosen groups (the site's editors) still approve
    everything.
    """

    def _may_publish(self, obj, user):
        if not isinstance(obj, Page) or not user.is_active:
            return False
        return obj.permissions_for_user(user).can_publish()

    def _approves(self, obj, user):
        return user.is_superuser or self._user_in_groups(user) or self._may_publish(obj, user)

    def user_can_access_editor(self, obj, user):
        return self._approves(obj, user)

    def locked_for_user(self, obj, user):
        return not self._approves(obj, user)

    def user_can_lock(self, obj, user):
        return self._user_in_groups(user) or self._may_publish(obj, user)

    def get_actions(self, obj, user):
        if self._approves(obj, user):
            # Wagtail's own actions and wording (translated by Wagtail's catalogue).
            return [
                ("reject", _("Request changes"), True),
                ("approve", _("Approve"), False),
                ("approve", _("Approve with comment"), True),
            ]
        return []

    def get_task_states_user_can_moderate(self, user, **kwargs):
        if user.is_superuser or self._user_in_groups(user):
            return super().get_task_states_user_can_moderate(user, **kwargs)
        publishable = policy_registry.get_by_type(Page).instances_user_has_permission_for(user, "publish")
        # Workflow states name their object by a text id.
        ids = publishable.annotate(text_id=Cast("pk", output_field=CharField())).values("text_id")
        return self.task_states.filter(
            status=TaskState.STATUS_IN_PROGRESS,
            workflow_state__base_content_type_id=get_default_page_content_type().pk,
            workflow_state__object_id__in=Subquery(ids),
        )

    @classmethod
    def get_description(cls):
        return _("Les membres des groupes choisis, et quiconque peut publier la page, approuvent cette étape.")

    class Meta:
        verbose_name = _("relecture par qui peut publier")
        verbose_name_plural = _("relectures par qui peut publier")
