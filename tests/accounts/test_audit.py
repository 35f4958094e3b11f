"""The audit trail says who logged in, failed, was locked out or refused, and whose role changed."""
import logging
import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path, reverse

from common.audit import log_refused_access
from programmes.models import Coordination, LabMembership
from transfo import urls as project_urls
from transfo.celery import app as celery_app

from ..factories import make_ambassador, make_lab, make_programme, make_resident, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "un-mot-de-passe-solide"
TYPED_PASSWORD = "Zq9-mauvais-secret-tape"


# Views of this test's own URLconf (see `with_refusing_views`): one refuses with a 403, one
# hides a forbidden item behind a 404 as the Lab pages do.
def refuse_with_403(request, **kwargs):
    raise PermissionDenied("lab_not_joined")


def hide_with_404(request):
    log_refused_access(request, "case_not_readable")
    raise Http404


urlpatterns = [
    path("refus/", refuse_with_403),
    path("invitation/<str:token>/", refuse_with_403),
    path("cache/", hide_with_404),
    *project_urls.urlpatterns,
]


class ListHandler(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.INFO)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def audit():
    """The audit lines written during the test (the logger does not propagate, so caplog cannot see it)."""
    handler = ListHandler()
    logger = logging.getLogger("transfo.audit")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def lines(audit, event=None):
    messages = [record.getMessage() for record in audit.records]
    if event is None:
        return messages
    return [message for message in messages if message.startswith(f"event={event} ")]


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"audit-{time.monotonic_ns()}"}
    }


def verified_user(**overrides):
    user = make_user(password=PASSWORD, **overrides)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


# --- Logins -------------------------------------------------------------------


def test_login_is_audited_with_who_and_from_where(client, audit):
    user = verified_user()

    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.5")

    assert lines(audit, "login") == [f"event=login user_id={user.pk} email={user.email} ip=203.0.113.5"]
    assert audit.records[-1].created > 0


def test_failed_login_is_audited_with_the_typed_login_but_never_the_password(client, audit):
    user = verified_user()

    client.post("/accounts/login/", {"login": user.email, "password": TYPED_PASSWORD}, REMOTE_ADDR="203.0.113.5")

    assert lines(audit, "login_failed") == [f"event=login_failed login={user.email} ip=203.0.113.5"]
    assert all(TYPED_PASSWORD not in line for line in lines(audit))
    assert all(TYPED_PASSWORD not in str(vars(record)) for record in audit.records)


def test_lockout_is_audited_once_the_limit_is_reached(client, audit, settings):
    user = verified_user()

    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"login": user.email, "password": f"faux-{number}"}, REMOTE_ADDR="203.0.113.5")

    assert lines(audit, "locked_out") == [f"event=locked_out login={user.email} ip=203.0.113.5 scope=address failure_limit=10"]
    assert len(lines(audit, "login_failed")) == 10


def test_logout_is_audited(client, audit):
    user = verified_user()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    client.post("/accounts/logout/")

    assert lines(audit, "logout") == [f"event=logout user_id={user.pk} email={user.email} ip=127.0.0.1"]


def test_login_by_code_never_writes_the_code_nor_the_session_key(client, audit, django_capture_on_commit_callbacks):
    user = verified_user()
    saved, celery_app.conf.task_always_eager = celery_app.conf.task_always_eager, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/accounts/login/code/", {"email": user.email})
    finally:
        celery_app.conf.task_always_eager = saved
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)

    client.post("/accounts/login/code/confirm/", {"code": code})
    session_key = client.session.session_key

    assert lines(audit, "login") == [f"event=login user_id={user.pk} email={user.email} ip=127.0.0.1"]
    assert all(code not in line and session_key not in line for line in lines(audit))


def test_a_forged_login_name_cannot_add_a_line_or_a_field(client, audit):
    client.post("/accounts/login/", {"login": "x@y.example\nevent=login user_id=1", "password": "faux"})

    assert all("\n" not in line for line in lines(audit))
    assert lines(audit, "login") == []


