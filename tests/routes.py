"""The isolation walk's route table and world, shared by the tests that walk every URL
(tests/test_isolation.py, tests/test_fuzz.py) so neither test module imports the other.

ROUTES says, for every URL pattern `django.urls.get_resolver()` knows, its minimum role, the
methods it offers and which of partnership A's objects fill its path parameters; WALKED is every
pattern not skipped on purpose. `build_world()` makes partnerships A and B and the cast of
personas; everything A owns carries MARK_A in its name or text.
"""

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import ForeignKey, Value
from django.db.models.functions import Concat
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from lagesbild.api.models import ApiToken
from lagesbild.audit.record import record
from lagesbild.geography.models import Area, Place
from lagesbild.guests.models import DetailGrant, GuestOrganisation
from lagesbild.incidents import import_jobs, weeks
from lagesbild.incidents.models import Category, ImportJob
from lagesbild.indicators import services as indicators
from lagesbild.indicators.models import Indicator
from lagesbild.interventions.models import Decision, Meeting
from lagesbild.partnerships.access import Role
from lagesbild.partnerships.models import Organisation, Partnership
from lagesbild.pictures import periodic, periods, runs
from lagesbild.pictures import services as pictures
from lagesbild.pictures.models import Picture
from lagesbild.policeevents import services as police_events
from tests.factories import make_incident, make_intervention, make_member, make_partnership, square

# A dot cannot occur in the random tokens a page carries (CSRF, API keys: letters, digits, _
# and -), so a marker is never found in one by chance: "qqA7" once was, inside a CSRF token.
MARK_A = "qq.A7"
MARK_OTHER = "qq.Other"


# --- the routes -------------------------------------------------------------------------------

# What the walk leaves out, with the reason: whole includes by route prefix, single patterns
# by name.
SKIPPED_INCLUDES = {
    "admin/": "Django admin: staff accounts only, guarded by Django's own staff check",
}
SKIPPED = {
    "set_language": "language switch: stores a language choice, touches no partnership data",
    "login": "login page: public by design",
    "favicon": "the site icon: a redirect to a static file, public by design",
    "service_worker": "the reporting form's service worker script: static URLs only, public "
    "by design (tests/web/test_installable.py)",
    "web_manifest": "the web app manifest: names and icons only, public by design "
    "(tests/web/test_installable.py)",
    "logout": "logout: ends the caller's own session only",
    "api:openapi-json": "static API description: no partnership data (tests/api checks it)",
    "api:openapi-view": "static API docs page: no partnership data",
    "api:api-root": "API root: Django Ninja's placeholder that always answers 404",
    "accounts:recovery_codes": "the caller's own recovery codes: no partnership data "
    "(tests/accounts)",
    "accounts:token_revoke": "the caller's own tokens only, 404 for anyone else's, whatever "
    "the role (tests/accounts)",
    "healthz": "health check: public by design, counts only (tests/operations)",
    "healthz_worker": "worker health: public by design, counts and ages only (tests/operations)",
    "metrics": "Prometheus metrics: token or address only, counts only (tests/operations)",
    "partnerships:create": "the installation administrator's (is_staff) page, no member's: "
    "tests/partnerships/test_onboarding.py checks 403 for a coordinator",
    "partnerships:invite_coordinator": "the installation administrator's (is_staff) page "
    "(tests/partnerships/test_onboarding.py)",
    "partnerships:area_import_file": "a stored upload named by a random key under the "
    "partnership's own folder; another partnership's coordinator gets 404 "
    "(tests/geography/test_area_import.py)",
    "indicators:upload_preview": "a stored upload named by a random key under the "
    "partnership's own folder; another partnership's coordinator gets 404 "
    "(tests/indicators/test_views.py)",
    "accounts:invitation": "public by design: the link's secret token is the key; unknown "
    "tokens get 410 (tests/partnerships/test_onboarding.py)",
}

# Path parameter names that mean the same kind of object in every view. A view whose parameter
# means something else (every `pk`) says so in its own Route.params.
DEFAULT_PARAMS = {
    "incident_id": "incident",
    "area_id": "area",
    "place_id": "place",
    "category_id": "category",
    "organisation_id": "organisation",
    "membership_id": "membership",
    "week": "week",
    "iso": "week",
    "version": "picture_version",
    "period": "quarter",
    "kind": "period_kind",
    "fmt": "export_format",
}


@dataclass(frozen=True)
class Route:
    """What one URL pattern offers: its minimum role, its methods and what a permitted caller
    gets, and which of A's objects fill its path parameters."""

    role: str
    methods: tuple[str, ...] = ("GET",)
    params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: Callable[["World"], dict] | None = None
    ok: dict[str, int] = field(default_factory=lambda: {"GET": 200, "POST": 302})
    # Status when B posts a body naming A's objects to a route without A's object in its path.
    foreign_post: int | None = None
    # Status of B's GET where it differs from A's (a query naming something only A has).
    foreign_get: int | None = None
    # A permitted GET by coordinator A (on a guest page: guest A) shows A's names or texts.
    shows_a: bool = False
    api: bool = False
    # What a guest gets on a route for members that also lets guests in (their own account,
    # the start page that sends them on); None: 403, like every member page.
    guest: dict[str, int] | None = None


def _report_form(world: "World") -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "category": world.objects["category"].pk,
        "lon": world.inside_a[0],
        "lat": world.inside_a[1],
        "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "severity": "1",
        "description": "Klotter på busskuren",
    }


def _progress_json(world: "World") -> dict:
    return {"done_on": timezone.localdate().isoformat(), "text": "Trygghetsvandring"}


