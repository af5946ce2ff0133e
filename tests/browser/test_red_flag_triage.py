"""Red flags on the therapist's list, in Chromium at 390 x 844 (issue 16): a patient who reported
a warning sign in the last 7 days comes first, above one with medication overuse, with what was
reported and when; the patient page shows it above the summary and takes the acknowledgement."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from diary import redflags
from diary.extensions import db
from diary.models import User

from .. import clock
from ..factories import UserFactory, link, make_day
from .conftest import Account, log_in, shot

pytestmark = pytest.mark.browser


def _setup(live_server) -> tuple[Account, str]:
    """A therapist with two patients: one overusing painkillers, one who reported a red flag."""
    users = UserFactory()
    with live_server.app.app_context():
        therapist = users.therapist(name="Sam Physio")
        overuse = users.patient(name="Olive Overuse")
        flagged = users.patient(name="Fred Flagged")
        link(overuse, therapist)
        link(flagged, therapist)
        today = clock.today(flagged)
        for n in range(16):
            make_day(
                overuse,
                today - timedelta(days=n),
                headaches=[{"intensity": 6}],
                medications=[{"name": "Ibuprofen 400 mg", "drug_class": "non_opioid_analgesic"}],
            )
        record = make_day(flagged, today - timedelta(days=1))
        record.red_flags = ["breathless_after_needling"]
        db.session.commit()
        account, flagged_id = Account(str(therapist.id), therapist.email), str(flagged.id)
        db.session.remove()
    return account, flagged_id


def test_the_flagged_patient_comes_first_and_the_flag_can_be_acknowledged(phone, live_server):
    therapist, flagged_id = _setup(live_server)
    page = phone().new_page()
    log_in(page, therapist, then="/therapist")

    names = page.locator("tbody th[scope=row] a").all_inner_texts()
    assert names[:2] == ["Fred Flagged", "Olive Overuse"]
    first_row = page.locator("tbody tr").first.inner_text()
    assert "Red flag" in first_row
    assert redflags.BY_CODE["breathless_after_needling"].words in first_row
    shot(page, "red-flag-triage")

    page.get_by_role("link", name="Fred Flagged").click()
    report = page.get_by_role("alert").filter(has_text="Warning signs reported in the last 7 days")
    report.wait_for()
    page.get_by_role("button", name="I have seen this").click()
    page.get_by_text("Seen by Sam Physio").wait_for()
    with live_server.app.app_context():
        from sqlalchemy import select

        from diary.models import AccessEvent

        actions = db.session.scalars(
            select(AccessEvent.action).where(AccessEvent.patient_id == uuid.UUID(flagged_id))
        ).all()
        assert "acknowledge" in actions
        assert db.session.get(User, uuid.UUID(flagged_id)) is not None
        db.session.remove()
