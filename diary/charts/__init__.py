"""The charts: a table of them, each drawn from plain data as a plotly figure dict (docs/charts.md).

No queries, no Flask and no `plotly.graph_objects`: a figure is a plain dict in plotly's figure
format, `{"data": [...], "layout": {...}}`, that the API serialises with orjson and the page
hands to `Plotly.newPlot` as it is (validating with graph_objects costs 35-160 ms a figure,
docs/performance.md; the tests validate every chart instead). Every number comes from
`diary.clinical`, so the charts follow docs/clinical-rules.md exactly as the figures endpoints do.

CHARTS is the one place that names the charts: for each, its title, what it shows, its range
(ranges.py: by day, by month or by session, with its default) and the module that draws it.
The API, the pages' tests and the benchmark read it; nothing else branches on a chart's name.

What every figure keeps (style.py holds the shared look):
- Words by reader: the patient reads plain English, a therapist the clinical words
  (words.WORDS, docs/words.md); `build`'s `audience` chooses, the API from who asks.
- `layout.title.text` names the chart; `layout.meta` is
  `{"chart": name, "summary": "...", "from": "YYYY-MM-DD" or null, "to": ...}`, where `summary`
  is a short plain-text account of the chart for screen readers (static/js/charts.js shows it
  next to the drawing and points `aria-describedby` at it).
- A missing day (no day record) never looks like a headache-free day. Headache-free is green
  (a filled circle, or a solid green bar segment); missing is grey and hollow or hatched (a
  hatched band, a hollow marker, a gap in a line), and the legend names both.
- Colour never carries meaning alone: severity runs light to dark (it reads in grey too) and
  goes with position, marker shape, hatching and words in the legend and hover labels.
  Colours are those of static/css/app.css and the Okabe-Ito palette.
- Readable on a 390 px phone: horizontal legend at the bottom, few ticks, fonts of 12 px or
  more, fixed axes (a finger scrolls the page instead of zooming the chart).
- Small over 5 years: daily series are one value a day from `x0` with a step `dx` of one day,
  never a list of dates; nothing in hover labels repeats per point what the axes already say.
- Hover and label text carries no `<b>`, `<i>` or `<sup>`: plotly writes those as inline
  `style` attributes, which the Content Security Policy (style-src 'self') refuses.
- TEXT, PAPER and GRID are the light scheme's ink, background and grid: static/js/charts.js
  swaps them for the page's colours, so a chart follows a dark scheme too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from ..clinical import DayFacts, SessionFacts
from ..clinical.effects import DEFAULT_WINDOW
from . import calendar, intensity, medication, monthly, sessions, soreness, weekly
from .ranges import MAX_DAYS, ChartInput, Days, Months, RangeError, Sessions
from .style import SERIES
from .words import AUDIENCES, PATIENT, THERAPIST, WORDS


@dataclass(frozen=True)
class Chart:
    """One chart: its name in the URL, its title, what it shows, its range and its drawing."""

    name: str
    title: str
    about: str  # what it shows, in a few words (the API description)
    range: Days | Months | Sessions
    draw: Callable[[Chart, ChartInput], dict]
    reads_sessions: bool = True  # needs the patient's treatment sessions
    plain_title: str | None = None  # the title the patient reads, when not `title`

    def resolve_range(
        self, today: date, first: date | None = None, last: date | None = None, start: date | None = None
    ) -> tuple[date | None, date | None]:
        """The range the chart covers, defaults filled in; a default range starts no earlier
        than `start`, the diary's first day (queries.first_diary_day). Raises RangeError."""
        return self.range.resolve(today, first, last, start)

    def build(
        self,
        days: Iterable[DayFacts],
        sessions: Sequence[SessionFacts],
        today: date,
        first: date | None = None,
        last: date | None = None,
        window: int = DEFAULT_WINDOW,
        start: date | None = None,
        audience: str = THERAPIST,
    ) -> dict:
        """The figure from the days `range.days_to_load` named (the range as resolve_range gives it),
        in the words of its reader, the patient or a therapist (words.AUDIENCES)."""
        if audience not in WORDS:
            raise ValueError(f"unknown audience {audience!r}")
        first, last = self.resolve_range(today, first, last, start)
        chart = replace(self, title=self.plain_title) if audience == PATIENT and self.plain_title else self
        return self.draw(chart, ChartInput(list(days), list(sessions), today, first, last, window, audience))


CHARTS = {
    chart.name: chart
    for chart in (
        Chart(
            "intensity",
            "Worst headache pain",
            "peak intensity a day (the worst a week over more than 13 weeks), with treatment sessions marked",
            Days(months=6),
            intensity.draw,
        ),
        Chart(
            "weekly",
            "Headache days by week",
            "headache days, moderate/severe days and days logged per week, with treatment sessions marked",
            Days(months=3),
            weekly.draw,
        ),
        Chart(
            "monthly",
            "Headache days by month",
            "headache days, moderate/severe days and days logged per month",
            Months(months=12),
            monthly.draw,
            reads_sessions=False,
        ),
        Chart(
            "medication",
            "Acute medication days by month",
            medication.ABOUT,
            Months(months=12),
            medication.draw,
            reads_sessions=False,
            plain_title="Painkiller days by month",
        ),
        Chart(
            "sessions",
            "Headache days around sessions",
            "headache days before and after each treatment session",
            Sessions(latest=12),
            sessions.draw,
        ),
        Chart(
            "soreness",
            "Muscle soreness after each session",
            "muscle soreness on the days after each treatment session",
            Sessions(latest=len(SERIES)),
            soreness.draw,
        ),  # one colour and marker a session
        Chart(
            "calendar",
            "Headache calendar",
            "a calendar heat map of headache days, one square a day",
            Days(months=6, whole_weeks=True),
            calendar.draw,
        ),
    )
}
NAMES = tuple(CHARTS)


def build(name: str, *args, **kwargs) -> dict:
    """The figure of chart `name`: Chart.build, with its arguments; KeyError for a name not in CHARTS."""
    return CHARTS[name].build(*args, **kwargs)


__all__ = [
    "AUDIENCES",
    "CHARTS",
    "MAX_DAYS",
    "NAMES",
    "PATIENT",
    "THERAPIST",
    "Chart",
    "ChartInput",
    "RangeError",
    "build",
]