def _report_json(world: "World") -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "category": world.objects["category"].code,
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "lon": world.inside_a[0],
        "lat": world.inside_a[1],
        "description": "Klotter på busskuren",
    }


def _correct_form(world: "World") -> dict:
    prefix = f"c{world.objects['incident'].pk}"
    return {
        f"{prefix}-category": world.objects["category"].pk,
        f"{prefix}-area": world.objects["area"].pk,
        f"{prefix}-place": world.objects["place"].pk,
        f"{prefix}-severity": "2",
        f"{prefix}-reason": "Rättad kategori",
    }


def _reject_form(world: "World") -> dict:
    return {f"r{world.objects['incident'].pk}-reason": "Dubbelrapport"}


def _merge_form(world: "World") -> dict:
    return {"duplicates": [world.objects["duplicate"].pk]}


def _switch_form(world: "World") -> dict:
    return {"partnership": world.a.pk}


def _area_form(world: "World") -> dict:
    area = world.objects["area"]
    return {"name": "Norr", "code": area.code, "kind": "omrade", "active": "on"}


def _new_area_form(world: "World") -> dict:
    inside = square(world.inside_a[0], world.inside_a[1], 0.002)
    return {
        "name": "Nytt område",
        "code": "NYTT",
        "kind": "omrade",
        "parent": world.objects["area"].pk,
        "geometry_text": json.dumps(inside),
        "active": "on",
    }


def _place_form(world: "World") -> dict:
    lon, lat = world.inside_a
    return {"name": "Ny plats", "kind": "torg", "lon": lon, "lat": lat, "active": "on"}


def _category_form(world: "World") -> dict:
    return {"name": "Klotter", "weight": "1", "sort_order": "1", "active": "on"}


def _new_category_form(world: "World") -> dict:
    group = world.objects["category"].parent_id
    return {"group": group, "name": "Ny kategori", "weight": "1"}


def _group_form(world: "World") -> dict:
    return {"name": "Ny grupp", "weight": "1"}


def _organisation_form(world: "World") -> dict:
    return {"name": "Ny organisation", "kind": "kommun", "active": "on"}


def _member_form(world: "World") -> dict:
    member = world.objects["membership"]
    return {"organisation": member.organisation_id, "role": "reporter", "active": "on"}


def _member_invite_form(world: "World") -> dict:
    return {
        "first_name": "Kim",
        "last_name": "Inbjuden",
        "email": "kim@example.org",
        "organisation": world.objects["organisation"].pk,
        "role": "reporter",
    }


def _new_member_form(world: "World") -> dict:
    return {
        "account": "existing",
        "username": world.memberships["member_b"].user.username,
        "organisation": world.objects["organisation"].pk,
        "role": "member",
    }


def _invite_form(world: "World") -> dict:
    guest = world.memberships["guest_a"]
    return {"organisation": guest.organisation_id, "areas": [world.objects["area"].pk]}


def _grant_form(world: "World") -> dict:
    today = timezone.localdate()
    return {
        "guest": world.objects["guest"].pk,
        "areas": [world.objects["area"].pk],
        "purpose": "Gemensam satsning mot bidragsbrott",
        "starts": (today - timedelta(days=7)).isoformat(),
        "ends": (today + timedelta(days=30)).isoformat(),
    }


def _settings_form(world: "World") -> dict:
    return {
        "assessment_scale": "1 Lugnt\n2 Oroligt",
        "periodic_kind": "tertial",
        "suppress_below": "2",
    }


def _manage(kind: str | None, body, *, shows_a: bool = True, foreign_post: int = 400) -> Route:
    """A coordinator's administration page: a list (body None), a form for a new object
    (kind None) or the form of one of A's objects of `kind`."""
    if body is None:
        return Route(Role.COORDINATOR, shows_a=True)
    return Route(
        Role.COORDINATOR,
        ("GET", "POST"),
        params={"pk": kind} if kind else {},
        body=body,
        foreign_post=foreign_post,
        shows_a=shows_a,
    )


def _assessment_form(world: "World") -> dict:
    prefix = f"a{world.objects['area'].pk}"
    return {f"{prefix}-level": "2", f"{prefix}-comment": "Lugnare än förra veckan"}


def _meeting_form(world: "World") -> dict:
    return {"held_on": timezone.localdate().isoformat(), "week": world.fill("week")}


def _minutes_form(world: "World") -> dict:
    return {"attendees": "Polisen, bostadsbolaget", "minutes": "Genomgång av veckan"}


def _decision_form(world: "World") -> dict:
    return {
        "text": "Extra belysning vid torget",
        "create_intervention": "on",
        "title": "Belysning",
        "areas": [world.objects["area"].pk],
        "categories": [world.objects["category"].pk],
        "responsible": world.objects["organisation"].pk,
        "due_date": (timezone.localdate() + timedelta(days=14)).isoformat(),
    }


def _status_form(world: "World") -> dict:
    return {f"s{world.objects['intervention'].pk}-status": "ongoing"}


def _intervention_form(world: "World") -> dict:
    return {
        "title": "Belysning",
        "areas": [world.objects["area"].pk],
        "categories": [world.objects["category"].pk],
        "responsible": world.objects["organisation"].pk,
        "due_date": (timezone.localdate() + timedelta(days=14)).isoformat(),
    }


def _note_form(world: "World") -> dict:
    return {"done_on": timezone.localdate().isoformat(), "text": "Tre kvällar vid torget"}


def _influence_form(world: "World") -> dict:
    prefix = f"i{world.objects['area'].pk}"
    return {f"{prefix}-level": "2", f"{prefix}-comment": "Går att påverka"}


