"""The evaluation service gives exactly what `analysis.evaluation` gives on the same counts,
says "too few data" when so, proposes comparison areas with reasons, and freezes with the
intervention's closing."""

from datetime import timedelta

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from analysis.evaluation import difference_in_differences, wdq
from lagesbild.incidents import weeks
from lagesbild.interventions import evaluation, presenters, services
from lagesbild.interventions.models import Evaluation, EvaluationRequest, Intervention
from lagesbild.web.numbers import figure
from tests.factories import make_area
from tests.interventions.evaluation_data import fill, grid_areas, intervention_in, simulate

BEFORE, AFTER = 26, 20


@pytest.fixture
def setting(member_a):
    """Six areas with 26 weeks before and 20 after a start 30 weeks ago; graffiti halves in
    the first area after the start. Fires (not targeted) are added everywhere as noise."""
    partnership = member_a.partnership
    start_code = weeks.shift(weeks.week_of_date(timezone.localdate()), -30)
    codes = [weeks.shift(start_code, k) for k in range(-BEFORE, AFTER)]
    areas = grid_areas(partnership, 6)
    graffiti = partnership.categories.get(code="klotter")
    counts = simulate(6, BEFORE, AFTER, effect=0.5)
    for area, row in zip(areas, counts, strict=True):
        fill(member_a, area, codes, row, graffiti)
    fires = partnership.categories.exclude(parent=None).exclude(code="klotter").first()
    fill(member_a, areas[0], codes, [3] * len(codes), fires)
    start = weeks.monday(start_code)
    intervention = intervention_in(
        partnership,
        areas[0],
        member_a.organisation,
        start,
        category=graffiti,
        end_date=start + timedelta(weeks=AFTER - 1),
    )
    return intervention, areas, counts, codes


def test_did_figures_equal_the_engine_on_the_same_counts(setting):
    intervention, areas, counts, _codes = setting
    result = evaluation.evaluate(intervention)
    post = np.arange(BEFORE + AFTER) >= BEFORE
    # The proposal holds all five other areas; the engine's answer does not depend on their order.
    assert {c["id"] for c in result["comparison"]} == {a.pk for a in areas[1:]}
    expected = difference_in_differences(
        counts, np.arange(6) == 0, post, event_bin_size=evaluation.EVENT_BIN_WEEKS
    )
    did = result["did"]
    assert did["verdict"] == "estimate"
    assert did["irr"] == pytest.approx(expected.irr, rel=1e-9)
    assert (did["ci_low"], did["ci_high"]) == pytest.approx(
        (expected.ci_low, expected.ci_high), rel=1e-9
    )
    assert did["placebo_p"] == pytest.approx(expected.placebo_p)
    assert did["pre_trend"]["p_value"] == pytest.approx(expected.pre_trend.p_value, rel=1e-9)
    assert did["event_study"]["ratio"] == pytest.approx(list(expected.event_study.ratio), rel=1e-9)
    assert result["series"]["target"] == [int(v) for v in counts[0]]
    assert result["series"]["start_index"] == BEFORE
    assert result["periods"]["before"][0] == weeks.iso(_codes[0])
    assert result["periods"]["after"] == [weeks.iso(_codes[BEFORE]), weeks.iso(_codes[-1])]


def test_two_target_areas_give_the_engine_figures_on_the_summed_counts(setting):
    intervention, areas, counts, _codes = setting
    intervention.areas.add(areas[1])
    result = evaluation.evaluate(intervention)
    post = np.arange(BEFORE + AFTER) >= BEFORE
    # Neither target area is proposed as comparison; the two are one treated unit.
    assert {c["id"] for c in result["comparison"]} == {a.pk for a in areas[2:]}
    assert {p["id"] for p in result["proposal"]}.isdisjoint({areas[0].pk, areas[1].pk})
    summed = np.vstack([counts[0] + counts[1], counts[2:]])
    expected = difference_in_differences(
        summed, np.arange(5) == 0, post, event_bin_size=evaluation.EVENT_BIN_WEEKS
    )
    did = result["did"]
    assert did["verdict"] == expected.verdict == "estimate"
    assert did["irr"] == pytest.approx(expected.irr, rel=1e-9)
    assert (did["ci_low"], did["ci_high"]) == pytest.approx(
        (expected.ci_low, expected.ci_high), rel=1e-9
    )
    assert did["placebo_p"] == pytest.approx(expected.placebo_p)
    assert did["pre_trend"]["p_value"] == pytest.approx(expected.pre_trend.p_value, rel=1e-9)
    assert did["event_study"]["ratio"] == pytest.approx(list(expected.event_study.ratio), rel=1e-9)
    assert (did["treated_before"], did["treated_after"]) == (
        expected.treated_before,
        expected.treated_after,
    )
    assert result["series"]["target"] == [int(v) for v in counts[0] + counts[1]]
    assert result["target"]["name"] == f"{areas[0].name}, {areas[1].name}"
    assert result["target"]["name"] in presenters.verdict_sentence(result)


