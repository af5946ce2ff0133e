"""The installable app: web manifest, the service worker at the site's root, and the pages the
service worker keeps for when there is no network (the offline page, the day editor's shell,
and the red-flag advice pages of web/redflags.py).

Both kept pages are data-free: they are rendered as for nobody in particular (no name, no day,
no CSRF token), so Cache Storage never holds a patient's health data. The shell is filled in on
the phone from the IndexedDB outbox (static/js/offline.js, docs/offline.md).

The icons in static/manifest/icons/ are made from static/images/icon.svg by
`python -m tests.browser.make_icons` (it renders them in the test Chromium).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

from flask import Response, current_app, render_template, url_for
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict

from .. import redflags
from ..access import rule
from . import bp
from .forms import EDITOR_FIXED, editor_layout

THEME_COLOUR = "#1d5c85"
BACKGROUND_COLOUR = "#f2f5f8"
ICONS = (
    # (file under static/, size, purpose)
    ("manifest/icons/icon-192.png", 192, "any"),
    ("manifest/icons/icon-512.png", 512, "any"),
    ("manifest/icons/maskable-512.png", 512, "maskable"),
)
APPLE_TOUCH_ICON = "manifest/icons/apple-touch-icon.png"
# The offline scripts (docs/offline.md) in the order they load, sharing self.DiaryOffline: the
# service worker imports the ones without DOM (the outbox and its sync); every page loads them all.
WORKER_SCRIPTS = ("js/day.js", "js/outbox.js", "js/sync.js")
PAGE_SCRIPTS = (*WORKER_SCRIPTS, "js/day-editor.js", "js/draft.js", "js/offline.js")
# Static files every page may need, kept by the service worker in a versioned cache; the charts
# script and plotly's stylesheet too when `make install` has made vendor/ (never committed).
PRECACHED_STATIC = (
    "css/app.css",
    "js/app.js",
    *PAGE_SCRIPTS,
    "js/passkey.js",  # two-step sign-in's passkeys (docs/second-factor.md)
    "js/reminders.js",  # the Account page's "Remind me on this phone" (docs/reminders.md)
    "images/icon.svg",
    *(name for name, _, _ in ICONS),
    APPLE_TOUCH_ICON,
)
# The chart library itself (322 KiB compressed) is cached when a chart page first loads it, not
# precached: a first visit to Today must not fetch a chart library (docs/performance.md).
PRECACHED_IF_PRESENT = ("js/charts.js", "vendor/plotly.css")
# The shell is one page for every date; offline.js puts the wanted date in. Its own date is a
# fixed one, so the page (and so the service worker's version) does not change every day.
SHELL_DATE = date(2000, 1, 3)


class ShellPatient(AnonymousUserMixin):
    """Nobody in particular, seen as a patient: the shell shows the patient's navigation and no
    one's name, e-mail or id."""

    is_patient = True
    is_therapist = False
    role = "patient"
    id = ""
    email = ""
    display_name = ""

    @property
    def is_authenticated(self):  # type: ignore[override]
        return True

    @property
    def is_anonymous(self):  # type: ignore[override]
        return False


def _data_free(template: str, **context) -> str:
    """A page rendered for nobody: no user and no CSRF token (offline.js asks for a fresh one
    when it syncs). Macros imported without context call the real csrf_token(), so its value is
    taken out of the page afterwards."""
    token = generate_csrf()
    context.setdefault("current_user", AnonymousUserMixin())
    page = render_template(template, csrf_token=lambda: "", **context)
    return page.replace(token, "")


@bp.app_template_global()
def offline_scripts() -> tuple[str, ...]:
    """The offline scripts each page loads (base.html), in order."""
    return PAGE_SCRIPTS


@bp.get("/manifest.webmanifest")
@rule("anyone")
def manifest():
    static_url = current_app.jinja_env.globals["static_url"]
    body = {
        "id": "/",
        "name": "Headache diary",
        "short_name": "Diary",
        "description": "A headache diary to keep on your phone and share with your physiotherapist.",
        "lang": "en-GB",
        "start_url": url_for("web.today"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static_url(name), "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}
            for name, size, purpose in ICONS
        ],
    }
    return Response(json.dumps(body, indent=1), mimetype="application/manifest+json")


def _precache_urls() -> list[str]:
    static_url = current_app.jinja_env.globals["static_url"]
    static = Path(current_app.static_folder)
    names = [*PRECACHED_STATIC, *(n for n in PRECACHED_IF_PRESENT if (static / n).exists())]
    # The red-flag advice pages are data-free too, and must open without a network.
    advice = [
        url_for("web.red_flags_page"),
        *(url_for("web.red_flag_page", code=flag.code) for flag in redflags.FLAGS),
    ]
    return [
        url_for("web.offline"),
        url_for("web.offline_day"),
        *advice,
        url_for("web.manifest"),
        *(static_url(name) for name in names),
    ]


def _templates_digest() -> str:
    """What the kept pages are made of: a change to any template makes a new worker version."""
    folder = Path(current_app.root_path) / "templates"
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.html")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@bp.get("/sw.js")
@rule("anyone")
def service_worker():
    """The service worker, at the root so that its scope is the whole site. Its version changes
    with any kept file (static URLs carry a hash of their content) or template."""
    static_url = current_app.jinja_env.globals["static_url"]
    source = (Path(current_app.static_folder) / "js" / "sw.js").read_text()
    urls = _precache_urls()
    version = hashlib.sha256("\n".join([source, *urls, _templates_digest()]).encode()).hexdigest()[:12]
    settings = {
        "version": version,
        "precache": urls,
        "offlinePage": url_for("web.offline"),
        "shellPage": url_for("web.offline_day"),
        "offlineScripts": [static_url(name) for name in WORKER_SCRIPTS],
        "notificationIcon": static_url(ICONS[0][0]),  # reminders (docs/reminders.md)
    }
    body = f"self.DIARY_SW = {json.dumps(settings)};\n{source}"
    return Response(body, mimetype="text/javascript")


@bp.get("/offline")
@rule("anyone")
def offline():
    """What the service worker shows for a page it cannot fetch and does not keep."""
    return _data_free("offline.html")


@bp.get("/offline/day")
@rule("anyone")
def offline_day():
    """The Today screen and day editor with nothing filled in, for use without a network."""
    form: MultiDict = MultiDict()
    context = dict(
        EDITOR_FIXED,
        day=SHELL_DATE,
        today=SHELL_DATE,
        is_today=True,
        record=None,
        form=form,
        errors={},
        layout=editor_layout(form, {}, []),
        notice=None,
        previous_day=SHELL_DATE - timedelta(days=1),
        next_day=None,
        shell=True,
        needling=None,
        headache_flags_open=False,
    )
    return _data_free("day.html", current_user=ShellPatient(), **context)
