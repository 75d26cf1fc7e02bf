"""Parsing and field messages for the police notice pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lagesbild.geography.queries import areas
from lagesbild.incidents import weeks
from lagesbild.incidents.queries import categories
from lagesbild.policeevents import queries
from lagesbild.web.fields import CalendarDateField


class FilterForm(forms.Form):
    """The filters of the notice list and the map layer (GET parameters)."""

    event_type = forms.ChoiceField(label=_("Typ"), required=False)
    week = forms.CharField(
        label=_("Vecka"), required=False, widget=forms.TextInput(attrs={"placeholder": "2026-W47"})
    )
    date_from = CalendarDateField(
        label=_("Från datum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = CalendarDateField(
        label=_("Till datum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    area = forms.ChoiceField(label=_("Område"), required=False)

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        types = queries.event_types(membership)
        self.fields["event_type"].choices = [("", _("Alla typer")), *((t, t) for t in types)]
        self.fields["area"].choices = [
            ("", _("Alla")),
            (queries.MUNICIPALITY, _("Kommunnivå (inget område)")),
            *((str(a.pk), a.name) for a in areas(membership).order_by("name")),
        ]

    def clean_week(self):
        value = self.cleaned_data["week"]
        if not value:
            return None
        try:
            return weeks.parse(value)
        except ValueError as exc:
            raise forms.ValidationError(_("Ange veckan som 2026-W47.")) from exc

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Slutdatum ligger före startdatum."))
        return data


class TypeCategoryForm(forms.Form):
    """The category a coordinator gives one of the police's event types."""

    event_type = forms.ChoiceField(widget=forms.HiddenInput)
    category = forms.ModelChoiceField(
        queryset=None,
        label=_("Kategori"),
        required=False,
        empty_label=_("Ingen kategori"),
        error_messages={"invalid_choice": _("Välj en kategori ur listan.")},
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        types = queries.event_types(membership)
        self.fields["event_type"].choices = [(t, t) for t in types]
        self.fields["event_type"].error_messages["invalid_choice"] = _(
            "Typen finns inte bland samverkans polisnotiser."
        )
        self.fields["category"].queryset = categories(membership).order_by("sort_order")
