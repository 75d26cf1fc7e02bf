from django.contrib import admin

from lagesbild.dataprotection.models import Erasure, Redaction, RetentionPolicy, RetentionRun


class ReadOnly(admin.ModelAdmin):
    """Read-only: schedules are set by coordinators in the app, which previews and audits
    them; the logs of runs, redactions and erasures are never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(ReadOnly):
    list_display = ["partnership", "text_months", "point_months", "audit_address_months"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnly):
    list_display = [
        "partnership",
        "day",
        "trigger",
        "texts_removed",
        "points_coarsened",
        "audit_addresses_removed",
        "finished_at",
    ]
    list_filter = ["partnership", "trigger"]


@admin.register(Redaction)
class RedactionAdmin(ReadOnly):
    list_display = ["incident", "field", "whole_field", "characters", "actor", "at"]


@admin.register(Erasure)
class ErasureAdmin(ReadOnly):
    list_display = ["partnership", "incident_number", "iso_week", "category", "area", "actor", "at"]
    list_filter = ["partnership"]
