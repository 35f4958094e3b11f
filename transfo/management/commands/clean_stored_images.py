"""manage.py clean_stored_images: keep only the pixels of the images stored before uploads were
cleaned (transfo.stored_images). Run once after upgrading; running it again changes nothing."""
import contextlib
import signal

from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from common.page_cache import clear_page_cache
from docs.opendata import bundle_exists, write_bundle
from transfo.stored_images import Cleaner, stored_images


class Command(BaseCommand):
    @property
    def help(self):
        # argparse needs a real string, and translating at import time would be too early.
        return gettext(
            "Retire les commentaires et métadonnées des images enregistrées avant leur nettoyage à "
            "l'envoi. Peut être relancée : une image déjà propre n'est pas réécrite."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help=gettext("ne rien écrire, dire seulement ce qui serait nettoyé")
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        self.stopping = False
        cleaner = Cleaner(dry_run=dry_run, on_cleaned=self._cleaned if verbosity > 1 else None)
        self.verb = "to clean" if dry_run else "cleaned"
        reports = []
        with self._stop_between_files():
            for kind in stored_images():
                if self.stopping:
                    break
                reports.append(cleaner.run(kind, should_stop=lambda: self.stopping))
        cleaned = sum(report.cleaned for report in reports)
        if cleaned and not dry_run:
            # Cached public pages may name a file that was renamed (a new extension) or a rendition.
            clear_page_cache()
            if any(report.cleaned for report in reports if report.kind.renditions) and bundle_exists():
                # The open-data bundle holds copies of the originals: it is built again from the clean ones.
                write_bundle()
        left = any(report.left for report in reports)
        if verbosity > 0 or cleaned or left or self.stopping:
            self._summary(reports, dry_run=dry_run)

    def _cleaned(self, kind, pk, name):
        self.stdout.write(f"  {self.verb}: {kind.model._meta.label} #{pk} {name}")

    @contextlib.contextmanager
    def _stop_between_files(self):
        """Ctrl-C or SIGTERM lets the file at hand finish its replacement, then stops the walk."""

        def stop(signum, frame):
            self.stopping = True

        previous = {}
        try:
            for number in (signal.SIGINT, signal.SIGTERM):
                previous[number] = signal.signal(number, stop)
        except ValueError:  # not the main thread: interrupting is the caller's business
            pass
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _summary(self, reports, *, dry_run):
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        for report in reports:
            self.stdout.write(
                f"{report.kind.label}: {report.checked} checked, {report.cleaned} {self.verb}, "
                f"{report.clean} already clean, {len(report.left)} left alone"
            )
        checked, cleaned = sum(r.checked for r in reports), sum(r.cleaned for r in reports)
        clean, left = sum(r.clean for r in reports), [(r, *item) for r in reports for item in r.left]
        self.stdout.write(
            f"Total: {checked} checked, {cleaned} {self.verb}, {clean} already clean, {len(left)} left alone"
        )
        for report, pk, name, reason in left:
            self.stdout.write(f"Left alone, {report.kind.label} #{pk} {name}: {reason}")
        if self.stopping:
            self.stdout.write(self.style.WARNING("Interrupted: run the command again to finish."))
        elif not cleaned:
            self.stdout.write(self.style.SUCCESS("Nothing to clean: every stored image holds only its pixels."))
        elif dry_run:
            self.stdout.write(f"{cleaned} image(s) would be cleaned.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{cleaned} image(s) cleaned."))
