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

.PHONY: run setup test test-embedded test-services messages browser demo clean

run: setup
	$(BIN)/python manage.py load_demo
	@echo ""
	@echo "Transfo : http://$(HOST):$(PORT)/  (administration : http://$(HOST):$(PORT)/django-admin/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

setup: $(INSTALLED) messages
	@mkdir -p var
	$(BIN)/python manage.py migrate --no-input

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@

# Compiled in Python (Babel) so no GNU gettext is needed on the machine.
messages: $(INSTALLED)
	$(BIN)/pybabel compile --domain=django --directory=locale --statistics

# Browser tests drive Debian's chromium; install it when we can (root), else they say they skip.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium absent: browser tests will be skipped (apt-get install chromium)"; fi; }

test: $(INSTALLED) messages browser test-embedded test-services

test-embedded:
	@echo "== Tests on the embedded default (SQLite, eager tasks) =="
	$(BIN)/python -m pytest -m "not services"

test-services:
	@if $(BIN)/python -m transfo.services $(SERVICES_DATABASE_URL) $(SERVICES_REDIS_URL); then \
	  echo "== Tests against PostgreSQL and Redis =="; \
	  DATABASE_URL=$(SERVICES_DATABASE_URL) REDIS_URL=$(SERVICES_REDIS_URL) $(BIN)/python -m pytest; \
	elif [ -n "$$TRANSFO_REQUIRE_SERVICES" ]; then \
	  echo "PostgreSQL or Redis is not answering: the second test pass cannot run."; exit 1; \
	else \
	  echo "PostgreSQL or Redis is not answering: the pass against real services was not run."; \
	fi

demo: setup
	$(BIN)/python manage.py load_demo

clean:
	rm -rf $(VENV) var staticfiles
