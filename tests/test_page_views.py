"""One access event per page view (issue 11 item 15): the charts a therapist's patient page (or
the printed summary) draws are fetched one by one, and the page view's event says it showed them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from diary import charts
from diary.access import PAGE_VIEW, PATIENT_PAGE, SUMMARY_PAGE
from diary.extensions import db
from diary.models import AccessEvent

from . import clock
from .factories import link, make_day


def reads(patient) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AccessEvent.what)
            .where(AccessEvent.patient_id == patient.id, AccessEvent.action == "read")
            .order_by(AccessEvent.id)
        )
    )


def chart_urls(patient) -> list[str]:
    return [f"/api/v1/patients/{patient.id}/charts/{name}" for name in charts.CHARTS]


@pytest.fixture
def shared(patient, therapist):
    link(patient, therapist)
    make_day(patient, clock.today(patient), headaches=[{"intensity": 6}])
    return patient


def test_a_patient_page_and_its_charts_are_one_event(shared, therapist, as_user):
    desk = as_user(therapist)
    assert desk.get(f"/therapist/patients/{shared.id}").status_code == 200
    for url in chart_urls(shared):
        assert desk.get(url).status_code == 200
    assert reads(shared) == [PATIENT_PAGE]


def test_the_printed_summary_and_its_charts_are_one_event(shared, therapist, as_user):
    desk = as_user(therapist)
    assert desk.get(f"/therapist/patients/{shared.id}/summary").status_code == 200
    for name in ("weekly", "medication"):
        assert desk.get(f"/api/v1/patients/{shared.id}/charts/{name}").status_code == 200
    assert reads(shared) == [SUMMARY_PAGE]


def test_a_chart_read_without_the_page_is_an_event_of_its_own(shared, therapist, as_user):
    desk = as_user(therapist)
    [url, *_] = chart_urls(shared)
    assert desk.get(url).status_code == 200
    assert reads(shared) == [f"chart {next(iter(charts.CHARTS))}"]


def test_a_page_view_covers_its_charts_for_a_while_only(shared, therapist, as_user):
    today = clock.today(shared)
    with clock.stopped_at(today - timedelta(days=1), zone=shared) as opened:
        desk = as_user(therapist)
        desk.get(f"/therapist/patients/{shared.id}")
    [url, *_] = chart_urls(shared)
    later = opened + PAGE_VIEW + timedelta(minutes=1)
    with clock.stopped_at(later.date(), later.timetz().replace(tzinfo=None), zone=shared):
        assert as_user(therapist).get(url).status_code == 200
    assert reads(shared) == [PATIENT_PAGE, f"chart {next(iter(charts.CHARTS))}"]


def test_another_therapists_page_view_covers_nothing_of_mine(shared, therapist, users, as_user):
    colleague = users.therapist()
    link(shared, colleague)
    as_user(colleague).get(f"/therapist/patients/{shared.id}")
    [url, *_] = chart_urls(shared)
    as_user(therapist).get(url)
    assert reads(shared) == [PATIENT_PAGE, f"chart {next(iter(charts.CHARTS))}"]
