"""The beat container's health check: healthy while the periodic tasks are being sent."""
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

pytestmark = pytest.mark.django_db


def periodic_task(name, seconds, last_run_at):
    interval, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
    return PeriodicTask.objects.create(name=name, task=f"tests.{name}", interval=interval, last_run_at=last_run_at)


def test_beat_is_healthy_when_a_task_was_sent_recently(capsys):
    periodic_task("send-due-mail", 60, timezone.now() - timedelta(minutes=2))
    periodic_task("session-reminders", 3600, timezone.now() - timedelta(hours=5))

    call_command("check_beat")

    assert capsys.readouterr().out.startswith("beat ok: last run ")


def test_beat_is_unhealthy_when_nothing_was_sent_for_three_of_the_shortest_interval_and_the_sync():
    periodic_task("send-due-mail", 60, timezone.now() - timedelta(minutes=7))

    with pytest.raises(CommandError, match="beat has sent no task since"):
        call_command("check_beat")


def test_beat_is_unhealthy_before_it_ever_recorded_a_task():
    with pytest.raises(CommandError, match="No periodic task recorded"):
        call_command("check_beat")
