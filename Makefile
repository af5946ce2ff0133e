# The headache diary: `make run` serves it with demo data, `make test` runs the whole suite.
# Every target sets up what it needs (a .venv built from requirements.lock), so both work on a
# fresh clone. Settings below can be overridden: `make test PYTEST_ARGS="-k days -x"`.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Written after a successful install; older than requirements.lock or pyproject.toml -> reinstall.
STAMP := $(VENV)/.installed-from-lock
FLASK := $(BIN)/flask --app wsgi

HOST ?= 127.0.0.1
PORT ?= 5000
RUN_ARGS ?=
PYTEST_ARGS ?=
BENCH_ARGS ?=

# The PostgreSQL server the tests create their own throw-away databases on (tests/conftest.py).
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
export TEST_POSTGRES_URL
# The browser tests drive Debian's Chromium through Playwright; no browser is downloaded.
TEST_CHROMIUM ?= /usr/bin/chromium
export TEST_CHROMIUM

.PHONY: help install run serve test test-fast test-browser test-dates test-dates-list bench lock check-lock clean distclean
.PHONY: mutate lint lint-py lint-js format

help:
	@echo "make run           set up, migrate, load the demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test          set up and run the whole test suite (SQLite and PostgreSQL)"
	@echo "make test-fast     the suite without the browser tests"
	@echo "make test-browser  only the browser tests (Chromium at $(TEST_CHROMIUM))"
	@echo "make test-dates    the suite without browser, slow and real_clock tests, once at each"
	@echo "                   instant of TEST_DATES (DIARY_TEST_NOW, see tests/clock.py)"
	@echo "make mutate        mutation testing of diary/clinical/ against tests/clinical (minutes; not in CI)"
	@echo "make bench         the benchmarks in bench/ (they print figures)"
	@echo "make lint          ruff (lint and format check) for the Python, ESLint for the browser code"
	@echo "make format        let ruff format the Python and fix what it can"
	@echo "make install       create $(VENV) from requirements.lock, and node_modules from"
	@echo "                   package-lock.json (each only when changed)"
	@echo "make lock          regenerate requirements.lock from pyproject.toml in a clean venv"
	@echo "make clean         remove caches and test artefacts; make distclean also removes $(VENV)"

# -- Setup ------------------------------------------------------------------------------------

# Fails when pyproject.toml names a version that requirements.lock does not pin (run `make lock`).
define CHECK_LOCK
import re, sys, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
wanted = project["dependencies"] + [r for extra in project.get("optional-dependencies", {}).values() for r in extra]
norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
pinned = {}
for line in open("requirements.lock"):
    line = line.split("#")[0].strip()
    if "==" in line:
        name, version = line.split("==", 1)
        pinned[norm(name.split("[")[0])] = version.strip()
stale = []
for requirement in wanted:
    name, _, version = requirement.partition("==")
    name = norm(name.split("[")[0].strip())
    if pinned.get(name) is None or (version and pinned[name] != version.strip()):
        stale.append(f"{requirement} (lock: {pinned.get(name, 'missing')})")
if stale:
    sys.exit("requirements.lock does not match pyproject.toml; run `make lock`:\n  " + "\n  ".join(stale))
endef
export CHECK_LOCK

check-lock:
	@$(PYTHON) -c "$$CHECK_LOCK"

# Third-party browser bundles: package-lock.json -> node_modules/ -> diary/static/vendor/ (by
# scripts/vendor.sh); none of it is committed. Redone when a lock or script changes, or when
# diary/static/vendor/ is missing.
ASSETS_STAMP := node_modules/.installed-from-lock
ASSETS := $(if $(wildcard package-lock.json),$(ASSETS_STAMP))
ASSETS_MISSING := $(if $(wildcard scripts/vendor.sh),$(if $(wildcard diary/static/vendor),,FORCE))

