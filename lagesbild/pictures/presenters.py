"""Numbers into words, tables and chart geometry for the situation picture (Swedish first).

Everything here is deterministic: the same figures always give the same sentences, so an
approved picture reads the same whenever it is opened.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from lagesbild.indicators import presenters as indicator_presenters
from lagesbild.web.numbers import figure, rounded
from lagesbild.web.templatetags.lagesbild import percent_change


def num(value, decimals: int = 1) -> str:
    """A figure in the active locale by the app's one rounding rule (`web.numbers`)."""
    return figure(value, decimals)


def week_label(iso: str) -> str:
    """'2026-W47' -> 'vecka 47'."""
    return _("vecka %(w)s") % {"w": int(iso.split("W")[1])}


def place_phrase(group_name: str, area_name: str) -> str:
    """'Skadegörelse i Tureberg', or whichever of the two names there is."""
    if group_name and area_name:
        return _("%(group)s i %(area)s") % {"group": group_name, "area": area_name}
    return group_name or area_name


def changes_from_previous(membership, picture) -> list[str]:
    """An approved version's "Ändrat mot föregående version" as `membership` reads it: the
    lines frozen with the version (counts, flags, assessments, incidents), then the changes
    in the indicators the reader may see. Those are worked out on reading, never frozen in
    the content that every member and the API read, because an indicator may be for
    coordinators and analysts only. Empty for the draft (`picture` None)."""
    if picture is None:
        return []
    frozen = list(picture.content.get("changes_from_previous", []))
    return frozen + indicator_presenters.version_changes(membership, picture)


LEVEL_WORDS = {"avvikelse": _lazy("Avvikelse"), "bevaka": _lazy("Bevaka")}


def level_word(level: str) -> str:
    return str(LEVEL_WORDS.get(level, "–"))


def explain(series: dict, area_name: str, group_name: str, iso: str) -> str:
    """One sentence a person can judge a flag by, e.g. 'Skadegörelse i Tureberg: 9 händelser
    vecka 47, normalt 2–5 (förväntat 3,1). Ovanligt högt.'"""
    where = place_phrase(group_name, area_name)
    count = ngettext("%(n)s händelse", "%(n)s händelser", series["observed"]) % {
        "n": series["observed"]
    }
    if series.get("in_progress"):
        return _(
            "%(where)s: %(count)s hittills %(week)s (pågående vecka; jämförs när veckan är slut)."
        ) % {"where": where, "count": count, "week": week_label(iso)}
    if series["expected"] is None:
        return _("%(where)s: %(count)s %(week)s (för kort historik för en jämförelse).") % {
            "where": where,
            "count": count,
            "week": week_label(iso),
        }
    low = int(series["normal_low"] or 0)
    high = int(series["normal_high"] or 0)
    verdict = {
        "avvikelse": _("Ovanligt högt."),
        "bevaka": _("Högre än vanligt – bevaka."),
    }.get(
        series["level"],
        _("Inom det normala.")
        if series["observed"] <= high
        else _("Något högre än vanligt, men inte ovanligt med tanke på slumpen."),
    )
    text = _("%(where)s: %(count)s %(week)s, normalt %(low)s–%(high)s (förväntat %(exp)s).") % {
        "where": where,
        "count": count,
        "week": week_label(iso),
        "low": low,
        "high": high,
        "exp": num(series["expected"]),
    }
    if series["level"] and series["p"] is not None:
        verdict += " " + _chance_sentence(series)
    return f"{text} {verdict}"


def _chance_sentence(series: dict) -> str:
    """How unusual the flagged count is: the week's count, or where the four weeks' sum
    carries the flag (a rise over several weeks, none of them alone unusual), that sum."""
    p_4w = series.get("p_4w")
    if p_4w is None or p_4w >= series["p"]:
        return chance(series["p"])
    return _(
        "De fyra senaste veckorna %(n)s händelser; så många eller fler på fyra veckor "
        "inträffar av slump %(share)s."
    ) % {"n": series["observed_4w"], "share": chance_share(p_4w)}


def chance(p: float) -> str:
    """How often at least this many happen by chance, in words (as analysis.explain says it)."""
    return _("Så många eller fler inträffar av slump %(share)s.") % {"share": chance_share(p)}


