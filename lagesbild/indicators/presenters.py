"""Indicator figures as people read them: values with their unit, the change, the flag and
one Swedish sentence that explains it (docs/method/indicators.md)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analysis import indicators as method
from lagesbild.indicators import periods, police, queries, snapshot
from lagesbild.indicators.models import Indicator
from lagesbild.indicators.queries import AreaSummary
from lagesbild.partnerships.access import Role, has_role
from lagesbild.web.numbers import MISSING, figure, rounded

WORSE, BETTER, NORMAL, UNKNOWN = "worse", "better", "normal", "unknown"
FLAG_LABELS = {
    WORSE: gettext_lazy("Sämre än vanligt"),
    BETTER: gettext_lazy("Bättre än vanligt"),
    NORMAL: gettext_lazy("Som vanligt"),
    UNKNOWN: gettext_lazy("Kan inte bedömas"),
}


def counted_note(indicator: Indicator) -> str:
    """Which event types the police indicator counts (as its page says it), for the
    pictures' section and exports; empty for any other indicator."""
    if indicator.counted_from != Indicator.CountedFrom.POLICE_EVENTS:
        return ""
    return police.counted_types(indicator)


def decimals(indicator: Indicator, value: float | None) -> int:
    if indicator.scale == Indicator.Scale.COUNT:
        return 0
    if indicator.scale == Indicator.Scale.SHARE:
        return 1
    return 0 if value is not None and abs(value) >= 100 else 1


def value_text(indicator: Indicator, value: float | None) -> str:
    if value is None:
        return MISSING
    return f"{figure(value, decimals(indicator, value))} {indicator.unit}".strip()


def change_text(indicator: Indicator, change: float | None) -> str:
    """+3 / −2,5 with a real minus sign, in the indicator's unit."""
    exact = rounded(change, decimals(indicator, change))
    if exact is None:
        return MISSING
    sign = "+" if exact > 0 else "−" if exact < 0 else ""
    return f"{sign}{figure(abs(exact), decimals(indicator, change))}"


def flag(indicator: Indicator, deviation: method.Deviation | None) -> str:
    if deviation is None or deviation.outcome == method.UNKNOWN:
        return UNKNOWN
    if deviation.outcome == method.WITHIN:
        return NORMAL
    higher_worse = indicator.direction == Indicator.Direction.HIGHER_WORSE
    return WORSE if (deviation.outcome == method.ABOVE) == higher_worse else BETTER


def _baseline_words(indicator: Indicator, deviation: method.Deviation) -> str:
    if deviation.baseline == method.SEASONAL and indicator.period != Indicator.Period.YEAR:
        return _("samma period de %(n)s föregående åren") % {"n": deviation.history}
    if indicator.period == Indicator.Period.YEAR:
        return _("de %(n)s föregående åren") % {"n": deviation.history}
    return _("de %(n)s föregående perioderna (utan hänsyn till säsong)") % {"n": deviation.history}


def _chance(p: float) -> str:
    if p < 0.001:
        return _("mindre än 1 gång på 1 000")
    return _("ungefär %(n)s gånger på 1 000") % {"n": figure(1000 * p, 0)}


def sentence(indicator: Indicator, summary: AreaSummary) -> str:
    """One sentence that says why the flag is what it is."""
    deviation = summary.deviation
    if deviation is None:
        return _("Inga värden ännu.")
    if deviation.baseline == method.NO_BASELINE:
        return _("För kort historik för att bedöma om värdet avviker (%(n)s tidigare värden).") % {
            "n": deviation.history
        }
    if indicator.scale == Indicator.Scale.SHARE:
        return _share_sentence(indicator, summary, deviation)
    words = _baseline_words(indicator, deviation)
    low = max(deviation.low, 0) if indicator.scale == Indicator.Scale.COUNT else deviation.low
    facts = {
        "value": value_text(indicator, deviation.latest),
        "expected": value_text(indicator, deviation.expected),
        "low": figure(low, decimals(indicator, low)),
        "high": figure(deviation.high, decimals(indicator, deviation.high)),
        "baseline": words,
    }
    if indicator.scale == Indicator.Scale.COUNT:
        text = (
            _(
                "%(value)s mot förväntat cirka %(expected)s utifrån %(baseline)s; vanligt är "
                "%(low)s–%(high)s."
            )
            % facts
        )
        if deviation.outcome == method.WITHIN:
            return text
        return (
            text
            + " "
            + _("Så långt från det förväntade händer av en slump %(chance)s.")
            % {"chance": _chance(deviation.p_value)}
        )
    return (
        _("%(value)s mot mittvärdet %(expected)s för %(baseline)s; vanligt är %(low)s–%(high)s.")
        % facts
    )


