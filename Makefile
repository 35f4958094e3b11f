# The two commands a newcomer needs: `make run` and `make test`.
# Both create the virtual environment themselves and are safe to run again.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The second test pass talks to the machine's real services.
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/transfo
SERVICES_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run setup test test-embedded test-services messages browser demo clean bench faults lighthouse

run: setup
	$(BIN)/python manage.py load_demo
	@echo ""
	@echo "Transfo : http://$(HOST):$(PORT)/  (administration : http://$(HOST):$(PORT)/django-admin/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

setup: $(INSTALLED) messages
	@mkdir -p var
	$(BIN)/python manage.py migrate --no-input
# Photos stored by an older version keep only their pixels (silent when there is nothing to do).
	$(BIN)/python manage.py clean_stored_images --verbosity 0

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

# Compiled in Python (Babel) so no GNU gettext is needed on the machine.
messages: $(INSTALLED)
	$(BIN)/pybabel compile --domain=django --directory=locale --statistics

# Browser tests drive Debian's chromium, the proxy tests run Debian's nginx and the HTML check runs on
# Java; install them when we can (root), else those tests say they skip.
browser:
	@command -v chromium >/dev/null 2>&1 && { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } && command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium nginx-light default-jre-headless >/dev/null; \
	  else echo "chromium, nginx or java absent: browser, proxy and HTML tests will be skipped (apt-get install chromium nginx-light default-jre-headless)"; fi; }

test: $(INSTALLED) messages browser test-embedded test-services

test-embedded:
	@echo "== Tests on the embedded default (SQLite, eager tasks) =="
	$(BIN)/python -m pytest -m "not services"

test-services:
	@if $(BIN)/python -m common.services_check $(SERVICES_DATABASE_URL) $(SERVICES_REDIS_URL); then \
	  echo "== Tests against PostgreSQL and Redis =="; \
	  DATABASE_URL=$(SERVICES_DATABASE_URL) REDIS_URL=$(SERVICES_REDIS_URL) $(BIN)/python -m pytest; \
	elif [ -n "$$TRANSFO_REQUIRE_SERVICES" ]; then \
	  echo "PostgreSQL or Redis is not answering: the second test pass cannot run."; exit 1; \
	else \
	  echo "PostgreSQL or Redis is not answering: the pass against real services was not run."; \
	fi

# Fault tests: the app (gunicorn, Celery workers and beat) against a PostgreSQL, a Redis and a mail
# server of its own, on free loopback ports, that are stopped, restarted, hung or killed on purpose;
# each test prints what it did and saw (faults/). Needs the PostgreSQL server and redis-server
# installed; the machine's running services are never touched.
faults: $(INSTALLED) messages
	$(BIN)/python -m pytest -c faults/pytest.ini faults -s -p no:cacheprovider

# Throughput and latency of the main pages on PostgreSQL and Redis with the production settings, at
# S=1 (one Transfo) and S=100 (a national programme); figures in var/bench/. One scale:
# `make bench BENCH_SCALES=1`. wrk comes from Debian (installed here when we are root).
BENCH_SCALES ?= 1,100
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/14

bench: $(INSTALLED) messages
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "wrk is missing: apt-get install wrk"; exit 1; fi; }
	@$(BIN)/python -m common.services_check $(BENCH_DATABASE_URL) $(BENCH_REDIS_URL) || { \
	  echo "PostgreSQL or Redis is not answering: the benchmark needs both."; exit 1; }
	$(BIN)/python -m bench.run --scales $(BENCH_SCALES) --database-url $(BENCH_DATABASE_URL) --redis-url $(BENCH_REDIS_URL)

# Lighthouse as on a phone (mobile, slow 4G, 4× CPU, simulated) on My cases, a case page and the
# entry form, logged in as the demo ambassador, served like `make bench` serves (gunicorn, production
# settings, PostgreSQL and Redis) with the demo loaded; scores next to the targets, reports in
# var/lighthouse/. Google's lighthouse is installed there with npm on first use; needs chromium.
LIGHTHOUSE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/transfo_lighthouse
LIGHTHOUSE_REDIS_URL ?= redis://127.0.0.1:6379/13

lighthouse: $(INSTALLED) messages browser
	@$(BIN)/python -m common.services_check $(LIGHTHOUSE_DATABASE_URL) $(LIGHTHOUSE_REDIS_URL) || { \
	  echo "PostgreSQL or Redis is not answering: Lighthouse is run on both."; exit 1; }
	$(BIN)/python -m bench.lighthouse --database-url $(LIGHTHOUSE_DATABASE_URL) --redis-url $(LIGHTHOUSE_REDIS_URL)

demo: setup
	$(BIN)/python manage.py load_demo

clean:
	rm -rf $(VENV) var staticfiles
