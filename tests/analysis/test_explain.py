import dataclasses
import datetime as dt

import numpy as np

from analysis import deviations, explain, weeks

WEEK_47 = weeks.from_iso(2026, 47)


def flag(**changes):
    values = {
        "week": WEEK_47,
        "observed": 9,
        "observed_4w": 12,
        "expected": 3.14,
        "normal_low": 2,
        "normal_high": 5,
        "threshold": 8,
        "p_value": 0.0031,
        "p_adjusted": 0.02,
        "level": "avvikelse",
        "tested": True,
        "rising": False,
        "rising_since": None,
    }
    values.update(changes)
    return explain.FlagNumbers(**values)


def test_the_sentence_of_a_deviation():
    text = explain.sentence(flag(), category="Skadegörelse", area="Tureberg")
    assert text == (
        "Skadegörelse i Tureberg: 9 händelser vecka 47, normalt 2–5 (förväntat 3,1). "
        "Ovanligt högt. Så många eller fler inträffar av slump ungefär 3 gånger på 1 000."
    )


def test_watch_normal_rising_and_untested_sentences():
    watch = explain.sentence(flag(level="bevaka", p_value=0.02), category="Klotter", area="A")
    assert "Något högt, bevaka." in watch and "ungefär 2 gånger på 100" in watch
    normal = explain.sentence(
        flag(observed=1, level="", normal_low=1, normal_high=1), category="Brand", area="B"
    )
    assert normal == "Brand i B: 1 händelse vecka 47, normalt 1 (förväntat 3,1). Inom det normala."
    rising = explain.sentence(
        flag(level="", observed=4, rising=True, rising_since=weeks.from_iso(2026, 40)),
        category="Klotter",
        area="C",
    )
    assert rising.endswith("Inom det normala. Ökande sedan vecka 40.")
    untested = explain.sentence(flag(tested=False), category="Klotter", area="D")
    assert untested == "Klotter i D: 9 händelser vecka 47. För kort historik för att jämföra."


def test_numbers_come_from_the_result_row():
    from analysis import aggregate

    rng = np.random.default_rng(0)
    cube = rng.poisson(2.0, (2, 2, 120))
    cube[0, 0, -1] = 15
    table = aggregate.stack_series(cube, first_week=weeks.week_index(dt.date(2024, 1, 1)))
    result = deviations.weekly_deviations(table, 119)
    numbers = explain.numbers(result, 0)
    assert numbers.observed == 15
    assert numbers.level == "avvikelse"
    assert numbers.normal_low <= numbers.expected <= numbers.normal_high < numbers.threshold
    assert "Ovanligt högt" in explain.sentence(numbers, category="X", area="Y")


def test_a_flag_carried_by_the_four_week_sum_is_explained_by_the_four_weeks():
    text = explain.sentence(
        flag(observed=4, p_value=0.03, p_4w=0.0004), category="Skadegörelse", area="Tureberg"
    )
    assert text == (
        "Skadegörelse i Tureberg: 4 händelser vecka 47, normalt 2–5 (förväntat 3,1). "
        "Ovanligt högt. De fyra senaste veckorna 12 händelser; så många eller fler på fyra "
        "veckor inträffar av slump färre än 1 gång på 1 000."
    )
    week = explain.sentence(flag(p_4w=0.01), category="Skadegörelse", area="Tureberg")
    assert week.endswith("Så många eller fler inträffar av slump ungefär 3 gånger på 1 000.")


def test_numbers_carry_the_four_week_p_value():
    from analysis import aggregate

    rng = np.random.default_rng(1)
    cube = rng.poisson(2.0, (2, 2, 120))
    cube[0, 0, -3:] = 7
    table = aggregate.stack_series(cube, first_week=weeks.week_index(dt.date(2024, 1, 1)))
    result = deviations.weekly_deviations(table, 119)
    numbers = explain.numbers(result, 0)
    assert numbers.observed_4w == int(cube[0, 0, -4:].sum())
    assert numbers.p_4w == result.p_windows[0, result.windows.index(4)] < numbers.p_value
    alone = deviations.weekly_deviations(
        table, 119, dataclasses.replace(deviations.DEFAULT, windows=(1,))
    )
    assert np.isnan(explain.numbers(alone, 0).p_4w)
