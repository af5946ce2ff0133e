"""What an operator runs the diary by (docs/operations.md): one JSON log line per request that
names no one, Prometheus metrics behind a token, a readiness check that asks the database."""

from __future__ import annotations

import io
import json
import logging
from contextlib import contextmanager
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY

from diary import create_app
from diary.access import rule
from diary.config import ConfigError, _operations_settings, build_config
from diary.extensions import db
from diary.observe import _OurHandler, keyed_hash

from . import clock
from .conftest import test_config
from .factories import day_body, link
from .servers import free_port

NOTE = "Migraine after the ZEBRA-WEDDING"
TRIGGER = "zebra-trigger"


@contextmanager
def captured_log():
    """A stream of what the latest app's log handler writes, in its format, while open."""
    ours = [h for h in logging.getLogger("diary").handlers if isinstance(h, _OurHandler)]
    assert len(ours) == 1  # one handler: a line is written once
    stream = io.StringIO()
    capture = logging.StreamHandler(stream)
    capture.setFormatter(ours[0].formatter)
    logger = logging.getLogger("diary")
    logger.addHandler(capture)
    try:
        yield stream
    finally:
        logger.removeHandler(capture)


@pytest.fixture
def log_lines(app):
    """The lines the app's log handler writes (JSON here) while the test runs."""
    with captured_log() as stream:
        yield lambda: [line for line in stream.getvalue().splitlines() if line]


@pytest.fixture
def app(make_app):
    app = make_app(LOG_FORMAT="json", METRICS_TOKEN="scrape-token-123")
    with app.app_context():
        yield app


def test_each_request_is_one_json_line_naming_its_route_and_no_one(
    app, log_lines, patient, therapist, as_user
):
    link(patient, therapist)
    day = (clock.today(patient) - timedelta(days=3)).isoformat()
    phone, clinic = as_user(patient), as_user(therapist)
    lines_before = len(log_lines())
    body = day_body(notes=NOTE, triggers=[TRIGGER])
    assert phone.put(f"/api/v1/patients/me/days/{day}", json=body).status_code == 201
    assert clinic.get(f"/api/v1/patients/{patient.id}/days/{day}").status_code == 200
    assert clinic.get(f"/api/v1/patients/{patient.id}/days/1999-01-01").status_code == 404
    assert phone.get(f"/days/{day}").status_code == 200

    text = "\n".join(log_lines()[lines_before:])
    lines = [json.loads(line) for line in log_lines()[lines_before:]]
    requests = [
        line
        for line in lines
        if line["logger"] == "diary.requests" and line["route"] != "/api/v1/auth/csrf"  # the token
    ]
    assert [(r["method"], r["route"], r["status"]) for r in requests] == [
        ("PUT", "/api/v1/patients/me/days/<day:day>", 201),
        ("GET", "/api/v1/patients/<pid>/days/<day:day>", 200),
        ("GET", "/api/v1/patients/<pid>/days/<day:day>", 404),
        ("GET", "/days/<day:day>", 200),
    ]
    for line in requests:
        assert len(line["request_id"]) == 32 and line["duration_ms"] >= 0
    # Two users told apart by a keyed hash, which is neither their id nor their email.
    assert requests[0]["user"] == requests[3]["user"] == keyed_hash(patient.id)
    assert requests[1]["user"] == keyed_hash(therapist.id) != requests[0]["user"]
    for secret in (
        str(patient.id),
        patient.id.hex,
        str(therapist.id),
        patient.email,
        therapist.email,
        patient.display_name,
        NOTE,
        TRIGGER,
        day,
        "1999-01-01",
    ):
        assert secret not in text


def test_an_unexpected_error_is_logged_by_route_not_by_path(make_app):
    app = make_app(LOG_FORMAT="json")

    def broken(pid):
        raise RuntimeError("a bug")

    app.add_url_rule("/broken/<pid>", "broken", rule("anyone")(broken))
    pid = "0b7e1c2a-5d7e-4d0e-9a51-3f0c8a4b2e11"
    with captured_log() as stream:
        assert app.test_client().get(f"/broken/{pid}").status_code == 500
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["message"] for line in lines] == ["unhandled error on GET /broken/<pid>", "request"]
    assert "RuntimeError: a bug" in lines[0]["exception"]
    assert pid not in stream.getvalue()


