"""The session form at 390 x 844 and 1024 x 768 (issue 11 item 16): "Not treated" stays on one
line and no muscle row is wider than its box; the "Other" muscle's name is typed, saved and
shown by name on the patient's page, with JavaScript on."""

from __future__ import annotations

import pytest

from diary.extensions import db

from ..factories import UserFactory, link
from .conftest import Account, shot
from .test_accessibility import violations

pytestmark = pytest.mark.browser

SCREENS = {"phone": (390, 844), "tablet": (1024, 768)}


@pytest.fixture(scope="module")
def desk(live_server) -> tuple[Account, str]:
    """A therapist and the id of a patient who shares with them."""
    with live_server.app.app_context():
        users = UserFactory()
        therapist, patient = users.therapist(), users.patient()
        link(patient, therapist)
        account, pid = Account(str(therapist.id), therapist.email), str(patient.id)
        db.session.remove()
    return account, pid


# For each "Not treated": its lines (one box per line of text) and whether its row overflows.
LAYOUT = """() => [...document.querySelectorAll('.muscle-row')].map((row) => {
  const words = row.querySelector('.seg.none .seg-label');
  const range = document.createRange();
  range.selectNodeContents(words);
  const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
  return {lines: tops.size, overflows: row.scrollWidth > row.clientWidth + 1};
})"""


@pytest.mark.parametrize("screen", SCREENS)
def test_not_treated_fits_one_line_and_other_muscles_are_named(screen_page, desk, axe_source, screen):
    therapist, pid = desk
    width, height = SCREENS[screen]
    page = screen_page((width, height), therapist, bypass_csp=True)
    page.goto(f"/therapist/patients/{pid}/sessions/new")
    rows = page.evaluate(LAYOUT)
    assert len(rows) == 8 and all(r == {"lines": 1, "overflows": False} for r in rows), rows
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert violations(page, axe_source) == []
    shot(page, f"session-form-{width}x{height}")

    page.get_by_role("checkbox", name="Education").check(force=True)
    other = page.locator("input[type=hidden][value=other]").get_attribute("name").removesuffix("muscle")
    page.locator(f"input[name='{other}side'][value=right]").check(force=True)
    page.get_by_label("Name of the other muscle").fill(f"Rhomboids {screen}")
    page.get_by_role("button", name="Save the session").click()
    page.wait_for_url(f"**/therapist/patients/{pid}")
    assert page.locator(".session-card .muscles li", has_text=f"Rhomboids {screen}").count() == 1
