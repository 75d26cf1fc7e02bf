"""A periodic picture (quarter, tertial, year) as a printable A4 PDF, with the page's
sections: the notes on what the figures cover, a version's changes against the one before
it (as the weekly PDF lists them, for the reader), the areas by need (a chart of the index with
its intervals and the table), the group's view of what can be influenced and the development
per category group. Laid out with the weekly picture's PDF machinery (`pdf`), and built from
the periodic content alone, so an approved version prints exactly as it was approved.
"""

from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether

from lagesbild.pictures import presenters
from lagesbild.pictures.exports import drawings
from lagesbild.pictures.exports.edition import Edition
from lagesbild.pictures.exports.pdf import WIDTH, para, render, simple_table
from lagesbild.pictures.periodic import influence_text
from lagesbild.pictures.periods import Period
from lagesbild.web.templatetags.lagesbild import percent_change


def build(edition: Edition) -> bytes:
    """The PDF as bytes."""
    content = edition.content
    title = presenters.periodic_title(content)
    story = [
        para(title, "title"),
        para(edition.status(), "status"),
        para(edition.computed(), "small"),
        *[para(note) for note in _notes(edition)],
        *[para(line, "small") for line in edition.changes()],
        *_ranking(content),
        *_need(content.get("need")),
        *_influence(content),
        *_development(content),
    ]
    return render(
        story,
        title=title,
        author=content["partnership"],
        subject=title,
        footer=f"Lägesbild – {content['partnership']} – {content['label']}",
        draft=edition.picture is None,
    )


def _notes(edition: Edition) -> list[str]:
    """What the page says before any figure: a running period, partial coverage, reports
    still waiting for review, and what an approval was given in spite of."""
    content, notes = edition.content, presenters.periodic_notes(edition.content)
    if content.get("unreviewed"):
        notes.append(
            _("Rapporter under perioden som väntar på granskning (räknas med): %(n)s.")
            % {"n": content["unreviewed"]}
        )
    if content.get("approval_warnings"):
        notes.append(
            _("Godkänd trots:")
            + " "
            + " ".join(content["approval_warnings"])
            + " "
            + _("Kommentar:")
            + " "
            + content.get("approval_note", "")
        )
    elif edition.picture is not None and edition.picture.change_note:
        notes.append(_("Rättelse: %(note)s") % {"note": edition.picture.change_note})
    return notes


def _ranking(content: dict) -> list:
    if content["basis"] == "per_inhabitants":
        basis = _(
            "Index = viktade poäng (kategorins vikt × antal) per 1 000 invånare under perioden, "
            "med 95 %-intervall."
        )
        if content.get("population_years"):
            years = ", ".join(map(str, content["population_years"]))
            basis += " " + _("Folkmängd från %(y)s.") % {"y": years}
    else:
        basis = _(
            "Index = viktade poäng (kategorins vikt × antal) under perioden, med 95 %-intervall "
            "(folkmängd saknas för något område)."
        )
    explained = _(
        "Rangintervallet visar hur säker placeringen är. Trenden är förändringen per period "
        "%(a)s–%(b)s."
    ) % {"a": content["trend_periods"][0], "b": content["trend_periods"][-1]}
    ranking = content["ranking"]
    rows = [
        [
            r["rank"],
            r["name"],
            presenters.num(r["index"]),
            f"{presenters.num(r['low'])}–{presenters.num(r['high'])}",
            f"{r['rank_low']}–{r['rank_high']}",
            r["events"],
            presenters.trend_text(r),
        ]
        for r in ranking
    ]
    header = [
        _("Rang"),
        _("Område"),
        _("Index"),
        _("95 %-intervall"),
        _("Rangintervall"),
        _("Händelser"),
        _("Trend per period"),
    ]
    widths = [12 * mm, 32 * mm, 14 * mm, 22 * mm, 20 * mm, 19 * mm, WIDTH - 119 * mm]
    chart = drawings.index_chart(ranking, WIDTH)
    legend = _("Punkten är områdets index, linjen dess 95 %-intervall.")
    return [
        para(_("Områden efter behov"), "h2"),
        para(f"{basis} {explained}", "small"),
        KeepTogether([chart, para(legend, "small")]),
        *simple_table(header, rows, widths),
    ]


