"""Fixtures: every database test runs on SQLite and on PostgreSQL, each test on a clean database.

PostgreSQL: the server named by TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres,
the Makefile's default too); a database of our own is created for the run and dropped after it.

The clock: with DIARY_TEST_NOW set to an ISO instant, the whole run travels there (tests/clock.py).
"""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from diary import create_app
from diary.extensions import db
from diary.models import User

from . import clock
from .factories import ApiClient, UserFactory
from .mailbox import mailbox  # noqa: F401  (a fixture: a real SMTP server for a test)

UNTRAVELLED = {
    "browser": "Chromium keeps the real time",
    "real_clock": "its other process keeps the real time",
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "real_clock: runs code in another process (a subprocess worker), whose clock "
        "DIARY_TEST_NOW does not move; left out of the dated runs",
    )
    # Here, before collection, so that module-level dates in test files see the travelled clock.
    try:
        instant = clock.instant_from_environment()
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    if instant is not None:
        clock.start_run_clock(instant)


def pytest_unconfigure(config):
    clock.stop_run_clock()


def _clock_line() -> str:
    start = clock.instant_from_environment()
    london = start.astimezone(clock.DEFAULT_ZONE)
    return (
        f"clock: {clock.ENV}={start.isoformat()} (time-machine, ticking from there; "
        f"{london:%Y-%m-%d %H:%M %Z} in {clock.DEFAULT_ZONE.key})"
    )


def pytest_report_header(config):
    lines = []
    if clock.travelled():
        lines.append(_clock_line())
    if os.environ.get("TEST_BACKENDS"):
        lines.append(f"database tests on: {', '.join(sorted(_backends_wanted()))} (TEST_BACKENDS)")
    return lines or None


def _backends_wanted() -> set[str]:
    """TEST_BACKENDS=sqlite (or postgresql, or both comma-separated) keeps the database tests of
    those backends only; unset, both run. `make test-dates` uses it to run each instant on one
    database, alternating, so that the dated runs fit in CI's time (Makefile, TEST_DATES_BACKENDS)."""
    wanted = {name.strip() for name in os.environ.get("TEST_BACKENDS", "").split(",") if name.strip()}
    unknown = wanted - set(BACKENDS)
    if unknown:
        named, known = ", ".join(sorted(unknown)), ", ".join(BACKENDS)
        raise pytest.UsageError(f"TEST_BACKENDS names {named}; known: {known}")
    return wanted or set(BACKENDS)


def pytest_collection_modifyitems(config, items):
    """TEST_BACKENDS leaves out (deselects, visibly) the database tests of the other backend.
    Under DIARY_TEST_NOW, tests whose clock lives outside this process cannot be travelled."""
    wanted = _backends_wanted()
    if wanted != set(BACKENDS):
        kept, left_out = [], []
        for item in items:
            params = getattr(item, "callspec", None)
            backend = params.params.get("backend") if params is not None else None
            (left_out if backend is not None and backend not in wanted else kept).append(item)
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = kept
    if not clock.travelled():
        return
    for item in items:
        for marker, why in UNTRAVELLED.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=f"{clock.ENV} is set and {why}"))
                break


def pytest_terminal_summary(terminalreporter):
    if clock.travelled():
        terminalreporter.write_line(_clock_line(), bold=True)


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context (its own `g` and database session), as it does
    when served, even while the test itself holds an app context for its factories."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ("sqlite", "postgresql")


def _create_postgres_database() -> tuple[str, str]:
    name = f"diary_test_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        pytest.exit(
            f"PostgreSQL is needed for the tests and is not reachable at {POSTGRES_URL}: "
            f"{error}. Start it or set TEST_POSTGRES_URL.",
            returncode=3,
        )
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False), name


def _drop_postgres_database(name: str) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrated_app(url: str):
    app = create_app(test_config(url))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    return app


def test_config(url: str, **extra):
    """Settings for a test app; cheap password hashing keeps the suite quick."""
    return {
        "DIARY_ENV": "testing",
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "SERVER_NAME": None,
        # A therapist's second factor is off here; tests/test_second_factor.py turns it on.
        "THERAPIST_MFA": "optional",
        **extra,
    }


test_config.__test__ = False  # a helper, not a test


@pytest.fixture
def mid_month():
    """The clock stopped at noon (London) on the 15th of the current month, for a test that needs,
    say, yesterday in this month whatever the date. Name it first among the test's fixtures so
    that the accounts and logins are made at that time too."""
    with clock.mid_month() as instant:
        yield instant


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory):
    """One migrated database per backend for the whole run, removed afterwards."""
    sqlite_url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'diary.db'}"
    pg_url, pg_name = _create_postgres_database()
    urls = {"sqlite": sqlite_url, "postgresql": pg_url}
    for url in urls.values():
        _migrated_app(url)
    yield urls
    _drop_postgres_database(pg_name)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(database_urls, backend) -> str:
    return database_urls[backend]


def _tables() -> list[str]:
    """Every table of the models, children before parents (so deletes respect foreign keys)."""
    return [table.name for table in reversed(db.metadata.sorted_tables)]


def _empty_tables(backend: str) -> None:
    if backend == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(_tables())} RESTART IDENTITY CASCADE"))
    else:
        for table in _tables():
            db.session.execute(text(f"DELETE FROM {table}"))
    db.session.commit()


@pytest.fixture
def make_app(database_url, backend):
    """Build an app on this test's database; settings can be overridden per test."""
    apps = []

    def factory(**extra):
        app = create_app(test_config(database_url, **extra))
        app.test_client_class = IsolatedClient
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if apps:
        with apps[0].app_context():
            _empty_tables(backend)
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(app) -> ApiClient:
    """A JSON client that sends the CSRF token like the web app does."""
    return ApiClient(app.test_client())


@pytest.fixture
def new_api(app):
    """Another independent JSON client (another phone or browser)."""
    return lambda: ApiClient(app.test_client())


@pytest.fixture
def users(app) -> UserFactory:
    return UserFactory()


@pytest.fixture
def patient(users) -> User:
    return users.patient()


@pytest.fixture
def logged_in(api, patient) -> ApiClient:
    """`api` logged in as `patient`."""
    api.login(patient)
    return api


@pytest.fixture
def therapist(users) -> User:
    return users.therapist()


@pytest.fixture
def as_user(new_api):
    """A new JSON client logged in as the given user."""

    def login(user: User) -> ApiClient:
        client = new_api()
        client.login(user)
        client.user = user
        return client

    return login


class StatementCounter:
    """Counts the SQL statements the app sends while active (docs/performance.md: no N+1)."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __len__(self):
        return len(self.statements)


@pytest.fixture
def count_statements(app):
    """`with count_statements() as counted: ...` then `len(counted)`."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        counter = StatementCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting
