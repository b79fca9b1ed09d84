# jineng — two commands: `make demo` and `make test`. Everything else is here for them.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_WORKERS ?= 5000
export JINENG_VAR_DIR ?= $(CURDIR)/var

.PHONY: media demo test setup browser lint typecheck check pytest messages bench bench-pg clean

$(BIN)/uv:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet "uv==$(UV_VERSION)"

# Install exactly what uv.lock pins. The demo needs only the runtime dependencies (~400 MB);
# the suite adds the dev tools. --inexact: a demo after a test run keeps the dev tools.
$(VENV)/.synced-runtime: $(BIN)/uv pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --inexact --python $(BIN)/python
	touch $@

$(VENV)/.synced: $(BIN)/uv pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --extra dev --python $(BIN)/python
	touch $@ $(VENV)/.synced-runtime

setup: $(VENV)/.synced

# Debian packages the platform uses at run time: ffmpeg (the demo city's lesson videos; the fake
# camera of the browser tests), fonts-noto-cjk (Chinese in PDFs) and gettext (compilemessages for
# the English pages; the compiled .mo files are committed too, so English works without it).
APT_INSTALL = if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; \
	  else sudo apt-get install -y -qq $(1) >/dev/null; fi
media:
	@{ command -v ffmpeg >/dev/null && command -v msgfmt >/dev/null && [ -d /usr/share/fonts/opentype/noto ]; } \
	  || { $(call APT_INSTALL,ffmpeg fonts-noto-cjk gettext); }

# Debian's chromium for the Playwright browser tests (Playwright's own download is not used).
browser: media
	@command -v chromium >/dev/null || { $(call APT_INSTALL,chromium fonts-noto-cjk); }

# DEBUG is off (the Chinese error pages, no URL patterns shown); JINENG_DEBUG=1 make demo turns it
# on. Static files are collected and served by WhiteNoise, as in production.
demo: $(VENV)/.synced-runtime media
	$(BIN)/jineng migrate --noinput
	$(BIN)/jineng load_reference
	$(BIN)/jineng demo_setup --workers $(DEMO_WORKERS)
	$(BIN)/jineng compilemessages --ignore=.venv >/dev/null 2>&1 || true
	$(BIN)/jineng collectstatic --noinput -v 0
	$(BIN)/jineng runserver --noreload $(HOST):$(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy jineng config

check: setup
	$(BIN)/jineng makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.django.production JINENG_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
	  JINENG_FIELD_KEY=ci-field-key JINENG_ALLOWED_HOSTS=jineng.example.gov.cn \
	  $(BIN)/jineng check --deploy --fail-level WARNING

pytest: setup browser
	$(BIN)/pytest -n 2 -q

test: lint typecheck check pytest

# The English catalogues: jineng/locale (settings.LOCALE_PATHS: the domain apps' strings),
# jineng/web/locale and jineng/api/locale. Extract every translatable string into them, translate
# each new or fuzzy entry (jineng/web/tests/test_english.py fails until none is left), run this
# again to compile, and commit the .po and .mo files.
messages: setup media
	$(BIN)/jineng makemessages -l en --ignore=.venv --ignore=var --ignore=bench --no-obsolete
	$(BIN)/jineng compilemessages --ignore=.venv

# The in-memory benchmarks (explain on a fresh SQLite file of its own, deleted at the end).
bench: setup
	$(BIN)/python bench/bench_policy.py
	$(BIN)/python bench/bench_explain_api.py --database-url sqlite://
	$(BIN)/python bench/bench_course_search.py --database-url sqlite:// --courses 10000

# The PostgreSQL set, small sizes (16 min on 2 busy cores; docs/benchmarks.md has the full sizes):
# each benchmark creates a database of its own on BENCH_PG_URL's server and drops only that one.
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
bench-pg: setup
	$(BIN)/python bench/bench_seed_city.py --database-url $(BENCH_PG_URL) --workers 100000
	$(BIN)/python bench/bench_id_search.py --database-url $(BENCH_PG_URL) --workers 100000
	$(BIN)/python bench/bench_load_population.py --database-url $(BENCH_PG_URL) --workers 100000
	$(BIN)/python bench/bench_audit_lock.py --database-url $(BENCH_PG_URL) --rows 30000
	$(BIN)/python bench/bench_explain_api.py --database-url $(BENCH_PG_URL)
	$(BIN)/python bench/bench_course_search.py --database-url $(BENCH_PG_URL) --courses 30000
	$(BIN)/python bench/bench_learning_heartbeats.py --database-url $(BENCH_PG_URL) --seconds 15
	$(BIN)/python bench/bench_payout_batch.py --database-url $(BENCH_PG_URL) --lines 10000

clean:
	rm -rf $(VENV) var
