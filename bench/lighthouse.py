"""Lighthouse scores of the pages issue 11 names, against a running demo server.

Prints performance and accessibility (0-100) and a few of the metrics behind them; it is never
a pass/fail test. Budgets (docs/performance.md, issue 11 item 19): performance 95+ and
accessibility 100 on Today and Progress (mobile preset) and on the therapist's list and patient
page (desktop preset).

Setup, once (Lighthouse stays out of the repo's package.json):
  mkdir -p /tmp/lh && cd /tmp/lh && npm i -E lighthouse@12.2.3
A demo server (see README.md), e.g. on port 5811:
  DATABASE_URL=sqlite:////tmp/lh/demo.db SECRET_KEY=demo-secret .venv/bin/flask --app wsgi db upgrade
  ... flask --app wsgi demo; THERAPIST_MFA=optional ... flask --app wsgi run --port 5811
(the demo therapist has no second factor: with THERAPIST_MFA=required, the default, the therapist's
pages would send Lighthouse to the two-step sign-in set-up page instead; docs/second-factor.md)

Usage: `.venv/bin/python bench/lighthouse.py [--base http://127.0.0.1:5811] [--runs 3]`.
Each page is run `--runs` times; the median score is printed. Logging in: the session cookie of
a login through the form (requests) is passed with `--extra-headers`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import tempfile
from pathlib import Path

import requests

LIGHTHOUSE = Path("/tmp/lh/node_modules/.bin/lighthouse")
CHROME = "/usr/bin/chromium"
PATIENT = ("patient@demo.example", "sunny-pebble-kettle")
THERAPIST = ("therapist@demo.example", "quiet-harbour-lantern")
METRICS = ("total-blocking-time", "largest-contentful-paint", "cumulative-layout-shift", "dom-size")


def session_cookie(base: str, email: str, password: str) -> tuple[str, requests.Session]:
    """Log in through the form, as a browser would, and return the Cookie header."""
    client = requests.Session()
    page = client.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post(
        f"{base}/login",
        timeout=10,
        data={"csrf_token": token, "email": email, "password": password, "next": ""},
    )
    answer.raise_for_status()
    return "; ".join(f"{c.name}={c.value}" for c in client.cookies), client


def first_patient_url(base: str, client: requests.Session) -> str:
    """The therapist's first patient page, from their list."""
    page = client.get(f"{base}/therapist", timeout=10).text
    return base + re.search(r'href="(/therapist/patients/[0-9a-f-]{36})"', page).group(1)


def lighthouse(url: str, cookie: str, preset: str) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "report.json"
        command = [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            "--only-categories=performance,accessibility",
            "--chrome-flags=--headless=new --no-sandbox",
            "--extra-headers",
            json.dumps({"Cookie": cookie}),
        ]
        if preset == "desktop":
            command.append("--preset=desktop")
        subprocess.run(
            command,
            check=True,
            env={**os.environ, "CHROME_PATH": CHROME},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:5811")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    base = args.base.rstrip("/")
    patient, _ = session_cookie(base, *PATIENT)
    therapist, desk = session_cookie(base, *THERAPIST)
    pages = [
        ("Today", f"{base}/today", patient, "mobile"),
        ("Progress", f"{base}/progress", patient, "mobile"),
        ("Therapist list", f"{base}/therapist", therapist, "desktop"),
        ("Patient page", first_patient_url(base, desk), therapist, "desktop"),
    ]
    print(
        f"lighthouse 12.2.3, median of {args.runs} runs; perf / a11y, then TBT ms, LCP ms, CLS, DOM elements"
    )
    for name, url, cookie, preset in pages:
        reports = [lighthouse(url, cookie, preset) for _ in range(args.runs)]

        def median(pick):
            return statistics.median(pick(report) for report in reports)

        perf = median(lambda r: r["categories"]["performance"]["score"] * 100)
        a11y = median(lambda r: r["categories"]["accessibility"]["score"] * 100)
        tbt, lcp, cls, dom = (median(lambda r, m=m: r["audits"][m]["numericValue"]) for m in METRICS)
        print(
            f"{name:15} {preset:7} perf {perf:3.0f}  a11y {a11y:3.0f}   "
            f"TBT {tbt:5.0f}  LCP {lcp:5.0f}  CLS {cls:.3f}  DOM {dom:5.0f}"
        )


if __name__ == "__main__":
    main()
