"""Forms of the account pages: a code from the app or a recovery code, and a new API token."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lagesbild.api.models import ApiToken


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Kod"),
        max_length=20,
        help_text=_("Sex siffror från appen, eller en av dina reservkoder."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class AppCodeForm(CodeForm):
    """Setting up an app takes a code from the app itself, not a recovery code."""

    code = forms.CharField(
        label=_("Kod från appen"),
        max_length=20,
        help_text=_("De sex siffror appen visar nu."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Namn"),
        max_length=100,
        help_text=_("Vad nyckeln används till, t.ex. ”Import från bostadsbolaget”."),
    )
    scope = forms.ChoiceField(
        label=_("Behörighet"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ
    )
    days = forms.IntegerField(
        label=_("Giltig i antal dagar"),
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        initial=settings.API_TOKEN_DAYS,
    )


class AcceptInvitationForm(forms.Form):
    """The invitee's own user name and password."""

    username = forms.RegexField(
        label=_("Användarnamn"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text=_("Det du loggar in med. Bokstäver, siffror och . @ + - _"),
        error_messages={"invalid": _("Använd bara bokstäver, siffror och . @ + - _")},
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Lösenord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minst 8 tecken, inte bara siffror och inte för likt användarnamnet."),
    )
    password_again = forms.CharField(
        label=_("Lösenordet igen"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("Lösenorden är inte lika."))
        return data
