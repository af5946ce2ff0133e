"""Over-long URLs: the app refuses them itself (414, problem+json under /api/), and gunicorn lets
through every request line the app should see (gunicorn.conf.py's limit_request_line)."""

from __future__ import annotations

import http.client

import pytest

from diary.errors import MAX_URI_LENGTH

from . import servers

GUNICORN_LINE_LIMIT = 8190  # gunicorn's largest limit_request_line


def uri_of_length(length: int, path: str = "/api/v1/patients/me/days") -> str:
    """`path` with a query that makes the whole URI `length` characters long."""
    return f"{path}?q=" + "a" * (length - len(path) - 3)


@pytest.mark.parametrize("path", ["/api/v1/patients/me/days", "/api/v1/no-such-thing"])
def test_an_api_uri_over_the_limit_is_a_414_problem(client, path):
    response = client.get(uri_of_length(MAX_URI_LENGTH + 1, path))
    assert response.status_code == 414
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 414


def test_a_page_uri_over_the_limit_is_the_414_page(client):
    response = client.get(uri_of_length(MAX_URI_LENGTH + 1, "/diary"))
    assert response.status_code == 414
    assert response.mimetype == "text/html"


def test_a_uri_at_the_limit_is_served(client):
    assert client.get(uri_of_length(MAX_URI_LENGTH)).status_code == 401  # not logged in


@pytest.fixture
def gunicorn(database_urls, tmp_path):
    """The app under gunicorn with the repository's gunicorn.conf.py, one worker; its port."""
    env = {
        "WEB_CONCURRENCY": "1",
        "DIARY_ENV": "testing",
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_urls["sqlite"],
    }
    with servers.gunicorn(env, tmp_path / "gunicorn.log") as port:
        yield port


def get(port: int, uri: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", uri)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", "")
    finally:
        connection.close()


@pytest.mark.real_clock
def test_gunicorn_lets_the_app_answer_a_long_uri(gunicorn):
    # The longest URI gunicorn passes: its request-line limit less "GET " and " HTTP/1.1".
    longest = GUNICORN_LINE_LIMIT - len("GET  HTTP/1.1")
    assert get(gunicorn, uri_of_length(MAX_URI_LENGTH + 1)) == (414, "application/problem+json")
    assert get(gunicorn, uri_of_length(longest)) == (414, "application/problem+json")
    assert get(gunicorn, uri_of_length(MAX_URI_LENGTH))[0] == 401
    status, _ = get(gunicorn, uri_of_length(longest + 1))
    assert status == 414  # gunicorn's own answer, a short page (README, "Running in production")
