"""Administrators unlock accounts and reset second factors from the user list in the admin,
audited like a coordinator's unlock."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from lagesbild.accounts import services

User = get_user_model()


class AccountUserAdmin(UserAdmin):
    actions = ["unlock", "reset_second_factor"]

    @admin.action(description=_("Lås upp inloggningen"), permissions=["change"])
    def unlock(self, request, queryset):
        for user in queryset:
            services.unlock(actor=request.user, user=user, request=request)
        self.message_user(request, _("Inloggningen är upplåst."), messages.SUCCESS)

    @admin.action(description=_("Nollställ tvåstegsverifiering"), permissions=["change"])
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            services.remove_second_factor(actor=request.user, user=user, request=request)
        self.message_user(request, _("Tvåstegsverifieringen är nollställd."), messages.SUCCESS)


admin.site.unregister(User)
admin.site.register(User, AccountUserAdmin)
