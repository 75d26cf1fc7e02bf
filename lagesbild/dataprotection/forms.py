"""Parsing and field messages for the data protection pages. Rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lagesbild.dataprotection.redaction import FIELDS
from lagesbild.dataprotection.retention import MAX_MONTHS, Schedule

REASON_ERRORS = {"required": _("Skriv varför.")}


class RedactForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Fält"),
        choices=list(FIELDS.items()),
        error_messages={"invalid_choice": _("Välj ett fritextfält.")},
    )
    passage = forms.CharField(
        label=_("Text att maskera"),
        required=False,
        strip=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kopiera in exakt den del som ska bort. Lämna tomt för att maskera hela fältet."
        ),
    )
    reason = forms.CharField(
        label=_("Skäl"),
        max_length=300,
        error_messages=REASON_ERRORS,
        help_text=_("Syns i granskningsloggen. Upprepa inte den borttagna texten."),
    )


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl"),
        max_length=300,
        error_messages=REASON_ERRORS,
        help_text=_("Syns i granskningsloggen. Upprepa inte uppgifter ur händelsen."),
    )
    confirm = forms.BooleanField(
        label=_("Jag förstår att händelsen raderas för gott och inte kan återställas."),
        error_messages={"required": _("Bekräfta att händelsen ska raderas.")},
    )


def _months(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=MAX_MONTHS,
        help_text=_("Antal månader. Tomt: behåll."),
        error_messages={
            "invalid": _("Ange ett helt antal månader."),
            "min_value": _("Ange minst 1 månad, eller lämna tomt."),
            "max_value": _("Ange högst %(limit_value)s månader."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class RetentionForm(forms.Form):
    text_months = _months(_("Ta bort fritext i händelser äldre än"))
    point_months = _months(_("Flytta exakta positioner till områdets mitt för händelser äldre än"))
    audit_address_months = _months(_("Ta bort IP-adress och webbläsare ur loggposter äldre än"))

    def schedule(self) -> Schedule:
        return Schedule(**{name: self.cleaned_data.get(name) for name in Schedule().as_dict()})
