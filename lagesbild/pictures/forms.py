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
    change_note = forms.CharField(label=_("Vad har rättats?"), required=False, max_length=500)

    def __init__(self, *args, needs_note: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_note = needs_note
        if needs_note:
            self.fields["change_note"].required = True
            self.fields["change_note"].error_messages["required"] = _(
                "Skriv vad som har rättats sedan förra versionen."
            )
