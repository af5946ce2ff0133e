"""The therapist's list fits a tablet (issue 11 item 12): at 1024 x 768 and at 1280 x 800 the
triage table is no wider than its box, nothing scrolls sideways, and "Next review" is in view.
axe-core finds nothing serious on the list and on a patient's page at those sizes.

The list is the demo's (a three-month overuse, an approaching limit, soreness not settling, too
few days logged) plus the widest row we know of: a long name with a red flag, an overdue review
and too few baseline days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from diary import demo
from diary.extensions import db
from diary.models import User
from diary.operations import record_session

from .. import clock
from ..factories import UserFactory, link, make_day, session_body
from .conftest import Account, shot
from .test_accessibility import violations

pytestmark = pytest.mark.browser

SCREENS = {"tablet": (1024, 768), "desktop": (1280, 800)}
LONG_NAME = "Alexandra Montgomery-Whitfield"


@pytest.fixture(scope="module")
def therapist(live_server) -> Account:
    """The demo therapist, with one more patient whose row is as wide as a row gets."""
    email, password = demo.DEMO_LOGINS["therapist"]
    with live_server.app.app_context():
        demo.load_demo_data()
        therapist = db.session.scalar(select(User).where(User.email == email))
        patient = UserFactory().patient(name=LONG_NAME)
        link(patient, therapist)
        today = clock.today(patient)
        session_day = today - timedelta(days=40)
        record_session(
            therapist, patient, session_body(date=session_day, next_review_on=today - timedelta(days=3))
        )
        for n in range(1, 30):  # logged since the session, none in the baseline
            make_day(
                patient,
                today - timedelta(days=n),
                headaches=[{"intensity": 7}],
                red_flags=["sudden_severe", "breathless_after_needling"] if n == 1 else None,
            )
        account = Account(str(therapist.id), email, password)
        db.session.remove()
    return account


def box_of_the_list(page) -> dict:
    return page.evaluate("""() => {
      const table = document.querySelector('table.triage'), box = table.parentElement;
      const review = [...table.querySelectorAll('thead th')]
        .find(th => th.textContent.includes('Next review'));
      const edge = review.getBoundingClientRect();
      return {table: table.getBoundingClientRect().width, box: box.clientWidth,
              boxScroll: box.scrollWidth, page: document.documentElement.scrollWidth,
              window: window.innerWidth, reviewRight: edge.right, reviewWidth: edge.width};
    }""")


@pytest.mark.parametrize("screen", SCREENS)
def test_the_patient_list_fits_the_screen_with_next_review_in_view(screen_page, therapist, screen):
    width, height = SCREENS[screen]
    page = screen_page((width, height), therapist)
    rows = page.locator("table.triage tbody tr")
    assert rows.count() == 5
    assert "Red flag" in rows.filter(has_text=LONG_NAME).inner_text()
    assert "Overdue" in rows.filter(has_text=LONG_NAME).inner_text()

    size = box_of_the_list(page)
    assert size["table"] <= size["box"], size  # no wider than its box
    assert size["boxScroll"] <= size["box"], size  # so nothing to scroll sideways in it
    assert size["page"] <= size["window"], size  # nor on the page
    assert size["reviewWidth"] > 0 and size["reviewRight"] <= width, size
    for cell in page.locator("table.triage tbody td.review").all():
        cell.scroll_into_view_if_needed()
        assert cell.is_visible()
        box = cell.bounding_box()
        assert box["x"] + box["width"] <= width
    shot(page, f"triage-{width}x{height}")


@pytest.mark.parametrize("screen", SCREENS)
def test_the_therapist_pages_have_no_serious_accessibility_violations(
    screen_page, therapist, axe_source, screen
):
    width, height = SCREENS[screen]
    page = screen_page((width, height), therapist, bypass_csp=True)
    assert violations(page, axe_source) == []
    page.get_by_role("link", name=LONG_NAME).click()
    page.get_by_role("heading", name="Last 5 weeks").wait_for()
    assert violations(page, axe_source) == []
    shot(page, f"patient-{width}x{height}")
