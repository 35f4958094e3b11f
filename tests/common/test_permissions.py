"""The permission registry: one predicate per name, and an unknown name is a bug, not a no."""
import pytest
from django.contrib.auth.models import AnonymousUser

from common import permissions


def test_a_name_keeps_its_first_predicate():
    def first(user, obj):
        return True

    permissions.register("tests.only_once", first)
    permissions.register("tests.only_once", first)  # the same again: an app's rules imported twice

    with pytest.raises(ValueError):
        permissions.register("tests.only_once", lambda user, obj: False)
    assert permissions.has_permission("tests.only_once", AnonymousUser())


def test_an_unknown_permission_is_an_error():
    assert not permissions.is_registered("tests.never_registered")
    with pytest.raises(KeyError):
        permissions.has_permission("tests.never_registered", AnonymousUser())


def test_every_app_registers_its_permissions_when_django_starts():
    for name in ("common.logged_in", "programmes.run_lab", "sessions.plan_session", "cases.view_case",
                 "docs.draft_page", "ambassadors.view_photo"):
        assert permissions.is_registered(name)
