"""Django admin for the collectivité's agents: ambassadeur·rices and the network (relais)."""
from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programmes.admin import changelist_link
from programmes.contributions import LabCount, add_lab_count

from .models import Ambassador, Invitation


class AccountLinkedFilter(admin.SimpleListFilter):
    title = _("compte rattaché")
    parameter_name = "account"

    def lookups(self, request, model_admin):
        return (("yes", _("Oui")), ("no", _("Non, invitation en attente")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(user__isnull=False)
        if self.value() == "no":
            return queryset.filter(user__isnull=True)
        return queryset


@admin.register(Ambassador)
class AmbassadorAdmin(admin.ModelAdmin):
    list_display = (
        "full_name",
        "email",
        "lab",
        "circle",
        "metier",
        "direction",
        "public_consent",
        "account_linked",
        "is_active",
    )
    list_display_links = ("full_name", "email")
    list_select_related = ("lab",)
    list_filter = ("lab__programme", "lab", "circle", "public_consent", "is_active", AccountLinkedFilter)
    search_fields = ("first_name", "last_name", "email", "metier", "direction")
    search_help_text = _("Prénom, nom, e-mail, métier ou direction")
    autocomplete_fields = ("lab", "user")
    readonly_fields = ("activity", "photo_link")
    fieldsets = (
        (None, {"fields": ("lab", "circle", "first_name", "last_name", "email", "user")}),
        (_("Métier"), {"fields": ("metier", "direction", "joined_on", "is_active")}),
        (_("Image publique"), {"fields": ("public_consent", "photo", "photo_link")}),
        (_("Participation"), {"fields": ("activity",)}),
    )
    actions = ("activate", "deactivate")

    @admin.display(description=_("photo actuelle"))
    def photo_link(self, obj):
        # /media/ambassadors/ is never served: the photo goes through its permission-checked view.
        if not obj.pk or not obj.photo:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("ambassadors:photo", kwargs={"pk": obj.pk}), gettext("Ouvrir"))

    @admin.display(description=_("nom"), ordering="last_name")
    def full_name(self, obj):
        return obj.full_name

    @admin.display(description=_("compte rattaché"), boolean=True, ordering="user")
    def account_linked(self, obj):
        return obj.user_id is not None

    @admin.display(description=_("présences et cas"))
    def activity(self, obj):
        if obj.pk is None:
            return "—"
        attendances = changelist_link(
            "admin:lab_sessions_attendance_changelist", _("Réponses et présences"), ambassador__id__exact=obj.pk
        )
        cases = changelist_link("admin:cases_case_changelist", _("Cas pratiques"), team__id__exact=obj.pk)
        return format_html("{} · {}", attendances, cases)

    @admin.action(description=_("Marquer comme actif·ves"))
    def activate(self, request, queryset):
        self._set_active(request, queryset, True)

    @admin.action(description=_("Marquer comme inactif·ves"))
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)

    def _set_active(self, request, queryset, active):
        # One by one, not queryset.update(): the audit log (a role granted or revoked) and the
        # caches of public pages and calendar feeds hear of each change through its save.
        changed = [ambassador for ambassador in queryset if ambassador.is_active != active]
        with transaction.atomic():
            for ambassador in changed:
                ambassador.is_active = active
                ambassador.save(update_fields=["is_active"])
        count = len(changed)
        self.message_user(
            request,
            ngettext("%(count)d personne mise à jour.", "%(count)d personnes mises à jour.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("ambassador", "created_at", "expires_at", "accepted_at", "revoked_at", "invited_by")
    list_select_related = ("ambassador__lab", "invited_by")
    list_filter = ("ambassador__lab",)
    search_fields = ("ambassador__first_name", "ambassador__last_name", "ambassador__email")
    date_hierarchy = "created_at"
    # The token itself is never stored; its hash is of no use to edit.
    readonly_fields = ("token_hash", "created_at")
    autocomplete_fields = ("ambassador", "invited_by")


# The Lab admin's column and overview line (programmes.contributions).
add_lab_count(
    LabCount(
        name="ambassador_count",
        model=Ambassador,
        column_label=_("ambassadeur·rices"),
        overview_label=_("Ambassadeur·rices et réseau"),
        changelist="admin:ambassadors_ambassador_changelist",
        overview_rank=2,
    )
)
