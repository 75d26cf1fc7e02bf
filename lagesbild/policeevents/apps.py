from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliceEventsConfig(AppConfig):
    name = "lagesbild.policeevents"
    verbose_name = _("Polisens händelsenotiser")
