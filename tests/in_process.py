"""Chromium pages answered by a Flask test client instead of a server: for the tests that look
at one page under the real Content Security Policy (test_charts.py, test_web_progress.py)."""

from __future__ import annotations


def answer_from(client, route, path: str) -> None:
    """Fulfil a Playwright `route` with the app's answer to GET `path`."""
    response = client.get(path)
    try:
        route.fulfill(
            status=response.status_code,
            body=response.get_data(),
            headers={k: v for k, v in response.headers.items() if k.lower() != "content-length"},
        )
    finally:
        response.close()  # a static file stays open until its response is closed


def watch_for_problems(page) -> list[str]:
    """The list the page's errors, console errors and warnings, and Content Security Policy
    violations are added to as they happen."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective))"
    )
    return problems
