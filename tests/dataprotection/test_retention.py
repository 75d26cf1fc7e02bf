"""Retention: the partnership's schedule is previewed before it is saved, applied by a run
that is logged and audited (daily by the worker, or by `manage.py apply_retention`), and
leaves exactly this: old incidents without free text and at their area's centre, with
everything else as it was; recent ones untouched; old audit entries without address; the
approved picture with its figures."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import shape

from lagesbild.audit.models import Entry
from lagesbild.audit.record import record
from lagesbild.dataprotection import retention
from lagesbild.dataprotection.models import RetentionPolicy, RetentionRun
from lagesbild.dataprotection.retention import Schedule, months_before
from lagesbild.incidents import services as incidents
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Incident
from lagesbild.pictures import runs
from lagesbild.pictures import services as pictures
from lagesbild.pictures.models import Picture
from lagesbild.policeevents import queries as police_queries
from lagesbild.policeevents.models import FeedCall
from tests.dataprotection.whole_database import places_holding
from tests.factories import make_incident

SCHEDULE = Schedule(text_months=12, point_months=6, audit_address_months=12)
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def ago(months: int, days: int = 0) -> datetime:
    return months_before(timezone.now(), months) - timedelta(days=days)


@pytest.fixture
def history(coordinator_a, reporter_a):
    """Reports from 14 months, 8 months and one week ago at exact points, the oldest
    rejected with a reason; audit entries from 14 months ago and from today."""
    norr = coordinator_a.partnership.areas.get(name="Norr")
    made = {}
    for name, when in (("old", ago(14)), ("middle", ago(8)), ("recent", ago(0, days=7))):
        incident = make_incident(
            reporter_a, area=norr, occurred_at=when, description=f"Klotter ({name})"
        )
        Incident.objects.filter(pk=incident.pk).update(
            lon=norr.min_lon + 0.001, lat=norr.min_lat + 0.002
        )
        made[name] = Incident.objects.get(pk=incident.pk)
    incidents.reject_incident(actor=coordinator_a.user, incident=made["old"], reason="Dubblett")
    old_entry = record(actor=reporter_a.user, action="test.old", partnership=norr.partnership)
    new_entry = record(actor=reporter_a.user, action="test.new", partnership=norr.partnership)
    Entry.objects.filter(partnership=norr.partnership).update(
        ip_address="192.0.2.7", user_agent="Firefox"
    )
    Entry.objects.filter(pk=old_entry.pk).update(at=ago(14))
    made["old_entry"], made["new_entry"] = old_entry, new_entry
    made["centre"] = shape(norr.geometry).representative_point()
    return made


def test_the_preview_counts_what_would_change_and_changes_nothing(coordinator_a, history):
    partnership = coordinator_a.partnership

    changes = retention.preview(partnership, SCHEDULE)

    assert (changes.texts_removed, changes.points_coarsened, changes.audit_addresses_removed) == (
        1,
        2,
        1,
    )
    old = Incident.objects.get(pk=history["old"].pk)
    assert (old.description, old.lon) == ("Klotter (old)", history["old"].lon)
    assert not RetentionRun.objects.exists()


def test_a_run_leaves_exactly_this(coordinator_a, history):
    partnership = coordinator_a.partnership
    retention.save_schedule(actor=coordinator_a.user, partnership=partnership, schedule=SCHEDULE)
    centre = history["centre"]

    run = retention.run_now(partnership)

    old, middle, recent = (
        Incident.objects.get(pk=history[name].pk) for name in ("old", "middle", "recent")
    )
    # The oldest: no text anywhere, at the area's centre; what it was stays.
    assert (old.description, old.rejection_reason) == ("", "")
    assert old.changes.get(action="rejected").reason == ""
    assert Entry.objects.get(action="incident.rejected", object_id=str(old.pk)).summary == ""
    assert (old.lon, old.lat) == (centre.x, centre.y)
    assert (old.category.code, old.area.name, old.severity, old.status) == (
        "klotter",
        "Norr",
        1,
        "rejected",
    )
    assert (old.occurred_at, old.iso_week) == (history["old"].occurred_at, history["old"].iso_week)
    assert places_holding("Klotter (old)") == []
    assert places_holding("Dubblett") == []
    # Eight months: keeps its text, moved to the centre.
    assert middle.description == "Klotter (middle)"
    assert (middle.lon, middle.lat) == (centre.x, centre.y)
    # Last week: untouched.
    assert recent.description == "Klotter (recent)"
    assert (recent.lon, recent.lat) == (history["recent"].lon, history["recent"].lat)
    # The old audit entry keeps who did what and when, not from where.
    old_entry = Entry.objects.get(pk=history["old_entry"].pk)
    assert (old_entry.ip_address, old_entry.user_agent) == (None, "")
    assert (old_entry.action, old_entry.actor) == ("test.old", history["old_entry"].actor)
    new_entry = Entry.objects.get(pk=history["new_entry"].pk)
    assert (new_entry.ip_address, new_entry.user_agent) == ("192.0.2.7", "Firefox")
    # Logged and audited.
    run.refresh_from_db()
    assert (run.texts_removed, run.points_coarsened, run.audit_addresses_removed) == (1, 2, 1)
    assert run.policy == SCHEDULE.as_dict() and run.finished_at and run.error == ""
    audited = Entry.objects.get(action="retention.run")
    assert audited.details == {
        "texts_removed": 1,
        "points_coarsened": 2,
        "audit_addresses_removed": 1,
    }


def test_a_second_run_changes_nothing(coordinator_a, history):
    partnership = coordinator_a.partnership
    retention.save_schedule(actor=coordinator_a.user, partnership=partnership, schedule=SCHEDULE)
    retention.run_now(partnership)

    again = retention.run_now(partnership)

    assert (again.texts_removed, again.points_coarsened, again.audit_addresses_removed) == (
        0,
        0,
        0,
    )
    assert RetentionRun.objects.count() == 2


def test_a_failed_run_is_logged_and_changes_nothing(coordinator_a, history, monkeypatch):
    partnership = coordinator_a.partnership
    retention.save_schedule(actor=coordinator_a.user, partnership=partnership, schedule=SCHEDULE)

    def broken(*args):
        raise OSError("disk full")

    # Fails after the free text is gone, inside the run's transaction.
    monkeypatch.setattr(retention, "_area_centres", broken)
    with pytest.raises(OSError):
        retention.run_now(partnership)

    run = RetentionRun.objects.get()
    assert "disk full" in run.error and run.finished_at is not None
    assert run.texts_removed == 0
    assert Incident.objects.get(pk=history["old"].pk).description == "Klotter (old)"
    assert not Entry.objects.filter(action="retention.run").exists()


def test_an_empty_schedule_keeps_everything(coordinator_a, history):
    partnership = coordinator_a.partnership
    before = list(Incident.objects.order_by("pk").values())

    run = retention.run_now(partnership)

    assert list(Incident.objects.order_by("pk").values()) == before
    assert (run.texts_removed, run.points_coarsened, run.audit_addresses_removed) == (0, 0, 0)


def test_the_approved_picture_keeps_its_figures(coordinator_a, history):
    partnership = coordinator_a.partnership
    code = history["old"].iso_week
    Incident.objects.filter(pk=history["old"].pk).update(status="accepted")
    run = runs.run_now(partnership, weeks.iso(code))
    content = pictures.assemble(partnership, code, run)
    picture = pictures.approve_picture(
        actor=coordinator_a.user, partnership=partnership, content=content
    )
    assert content["series"][":"]["observed"] == 1
    frozen = Picture.objects.get(pk=picture.pk).content
    version = runs.data_version(partnership)
    retention.save_schedule(actor=coordinator_a.user, partnership=partnership, schedule=SCHEDULE)

    retention.run_now(partnership)

    assert Picture.objects.get(pk=picture.pk).content == frozen
    # Moved points change what a new run sees (hot spots), so the fingerprint moves.
    assert runs.data_version(partnership) != version


def test_months_are_whole_calendar_months():
    moment = datetime(2026, 3, 31, 12, 0, tzinfo=STOCKHOLM)
    assert months_before(moment, 1) == datetime(2026, 2, 28, 12, 0, tzinfo=STOCKHOLM)
    assert months_before(moment, 12) == datetime(2025, 3, 31, 12, 0, tzinfo=STOCKHOLM)
    assert months_before(moment, 15) == datetime(2024, 12, 31, 12, 0, tzinfo=STOCKHOLM)


def test_each_run_says_how_it_ended(coordinator_a):
    partnership = coordinator_a.partnership
    done = retention.run_now(partnership)
    lost = retention.claim_run(partnership, RetentionRun.Trigger.COMMAND)
    under_way = retention.claim_run(partnership, RetentionRun.Trigger.COMMAND)
    RetentionRun.objects.filter(pk=lost.pk).update(started_at=timezone.now() - timedelta(days=2))
    failed = retention.claim_run(partnership, RetentionRun.Trigger.COMMAND)
    RetentionRun.objects.filter(pk=failed.pk).update(error="OSError", finished_at=timezone.now())

    outcomes = [RetentionRun.objects.get(pk=r.pk).outcome for r in (done, lost, under_way, failed)]

    assert outcomes == ["Klar", "Avbröts", "Pågår", "Misslyckades"]


# --- the coordinator's page ----------------------------------------------------------------


def test_the_page_previews_before_it_saves(login, coordinator_a, history):
    client = login(coordinator_a)
    url = reverse("dataprotection:retention")
    form = {"text_months": "12", "point_months": "6", "audit_address_months": "12"}

    preview = client.post(url, form)

    assert preview.status_code == 200
    text = preview.content.decode()
    assert "Fritexten tas bort i 1 händelse." in text
    assert "2 händelser flyttas till sitt områdes mitt." in text
    assert "IP-adress och webbläsare tas bort ur 1 loggpost." in text
    assert not RetentionPolicy.objects.exists()

    saved = client.post(url, {**form, "confirm": "1"})

    assert saved.status_code == 302
    policy = RetentionPolicy.objects.get(partnership=coordinator_a.partnership)
    assert Schedule.of(policy) == SCHEDULE
    entry = Entry.objects.get(action="retention.schedule")
    assert entry.details["new"] == SCHEDULE.as_dict()
    assert entry.details["old"] == Schedule().as_dict()
    # Saving changes nothing yet: the nightly run does.
    assert Incident.objects.get(pk=history["old"].pk).description == "Klotter (old)"


@pytest.mark.parametrize("value", ["0", "121", "tolv", "-3"])
def test_bad_months_are_refused(login, coordinator_a, value):
    response = login(coordinator_a).post(
        reverse("dataprotection:retention"), {"text_months": value, "confirm": "1"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["text_months"]
    assert not RetentionPolicy.objects.exists()


def test_only_coordinators_set_the_schedule(login, analyst_a):
    response = login(analyst_a).post(
        reverse("dataprotection:retention"), {"text_months": "12", "confirm": "1"}
    )
    assert response.status_code == 403
    assert not RetentionPolicy.objects.exists()


# --- the daily run and the command ----------------------------------------------------------


def local(day: int, hour: int) -> datetime:
    today = timezone.localdate()
    return datetime(today.year, today.month, today.day, hour, tzinfo=STOCKHOLM) + timedelta(
        days=day
    )


def test_the_worker_runs_each_schedule_once_a_day(
    coordinator_a, partnership_b, history, settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_HOUR = 3
    partnership = coordinator_a.partnership
    retention.save_schedule(actor=coordinator_a.user, partnership=partnership, schedule=SCHEDULE)

    with django_capture_on_commit_callbacks(execute=True):
        assert retention.enqueue_due_runs(local(0, 2)) == 0  # before the hour
        assert retention.enqueue_due_runs(local(0, 4)) == 1  # B has no schedule
        assert retention.enqueue_due_runs(local(0, 5)) == 0  # already today
        assert retention.enqueue_due_runs(local(1, 4)) == 1  # the next day

    scheduled = RetentionRun.objects.filter(trigger="scheduled").order_by("day")
    assert [r.day for r in scheduled] == [local(0, 4).date(), local(1, 4).date()]
    # The test settings run tasks at once, as the worker would.
    first, second = scheduled
    assert (first.texts_removed, first.points_coarsened, first.finished_at is not None) == (
        1,
        2,
        True,
    )
    assert second.points_coarsened == 0
    assert Incident.objects.get(pk=history["old"].pk).description == ""


def test_the_command_dry_run_changes_nothing(coordinator_a, history):
    partnership = coordinator_a.partnership
    retention.save_schedule(actor=coordinator_a.user, partnership=partnership, schedule=SCHEDULE)
    out = io.StringIO()

    call_command("apply_retention", "--dry-run", stdout=out)

    assert f"{partnership.slug}: would change 1 free texts, 2 points, 1 audit addresses" in (
        out.getvalue()
    )
    assert Incident.objects.get(pk=history["old"].pk).description == "Klotter (old)"
    assert not RetentionRun.objects.exists()

    call_command("apply_retention", "--partnership", partnership.slug, stdout=out)

    assert f"{partnership.slug}: changed 1 free texts, 2 points, 1 audit addresses" in (
        out.getvalue()
    )
    assert RetentionRun.objects.get().trigger == "command"
    assert Incident.objects.get(pk=history["old"].pk).description == ""


def test_installation_entries_lose_their_address_when_configured(history, settings):
    login_failure = record(actor=None, action="login.failed")
    Entry.objects.filter(pk=login_failure.pk).update(
        at=ago(7), ip_address="192.0.2.9", user_agent="curl"
    )
    settings.AUDIT_ADDRESS_MONTHS = 0
    assert retention.remove_old_installation_addresses() == 0
    settings.AUDIT_ADDRESS_MONTHS = 6

    assert retention.remove_old_installation_addresses() == 1

    entry = Entry.objects.get(pk=login_failure.pk)
    assert (entry.ip_address, entry.user_agent, entry.action) == (None, "", "login.failed")


def test_calls_to_the_police_feed_are_kept_90_days_except_the_last_good_one(db, monkeypatch):
    now = timezone.now()

    def call(days: int, error: str = "") -> FeedCall:
        started = now - timedelta(days=days)
        return FeedCall.objects.create(
            started_at=started, finished_at=started + timedelta(seconds=1), error=error
        )

    last_good, failed, recent = call(200), call(100, "HTTP 503"), call(10, "HTTP 503")
    monkeypatch.setattr(retention, "_installation_day", None)

    retention.enqueue_due_runs(now)  # the worker's daily step

    assert set(FeedCall.objects.all()) == {last_good, recent}  # the coverage keeps its date
    assert failed.pk not in set(FeedCall.objects.values_list("pk", flat=True))
    newer_good = call(95)
    out = io.StringIO()

    call_command("apply_retention", stdout=out)

    assert "installation: deleted 1 old calls to the police's feed" in out.getvalue()
    assert set(FeedCall.objects.all()) == {newer_good, recent}
    assert police_queries.last_good_call() == newer_good