$(ASSETS_STAMP): package.json package-lock.json $(wildcard scripts/*) $(ASSETS_MISSING)
	npm ci --ignore-scripts --no-audit --no-fund
	@if [ -f scripts/vendor.sh ]; then echo "sh scripts/vendor.sh"; sh scripts/vendor.sh; fi
	@touch "$@"

.PHONY: FORCE
FORCE:

install: $(STAMP) $(ASSETS)
	@$(BIN)/python scripts/precompress.py diary/static

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c "$$CHECK_LOCK"
	@if [ ! -x "$(BIN)/python" ]; then \
	    echo "Creating $(VENV) with $$($(PYTHON) --version)"; \
	    $(PYTHON) -m venv "$(VENV)"; \
	fi
	$(BIN)/python -m pip install --quiet --require-virtualenv -r requirements.lock
	$(BIN)/python -m pip check
	@touch "$@"

# A clean, throw-away venv installs pyproject's dependencies and the `test` extra; its exact
# versions become the lock. (The project itself is not installed: it runs from this folder.)
define WANTED
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["test"]))
endef
export WANTED

lock:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	$(PYTHON) -c "$$WANTED" > "$$tmp/wanted.txt"; \
	"$$tmp/venv/bin/python" -m pip install --quiet -r "$$tmp/wanted.txt"; \
	version=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	{ echo "# Exact versions of every runtime and test dependency, for Python $$version."; \
	  echo "# Generated by \`make lock\` from pyproject.toml (dependencies + the test extra); do not edit."; \
	  "$$tmp/venv/bin/python" -m pip freeze --exclude-editable; } > requirements.lock
	@echo "requirements.lock: $$(grep -c '==' requirements.lock) packages pinned"

# -- Run --------------------------------------------------------------------------------------

# The development server with the demo accounts (the demo command is idempotent and prints the
# logins). For production use gunicorn: see README.md and gunicorn.conf.py.
run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C stops)"
	@# Reminders are sent while it serves: a second process checks every 60 s and stops with the
	@# server (docs/reminders.md). Emails go to this console unless MAIL_SERVER is set, with links
	@# to this server.
	PUBLIC_URL="$${PUBLIC_URL:-http://$(HOST):$(PORT)}" $(FLASK) reminders send-due --every 60 & reminders=$$!; \
	trap 'kill $$reminders 2>/dev/null' EXIT; \
	$(FLASK) run --host "$(HOST)" --port "$(PORT)" $(RUN_ARGS)

# gunicorn with gunicorn.conf.py (sync workers = cores), on the same database as `make run`.
serve: install
	$(FLASK) db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# -- Tests ------------------------------------------------------------------------------------

# tests.browser.plugin ends each run with a plain line saying whether the browser tests ran
# (a missing Chromium fails them, it never skips them). axe-core for the accessibility checks
# comes from package-lock.json (devDependencies) like the browser bundles.
test: install
	$(BIN)/python -m pytest -p tests.browser.plugin $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -p tests.browser.plugin -m "not browser" $(PYTEST_ARGS)

test-browser: install
	@test -x "$(TEST_CHROMIUM)" || { echo "No Chromium at $(TEST_CHROMIUM): apt-get install chromium" >&2; exit 1; }
	$(BIN)/python -m pytest -p tests.browser.plugin -m browser $(PYTEST_ARGS)

# The instants `make test-dates` runs the suite at, with the clock travelled there (DIARY_TEST_NOW,
# tests/clock.py), where dates go wrong. Patients default to Europe/London, which goes GMT->BST at
# 01:00 UTC on 29 March 2026 and BST->GMT at 01:00 UTC on 25 October 2026. Instants near midnight,
# so that a patient's date differs from UTC's where it can:
#   2026-03-29T23:30Z  00:30 BST on 30 March (UTC is still the 29th); yesterday had 23 hours
#   2026-06-30T23:30Z  00:30 BST on 1 July: the first of a month in London, the last in UTC
#   2026-10-25T23:30Z  23:30 GMT at the end of the 25-hour day
#   2027-01-01T00:30Z  New Year's Day (and the first of a month)
#   2028-02-29T12:00Z  a leap day
# Five, not more: each instant is a whole run of the suite (about 8 minutes in CI), and CI has 90
# minutes for everything. 00:30Z on 29 March and 23:30Z on 24 October (the hours before each
# change) were dropped on 1 December: they never failed where the instants after the change passed.
# Override to try one: `make test-dates TEST_DATES=2026-12-01T09:00:00+00:00`.
# Each instant runs the database tests on one database, taking TEST_DATES_BACKENDS in turn
# (SQLite at both clock changes and the leap day, PostgreSQL on 1 July and at New Year, the
# instants where London's date and UTC's differ in month or year): every test runs on both
# databases in `make test`, and halving the dated runs keeps CI inside its 90 minutes (a
# PostgreSQL instant takes about twice as long). TEST_DATES_BACKENDS=sqlite,postgresql runs both
# at every instant.
TEST_DATES_BACKENDS ?= sqlite postgresql
TEST_DATES ?= 2026-03-29T23:30:00+00:00 2026-06-30T23:30:00+00:00 2026-10-25T23:30:00+00:00 \
              2027-01-01T00:30:00+00:00 2028-02-29T12:00:00+00:00
# Not under a travelled clock: Chromium and subprocess workers keep the real time (`browser`,
# `real_clock`). The `slow` fault test is left out for time: it is about the network, not dates.
TEST_DATES_MARKERS := not browser and not slow and not real_clock
# Set to a folder to get one junit report per instant in it (.ci/run does).
TEST_DATES_JUNIT ?=
# One instant after another, never in parallel: tests write into the checkout (tests/test_static.py
# puts files in diary/static/), so two runs at once in one checkout trip over each other. Every
# instant runs; the ones that failed are named at the end.
test-dates: install
	@failed=""; backends=($(TEST_DATES_BACKENDS)); turn=0; \
	for instant in $(TEST_DATES); do \
	    backend=$${backends[$$((turn % $${#backends[@]}))]}; turn=$$((turn + 1)); \
	    printf '\n== DIARY_TEST_NOW=%s (TEST_BACKENDS=%s)\n' "$$instant" "$$backend"; \
	    junit=""; \
	    if [ -n "$(TEST_DATES_JUNIT)" ]; then \
	        mkdir -p "$(TEST_DATES_JUNIT)"; \
	        junit="--junitxml=$(TEST_DATES_JUNIT)/junit-at-$${instant//[:+]/-}.xml"; \
	    fi; \
	    DIARY_TEST_NOW="$$instant" TEST_BACKENDS="$$backend" $(BIN)/python -m pytest -m "$(TEST_DATES_MARKERS)" $$junit \
	        $(PYTEST_ARGS) || failed="$$failed $$instant"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test-dates: FAILED at$$failed" >&2; exit 1; fi; \
	echo "make test-dates: passed at each of the $(words $(TEST_DATES)) instants"

# The instants, for .ci/run (it checks one junit report per instant).
test-dates-list:
	@echo $(TEST_DATES)

# -- Lint -------------------------------------------------------------------------------------

# -- Lint -------------------------------------------------------------------------------------

# Both halves run even when the first finds something; CI (.ci/run) fails on any finding.
PY_SOURCES := diary tests bench migrations scripts wsgi.py gunicorn.conf.py
lint: install
	@status=0; $(MAKE) --no-print-directory lint-py || status=1; \
	$(MAKE) --no-print-directory lint-js || status=1; \
	if [ $$status -ne 0 ]; then echo "make lint: findings above (make format fixes many)" >&2; exit 1; fi; \
	echo "make lint: clean"

lint-py: $(STAMP)
	$(BIN)/ruff check $(PY_SOURCES)
	$(BIN)/ruff format --check $(PY_SOURCES)

format: $(STAMP)
	$(BIN)/ruff check --fix --exit-zero --quiet $(PY_SOURCES)
	$(BIN)/ruff format $(PY_SOURCES)

# ESLint over the browser code (eslint.config.js), pinned by package-lock.json's devDependencies.
lint-js: $(ASSETS)
	npx eslint diary/static/js

# -- Mutation testing -------------------------------------------------------------------------

# mutmut ([tool.mutmut] in pyproject.toml) mutates diary/clinical/ in a copy under mutants/ and runs
# tests/clinical against each mutant; it takes minutes on 2 cores, so CI leaves it out. It is a
# developer's tool, not a dependency: installed into the venv here, pinned, only when missing.
# The property tests run MUTATE_EXAMPLES examples each (150 in the normal suite).
MUTMUT_VERSION := 3.8.1
MUTATE_EXAMPLES ?= 25

define MUTATE_SUMMARY
import json
s = json.load(open("mutants/mutmut-cicd-stats.json"))
caught = s["killed"] + s["timeout"]
tested = s["total"] - s["skipped"]
print(f"mutants: {s['total']}  killed: {s['killed']}  survived: {s['survived']}  no tests: {s['no_tests']}  "
      f"timeout: {s['timeout']}  suspicious: {s['suspicious']}  skipped: {s['skipped']}")
print(f"score: {caught}/{tested} = {100 * caught / max(tested, 1):.1f} % killed "
      "(survivors above; `.venv/bin/mutmut show NAME` shows one)")
endef
export MUTATE_SUMMARY

mutate: install
	@$(BIN)/python -c "import importlib.metadata as m; assert m.version('mutmut') == '$(MUTMUT_VERSION)'" 2>/dev/null || \
	    $(BIN)/python -m pip install --quiet "mutmut==$(MUTMUT_VERSION)"
	rm -rf mutants && mkdir mutants
	@echo "mutmut run (log: mutants/run.log) ..."
	@CLINICAL_PROPERTY_EXAMPLES=$(MUTATE_EXAMPLES) $(BIN)/mutmut run --max-children "$$(nproc)" \
	    > mutants/run.log 2>&1 || { tail -c 3000 mutants/run.log >&2; exit 1; }
	@$(BIN)/mutmut results
	@$(BIN)/mutmut export-cicd-stats > /dev/null
	@$(BIN)/python -c "$$MUTATE_SUMMARY"

# -- Benchmarks -------------------------------------------------------------------------------

bench: install
	$(BIN)/python bench/put_day.py --postgres-url "$(TEST_POSTGRES_URL)" $(BENCH_ARGS)
	$(BIN)/python bench/charts.py --postgres-url "$(TEST_POSTGRES_URL)"
	$(BIN)/python bench/export.py --postgres-url "$(TEST_POSTGRES_URL)"

# -- Housekeeping -----------------------------------------------------------------------------

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	rm -rf .pytest_cache .hypothesis test-artifacts bench/results

# Also the venv and node_modules. The instance/ folder (development database and secret key) is kept.
distclean: clean
	rm -rf "$(VENV)" node_modules diary/static/vendor
	find diary/static -name '*.br' -o -name '*.gz' | xargs rm -f
