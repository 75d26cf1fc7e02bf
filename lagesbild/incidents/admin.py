from django.contrib import admin

from lagesbild.incidents.models import Category, Incident, IncidentChange


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "parent", "weight", "active", "partnership"]
    list_filter = ["partnership", "active"]
    search_fields = ["name", "code"]


class IncidentChangeInline(admin.TabularInline):
    model = IncidentChange
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "changes", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """Administrators may inspect incidents; changes go through the review queue so they
    are recorded in the history and the audit trail."""

    list_display = ["id", "occurred_at", "category", "area", "status", "partnership"]
    list_filter = ["partnership", "status", "source"]
    search_fields = ["description", "external_id"]
    date_hierarchy = "occurred_at"
    inlines = [IncidentChangeInline]
    list_select_related = ["category", "area", "partnership"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