def chance_share(p: float) -> str:
    """A probability in words: 'ungefär 3 gånger på 1 000'."""
    if p >= 0.01:
        return _("ungefär %(n)s gånger på 100") % {"n": round(p * 100)}
    if p >= 0.001:
        return _("ungefär %(n)s gånger på 1 000") % {"n": round(p * 1000)}
    return _("färre än 1 gång på 1 000")


def rising_sentence(series: dict, area_name: str, group_name: str) -> str:
    """Why the rising badge is shown: the count since the rise began against what the
    baseline expected for those weeks, e.g. 'Skadegörelse i Tureberg har ökat stadigt sedan
    vecka 40: 14 händelser sedan dess, förväntat 6,2.'"""
    where = place_phrase(group_name, area_name)
    since = week_label(series["rising_since"]) if series.get("rising_since") else ""
    if not since or series.get("rising_expected") is None:
        return _("%(where)s har ökat stadigt de senaste veckorna.") % {"where": where}
    count = ngettext("%(n)s händelse", "%(n)s händelser", series["rising_observed"]) % {
        "n": series["rising_observed"]
    }
    return _(
        "%(where)s har ökat stadigt sedan %(since)s: %(count)s sedan dess, förväntat %(exp)s."
    ) % {"where": where, "since": since, "count": count, "exp": num(series["rising_expected"])}


def unreviewed_sentence(content: dict) -> str:
    """How many of the week's reports are not yet reviewed, and whether they are counted."""
    n = content.get("unreviewed", 0)
    if not n:
        return _("Alla veckans rapporter är granskade.")
    if content.get("unreviewed_counted", True):
        return ngettext(
            "%(n)s rapport väntar på granskning; den räknas med i siffrorna.",
            "%(n)s rapporter väntar på granskning; de räknas med i siffrorna.",
            n,
        ) % {"n": n}
    return ngettext(
        "%(n)s rapport väntar på granskning; den räknas inte med i siffrorna.",
        "%(n)s rapporter väntar på granskning; de räknas inte med i siffrorna.",
        n,
    ) % {"n": n}


def cluster_sentence(cluster: dict, group_name: str | None) -> str:
    what = group_name or _("alla kategorier")
    text = _(
        "%(n)s händelser (%(what)s) inom %(r)s m på %(d)s dagar, %(start)s–%(end)s; förväntat "
        "%(exp)s. %(chance)s"
    ) % {
        "n": cluster["observed"],
        "what": what.lower(),
        "r": int(cluster["radius"]),
        "d": cluster["days"],
        "start": cluster["start"],
        "end": cluster["end"],
        "exp": num(cluster["expected"]),
        "chance": recurrence_sentence(cluster["recurrence_years"]),
    }
    return text.strip()


def recurrence_sentence(years: float | None) -> str:
    """How often so clear a cluster arises by chance: 'en gång på 3 år', or 'ungefär 4 gånger
    per år' where it is more than once a year (a weekly scan at p = 0,05 recurs about every
    fifth month)."""
    if not years:
        return ""
    if years >= 1.5:
        return _("Så tydliga kluster uppstår av slump ungefär en gång på %(n)s år.") % {
            "n": num(years, 0)
        }
    per_year = rounded(1 / years, 0)
    if per_year <= 1:
        return _("Så tydliga kluster uppstår av slump ungefär en gång per år.")
    return _("Så tydliga kluster uppstår av slump ungefär %(n)s gånger per år.") % {
        "n": int(per_year)
    }


def sparkline(values: list[int], width: int = 72, height: int = 20) -> dict:
    """Polyline points of a small SVG chart of the last weeks, scaled to the box."""
    if not values:
        return {"points": "", "width": width, "height": height, "last": None}
    top = max(max(values), 1)
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(values)
    )
    last_x = (len(values) - 1) * step
    last_y = height - 2 - (values[-1] / top) * (height - 4)
    return {
        "points": points,
        "width": width,
        "height": height,
        "last": (round(last_x, 1), round(last_y, 1)),
    }