def _share_sentence(indicator, summary, deviation) -> str:
    previous = periods.label(
        indicator.period, periods.from_key(indicator.period, deviation.previous_key)
    )
    if deviation.outcome == method.UNKNOWN:
        return _(
            "%(value)s %% mot %(previous)s %% (%(period)s); antal svarande saknas, så "
            "förändringens osäkerhet är okänd."
        ) % {
            "value": figure(deviation.latest, 1),
            "previous": figure(deviation.expected, 1),
            "period": previous,
        }
    text = _(
        "%(value)s %% mot %(previous)s %% (%(period)s): en förändring på %(change)s "
        "procentenheter, 95 %% osäkerhetsintervall %(low)s till %(high)s."
    ) % {
        "value": figure(deviation.latest, 1),
        "previous": figure(deviation.expected, 1),
        "period": previous,
        "change": change_text(indicator, deviation.latest - deviation.expected),
        "low": figure(deviation.low, 1),
        "high": figure(deviation.high, 1),
    }
    if deviation.outcome == method.WITHIN:
        return text + " " + _("Förändringen ryms inom slumpens variation.")
    return text + " " + _("Förändringen är större än slumpen förklarar.")


def margin(indicator: Indicator, value) -> str:
    """A survey share's 95 % Wilson interval, '18,0–24,3 %', or '' without a sample size."""
    if indicator.scale != Indicator.Scale.SHARE or not value or not value.sample_size:
        return ""
    n = value.sample_size
    low, high = method.wilson_interval(round(value.value / 100 * n), n)
    return _("%(low)s–%(high)s %%") % {"low": figure(100 * low, 1), "high": figure(100 * high, 1)}


@dataclass
class Row:
    """One area's line in the indicator tables."""

    area: object
    latest: str
    period: str
    change: str
    flag: str
    flag_label: str
    sentence: str
    margin: str
    sample_size: int | None


def rows(indicator: Indicator, summaries: list[AreaSummary]) -> list[Row]:
    result = []
    for s in summaries:
        state = flag(indicator, s.deviation)
        result.append(
            Row(
                area=s.area,
                latest=value_text(indicator, s.latest.value if s.latest else None),
                period=periods.label(indicator.period, s.latest.period_start)
                if s.latest
                else MISSING,
                change=change_text(indicator, s.change),
                flag=state,
                flag_label=str(FLAG_LABELS[state]),
                sentence=sentence(indicator, s),
                margin=margin(indicator, s.latest),
                sample_size=s.latest.sample_size if s.latest else None,
            )
        )
    return result


def picture_sections(membership, until, picture=None) -> list[tuple[Indicator, list[AreaSummary]]]:
    """What the pictures' "Indikatorer" section, their map layers and their exports show:
    each indicator the member may see with the areas that have a value of a period begun by
    `until` (areas without one are listed on the indicator's own page). Nothing for
    reporters, who see no indicators. An approved version (`picture`) shows the values
    frozen with it; the draft, and a version approved before values were frozen, today's."""
    if not has_role(membership, Role.MEMBER):
        return []
    frozen = snapshot.sections(membership, picture) if picture is not None else None
    found = frozen if frozen is not None else queries.picture_summaries(membership, until)
    sections = []
    for indicator, summaries in found:
        known = [s for s in summaries if s.latest is not None]
        if known:
            sections.append((indicator, known))
    return sections


def values_note(picture=None) -> str:
    """Whose values the section shows: frozen with the version (of periods begun by the
    last day of its period), or today's."""
    if picture is None:
        return _(
            "Indikatorernas värden är som de är i dag; de fryses med lägesbilden när den godkänns."
        )
    if snapshot.has_frozen(picture):
        return _(
            "Indikatorernas värden är som de var när versionen godkändes, för perioder som "
            "började senast %(until)s."
        ) % {"until": picture.indicator_snapshot.until.isoformat()}
    return _(
        "Indikatorernas värden är som de är i dag: versionen godkändes innan värdena "
        "frystes med lägesbilden."
    )


