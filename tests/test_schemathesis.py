"""Schemathesis against the served OpenAPI document (issue 10): the app under a real HTTP server
(werkzeug, in a thread of this process, so it keeps the test's clock), called as an anonymous
user, a patient and a linked therapist, with every check on. Any finding fails the test.

The run is bounded (few examples per operation, deterministic generation: no seed, no example database), so it
takes about a minute per database and says the same thing every time.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta

import pytest
import requests
from werkzeug.serving import WSGIRequestHandler, make_server

from diary.extensions import db
from diary.models import TreatmentSession

from . import clock
from .factories import PASSWORD, link, make_day

# About a minute and a half for the six runs; about the API's contract, not dates, so
# `make test-dates` leaves it out (it keeps the test's clock all the same: no real_clock).
pytestmark = pytest.mark.slow

SPEC = "/api/v1/openapi.json"
MAX_EXAMPLES = 5
# Operations that would end the actor's login or erase its data, so that the rest of the run
# would test an anonymous caller or a missing patient: logout, a password change (ends the
# other logins), and account erasure. Each has its own tests (test_api_accounts, test_erasure).
EXCLUDED = ["POST /api/v1/auth/logout", "PUT /api/v1/me/password", "DELETE /api/v1/me"]


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args) -> None:
        """None: a line per request would bury the report."""


@pytest.fixture
def server(app):
    """The app served over HTTP on a free port; its base URL."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join()


@pytest.fixture
def diary(patient, therapist):
    """A patient with a few days and a session by a therapist they share with; the address
    values each actor's run pins (`pid`, `sid`, `day`: one with a record)."""
    today = clock.today(patient)
    for back in range(1, 6):
        make_day(
            patient,
            today - timedelta(days=back),
            headaches=[{"intensity": 3 + back, "type": "tension"}] if back % 2 else [],
            soreness=back,
        )
    link(patient, therapist)
    session = TreatmentSession(
        patient_id=patient.id,
        therapist_id=therapist.id,
        date=today - timedelta(days=3),
        techniques=["dry_needling"],
    )
    db.session.add(session)
    db.session.commit()
    return {
        "patient": str(patient.id),
        "sid": str(session.id),
        "day": (today - timedelta(days=1)).isoformat(),
    }


def login(base: str, user=None) -> dict[str, str]:
    """Headers that make a request as `user` (anonymous when None): the session cookie and the
    CSRF token of that session, as docs/api.md says a client logs in."""
    http = requests.Session()
    token = http.get(f"{base}/api/v1/auth/csrf").json()["csrf_token"]
    if user is not None:
        response = http.post(
            f"{base}/api/v1/auth/login",
            headers={"X-CSRFToken": token},
            json={"email": user.email, "password": PASSWORD},
        )
        assert response.status_code == 200, response.text
        token = http.get(f"{base}/api/v1/auth/csrf").json()["csrf_token"]  # the new session's
    cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    return {"Cookie": cookie, "X-CSRFToken": token}


# Operations whose input has rules JSON Schema cannot state, so a request the document allows
# may still be a 422 (each rule is in the parameter's or the field's description, or docs/api.md):
# a range's `from` on or before `to` and its span; a day's `had_headache` agreeing with its
# headaches and no blank trigger; a time zone from the IANA list; a session's dates in order.
CROSS_FIELD_RULES = [
    r"GET /api/v1/patients/\{pid\}/(days|months|charts/.+)",
    r"PUT /api/v1/patients/me/days/\{day\}",
    r"(POST /api/v1/auth/register|PATCH /api/v1/me)",
    r"(POST|PATCH) /api/v1/patients/\{pid\}/sessions.*",
    r"POST /api/v1/patients/me/import",  # an import file's days follow every day rule above
]
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # Schemathesis' default
# Operations whose input is a proof only the right value of passes, so any generated one is a 422:
# a code from the authenticator app, the account's password, a passkey's signed answer
# (docs/second-factor.md).
PROOFS = [
    r"POST /api/v1/me/mfa/totp/confirm",
    r"DELETE /api/v1/me/mfa/totp",
    r"POST /api/v1/me/mfa/passkeys",
]


def config_file(pins: dict[str, str], tmp_path) -> str:
    """schemathesis.toml: the pinned address values, and the 422 CROSS_FIELD_RULES and PROOFS may give."""
    lines = ["[parameters]"] + [f'"path.{name}" = "{value}"' for name, value in pins.items()]
    for pattern in CROSS_FIELD_RULES + PROOFS:
        lines += [
            "",
            "[[operations]]",
            f"include-name-regex = '^{pattern}$'",
            "[operations.checks.positive_data_acceptance]",
            f"expected-statuses = {[*ACCEPTED, '422']!r}".replace("'", '"'),
        ]
    config = tmp_path / "schemathesis.toml"
    config.write_text("\n".join(lines) + "\n")
    return str(config)


def run_schemathesis(base: str, headers: dict[str, str], pins: dict[str, str], tmp_path) -> str:
    """Run every check against the served document; the report when anything is found."""
    config = config_file(pins, tmp_path)
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        config,
        "run",
        base + SPEC,
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--generation-deterministic",
        "--no-shrink",
        "--generation-with-security-parameters",
        "false",
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--no-color",
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    for name in EXCLUDED:
        command += ["--exclude-name", name]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    return "" if done.returncode == 0 else done.stdout + done.stderr


@pytest.mark.parametrize("actor", ["anonymous", "patient", "therapist"])
def test_the_api_answers_as_its_document_says(server, diary, patient, therapist, actor, tmp_path):
    user = {"anonymous": None, "patient": patient, "therapist": therapist}[actor]
    # The patient's id rather than `me`: /patients/me/days/{day} is a path of its own.
    pins = {"pid": diary["patient"], "sid": diary["sid"], "day": diary["day"]}
    report = run_schemathesis(server, login(server, user), pins, tmp_path)
    assert not report, report
