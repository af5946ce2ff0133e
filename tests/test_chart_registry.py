"""The table of charts (diary.charts.CHARTS): complete, the one source of the API's chart routes
and limits, and every figure it builds is one plotly accepts (plotly.graph_objects validates
each property, so a misspelt one fails here instead of drawing nothing)."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from pathlib import Path

import plotly.graph_objects as go
import pytest

from diary import charts, clinical
from diary.charts import CHARTS, MAX_DAYS
from diary.charts.ranges import Days, Months, Sessions
from diary.charts.style import SERIES
from diary.clinical import SessionFacts
from diary.clinical.effects import MAX_WINDOW, MIN_WINDOW

from .clinical.facts import peak_day
from .test_plain_words import WRONG_PLURALS, chart_words, clinical_words_in

TODAY = date(2026, 11, 28)
API_MD = Path(__file__).resolve().parent.parent / "docs" / "api.md"


# -- The table ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", charts.NAMES)
def test_every_chart_has_a_title_a_default_range_and_a_builder(name):
    chart = CHARTS[name]
    assert chart.name == name and re.fullmatch(r"[a-z]+", name)
    assert chart.title and chart.title[0].isupper() and chart.about
    assert isinstance(chart.range, Days | Months | Sessions)
    if chart.range.per_session:
        assert chart.range.latest >= 1
    else:
        assert chart.range.months >= 1
        first, last = chart.resolve_range(TODAY)  # a default range, up to today
        assert first is not None and first < last == TODAY
    assert callable(chart.draw)


def test_chart_names_and_titles_are_unique():
    assert charts.NAMES == tuple(CHARTS)
    assert len({chart.title for chart in CHARTS.values()}) == len(CHARTS)


def test_the_soreness_chart_shows_no_more_sessions_than_it_has_line_styles():
    assert CHARTS["soreness"].range.latest <= len(SERIES)


def test_an_unknown_chart_name_is_a_key_error():
    with pytest.raises(KeyError):
        charts.build("pie", [], [], TODAY)


def test_the_api_serves_one_route_per_chart_and_no_other(app):
    routed = {
        rule.rule.rsplit("/", 1)[1]
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/patients/<pid>/charts/")
    }
    assert routed == set(charts.NAMES)


def test_api_md_describes_each_chart_as_the_table_does():
    """The chart table of docs/api.md: the names, default months, latest sessions and limits."""
    text = API_MD.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \|$", text, re.MULTILINE))
    assert set(rows) >= set(charts.NAMES)
    for name, chart in CHARTS.items():
        if chart.range.per_session:
            assert f"the latest {chart.range.latest}" in rows[name]
            assert f"`window` {MIN_WINDOW}-{MAX_WINDOW}" in rows[name]
        else:
            assert f"default the last {chart.range.months} months" in rows[name]
    assert f"at most {MAX_DAYS:,} days" in text


# -- Every figure is one plotly accepts ---------------------------------------------------------


def diary(days: int, logged: float, session_every: int | None, seed: int = 1):
    """`days` days before TODAY, each logged with probability `logged`, and a session every
    `session_every` days (two on one day now and then)."""
    rng = random.Random(seed)
    facts = []
    for offset in range(days):
        on = TODAY - timedelta(days=offset)
        if rng.random() >= logged:
            continue
        if rng.random() < 0.03:  # a record that leaves the headache question open
            facts.append(peak_day(on, soreness=rng.randint(0, 9), logged=False))
            continue
        peak = rng.randint(1, 10) if rng.random() < 0.4 else 0
        classes = rng.sample(clinical.ALL_CLASSES, rng.randint(0, 2)) if peak else ()
        facts.append(peak_day(on, peak, classes, rng.choice([None, 0, 2, 5, 8])))
    sessions = []
    if session_every:
        for offset in range(1, days, session_every):
            sessions.append(SessionFacts(id=f"s{offset}", date=TODAY - timedelta(days=offset)))
            if offset % 5 == 1:
                sessions.append(SessionFacts(id=f"t{offset}", date=TODAY - timedelta(days=offset)))
    return facts, sessions


DIARIES = {
    "empty": ([], []),
    "one logged day": ([peak_day(TODAY)], []),
    "sparse": diary(200, 0.1, None),
    "with sessions": diary(120, 0.9, 9),
    "a session today": ([peak_day(TODAY, peak=3, soreness=6)], [SessionFacts(id="now", date=TODAY)]),
    "five years": diary(5 * 365 + 2, 0.85, 21),
}
RANGES = {  # (from, to, window): each chart's default, a long range, a short one
    "default": (None, None, 14),
    "five years": (TODAY - timedelta(days=5 * 365), None, MAX_WINDOW),
    "a week": (TODAY - timedelta(days=6), TODAY, MIN_WINDOW),
}


def figure_of(name: str, data: str, span: str, audience: str) -> dict:
    days, sessions = DIARIES[data]
    first, last, window = RANGES[span]
    chart = CHARTS[name]
    first, last = chart.resolve_range(TODAY, first, last)
    loaded = chart.range.days_to_load(first, last, sessions, TODAY, window)
    shown = [d for d in days if loaded and loaded[0] <= d.date <= loaded[1]]
    return chart.build(shown, sessions, TODAY, first, last, window, audience=audience)


@pytest.mark.parametrize("audience", charts.AUDIENCES)
@pytest.mark.parametrize("name", charts.NAMES)
@pytest.mark.parametrize("data", DIARIES)
@pytest.mark.parametrize("span", RANGES)
def test_every_figure_is_valid_for_plotly(name, data, span, audience):
    figure = figure_of(name, data, span, audience)
    go.Figure(figure)  # raises ValueError on a property plotly does not know or a bad value
    assert figure["layout"]["meta"]["chart"] == name


@pytest.mark.parametrize("name", charts.NAMES)
@pytest.mark.parametrize("data", DIARIES)
def test_the_patients_figures_use_plain_words_and_right_plurals(name, data):
    """docs/words.md: every chart the patient can read, over every diary and range."""
    found = set()
    for span in RANGES:
        text = chart_words(figure_of(name, data, span, charts.PATIENT))
        found.update(clinical_words_in(text) + WRONG_PLURALS.findall(text))
    assert found == set()


def test_the_therapists_figures_keep_the_clinical_words():
    text = chart_words(figure_of("medication", "five years", "default", charts.THERAPIST))
    assert {"acute", "ichd", "non-opioid"} <= set(clinical_words_in(text))
    assert WRONG_PLURALS.findall(text) == []


def test_an_unknown_audience_is_refused():
    with pytest.raises(ValueError, match="audience"):
        charts.build("monthly", [], [], TODAY, audience="public")
