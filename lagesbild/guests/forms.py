"""Parsing and field messages for inviting guests and granting them detail."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lagesbild.geography.models import Area
from lagesbild.guests.models import GuestOrganisation
from lagesbild.partnerships.access import scoped
from lagesbild.partnerships.models import Organisation
from lagesbild.web.fields import CalendarDateField, ModelMultipleIdField

DATE = forms.DateInput(attrs={"type": "date"})


class InviteForm(forms.Form):
    """Which organisation is a guest and which areas' pictures it sees."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Organisation"),
        help_text=_(
            "Lägg först till myndigheten under Organisationer (typ: Annan myndighet) och dess "
            "personer som medlemmar med rollen Gäst."
        ),
    )
    areas = ModelMultipleIdField(
        queryset=Area.objects.none(),
        label=_("Inbjudna områden"),
        required=False,
        help_text=_("Gästerna ser de godkända lägesbilderna för dessa områden, inget annat."),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = scoped(
            Organisation.objects.filter(active=True), membership
        )
        self.fields["areas"].queryset = scoped(Area.objects.filter(active=True), membership)


class GrantForm(forms.Form):
    """A time-limited permission for a guest organisation to see incident detail."""

    guest = forms.ModelChoiceField(
        queryset=GuestOrganisation.objects.none(), label=_("Gästmyndighet")
    )
    areas = ModelMultipleIdField(
        queryset=Area.objects.none(),
        label=_("Områden"),
        help_text=_("Bland de områden myndigheten är inbjuden till."),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Välj minst ett område.")},
    )
    purpose = forms.CharField(
        label=_("Syfte"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Varför myndigheten behöver se detaljerna, till exempel en gemensam satsning."),
        error_messages={"required": _("Skriv syftet med behörigheten.")},
    )
    starts = CalendarDateField(label=_("Från och med"), widget=DATE)
    ends = CalendarDateField(
        label=_("Till och med"),
        widget=DATE,
        help_text=_(
            "Händelser under perioden visas, och behörigheten upphör av sig själv efter "
            "sista dagen."
        ),
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guest"].queryset = scoped(
            GuestOrganisation.objects.select_related("organisation"), membership
        )
        self.fields["areas"].queryset = scoped(Area.objects.filter(active=True), membership)