def _token_form(world: "World") -> dict:
    return {"name": "Import", "scope": "read", "days": "30"}


def _redact_form(world: "World") -> dict:
    return {"field": "description", "passage": "klotter på muren", "reason": "Prov"}


def _erase_form(world: "World") -> dict:
    return {"reason": "Ska inte finnas", "confirm": "on"}


def _retention_form(world: "World") -> dict:
    return {"text_months": "24", "point_months": "36", "audit_address_months": "6", "confirm": "1"}


def _indicator_form(world: "World") -> dict:
    return {
        "name": f"Kostnad {uuid.uuid4().hex[:8]}",
        "unit": "kr",
        "period": "month",
        "scale": "amount",
        "direction": "higher_worse",
        "source": "Bostadsbolaget",
        "visibility": "members",
        "active": "on",
    }


def _indicator_edit_form(world: "World") -> dict:
    return {**_indicator_form(world), "name": f"{MARK_A} Skadegörelsekostnad"}


def _indicator_values_form(world: "World") -> dict:
    return {f"value_{world.objects['area'].pk}": "1 250", "source_note": "Bolaget"}


def _indicator_file(world: "World") -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = f"Område;Period;Värde\n{world.objects['area'].code};2026-01;10\n".encode()
    return {"file": SimpleUploadedFile("varden.csv", content), "source_note": "Bolaget"}


def _police_type_form(world: "World") -> dict:
    return {"event_type": "Bråk", "category": world.objects["category"].pk}


REVIEW = {"role": Role.COORDINATOR, "methods": ("POST",), "params": {"pk": "incident"}}
DATA_PROTECTION = {"role": Role.COORDINATOR, "methods": ("GET", "POST"), "shows_a": True}

