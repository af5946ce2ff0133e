"""Static files: precompressed copies when accepted and current, long cache lifetimes."""

from __future__ import annotations

import gzip
import os
import shutil

import brotli
import pytest

# One folder per test process: two runs in one checkout (make test and make test-dates) must not
# remove each other's file.
FOLDER = f"test-only-{os.getpid()}"


@pytest.fixture
def static_file(app):
    """A text file in the static folder with fresh .br and .gz copies; removed afterwards."""
    folder = os.path.join(app.static_folder, FOLDER)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "sample.js")
    body = ("console.log('headache diary');\n" * 200).encode()
    with open(path, "wb") as handle:
        handle.write(body)
    with open(path + ".br", "wb") as handle:
        handle.write(brotli.compress(body))
    with open(path + ".gz", "wb") as handle:
        handle.write(gzip.compress(body))
    yield path, body
    shutil.rmtree(folder)


def fetch(client, encoding):
    response = client.get(f"/static/{FOLDER}/sample.js", headers={"Accept-Encoding": encoding})
    data = response.get_data()
    response.close()
    return response, data


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [
        ("br, gzip", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
        ("identity", None, lambda data: data),
    ],
)
def test_static_files_go_out_precompressed_when_accepted(client, static_file, accept, encoding, decode):
    _, body = static_file
    response, data = fetch(client, accept)
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == encoding
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert "Accept-Encoding" in response.headers["Vary"]
    assert decode(data) == body
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_a_stale_copy_is_never_served(client, static_file):
    path, _ = static_file
    edited = b"console.log('edited');\n" * 100
    with open(path, "wb") as handle:
        handle.write(edited)
    older = os.stat(path).st_mtime - 10
    for suffix in (".br", ".gz"):
        os.utime(path + suffix, (older, older))
    response, data = fetch(client, "br, gzip")
    assert response.headers.get("Content-Encoding") is None
    assert data == edited


@pytest.mark.parametrize("path", ["/static/../wsgi.py", "/static/nothing-here.js", "/static/css"])
def test_only_files_of_the_static_folder_are_served(client, path):
    response = client.get(path)
    assert response.status_code == 404
    response.close()


def test_static_files_vary_on_no_cookie_even_for_someone_logged_in(patient, as_user):
    """The service worker keeps cookie-less copies: `Vary: Cookie` made each visit revalidate."""
    logged_in = as_user(patient)
    for path in ("/static/js/app.js", "/static/css/app.css"):
        response = logged_in.get(path)
        response.close()  # a static file answers with an open file
        assert response.status_code == 200
        assert "cookie" not in response.headers.get("Vary", "").lower(), path
    assert "Cookie" in logged_in.get("/today").headers["Vary"]  # pages still do