def test_the_hash_key_is_the_operators_and_changes_the_hash(make_app, patient):
    one = make_app(LOG_HASH_KEY="first-key")
    two = make_app(LOG_HASH_KEY="second-key")
    with one.app_context():
        first = keyed_hash(patient.id)
    with two.app_context():
        second = keyed_hash(patient.id)
    assert first != second and len(first) == 16


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("lb-7f3a9c01", True), ("a" * 128, True), ("a" * 129, False), ("bad id", False), ("", False)],
)
def test_a_sane_incoming_request_id_is_kept_and_answered(app, log_lines, sent, kept):
    response = app.test_client().get("/api/v1/health", headers={"X-Request-ID": sent})
    answered = response.headers["X-Request-ID"]
    assert (answered == sent) is kept
    assert json.loads(log_lines()[-1])["request_id"] == answered


def test_logs_are_json_in_production_and_plain_in_development(tmp_path, monkeypatch):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert _operations_settings("production", {})["LOG_FORMAT"] == "json"
    assert build_config(str(tmp_path), {"DIARY_ENV": "development"})["LOG_FORMAT"] == "plain"
    with pytest.raises(ConfigError):
        build_config(str(tmp_path), {"LOG_FORMAT": "xml"})


# -- metrics ---------------------------------------------------------------------------------


def _sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_need_the_operators_token(app):
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    response = client.get("/metrics", headers={"Authorization": "Bearer scrape-token-123"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert b"diary_http_requests_total" in response.data


def test_without_a_token_there_are_no_metrics(make_app):
    app = make_app()  # METRICS_TOKEN unset
    assert app.test_client().get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_requests_latencies_and_sync_conflicts_are_counted_by_route(app, logged_in, patient):
    route = "/api/v1/patients/me/days/<day:day>"
    url = f"/api/v1/patients/me/days/{(clock.today(patient) - timedelta(days=1)).isoformat()}"
    created = _sample("diary_http_requests_total", route=route, method="PUT", status="201")
    timed = _sample("diary_http_request_duration_seconds_count", route=route, method="PUT")
    conflicts = _sample("diary_sync_conflicts_total", status="412")
    first = logged_in.put(url, json=day_body())
    assert first.status_code == 201
    stale = logged_in.put(url, json=day_body(soreness=1), headers={"If-Match": '"0"'})
    assert stale.status_code == 412
    assert _sample("diary_http_requests_total", route=route, method="PUT", status="201") == created + 1
    assert _sample("diary_http_request_duration_seconds_count", route=route, method="PUT") == timed + 2
    assert _sample("diary_sync_conflicts_total", status="412") == conflicts + 1


def test_an_unknown_method_is_counted_as_other(app):
    labels = {"route": "<no route>", "status": "405"}  # a method no rule serves matches none
    before = _sample("diary_http_requests_total", method="other", **labels)
    assert app.test_client().open("/api/v1/health", method="BREW").status_code == 405
    assert _sample("diary_http_requests_total", method="other", **labels) == before + 1
    assert REGISTRY.get_sample_value("diary_http_requests_total", {"method": "BREW", **labels}) is None


def test_the_pool_gauges_follow_the_connections(app, logged_in):
    in_use = _sample("diary_db_connections_in_use")
    assert logged_in.get("/api/v1/patients/me/days").status_code == 200
    assert _sample("diary_db_connections_in_use") == in_use  # given back after the request
    with db.engine.connect():
        assert _sample("diary_db_connections_in_use") == in_use + 1
        assert _sample("diary_db_connections_open") >= 1
    assert _sample("diary_db_connections_in_use") == in_use


# -- readiness -------------------------------------------------------------------------------


def test_ready_when_the_database_answers(client):
    response = client.get("/api/v1/health/ready")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_not_ready_when_the_database_does_not_answer():
    closed = free_port()  # closed again once found: nothing listens there
    down = create_app(
        test_config(f"postgresql+psycopg://postgres@127.0.0.1:{closed}/diary?connect_timeout=2")
    )
    response = down.test_client().get("/api/v1/health/ready")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == "Not ready"
    assert response.headers["Retry-After"] == "5"
    # Liveness does not ask the database: the process is alive, only not ready.
    assert down.test_client().get("/api/v1/health").status_code == 200
