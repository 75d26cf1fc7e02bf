"""Small, explicit builders for test data: a partnership with two square areas in
Sollentuna, the default checklist, one organisation per kind and members in every role."""

import itertools
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lagesbild.geography.models import Area, Place
from lagesbild.incidents import weeks
from lagesbild.incidents.checklist import DEFAULT_CHECKLIST
from lagesbild.incidents.models import Category, Incident
from lagesbild.interventions.models import Intervention
from lagesbild.partnerships.models import Membership, Organisation, Partnership

_counter = itertools.count(1)
PASSWORD = "secret-password-1"  # every test member's password


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    """A GeoJSON square with its south-west corner at (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_area(partnership, name, lon, lat, size=0.01, parent=None, population=None) -> Area:
    geometry = square(lon, lat, size)
    return Area.objects.create(
        partnership=partnership,
        parent=parent,
        name=name,
        code=f"A{next(_counter)}",
        geometry=geometry,
        min_lon=lon,
        min_lat=lat,
        max_lon=lon + size,
        max_lat=lat + size,
        population=population,
    )


def make_partnership(name: str, lon: float = 17.90, lat: float = 59.42) -> Partnership:
    """A partnership with areas 'Norr' and 'Söder' (0.01° squares), a place in Norr and the
    default checklist."""
    partnership = Partnership.objects.create(name=name, slug=f"p{next(_counter)}")
    norr = make_area(partnership, "Norr", lon, lat + 0.01, population=1000)
    make_area(partnership, "Söder", lon, lat, population=2000)
    Place.objects.create(
        partnership=partnership,
        area=norr,
        name="Torget",
        kind=Place.Kind.SQUARE,
        lon=lon + 0.005,
        lat=lat + 0.015,
    )
    for g, group in enumerate(DEFAULT_CHECKLIST):
        parent = Category.objects.create(
            partnership=partnership, code=f"grupp-{group.code}", name=group.name, sort_order=g * 100
        )
        for i, item in enumerate(group.items):
            Category.objects.create(
                partnership=partnership,
                parent=parent,
                code=item.code,
                name=item.name,
                weight=item.weight,
                sort_order=g * 100 + i + 1,
            )
    return partnership


def make_member(partnership, role, username=None, kind=Organisation.Kind.MUNICIPALITY):
    organisation, _ = Organisation.objects.get_or_create(
        partnership=partnership, name=f"Org {kind}", defaults={"kind": kind}
    )
    user = get_user_model().objects.create_user(
        username or f"user{next(_counter)}", password=PASSWORD
    )
    return Membership.objects.create(
        user=user, partnership=partnership, organisation=organisation, role=role
    )


def make_incident(
    membership,
    *,
    category="klotter",
    area=None,
    occurred_at=None,
    severity=1,
    status=Incident.Status.NEW,
    description="",
    **extra,
) -> Incident:
    """An incident written directly (no service), for read-side tests."""
    partnership = membership.partnership
    area = area or partnership.areas.get(name="Norr")
    occurred_at = occurred_at or timezone.now() - timedelta(hours=1)
    return Incident.objects.create(
        partnership=partnership,
        client_id=uuid.uuid4(),
        occurred_at=occurred_at,
        iso_week=weeks.week_code(occurred_at, partnership.time_zone),
        reporter=membership.user,
        organisation=membership.organisation,
        category=partnership.categories.get(code=category),
        severity=severity,
        area=area,
        lon=area.min_lon + 0.005,
        lat=area.min_lat + 0.005,
        description=description,
        status=status,
        **extra,
    )


def make_app(user) -> TOTPDevice:
    """A confirmed authenticator app for `user` (their existing one if they have it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Telefon", confirmed=True)


def app_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the app shows now (or `steps_ahead` 30-second steps later), as typed."""
    device.refresh_from_db()
    code = totp(device.bin_key, device.step, device.t0, device.digits, drift=steps_ahead)
    return f"{code:0{device.digits}d}"


def make_intervention(*, areas, categories=(), **fields) -> Intervention:
    """An intervention row targeting `areas` (one or more), without the register's checks."""
    intervention = Intervention.objects.create(**fields)
    intervention.areas.set(areas)
    intervention.categories.set(categories)
    return intervention
