"""Excel export of periodic pictures: the same figures as the picture's content, a version
exactly as approved, only for those who may read the picture, and every export audited."""

import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from lagesbild.audit.models import Entry
from lagesbild.pictures import services
from lagesbild.pictures.periodic import INFLUENCE_SCALE, compute_period
from lagesbild.pictures.periods import Period
from tests.factories import make_incident
from tests.pictures.helpers import pdf_text

PERIOD = "2025-Q2"


@pytest.fixture
def incidents(member_a):
    """Q2 2025: 4 bilbrand in Norr and 1 klotter in Söder; Q2 2024: 1 klotter in Söder."""
    partnership = member_a.partnership
    partnership.coverage_start = date(2024, 1, 1)  # reporting began with 2024
    partnership.save()
    norr = partnership.areas.get(name="Norr")
    soder = partnership.areas.get(name="Söder")
    in_q2 = datetime(2025, 5, 10, 12, tzinfo=timezone.get_current_timezone())
    for _ in range(4):
        make_incident(member_a, area=norr, category="bilbrand", severity=1, occurred_at=in_q2)
    make_incident(member_a, area=soder, category="klotter", severity=1, occurred_at=in_q2)
    make_incident(member_a, area=soder, category="klotter", occurred_at=in_q2 - timedelta(days=365))
    return {"norr": norr, "soder": soder, "in_q2": in_q2}


def draft_url(fmt: str = "xlsx") -> str:
    return reverse("pictures:period_export", args=[PERIOD, fmt])


def version_url(version: int = 1, fmt: str = "xlsx") -> str:
    return reverse("pictures:period_export_version", args=[PERIOD, version, fmt])


def workbook(response):
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def table(sheet) -> list[dict]:
    """The rows of a table sheet as {header: value}."""
    rows = sheet.iter_rows(values_only=True)
    headers = next(rows)
    return [dict(zip(headers, row, strict=True)) for row in rows]


def summary_lines(book) -> list[str]:
    return [row[0] for row in book["Sammanfattning"].iter_rows(values_only=True)]


def approve(coordinator, comment: str = "") -> dict:
    """Judge Norr's influence, then approve the quarter; returns the approved content."""
    partnership = coordinator.partnership
    norr = partnership.areas.get(name="Norr")
    services.save_assessment(
        actor=coordinator.user,
        partnership=partnership,
        area=norr,
        iso=PERIOD,
        period_kind="quarter",
        scale=INFLUENCE_SCALE,
        level=3,
        comment=comment,
    )
    content = compute_period(partnership, Period.parse(PERIOD))
    services.approve_picture(
        actor=coordinator.user,
        partnership=partnership,
        content=content,
        confirmed=True,
        change_note="Granskas i efterhand",
    )
    return content


