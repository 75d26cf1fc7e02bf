"""The police's notices in the weekly picture's PDF and Excel files: a section of their own,
labelled as the police's public notices, the counts for every reader and the notices for
members and up, and an approved version's file with the notices it was approved with."""

import io
from datetime import datetime, timedelta

import openpyxl
import pytest
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.pictures import runs, services
from lagesbild.pictures.exports import excel, pdf
from lagesbild.pictures.exports.edition import Edition
from lagesbild.policeevents import services as police
from tests.factories import make_incident
from tests.pictures.helpers import pdf_text
from tests.policeevents.conftest import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(sollentuna, coordinator_a):
    """Last week: one report, and three notices (one naming Tureberg, two at municipality
    level)."""
    code = weeks.shift(weeks.week_code(timezone.now()), -1)
    start = weeks.bounds(code)[0]
    make_incident(coordinator_a, area=sollentuna.areas.get(name="Tureberg"), occurred_at=start)
    day = (start + timedelta(days=1, hours=12)).strftime("%Y-%m-%d %H:%M:%S +01:00")
    police.import_records(
        [
            record(410712, datetime=day, name="Brand, Sollentuna"),
            record(413318, datetime=day, name="Bråk, Sollentuna", summary="Bråk i Tureberg."),
            record(447706, datetime=day, name="Stöld, Sollentuna"),
        ]
    )
    runs.run_now(sollentuna, weeks.iso(code))
    return code, day


def draft(partnership, code) -> dict:
    return services.assemble(partnership, code, runs.latest_run(partnership, weeks.iso(code)))


def police_sheet(membership, content, picture=None) -> list[tuple]:
    data = excel.build(Edition(content, membership, picture))
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [row for row in book["Polisens notiser"].iter_rows(values_only=True) if any(row)]


def test_excel_has_the_police_notices_on_a_sheet_of_their_own(member_a, sollentuna, week):
    rows = police_sheet(member_a, draft(sollentuna, week[0]))
    firsts = [row[0] for row in rows]
    assert firsts[0] == "Polisens händelsenotiser"
    assert any("en egen källa" in str(first) for first in firsts)
    counts = {row[0]: row[1] for row in rows}
    assert counts["Tureberg"] == 1
    assert counts["Kommunnivå (inget område)"] == 2
    assert counts["Totalt"] == 3
    notices = [row for row in rows if isinstance(row[0], datetime)]  # a real date-time cell
    assert {row[2] for row in notices} == {
        "Brand, Sollentuna",
        "Bråk, Sollentuna",
        "Stöld, Sollentuna",
    }
    assert {row[3] for row in notices} == {"Tureberg", "kommunnivå"}


def test_a_reporter_gets_the_counts_but_not_the_notices(reporter_a, sollentuna, week):
    rows = police_sheet(reporter_a, draft(sollentuna, week[0]))
    assert {row[0]: row[1] for row in rows}["Totalt"] == 3
    assert not any("Sollentuna" in str(cell) for row in rows for cell in row)


def test_an_approved_versions_files_keep_the_notices_it_was_approved_with(
    coordinator_a, sollentuna, week, tmp_path
):
    code, day = week
    picture = services.approve_picture(
        actor=coordinator_a.user,
        partnership=sollentuna,
        content=draft(sollentuna, code),
        change_note="På mötet",
        confirmed=True,
    )
    police.import_records([record(581682, datetime=day, name="Sent, Sollentuna")])
    assert draft(sollentuna, code)["police"]["total"] == 4
    rows = police_sheet(coordinator_a, picture.content, picture)
    assert {row[0]: row[1] for row in rows}["Totalt"] == 3
    assert any("när versionen godkändes" in str(row[0]) for row in rows)
    text = pdf_text(pdf.build(Edition(picture.content, coordinator_a, picture)), tmp_path)
    assert "Polisens händelsenotiser" in text
    assert "Kommunnivå (inget område)" in text
    assert "Bråk i Tureberg." in text
    assert "Sent, Sollentuna" not in text


def test_no_section_without_a_municipality(member_a, partnership_a):
    code = weeks.shift(weeks.week_code(timezone.now()), -1)
    make_incident(member_a, occurred_at=weeks.bounds(code)[0])
    runs.run_now(partnership_a, weeks.iso(code))
    content = draft(partnership_a, code)
    assert content["police"] is None
    data = excel.build(Edition(content, member_a))
    assert "Polisens notiser" not in openpyxl.load_workbook(io.BytesIO(data)).sheetnames
