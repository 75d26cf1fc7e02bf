"""Account pages: the answer to a locked-out login, the second factor (code, setting up an
app, recovery codes), the user's own API tokens, and the coordinator's unlock, reset and token
pages for the partnership's members."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lagesbild.accounts import forms, invitations, services, twofactor
from lagesbild.accounts.policy import GRANT, privileged, request_privilege
from lagesbild.api import services as tokens
from lagesbild.api.models import ApiToken
from lagesbild.partnerships.access import Role, get_for_member, member_required, scoped
from lagesbild.partnerships.models import Membership
from lagesbild.web.htmx import add_service_errors

coordinator_required = member_required(Role.COORDINATOR)


def _next_url(request) -> str:
    """Where to go after the login: a path on this site, else the start page. Only a path
    (starting with one slash): `redirect()` would take any other word, "0" say, for the
    name of a view and fail looking for it."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _posted(request):
    return request.POST if request.method == "POST" else None


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked login (the app's and the admin's): the login page with
    the reason and what to do, status 429."""
    username = (credentials or {}).get("username", "")
    return render(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request, initial={"username": username}),
            "locked_minutes": services.cooloff_minutes(),
            "next": _next_url(request),
        },
        status=429,
    )


# --- the second factor -------------------------------------------------------------------------


def verify(request):
    """The second step of the login: a code from the app or a recovery code."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = _next_url(request)
    if twofactor.pending_step(request) != "verify":
        return redirect(next_url)
    form = forms.CodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.verify(request=request, code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(next_url)
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "next": next_url},
        status=400 if form.errors else 200,
    )


def enrol(request):
    """Set up an authenticator app: scan the code (or type the key), confirm with a code,
    get the recovery codes. Replacing an app takes a verified session first, so a stolen
    password alone cannot swap the second factor."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if twofactor.pending_step(request) == "verify":
        return redirect(f"{reverse('accounts:verify')}?{urlencode({'next': request.path})}")
    device = services.pending_app(request.user)
    form = forms.AppCodeForm(_posted(request))
    next_url = _next_url(request)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_app(
                request=request, device=device, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url}
            )
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": next_url,
        "required": privileged(request),
        "for_grant": request_privilege(request) == GRANT,
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "accounts/enrol.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def recovery_codes(request):
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("accounts:enrol")
    codes = services.new_recovery_codes(request=request)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": reverse("accounts:account")},
    )


@require_POST
@login_required
def remove_second_factor(request):
    if privileged(request):
        messages.error(request, _("Din roll kräver tvåstegsverifiering; den kan inte stängas av."))
    else:
        services.remove_second_factor(actor=request.user, user=request.user, request=request)
        messages.success(request, _("Tvåstegsverifieringen är avstängd."))
    return redirect("accounts:account")


# --- the user's own page and API tokens ------------------------------------------------------


def _account_page(request, *, form=None, new_token=None, status=200):
    user = request.user
    context = {
        "nav": "account",
        "has_app": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "codes_left": StaticToken.objects.filter(device__user=user).count(),
        "required": privileged(request),
        "tokens": ApiToken.objects.filter(membership__user=user).select_related(
            "membership__partnership"
        ),
        "token_form": form or forms.TokenForm(),
        "new_token": new_token,
    }
    return render(request, "accounts/account.html", context, status=status)


@login_required
def account(request):
    return _account_page(request)


@require_POST
@member_required(Role.REPORTER)
def token_create(request):
    """A new token acting as the user's current membership; the page shows it once."""
    form = forms.TokenForm(request.POST)
    if form.is_valid():
        try:
            _token, raw = tokens.issue_token(
                actor=request.user,
                membership=request.membership,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _account_page(request, new_token=raw, status=201)
    return _account_page(request, form=form, status=400)


@require_POST
@login_required
def token_revoke(request, pk: int):
    token = get_object_or_404(
        ApiToken.objects.select_related("membership"), pk=pk, membership__user=request.user
    )
    tokens.revoke_token(actor=request.user, token=token, request=request)
    messages.success(request, _("API-nyckeln %(name)s är återkallad.") % {"name": token.name})
    return redirect("accounts:account")


# --- the coordinator's pages -------------------------------------------------------------------


@coordinator_required
def partnership_tokens(request):
    rows = scoped(ApiToken.objects.select_related("membership__user"), request.membership)
    return render(request, "accounts/partnership_tokens.html", {"nav": "manage", "tokens": rows})


@require_POST
@coordinator_required
def partnership_token_revoke(request, pk: int):
    token = get_for_member(ApiToken.objects.select_related("membership"), request.membership, pk)
    tokens.revoke_token(actor=request.user, token=token, request=request)
    messages.success(request, _("API-nyckeln %(name)s är återkallad.") % {"name": token.name})
    return redirect("accounts:partnership_tokens")


def _member_for_account_change(request, pk: int) -> Membership | None:
    """The member, or None (with a message) when the account is an administrator's, which
    only another administrator may change."""
    member = get_for_member(Membership.objects.select_related("user"), request.membership, pk)
    if member.user.is_staff or member.user.is_superuser:
        messages.error(request, _("Det här är en administratörs konto; be en administratör."))
        return None
    return member


@require_POST
@coordinator_required
def member_unlock(request, pk: int):
    member = _member_for_account_change(request, pk)
    if member is not None:
        services.unlock(actor=request.user, user=member.user, member=member, request=request)
        messages.success(
            request, _("%(name)s kan logga in igen.") % {"name": member.user.get_username()}
        )
    return redirect("partnerships:member_edit", pk)


@require_POST
@coordinator_required
def member_reset_second_factor(request, pk: int):
    member = _member_for_account_change(request, pk)
    if member is not None:
        services.remove_second_factor(
            actor=request.user, user=member.user, member=member, request=request
        )
        messages.success(
            request,
            _("Tvåstegsverifieringen för %(name)s är nollställd.")
            % {"name": member.user.get_username()},
        )
    return redirect("partnerships:member_edit", pk)


# --- invitations -------------------------------------------------------------------------------


def invitation(request, token: str):
    """The invitee's page: choose a user name and a password, then log in. A used, expired
    or unknown link gets the same answer (410), so links cannot be probed."""
    found = invitations.open_invitation(token)
    if found is None:
        return render(request, "accounts/invitation_gone.html", status=410)
    initial = {"username": found.email.split("@")[0]}
    form = forms.AcceptInvitationForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.accept_invitation(
                token=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Ditt konto %(name)s är klart. Logga in.") % {"name": user.get_username()},
            )
            return redirect("login")
    return render(
        request,
        "accounts/invitation.html",
        {"form": form, "invitation": found},
        status=400 if form.errors else 200,
    )