def _need(need: dict | None) -> list:
    """The combined need with every part: its weight, each area's value and place between the
    areas (0 lowest, 1 highest need), so the combined figure is never an unexplained score."""
    if not need:
        return []
    parts = "; ".join(
        _("%(p)s (vikt %(w)s, %(d)s)")
        % {"p": part["name"], "w": part["weight"], "d": str(part["direction"]).lower()}
        for part in need["parts"]
    )
    rows = [
        [
            row["rank"] or "–",
            row["name"],
            row["need_text"],
            "\n".join(
                f"{part['name']}: {cell['value']} ({_('plats')} {cell['score_text']})"
                for part, cell in zip(need["parts"], row["parts"], strict=True)
            )
            + (
                "\n" + _("Saknar värde: %(m)s.") % {"m": ", ".join(row["missing"])}
                if row["missing"]
                else ""
            ),
        ]
        for row in need["rows"]
    ]
    return [
        para(_("Sammanvägt behov"), "h2"),
        para(
            _(
                "Rapporternas index och de indikatorer gruppen väger in. Varje del placeras "
                "mellan områdenas lägsta (0) och högsta (1) värde, vänd där högre är bättre, så "
                "att 1 alltid är störst behov. Det sammanvägda behovet är medelvärdet av delarna "
                "med gruppens vikter. Ett område som saknar värde för en vägd del får inget "
                "sammanvägt behov. Rangintervallen ovan gäller bara rapporternas index."
            )
            + " "
            + _("Delar: %(parts)s.") % {"parts": parts},
            "small",
        ),
        *simple_table(
            [_("Rang"), _("Område"), _("Sammanvägt behov (0–1)"), _("Delarna")],
            rows,
            [12 * mm, 32 * mm, 24 * mm, WIDTH - 68 * mm],
        ),
    ]


def _influence(content: dict) -> list:
    """Every ranked area in the order of the ranking, judged or not."""
    rows = []
    for r in content["ranking"]:
        judged = content["influence"].get(str(r["area"]), {})
        shown = influence_text(judged.get("level")) or _("Ej bedömd")
        rows.append([r["name"], shown, judged.get("comment", "")])
    return [
        para(_("Behov och möjlighet att påverka"), "h2"),
        para(
            _(
                "Gruppen bedömer för varje område hur stor möjligheten är att påverka läget. "
                "Områden högt upp till höger har stort behov och god möjlighet att påverka."
            ),
            "small",
        ),
        *simple_table(
            [_("Område"), _("Möjlighet att påverka"), _("Kommentar")],
            rows,
            [40 * mm, 35 * mm, WIDTH - 75 * mm],
        ),
    ]


def _change(g: dict) -> str:
    if g["ratio"] is None:
        return g.get("reason") or _("ingen jämförelse")
    sure = g["low"] > 1 or g["high"] < 1
    return f"{percent_change(g['ratio'])} ({presenters.change_interval(g['low'], g['high'], sure)})"


def _development(content: dict) -> list:
    period = Period.parse(content["period"])
    first = period.first_month  # a period never crosses a new year
    months = [first.replace(month=first.month + k).strftime("%Y-%m") for k in range(period.months)]
    rows = [
        [
            g["name"],
            g["now"],
            "–" if g["year_before"] is None else g["year_before"],
            _change(g),
            " · ".join("–" if m is None else str(m) for m in g["monthly"]),
        ]
        for g in content["groups"]
    ]
    return [
        para(_("Utveckling per kategorigrupp"), "h2"),
        para(_("Per månad: %(m)s.") % {"m": ", ".join(months)}, "small"),
        *simple_table(
            [
                _("Kategorigrupp"),
                _("Perioden"),
                _("Samma period året före"),
                _("Förändring (95 %-intervall)"),
                _("Per månad"),
            ],
            rows,
            [35 * mm, 16 * mm, 22 * mm, 50 * mm, WIDTH - 123 * mm],
        ),
    ]