def test_the_buffer_ring_is_around_every_target_area(setting, member_a):
    intervention, areas, _counts, _codes = setting
    second = areas[3]
    # Touching the second target area's east side, far from the first.
    beside = make_area(member_a.partnership, "Grannen", second.max_lon, second.min_lat)
    assert evaluation.evaluate(intervention)["buffer"] == []
    intervention.areas.add(second)
    result = evaluation.evaluate(intervention)
    assert result["buffer"] == [{"id": beside.pk, "name": "Grannen"}]
    assert beside.pk not in {c["id"] for c in result["comparison"]}


def test_sentence_carries_the_interval_and_never_a_bare_difference(setting):
    intervention = setting[0]
    result = evaluation.evaluate(intervention)
    did = result["did"]
    sentence = presenters.verdict_sentence(result)
    assert did["ci_high"] < 1  # a halving over 20 weeks at 6 a week is clear
    low, high = figure((1 - did["ci_high"]) * 100, 0), figure((1 - did["ci_low"]) * 100, 0)
    assert f"95 % KI {low}–{high} %" in sentence
    assert f"{figure((1 - did['irr']) * 100, 0)} % färre" in sentence
    assert intervention.area_names in sentence


def test_wdq_for_the_buffer_equals_the_engine(setting, member_a):
    intervention, areas, counts, codes = setting
    graffiti = intervention.categories.get()
    target = areas[0]
    # An area touching the target's east side is its default buffer ring.
    buffer = make_area(member_a.partnership, "Grannen", target.max_lon, target.min_lat)
    buffer_counts = simulate(1, BEFORE, AFTER, effect=1.0, seed=7)[0]
    fill(member_a, buffer, codes, buffer_counts, graffiti)
    result = evaluation.evaluate(intervention)
    assert result["buffer"] == [{"id": buffer.pk, "name": "Grannen"}]
    control = counts[1:].sum(axis=0)
    expected = wdq(
        (counts[0][:BEFORE].sum(), counts[0][BEFORE:].sum()),
        (buffer_counts[:BEFORE].sum(), buffer_counts[BEFORE:].sum()),
        (control[:BEFORE].sum(), control[BEFORE:].sum()),
    )
    assert result["wdq"]["wdq"] == pytest.approx(expected.wdq)
    assert (result["wdq"]["ci_low"], result["wdq"]["ci_high"]) == pytest.approx(
        (expected.ci_low, expected.ci_high)
    )
    assert result["wdq"]["reading"] == expected.reading
    assert presenters.wdq_sentence(result)


def test_too_few_data_says_so_and_gives_no_figure(member_a):
    partnership = member_a.partnership
    start_code = weeks.shift(weeks.week_of_date(timezone.localdate()), -12)
    codes = [weeks.shift(start_code, k) for k in range(-BEFORE, 10)]
    areas = grid_areas(partnership, 5)
    graffiti = partnership.categories.get(code="klotter")
    for k, area in enumerate(areas):
        row = np.zeros(len(codes), dtype=int)
        row[k::9] = 1  # a handful of events in each area
        fill(member_a, area, codes, row, graffiti)
    intervention = intervention_in(
        partnership, areas[0], member_a.organisation, weeks.monday(start_code), category=graffiti
    )
    result = evaluation.evaluate(intervention)
    assert result["did"]["verdict"] == "too_few_data"
    assert result["did"]["irr"] is None and result["did"]["ci_low"] is None
    sentence = presenters.verdict_sentence(result)
    assert sentence.startswith("För lite data för en slutsats")
    assert "KI" not in sentence and "färre" not in sentence


