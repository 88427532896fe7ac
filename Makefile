# Covenant: `make run` serves the demo estate, `make test` runs the tests.
# Only Python >= 3.12 is needed on the machine; everything else goes into .venv.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --quiet
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# The first Python >= 3.12 found: python3 (pyenv reads .python-version), then named ones.
PYTHON := $(shell for candidate in python3 python3.14 python3.13 python3.12; do \
	command -v $$candidate >/dev/null 2>&1 && \
	$$candidate -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null && \
	{ echo $$candidate; break; }; done)

# The embedded run leaves out the tests that need a server that is not configured.
PYTEST_MARKERS := $(strip $(if $(DATABASE_URL),,not postgres) \
	$(if $(or $(DATABASE_URL),$(REDIS_URL)),,and) $(if $(REDIS_URL),,not redis))
ifeq ($(PYTEST_MARKERS),)
PYTEST_SELECT :=
else
PYTEST_SELECT := -m "$(patsubst and %,%,$(PYTEST_MARKERS))"
endif

.PHONY: help run test lint check messages messages-check python-check clean

help:
	@echo "make run    set up .venv, migrate, seed the demo estate once, serve on http://$(HOST):$(PORT)"
	@echo "make test   install the test tools and run the whole suite"
	@echo "make lint   ruff check and format check, and the import contracts (lint-imports)"
	@echo "make check  Django's system checks, deploy checks and migrations check"
	@echo "make messages  refresh and compile the zh_Hans and en catalogs (needs gettext)"
	@echo "make messages-check  fail if a translatable string is missing from the catalogs"

python-check:
	@if [ -z "$(PYTHON)" ]; then \
		echo "Covenant needs Python 3.12 or newer (Django 6.1). None was found as python3, python3.12, python3.13 or python3.14."; \
		echo "Install one (e.g. 'pyenv install 3.13', then this folder's .python-version selects it) and try again."; \
		exit 1; fi

$(VENV)/.installed-runtime: requirements.txt | python-check
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | python-check
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-runtime

.env:
	@echo "# Local development settings; see README.md for every variable." > .env
	@echo "DEBUG=true" >> .env
	@echo "Wrote .env with DEBUG=true for local development."

run: $(VENV)/.installed-runtime .env
	$(MANAGE) migrate --no-input
	$(MANAGE) seed_demo --once
	$(MANAGE) runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev
	$(PY) -m pytest $(PYTEST_SELECT) $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

check: $(VENV)/.installed-dev
	DEBUG=true $(MANAGE) check
	DEBUG=false SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" ALLOWED_HOSTS=covenant.example.org EMAIL_URL=smtp+tls://covenant@smtp.example.org:587 \
		$(MANAGE) check --deploy --fail-level WARNING
	DEBUG=true $(MANAGE) makemigrations --check --dry-run

MAKEMESSAGES := DEBUG=true $(MANAGE) makemessages -l zh_Hans -l en --no-obsolete --add-location=file \
	--ignore=.venv --ignore=staticfiles --ignore=artifacts --ignore=docs

messages: $(VENV)/.installed-dev
	$(MAKEMESSAGES)
	DEBUG=true $(MANAGE) compilemessages --ignore=.venv

# Fails when a user-visible string is missing from the committed catalogs.
messages-check: $(VENV)/.installed-dev
	$(MAKEMESSAGES) >/dev/null
	@git diff --exit-code -I '^"POT-Creation-Date' -- locale/ || \
		{ echo "The catalogs are out of date: run 'make messages', translate, and commit locale/."; exit 1; }

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