ROUTES: dict[str, Route] = {
    "home": Route(Role.REPORTER, guest={"GET": 302}),
    "incidents:list": Route(Role.REPORTER, shows_a=True),
    "incidents:report": Route(
        Role.REPORTER, ("GET", "POST"), body=_report_form, foreign_post=400, shows_a=True
    ),
    "incidents:detail": Route(Role.REPORTER, params={"pk": "incident"}, shows_a=True),
    # GeoJSON in the walk (streamed text, so a leak shows).
    "incidents:export": Route(Role.MEMBER, shows_a=True),
    "incidents:map": Route(Role.MEMBER, shows_a=True),
    "incidents:map_points": Route(Role.MEMBER, shows_a=True),
    "incidents:weekly": Route(Role.MEMBER, shows_a=True),
    "incidents:review": Route(Role.COORDINATOR, shows_a=True),
    "incidents:accept": Route(**REVIEW),
    "incidents:correct": Route(**REVIEW, body=_correct_form),
    "incidents:reject": Route(**REVIEW, body=_reject_form),
    "incidents:merge": Route(**REVIEW, body=_merge_form),
    # B's coordinator naming A's report: refused with a message (back to B's queue).
    "incidents:bulk_accept": Route(
        Role.COORDINATOR,
        ("POST",),
        body=lambda world: {"incidents": [world.objects["incident"].pk]},
        foreign_post=302,
    ),
    "partnerships:switch": Route(Role.REPORTER, ("POST",), body=_switch_form, foreign_post=404),
    "partnerships:manage": Route(Role.COORDINATOR, shows_a=True),
    # B's coordinator changes B's own settings (302); A's are untouched.
    "partnerships:settings": _manage(None, _settings_form, shows_a=False, foreign_post=302),
    "partnerships:area_list": _manage(None, None),
    "partnerships:area_create": _manage(None, _new_area_form),
    "partnerships:area_edit": _manage("area", _area_form),
    # A POST without a file is a form error (400) for every coordinator; nothing is stored.
    "partnerships:area_import": Route(
        Role.COORDINATOR,
        ("GET", "POST"),
        body=lambda world: {},
        ok={"GET": 200, "POST": 400},
        foreign_post=400,
    ),
    "partnerships:place_list": _manage(None, None),
    "partnerships:place_create": _manage(None, _place_form, shows_a=False),
    "partnerships:place_edit": _manage("place", _place_form),
    "partnerships:category_list": _manage(None, None),
    "partnerships:category_create": _manage(None, _new_category_form),
    "partnerships:category_edit": _manage("category", _category_form),
    # B's coordinator adds a group to B's own checklist (302); A's is untouched.
    "partnerships:group_create": _manage(None, _group_form, shows_a=False, foreign_post=302),
    # Refused for both (each already has a checklist): a message and back to the list.
    "partnerships:checklist_install": Route(Role.COORDINATOR, ("POST",), foreign_post=302),
    "partnerships:organisation_list": _manage(None, None),
    "partnerships:organisation_create": _manage(
        None, _organisation_form, shows_a=False, foreign_post=302
    ),
    "partnerships:organisation_edit": _manage("organisation", _organisation_form),
    "partnerships:member_list": _manage(None, None),
    "partnerships:member_create": _manage(None, _new_member_form),
    # The link page answers 201; B cannot choose A's organisation (400).
    "partnerships:member_invite": Route(
        Role.COORDINATOR,
        ("GET", "POST"),
        body=_member_invite_form,
        ok={"GET": 200, "POST": 201},
        foreign_post=400,
        shows_a=True,
    ),
    "partnerships:member_edit": _manage("membership", _member_form),
    # A reporter sees the picture only where the partnership allows it (not by default).
    "pictures:latest": Route(Role.MEMBER, ok={"GET": 302}),
    "pictures:archive": Route(Role.MEMBER),
    "pictures:areas": Route(Role.MEMBER, shows_a=True),
    "pictures:area": Route(Role.MEMBER, params={"pk": "area"}, shows_a=True),
    "pictures:week": Route(Role.MEMBER),
    "pictures:status": Route(Role.MEMBER),
    "pictures:compare": Route(Role.MEMBER),
    "pictures:map_data": Route(
        Role.MEMBER,
        query={"version": "1"},
        foreign_get=404,
        shows_a=True,
    ),
    "pictures:version": Route(Role.MEMBER, shows_a=True),
    "pictures:periodic_latest": Route(Role.MEMBER, ok={"GET": 302}),
    "pictures:period": Route(Role.MEMBER, shows_a=True),
    "pictures:period_version": Route(
        Role.MEMBER, params={"version": "period_version"}, shows_a=True
    ),
    "pictures:period_approve": Route(
        Role.COORDINATOR, ("POST",), body=lambda world: {"change_note": ""}, foreign_post=302
    ),
    "pictures:period_influence": Route(Role.COORDINATOR, ("POST",), body=_influence_form),
    "pictures:approve": Route(
        Role.COORDINATOR, ("POST",), body=lambda world: {"change_note": ""}, foreign_post=302
    ),
    # Exports: GeoJSON in the walk (text, so a leak shows); B has no run, so B's draft
    # export sends B to its own picture page while that computes.
    "pictures:export": Route(Role.MEMBER, foreign_get=302, shows_a=True),
    "pictures:export_version": Route(Role.MEMBER, shows_a=True),
    "pictures:period_export": Route(Role.MEMBER, params={"fmt": "periodic_format"}, shows_a=True),
    "pictures:period_export_version": Route(
        Role.MEMBER, params={"version": "period_version", "fmt": "periodic_format"}, shows_a=True
    ),
    "pictures:assess": Route(
        Role.COORDINATOR, ("POST",), params={"area_id": "area"}, body=_assessment_form
    ),
    "interventions:meetings": Route(Role.MEMBER, shows_a=True),
    "interventions:meeting_create": Route(
        Role.COORDINATOR, ("POST",), body=_meeting_form, foreign_post=302
    ),
    "interventions:meeting": Route(Role.MEMBER, params={"pk": "meeting"}, shows_a=True),
    "interventions:projector": Route(Role.MEMBER, params={"pk": "meeting"}, shows_a=True),
    "interventions:minutes": Route(
        Role.COORDINATOR, ("POST",), params={"pk": "meeting"}, body=_minutes_form
    ),
    "interventions:decision": Route(
        Role.COORDINATOR, ("POST",), params={"pk": "meeting"}, body=_decision_form
    ),
    "interventions:list": Route(Role.MEMBER, shows_a=True),
    "interventions:mine": Route(Role.MEMBER),
    "interventions:overview": Route(Role.MEMBER),
    "interventions:yearly": Route(Role.MEMBER, params={"year": "year"}, shows_a=True),
    "interventions:yearly_excel": Route(Role.MEMBER, params={"year": "year"}),
    "interventions:yearly_pdf": Route(Role.MEMBER, params={"year": "year"}),
    "interventions:yearly_reflection": Route(
        Role.COORDINATOR,
        ("POST",),
        params={"year": "year", "heading": "reflection_heading"},
        body=lambda world: {"orsaker-text": "Mest kvällar vid stationen."},
        foreign_post=302,
    ),
    "interventions:create": Route(
        Role.COORDINATOR, ("GET", "POST"), body=_intervention_form, foreign_post=400
    ),
    "interventions:types": Route(
        Role.COORDINATOR, ("GET", "POST"), body=lambda world: {"name": "Ny typ"}, foreign_post=302
    ),
    "interventions:detail": Route(Role.MEMBER, params={"pk": "intervention"}, shows_a=True),
    "interventions:edit": Route(
        Role.COORDINATOR,
        ("GET", "POST"),
        params={"pk": "intervention"},
        body=_intervention_form,
        shows_a=True,
    ),
    "interventions:note": Route(
        Role.MEMBER, ("POST",), params={"pk": "intervention"}, body=_note_form
    ),
    "interventions:evaluation": Route(Role.MEMBER, params={"pk": "intervention"}, shows_a=True),
    "interventions:evaluation_setup": Route(
        Role.ANALYST,
        ("POST",),
        params={"pk": "intervention"},
        body=lambda world: {"weeks_before": "26"},
    ),
    "interventions:evaluation_status": Route(Role.MEMBER, params={"pk": "intervention"}),
    "interventions:evaluation_recompute": Route(
        Role.ANALYST, ("POST",), params={"pk": "intervention"}
    ),
    "interventions:status": Route(
        Role.MEMBER, ("POST",), params={"pk": "intervention"}, body=_status_form
    ),
    "indicators:list": Route(Role.MEMBER, shows_a=True),
    "indicators:create": Route(
        Role.COORDINATOR, ("GET", "POST"), body=_indicator_form, foreign_post=302
    ),
    # The built-in police indicator: added or refused (no municipality code), then back.
    "indicators:add_police": Route(
        Role.COORDINATOR, ("POST",), body=lambda world: {"period": "month"}, foreign_post=302
    ),
    "indicators:detail": Route(Role.MEMBER, params={"pk": "indicator"}, shows_a=True),
    "indicators:edit": Route(
        Role.COORDINATOR,
        ("GET", "POST"),
        params={"pk": "indicator"},
        body=_indicator_edit_form,
        shows_a=True,
    ),
    "indicators:enter": Route(
        Role.COORDINATOR,
        ("GET", "POST"),
        params={"pk": "indicator"},
        body=_indicator_values_form,
        shows_a=True,
    ),
    "indicators:upload": Route(
        Role.COORDINATOR,
        ("GET", "POST"),
        params={"pk": "indicator"},
        body=_indicator_file,
        shows_a=True,
    ),
    "policeevents:list": Route(Role.MEMBER, shows_a=True),
    "policeevents:map_groups": Route(Role.MEMBER, shows_a=True),
    "policeevents:export": Route(Role.MEMBER, params={"fmt": "police_format"}, shows_a=True),
    # B's coordinator naming A's type and category: B has neither, a form error (400).
    "policeevents:types": Route(
        Role.COORDINATOR, ("GET", "POST"), body=_police_type_form, foreign_post=400, shows_a=True
    ),
    # Posts without a file, a mapping or a dry run are form errors (400) for every coordinator.
    "incidents:import_start": Route(
        Role.COORDINATOR,
        ("GET", "POST"),
        body=lambda world: {},
        ok={"GET": 200, "POST": 400},
        foreign_post=400,
        shows_a=True,
    ),
    "incidents:import_columns": Route(
        Role.COORDINATOR,
        ("GET", "POST"),
        params={"pk": "import_job"},
        body=lambda world: {},
        ok={"GET": 200, "POST": 400},
        shows_a=True,
    ),
    "incidents:import_categories": Route(
        Role.COORDINATOR,
        ("GET", "POST"),
        params={"pk": "import_job"},
        body=lambda world: {"v0": "999999999"},
        ok={"GET": 200, "POST": 400},
        shows_a=True,
    ),
    "incidents:import_job": Route(
        Role.COORDINATOR,
        ("GET", "POST"),
        params={"pk": "import_job"},
        body=lambda world: {},
        ok={"GET": 200, "POST": 400},
        shows_a=True,
    ),
    "incidents:import_progress": Route(Role.COORDINATOR, params={"pk": "import_job"}),
    "incidents:import_errors": Route(Role.COORDINATOR, params={"pk": "import_job"}, shows_a=True),
    "geography:areas_geojson": Route(Role.REPORTER, shows_a=True),
    "geography:search": Route(Role.REPORTER, query={"q": "Norr"}, shows_a=True),
    "geography:offline_places": Route(Role.REPORTER, shows_a=True),
    "audit:trail": Route(Role.COORDINATOR, shows_a=True),
    "api:list_incidents": Route(Role.REPORTER, api=True, shows_a=True),
    "api:create_incident": Route(
        Role.REPORTER,
        ("POST",),
        body=_report_json,
        ok={"POST": 201},
        foreign_post=422,
        api=True,
    ),
    "api:get_incident": Route(Role.REPORTER, api=True, shows_a=True),
    "api:weekly": Route(Role.MEMBER, api=True),
    "api:categories": Route(Role.REPORTER, api=True, shows_a=True),
    "api:areas": Route(Role.REPORTER, api=True, shows_a=True),
    "api:places": Route(Role.REPORTER, api=True, shows_a=True),
    "api:list_indicators": Route(Role.MEMBER, api=True, shows_a=True),
    "api:indicator_values": Route(
        Role.MEMBER, api=True, params={"indicator_id": "indicator"}, shows_a=True
    ),
    # Approvers are named, and A's user names carry MARK_A.
    "api:list_pictures": Route(Role.MEMBER, api=True, shows_a=True),
    "api:get_picture": Route(
        Role.MEMBER, api=True, params={"version": "period_version"}, shows_a=True
    ),
    "api:list_interventions": Route(Role.MEMBER, api=True, shows_a=True),
    "api:list_police_events": Route(Role.MEMBER, api=True, shows_a=True),
    # GET here; the PATCH on the same path is walked in tests/api/test_api_register.py.
    "api:get_intervention": Route(
        Role.MEMBER, api=True, params={"intervention_id": "intervention"}, shows_a=True
    ),
    "api:add_progress": Route(
        Role.MEMBER,
        ("POST",),
        params={"intervention_id": "intervention"},
        body=_progress_json,
        ok={"POST": 201},
        api=True,
    ),
    # The caller's own account and data are a guest's too.
    "accounts:account": Route(Role.REPORTER, shows_a=True, guest={"GET": 200}),
    # Every persona's session is verified or owes nothing, so the code page sends it on.
    "accounts:verify": Route(
        Role.REPORTER,
        ("GET", "POST"),
        ok={"GET": 302, "POST": 302},
        guest={"GET": 302, "POST": 302},
    ),
    "accounts:enrol": Route(
        Role.REPORTER,
        ("GET", "POST"),
        ok={"GET": 200, "POST": 400},
        guest={"GET": 200, "POST": 400},
    ),
    "accounts:remove_second_factor": Route(Role.REPORTER, ("POST",), guest={"POST": 302}),
    "accounts:token_create": Route(
        Role.REPORTER, ("POST",), body=_token_form, ok={"POST": 201}, foreign_post=201
    ),
    "dataprotection:redact": Route(**DATA_PROTECTION, params={"pk": "incident"}, body=_redact_form),
    "dataprotection:erase": Route(**DATA_PROTECTION, params={"pk": "incident"}, body=_erase_form),
    # B's coordinator sets B's own schedule (302); A's is untouched.
    "dataprotection:retention": _manage(None, _retention_form, foreign_post=302),
    # Everyone's own extract; A's coordinator's holds A's names.
    "dataprotection:my_data": Route(Role.REPORTER, shows_a=True, guest={"GET": 200}),
    "accounts:partnership_tokens": _manage(None, None),
    "accounts:partnership_token_revoke": Route(
        Role.COORDINATOR, ("POST",), params={"pk": "api_token"}
    ),
    "guests:start": Route(Role.GUEST, shows_a=True),
    "guests:picture": Route(
        Role.GUEST,
        params={"iso": "guest_week", "version": "guest_picture_version"},
        shows_a=True,
    ),
    # The guest's files are read like pages: the workbook's XML, the PDF's text.
    "guests:picture_export": Route(
        Role.GUEST,
        params={"iso": "guest_week", "version": "guest_picture_version", "fmt": "guest_xlsx"},
        shows_a=True,
    ),
    "guests:period": Route(
        Role.GUEST,
        params={"period": "guest_period", "version": "guest_period_version"},
        shows_a=True,
    ),
    "guests:period_export": Route(
        Role.GUEST,
        params={"period": "guest_period", "version": "guest_period_version", "fmt": "guest_pdf"},
        shows_a=True,
    ),
    "guests:effort": Route(Role.GUEST, params={"pk": "joint_effort"}, shows_a=True),
    "guests:effort_note": Route(
        Role.GUEST, ("POST",), params={"pk": "joint_effort"}, body=_note_form
    ),
    "guests:detail": Route(Role.GUEST),
    "guests:manage": _manage(None, None),
    "guests:invite": _manage(None, _invite_form),
    "guests:grant": _manage(None, _grant_form),
    "guests:revoke": Route(Role.COORDINATOR, ("POST",), params={"pk": "grant"}),
    "accounts:member_unlock": Route(Role.COORDINATOR, ("POST",), params={"pk": "membership"}),
    "accounts:member_reset_second_factor": Route(
        Role.COORDINATOR, ("POST",), params={"pk": "membership"}
    ),
}


