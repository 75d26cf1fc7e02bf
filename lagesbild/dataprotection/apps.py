from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataProtectionConfig(AppConfig):
    name = "lagesbild.dataprotection"
    verbose_name = _("Dataskydd")
