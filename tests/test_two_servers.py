"""Two app servers at once (issue 15 item 5, docs/operations.md): two gunicorns on different
ports share one PostgreSQL database and one Redis, as two machines behind a load balancer do. A
login made on one works on the other, a logout on one ends it on both, the login limit counts
the attempts on both, the metrics of a server's workers add up, and two reminder senders at once
send a reminder once."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import pytest
import requests
from sqlalchemy import func, select

from diary.extensions import db
from diary.models import ReminderSent, ReminderSettings, utcnow

from .factories import PASSWORD
from .servers import ROOT, free_port, gunicorn, ready
from .test_api_ratelimits import (
    REDIS_URL,
    redis_prefix,  # noqa: F401  (a fixture: a Redis key prefix of our own)
)

LIMIT = 3  # failed logins per account, on both servers together


@pytest.fixture
def two_servers(make_app, database_urls, redis_prefix, tmp_path):  # noqa: F811  (the fixture above)
    """Two gunicorns (two workers and one) on the PostgreSQL test database and one Redis."""
    app = make_app()  # empties the tables afterwards
    metrics_port = free_port()
    env = {
        "DIARY_ENV": "testing",
        "SECRET_KEY": "shared-secret-key-of-the-network",
        "DATABASE_URL": database_urls["postgresql"],
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": redis_prefix,
        "LOGIN_LIMIT_PER_ACCOUNT": f"{LIMIT} per 15 minutes",
        "WEB_CONCURRENCY": "2",
    }
    first = {**env, "METRICS_ADDRESS": f"127.0.0.1:{metrics_port}"}
    second = {**env, "WEB_CONCURRENCY": "1", "METRICS_TOKEN": "scrape-token"}
    with (  # both boot at once
        gunicorn(first, tmp_path / "a.log", wait=False) as a,
        gunicorn(second, tmp_path / "b.log", wait=False) as b,
    ):
        ready(a)
        ready(b)
        yield app, f"http://127.0.0.1:{a}", f"http://127.0.0.1:{b}", metrics_port


def csrf(browser: requests.Session, server: str) -> dict:
    return {"X-CSRFToken": browser.get(f"{server}/api/v1/auth/csrf", timeout=10).json()["csrf_token"]}


def log_in(browser: requests.Session, server: str, email: str, password: str = PASSWORD):
    return browser.post(
        f"{server}/api/v1/auth/login",
        json={"email": email, "password": password},
        headers=csrf(browser, server),
        timeout=10,
    )


@pytest.mark.real_clock
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_servers_share_logins_logouts_limits_and_metrics(two_servers, users):
    app, one, two, metrics_port = two_servers
    with app.app_context():
        patient, other = users.patient(), users.patient()

    phone = requests.Session()  # cookies go to both ports: one site behind a load balancer
    assert log_in(phone, one, patient.email).status_code == 200
    assert phone.get(f"{two}/api/v1/me", timeout=10).json()["email"] == patient.email
    cookies = phone.cookies.copy()
    assert phone.post(f"{two}/api/v1/auth/logout", headers=csrf(phone, two), timeout=10).status_code < 300
    replay = requests.Session()
    replay.cookies.update(cookies)  # the cookie from before the logout, sent again
    assert replay.get(f"{one}/api/v1/me", timeout=10).status_code == 401
    assert replay.get(f"{two}/api/v1/me", timeout=10).status_code == 401

    # Wrong passwords from a stranger's device, on one server and the other: the limit is one.
    stranger = requests.Session()
    answers = [
        log_in(stranger, server, other.email, "wrong-password-123").status_code
        for server in (one, two, one, two)
    ]
    assert answers == [401] * LIMIT + [429]

    # The first server's two workers answered these; its metrics (apart, on METRICS_ADDRESS) add
    # them up, whichever worker took each.
    scrape = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
    csrf_line = next(
        line
        for line in scrape.splitlines()
        if line.startswith('diary_http_requests_total{method="GET",route="/api/v1/auth/csrf",status="200"}')
    )
    assert float(csrf_line.split()[-1]) == 3  # 1 + 2 logins on the first server
    # The second serves them at /metrics for its token, from its worker's files all the same.
    scrape = requests.get(f"{two}/metrics", headers={"Authorization": "Bearer scrape-token"}, timeout=10)
    assert 'route="/api/v1/auth/logout"' in scrape.text


def send_due(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "reminders", "send-due"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.real_clock
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_reminder_senders_at_once_send_a_reminder_once(make_app, database_urls, mailbox, users):
    """As the reminders timer fires on two machines: `flask reminders send-due` twice at once."""
    app = make_app()
    with app.app_context():
        patient = users.patient()
        db.session.add(
            ReminderSettings(
                patient_id=patient.id,
                enabled=True,
                time=dt.time(0, 0),  # due since the patient's midnight, whenever the test runs
                channels=["email"],
                skip_if_logged=False,
                active_from=utcnow() - dt.timedelta(days=2),
            )
        )
        db.session.commit()
    env = {
        "DIARY_ENV": "testing",
        "SECRET_KEY": "shared-secret-key-of-the-network",
        "DATABASE_URL": database_urls["postgresql"],
        **{name: str(value) for name, value in mailbox.settings.items() if value not in (None, False)},
    }
    senders = [send_due(env) for _ in range(2)]
    outputs = [sender.communicate(timeout=120)[0] for sender in senders]
    assert [sender.returncode for sender in senders] == [0, 0], outputs
    counts = sorted(int(re.search(r"reminders: (\d+) sent", out).group(1)) for out in outputs)
    assert counts == [0, 1], outputs
    [message] = mailbox.wait_for(1)
    assert patient.email in message["To"]
    assert len(mailbox.messages) == 1  # both senders have exited: no second one is coming
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 1
