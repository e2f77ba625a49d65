# Attunement — every set-up step lives here, so a fresh machine needs only `make demo` and `make test`.
SHELL := /bin/sh
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Workers for the test suite: one per core unless told otherwise (PYTEST_WORKERS=0 runs in one process).
PYTEST_WORKERS ?= auto
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve test test-postgres lint format bench messages clean help

help:
	@echo "make demo    - set up everything, load the demo association and serve it on http://$(HOST):$(PORT)/"
	@echo "make test    - run the whole test suite (SQLite; set DATABASE_URL for PostgreSQL)"
	@echo "make lint    - ruff, mypy and the migrations check"
	@echo "make bench   - print benchmark figures"
	@echo "make install - create $(VENV) and install the locked dependencies"

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@set -e; \
	if [ ! -x "$(PY)" ]; then \
	  interp=$$(scripts/find-python); \
	  echo "Creating $(VENV) with $$interp"; \
	  "$$interp" -m venv "$(VENV)"; \
	fi; \
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock; \
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .; \
	touch $(STAMP)

# The server and, beside it, a worker for background tasks (mail, including sign-in codes, is
# printed by the worker); stopping make stops both.
RUN_SERVER_AND_WORKER = DEBUG=true $(VENV)/bin/attunement worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=true $(VENV)/bin/attunement runserver $(HOST):$(PORT)

demo: $(STAMP)
	DEBUG=true $(VENV)/bin/attunement migrate --no-input
	DEBUG=true $(VENV)/bin/attunement load_demo
	@$(RUN_SERVER_AND_WORKER)

serve: $(STAMP)
	@$(RUN_SERVER_AND_WORKER)

test: $(STAMP)
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/attunement} $(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/attunement makemigrations --check --dry-run

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)
	$(PY) -m attunement.bench $(BENCH_ARGS)

messages: $(STAMP)
	cd attunement && ../$(VENV)/bin/attunement makemessages -l es --no-obsolete
	cd attunement && ../$(VENV)/bin/attunement compilemessages

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
