from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuestsConfig(AppConfig):
    name = "lagesbild.guests"
    verbose_name = _("Gästmyndigheter")