# --- Refused accesses -----------------------------------------------------------


@pytest.mark.urls(__name__)
def test_permission_denied_in_a_view_is_audited(client, audit):
    user = verified_user()
    client.force_login(user)

    response = client.get("/refus/", REMOTE_ADDR="203.0.113.5")

    assert response.status_code == 403
    assert lines(audit, "access_refused") == [
        f"event=access_refused user_id={user.pk} email={user.email} ip=203.0.113.5 path=/refus/ reason=lab_not_joined"
    ]


@pytest.mark.urls(__name__)
def test_an_item_hidden_behind_a_404_is_audited_by_the_helper(client, audit):
    user = verified_user()
    client.force_login(user)

    response = client.get("/cache/")

    assert response.status_code == 404
    assert lines(audit, "access_refused") == [
        f"event=access_refused user_id={user.pk} email={user.email} ip=127.0.0.1 path=/cache/ reason=case_not_readable"
    ]


@pytest.mark.urls(__name__)
def test_a_secret_in_a_refused_url_is_masked(client, audit):
    client.get("/invitation/s3cr3t-jeton-d-invitation/")

    assert lines(audit, "access_refused") == [
        'event=access_refused user_id=- ip=127.0.0.1 path="/invitation/***/" reason=lab_not_joined'
    ]


@pytest.mark.urls(__name__)
def test_a_visitor_refused_access_is_audited_as_anonymous(client, audit):
    client.get("/refus/")

    assert lines(audit, "access_refused") == [
        "event=access_refused user_id=- ip=127.0.0.1 path=/refus/ reason=lab_not_joined"
    ]


def test_a_page_refusing_with_a_404_audits_its_permission_once(client, audit):
    # Someone outside the Lab: its import page answers as if the Lab did not exist.
    lab = make_lab()
    outsider = verified_user()
    client.force_login(outsider)
    path = reverse("cases:exchange_import", kwargs={"lab_slug": lab.slug})

    response = client.get(path)

    assert response.status_code == 404
    assert lines(audit, "access_refused") == [
        f"event=access_refused user_id={outsider.pk} email={outsider.email} ip=127.0.0.1 path={path} reason=cases.import_data"
    ]


def test_a_page_refusing_with_a_403_audits_its_permission_once(client, audit):
    # An ambassador of the Lab sees it, but its import page is for those who run it.
    lab = make_lab()
    member = verified_user()
    make_ambassador(lab, user=member)
    client.force_login(member)
    path = reverse("cases:exchange_import", kwargs={"lab_slug": lab.slug})

    response = client.get(path)

    assert response.status_code == 403
    assert lines(audit, "access_refused") == [
        f"event=access_refused user_id={member.pk} email={member.email} ip=127.0.0.1 path={path} reason=cases.import_data"
    ]


def test_a_page_let_in_audits_no_refusal(client, audit):
    lab = make_lab()
    resident = verified_user()
    LabMembership.objects.create(lab=lab, user=resident, role=LabMembership.Role.RESIDENT)
    client.force_login(resident)

    response = client.get(reverse("cases:exchange_import", kwargs={"lab_slug": lab.slug}))

    assert response.status_code == 200
    assert lines(audit, "access_refused") == []


# --- Roles ----------------------------------------------------------------------


def test_adding_a_resident_is_audited(audit):
    lab = make_lab()
    person = make_user()

    make_resident(lab, user=person)

    # The Wagtail rights the role gives (the Lab's group, docs.rights) are audited with it.
    assert lines(audit, "role_changed") == [
        f'event=role_changed user_id={person.pk} email={person.email} ip=- change=granted role=group group="Labo {lab.slug}"',
        f"event=role_changed user_id={person.pk} email={person.email} ip=- change=granted role=resident lab={lab.pk}",
    ]


def test_changing_then_removing_a_membership_is_audited(audit):
    lab = make_lab()
    membership = make_resident(lab)
    audit.records.clear()

    membership.role = LabMembership.Role.HOST
    membership.save()
    membership.delete()

    assert [line.split(" ip=-")[1] for line in lines(audit, "role_changed")] == [
        f" change=changed role=host previous_role=resident lab={lab.pk}",
        f' change=revoked role=group group="Labo {lab.slug}"',
        f" change=revoked role=host lab={lab.pk}",
    ]


