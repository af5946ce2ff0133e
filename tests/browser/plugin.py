"""Says plainly, at the end of a run, whether the browser tests ran (`make test` loads this with
`-p tests.browser.plugin`): a run that left them out, by choice or by accident, must not read
like a full pass."""

from __future__ import annotations

import pytest

_selected: list[str] = []
_deselected = 0
_outcomes: dict[str, str] = {}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    _selected[:] = [item.nodeid for item in items if item.get_closest_marker("browser")]


def pytest_deselected(items):
    global _deselected
    _deselected += sum(1 for item in items if item.get_closest_marker("browser"))


def pytest_runtest_logreport(report):
    if report.nodeid not in _selected:
        return
    if report.when == "call" or report.outcome != "passed":
        if _outcomes.get(report.nodeid) in ("failed", "error"):
            return
        _outcomes[report.nodeid] = "error" if report.when != "call" and report.failed else report.outcome


def pytest_terminal_summary(terminalreporter):
    write = terminalreporter.write_line
    terminalreporter.section("browser tests")
    if not _selected:
        why = f"{_deselected} left out by -m/-k" if _deselected else "none collected"
        write(f"THE BROWSER TESTS DID NOT RUN ({why}). Run them with: make test-browser", red=True, bold=True)
        return
    counts: dict[str, int] = {}
    for outcome in _outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    not_run = len(_selected) - len(_outcomes)
    summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
    if not_run:
        summary += f", {not_run} not run"
    ok = counts.get("passed", 0) == len(_selected)
    write(
        f"Browser tests (Chromium): {summary}" + ("" if ok else "  <- NOT ALL PASSED"),
        green=ok,
        red=not ok,
        bold=True,
    )
