from django import forms
from django.utils.translation import gettext_lazy as _

from lagesbild.geography.models import Area, Place
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Category
from lagesbild.interventions import services
from lagesbild.interventions.models import Intervention, InterventionType
from lagesbild.partnerships.models import Organisation
from lagesbild.web.fields import MAX_ID, CalendarDateField, ModelMultipleIdField


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


AREAS_REQUIRED = _("Välj minst ett område som insatsen riktar sig mot.")


class InterventionFields(forms.Form):
    """The fields of an intervention, shared by the decision form and the edit page."""

    title = forms.CharField(label=_("Insats"), max_length=200, required=False)
    kind = forms.ModelChoiceField(
        queryset=InterventionType.objects.none(), label=_("Typ av insats"), required=False
    )
    areas = ModelMultipleIdField(
        queryset=Area.objects.none(),
        label=_("Områden"),
        required=False,
        help_text=_("Ett eller flera områden som insatsen riktar sig mot."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    places = ModelMultipleIdField(
        queryset=Place.objects.none(),
        label=_("Platser"),
        required=False,
        help_text=_("Valfritt: platser i områdena som insatsen gäller särskilt."),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    categories = ModelMultipleIdField(
        queryset=Category.objects.none(),
        label=_("Kategorier"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    responsible = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Ansvarig organisation"), required=False
    )
    contributors = ModelMultipleIdField(
        queryset=Organisation.objects.none(),
        label=_("Medverkande organisationer"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    start_date = CalendarDateField(
        label=_("Startdatum"),
        required=False,
        help_text=_("Tomt: i dag."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end_date = CalendarDateField(
        label=_("Slutdatum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
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
        self.fields["areas"].queryset = Area.objects.filter(
            partnership=partnership, active=True
        ).order_by("name")
        self.fields["places"].queryset = Place.objects.filter(
            partnership=partnership, active=True
        ).order_by("name")
        self.fields["categories"].queryset = Category.objects.filter(
            partnership=partnership, active=True
        )
        organisations = Organisation.objects.filter(partnership=partnership, active=True)
        self.fields["responsible"].queryset = organisations
        self.fields["contributors"].queryset = organisations
        self.fields["kind"].queryset = services.intervention_types(partnership).filter(active=True)

    def intervention_data(self) -> dict:
        return {key: self.cleaned_data.get(key) for key in services.FIELDS} | {
            "areas": list(self.cleaned_data.get("areas") or []),
            "places": list(self.cleaned_data.get("places") or []),
            "categories": list(self.cleaned_data.get("categories") or []),
            "contributors": list(self.cleaned_data.get("contributors") or []),
            "title": self.cleaned_data.get("title") or "",
            "description": self.cleaned_data.get("description") or "",
        }


class InterventionForm(InterventionFields):
    """Create or edit an intervention outside a meeting (coordinators)."""

    def clean(self):
        data = super().clean()
        for name in ("title", "responsible", "due_date"):
            if not data.get(name):
                self.add_error(name, _("Fyll i detta."))
        if not data.get("areas") and "areas" not in self.errors:
            self.add_error("areas", AREAS_REQUIRED)
        return data


class DecisionForm(InterventionFields):
    text = forms.CharField(
        label=_("Beslut"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Skriv beslutet.")},
    )
    create_intervention = forms.BooleanField(label=_("Beslutet är en insats"), required=False)
    shared_with_guests = forms.BooleanField(
        label=_("Dela beslutet med gästmyndigheterna"), required=False
    )
    origin_item = forms.TypedChoiceField(
        label=_("Utgår från punkt på dagordningen"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
    )

    field_order = ["text", "shared_with_guests", "create_intervention"]

    def __init__(self, *args, partnership, meeting=None, **kwargs):
        super().__init__(*args, partnership=partnership, **kwargs)
        agenda = meeting.agenda if meeting is not None else []
        self.fields["origin_item"].choices = [("", "–")] + [
            (str(k), item.get("text", "")[:120]) for k, item in enumerate(agenda)
        ]

    def clean(self):
        data = super().clean()
        if data.get("create_intervention"):
            for name in ("title", "responsible", "due_date"):
                if not data.get(name):
                    self.add_error(name, _("Fyll i detta för att skapa en insats."))
            if not data.get("areas") and "areas" not in self.errors:
                self.add_error("areas", AREAS_REQUIRED)
        return data

    def intervention_data(self) -> dict | None:
        if not self.cleaned_data.get("create_intervention"):
            return None
        return super().intervention_data() | {"origin_item": self.cleaned_data.get("origin_item")}


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Intervention.Status.choices)


class ProgressNoteForm(forms.Form):
    done_on = CalendarDateField(
        label=_("Datum"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Ange datum.")},
    )
    text = forms.CharField(
        label=_("Vad gjordes"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv vad som gjordes.")},
    )
    amount = forms.CharField(
        label=_("Omfattning"),
        max_length=200,
        required=False,
        help_text=_("Till exempel 3 kvällar, 12 lampor, 40 m² klotter."),
    )


class EvaluationSetupForm(forms.Form):
    comparison_areas = ModelMultipleIdField(
        queryset=Area.objects.none(),
        label=_("Jämförelseområden"),
        required=False,
        help_text=_("Inga valda: förslaget används."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    buffer_chosen = forms.BooleanField(
        label=_("Välj buffertzonen själv (annars områdena intill)"), required=False
    )
    buffer_areas = ModelMultipleIdField(
        queryset=Area.objects.none(),
        label=_("Buffertzon"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    weeks_before = forms.IntegerField(label=_("Veckor före start"), min_value=4, max_value=156)
    weeks_after = forms.IntegerField(
        label=_("Veckor efter start"),
        min_value=1,
        max_value=104,
        required=False,
        help_text=_("Tomt: till slutdatum (högst 52 veckor)."),
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comparison_areas"].queryset = areas
        self.fields["buffer_areas"].queryset = areas


class InterventionTypeForm(forms.Form):
    name = forms.CharField(label=_("Namn"), max_length=100)
    description = forms.CharField(label=_("Exempel"), max_length=300, required=False)
    active = forms.BooleanField(label=_("Aktiv"), required=False, initial=True)


class OverviewFilterForm(forms.Form):
    kind = forms.ModelChoiceField(
        queryset=InterventionType.objects.none(), label=_("Typ"), required=False
    )
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("Område"), required=False)
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), label=_("Kategori"), required=False
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = services.intervention_types(partnership)
        self.fields["area"].queryset = Area.objects.filter(partnership=partnership)
        self.fields["category"].queryset = Category.objects.filter(partnership=partnership)


class ReflectionForm(forms.Form):
    """The group's reflection under one heading of the yearly picture (prefix: the heading,
    so every heading's field has its own id on the page)."""

    text = forms.CharField(
        max_length=8000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, title: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("Gruppens reflektion: %(t)s") % {"t": title}


class FlagOriginForm(forms.Form):
    """Which flag of which week's picture a new intervention starts from (the weekly
    picture's "Skapa insats" link; carried as hidden fields through the form's post)."""

    vecka = forms.CharField(max_length=10)
    flagga = forms.ChoiceField(
        choices=[("deviation", "deviation"), ("rising", "rising"), ("assessment", "assessment")]
    )
    omrade = forms.IntegerField(min_value=1, max_value=MAX_ID)
    grupp = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)

    def clean_vecka(self) -> str:
        try:
            return weeks.iso(weeks.parse(self.cleaned_data["vecka"]))
        except ValueError as exc:
            raise forms.ValidationError(_("Ange veckan som 2026-W47.")) from exc

    def flag(self) -> dict:
        """The arguments of `origins.flag_origin`."""
        data = self.cleaned_data
        return {
            "iso": data["vecka"],
            "kind": data["flagga"],
            "area": data["omrade"],
            "group": data["grupp"],
        }
