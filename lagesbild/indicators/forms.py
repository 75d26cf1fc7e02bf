"""Parsing and field messages for indicator pages; the rules live in `services`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lagesbild.indicators import periods, services
from lagesbild.indicators.models import Indicator


def event_types_field(counts: dict[str, int], chosen=()) -> forms.MultipleChoiceField:
    """Checkboxes for the police event types to count: the types of the stored notices (with
    how many there are of each) and those already chosen, sorted. None ticked: every type."""
    names = sorted(set(counts) | set(chosen), key=str.casefold)
    return forms.MultipleChoiceField(
        label=_("Händelsetyper som räknas"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (name, _("%(type)s (%(count)s)") % {"type": name, "count": counts.get(name, 0)})
            for name in names
        ],
        help_text=_(
            "Kryssa i de typer indikatorn ska räkna, till exempel Skadegörelse och "
            "Misshandel. Utan kryss räknas alla typer. Inom parentes står hur många notiser "
            "av typen som finns lagrade."
        ),
        error_messages={"invalid_choice": _("Välj bland de händelsetyper som finns.")},
    )


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = services.DEFINITION_FIELDS
        help_texts = {
            "unit": _("Till exempel kr, st, procent eller per 1 000 invånare."),
            "source": _("Var värdena kommer från, till exempel bostadsbolagets felanmälningar."),
            "scale": _(
                "Avgör hur en avvikelse bedöms: antal mot ett Poisson-band, belopp mot "
                "median och MAD, andelar med ett test för två andelar."
            ),
        }

    def __init__(self, *args, event_type_counts: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.counted_from == Indicator.CountedFrom.POLICE_EVENTS:
            self.fields["police_event_types"] = event_types_field(
                event_type_counts or {}, self.instance.police_event_types
            )
            self.initial["police_event_types"] = self.instance.police_event_types
        # Left out (an older form, an API client): the indicator does not weigh in.
        weight = self.fields["need_weight"]
        weight.required = False
        weight.empty_value = 0
        if self.instance.counted_from:  # what a counted indicator counts is not the form's
            for name in services.FIXED_WHEN_COUNTED:
                self.fields[name].disabled = True


class PoliceIndicatorForm(forms.Form):
    """The built-in indicator that counts the police's notices: per week or month."""

    period = forms.ChoiceField(
        label=_("Räkna per"),
        choices=[
            (Indicator.Period.MONTH, Indicator.Period.MONTH.label),
            (Indicator.Period.WEEK, Indicator.Period.WEEK.label),
        ],
        initial=Indicator.Period.MONTH,
    )

    def __init__(self, *args, event_type_counts: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["police_event_types"] = event_types_field(event_type_counts or {})


class PeriodChoiceForm(forms.Form):
    """Which period the entry form shows, typed as the indicator writes it."""

    period = forms.CharField(label=_("Period"), max_length=20)

    def __init__(self, *args, indicator: Indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.fields["period"].help_text = _("Skrivs som %(example)s.") % {
            "example": periods.example(indicator.period)
        }

    def clean_period(self):
        try:
            start = periods.parse(self.indicator.period, self.cleaned_data["period"])
        except ValueError as exc:
            raise forms.ValidationError(
                _("Perioden ska skrivas som %(example)s.")
                % {"example": periods.example(self.indicator.period)}
            ) from exc
        problems = services.check_period(start)
        if problems:
            raise forms.ValidationError(problems)
        return start


class PeriodValuesForm(forms.Form):
    """One period's values for every active area, in one table: a value per area and, for
    survey shares, its number of respondents. An empty value leaves the area without one."""

    source_note = forms.CharField(label=_("Källa för värdena"), max_length=200, required=False)

    def __init__(self, *args, indicator: Indicator, areas, existing: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.areas = list(areas)
        share = indicator.scale == Indicator.Scale.SHARE
        for area in self.areas:
            old = existing.get(area.pk)
            self.fields[f"value_{area.pk}"] = forms.CharField(
                label=area.name,
                required=False,
                max_length=40,
                initial=_number(old.value) if old else "",
            )
            if share:
                self.fields[f"n_{area.pk}"] = forms.IntegerField(
                    label=_("Antal svarande i %(area)s") % {"area": area.name},
                    required=False,
                    min_value=1,
                    max_value=10_000_000,
                    initial=old.sample_size if old else None,
                )

    def rows(self):
        """(area, value field, respondents field or None) for the template."""
        return [
            (
                area,
                self[f"value_{area.pk}"],
                self[f"n_{area.pk}"] if f"n_{area.pk}" in self.fields else None,
            )
            for area in self.areas
        ]

    def clean(self):
        data = super().clean()
        entries = []
        for area in self.areas:
            text = (data.get(f"value_{area.pk}") or "").strip()
            if not text:
                continue
            try:
                value = services.parse_number(text)
            except ValueError:
                self.add_error(f"value_{area.pk}", _("Skriv ett tal, till exempel 12,5."))
                continue
            size = data.get(f"n_{area.pk}")
            problems = services.check_value(self.indicator, value, size)
            for problem in problems:
                self.add_error(f"value_{area.pk}", problem)
            if not problems:
                entries.append((area, value, size))
        data["entries"] = entries
        return data


def _number(value: float) -> str:
    """A stored value as the form shows it: no trailing .0, decimal comma."""
    text = f"{value:.10g}"
    return text.replace(".", ",")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fil med värden"),
        help_text=_(
            "CSV (UTF-8, semikolon eller komma) eller Excel (.xlsx) med kolumnerna Område "
            "(områdets kod, SCB-kod eller namn), Period, Värde och, för enkätandelar, Antal "
            "svarande. SCB:s rubriker (region, år, folkmängd) går också."
        ),
        error_messages={"required": _("Välj en fil.")},
    )
    source_note = forms.CharField(label=_("Källa för värdena"), max_length=200, required=False)
    period = forms.CharField(
        label=_("Period för rader utan period"),
        max_length=20,
        required=False,
        help_text=_(
            "Om filen saknar kolumnen Period, till exempel SCB:s tabell för ett år: "
            "perioden alla rader gäller."
        ),
    )

    def __init__(self, *args, indicator: Indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.fields["period"].help_text += " " + _("Skrivs som %(example)s.") % {
            "example": periods.example(indicator.period)
        }

    def clean_period(self):
        text = self.cleaned_data["period"].strip()
        if text:
            try:
                periods.parse(self.indicator.period, text)
            except ValueError as exc:
                raise forms.ValidationError(
                    _("Perioden ska skrivas som %(example)s.")
                    % {"example": periods.example(self.indicator.period)}
                ) from exc
        return text

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Filen ska vara en .csv- eller .xlsx-fil."))
        return file