def trend_chart(trend: dict, width: int = 640, height: int = 200) -> dict:
    """Geometry of the trend chart: observed line, expected line, the normal band and last
    year's line, in SVG coordinates, plus axis labels."""
    observed = trend["observed"]
    n = len(observed)
    if n == 0:
        return {}
    values = [
        v
        for v in observed + trend.get("last_year", []) + [h for h in trend["high"] if h is not None]
        if v is not None
    ]
    top = max(max(values, default=1), 1) * 1.1
    left, bottom, plot_h = 36, height - 24, height - 34
    step = (width - left - 8) / max(n - 1, 1)

    def x(i):
        return left + i * step

    def y(v):
        return bottom - (v / top) * plot_h

    def line(series):
        return " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(series) if v is not None)

    band_top = [(x(i), y(h)) for i, h in enumerate(trend["high"]) if h is not None]
    band_bottom = [(x(i), y(lo)) for i, lo in enumerate(trend["low"]) if lo is not None]
    band = " ".join(f"{a:.1f},{b:.1f}" for a, b in band_top + band_bottom[::-1])
    ticks = [round(top / 1.1 * f) for f in (0, 0.5, 1)]
    return {
        "width": width,
        "height": height,
        "left": left,
        "bottom": bottom,
        "observed": line(observed),
        "expected": line(trend["expected"]),
        "band": band,
        "last_year": line(trend.get("last_year", [])),
        "y_ticks": [{"y": round(y(t), 1), "label": t} for t in sorted(set(ticks))],
        "first_week": trend["first_week"],
        "weeks": n,
    }


LEVEL_LABELS = {
    "avvikelse": ("▲", "Avvikelse"),
    "bevaka": ("●", "Bevaka"),
    "": ("", ""),
}


def matrix(content: dict, sort: str = "area", descending: bool = False) -> dict:
    """Rows (areas) and columns (category groups) of the status matrix, sortable by area
    name, total, points or a group's count. Links are built here, once, rather than by a
    template tag in each of the many cells."""
    list_url = reverse("incidents:list") + f"?week={content['period']}"
    series = content["series"]
    groups = content["groups"]

    def cell(area_id, group_id):
        s = series[f"{area_id or ''}:{group_id or ''}"]
        link = list_url
        if area_id:
            link += f"&area={area_id}"
        if group_id:
            link += f"&category={group_id}"
        return {**s, "href": link + "&status=counted", "spark_svg": sparkline(s["spark"])}

    rows = []
    for area in content["areas"]:
        rows.append(
            {
                "area": area,
                "cells": [cell(area["id"], g["id"]) for g in groups],
                "total": cell(area["id"], None),
                "points": content["area_points"][str(area["id"])],
                "assessment": content["assessments"][str(area["id"])],
            }
        )
    keys = {
        "area": lambda r: r["area"]["name"],
        "total": lambda r: r["total"]["observed"],
        "points": lambda r: r["points"]["points"] or 0,
    }
    for j, group in enumerate(groups):
        keys[str(group["id"])] = lambda r, j=j: r["cells"][j]["observed"]
    rows.sort(key=keys.get(sort, keys["area"]), reverse=descending)
    footer = [cell(None, g["id"]) for g in groups]
    return {
        "rows": rows,
        "groups": groups,
        "footer": footer,
        "grand": cell(None, None),
        "sort": sort if sort in keys else "area",
        "descending": descending,
    }


def hotspot_legend(hotspots: dict) -> str:
    """The legend line for hot spots, the same on the page's map and in the PDF: which cells
    were tested (those with at least `min_count` incidents in the window) and what makes one
    a hot spot. Content computed before the minimum was recorded gets the older wording."""
    values = {"c": f"{hotspots.get('cell', 200):.0f}", "w": hotspots.get("weeks", 4)}
    if hotspots.get("min_count"):
        return _(
            "Brännpunkt: %(c)s m-ruta med minst %(n)s händelser de senaste %(w)s veckorna, "
            "tätare än slumpen förklarar (Gi*, FDR 5 %%)"
        ) % {**values, "n": hotspots["min_count"]}
    return _("Brännpunkt (Gi*, %(c)s m-rutor, senaste %(w)s veckorna, FDR 5 %%)") % values


