"""Load the demo partnership "EST Sollentuna" into the database.

The only module in `lagesbild.demo` that touches Django. The partnership itself, its
organisations and its default checklist are made through the same services an administrator's
"Ny samverkan" and a coordinator's pages use, so the demo is an ordinary partnership; the
generated areas, places, members and incidents are then written in bulk. Running it again
leaves an existing partnership alone.
"""

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from shapely.geometry import mapping

from lagesbild.demo.areas import demo_areas, load_municipality
from lagesbild.demo.incidents import CATEGORY_CODES, ORGANISATION_KINDS, generate_incidents
from lagesbild.demo.indicators import DemoIndicator, demo_indicators
from lagesbild.demo.places import demo_places
from lagesbild.geography import geometry
from lagesbild.geography.models import Area, Place
from lagesbild.guests.services import invite_guest
from lagesbild.incidents.models import Category, Incident
from lagesbild.indicators.models import IndicatorValue
from lagesbild.indicators.police import add_indicator as add_police_indicator
from lagesbild.indicators.services import define_indicator
from lagesbild.interventions import evaluation, services
from lagesbild.interventions.models import Intervention, ProgressNote
from lagesbild.partnerships.models import Membership, Organisation, Partnership
from lagesbild.partnerships.services import Checklist, create_partnership, save_organisation
from lagesbild.policeevents.demo import load_demo_events

User = get_user_model()

PLACE_KINDS = {
    "station": Place.Kind.STATION,
    "busshallplats": Place.Kind.STATION,
    "torg": Place.Kind.SQUARE,
    "skolgard": Place.Kind.SCHOOL,
    "kopcentrum": Place.Kind.SHOPPING,
    "garage": Place.Kind.GARAGE,
    "park": Place.Kind.PARK,
    "fritidsgard": Place.Kind.YOUTH,
    "idrottsplats": Place.Kind.SPORTS,
    "gangtunnel": Place.Kind.UNDERPASS,
    "badplats": Place.Kind.BEACH,
}

ORGANISATIONS = [
    # (name, kind, generator organisation kind it reports for)
    ("Kommunen – trygghet och säkerhet", Organisation.Kind.MUNICIPALITY, "kommun"),
    ("Kommunen – fritid och ungdom", Organisation.Kind.MUNICIPALITY, None),
    ("Polisen – kommunpolis", Organisation.Kind.POLICE, "polis"),
    ("Bostadsbolaget", Organisation.Kind.HOUSING, "bostadsbolag"),
    ("Väktarbolaget", Organisation.Kind.SECURITY, "vaktbolag"),
    # A guest authority (lagesbild.guests): sees the approved pictures of GUEST_AREAS only.
    ("Försäkringskassan", Organisation.Kind.AUTHORITY, None),
]
GUEST = 5  # index of the guest authority in ORGANISATIONS
GUEST_AREAS = ("Helenelund", "Vaxmora")

# (username, first name, last name, role, organisation index). Synthetic people only.
ACCOUNTS = [
    ("samordnare", "Sam", "Samordnare", Membership.Role.COORDINATOR, 0),
    ("analytiker", "Ana", "Analytiker", Membership.Role.ANALYST, 0),
    ("deltagare", "Del", "Deltagare", Membership.Role.MEMBER, 2),
    ("rapportor", "Rapp", "Rapportör", Membership.Role.REPORTER, 3),
    ("rapportor-polis", "Polly", "Rapportör", Membership.Role.REPORTER, 2),
    ("rapportor-kommun", "Kim", "Rapportör", Membership.Role.REPORTER, 0),
    ("rapportor-vakt", "Vera", "Rapportör", Membership.Role.REPORTER, 4),
    ("rapportor-fritid", "Fri", "Rapportör", Membership.Role.REPORTER, 1),
    ("gast-fk", "Frida", "Gäst", Membership.Role.GUEST, GUEST),
]


@dataclass
class SeedResult:
    partnership: Partnership
    created: bool
    incidents: int
    accounts: dict[str, str]


def accounts_file():
    return settings.VAR_DIR / "demo_accounts.json"


def _stored_passwords() -> dict[str, str]:
    path = accounts_file()
    return json.loads(path.read_text()) if path.exists() else {}


def _store_passwords(passwords: dict[str, str]) -> None:
    path = accounts_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(passwords, indent=2, ensure_ascii=False))
    path.chmod(0o600)