def test_no_week_after_the_start_is_too_few_data(member_a):
    partnership = member_a.partnership
    areas = grid_areas(partnership, 4)
    intervention = intervention_in(
        partnership, areas[0], member_a.organisation, timezone.localdate()
    )
    result = evaluation.evaluate(intervention)
    assert result["periods"]["after"] is None
    assert result["did"]["verdict"] == "too_few_data"
    assert presenters.verdict_sentence(result).startswith("För lite data för en slutsats")


def test_proposal_prefers_similar_areas_and_says_why(member_a):
    partnership = member_a.partnership
    start_code = weeks.shift(weeks.week_of_date(timezone.localdate()), -4)
    codes = [weeks.shift(start_code, k) for k in range(-BEFORE, 0)]
    graffiti = partnership.categories.get(code="klotter")
    areas = grid_areas(partnership, 8)
    levels = [6, 6, 6, 1, 1, 6, 40, 6]
    for area, level in zip(areas, levels, strict=True):
        fill(member_a, area, codes, [level] * len(codes), graffiti)
    intervention = intervention_in(
        partnership, areas[0], member_a.organisation, weeks.monday(start_code), category=graffiti
    )
    proposal = evaluation.evaluate(intervention)["proposal"]
    chosen = [p["id"] for p in proposal]
    assert len(chosen) == 5
    assert set(chosen[:4]) == {areas[k].pk for k in (1, 2, 5, 7)}
    assert areas[6].pk not in chosen  # almost seven times the level
    reason = presenters.proposal_reason(proposal[0])
    assert "6,0" in reason and "händelser i veckan" in reason


def _close(coordinator, intervention) -> None:
    services.update_status(
        actor=coordinator.user,
        membership=coordinator,
        intervention=intervention,
        status=Intervention.Status.DONE,
    )


def test_closing_freezes_and_recomputing_adds_a_version(
    setting, coordinator_a, django_capture_on_commit_callbacks
):
    intervention = setting[0]
    with django_capture_on_commit_callbacks(execute=True):  # the worker's task, immediate
        _close(coordinator_a, intervention)
    first = Evaluation.objects.get(intervention=intervention)
    assert (first.version, first.verdict) == (1, "estimate")
    frozen = dict(first.result)
    evaluation.store_evaluation(actor=coordinator_a.user, intervention=intervention)
    first.refresh_from_db()
    assert first.result == frozen
    assert list(intervention.evaluations.values_list("version", flat=True)) == [2, 1]


