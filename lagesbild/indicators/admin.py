from django.contrib import admin

from lagesbild.indicators.models import Indicator, IndicatorValue


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """Read-only: coordinators define indicators in the app, which audits every change."""

    list_display = ("name", "partnership", "period", "scale", "visibility", "active")
    list_filter = ("partnership", "period", "scale")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    """Read-only: values are entered in the app, where a replaced value is audited."""

    list_display = ("indicator", "area", "period_start", "value", "sample_size", "entered_at")
    list_filter = ("indicator__partnership",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
