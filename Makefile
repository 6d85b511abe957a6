# `make run` and `make test` do everything on a fresh machine; see README.md.
SHELL := /bin/bash
VENV := .venv
VPY := $(VENV)/bin/python
PORT ?= 8000

# The first Python >= 3.12 found: on PATH, then pyenv's installs.
PYTHON ?= $(shell for p in python3.13 python3.12 python3 \
	$$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 /root/.pyenv/versions/3.1[2-9]*/bin/python3 \
	/usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do \
	  "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo "$$p"; break; }; \
	done)

PYTEST := $(VPY) -m pytest
SQLITE_ARGS := -m "not postgres"
# The parser (tests/plan) never touches a database and the browser tests exercise pages, not
# SQL: both run once, on SQLite; so do the tests of SQLite itself (marked sqlite).
POSTGRES_ARGS := -m "not browser and not sqlite" --ignore=tests/plan

.PHONY: run test lint test-sqlite test-postgres bench fixtures messages clean

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Python 3.12 or newer is needed (Django 6 does not install on older ones)."; \
	  echo "Found: $$(python3 --version 2>&1). Install 3.12, or run: make PYTHON=/path/to/python3.12"; \
	  exit 1; fi
	@echo "== creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade "pip>=25.1"
	$(VPY) -m pip install -q --group test
	@touch $@

run: $(VENV)/.installed
	$(VPY) manage.py migrate --noinput
	$(VPY) manage.py bootstrap
	@echo "== serving on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(VPY) manage.py runserver 127.0.0.1:$(PORT)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VPY) manage.py makemigrations --check --dry-run

test-sqlite: $(VENV)/.installed
	@echo "== pytest on SQLite"
	env -u DATABASE_URL $(PYTEST) $(SQLITE_ARGS) $(ARGS)

test-postgres: $(VENV)/.installed
	@echo "== pytest on PostgreSQL"
	.ci/with-postgres $(PYTEST) $(POSTGRES_ARGS) $(ARGS)

# The SQLite and the PostgreSQL runs share nothing (each has its own test database and media
# folder), so they run side by side, each printing its output when it ends.
test: lint
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

# The parser's benchmark (docs/benchmarks.md), then the pages at province scale on SQLite and
# PostgreSQL in throw-away databases (docs/bench.md; about 20 minutes on 2 cores). Check
# `uptime` first: bench_pages waits for a quiet machine. BENCH_BEFORE=<commit> measures that
# commit's code as "before"; BENCH_ONLY=sqlite|postgresql one database.
bench: $(VENV)/.installed
	$(VPY) -m plan.bench
	BENCH_BEFORE="$(BENCH_BEFORE)" BENCH_ONLY="$(BENCH_ONLY)" .ci/bench-pages

# Regenerate the committed fixture from seeds/, in a throw-away database so the result
# never depends on what a developer's own database holds.
fixtures: $(VENV)/.installed
	@db=$$(mktemp -d)/fixtures.sqlite3; \
	env -u DATABASE_URL SQLITE_PATH=$$db $(VPY) manage.py migrate -v0 && \
	env -u DATABASE_URL SQLITE_PATH=$$db $(VPY) manage.py import_plan seeds/000_b4e0627ec94ce713.txt \
	  --review seeds/liaocheng-express-2024.review.toml --dry-run \
	  --fixture fixtures/liaocheng-express-2024.json >/dev/null; \
	status=$$?; rm -rf "$$(dirname $$db)"; exit $$status

messages: $(VENV)/.installed
	cd tracker && ../$(VPY) ../manage.py makemessages -l en --no-obsolete && ../$(VPY) ../manage.py compilemessages

clean:
	rm -rf $(VENV) db.sqlite3* staticfiles .pytest_cache .ruff_cache
