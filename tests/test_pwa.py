"""The installable app's server side (diary/web/pwa.py): the manifest, the service worker at the
root, and the two pages it keeps, which must hold nobody's data."""

from __future__ import annotations

import json
import re
import shutil
import struct
from pathlib import Path

import pytest

from diary import redflags
from diary.web import pwa

from . import clock
from .factories import make_day

STATIC = Path(__file__).resolve().parents[1] / "diary" / "static"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def fetch(client, url: str):
    """GET `url` and close the response (static files are streamed from an open file)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def worker_settings(client) -> dict:
    body = client.get("/sw.js").get_data(as_text=True)
    first_line = body.split("\n", 1)[0]
    assert first_line.startswith("self.DIARY_SW = ")
    return json.loads(first_line.removeprefix("self.DIARY_SW = ").rstrip(";"))


def test_the_manifest_makes_the_app_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "Headache diary" and len(manifest["short_name"]) <= 12
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/today", "/", "standalone")
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    sizes = {}
    for icon in manifest["icons"]:
        image = fetch(client, icon["src"])
        assert image.status_code == 200 and image.mimetype == "image/png"
        width, height = png_size(image.data)
        assert icon["sizes"] == f"{width}x{height}" and width == height
        sizes.setdefault(icon["purpose"], set()).add(width)
    assert sizes == {"any": {192, 512}, "maskable": {512}}


def test_every_page_links_the_manifest_apple_icon_and_offline_script(client):
    page = client.get("/login").get_data(as_text=True)
    head = page.split("</head>", 1)[0]
    assert '<link rel="manifest" href="/manifest.webmanifest">' in head
    apple = re.search(r'<link rel="apple-touch-icon" href="([^"]+)">', head).group(1)
    assert png_size(fetch(client, apple).data) == (180, 180)
    assert '<meta name="apple-mobile-web-app-capable" content="yes">' in head
    assert '<meta name="apple-mobile-web-app-title" content="Diary">' in head
    scripts = re.findall(r'<script src="/static/(js/[a-z-]+\.js)\?v=[0-9a-f]{12}" defer></script>', head)
    assert scripts == ["js/app.js", *pwa.PAGE_SCRIPTS]  # the offline scripts last, in their order
    assert '<meta name="diary-user" content="">' in head  # nobody logged in
    assert "data-offline-status" in page


def test_a_logged_in_page_names_its_user_for_the_offline_outbox(logged_in, patient):
    page = logged_in.client.get("/today").get_data(as_text=True)
    assert f'<meta name="diary-user" content="{patient.id}">' in page
    assert re.search(r'id="day-form"[^>]* data-day="\d{4}-\d{2}-\d{2}" data-today="\d{4}-\d{2}-\d{2}"', page)
    assert "data-shell" not in page


def test_the_service_worker_is_served_at_the_root_and_never_cached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-store"
    assert "worker-src 'self'" in response.headers["Content-Security-Policy"]
    assert "Service-Worker-Allowed" not in response.headers  # at /, its scope is the whole site
    assert 'self.addEventListener("fetch"' in response.get_data(as_text=True)


def test_the_service_worker_keeps_only_data_free_pages_and_static_files(client):
    settings = worker_settings(client)
    assert re.fullmatch(r"[0-9a-f]{12}", settings["version"])
    pages = [url for url in settings["precache"] if not url.startswith("/static/")]
    advice = ["/red-flags", *(f"/red-flags/{flag.code}" for flag in redflags.FLAGS)]
    assert sorted(pages) == sorted(["/manifest.webmanifest", "/offline", "/offline/day", *advice])
    static = [url for url in settings["precache"] if url.startswith("/static/")]
    for name in (
        "css/app.css",
        "js/app.js",
        *pwa.PAGE_SCRIPTS,
        "images/icon.svg",
        "manifest/icons/icon-192.png",
        "manifest/icons/maskable-512.png",
    ):
        assert any(re.fullmatch(rf"/static/{re.escape(name)}\?v=[0-9a-f]{{12}}", url) for url in static), name
    # The chart library is cached by the first chart page that loads it, never fetched for Today.
    assert not any(url.startswith("/static/vendor/plotly-basic.min.js") for url in static)
    for url in settings["precache"]:
        assert fetch(client, url).status_code == 200, url
    # The worker imports the outbox's scripts without DOM, the first ones a page loads, as kept.
    worker = [url.split("?")[0].removeprefix("/static/") for url in settings["offlineScripts"]]
    assert worker == list(pwa.PAGE_SCRIPTS[: len(worker)]) == ["js/day.js", "js/outbox.js", "js/sync.js"]
    assert all(url in static for url in settings["offlineScripts"])


def test_a_changed_static_file_makes_a_new_service_worker_version(app, client, tmp_path):
    before = worker_settings(client)["version"]
    assert worker_settings(client)["version"] == before  # stable between requests
    shutil.copytree(app.static_folder, tmp_path / "static")
    original, app.static_folder = app.static_folder, str(tmp_path / "static")
    try:
        with open(tmp_path / "static" / "js" / "app.js", "a") as script:
            script.write("\n// a new release\n")
        assert worker_settings(client)["version"] != before
    finally:
        app.static_folder = original


@pytest.mark.parametrize("path", ["/offline", "/offline/day"])
def test_the_kept_pages_hold_no_one_s_data_even_when_fetched_logged_in(logged_in, patient, path):
    make_day(
        patient,
        clock.today(patient),
        headaches=[{"intensity": 9}],
        medications=[{"name": "Zebrafin 5 mg", "drug_class": "other"}],
    )
    response = logged_in.client.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for private in (patient.email, patient.display_name, str(patient.id), "Zebrafin"):
        assert private not in page
    assert '<meta name="csrf-token" content="">' in page
    assert not re.search(r'name="csrf_token" value="[^"]+"', page)
    assert '<meta name="diary-user" content="">' in page


def test_the_day_shell_is_the_day_editor_with_nothing_filled_in(client):
    page = client.get("/offline/day").get_data(as_text=True)
    assert re.search(r'<form [^>]*id="day-form"[^>]*data-shell', page)
    assert not re.search(r'<input type="radio" name="headache_today" value="(yes|no)" checked', page)
    assert 'name="version" value=""' in page
    assert "Not logged yet." in page
    # The patient's navigation, without anyone's account.
    assert 'href="/today"' in page and 'href="/account"' in page


def test_the_offline_page_says_what_still_works(client):
    page = client.get("/offline").get_data(as_text=True)
    assert "No connection" in page and 'href="/today"' in page


@pytest.mark.parametrize(
    "path", ["/red-flags", "/red-flags/breathless_after_needling", "/red-flags/getting_worse"]
)
def test_the_advice_pages_as_the_worker_keeps_them_hold_no_one_s_data(client, path):
    """Fetched without cookies, as the service worker does: no token, no user, the patient's
    navigation and the button that adds the sign to today."""
    page = client.get(path).get_data(as_text=True)
    assert '<meta name="csrf-token" content="">' in page
    assert not re.search(r'name="csrf_token" value="[^"]+"', page)
    assert '<meta name="diary-user" content="">' in page
    if path != "/red-flags":
        assert "Add this to today&#39;s diary" in page or "Add this to today's diary" in page


def test_the_advice_pages_hold_no_health_data_when_fetched_logged_in(logged_in, patient):
    make_day(
        patient,
        clock.today(patient),
        headaches=[{"intensity": 9}],
        red_flags=["sudden_severe"],
        medications=[{"name": "Zebrafin 5 mg", "drug_class": "other"}],
    )
    for path in ("/red-flags", "/red-flags/sudden_severe"):
        page = logged_in.client.get(path).get_data(as_text=True)
        assert "Zebrafin" not in page and patient.email not in page
