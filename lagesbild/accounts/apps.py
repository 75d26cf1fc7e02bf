from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lagesbild.accounts"
    verbose_name = _("Konton")

    def ready(self):
        # Logins, failed logins and lockouts reach the audit trail through the signals Django
        # and django-axes send: the login views belong to Django, so there is no service of
        # ours to call the audit from.
        from lagesbild.accounts import login_audit  # noqa: F401