def seed_demo(
    *,
    name="EST Sollentuna",
    slug="est-sollentuna",
    years=2.25,
    scale=1.0,
    seed=2026,
    today: date | None = None,
    with_accounts=True,
) -> SeedResult:
    """Create the demo partnership unless it exists; return its accounts and passwords."""
    existing = Partnership.objects.filter(slug=slug).first()
    if existing is not None:
        return SeedResult(existing, False, existing.incidents.count(), _stored_passwords())
    today = today or timezone.localdate()
    with transaction.atomic():
        (first_name, first_kind, _kind), *others = ORGANISATIONS
        partnership = create_partnership(
            actor=None,
            name=name,
            slug=slug,
            municipality_code=load_municipality().code,
            time_zone="Europe/Stockholm",
            checklist=Checklist.DEFAULT,
            organisation_name=first_name,
            organisation_kind=first_kind,
        )
        organisations = [partnership.organisations.get()] + [
            save_organisation(actor=None, partnership=partnership, name=n, kind=k)
            for n, k, _kind in others
        ]
        passwords = _create_accounts(partnership, organisations, slug) if with_accounts else {}
        areas = _create_areas(partnership)
        places = _create_places(partnership, areas)
        items = Category.objects.filter(partnership=partnership, parent__isnull=False)
        categories = {c.code: c for c in items}
        count = _create_incidents(
            partnership,
            organisations,
            areas,
            places,
            categories,
            start=today - timedelta(days=round(years * 365.25)),
            end=today + timedelta(days=1),
            seed=seed,
            scale=scale,
        )
        _create_interventions(partnership, organisations, areas, today=today, seed=seed)
        _invite_guest(partnership, organisations[GUEST], areas)
        _create_indicators(
            partnership,
            areas,
            start=today - timedelta(days=round(years * 365.25)),
            today=today,
            seed=seed,
        )
        load_demo_events()
        # The police's notices also as the built-in indicator, counted per month.
        add_police_indicator(actor=None, partnership=partnership, period="month")
    if passwords:
        _store_passwords({**_stored_passwords(), **passwords})
    # Fresh statistics for the query planner: without them (PostgreSQL with autovacuum off)
    # the list and weekly table took 3-50 times the CPU right after a large load.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return SeedResult(partnership, True, count, passwords)


def _create_accounts(partnership, organisations, slug) -> dict[str, str]:
    passwords = {}
    prefix = "" if slug == "est-sollentuna" else f"{slug}-"
    for username, first, last, role, org in ACCOUNTS:
        username = prefix + username
        password = secrets.token_urlsafe(9)
        user = User.objects.filter(username=username).first() or User(username=username)
        user.first_name, user.last_name = first, last
        user.set_password(password)
        user.save()
        Membership.objects.create(
            user=user, partnership=partnership, organisation=organisations[org], role=role
        )
        passwords[username] = password
    if not User.objects.filter(username="admin").exists():
        password = secrets.token_urlsafe(9)
        User.objects.create_superuser("admin", "", password, first_name="Admin")
        passwords["admin"] = password
    return passwords


def _area_row(partnership, *, name, code, kind, polygon, population, parent=None) -> Area:
    min_lon, min_lat, max_lon, max_lat = geometry.bbox(polygon)
    return Area.objects.create(
        partnership=partnership,
        parent=parent,
        name=name,
        code=code,
        kind=kind,
        geometry=mapping(polygon),
        population=population,
        population_year=2024,
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
    )


def _create_areas(partnership) -> list[Area]:
    municipality = load_municipality()
    root = _area_row(
        partnership,
        name=f"{municipality.name} kommun",
        code=municipality.code,
        kind=Area.Kind.MUNICIPALITY,
        polygon=municipality.outline,
        population=municipality.population,
    )
    return [
        _area_row(
            partnership,
            name=a.name,
            code=a.code,
            kind=Area.Kind.DISTRICT,
            polygon=a.polygon,
            population=a.population,
            parent=root,
        )
        for a in demo_areas()
    ]


