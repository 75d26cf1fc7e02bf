"""Writes on a partnership's people and policy: members, organisations and settings.

Every function is keyword-only, runs in one transaction and writes the audit trail. The
rules that keep a coordinator from locking themselves out live here, so the HTML pages and
any later API refuse the same things with the same words.
"""

from dataclasses import dataclass
from zoneinfo import available_timezones

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lagesbild.audit.record import record
from lagesbild.incidents.category_services import install_default_checklist
from lagesbild.partnerships.models import Membership, Organisation, Partnership
from lagesbild.partnerships.municipalities import municipality

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


def check_time_zone(time_zone: str) -> None:
    """A time zone from the IANA database ("Europe/Stockholm"), or a ValidationError."""
    if time_zone not in available_timezones():
        raise ValidationError(
            {"time_zone": _("Välj en tidszon ur listan, till exempel Europe/Stockholm.")}
        )


def _free_slug(name: str) -> str:
    """A short name for the partnership made from its name, numbered when it is taken."""
    length = Partnership._meta.get_field("slug").max_length
    base = (slugify(name) or "samverkan")[: length - 4]
    taken = set(Partnership.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


class Checklist:
    """What a new partnership's category checklist starts as."""

    DEFAULT = "default"
    EMPTY = "empty"


@transaction.atomic
def create_partnership(
    *,
    actor,
    name: str,
    municipality_code: str,
    time_zone: str = "Europe/Stockholm",
    checklist: str = Checklist.DEFAULT,
    organisation_name: str,
    organisation_kind: str = Organisation.Kind.MUNICIPALITY,
    slug: str | None = None,
    request=None,
) -> Partnership:
    """A new partnership with its first organisation and its checklist (the default EST
    checklist or none). Its first coordinator is invited separately
    (`accounts.invitations.invite`), so no password passes through the administrator.

    `municipality_code` is SCB's four-digit code (blank for a partnership that is not one
    municipality's, such as a region's)."""
    name = name.strip()
    code = municipality_code.strip()
    if Partnership.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("Det finns redan en samverkan med det namnet.")})
    if code and municipality(code) is None:
        raise ValidationError(
            {
                "municipality_code": _(
                    "%(code)s är inte en svensk kommunkod. Koden har fyra siffror, till "
                    "exempel 0163 för Sollentuna."
                )
                % {"code": code}
            }
        )
    check_time_zone(time_zone)
    if checklist not in (Checklist.DEFAULT, Checklist.EMPTY):
        raise ValidationError({"checklist": _("Välj en checklista ur listan.")})
    if slug is not None and Partnership.objects.filter(slug=slug).exists():
        raise ValidationError({"name": _("Det finns redan en samverkan med det kortnamnet.")})
    partnership = Partnership(
        name=name, slug=slug or _free_slug(name), municipality_code=code, time_zone=time_zone
    )
    partnership.full_clean()
    partnership.save()
    record(
        actor=actor,
        action="partnership.create",
        obj=partnership,
        partnership=partnership,
        summary=name,
        request=request,
        municipality_code=code,
        time_zone=time_zone,
        checklist=checklist,
    )
    save_organisation(
        actor=actor,
        partnership=partnership,
        name=organisation_name.strip(),
        kind=organisation_kind,
        request=request,
    )
    if checklist == Checklist.DEFAULT:
        install_default_checklist(actor=actor, partnership=partnership, request=request)
    return partnership


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
    time_zone: str | None = None,
    request=None,
) -> Partnership:
    """The partnership's policy for its pictures, set by its coordinators, and the time zone
    its weeks and times are read in. The coverage start (empty: the first report) bounds
    every comparison in the pictures."""
    before = {
        "assessment_scale": partnership.assessment_scale,
        "reporters_see_picture": partnership.reporters_see_picture,
        "periodic_kind": partnership.periodic_kind,
        "suppress_below": partnership.suppress_below,
        "coverage_start": partnership.coverage_start,
        "time_zone": partnership.time_zone,
    }
    if time_zone is not None and time_zone != partnership.time_zone:
        check_time_zone(time_zone)
        # Each incident's week is stored as read in the partnership's time zone, and approved
        # pictures froze those weeks: a later change would split one week two ways.
        if partnership.incidents.exists():
            raise ValidationError(
                {
                    "time_zone": _(
                        "Tidszonen kan bara ändras innan samverkan har några händelser, "
                        "eftersom varje händelses vecka räknas i tidszonen."
                    )
                }
            )
        partnership.time_zone = time_zone
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
