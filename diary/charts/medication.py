"""Class days of each acute class per month, stacked, with the ICHD-3 overuse limits."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from .. import clinical
from ..clinical.overuse import CLASS_DAY_LIMITS
from ..clinical.periods import Month
from .ranges import elapsed_days, months_span
from .style import CLASS_STYLE, MISSING, TEXT, figure, month_bars, month_trace_axis
from .words import Words, month_text, plural_text, span_text

if TYPE_CHECKING:
    from . import Chart
    from .ranges import ChartInput

# Class days a month from which a class is overuse (ICHD-3 8.2): 10 for most acute classes,
# 15 for non-opioids; the chart draws a line at each.
ICHD3_LIMITS = tuple(sorted(set(CLASS_DAY_LIMITS.values())))
NON_OPIOID_LIMIT = CLASS_DAY_LIMITS["non_opioid_analgesic"]
CLASS_LIMIT = CLASS_DAY_LIMITS["triptan"]
NUMBERED_MONTHS = 12  # the most months whose days not logged are written as numbers
ABOUT = (
    "acute medication days per class per month, with the ICHD-3 limits of "
    + " and ".join(str(limit) for limit in ICHD3_LIMITS)
    + " days"
)


def draw(chart: Chart, given: ChartInput) -> dict:
    """One stacked bar a month of the classes taken, the acute days, and days not logged."""
    today, words = given.today, given.words
    rows = clinical.month_rows(given.days, *given.time_range)
    months = [row.month for row in rows]
    elapsed = [elapsed_days(row.month, today) for row in rows]
    month_axis_of_trace = month_trace_axis()
    data: list[dict] = []
    for drug_class in clinical.ACUTE_CLASSES:
        counts = [row.medication_days.of_class(drug_class) for row in rows]
        if not any(counts):
            continue
        name = words.class_names[drug_class]
        colour, hatch = CLASS_STYLE[drug_class]
        data.append(
            {
                "type": "bar",
                "name": name,
                "x": months,
                "y": counts,
                **month_axis_of_trace,
                "customdata": [plural_text(n, "day") for n in counts],
                "marker": {
                    "color": colour,
                    "line": {"color": TEXT, "width": 0.5},
                    "pattern": {
                        "shape": hatch,
                        "fgcolor": TEXT,
                        "size": 6,
                        "solidity": 0.25,
                        "fillmode": "overlay",
                    },
                },
                "hovertemplate": f"{name}: %{{customdata}}<extra></extra>",
            }
        )
    acute = [row.medication_days.acute if row.days_logged else None for row in rows]
    hovers = [
        words.medication_count(row.medication_days.acute)
        + (
            f"; {words.over_limit}: " + ", ".join(words.reason(r) for r in row.overuse_reasons)
            if row.overuse_reasons
            else ""
        )
        for row in rows
    ]
    missing = [max(0, e - row.days_logged) or None for row, e in zip(rows, elapsed)]
    first, last = months_span(rows, today)
    data.append(
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": words.medication_days.capitalize(),
            "x": months,
            "y": acute,
            **month_axis_of_trace,
            "customdata": hovers,
            "line": {"color": TEXT, "width": 1.5},
            "marker": {"color": TEXT, "symbol": "diamond", "size": 8},
            "hovertemplate": "%{customdata}<extra></extra>",
        }
    )
    data.extend(_limit_lines(first, last, words))
    data.append(_not_logged_row(months, missing))
    top = (
        max(
            [
                *ICHD3_LIMITS,
                *(sum(row.medication_days.of_class(c) for c in clinical.ACUTE_CLASSES) for row in rows),
            ]
        )
        + 2
    )
    logged, total_days = sum(row.days_logged for row in rows), sum(elapsed)
    overuse = [row for row in rows if row.overuse_reasons]
    by_class = [
        f"{words.class_names[c].lower()} on {plural_text(days_of, 'day')}"
        for c in clinical.ACUTE_CLASSES
        if (days_of := sum(row.medication_days.of_class(c) for row in rows))
    ]
    summary = (
        f"{span_text(first, last)}: "
        f"{words.medication_count(sum(row.medication_days.acute for row in rows))} "
        f"in {logged} logged of {plural_text(total_days, 'day')}"
        + (f" ({', '.join(by_class)})." if by_class else ".")
        + " "
    )
    if overuse:
        latest = overuse[-3:]
        summary += (
            f"Over {words.a_limit} in "
            f"{plural_text(len(overuse), 'month')}"
            + (", the latest: " if len(overuse) > len(latest) else ": ")
            + "; ".join(
                f"{month_text(r.month)} (" + ", ".join(words.reason(x) for x in r.overuse_reasons) + ")"
                for r in latest
            )
            + "."
        )
    else:
        summary += (
            f"No month over {words.a_limit} "
            f"({NON_OPIOID_LIMIT} days of "
            f"{words.class_names['non_opioid_analgesic'].lower()}, {CLASS_LIMIT} days of "
            f"{words.other_classes} or of {words.several_classes} together)."
        )
    return figure(
        chart,
        data,
        summary,
        (first, last),
        subtitle=f"{span_text(first, last)} · {logged} of {plural_text(total_days, 'day')} logged",
        height=380,
        **month_bars(first, last),
        yaxis={
            "range": [0, top],
            "tickvals": [0, 5, 10, 15, 20, 25, 30],
            "title": {"text": "Days"},
            "domain": [0, 0.84],
        },
        yaxis2={"domain": [0.88, 1], "range": [0, 1], "fixedrange": True, "visible": False},
    )


def _limit_lines(first: date | None, last: date | None, words: Words) -> list[dict]:
    """The ICHD-3 limits as dashed lines named in the legend, so no label sits on the bars."""
    if first is None or last is None:
        return []
    ends = [first.isoformat(), (Month.of(last).last_day + timedelta(days=1)).isoformat()]
    non_opioid = words.class_names["non_opioid_analgesic"].lower()
    return [
        {
            "type": "scatter",
            "mode": "lines",
            "name": name,
            "x": ends,
            "y": [limit, limit],
            "line": {"color": TEXT, "width": 1.5, "dash": dash},
            "hoverinfo": "skip",
        }
        for limit, dash, name in (
            (NON_OPIOID_LIMIT, "dot", f"Limit {NON_OPIOID_LIMIT} days: {non_opioid}"),
            (CLASS_LIMIT, "dash", f"Limit {CLASS_LIMIT} days: {words.other_classes}"),
        )
    ]


def _not_logged_row(months: list[str], missing: list[int | None]) -> dict:
    """Days not logged as hollow grey circles in a row above the bars, each with its number
    (a row of dots only, past a year of months: the numbers would not fit on a phone)."""
    numbered = len(months) <= NUMBERED_MONTHS
    return {
        "type": "scatter",
        "mode": "markers+text" if numbered else "markers",
        "name": "Days not logged",
        "x": months,
        "y": [0.5 if m else None for m in missing],
        "yaxis": "y2",
        **month_trace_axis(),
        "customdata": [plural_text(m, "day") + " not logged" if m else None for m in missing],
        "text": [str(m) if m else "" for m in missing],
        "textposition": "middle center",
        "textfont": {"size": 11, "color": TEXT},
        "cliponaxis": False,
        "marker": {
            "color": MISSING,
            "symbol": "circle-open",
            "size": 22 if numbered else 9,
            "line": {"width": 1.5},
        },
        "hovertemplate": "%{customdata}<extra></extra>",
    }
