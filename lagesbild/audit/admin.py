from django.contrib import admin

from lagesbild.audit.models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail cannot be edited or deleted through the app."""

    list_display = [
        "at",
        "actor",
        "partnership",
        "action",
        "object_type",
        "object_id",
        "ip_address",
    ]
    list_filter = ["partnership", "action"]
    search_fields = ["action", "object_id", "summary"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
