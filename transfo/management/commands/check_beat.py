"""`manage.py check_beat`: exit 0 when Celery beat is sending the periodic tasks, 1 otherwise.

The beat container's health check. A process that is merely alive proves nothing: beat is healthy
when the database scheduler has recorded a run of some periodic task recently — within three of
the shortest interval, plus the few minutes the scheduler may keep its runs before writing them.
"""
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

SCHEDULER_SYNC = timedelta(minutes=3)


def shortest_interval():
    intervals = [
        timedelta(**{task.interval.period: task.interval.every})
        for task in PeriodicTask.objects.filter(enabled=True, interval__isnull=False).select_related("interval")
    ]
    return min(intervals, default=None)


class Command(BaseCommand):
    help = "Vérifie que Celery beat envoie les tâches périodiques / Checks that Celery beat sends the periodic tasks."

    def handle(self, *args, **options):
        interval = shortest_interval()
        if interval is None:
            raise CommandError("Aucune tâche périodique enregistrée / No periodic task recorded (has beat started?).")
        last_run = PeriodicTask.objects.filter(enabled=True).aggregate(last=Max("last_run_at"))["last"]
        allowed = 3 * interval + SCHEDULER_SYNC
        if last_run is None or timezone.now() - last_run > allowed:
            since = last_run.isoformat(timespec="seconds") if last_run else "jamais / never"
            raise CommandError(
                f"Beat n'a envoyé aucune tâche depuis {since} (attendu : moins de {allowed}) / "
                f"beat has sent no task since {since} (expected within {allowed})."
            )
        self.stdout.write(f"beat ok: last run {last_run.isoformat(timespec='seconds')}")
