"""Writes on a partnership's people and policy: members, organisations and settings.

Every function is keyword-only, runs in one transaction and writes the audit trail. The
rules that keep a coordinator from locking themselves out live here, so the HTML pages and
any later API refuse the same things with the same words.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lagesbild.audit.record import record
from lagesbild.partnerships.models import Membership, Organisation, Partnership

Role = Membership.Role


@dataclass(frozen=True)
class NewUser:
    """The details of a user account created together with its first membership."""

    first_name: str
    last_name: str
    email: str
    password: str


def _check_organisation(partnership: Partnership, organisation: Organisation) -> None:
    if organisation.partnership_id != partnership.pk or not organisation.active:
        raise ValidationError(
            {"organisation": _("Välj en aktiv organisation i den här samverkan.")}
        )


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Välj en roll ur listan.")})


def _create_user(username: str, details: NewUser):
    user = get_user_model()(
        username=username,
        first_name=details.first_name,
        last_name=details.last_name,
        email=details.email,
    )
    user.full_clean(exclude=["password"])
    try:
        validate_password(details.password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(details.password)
    user.save()
    return user


def _existing_user(username: str):
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        message = _("Det finns ingen aktiv användare med användarnamnet %(name)s.")
        raise ValidationError({"username": message % {"name": username}})
    return user


@transaction.atomic
def add_member(
    *,
    actor,
    partnership: Partnership,
    username: str,
    organisation: Organisation,
    role: str,
    new_user: NewUser | None = None,
    request=None,
) -> Membership:
    """Give a user a role in the partnership through one of its organisations.

    With `new_user` the account is created (the password must pass the installation's
    password rules); without it `username` must name an existing active account.
    """
    _check_organisation(partnership, organisation)
    _check_role(role)
    user = _create_user(username, new_user) if new_user else _existing_user(username)
    if Membership.objects.filter(user=user, partnership=partnership).exists():
        message = _("%(name)s är redan medlem i samverkan. Ändra medlemskapet i stället.")
        raise ValidationError({"username": message % {"name": username}})
    member = Membership.objects.create(
        user=user, partnership=partnership, organisation=organisation, role=role
    )
    record(
        actor=actor,
        action="membership.create",
        obj=member,
        summary=f"{username}: {member.get_role_display()}, {organisation.name}",
        request=request,
        user_created=new_user is not None,
        organisation=organisation.pk,
        role=role,
    )
    return member


def _check_not_locking_out(actor, member: Membership, role: str, active: bool) -> None:
    """A coordinator may not take away their own coordinator role or membership: the
    partnership would risk being left without anyone who can manage it."""
    if member.user_id != actor.pk:
        return
    if role != Role.COORDINATOR:
        raise ValidationError(
            {"role": _("Du kan inte ta bort din egen roll som samordnare. Be en annan samordnare.")}
        )
    if not active:
        raise ValidationError(
            {"active": _("Du kan inte inaktivera dig själv. Be en annan samordnare.")}
        )


@transaction.atomic
def change_member(
    *,
    actor,
    member: Membership,
    organisation: Organisation,
    role: str,
    active: bool,
    request=None,
) -> Membership:
    """Change a member's organisation or role, or (de)activate the membership."""
    _check_organisation(member.partnership, organisation)
    _check_role(role)
    _check_not_locking_out(actor, member, role, active)
    before = {"organisation": member.organisation_id, "role": member.role, "active": member.active}
    member.organisation, member.role, member.active = organisation, role, active
    member.save(update_fields=["organisation", "role", "active"])
    after = {"organisation": organisation.pk, "role": role, "active": active}
    record(
        actor=actor,
        action="membership.update",
        obj=member,
        summary=member.user.username,
        request=request,
        changes=_changes(before, after),
    )
    return member


def _changes(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields that changed, for the audit trail."""
    return {k: [before[k], after[k]] for k in after if before[k] != after[k]}


@transaction.atomic
def save_organisation(
    *,
    actor,
    partnership: Partnership,
    organisation: Organisation | None = None,
    name: str,
    kind: str,
    active: bool = True,
    request=None,
) -> Organisation:
    """Create or update an organisation. Deactivating one shuts its members out, so a
    coordinator may not deactivate the organisation they act through."""
    creating = organisation is None
    if creating:
        organisation = Organisation(partnership=partnership)
    taken = Organisation.objects.filter(partnership=partnership, name__iexact=name)
    if taken.exclude(pk=organisation.pk).exists():
        raise ValidationError({"name": _("Det finns redan en organisation med det namnet.")})
    if not active and not creating and _acts_through(actor, organisation):
        raise ValidationError(
            {"active": _("Du kan inte inaktivera din egen organisation; då stängs du ute.")}
        )
    before = {"name": organisation.name, "kind": organisation.kind, "active": organisation.active}
    organisation.name, organisation.kind, organisation.active = name, kind, active
    organisation.full_clean()
    organisation.save()
    record(
        actor=actor,
        action="organisation.create" if creating else "organisation.update",
        obj=organisation,
        summary=name,
        request=request,
        changes=_changes(before, {"name": name, "kind": kind, "active": active}),
    )
    return organisation


def _acts_through(actor, organisation: Organisation) -> bool:
    return Membership.objects.filter(
        user_id=actor.pk, organisation=organisation, active=True
    ).exists()


def parse_scale(text: str) -> list[dict]:
    """An assessment scale from lines like '1 Lugnt' (level, then name), lowest first."""
    scale = []
    for line in text.splitlines():
        if not line.strip():
            continue
        level, _sep, name = line.strip().partition(" ")
        if not level.isdigit() or not name.strip():
            raise ValidationError(
                {
                    "assessment_scale": _(
                        "Skriv en nivå per rad: siffran, ett mellanslag och namnet."
                    )
                }
            )
        scale.append({"level": int(level), "name": name.strip()})
    levels = [entry["level"] for entry in scale]
    if not 2 <= len(scale) <= 7 or levels != sorted(set(levels)):
        raise ValidationError(
            {"assessment_scale": _("Skalan behöver 2–7 nivåer med stigande, olika siffror.")}
        )
    return scale


@transaction.atomic
def change_settings(
    *,
    actor,
    partnership: Partnership,
    assessment_scale: list[dict],
    reporters_see_picture: bool,
    periodic_kind: str,
    suppress_below: int,
    coverage_start=None,
    request=None,
) -> Partnership:
    """The partnership's policy for its pictures, set by its coordinators. The coverage
    start (empty: the first report) bounds every comparison in the pictures."""
    before = {
        "assessment_scale": partnership.assessment_scale,
        "reporters_see_picture": partnership.reporters_see_picture,
        "periodic_kind": partnership.periodic_kind,
        "suppress_below": partnership.suppress_below,
        "coverage_start": partnership.coverage_start,
    }
    partnership.assessment_scale = assessment_scale
    partnership.reporters_see_picture = reporters_see_picture
    partnership.periodic_kind = periodic_kind
    partnership.suppress_below = suppress_below
    partnership.coverage_start = coverage_start
    partnership.full_clean(exclude=["name", "slug"])
    partnership.save(update_fields=list(before))
    after = {name: getattr(partnership, name) for name in before}
    # Dates as text: the audit trail stores JSON.
    for values in (before, after):
        if values["coverage_start"] is not None:
            values["coverage_start"] = values["coverage_start"].isoformat()
    record(
        actor=actor,
        action="partnership.settings",
        obj=partnership,
        partnership=partnership,
        request=request,
        changes=_changes(before, after),
    )
    return partnership
