"""The evaluation's sentences: every estimate carries its interval, in the right direction."""

from lagesbild.interventions import presenters


def _result(irr, low, high, verdict="estimate", **did):
    return {
        "target": {"name": "Tureberg"},
        "periods": {"before": ["2026-W01", "2026-W26"], "after": ["2026-W27", "2026-W40"]},
        "buffer": [],
        "did": {
            "verdict": verdict,
            "reason_code": did.pop("reason_code", ""),
            "irr": irr,
            "ci_low": low,
            "ci_high": high,
            "level": 0.95,
            "pre_trend": did.pop("pre_trend", None),
            **did,
        },
    }


def test_a_clear_drop_gives_the_drop_and_its_interval():
    sentence = presenters.verdict_sentence(_result(0.62, 0.40, 0.95))
    assert "38 % färre" in sentence and "(95 % KI 5–60 %)" in sentence
    assert presenters.short_verdict(_result(0.62, 0.40, 0.95)) == "Minskning"


def test_an_interval_across_one_says_no_certain_difference_with_both_ends():
    sentence = presenters.verdict_sentence(_result(0.80, 0.50, 1.30))
    assert sentence.startswith("Ingen säker skillnad")
    assert "20 % färre" in sentence and "från 50 % färre till 30 % fler" in sentence


def test_a_clear_rise_is_no_drop():
    sentence = presenters.verdict_sentence(_result(1.5, 1.1, 2.0))
    assert sentence.startswith("Ingen minskning") and "50 % fler" in sentence
    assert "(95 % KI 10–100 %)" in sentence


def test_too_few_comparison_areas_names_the_shortfall():
    result = _result(None, None, None, verdict="too_few_data", reason_code="comparison_units")
    result["did"]["n_comparison"] = 2
    sentence = presenters.verdict_sentence(result)
    assert sentence == ("För lite data för en slutsats: bara 2 jämförelseområden (minst 3 behövs).")
    assert presenters.pre_trend_sentence(result) == ""


def test_diverging_pre_trends_warn():
    trend = {"ratio_per_period": 1.05, "ci_low": 1.01, "ci_high": 1.09, "p_value": 0.01}
    text = presenters.pre_trend_sentence(_result(0.6, 0.4, 0.9, pre_trend=trend))
    assert text.startswith("Varning") and "5,0 % per vecka" in text
