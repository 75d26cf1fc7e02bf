from django import forms
from django.utils.translation import gettext_lazy as _


class AssessmentForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Bedömning"), coerce=int, required=False, empty_value=None
    )
    comment = forms.CharField(
        label=_("Kommentar"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, scale, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("Ej bedömd"))] + [
            (entry["level"], f"{entry['level']} {entry['name']}") for entry in scale
        ]


class ApproveForm(forms.Form):
    """Approval: a note is needed for a new version (what was corrected) and for a picture
    with warnings (why it is approved anyway), which must also be confirmed."""

    change_note = forms.CharField(label=_("Vad har rättats?"), required=False, max_length=500)
    confirm = forms.BooleanField(label=_("Godkänn ändå"), required=False)

    def __init__(self, *args, needs_note: bool, warnings: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings = warnings or []
        self.needs_note = needs_note or bool(self.warnings)
        note = self.fields["change_note"]
        if self.warnings:
            note.label = (
                _("Vad har rättats, och varför godkänns bilden ändå?")
                if needs_note
                else _("Varför godkänns bilden ändå?")
            )
            note.required = True
            note.error_messages["required"] = _(
                "Skriv en kommentar om varför bilden godkänns trots varningarna."
            )
            self.fields["confirm"].required = True
            self.fields["confirm"].label = _("Jag har läst varningarna och godkänner ändå")
            self.fields["confirm"].error_messages["required"] = _(
                "Bekräfta att du vill godkänna trots varningarna."
            )
        elif needs_note:
            note.required = True
            note.error_messages["required"] = _("Skriv vad som har rättats sedan förra versionen.")