def _create_indicators(partnership, areas, *, start, today, seed) -> None:
    """The synthetic indicators of `demo.indicators`, defined as a coordinator would and
    their values written in one insert each (the demo has no person who entered them)."""
    by_code = {a.code: a for a in areas}
    now = timezone.now()
    series = demo_indicators(
        [(a.name, a.code, a.population) for a in areas], start=start, today=today, seed=seed
    )
    for spec, values in series:
        indicator = define_indicator(
            actor=None,
            partnership=partnership,
            **{f: getattr(spec, f) for f in DemoIndicator.__dataclass_fields__},
        )
        IndicatorValue.objects.bulk_create(
            IndicatorValue(
                indicator=indicator,
                area=by_code[v.area_code],
                period_kind=spec.period,
                period_start=v.period_start,
                value=v.value,
                sample_size=v.sample_size,
                source_note="Demodata",
                entered_at=now,
            )
            for v in values
        )


def _create_places(partnership, areas) -> list[Place]:
    return [
        Place.objects.create(
            partnership=partnership,
            area=areas[p.area_index],
            name=p.name,
            kind=PLACE_KINDS.get(p.kind, Place.Kind.OTHER),
            lon=p.lon,
            lat=p.lat,
        )
        for p in demo_places()
    ]


def _iso_weeks(local_time: np.ndarray) -> np.ndarray:
    """YYYYWW for each wall-clock time, computed once per distinct day."""
    days = local_time.astype("datetime64[D]")
    unique, inverse = np.unique(days, return_inverse=True)
    codes = np.empty(len(unique), dtype=np.int64)
    for i, day in enumerate(unique.astype(object)):
        year, week, _ = day.isocalendar()
        codes[i] = year * 100 + week
    return codes[inverse]


def _create_incidents(
    partnership, organisations, areas, places, categories, *, start, end, seed, scale, batch=5000
) -> int:
    data = generate_incidents(demo_areas(), demo_places(), start, end, seed=seed, scale=scale)
    index = geometry.AreaIndex([(a.pk, a.geometry) for a in areas])
    area_ids = index.locate_many(data.lon, data.lat)
    iso_weeks = _iso_weeks(data.local_time)
    org_for_kind = {kind: organisations[i] for i, (_, _, kind) in enumerate(ORGANISATIONS) if kind}
    reporters = {
        m.organisation_id: m.user
        for m in Membership.objects.filter(partnership=partnership, role=Membership.Role.REPORTER)
    }
    category_list = [categories[code] for code in CATEGORY_CODES]
    rng = np.random.default_rng([seed, 99])
    now = timezone.now()
    recent = now - timedelta(days=6)
    rejected = rng.random(len(data)) < 0.01
    uuids = rng.integers(0, 2**63, size=(len(data), 2), dtype=np.int64)
    created = 0
    rows = []
    for i in range(len(data)):
        if area_ids[i] < 0:
            continue  # a point the generator put on the outline's edge: not in any area
        occurred = datetime.fromtimestamp(int(data.occurred_at[i]), UTC)
        if occurred > now:
            continue
        organisation = org_for_kind[ORGANISATION_KINDS[data.organisation[i]]]
        status = (
            Incident.Status.REJECTED
            if rejected[i]
            else Incident.Status.NEW
            if occurred >= recent
            else Incident.Status.ACCEPTED
        )
        rows.append(
            Incident(
                partnership=partnership,
                client_id=uuid.UUID(int=(int(uuids[i, 0]) << 64) | int(uuids[i, 1])),
                occurred_at=occurred,
                iso_week=int(iso_weeks[i]),
                reporter=reporters.get(organisation.pk),
                organisation=organisation,
                category=category_list[data.category[i]],
                severity=int(data.severity[i]),
                area_id=int(area_ids[i]),
                place=places[data.place[i]] if data.place[i] >= 0 else None,
                lon=float(data.lon[i]),
                lat=float(data.lat[i]),
                description=data.description[i],
                source=Incident.Source.DEMO,
                status=status,
                rejection_reason="Dubbelrapport" if status == Incident.Status.REJECTED else "",
            )
        )
        if len(rows) >= batch:
            created += _insert(rows)
            rows = []
    created += _insert(rows)
    return created


def _insert(rows: list[Incident]) -> int:
    if not rows:
        return 0
    Incident.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def compute_demo_pictures(partnership, weeks_back: int = 2) -> list[tuple[str, float | None]]:
    """Compute the pictures of the last `weeks_back` complete weeks and of the running week
    unless a fresh run exists, so the demo's first picture, its comparison with the week
    before and "Nästa vecka" open ready instead of "beräknas…". Returns (week, seconds;
    None when it was fresh)."""
    import time

    from lagesbild.incidents import coverage, weeks
    from lagesbild.pictures import runs

    last = coverage.last_complete_week(partnership)
    done = []
    for k in range(-1, weeks_back):
        iso = weeks.iso(weeks.shift(last, -k))
        if not runs.is_stale(runs.latest_run(partnership, iso), partnership):
            done.append((iso, None))
            continue
        started = time.perf_counter()
        run = runs.run_now(partnership, iso)
        if run.status != run.Status.DONE:
            raise RuntimeError(f"the demo picture of {iso} failed: {run.error[-500:]}")
        done.append((iso, time.perf_counter() - started))
    return done


