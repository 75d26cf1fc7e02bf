# Lägesbild: `make run` sets everything up and serves the demo; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Empty: PostgreSQL on 127.0.0.1:5432 when reachable, else SQLite. DB=sqlite or DB=postgres forces one.
DB ?=
PG_URL ?= postgres://postgres@127.0.0.1:5432/lagesbild
CHROMIUM ?= /usr/bin/chromium

.PHONY: run install test lint fmt check migrate demo vendor vendor-check lock browser-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

# The background worker (analysis runs; db_worker with a heartbeat) starts beside the web
# server and stops with it; at low priority, so reports keep their speed while a picture is
# recomputed. The demo is served on plain http, so HTTPS=false (production keeps the secure
# default: docs/operations.md).
# Prometheus counts of gunicorn's processes are added up from files in a directory emptied
# at each start (PROMETHEUS_MULTIPROC_DIR); /metrics is open to this machine only.
# OPENBLAS_NUM_THREADS=1 for both: each gunicorn thread's numpy would otherwise start a math
# thread per core, and on a loaded server a 0.1 s evaluation took up to 30 s (docs/benchmarks.md).
# KEEPALIVE (seconds, --keep-alive): the default 2 s closes a kept-alive connection just as a client
# (or a proxy) reuses it, which the client sees as a connection reset (docs/benchmarks.md).
METRICS_DIR ?= var/prometheus-$(PORT)
KEEPALIVE ?= 75
run: demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Lägesbild körs på http://$(HOST):$(PORT)/ (avsluta med Ctrl+C)"
	rm -rf $(METRICS_DIR) && mkdir -p $(METRICS_DIR)
	OPENBLAS_NUM_THREADS=1 nice -n 19 $(BIN)/python manage.py worker --interval 2 --no-startup-delay & \
	worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	OPENBLAS_NUM_THREADS=1 HTTPS=$${HTTPS:-false} PROMETHEUS_MULTIPROC_DIR=$(abspath $(METRICS_DIR)) \
	METRICS_ALLOWED_IPS=$${METRICS_ALLOWED_IPS-127.0.0.1,::1} \
	$(BIN)/gunicorn lagesbild.wsgi --bind $(HOST):$(PORT) --workers 3 --threads 4 \
		--keep-alive $(KEEPALIVE) --access-logfile - --graceful-timeout 5

# Debian's Chromium for the browser tests; skipped quietly where we cannot install packages.
browser-deps:
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests"; \
		(apt-get install -y -q chromium >/dev/null 2>&1 || \
		 (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)) || \
		echo "chromium could not be installed: browser tests will be skipped"; \
	fi

check: install
	TESTING=1 $(BIN)/python manage.py check --fail-level WARNING
	TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: check browser-deps
	@url="$(PG_URL)"; \
	if [ "$(DB)" = sqlite ] || { [ -z "$(DB)" ] && ! $(BIN)/python scripts/pg_reachable.py "$$url"; }; then url=""; fi; \
	if [ -n "$$url" ]; then echo "== tests on PostgreSQL ($$url)"; else echo "== tests on SQLite"; fi; \
	TESTING=1 DATABASE_URL="$$url" CHROMIUM="$(CHROMIUM)" OPENBLAS_NUM_THREADS=1 \
		$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: check

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

vendor:
	scripts/vendor.sh

vendor-check:
	scripts/vendor.sh --check

# Re-resolve the pins in constraints.txt from the ranges in pyproject.toml.
lock:
	rm -rf /tmp/lagesbild-lock && $(PYTHON) -m venv /tmp/lagesbild-lock
	/tmp/lagesbild-lock/bin/pip install --quiet --upgrade pip
	/tmp/lagesbild-lock/bin/pip install --quiet -e '.[test]'
	/tmp/lagesbild-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) var node_modules
