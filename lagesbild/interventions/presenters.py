"""An evaluation's stored figures into Swedish sentences and chart geometry.

Every sentence carries its uncertainty or says that the data are too few; none states a
bare before/after difference. Sentences are made when a page is shown, from the figures
stored with the evaluation, so a frozen evaluation reads the same in either language.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lagesbild.interventions import evaluation
from lagesbild.web.numbers import figure


def percent(value: float) -> str:
    return figure(value * 100, 0)


def _fewer_or_more(irr: float) -> str:
    """'38 % färre' or '25 % fler'."""
    if irr <= 1:
        return _("%(p)s %% färre") % {"p": percent(1 - irr)}
    return _("%(p)s %% fler") % {"p": percent(irr - 1)}


def too_few_reason(result: dict) -> str:
    """Why the DiD gave no figure, in words, with the numbers that fell short."""
    did = result["did"]
    area = result["target"]["name"]
    code = did["reason_code"]
    if code == "comparison_units":
        return _("bara %(n)s jämförelseområden (minst %(m)s behövs)") % {
            "n": did["n_comparison"],
            "m": evaluation.MIN_COMPARISON_UNITS,
        }
    if code == "periods_after" or result["periods"]["after"] is None:
        return _("det finns ännu ingen hel vecka efter start")
    if code == "periods_before":
        return _("det finns inga veckor före start")
    if code == "treated_events_before":
        return _("bara %(n)s händelser i %(a)s före start (minst %(m)s behövs)") % {
            "n": figure(did["treated_before"], 0),
            "a": area,
            "m": evaluation.MIN_EVENTS,
        }
    if code == "comparison_events_before":
        return _("bara %(n)s händelser i jämförelseområdena före start (minst %(m)s behövs)") % {
            "n": figure(did["comparison_before"], 0),
            "m": evaluation.MIN_EVENTS,
        }
    if code == "comparison_events_after":
        return _("bara %(n)s händelser i jämförelseområdena efter start (minst %(m)s behövs)") % {
            "n": figure(did["comparison_after"], 0),
            "m": evaluation.MIN_EVENTS,
        }
    if code == "expected_treated_events_after":
        before, after = did["comparison_before"], did["comparison_after"]
        expected = did["treated_before"] * after / before if before else 0
        return _(
            "om inget ändrats väntas bara %(n)s händelser i %(a)s efter start (minst %(m)s "
            "behövs), så inte ens en stor minskning skulle synas"
        ) % {"n": figure(expected), "a": area, "m": figure(evaluation.MIN_EXPECTED_AFTER, 0)}
    if code == "model_did_not_fit":
        return _("modellen kan inte anpassas till dessa data")
    return _("för få händelser")


def verdict_sentence(result: dict) -> str:
    """The plain verdict: the effect with its interval, or 'för lite data för en slutsats'."""
    did = result["did"]
    if did["verdict"] != "estimate":
        return _("För lite data för en slutsats: %(r)s.") % {"r": too_few_reason(result)}
    irr, low, high = did["irr"], did["ci_low"], did["ci_high"]
    values = {
        "a": result["target"]["name"],
        "l": percent(did["level"]),
        "effect": _fewer_or_more(irr),
    }
    if high < 1:
        return _(
            "Insatsen följdes av en minskning: i %(a)s blev det %(effect)s händelser än "
            "utvecklingen i jämförelseområdena förutsäger (%(l)s %% KI %(lo)s–%(hi)s %%)."
        ) % {**values, "lo": percent(1 - high), "hi": percent(1 - low)}
    if low > 1:
        return _(
            "Ingen minskning: i %(a)s blev det %(effect)s händelser än utvecklingen i "
            "jämförelseområdena förutsäger (%(l)s %% KI %(lo)s–%(hi)s %%)."
        ) % {**values, "lo": percent(low - 1), "hi": percent(high - 1)}
    return _(
        "Ingen säker skillnad mot jämförelseområdena: skattningen är %(effect)s händelser i "
        "%(a)s, men %(l)s %%-intervallet går från %(down)s %% färre till %(up)s %% fler."
    ) % {**values, "down": percent(1 - low), "up": percent(high - 1)}


def short_verdict(result: dict) -> str:
    """One or two words for the overview: worked, no sure difference, worse, too few data."""
    did = result["did"]
    if did["verdict"] != "estimate":
        return _("För lite data")
    if did["ci_high"] < 1:
        return _("Minskning")
    if did["ci_low"] > 1:
        return _("Ökning")
    return _("Ingen säker skillnad")


def pre_trend_sentence(result: dict) -> str:
    trend = result["did"]["pre_trend"]
    if result["did"]["verdict"] != "estimate":
        return ""
    if trend is None or trend["p_value"] is None:
        return _("Trenderna före start kunde inte prövas (för få veckor med händelser).")
    change = figure((trend["ratio_per_period"] - 1) * 100)
    if trend["p_value"] < 0.05:
        return _(
            "Varning: redan före start utvecklades %(a)s annorlunda än jämförelseområdena "
            "(%(c)s %% per vecka, p = %(p)s). Då kan skillnaden efter start bero på det; "
            "tolka resultatet försiktigt."
        ) % {"a": result["target"]["name"], "c": change, "p": figure(trend["p_value"], 3)}
    return _("Inget tecken på olika trender före start (%(c)s %% per vecka, p = %(p)s).") % {
        "c": change,
        "p": figure(trend["p_value"], 2),
    }


def placebo_sentence(result: dict) -> str:
    p = result["did"].get("placebo_p")
    if p is None:
        return ""
    n = result["did"].get("n_comparison") or 0
    return _(
        "Placebotest: när vart och ett av jämförelseområdena i stället behandlas som om "
        "insatsen gällt det, blir andelen lika stora förändringar %(p)s (med %(n)s "
        "jämförelseområden kan den inte bli mindre än %(m)s)."
    ) % {"p": figure(p, 2), "n": n, "m": figure(1 / (n + 1), 2)}


WDQ_READINGS = {
    "no_treated_improvement": _lazy(
        "Området förbättrades inte mot jämförelseområdena, så WDQ säger inget om förflyttning."
    ),
    "diffusion_greater_than_effect": _lazy(
        "Buffertzonen förbättrades mer än insatsområdet: nyttan spreds (spridning större än "
        "effekten)."
    ),
    "diffusion": _lazy("Nyttan spreds till buffertzonen (spridning)."),
    "no_displacement_or_diffusion": _lazy("Ingen förflyttning och ingen spridning."),
    "displacement_less_than_effect": _lazy(
        "En del av problemet kan ha flyttat till buffertzonen, men mindre än vad insatsen tog bort."
    ),
    "displacement_greater_than_effect": _lazy(
        "Problemet kan ha flyttat till buffertzonen, mer än vad insatsen tog bort."
    ),
}


def wdq_sentence(result: dict) -> str:
    """WDQ for the buffer, its interval and its reading; or why it cannot be read."""
    found = result.get("wdq")
    if not result["buffer"]:
        return _("Ingen buffertzon: inga områden ligger intill insatsområdet.")
    if found is None:
        return _("WDQ kan inte beräknas ännu.")
    if found["verdict"] != "estimate":
        return _("För lite data för WDQ i buffertzonen (minst %(m)s händelser per period).") % {
            "m": evaluation.MIN_EVENTS
        }
    text = _("WDQ = %(w)s (95 %% KI %(lo)s till %(hi)s).") % {
        "w": figure(found["wdq"], 2),
        "lo": figure(found["ci_low"], 2),
        "hi": figure(found["ci_high"], 2),
    }
    if found["stability"] == "unstable":
        return (
            text
            + " "
            + _(
                "Förändringen i insatsområdet är för osäker för att kvoten ska kunna läsas som "
                "förflyttning eller spridning."
            )
        )
    return text + " " + str(WDQ_READINGS.get(found["reading"], ""))


def proposal_reason(proposal: dict) -> str:
    """Why an area was proposed as comparison: its level, trend and category mix before."""
    return _(
        "Liknande före start: %(l)s mot %(tl)s händelser i veckan, trend %(t)s %% mot "
        "%(tt)s %% per vecka, kategoriblandning %(m)s %% lika."
    ) % {
        "l": figure(proposal["level"]),
        "tl": figure(proposal["target_level"]),
        "t": figure(proposal["trend"] * 100),
        "tt": figure(proposal["target_trend"] * 100),
        "m": figure(proposal["mix_similarity"] * 100, 0),
    }


def series_chart(result: dict, width: int = 640, height: int = 220) -> dict:
    """SVG geometry: the treated area's weekly counts and the comparison areas' mean, with a
    vertical line at the start."""
    series = result["series"]
    target, comparison = series["target"], series["comparison_mean"]
    n = len(target)
    if n == 0:
        return {}
    top = max([*target, *[v for v in comparison if v is not None], 1]) * 1.1
    left, bottom, plot_h = 36, height - 24, height - 34
    step = (width - left - 8) / max(n - 1, 1)

    def x(i):
        return left + i * step

    def y(v):
        return bottom - (v / top) * plot_h

    def line(values):
        return " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values) if v is not None)

    start = series["start_index"]
    ticks = sorted({round(top / 1.1 * f) for f in (0, 0.5, 1)})
    return {
        "width": width,
        "height": height,
        "left": left,
        "bottom": bottom,
        "target": line(target),
        "comparison": line(comparison),
        "start_x": round(x(start), 1) if start is not None else None,
        "y_ticks": [{"y": round(y(t), 1), "label": t} for t in ticks],
        "first": series["weeks"][0],
        "last": series["weeks"][-1],
    }


def event_study_chart(result: dict, width: int = 640, height: int = 200) -> dict:
    """SVG geometry of the event study: the rate ratio per bin of weeks with its interval on
    a log scale, the reference bin at 1."""
    import math

    study = result["did"].get("event_study")
    if not study:
        return {}
    values = [v for v in study["ci_low"] + study["ci_high"] + study["ratio"] if v]
    low = min([*values, 0.5])
    high = max([*values, 2.0])
    lo, hi = math.log(low), math.log(high)
    left, bottom, plot_h = 44, height - 24, height - 34
    n = len(study["bins"])
    step = (width - left - 16) / max(n - 1, 1)

    def y(v):
        return bottom - (math.log(v) - lo) / (hi - lo) * plot_h

    points = []
    for i, b in enumerate(study["bins"]):
        ratio = study["ratio"][i]
        point = {"x": round(left + i * step, 1), "bin": b, "after": b >= 0}
        if ratio:
            point["y"] = round(y(ratio), 1)
            point["label"] = figure(ratio, 2)
        if study["ci_low"][i] and study["ci_high"][i]:
            point["y_low"] = round(y(study["ci_low"][i]), 1)
            point["y_high"] = round(y(study["ci_high"][i]), 1)
        points.append(point)
    return {
        "width": width,
        "height": height,
        "left": left,
        "one_y": round(y(1.0), 1),
        "points": points,
        "bin_size": study["bin_size"],
        "start_x": round(left + (study["bins"].index(0) - 0.5) * step, 1)
        if 0 in study["bins"]
        else None,
        "ticks": [
            {"y": round(y(t), 1), "label": figure(t, 2)}
            for t in (low, 1.0, high)
            if low <= t <= high
        ],
    }
