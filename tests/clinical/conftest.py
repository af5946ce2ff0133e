"""Factories for the clinical rule tests: plain facts, no app."""

from datetime import date, timedelta

import pytest

from diary.clinical import SessionFacts

from .facts import day


@pytest.fixture
def make_day():
    """A day record: headache-free and without medication unless told otherwise; `logged=False`
    leaves the headache question open."""
    return day


@pytest.fixture
def make_days():
    """`count` consecutive logged days from `start`, all alike."""

    def make(start, count, **facts):
        return [day(start + timedelta(days=offset), **facts) for offset in range(count)]

    return make


@pytest.fixture
def make_session():
    """A treatment session on a date, with an id derived from it unless given."""

    def make(on: date, session_id=None):
        return SessionFacts(id=session_id or f"session-{on.isoformat()}", date=on)

    return make