def test_the_draft_holds_the_ranking_and_development_of_the_content(login, member_a, incidents):
    content = compute_period(member_a.partnership, Period.parse(PERIOD))

    response = login(member_a).get(draft_url())

    assert (
        response["Content-Disposition"] == f'attachment; filename="lagesbild-{PERIOD}-utkast.xlsx"'
    )
    assert "no-store" in response["Cache-Control"]
    book = workbook(response)
    assert book.sheetnames == ["Sammanfattning", "Rangordning", "Utveckling", "Påverkbarhet"]
    # A quarter that is over: its title, and no note that the figures are so far.
    assert summary_lines(book) == [f"Lägesbild {content['label']} – {member_a.partnership.name}"]
    ranking = table(book["Rangordning"])
    assert [
        (
            r["Rang"],
            r["Område"],
            r["Index"],
            r["Index 95 %-intervall, lägst"],
            r["Index 95 %-intervall, högst"],
            r["Rangintervall, bästa"],
            r["Rangintervall, sämsta"],
            r["Händelser"],
        )
        for r in ranking
    ] == [
        (
            c["rank"],
            c["name"],
            c["index"],
            c["low"],
            c["high"],
            c["rank_low"],
            c["rank_high"],
            c["events"],
        )
        for c in content["ranking"]
    ]
    # By hand: bilbrand weight 3, 4 x 3 = 12 points per 1,000 in Norr; 1 / 2 = 0.5 in Söder.
    assert [(r["Område"], r["Index"], r["Händelser"]) for r in ranking] == [
        ("Norr", 12.0, 4),
        ("Söder", 0.5, 1),
    ]
    assert book["Rangordning"].freeze_panes == "B2"
    damage = next(g for g in table(book["Utveckling"]) if g["Kategorigrupp"] == "Skadegörelse")
    # Same count as a year before: change 0; one klotter in May (the quarter's second month).
    assert (damage["Perioden"], damage["Samma period året före"], damage["Förändring"]) == (1, 1, 0)
    assert (damage["2025-04"], damage["2025-05"], damage["2025-06"]) == (0, 1, 0)
    influence = table(book["Påverkbarhet"])
    assert [(r["Område"], r["Nivå"]) for r in influence] == [("Norr", None), ("Söder", None)]
    entry = Entry.objects.get(action="picture.export")
    assert (entry.actor, entry.partnership) == (member_a.user, member_a.partnership)
    assert entry.details == {"format": "xlsx", "period": PERIOD, "version": None}


def test_a_version_exports_as_approved(login, coordinator_a, member_a, incidents):
    approved = approve(coordinator_a, comment="Aktiv förening")
    # Reported after the approval: in the draft, not in version 1.
    make_incident(
        member_a, area=incidents["norr"], category="bilbrand", occurred_at=incidents["in_q2"]
    )
    client = login(member_a)

    response = client.get(version_url())

    assert response["Content-Disposition"] == f'attachment; filename="lagesbild-{PERIOD}-v1.xlsx"'
    book = workbook(response)
    ranking = table(book["Rangordning"])
    assert [(r["Område"], r["Händelser"]) for r in ranking] == [
        (c["name"], c["events"]) for c in approved["ranking"]
    ]
    assert ranking[0]["Händelser"] == 4
    influence = {r["Område"]: r for r in table(book["Påverkbarhet"])}
    assert (influence["Norr"]["Nivå"], influence["Norr"]["Kommentar"]) == (3, "Aktiv förening")
    entry = Entry.objects.get(action="picture.export")
    assert entry.object_type == "picture"
    assert entry.details == {"format": "xlsx", "period": PERIOD, "version": 1}
    draft = table(workbook(client.get(draft_url()))["Rangordning"])
    assert draft[0]["Händelser"] == 5


def test_another_partnership_gets_404_for_a_version(login, coordinator_a, member_b, incidents):
    approve(coordinator_a)
    client = login(member_b)

    assert client.get(version_url()).status_code == 404
    own = table(workbook(client.get(draft_url()))["Rangordning"])
    assert all(r["Händelser"] == 0 for r in own)
    assert not Entry.objects.filter(action="picture.export", partnership=coordinator_a.partnership)


def test_reporters_export_only_where_the_partnership_allows(
    login, reporter_a, coordinator_a, incidents
):
    approve(coordinator_a)
    client = login(reporter_a)
    assert client.get(draft_url()).status_code == 403
    assert client.get(version_url()).status_code == 403

    reporter_a.partnership.reporters_see_picture = True
    reporter_a.partnership.save()

    assert table(workbook(client.get(version_url()))["Rangordning"])[0]["Händelser"] == 4
    assert workbook(client.get(draft_url()))


def test_unknown_periods_and_versions_are_404(login, member_a):
    client = login(member_a)
    assert (
        client.get(reverse("pictures:period_export", args=["2025-Q5", "xlsx"])).status_code == 404
    )
    assert client.get(version_url(7)).status_code == 404
    assert not Entry.objects.filter(action="picture.export").exists()