def walk(resolver=None, prefix: str = "", namespace: str = ""):
    """(name, route) of every URL pattern, descending into includes; name is
    'namespace:name' (or the route itself for an unnamed pattern)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from walk(entry, route, inner)
        else:
            name = entry.name and ":".join(filter(None, [namespace, entry.name]))
            yield name or route, route


def skip_reason(name: str, route: str) -> str | None:
    for prefix, reason in SKIPPED_INCLUDES.items():
        if route.startswith(prefix):
            return reason
    return SKIPPED.get(name)


WALKED = [(name, route) for name, route in walk() if skip_reason(name, route) is None]


# --- the world: partnerships A and B and the cast --------------------------------------------


@dataclass
class World:
    a: Partnership
    b: Partnership
    memberships: dict
    objects: dict
    inside_a: tuple[float, float]
    by_others: list  # A's incidents filed by someone other than reporter A
    own: object  # reporter A's own incident
    # Texts of A that guest A must not meet: other areas, minutes, interventions and
    # decisions not shared with it, the reports' texts and positions (beside MARK_OTHER and
    # the detail links).
    guest_hidden: list = field(default_factory=list)

    clients: dict = field(default_factory=dict)
    state_of_a: dict = field(default_factory=dict)

    def log_in(self) -> None:
        """One client per persona for the module, logged in once while the world is built,
        so the sessions belong to the module's transaction and outlive each test's rollback
        (a new client would also load the middleware again, WhiteNoise's file scan included)."""
        self.clients = {"anonymous": Client()}
        for persona, membership in self.memberships.items():
            self.clients[persona] = Client()
            self.clients[persona].force_login(membership.user)
        self.state_of_a = snapshot(self.a)

    def client(self, persona: str) -> Client:
        client = self.clients[persona]
        if persona == "anonymous":
            client.cookies.clear()
        return client

    def secrets(self, persona: str) -> list[str]:
        """What must never reach the persona: for B and the anonymous everything of A, for
        reporter A the incidents other reporters filed (their texts and detail links; the
        HTML list shows links, not texts)."""
        if persona == "coordinator_a":
            return []
        if persona == "guest_a":
            return [*self.guest_hidden, MARK_OTHER, *self._links([*self.by_others, self.own])]
        if persona == "reporter_a":
            hidden, mark = self.by_others, MARK_OTHER
        else:
            hidden, mark = [*self.by_others, self.own], MARK_A
        return [mark, *self._links(hidden)]

    @staticmethod
    def _links(incidents) -> list[str]:
        return [f'href="{reverse("incidents:detail", args=[i.pk])}"' for i in incidents]

    def fill(self, kind: str):
        if kind == "week":
            return weeks.iso(weeks.week_code(timezone.now()))
        if kind == "quarter":
            today = timezone.localdate()
            return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
        if kind == "period_kind":
            return "kvartal"
        if kind == "year":
            return timezone.localdate().year
        if kind == "reflection_heading":
            return "orsaker"
        if kind == "picture_version":
            return self.objects["picture"].version
        if kind == "export_format":
            return "geojson"  # text, so the walk's leak checks can read it
        if kind == "periodic_format":
            return "xlsx"  # a periodic picture has no GeoJSON; the walk reads the workbook's XML
        if kind == "police_format":
            return "csv"  # the police notices' files are CSV and Excel
        if kind == "period_version":
            return self.objects["period_picture"].version
        if kind == "guest_week":
            return self.objects["guest_picture"].period
        if kind == "guest_picture_version":
            return self.objects["guest_picture"].version
        if kind == "guest_period":
            return self.objects["guest_period_picture"].period
        if kind == "guest_period_version":
            return self.objects["guest_period_picture"].version
        if kind in ("guest_pdf", "guest_xlsx"):
            return kind.removeprefix("guest_")
        return self.objects[kind].pk


def _mark(partnership: Partnership) -> None:
    """Put MARK_A into every name of the partnership, so any leak of it shows in a body."""
    marked = Concat(Value(f"{MARK_A} "), "name")
    for model in (Area, Place, Category, Organisation):
        model.objects.filter(partnership=partnership).update(name=marked)
    Partnership.objects.filter(pk=partnership.pk).update(name=marked)
    users = get_user_model().objects.filter(memberships__partnership=partnership)
    for user in users:
        user.username = f"{MARK_A}_{user.username}"
        user.save(update_fields=["username"])


def build_world() -> World:
    """The fixed cast: coordinator and reporter of A (plus a member of A who files the
    incidents the reporter must not see), member and coordinator of B."""
    a = make_partnership("Isolering A")
    b = make_partnership("Isolering B", lon=18.10, lat=59.30)
    coordinator_a = make_member(a, Role.COORDINATOR, "iso_coord_a")
    reporter_a = make_member(a, Role.REPORTER, "iso_reporter_a", kind=Organisation.Kind.HOUSING)
    member_a = make_member(a, Role.MEMBER, "iso_member_a", kind=Organisation.Kind.POLICE)
    member_b = make_member(b, Role.MEMBER, "iso_member_b")
    coordinator_b = make_member(b, Role.COORDINATOR, "iso_coord_b")
    guest_a = make_member(a, Role.GUEST, "iso_guest_a", kind=Organisation.Kind.AUTHORITY)
    guest_b = make_member(b, Role.GUEST, "iso_guest_b", kind=Organisation.Kind.AUTHORITY)
    _mark(a)
    norr = a.areas.get(name__endswith="Norr")
    other_text = f"{MARK_A} {MARK_OTHER} klotter på muren"
    incident = make_incident(member_a, area=norr, description=other_text)
    duplicate = make_incident(member_a, area=norr, description=f"{other_text} igen")
    own = make_incident(reporter_a, area=norr, description=f"{MARK_A} egen rapport")
    make_incident(member_b, description="B:s klotter")
    record(actor=coordinator_a.user, action="test.seed", partnership=a, summary=f"{MARK_A} logg")
    today = timezone.localdate()
    meeting = Meeting.objects.create(
        partnership=a,
        held_on=today,
        period=weeks.iso(weeks.week_code(timezone.now())),
        title=f"{MARK_A} Tisdagsmöte",
        minutes=f"{MARK_A} protokoll",
    )
    intervention = make_intervention(
        partnership=a,
        title=f"{MARK_A} Belysning vid torget",
        areas=[norr],
        responsible=member_a.organisation,
        due_date=today + timedelta(days=14),
    )
    world = World(
        a=a,
        b=b,
        memberships={
            "coordinator_a": coordinator_a,
            "reporter_a": reporter_a,
            "member_b": member_b,
            "coordinator_b": coordinator_b,
        },
        objects={
            "incident": incident,
            "duplicate": duplicate,
            "area": norr,
            "place": a.places.get(),
            "category": a.categories.get(code="klotter"),
            "organisation": member_a.organisation,
            "membership": reporter_a,
            "partnership": a,
            "meeting": meeting,
            "intervention": intervention,
        },
        inside_a=(norr.min_lon + 0.003, norr.min_lat + 0.003),
        by_others=[incident, duplicate],
        own=own,
    )
    _police_event(world)
    world.memberships["guest_a"] = guest_a
    world.memberships["guest_b"] = guest_b
    _guests(world, meeting, coordinator_a, guest_a, guest_b)
    world.objects["indicator"] = _indicator(world, coordinator_a, norr)
    world.objects["api_token"] = ApiToken.issue(member_a, f"{MARK_A} import")[0]
    world.objects["picture"] = _approved_picture(world, world.fill("week"))
    world.objects["guest_picture"] = _approved_picture(
        world, weeks.iso(weeks.shift(weeks.week_code(timezone.now()), -1))
    )
    world.objects["period_picture"] = _approved_period_picture(world, world.fill("quarter"))
    last_quarter = periods.Period.parse(world.fill("quarter")).shift(-1)
    world.objects["guest_period_picture"] = _approved_period_picture(world, str(last_quarter))
    world.objects["import_job"] = _import_job(coordinator_a)
    world.log_in()
    return world


def _police_event(world: World) -> None:
    """A police notice in A's municipality that names A's place, so it lies in A's area."""
    Partnership.objects.filter(pk=world.a.pk).update(municipality_code="0163")
    police_events.import_records(
        [
            {
                "id": 410712,
                "datetime": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S %z"),
                "name": "Bråk, Sollentuna",
                "summary": f"{MARK_A} Torget: bråk under kvällen.",
                "url": "/aktuellt/handelser/",
                "type": "Bråk",
                "location": {"name": "Sollentuna", "gps": "59.43911,17.94148"},
            }
        ]
    )


def _guests(world: World, meeting, coordinator, guest_a, guest_b) -> None:
    """Each partnership's guest authority, invited to its Norr; guest A's organisation
    contributes to a joint effort, one decision of A's meeting is shared with guests and one
    is not, and guest A's only detail grant has ended."""
    norr = world.objects["area"]
    guest = GuestOrganisation.objects.create(partnership=world.a, organisation=guest_a.organisation)
    guest.areas.set([norr])
    GuestOrganisation.objects.create(
        partnership=world.b, organisation=guest_b.organisation
    ).areas.set([world.b.areas.get(name="Norr")])
    today = timezone.localdate()
    joint = make_intervention(
        partnership=world.a,
        title=f"{MARK_A} Gemensam satsning",
        areas=[norr],
        responsible=world.objects["organisation"],
        due_date=today + timedelta(days=30),
    )
    joint.contributors.set([guest_a.organisation])
    Decision.objects.create(meeting=meeting, text=f"{MARK_A} delat beslut", shared_with_guests=True)
    hidden_decision = Decision.objects.create(meeting=meeting, text=f"{MARK_A} internt beslut")
    ended = DetailGrant.objects.create(
        partnership=world.a,
        guest=guest,
        purpose=f"{MARK_A} avslutad behörighet",
        starts=today - timedelta(days=30),
        ends=today - timedelta(days=1),
        granted_by=coordinator.user,
    )
    ended.areas.set([norr])
    world.objects.update(guest=guest, joint_effort=joint, grant=ended)
    world.guest_hidden = [
        world.a.areas.get(name__endswith="Söder").name,
        meeting.minutes,
        hidden_decision.text,
        world.objects["intervention"].title,
        world.own.description,
        f"{MARK_A} logg",
        # The reports' positions, as JSON ("59.435") or a Swedish page ("59,435") writes them.
        *{f"{i.lat:.3f}".replace(".", sep) for i in world.by_others for sep in ".,"},
    ]


def _import_job(coordinator) -> ImportJob:
    """A's history import, mapped, with an error list, waiting for its categories."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = "Inträffade;Kategori;Beskrivning\n2025-03-01 10:00;klotter;Klotter\n".encode()
    job = import_jobs.start_job(
        membership=coordinator,
        upload=SimpleUploadedFile(f"{MARK_A}.csv", content),
        source_name=f"{MARK_A} register",
        review="accepted",
        accept_warnings=False,
    )
    import_jobs.errors_file(job).write_text(f"Rad;Orsak;Fel\n2;{MARK_A};Okänd\n")
    return job


def _indicator(world: World, coordinator, area) -> Indicator:
    """A's indicator with one value, so its pages have something of A's to show."""
    indicator = indicators.define_indicator(
        actor=coordinator.user,
        partnership=world.a,
        name=f"{MARK_A} Skadegörelsekostnad",
        unit="kr",
        period="month",
        scale="amount",
        source=f"{MARK_A} Bostadsbolaget",
    )
    first = timezone.localdate().replace(day=1)
    indicators.save_values(
        membership=coordinator,
        indicator=indicator,
        entries=[indicators.Entry(area, first, 1250.0)],
        source_note=f"{MARK_A} fil",
    )
    return indicator


def _approved_picture(world: World, iso: str) -> Picture:
    """A's approved situation picture of week `iso`, computed and frozen the way the
    coordinator's approval does it. A guest sees only that of an ended week."""
    run = runs.execute(runs.request_run(world.a, iso))
    content = pictures.assemble(world.a, weeks.parse(iso), run)
    coordinator = world.memberships["coordinator_a"].user
    return pictures.approve_picture(
        actor=coordinator,
        partnership=world.a,
        content=content,
        confirmed=True,
        change_note="Granskas i efterhand",
    )


def _approved_period_picture(world: World, period: str) -> Picture:
    """A's approved picture of a quarter. A guest sees only that of an ended quarter."""
    content = periodic.compute_period(world.a, periods.Period.parse(period))
    coordinator = world.memberships["coordinator_a"].user
    return pictures.approve_picture(
        actor=coordinator,
        partnership=world.a,
        content=content,
        confirmed=True,
        change_note="Granskas i efterhand",
    )


# --- the state of A, to prove B's requests change nothing -------------------------------------


def _path_to_partnership(model) -> str | None:
    """The lookup from `model` to its partnership id: directly or through one foreign key."""
    if model is Partnership:
        return "pk"
    fks = [f for f in model._meta.get_fields() if isinstance(f, ForeignKey)]
    for f in fks:
        if f.related_model is Partnership:
            return f.name
    for f in fks:
        inner = _path_to_partnership(f.related_model) if f.related_model is not model else None
        if inner is not None and inner != "pk":
            return f"{f.name}__{inner}"
    return None


def snapshot(partnership: Partnership) -> dict:
    """Every row that belongs to the partnership, in every model of the project (whole tables
    for a model with no path to a partnership), plus its members' user accounts."""
    state = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("lagesbild."):
            continue
        for model in config.get_models():
            path = _path_to_partnership(model)
            rows = model._default_manager.all()
            if path is not None:
                rows = rows.filter(**{path: partnership.pk})
            state[model._meta.label] = list(rows.order_by("pk").values())
    users = get_user_model().objects.filter(memberships__partnership=partnership)
    state["users"] = list(users.order_by("pk").values())
    return state


def route_url(name: str, route: str, spec: Route, world: World) -> str:
    def value(match: re.Match) -> str:
        param = match.group(1)
        kind = spec.params.get(param) or DEFAULT_PARAMS.get(param)
        if kind is None:
            pytest.fail(f"{name}: no object fills <{param}>; add it to its Route.params")
        return str(world.fill(kind))

    if "(?P" in route or route.startswith("^"):
        pytest.fail(f"{name}: regex route {route!r}; give it a path() route or a SKIPPED entry")
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


# Every query parameter a page or endpoint reads, so each one meets the garbage.
QUERY_KEYS = (
    "page", "week", "area", "category", "organisation", "status", "severity", "q", "sort",
    "date_from", "date_to", "limit", "offset", "by", "per", "action", "grupp", "place_query",
)  # fmt: skip