def version_changes(membership, picture) -> list[str]:
    """How the indicators `membership` may see changed since the version `picture`
    supersedes, in words: per indicator and area whose frozen latest value, its period or its
    flag differs, the police indicator's new choice of event types, and indicators that came
    or went. Worked out for each reader when read,
    never stored with the picture, because who may see which indicator is today's rule
    (`snapshot.sections`). Nothing for reporters, for a first version, or where either
    version was approved before indicators were frozen (there is nothing to compare)."""
    previous = getattr(picture, "supersedes", None)
    if previous is None or not has_role(membership, Role.MEMBER):
        return []
    old, new = snapshot.sections(membership, previous), snapshot.sections(membership, picture)
    if old is None or new is None:
        return []
    before = {indicator.pk: (indicator, summaries) for indicator, summaries in old}
    lines = []
    for indicator, summaries in new:
        if indicator.pk not in before:
            lines.append(_("Indikatorn %(name)s tillkom.") % {"name": indicator.name})
            continue
        old_indicator, old_summaries = before.pop(indicator.pk)
        counted = _types_change(old_indicator, indicator)
        if counted:  # first: it explains why the counts below changed
            lines.append(counted)
        was = {s.area.pk: s for s in old_summaries}
        for summary in summaries:
            line = _area_change(indicator, was.pop(summary.area.pk, None), summary)
            if line:
                lines.append(line)
        for summary in was.values():  # an area without a value in the new version
            lines.append(_area_change(indicator, summary, None))
    for indicator, _gone in before.values():
        lines.append(_("Indikatorn %(name)s föll bort.") % {"name": indicator.name})
    return lines


def _types_change(old: Indicator, new: Indicator) -> str | None:
    """The line saying the police indicator counts other event types, or None. A version
    frozen before the choice was frozen with it reads as not counted (snapshot.COUNTED), so
    it is compared with nothing."""
    if not (old.counted_from and new.counted_from):
        return None
    if old.police_event_types == new.police_event_types:
        return None
    before, after = (", ".join(i.police_event_types) or _("alla typer") for i in (old, new))
    return _("Indikatorn %(name)s räknar andra händelsetyper: %(a)s → %(b)s.") % {
        "name": new.name,
        "a": before,
        "b": after,
    }


def _area_change(indicator: Indicator, old: AreaSummary | None, new: AreaSummary | None):
    """One area's line, or None when its value, period and flag are as they were."""
    where = f"{indicator.name}, {(new or old).area.name}"
    old_flag, new_flag = (flag(indicator, s.deviation) if s else None for s in (old, new))
    same_value = (
        old is not None
        and new is not None
        and (old.latest.value, old.latest.period_start)
        == (new.latest.value, new.latest.period_start)
    )
    if same_value and old_flag == new_flag:
        return None
    if same_value:
        return _("%(where)s: flagga %(a)s → %(b)s.") % {
            "where": where,
            "a": FLAG_LABELS[old_flag],
            "b": FLAG_LABELS[new_flag],
        }
    shown_period = old is None or new is None or old.latest.period_start != new.latest.period_start
    facts = {
        "where": where,
        "a": _value_in_period(indicator, old, shown_period),
        "b": _value_in_period(indicator, new, shown_period),
    }
    if new_flag is None:  # the area has no value in the new version
        return _("%(where)s: %(a)s → %(b)s.") % facts
    if old_flag is None or old_flag == new_flag:
        flag_text = str(FLAG_LABELS[new_flag]).lower()
    else:
        flag_text = _("flagga %(a)s → %(b)s") % {
            "a": FLAG_LABELS[old_flag],
            "b": FLAG_LABELS[new_flag],
        }
    return _("%(where)s: %(a)s → %(b)s (%(flag)s).") % {**facts, "flag": flag_text}


def _value_in_period(indicator: Indicator, summary: AreaSummary | None, with_period: bool):
    """'12 400 kr', or '12 400 kr för 2026-03' when the two versions' periods differ."""
    if summary is None:
        return MISSING
    text = value_text(indicator, summary.latest.value)
    if not with_period:
        return text
    return _("%(value)s för %(period)s") % {
        "value": text,
        "period": periods.label(indicator.period, summary.latest.period_start),
    }