def approve_demo_picture(partnership):
    """The last complete week's picture approved by the demo's coordinator, unless a version
    of it exists, so the guest `gast-fk` sees a picture of its invited areas at once (guests
    see approved pictures of ended weeks only). Counted reports nobody has reviewed are
    confirmed with a note, as a coordinator approving them must. None without a coordinator."""
    from lagesbild.incidents import coverage, weeks
    from lagesbild.pictures import runs
    from lagesbild.pictures import services as pictures

    code = coverage.last_complete_week(partnership)
    iso = weeks.iso(code)
    if pictures.latest_approved(partnership, iso) is not None:
        return None
    run = runs.latest_run(partnership, iso)
    if runs.is_stale(run, partnership):
        run = runs.run_now(partnership, iso)
    return _approve_as_demo_coordinator(partnership, pictures.assemble(partnership, code, run))


def approve_demo_quarter(partnership):
    """The last ended quarter's picture approved the same way, so the demo guest also has a
    periodic picture to open (guests see ended periods only). None if a version exists."""
    from lagesbild.pictures import periodic, periods
    from lagesbild.pictures.models import PeriodKind, Picture

    today = periods.today_for(partnership)
    quarter = periods.Period.containing(PeriodKind.QUARTER, today).shift(-1)
    approved = Picture.objects.filter(
        partnership=partnership, period_kind=quarter.kind, period=str(quarter)
    )
    if approved.exists():
        return None
    return _approve_as_demo_coordinator(partnership, periodic.compute_period(partnership, quarter))


def _approve_as_demo_coordinator(partnership, content: dict):
    from lagesbild.pictures import services as pictures

    coordinator = (
        partnership.memberships.filter(role=Membership.Role.COORDINATOR, active=True)
        .order_by("pk")
        .first()
    )
    if coordinator is None:
        return None
    warned = bool(pictures.approval_warnings(content))
    return pictures.approve_picture(
        actor=coordinator.user,
        partnership=partnership,
        content=content,
        confirmed=warned,
        change_note="Demo: godkänd vid uppsättningen" if warned else "",
    )


@dataclass(frozen=True)
class DemoIntervention:
    """A past (or ongoing) intervention of the demo. `effect` is the share of the targeted
    incidents in the area that is KEPT after the start: 0.5 removes half of them (a measure
    that worked), 1.0 leaves them (one that did not). Entirely synthetic."""

    title: str
    kind: str
    area: str
    group: str | None  # category group code, None: all categories
    responsible: int  # index into ORGANISATIONS
    weeks_ago: int  # start, in weeks before today
    weeks: int  # length
    effect: float
    notes: tuple[str, ...]
    contributors: tuple[int, ...] = ()


DEMO_INTERVENTIONS = [
    DemoIntervention(
        "Klottersanering inom 24 timmar i Tureberg",
        "Städning/sanering",
        "Tureberg",
        "skadegorelse",
        3,
        60,
        20,
        0.45,
        ("Sanerade 35 m² klotter vid stationen", "Avtal med saneringsfirma: åtgärd inom ett dygn"),
        (0,),
    ),
    DemoIntervention(
        "Ökad närvaro kvällstid vid Sollentuna centrum",
        "Ökad närvaro/patrullering",
        "Sollentuna centrum",
        None,
        2,
        48,
        20,
        0.5,
        ("Patrullerade fredag och lördag kväll, 6 pass", "Väktare i köpcentrum till kl. 22"),
        (4,),
    ),
    DemoIntervention(
        "Föräldravandringar i Rotebro",
        "Föräldravandring",
        "Rotebro",
        "ordning",
        1,
        52,
        20,
        1.0,
        ("Fyra vandringar med 8–12 föräldrar", "Samtal med ungdomar vid idrottsplatsen"),
    ),
    DemoIntervention(
        "Informationsbrev om källarinbrott i Edsberg",
        "Information/dialog",
        "Edsberg",
        None,
        3,
        40,
        12,
        1.0,
        ("Brev till 900 hushåll", "Informationsmöte i lokalen, 25 deltagare"),
    ),
    DemoIntervention(
        "Röjning av buskage vid gångtunneln i Häggvik",
        "Fysisk åtgärd",
        "Häggvik",
        "fysisk-miljo",
        0,
        30,
        8,
        0.6,
        ("Röjde 120 m buskage längs gångvägen",),
    ),
]


