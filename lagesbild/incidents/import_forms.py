"""Parsing and field messages for the history import wizard. Rules live in import_jobs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lagesbild.incidents.importers import coordinates
from lagesbild.incidents.importers.tabular import COLUMNS, LABELS, TEXT_SUFFIXES
from lagesbild.incidents.models import Incident

NOT_MAPPED = ""
# Which of the two is east and which north, in degrees and in metres.
POSITION_LABELS = {
    "lon": _("Longitud eller x (österut, t.ex. 17,9 eller 666803)"),
    "lat": _("Latitud eller y (norrut, t.ex. 59,4 eller 6592637)"),
}


class HistoryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fil med händelser"),
        help_text=_(
            "CSV eller text (.csv, .tsv, .tab, .txt; UTF-8 eller Windows-1252, semikolon, tabb "
            "eller komma) eller Excel (.xlsx), med en rubrikrad. Kolumnerna väljer du i nästa "
            "steg."
        ),
        error_messages={"required": _("Välj en fil.")},
    )
    source = forms.CharField(
        label=_("Källa"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "import-sources", "autocomplete": "off"}),
        help_text=_(
            "Systemet filen kommer från, till exempel ”Kommunens gamla register”. Samma källa "
            "nästa gång: kolumner och kategorier är redan valda, och rader som redan finns "
            "importeras inte igen."
        ),
        error_messages={"required": _("Ange filens källa.")},
    )
    review = forms.ChoiceField(
        label=_("Granskning"),
        choices=[
            (Incident.Status.ACCEPTED, _("Godkända direkt (historik som redan är granskad)")),
            (Incident.Status.NEW, _("Varje händelse väntar på granskning")),
        ],
        initial=Incident.Status.ACCEPTED,
    )
    accept_warnings = forms.BooleanField(
        label=_("Godta telefonnummer, e-postadresser och registreringsnummer i texterna"),
        help_text=_("Sådana händelser flaggas för personuppgifter. Personnummer avvisas alltid."),
        required=False,
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith((*TEXT_SUFFIXES, ".xlsx")):
            raise forms.ValidationError(
                _("Filen ska vara en .csv-, .tsv-, .tab-, .txt- eller .xlsx-fil.")
            )
        return file


class ColumnsForm(forms.Form):
    """Which of the file's columns holds what: one choice per column the import knows."""

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(NOT_MAPPED, _("– ingen –")), *((h, h) for h in headers if h)]
        for name in COLUMNS:
            self.fields[name] = forms.ChoiceField(
                label=POSITION_LABELS.get(name, LABELS[name]), choices=choices, required=False
            )
        self.fields["coordinate_system"] = forms.ChoiceField(
            label=_("Koordinatsystem"),
            choices=list(coordinates.SYSTEMS.items()),
            required=False,
            help_text=_(
                "Förvalt efter filens första värden: tal i miljoner är meter (SWEREF 99 TM), "
                "tal som 17,9 och 59,4 är grader (WGS 84)."
            ),
        )

    def columns(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in COLUMNS}

    def coordinate_system(self) -> str:
        return self.cleaned_data["coordinate_system"]


class CategoriesForm(forms.Form):
    """What each of the file's category values means in the checklist."""

    def __init__(self, *args, values: list[tuple[str, int]], categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.values = values
        choices = [(NOT_MAPPED, _("– ingen (raderna avvisas) –")), *categories]
        for index, (value, count) in enumerate(values):
            self.fields[f"v{index}"] = forms.TypedChoiceField(
                label=_("%(value)s (%(n)s rader)") % {"value": value, "n": count},
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
            )

    def mapping(self) -> dict[str, int | None]:
        return {value: self.cleaned_data[f"v{i}"] for i, (value, _n) in enumerate(self.values)}


class ImportForm(forms.Form):
    skip_invalid = forms.BooleanField(
        label=_("Importera de felfria raderna och hoppa över raderna med fel"), required=False
    )