def test_evaluation_page_shows_verdict_chart_and_proposal(setting, login, member_a):
    intervention = setting[0]
    page = login(member_a).get(reverse("interventions:evaluation", args=[intervention.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Preliminär" in text
    assert presenters.verdict_sentence(evaluation.evaluate(intervention)) in text.replace(
        "&#x27;", "'"
    )
    assert 'class="start"' in text  # the start marked in the weekly chart
    assert "Föreslagna jämförelseområden" in text and "kategoriblandning" in text
    assert "Ändra upplägget" not in text  # members read, analysts set up


def test_analyst_chooses_comparison_areas_and_periods(setting, login, analyst_a):
    intervention, areas, counts, _codes = setting
    client = login(analyst_a)
    url = reverse("interventions:evaluation_setup", args=[intervention.pk])
    chosen = [areas[1].pk, areas[2].pk, areas[3].pk]
    response = client.post(url, {"comparison_areas": chosen, "weeks_before": "20"})
    assert response.status_code == 302
    intervention.refresh_from_db()
    result = evaluation.evaluate(intervention)
    assert [c["id"] for c in result["comparison"]] == chosen and result["comparison_chosen"]
    post = np.arange(20 + AFTER) >= 20
    expected = difference_in_differences(
        counts[:4, BEFORE - 20 :], np.arange(4) == 0, post, event_bin_size=4
    )
    assert result["did"]["irr"] == pytest.approx(expected.irr, rel=1e-9)


def test_bad_setup_is_refused_and_changes_nothing(setting, login, analyst_a, member_a):
    intervention, areas, _counts, _codes = setting
    url = reverse("interventions:evaluation_setup", args=[intervention.pk])
    both = {
        "comparison_areas": [areas[1].pk],
        "buffer_chosen": "on",
        "buffer_areas": [areas[1].pk],
        "weeks_before": "26",
    }
    response = login(analyst_a).post(url, both)
    assert response.status_code == 400
    assert "både jämförelse och buffert" in response.content.decode()
    assert login(analyst_a).post(url, {"weeks_before": "2"}).status_code == 400
    assert login(member_a).post(url, {"weeks_before": "20"}).status_code == 403
    intervention.refresh_from_db()
    assert intervention.weeks_before == 26 and not intervention.comparison_areas.exists()


def test_overview_filters_closed_interventions_by_type(
    setting, login, coordinator_a, django_capture_on_commit_callbacks
):
    intervention = setting[0]
    partnership = intervention.partnership
    kind = services.intervention_types(partnership).get(name="Fysisk åtgärd")
    intervention.kind = kind
    intervention.save()
    with django_capture_on_commit_callbacks(execute=True):
        _close(coordinator_a, intervention)
    client = login(coordinator_a)
    url = reverse("interventions:overview")
    page = client.get(url, {"kind": kind.pk}).content.decode()
    assert intervention.title in page and "Minskning" in page
    other = services.intervention_types(partnership).get(name="Annat")
    assert intervention.title not in client.get(url, {"kind": other.pk}).content.decode()
    assert client.get(url, {"kind": "999999"}).status_code == 400


def test_closing_queues_the_evaluation_and_the_page_shows_its_progress(
    setting, login, coordinator_a, analyst_a, django_capture_on_commit_callbacks
):
    intervention = setting[0]
    with django_capture_on_commit_callbacks() as queued:  # closed, the worker not yet run
        _close(coordinator_a, intervention)
    assert not intervention.evaluations.exists()
    pending = EvaluationRequest.objects.get(intervention=intervention)
    assert pending.status == EvaluationRequest.Status.QUEUED
    # Asking again while one is on its way queues nothing more.
    assert evaluation.request_evaluation(actor=analyst_a.user, intervention=intervention) == pending
    client = login(coordinator_a)
    page = client.get(reverse("interventions:evaluation", args=[intervention.pk])).content.decode()
    assert "Utvärderingen beräknas i bakgrunden" in page and "Slutsats" not in page
    status_url = reverse("interventions:evaluation_status", args=[intervention.pk])
    polled = client.get(status_url)
    assert "HX-Refresh" not in polled and "i kö" in polled.content.decode()

    for callback in queued:  # the worker runs the task
        callback()
    pending.refresh_from_db()
    assert pending.status == EvaluationRequest.Status.DONE
    assert pending.evaluation == intervention.evaluations.get(version=1)
    assert evaluation.run_request(pending.pk) is None  # claimed once, never computed twice
    assert client.get(status_url)["HX-Refresh"] == "true"
    page = client.get(reverse("interventions:evaluation", args=[intervention.pk])).content.decode()
    assert "Fryst version 1" in page and "Slutsats" in page


def test_a_failed_computation_is_shown_and_can_be_asked_again(
    setting, login, analyst_a, coordinator_a, django_capture_on_commit_callbacks, monkeypatch
):
    intervention = setting[0]
    with django_capture_on_commit_callbacks(execute=True):
        _close(coordinator_a, intervention)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(evaluation, "store_evaluation", broken)
    client = login(analyst_a)
    recompute = reverse("interventions:evaluation_recompute", args=[intervention.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(recompute).status_code == 302
    failed = EvaluationRequest.objects.filter(intervention=intervention).first()
    assert failed.status == EvaluationRequest.Status.FAILED
    assert "database went away" in failed.error
    page = client.get(reverse("interventions:evaluation", args=[intervention.pk])).content.decode()
    assert "misslyckades" in page and "Fryst version 1" in page
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(recompute)
    assert list(intervention.evaluations.values_list("version", flat=True)) == [2, 1]
