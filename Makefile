# Kokeilusalkku: `make run` serves the demo, `make test` runs lint and the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint install install-test db seed clean help translations lock lock-upgrade review-screenshots

# pytest-xdist workers for `make test`: one per core, at most 8 (TEST_WORKERS=0: one process).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 8 ] && n=8; echo $$n)
# The tool that writes the lock files (`make lock`).
UV := uv==0.13.9

help:
	@echo "make run   - install, migrate a SQLite database, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test  - install test tools, lint, run the whole suite"
	@echo "make lock  - regenerate requirements*.lock after a change to pyproject.toml"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The exact versions of requirements*.lock, then the package itself without resolving again;
# `pip check` fails if pyproject.toml asks for something the lock lacks (run `make lock`).
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	@touch $@

$(VENV)/.installed-test: requirements-test.lock $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-test.lock
	$(BIN)/pip check
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test test-tools

db: install
	$(FLASK) db upgrade

seed: db
	$(FLASK) seed-demo

run: seed
	@echo "Serving Kokeilusalkku on http://$(HOST):$(PORT)  (Ctrl-C stops)"
	$(FLASK) run --host $(HOST) --port $(PORT)

# ruff (with a complexity limit: [tool.ruff.lint]); mypy (strict over domain/ and services/:
# [tool.mypy]); the import contracts ([tool.importlinter]: no blueprint imports another).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# loadfile: a test module stays on one worker with its module fixtures (and the order its
# tests were written in); each worker has its own session fixtures (app, live server, browser).
# --no-loadscope-reorder: the modules go out in the order tests/conftest.py gives them, the
# slowest first (SLOW_MODULES), so that the run does not end with one core idle.
# Bytecode is cached even where the environment says PYTHONDONTWRITEBYTECODE=1 (this
# machine's does): otherwise every worker rewrites the asserts of 400 test modules again
# (7.8 s of collection, 3.3 s with the cache) and every server a test starts compiles the app.
test: export PYTHONDONTWRITEBYTECODE =
test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# The lock files from pyproject.toml's ranges, keeping every pin that still fits (new
# dependencies get their newest fitting release); lock-upgrade moves all to the newest.
# The test lock is constrained by the runtime one, so both agree on every shared package.
LOCK_RUN := $(BIN)/uv pip compile --quiet --python-version 3.11 pyproject.toml
lock: | $(BIN)/python
	$(BIN)/pip install --quiet $(UV)
	$(LOCK_RUN) $(LOCK_ARGS) -o requirements.lock
	$(LOCK_RUN) $(LOCK_ARGS) --extra test -c requirements.lock -o requirements-test.lock

lock-upgrade:
	$(MAKE) lock LOCK_ARGS=--upgrade

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis

# Translations: extract every gettext string, merge into fi/sv/en catalogues, compile.
translations: install-test
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output --omit-header -o pilot_tracker/translations/messages.pot .
	$(BIN)/pybabel update -i pilot_tracker/translations/messages.pot -d pilot_tracker/translations --no-fuzzy-matching --ignore-obsolete --width 100
	$(BIN)/pybabel compile -d pilot_tracker/translations --statistics

# The in-app guides' screenshots (pilot_tracker/static/help/) are made by a browser test from
# the demo data; this refreshes the committed ones (needs Chromium, like the browser tests).
help-screenshots: install-test
	HELP_SCREENSHOTS_DIR=pilot_tracker/static/help CHROMIUM_PATH=$${CHROMIUM_PATH:-/usr/bin/chromium} \
		$(BIN)/pytest -q -p no:xdist tests/e2e/test_help_screenshots_browser.py

# The review set (docs/screenshots/): the browser tests' screenshots of the changed pages in
# fi, sv and en and of the printed pages, as small JPEGs a reviewer can open without running
# anything; this runs the browser tests that take them, then copies the chosen ones.
review-screenshots: install-test
	CHROMIUM_PATH=$${CHROMIUM_PATH:-/usr/bin/chromium} \
		$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile -m e2e
	$(BIN)/python -m tests.e2e.review_set

# The dashboards' partial plotly.js bundle is committed (pilot_tracker/static/vendor/README.md),
# so nothing here needs Node.js. `make vendor-plotly` rebuilds it from package-lock.json alone,
# in a scratch directory; `make check-vendor` rebuilds it and fails unless it is byte-identical.
PLOTLY_BUNDLE := pilot_tracker/static/vendor/plotly-basic.min.js
PLOTLY_LICENSE := pilot_tracker/static/vendor/LICENSE.plotly.js.txt
NPM_SCRATCH := build/npm-vendor

define npm_vendor_build
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed to rebuild the bundle" >&2; exit 1; }
	rm -rf $(NPM_SCRATCH) && mkdir -p $(NPM_SCRATCH)
	cp package.json package-lock.json $(NPM_SCRATCH)/
	cd $(NPM_SCRATCH) && npm ci --omit=dev --no-audit --no-fund --ignore-scripts --loglevel=error
endef

vendor-plotly:
	$(npm_vendor_build)
	cp $(NPM_SCRATCH)/node_modules/plotly.js-basic-dist-min/plotly-basic.min.js $(PLOTLY_BUNDLE)
	cp $(NPM_SCRATCH)/node_modules/plotly.js-basic-dist-min/LICENSE $(PLOTLY_LICENSE)

check-vendor:
	$(npm_vendor_build)
	cmp $(NPM_SCRATCH)/node_modules/plotly.js-basic-dist-min/plotly-basic.min.js $(PLOTLY_BUNDLE)
	cmp $(NPM_SCRATCH)/node_modules/plotly.js-basic-dist-min/LICENSE $(PLOTLY_LICENSE)
	@echo "$(PLOTLY_BUNDLE) is byte-identical to the build from package-lock.json"

# Test-time tools from npm (package.json devDependencies): the Nu HTML checker (vnu-jar).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed for the test tools (vnu-jar)" >&2; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

test-tools: node_modules/.installed

# The dashboards' benchmark (bench/README.md): 10 000 pilots on SQLite, then on PostgreSQL.
BENCH_ARGS ?= --pilots 10000
bench: install
	$(BIN)/python -m bench.run --db sqlite $(BENCH_ARGS)
	$(BIN)/python -m bench.run --db postgresql $(BENCH_ARGS)

.PHONY: bench vendor-plotly check-vendor test-tools help-screenshots
