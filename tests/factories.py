"""Callable test factories with overridable defaults, and a JSON client that speaks docs/api.md
(with `assert_problem`, what every error answer of it must be)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from diary import operations
from diary.extensions import db
from diary.models import DayRecord, Headache, MedicationIntake, User
from diary.operations.days import content_digest

PASSWORD = "amber-violin-orchard-47"
_counter = itertools.count(1)


class UserFactory:
    """Make accounts through the real operations, each with PASSWORD unless told otherwise."""

    def make(
        self,
        role: str = "patient",
        *,
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
        timezone: str = "Europe/London",
    ) -> User:
        n = next(_counter)
        user = operations.create_user(
            email or f"{role}{n}@example.test",
            password,
            name or f"{role.title()} {n}",
            role=role,
            timezone=timezone,
        )
        user.plain_password = password
        return user

    def patient(self, **kwargs) -> User:
        return self.make("patient", **kwargs)

    def therapist(self, **kwargs) -> User:
        return self.make("therapist", **kwargs)


def make_day(
    patient: User,
    day: date,
    *,
    headaches: list[dict] | None = None,
    medications: list[dict] | None = None,
    soreness: int | None = None,
    exercises_done: bool | None = None,
    had_headache: bool | None = ...,
    red_flags: list[str] | None = None,
) -> DayRecord:
    """A day record stored directly, for tests that need data rather than the write path.

    `had_headache` defaults to what its headaches say, as version 1 read a record (no headaches:
    headache-free); pass None for a day whose headache question is not answered."""
    if had_headache is ...:
        had_headache = bool(headaches)
    record = DayRecord(
        patient_id=patient.id,
        date=day,
        soreness=soreness,
        exercises_done=exercises_done,
        had_headache=had_headache,
        triggers=[],
        notes=None,
        red_flags=list(red_flags or []),
        headaches=[
            Headache(position=i, **{"type": "unsure", "locations": [], "symptoms": [], **h})
            for i, h in enumerate(headaches or [])
        ],
        medications=[
            MedicationIntake(position=i, **{"doses": 1, **m}) for i, m in enumerate(medications or [])
        ],
    )
    record.content_hash = content_digest(record)  # every field is set above, as it is stored
    db.session.add(record)
    db.session.commit()
    return record


def day_body(**overrides: Any) -> dict[str, Any]:
    """A valid, typical day record body (one headache, one painkiller)."""
    body = {
        "headaches": [
            {
                "start": "08:30",
                "duration_minutes": 120,
                "intensity": 6,
                "type": "tension",
                "side": "both",
                "locations": ["back_of_head", "neck"],
                "symptoms": ["light_sensitivity"],
                "neck_provoked": True,
            }
        ],
        "medications": [
            {
                "name": "Ibuprofen 400 mg",
                "drug_class": "non_opioid_analgesic",
                "doses": 2,
                "time": "09:00",
                "relief": "partial",
            }
        ],
        "soreness": 3,
        "exercises_done": True,
        "triggers": ["stress", "poor_sleep"],
        "notes": "Sore after yesterday's session",
    }
    body.update(overrides)
    return body


class ApiClient:
    """A Flask test client that sends JSON and the X-CSRFToken header, as the PWA does."""

    def __init__(self, client):
        self.client = client
        self._csrf: str | None = None

    def csrf_token(self) -> str:
        if self._csrf is None:
            self._csrf = self.client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
        return self._csrf

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        headers: dict | None = None,
        csrf: bool = True,
        **kwargs,
    ):
        headers = dict(headers or {})
        if csrf and method in ("POST", "PUT", "PATCH", "DELETE"):
            headers.setdefault("X-CSRFToken", self.csrf_token())
        return self.client.open(path, method=method, json=json, headers=headers, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self.request("PUT", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path, json=None, **kw):
        return self.request("DELETE", path, json=json, **kw)

    def login(self, user: User, password: str | None = None):
        response = self.post(
            "/api/v1/auth/login",
            json={"email": user.email, "password": password or getattr(user, "plain_password", PASSWORD)},
        )
        assert response.status_code == 200, response.get_json()
        self._csrf = None  # login starts a new session, with a new token
        return response


def assert_problem(response, status: int) -> dict:
    """A problem+json answer with every RFC 9457 member docs/api.md promises, and no stack trace."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def link(patient: User, therapist: User):
    """Share `patient`'s diary with `therapist` the real way: a code made and used."""
    from diary.operations import create_share_code, link_therapist

    code, _ = create_share_code(patient)
    return link_therapist(therapist, code)


def session_body(**overrides: Any) -> dict[str, Any]:
    """A valid treatment session body."""
    body = {
        "date": "2026-11-20",
        "techniques": ["dry_needling", "soft_tissue_work"],
        "muscles": [
            {"muscle": "upper_trapezius", "side": "both"},
            {"muscle": "suboccipitals", "side": "left"},
        ],
        "notes": "Good local twitch responses",
        "next_review_on": "2026-12-04",
    }
    body.update(overrides)
    return body