def test_the_period_pages_link_their_own_export(login, coordinator_a, incidents):
    approve(coordinator_a)
    client = login(coordinator_a)

    draft = client.get(reverse("pictures:period", args=[PERIOD])).content.decode()
    version = client.get(reverse("pictures:period_version", args=[PERIOD, 1])).content.decode()

    for fmt in ("pdf", "xlsx"):
        assert f'href="{draft_url(fmt)}"' in draft
        assert f'href="{version_url(fmt=fmt)}"' in version
        assert f'href="{draft_url(fmt)}"' not in version


def test_a_period_still_running_is_marked_in_the_workbook(login, member_a, incidents):
    """As on the page: the title says "pågående period" and a note says the figures are so
    far, with trend and comparison shown when the period is over."""
    running = Period.containing("quarter", timezone.localdate())
    book = workbook(
        login(member_a).get(reverse("pictures:period_export", args=[str(running), "xlsx"]))
    )
    title, note = summary_lines(book)
    assert title == (f"Lägesbild {running.label()} – {member_a.partnership.name} (pågående period)")
    assert note == (
        "Pågående period – siffrorna gäller hittills. Trend och jämförelse med året före "
        "visas när perioden är slut."
    )


# --- PDF --------------------------------------------------------------------------------


def test_the_draft_pdf_shows_the_sections_of_the_page(login, member_a, incidents, tmp_path):
    content = compute_period(member_a.partnership, Period.parse(PERIOD))

    response = login(member_a).get(draft_url("pdf"))

    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == f'attachment; filename="lagesbild-{PERIOD}-utkast.pdf"'
    )
    text = pdf_text(response.content, tmp_path)
    assert f"Lägesbild {content['label']} – {member_a.partnership.name}" in text
    assert "UTKAST – ej godkänd" in text
    for heading in (
        "Områden efter behov",
        "Behov och möjlighet att påverka",
        "Utveckling per kategorigrupp",
    ):
        assert heading in text
    # The ranking as in the workbook test: Norr 12 points per 1,000 from 4 events, then Söder.
    norr = next(
        line for line in text.splitlines() if line.strip().startswith("1 ") and "Norr" in line
    )
    assert "12,0" in norr and " 4 " in norr
    assert text.index("Norr") < text.index("Söder")
    assert "Ej bedömd" in text
    entry = Entry.objects.get(action="picture.export")
    assert entry.details == {"format": "pdf", "period": PERIOD, "version": None}


def test_a_version_pdf_is_the_approved_one(login, coordinator_a, member_a, incidents, tmp_path):
    approve(coordinator_a, comment="Aktiv förening")
    make_incident(
        member_a, area=incidents["norr"], category="bilbrand", occurred_at=incidents["in_q2"]
    )

    response = login(member_a).get(version_url(fmt="pdf"))

    assert response["Content-Disposition"] == f'attachment; filename="lagesbild-{PERIOD}-v1.pdf"'
    text = pdf_text(response.content, tmp_path)
    assert "Godkänd version 1 av" in text
    assert "UTKAST" not in text
    assert "3 God" in text and "Aktiv förening" in text
    assert "Godkänd trots:" in text and "Granskas i efterhand" in text
    norr = next(
        line for line in text.splitlines() if line.strip().startswith("1 ") and "Norr" in line
    )
    assert " 4 " in norr  # as approved, without the incident reported afterwards


def test_a_running_period_pdf_says_so(login, member_a, incidents, tmp_path):
    running = str(Period.containing("quarter", timezone.localdate()))
    response = login(member_a).get(reverse("pictures:period_export", args=[running, "pdf"]))

    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert "(pågående period)" in text
    assert "siffrorna gäller hittills" in text


def test_formats_a_periodic_picture_lacks_are_404(login, member_a):
    client = login(member_a)
    for fmt in ("geojson", "gpkg", "docx"):
        assert client.get(draft_url(fmt)).status_code == 404
    assert not Entry.objects.filter(action="picture.export").exists()
