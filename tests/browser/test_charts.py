"""The charts as a phone draws them: plotly.js in Chromium, at 390 px wide."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from diary.extensions import db
from diary.models import User
from diary.operations import record_session
from diary.schemas import SessionBodySchema

from .. import clock
from ..factories import UserFactory, link, make_day, session_body
from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def treated_patient(live_server, patient):
    """Six months of diary and a session every fortnight: the calendar's busiest case."""
    with live_server.app.app_context():
        user = db.session.get(User, uuid.UUID(patient.id))
        today = clock.today(user)
        for n in range(182):
            day = today - timedelta(days=n)
            make_day(user, day, headaches=[{"intensity": 1 + n % 9}] if n % 3 else [])
        therapist = UserFactory().therapist()
        link(user, therapist)
        for n in range(0, 182, 14):
            when = today - timedelta(days=n)
            data = SessionBodySchema().load(session_body(date=when.isoformat(), next_review_on=None))
            record_session(therapist, user, data)
        db.session.remove()
    return patient


def test_on_a_phone_a_sessions_frame_never_covers_the_days_beside_it(phone, treated_patient):
    page = phone().new_page()
    log_in(page, treated_patient)
    page.goto("/progress")
    chart = page.locator("#chart-calendar")
    chart.scroll_into_view_if_needed()
    page.wait_for_selector("#chart-calendar[data-chart-state=drawn]")
    drawn = page.evaluate("""() => {
        const plot = document.querySelector('#chart-calendar .js-plotly-plot');
        const weeks = plot.layout.meta.cells.weeks;
        const size = (name) => plot.data.find((t) => t.name === name).marker.size;
        return {pitch: plot._fullLayout._size.w / weeks, day: size('Moderate (4-6)'),
                frame: size('Treatment session'), line: plot.data.find((t) => t.name === 'Treatment session').marker.line.width};
    }""")
    # A frame's outer edge is its size plus the line; a neighbour's square starts half its size
    # from its own centre, one week's width away.
    assert (drawn["frame"] + drawn["line"]) / 2 <= drawn["pitch"] - drawn["day"] / 2, drawn
    assert drawn["day"] >= 3, drawn