def choropleth(content: dict) -> dict:
    """How the map colours the areas, for the page, its map data and the PDF alike.

    Severity points per 1,000 inhabitants where every area's population is known; otherwise
    the weighted points themselves for every area (a map mixing rates and counts would compare
    unlike things, as the ranking says too), and the legend says so. Class limits at a
    quarter, half and three quarters of the highest value; no classes in a week without
    points, so nothing is coloured as if it were high."""
    points = content["area_points"]
    per_inhabitants = bool(points) and all(p["per_1000"] is not None for p in points.values())
    key = "per_1000" if per_inhabitants else "points"
    values = {k: p[key] for k, p in points.items()}
    top = max((v for v in values.values() if v is not None), default=0)
    decimals = 1 if top >= 1 else 2
    breaks = [float(rounded(top * f, decimals)) for f in (0.25, 0.5, 0.75)] if top > 0 else []
    if per_inhabitants:
        title = _("Områdenas färg: viktade poäng per 1 000 invånare denna vecka")
        unit = _("poäng/1 000 inv.")
    else:
        title = _("Områdenas färg: viktade poäng denna vecka (folkmängd saknas för något område)")
        unit = _("poäng")
    if breaks:
        limits = [num(b, decimals) for b in breaks]
        classes = [
            f"< {limits[0]}",
            f"{limits[0]}–{limits[1]}",
            f"{limits[1]}–{limits[2]}",
            f"≥ {limits[2]}",
        ]
    else:
        classes = [_("Inga poäng denna vecka")]
    return {
        "basis": key,
        "values": values,
        "breaks": breaks,
        "max": top,
        "title": title,
        "unit": unit,
        "classes": classes,
    }


def trend_charts(content: dict) -> list[tuple[str, dict]]:
    """The trend charts in display order: the total, each category group, each area."""
    areas = content["areas"]
    groups = content["groups"]
    order = [("-1:-1", _("Totalt"))]
    order += [(f"-1:{j}", g["name"]) for j, g in enumerate(groups)]
    order += [(f"{i}:-1", a["name"]) for i, a in enumerate(areas)]
    charts = []
    for key, title in order:
        trend = content["trends"].get(key)
        if not trend or not trend["observed"]:
            continue
        chart = trend_chart(trend)
        chart["title"] = title
        chart["summary"] = _("senaste veckan %(n)s, förväntat %(e)s") % {
            "n": num(trend["observed"][-1], 0),
            "e": num(trend["expected"][-1]),
        }
        charts.append((key, chart))
    return charts


def periodic_title(content: dict) -> str:
    """'Lägesbild kvartal 2 2025 – EST Sollentuna', with '(pågående period)' while it runs."""
    title = _("Lägesbild %(p)s – %(n)s") % {"p": content["label"], "n": content["partnership"]}
    return title + " " + _("(pågående period)") if content["in_progress"] else title


def change_interval(low, high, sure: bool | None = None) -> str:
    """A change's 95 % interval, '−3 % – +30 %', followed by ' · säker förändring' or
    ' · kan vara slump' when `sure` says which."""
    interval = f"{percent_change(low)} – {percent_change(high)}"
    if sure is None:
        return interval
    verdict = _("säker förändring") if sure else _("kan vara slump")
    return f"{interval} · {verdict}"


def trend_text(r: dict, *, verdict: bool = True) -> str:
    """An area's trend in a periodic picture's ranking, '+12 % (−3 % – +30 % · kan vara
    slump)' (without `verdict`: '+12 % (−3 % – +30 %)'), or why there is no trend."""
    if r["trend"] is None:
        return r.get("trend_reason") or _("för få händelser")
    sure = (r["trend_p"] is not None and r["trend_p"] < 0.05) if verdict else None
    interval = change_interval(r["trend_low"], r["trend_high"], sure)
    return f"{percent_change(r['trend'])} ({interval})"


def periodic_notes(content: dict) -> list[str]:
    """What a periodic picture's exports say before any figure, as its page does: a period
    still running (counts so far, trend and comparison withheld) or only partly covered."""
    notes = []
    if content["in_progress"]:
        notes.append(
            _("Pågående period")
            + " – "
            + _(
                "siffrorna gäller hittills. Trend och jämförelse med året före visas när "
                "perioden är slut."
            )
        )
    if content["covered"] is False:
        notes.append(
            _(
                "Samverkan rapporterar sedan %(d)s: perioden täcks bara delvis, så dess antal "
                "är lägre än en hel periods."
            )
            % {"d": content["covered_from"] or "–"}
        )
    return notes
