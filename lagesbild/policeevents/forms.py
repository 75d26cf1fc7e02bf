"""Parsing and field messages for the police notice pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lagesbild.geography.queries import areas
from lagesbild.incidents.forms import PeriodFilterForm
from lagesbild.incidents.queries import categories
from lagesbild.policeevents import queries


class FilterForm(PeriodFilterForm):
    """The filters of the notice list and the map layer (GET parameters)."""

    field_order = ["event_type", "week", "date_from", "date_to", "area"]

    event_type = forms.ChoiceField(label=_("Typ"), required=False)
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
