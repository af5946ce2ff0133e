"""Patients read plain English (issue 11, items 5 and 6; docs/words.md): no clinical word on a
patient's page, and counts come out in the right number through Babel's ngettext."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pytest
from flask import get_template_attribute
from sqlalchemy import select

from diary import create_app, redflags
from diary.demo import DEMO_PATIENT, load_demo_data
from diary.extensions import db
from diary.models import DayRecord, User

from .conftest import test_config
from .test_web_accounts import log_in

# Words for the therapist's pages only, with the plain words patients read instead.
CLINICAL_WORDS = {
    "acute": "painkiller or migraine-medicine days",
    "non-opioid": "painkillers",
    "ichd": "what doctors check for",
    "mean peak": "average worst pain",
    "several classes": "more than one kind of painkiller",
    "combinations": "painkillers with more than one medicine in them",
    "baseline": "the 4 weeks before treatment",
    "responder": "headache days down by half",
    "intensity": "how bad it was at its worst",
}
# Counts a hand-made plural got wrong before ngettext: "1 headache days", "1 days ...".
WRONG_PLURALS = re.compile(r"(?<![\d.])1 (?:[a-z-]+ )?(?:days|headaches|doses)\b")


def page_words(page: str) -> str:
    """What a reader sees or hears: text and labels, without scripts, styles or other markup."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    labels = " ".join(re.findall(r'(?:aria-label|title|alt|placeholder)="([^"]*)"', page))
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page) + " " + labels))


def clinical_words_in(text: str) -> list[str]:
    return [word for word in CLINICAL_WORDS if re.search(rf"\b{re.escape(word)}", text, re.I)]


@pytest.fixture
def demo_patient(app) -> User:
    """The demo's patient (`flask demo`): months of diary, ten sessions, a linked therapist."""
    assert load_demo_data()
    return db.session.scalar(select(User).where(User.email == DEMO_PATIENT[0]))


def patient_pages(patient: User) -> dict[str, str]:
    """Every page a patient reads, by name: Today, a day with headaches and medicines, and the rest."""
    day = db.session.scalars(
        select(DayRecord.date)
        .where(DayRecord.patient_id == patient.id, DayRecord.had_headache.is_(True))
        .order_by(DayRecord.date.desc())
    ).first()
    return {
        "Today": "/today",
        "a day": f"/days/{day.isoformat()}",
        "Calendar": "/calendar",
        "Progress": "/progress",
        "GP report": "/progress/report",
        "Sharing": "/sharing",
        "Sessions": "/sessions",
        "Access log": "/sharing/access-log",
        "Account": "/account",
        "Catch up": "/catch-up",
        "Red flags": "/red-flags",
        "a red flag": f"/red-flags/{redflags.FLAGS[0].code}",
    }


def test_no_patient_page_uses_a_clinical_word_or_a_wrong_plural(app, demo_patient):
    phone = app.test_client()
    assert log_in(phone, DEMO_PATIENT[0], DEMO_PATIENT[1]).status_code == 302
    found = {}
    for name, path in patient_pages(demo_patient).items():
        response = phone.get(path)
        assert response.status_code == 200, (name, path)
        text = page_words(response.text)
        if words := clinical_words_in(text) + WRONG_PLURALS.findall(text):
            found[name] = words
    assert found == {}


def chart_words(chart: dict) -> str:
    """Every string a chart can show: titles, legend names, hover texts, its summary (not its
    fonts, nor `meta.chart`, the name in its URL)."""
    if isinstance(chart, dict):
        return " ".join(chart_words(v) for k, v in chart.items() if k not in ("font", "chart"))
    if isinstance(chart, list):
        return " ".join(chart_words(v) for v in chart)
    return chart if isinstance(chart, str) else ""


def test_the_patients_charts_use_no_clinical_word(app, demo_patient):
    phone = app.test_client()
    assert log_in(phone, DEMO_PATIENT[0], DEMO_PATIENT[1]).status_code == 302
    progress = phone.get("/progress").text
    found = {}
    for url in re.findall(r'data-chart-url="([^"]+)"', progress):
        text = chart_words(phone.get(url).json)
        if words := clinical_words_in(text) + WRONG_PLURALS.findall(text):
            found[url] = words
    assert found == {}


def test_the_therapists_pages_keep_the_clinical_words(app, demo_patient):
    """The same facts in clinical words where they belong: the check above sees them there."""
    therapist = db.session.scalar(select(User).where(User.role == "therapist"))
    desk = app.test_client()
    assert log_in(desk, therapist.email, "quiet-harbour-lantern").status_code == 302
    page = page_words(desk.get(f"/therapist/patients/{demo_patient.id}").text)
    assert {"acute", "mean peak", "baseline", "responder"} <= set(clinical_words_in(page))


@pytest.fixture(scope="module")
def plain_app():
    """An app for rendering template macros alone (no database is touched)."""
    return create_app(test_config("sqlite://"))


def figures(headache_days: int, days_logged: int, per_28: float | None):
    return SimpleNamespace(headache_days=headache_days, days_logged=days_logged, headache_days_per_28=per_28)


@pytest.mark.parametrize(
    ("headache_days", "days_logged", "per_28", "words"),
    [
        (1, 1, None, "1 headache day in 1 logged day: not enough days logged to compare (1 of 28)"),
        (2, 2, None, "2 headache days in 2 logged days: not enough days logged to compare (2 of 28)"),
        (0, 28, 0.0, "0 headache days in 28 logged days"),
        (1, 14, 2.0, "1 headache day in 14 logged days, about 2 per 28 days"),
    ],
)
def test_headache_days_are_counted_in_the_right_number(plain_app, headache_days, days_logged, per_28, words):
    with plain_app.test_request_context():
        per_28_words = get_template_attribute("_figures.html", "per_28")
        text = page_words(str(per_28_words(figures(headache_days, days_logged, per_28), 28)))
    assert text.strip() == words


def test_dates_are_written_by_babel_in_british_english(plain_app):
    from datetime import date

    with plain_app.test_request_context():
        day, span = (get_template_attribute("_figures.html", name) for name in ("day", "span"))
        assert str(day(date(2026, 12, 1))) == "1 Dec 2026"
        assert page_words(str(span(date(2026, 11, 3), date(2026, 11, 30), 2026))).strip() == "3 Nov – 30 Nov"
        assert (
            page_words(str(span(date(2026, 12, 28), date(2027, 1, 24)))).strip()
            == "28 Dec 2026 – 24 Jan 2027"
        )
