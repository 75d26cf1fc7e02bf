from django import forms
from django.utils.translation import gettext_lazy as _

from lagesbild.geography.models import Area
from lagesbild.incidents.models import Category
from lagesbild.interventions.models import Intervention
from lagesbild.partnerships.models import Organisation
from lagesbild.web.fields import CalendarDateField, ModelMultipleIdField


class MeetingForm(forms.Form):
    held_on = CalendarDateField(
        label=_("Mötesdatum"), widget=forms.DateInput(attrs={"type": "date"})
    )
    week = forms.CharField(
        label=_("Lägesbild för vecka"), max_length=10, help_text=_("Till exempel 2026-W47.")
    )


class MinutesForm(forms.Form):
    attendees = forms.CharField(
        label=_("Närvarande organisationer"), required=False, max_length=2000
    )
    minutes = forms.CharField(
        label=_("Protokoll"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    closed = forms.BooleanField(label=_("Mötet är avslutat"), required=False)


class InterventionFields(forms.Form):
    """The fields of an intervention, shared by the decision form and the edit page."""

    title = forms.CharField(label=_("Insats"), max_length=200, required=False)
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("Område"), required=False)
    categories = ModelMultipleIdField(
        queryset=Category.objects.none(),
        label=_("Kategorier"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    responsible = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Ansvarig organisation"), required=False
    )
    due_date = CalendarDateField(
        label=_("Klart senast"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("Beskrivning"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(partnership=partnership, active=True)
        self.fields["categories"].queryset = Category.objects.filter(
            partnership=partnership, active=True
        )
        self.fields["responsible"].queryset = Organisation.objects.filter(
            partnership=partnership, active=True
        )


class DecisionForm(InterventionFields):
    text = forms.CharField(
        label=_("Beslut"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Skriv beslutet.")},
    )
    create_intervention = forms.BooleanField(label=_("Beslutet är en insats"), required=False)

    field_order = ["text", "create_intervention"]

    def clean(self):
        data = super().clean()
        if data.get("create_intervention"):
            for name in ("title", "area", "responsible", "due_date"):
                if not data.get(name):
                    self.add_error(name, _("Fyll i detta för att skapa en insats."))
        return data

    def intervention_data(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("create_intervention"):
            return None
        return {
            key: data[key]
            for key in ("title", "area", "categories", "responsible", "due_date", "description")
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Intervention.Status.choices)
