from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import OutgoingMail, Unsubscription
from .services import send_queued_mail


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "status", "attempts", "created_at", "sent_at", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject", "key"]
    date_hierarchy = "created_at"
    readonly_fields = ["key", "attempts", "last_error", "created_at", "sent_at"]
    actions = ["send_now"]

    @admin.action(description=_("Envoyer maintenant"))
    def send_now(self, request, queryset):
        sent = sum(1 for mail_id in queryset.values_list("pk", flat=True) if send_queued_mail(mail_id))
        self.message_user(request, _("%(count)d courriel(s) envoyé(s).") % {"count": sent})


@admin.register(Unsubscription)
class UnsubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["email"]