def test_saving_a_membership_without_changing_its_role_is_not_audited(audit):
    membership = make_resident(make_lab())
    audit.records.clear()

    membership.discipline = "designer"
    membership.save()

    assert lines(audit, "role_changed") == []


def test_naming_and_removing_a_coordinator_is_audited(audit):
    programme = make_programme()
    person = make_user()

    coordination = Coordination.objects.create(programme=programme, user=person)
    coordination.delete()

    group = f'group="Coordination {programme.slug}"'
    assert lines(audit, "role_changed") == [
        f"event=role_changed user_id={person.pk} email={person.email} ip=- change=granted role=group {group}",
        f"event=role_changed user_id={person.pk} email={person.email} ip=- change=granted role=coordinator programme={programme.pk}",
        f"event=role_changed user_id={person.pk} email={person.email} ip=- change=revoked role=group {group}",
        f"event=role_changed user_id={person.pk} email={person.email} ip=- change=revoked role=coordinator programme={programme.pk}",
    ]


def test_linking_an_account_to_an_ambassador_is_audited(audit):
    ambassador = make_ambassador()
    person = make_user()

    ambassador.user = person
    ambassador.save()
    ambassador.save()

    assert lines(audit, "role_changed") == [
        (
            f"event=role_changed user_id={person.pk} email={person.email} ip=- change=granted role=ambassador "
            f"lab={ambassador.lab_id} ambassador={ambassador.pk}"
        )
    ]


def test_making_someone_superuser_is_audited_with_who_did_it(client, audit):
    admin = verified_user(is_staff=True, is_superuser=True)
    person = make_user()
    client.force_login(admin)
    audit.records.clear()

    response = client.post(
        f"/django-admin/auth/user/{person.pk}/change/",
        {
            "username": person.username,
            "email": person.email,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "10:00:00",
            "initial-date_joined_0": "2024-01-01",
            "initial-date_joined_1": "10:00:00",
        },
    )

    assert response.status_code == 302
    assert lines(audit, "role_changed") == [
        (
            f"event=role_changed user_id={person.pk} email={person.email} ip=127.0.0.1 by={admin.pk} "
            "change=changed field=is_superuser previous=False value=True"
        ),
        (
            f"event=role_changed user_id={person.pk} email={person.email} ip=127.0.0.1 by={admin.pk} "
            "change=changed field=is_staff previous=False value=True"
        ),
    ]


def test_a_login_does_not_write_a_role_line(client, audit):
    user = verified_user()

    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert lines(audit, "role_changed") == []


def test_joining_and_leaving_an_editors_group_is_audited(audit):
    editors = Group.objects.create(name="Éditeurs")
    person = make_user()

    person.groups.add(editors)
    editors.user_set.remove(person)

    assert lines(audit, "role_changed") == [
        f"event=role_changed user_id={person.pk} email={person.email} ip=- change=granted role=group group=Éditeurs",
        f"event=role_changed user_id={person.pk} email={person.email} ip=- change=revoked role=group group=Éditeurs",
    ]


def test_deactivating_and_reactivating_an_ambassador_with_an_account_is_audited(audit):
    person = make_user()
    ambassador = make_ambassador(user=person)
    audit.records.clear()

    ambassador.is_active = False
    ambassador.save(update_fields=["is_active"])
    ambassador.first_name = "Renommée"
    ambassador.save()  # still inactive: no role change
    ambassador.is_active = True
    ambassador.save()

    where = f"role=ambassador lab={ambassador.lab_id} ambassador={ambassador.pk}"
    assert lines(audit, "role_changed") == [
        f"event=role_changed user_id={person.pk} email={person.email} ip=- change=revoked {where}",
        f"event=role_changed user_id={person.pk} email={person.email} ip=- change=granted {where}",
    ]
