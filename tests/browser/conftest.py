"""Browser tests: the app served over real HTTP on 127.0.0.1, driven in Debian's Chromium by
Playwright (no browser is downloaded).

- `live_server`: a threaded werkzeug server on a fresh, migrated database for each test module.
  A module runs on SQLite only, or on both SQLite and PostgreSQL when it says
  `BACKENDS = ("sqlite", "postgresql")` (the tests whose outcome is the server's stored days).
- `browser`: one Chromium per test module (TEST_CHROMIUM, default /usr/bin/chromium). A missing
  browser is an error with a clear message, never a skip: leave the browser tests out with
  `-m "not browser"` (make test-fast) instead.
- `phone`: a new browser context (its own cookies, storage and service worker) sized like a phone;
  `screen_page`: a logged-in page in a new context of any size, without touch.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from diary import create_app
from diary.extensions import db
from diary.models import DayRecord, User
from diary.schemas import day_schema

from .. import clock
from ..conftest import _create_postgres_database, _drop_postgres_database, _migrated_app, test_config
from ..factories import PASSWORD, UserFactory

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "en-GB",
    "timezone_id": "Europe/London",
}
AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = os.environ.get("PWA_SCREENSHOTS")  # a folder: the offline tests leave screenshots there


def pytest_generate_tests(metafunc):
    if "live_backend" in metafunc.fixturenames:
        backends = getattr(metafunc.module, "BACKENDS", ("sqlite",))
        metafunc.parametrize("live_backend", backends, scope="module")


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@dataclass
class Account:
    """A user made on the live server, with what a test needs to log in."""

    id: str
    email: str
    password: str = PASSWORD


def close_streamed_files(app) -> None:
    """Work around Flask-Compress: it compresses a static file as a stream and drops the file
    object without closing it (a ResourceWarning, an error in this suite, under a real server).
    Runs before its after_request (Flask runs them last-registered first). Reported to be fixed
    in the app itself."""

    @app.after_request
    def close_file_after_compressing(response):
        inner = response.response
        if response.direct_passthrough and hasattr(inner, "close"):
            response.call_on_close(inner.close)
        return response


def _buffered(app):
    """Each response read whole and closed before it is sent: werkzeug's development server
    leaves a streamed file open when the browser drops the connection half way (a closed
    context does, often), and an open file is an error in this suite."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


class LiveServer:
    """The app on a real socket, and direct access to its database for checking results."""

    def __init__(self, app):
        self.app = app
        close_streamed_files(app)
        self.server = make_server(
            "127.0.0.1", 0, _buffered(app), threaded=True, request_handler=_QuietHandler
        )
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)
        self._users = UserFactory()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(10)

    def patient(self, **kwargs) -> Account:
        with self.app.app_context():
            user = self._users.patient(**kwargs)
            return Account(str(user.id), user.email)

    def days(self, account: Account) -> dict[str, dict]:
        """The patient's stored days as the API dumps them, by date."""
        import uuid

        with self.app.app_context():
            records = db.session.scalars(
                select(DayRecord)
                .where(DayRecord.patient_id == uuid.UUID(account.id))
                .order_by(DayRecord.date)
            ).all()
            days = {r.date.isoformat(): day_schema.dump(r) for r in records}
            db.session.remove()
            return days

    def today(self, account: Account) -> date:
        import uuid

        with self.app.app_context():
            today = clock.today(db.session.get(User, uuid.UUID(account.id)))
            db.session.remove()
            return today


@pytest.fixture(scope="module")
def live_server(live_backend, tmp_path_factory):
    """The app on 127.0.0.1, on a database of its own made for this module (and dropped after)."""
    pg_name = None
    if live_backend == "postgresql":
        url, pg_name = _create_postgres_database()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'diary.db'}"
    _migrated_app(url)
    app = create_app(
        test_config(
            url, LOGIN_LIMIT_PER_ADDRESS="100000 per minute", LOGIN_LIMIT_PER_ACCOUNT="100000 per minute"
        ),
        instance_path=str(tmp_path_factory.mktemp("instance")),
    )
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()
    if pg_name:
        _drop_postgres_database(pg_name)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        where = "CI" if os.environ.get("CI") == "true" else "this machine"
        pytest.fail(
            f"The browser tests need Chromium at {path} (TEST_CHROMIUM), and {where} has none. "
            "Install it (apt-get install chromium) or set TEST_CHROMIUM; to run without them, "
            "leave them out on purpose: make test-fast, or pytest -m 'not browser'.",
            pytrace=False,
        )
    return path


# Per module, not per run: Playwright's sync API allows one driver at a time in a thread, and
# other tests of the suite (tests/test_charts.py) start their own.
@pytest.fixture(scope="module")
def playwright(chromium_path):
    from playwright.sync_api import sync_playwright

    # Playwright's driver logs at debug level on the asyncio logger; pytest shows captured logs.
    logging.getLogger("asyncio").setLevel(logging.WARNING)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright, chromium_path):
    chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def phone(browser, live_server):
    """`phone()` opens a new browser context, like a phone of its own; all are closed after."""
    contexts = []

    def open_phone(**options):
        context = browser.new_context(base_url=live_server.url, **{**PHONE, **options})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield open_phone
    for context in contexts:
        context.close()


@pytest.fixture
def screen_page(phone):
    """`screen_page((width, height), account)` opens a page of that size in a browser context of
    its own (a screen without touch, British English, London time) and logs `account` in, ending
    at `then`; `options` go to the context (`bypass_csp=True` lets axe-core run)."""

    def open_page(size: tuple[int, int], account: Account, then: str = "/therapist", **options):
        width, height = size
        screen = {"device_scale_factor": 1, "is_mobile": False, "has_touch": False}
        context = phone(viewport={"width": width, "height": height}, **screen, **options)
        page = context.new_page()
        log_in(page, account, then=then)
        return page

    return open_page


@pytest.fixture
def patient(live_server) -> Account:
    return live_server.patient()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core, pinned in package.json's devDependencies and installed by `make install`."""
    script = AXE_SCRIPT
    if not script.exists():
        pytest.fail(f"axe-core is missing at {script}: run `make install` (npm ci).", pytrace=False)
    return script.read_text()


def log_in(page, account: Account, then: str = "/today") -> None:
    """Log in through the login page, as a patient would."""
    page.goto("/login")
    page.fill("#email", account.email)
    page.fill("#password", account.password)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"**{then}")


def service_worker_ready(page) -> None:
    """Wait until the service worker has kept the shell and controls this page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        # A page whose navigation began while the worker was activating is not claimed.
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def until(page, expression: str, seconds: float = 15.0) -> None:
    """Poll `expression` (which may give a promise) in the page until it is truthy. Not
    wait_for_function: that takes a promise the page returns for a truthy answer at once."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still not true after {seconds} s: {expression}"
        page.wait_for_timeout(50)


def offline_ready(page) -> None:
    """Wait until offline.js has started on the page shown (outbox settled, form filled)."""
    page.wait_for_function("() => window.DiaryOffline && window.DiaryOffline.ready !== undefined")
    page.evaluate("DiaryOffline.ready")


def shot(page, name: str) -> None:
    """A screenshot for the record, when PWA_SCREENSHOTS names a folder."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def tap_save(page) -> None:
    """Tap the day form's Save button, at the end of the page (where the sticky bar rests)."""
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.click(".save-bar button[type=submit]")
