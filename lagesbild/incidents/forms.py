"""Parsing and field messages for the incident pages. Rules live in services."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lagesbild.geography.models import Area, Place
from lagesbild.geography.queries import areas, places
from lagesbild.incidents import queries, weeks
from lagesbild.incidents.models import Category, Incident
from lagesbild.incidents.queries import categories
from lagesbild.partnerships.access import scoped
from lagesbild.partnerships.models import Organisation
from lagesbild.web.fields import (
    CalendarDateField,
    ModelMultipleIdField,
    PreparedChoices,
    QuickSelect,
)


class ReportForm(forms.Form):
    """The reporter's form. `client_id` is made when the form is shown and travels with every
    retry, so the server can answer a repeated submission with the incident it already has."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        label=_("Vad hände?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Välj en kategori."),
            "invalid_choice": _("Välj en kategori ur listan."),
        },
    )
    lon = forms.FloatField(widget=forms.HiddenInput, required=False)
    lat = forms.FloatField(widget=forms.HiddenInput, required=False)
    place = forms.ModelChoiceField(
        queryset=Place.objects.none(), widget=forms.HiddenInput, required=False
    )
    occurred_at = forms.DateTimeField(
        label=_("När?"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        error_messages={
            "required": _("Ange när det hände."),
            "invalid": _("Ange datum och tid, till exempel 2026-11-24 21:30."),
        },
    )
    severity = forms.TypedChoiceField(
        label=_("Hur allvarligt?"),
        choices=Incident.Severity.choices,
        coerce=int,
        initial=Incident.Severity.LOW,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj hur allvarligt det var.")},
    )
    description = forms.CharField(
        label=_("Kort beskrivning"),
        help_text=_(
            "Beskriv händelsen och platsen, aldrig personer. Skriv inga personnummer, "
            "namn eller telefonnummer."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        max_length=1000,
        required=False,
    )
    confirm_warnings = forms.BooleanField(
        label=_("Jag har kontrollerat texten och den ska skickas så här."), required=False
    )

    def __init__(self, *args, membership, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(
            pk__in=[c.pk for c in categories]
        )
        self.fields["category"].choices = [(c.pk, c.name) for c in categories]
        self.fields["place"].queryset = Place.objects.filter(
            partnership=membership.partnership, active=True
        )
        if not self.is_bound:
            self.initial.setdefault("client_id", uuid.uuid4())
            self.initial.setdefault(
                "occurred_at", timezone.localtime().replace(second=0, microsecond=0)
            )


class PeriodFilterForm(forms.Form):
    """A week or a span of dates, as the lists' filters take them (GET parameters): the
    incident list and map, and the police notices."""

    week = forms.CharField(
        label=_("Vecka"), required=False, widget=forms.TextInput(attrs={"placeholder": "2026-W47"})
    )
    date_from = CalendarDateField(
        label=_("Från datum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = CalendarDateField(
        label=_("Till datum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

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


class FilterForm(PeriodFilterForm):
    """The filters of the incident list and map (GET parameters)."""

    area = forms.ModelChoiceField(
        queryset=Area.objects.none(),
        label=_("Område"),
        required=False,
        empty_label=_("Alla områden"),
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        label=_("Kategori"),
        required=False,
        empty_label=_("Alla kategorier"),
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Organisation"),
        required=False,
        empty_label=_("Alla organisationer"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Alla utom avvisade")),
            ("counted", _("Räknas (nya och godkända)")),
            *Incident.Status.choices,
            (queries.ALL_STATUSES, _("Alla, även avvisade")),
        ],
    )
    severity = forms.TypedChoiceField(
        label=_("Allvarlighetsgrad"),
        required=False,
        coerce=int,
        choices=[("", _("Alla")), *Incident.Severity.choices],
    )
    q = forms.CharField(label=_("Fritext"), required=False, max_length=100)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas(membership).order_by("name")
        self.fields["category"].queryset = categories(membership).order_by("sort_order")
        self.fields["organisation"].queryset = scoped(Organisation.objects.all(), membership)


class ReviewFilterForm(forms.Form):
    """The filters and order of the review queue (GET parameters). With `counts` (from
    `queries.review_counts`) every choice says how many waiting reports it would show."""

    area = forms.ModelChoiceField(
        queryset=Area.objects.none(), label=_("Område"), required=False, empty_label=_("Alla")
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Organisation"),
        required=False,
        empty_label=_("Alla"),
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), label=_("Kategori"), required=False, empty_label=_("Alla")
    )
    source = forms.ChoiceField(
        label=_("Källa"), required=False, choices=[("", _("Alla")), *Incident.Source.choices]
    )
    flagged = forms.TypedChoiceField(
        label=_("Personuppgifter"),
        required=False,
        coerce=lambda value: value == "yes",
        empty_value=None,
        choices=[
            ("", _("Alla")),
            ("yes", _("Flaggade för personuppgifter")),
            ("no", _("Utan flagga")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Ordning"),
        required=False,
        choices=[
            ("reported", _("Äldsta först")),
            ("-reported", _("Nyaste först")),
            ("area", _("Område")),
            ("category", _("Kategori")),
        ],
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas(membership).order_by("name")
        self.fields["category"].queryset = categories(membership, active_only=False).order_by(
            "sort_order", "name"
        )
        self.fields["organisation"].queryset = scoped(
            Organisation.objects.all(), membership
        ).order_by("name")

    def add_counts(self, counts: dict) -> None:
        """'Norr (12)': each choice with its count (from `queries.review_counts`); the
        models' choices are listed here once, so rendering does not query them again."""
        for name in ("area", "organisation", "category"):
            field = self.fields[name]
            field.choices = [
                ("", field.empty_label),
                *[(obj.pk, f"{obj} ({counts[name].get(obj.pk, 0)})") for obj in field.queryset],
            ]
        by_value = {
            "source": counts["source"],
            "flagged": {
                "yes": counts["flagged"].get(True, 0),
                "no": counts["flagged"].get(False, 0),
            },
        }
        for name, found in by_value.items():
            field = self.fields[name]
            field.choices = [
                (value, label if value == "" else f"{label} ({found.get(value, 0)})")
                for value, label in field.choices
            ]


class BulkAcceptForm(forms.Form):
    """The reports ticked for accepting together, chosen among `candidates` (the queue)."""

    incidents = ModelMultipleIdField(
        queryset=Incident.objects.none(),
        label=_("Händelser"),
        error_messages={
            "required": _("Markera de händelser som ska godkännas."),
            "invalid_choice": _(
                "En av de markerade händelserna väntar inte längre på granskning. "
                "Ladda om sidan och försök igen."
            ),
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incidents"].queryset = candidates


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl"),
        max_length=300,
        error_messages={"required": _("Skriv varför händelsen avvisas.")},
    )


class CorrectForm(forms.Form):
    # QuickSelect: the review queue renders twenty of these forms on one page.
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), label=_("Kategori"), widget=QuickSelect
    )
    area = forms.ModelChoiceField(
        queryset=Area.objects.none(), label=_("Område"), widget=QuickSelect
    )
    place = forms.ModelChoiceField(
        queryset=Place.objects.none(),
        label=_("Plats"),
        required=False,
        empty_label=_("Ingen plats"),
        widget=QuickSelect,
    )
    severity = forms.TypedChoiceField(
        label=_("Allvarlighetsgrad"),
        coerce=int,
        choices=Incident.Severity.choices,
        widget=QuickSelect,
    )
    reason = forms.CharField(label=_("Kommentar"), max_length=300, required=False)

    def __init__(self, *args, membership, options: dict | None = None, **kwargs):
        """`options` (from `correction_options`) may be passed in so a page with many of
        these forms looks the choices up, and writes them out, once."""
        super().__init__(*args, **kwargs)
        options = options or correction_options(membership)
        for name, (model, ids, choices) in options.items():
            field = self.fields[name]
            field.queryset = model.objects.filter(pk__in=ids)
            field.choices = choices

    def clean(self):
        data = super().clean()
        place, area = data.get("place"), data.get("area")
        if place and area and place.area_id != area.pk:
            self.add_error("place", _("Platsen ligger inte i det valda området."))
        return data


def correction_options(membership) -> dict:
    """The choices of a CorrectForm (reportable categories, areas and places), each as
    (model, ids, choices) to share among the forms of one page."""
    found = {
        # In checklist order: counting the last 90 days' use per category, as the reporting
        # form does, cost the queue more than the rest of its queries together on SQLite.
        "category": (
            Category,
            queries.reportable_categories(membership, most_used_first=False),
            None,
        ),
        "area": (Area, areas(membership).order_by("name"), None),
        "place": (
            Place,
            places(membership).order_by("name"),
            CorrectForm.base_fields["place"].empty_label,
        ),
    }
    options = {}
    for name, (model, objects, empty_label) in found.items():
        objects = list(objects)
        choices = [(o.pk, str(o)) for o in objects]
        if empty_label:
            choices.insert(0, ("", empty_label))
        options[name] = (model, [o.pk for o in objects], PreparedChoices(choices))
    return options


class MergeForm(forms.Form):
    duplicates = ModelMultipleIdField(queryset=Incident.objects.none(), label=_("Dubbletter"))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicates"].queryset = candidates
