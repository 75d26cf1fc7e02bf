from django.contrib import admin

from lagesbild.geography.models import Area, Place


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "population", "partnership", "active"]
    list_filter = ["partnership", "kind", "active"]
    search_fields = ["name", "code", "scb_code"]
    readonly_fields = ["min_lon", "min_lat", "max_lon", "max_lat"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area", "partnership", "active"]
    list_filter = ["partnership", "kind", "active"]
    search_fields = ["name"]
