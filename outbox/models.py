"""Every e-mail the platform sends, recorded before it is sent.

A mail is a row first: a failing mail server or a Redis outage only delays it, and a periodic
task sends what is still pending. A `key` names the event a mail is for (a reminder of a session
for one person, say): the same key is never sent twice.
"""
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutgoingMailQuerySet(models.QuerySet):
    def due(self, now=None):
        """Pending mails whose next attempt has come."""
        return self.filter(status=OutgoingMail.Status.PENDING, next_attempt_at__lte=now or timezone.now())


class OutgoingMail(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("À envoyer")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Abandonné")
        # Refused for good (a line break in a header, a recipient the server says does not
        # exist): never tried again, and told apart from a mail given up after many attempts.
        REFUSED = "refused", _("Impossible à envoyer")

    key = models.CharField(
        _("clé d'unicité"),
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text=_("L'événement dont ce courriel parle : la même clé n'est jamais envoyée deux fois."),
    )
    to = models.EmailField(_("destinataire"))
    subject = models.CharField(_("objet"), max_length=300)
    body_text = models.TextField(_("texte"))
    body_html = models.TextField(_("HTML"), blank=True)
    # An iTIP invitation (RFC 5546), sent as a text/calendar part a mail application offers to accept.
    calendar = models.TextField(_("invitation de calendrier"), blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        verbose_name = _("courriel")
        verbose_name_plural = _("courriels")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self):
        return f"{self.subject} → {self.to}"
