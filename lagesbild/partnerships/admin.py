from django.contrib import admin

from lagesbild.partnerships.models import Membership, Organisation, Partnership


class OrganisationInline(admin.TabularInline):
    model = Organisation
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "municipality_code", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganisationInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "partnership", "active"]
    list_filter = ["partnership", "kind", "active"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partnership", "organisation", "role", "active"]
    list_filter = ["partnership", "role", "active"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user", "organisation"]