def _create_interventions(partnership, organisations, areas, *, today, seed) -> None:
    """The demo's interventions: closed ones with progress notes and a frozen evaluation
    (some worked, some did not, one with too few data), and one that is still running."""
    coordinator = (
        Membership.objects.filter(partnership=partnership, role=Membership.Role.COORDINATOR)
        .select_related("user")
        .first()
    )
    actor = coordinator.user if coordinator else None
    kinds = {t.name: t for t in services.intervention_types(partnership)}
    by_name = {a.name: a for a in areas}
    groups = {c.code: c for c in Category.objects.filter(partnership=partnership, parent=None)}
    rng = np.random.default_rng([seed, 12])
    for spec in DEMO_INTERVENTIONS:
        area = by_name.get(spec.area)
        if area is None:
            continue
        start = today - timedelta(weeks=spec.weeks_ago)
        start -= timedelta(days=start.weekday())  # a Monday
        end = start + timedelta(weeks=spec.weeks, days=-1)
        intervention = Intervention.objects.create(
            partnership=partnership,
            title=spec.title,
            kind=kinds.get(spec.kind),
            responsible=organisations[spec.responsible],
            start_date=start,
            end_date=end,
            due_date=end,
            status=Intervention.Status.DONE,
            closed_at=datetime.combine(end, datetime.min.time(), UTC),
            created_by=actor,
        )
        intervention.areas.set([area])
        group = groups.get(f"grupp-{spec.group}") if spec.group else None
        if group is not None:
            intervention.categories.set([group])
        intervention.contributors.set([organisations[i] for i in spec.contributors])
        for k, text in enumerate(spec.notes):
            ProgressNote.objects.create(
                partnership=partnership,
                intervention=intervention,
                done_on=start + timedelta(weeks=1 + k * max(spec.weeks // 3, 1)),
                text=text,
                organisation=organisations[spec.responsible],
                author=actor,
            )
        if spec.effect < 1.0:
            _thin(intervention, start, end, spec.effect, rng)
        evaluation.store_evaluation(actor=actor, intervention=intervention)
    running = Intervention.objects.create(
        partnership=partnership,
        title="Belysning i gångtunneln vid Helenelunds station",
        kind=kinds.get("Fysisk åtgärd"),
        responsible=organisations[0],
        start_date=today - timedelta(weeks=3),
        due_date=today + timedelta(days=2),
        status=Intervention.Status.ONGOING,
        created_by=actor,
    )
    running.areas.set([by_name.get("Helenelund", areas[0])])
    ProgressNote.objects.create(
        partnership=partnership,
        intervention=running,
        done_on=today - timedelta(weeks=1),
        text="Beställt 14 nya armaturer; montering nästa vecka",
        organisation=organisations[0],
        author=actor,
    )


def _invite_guest(partnership, organisation, areas) -> None:
    """Försäkringskassan as a guest invited to two areas, and a contributor to the running
    intervention there: a joint effort (gemensam satsning) it follows and logs in."""
    invited = [a for a in areas if a.name in GUEST_AREAS]
    invite_guest(actor=None, partnership=partnership, organisation=organisation, areas=invited)
    running = Intervention.objects.filter(
        partnership=partnership, status=Intervention.Status.ONGOING, areas__in=invited
    ).first()
    if running is not None:
        running.contributors.add(organisation)


def _thin(intervention, start, end, keep: float, rng) -> None:
    """Delete a share 1 - `keep` of the targeted incidents in the target areas during the
    intervention: the synthetic effect of a measure that worked."""
    category_ids = evaluation.targeted_categories(intervention)
    ids = list(
        Incident.objects.filter(
            partnership=intervention.partnership,
            area__in=intervention.areas.all(),
            category__in=category_ids,
            occurred_at__date__gte=start,
            occurred_at__date__lte=end,
        ).values_list("id", flat=True)
    )
    gone = [i for i in ids if rng.random() >= keep]
    Incident.objects.filter(pk__in=gone).delete()
