# Zhengdong target tracker. `make run` then `make test`; see README.md.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
BENCH_ARGS ?=
# The demo's fixed "today" (the last day of the demo figures); the product's clock reads it.
DEMO_TODAY ?= 2021-11-19
# Test processes (pytest-xdist); 0 runs the suite in one process.
TEST_WORKERS ?= 2

.PHONY: run setup test test-pg lint format bench worker beat serve load clean-demo

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.installed

run: setup
	DEMO_TODAY=$(DEMO_TODAY) $(PY) manage.py demo_setup --url http://$(HOST):$(PORT)/
	DEMO_TODAY=$(DEMO_TODAY) $(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-pg: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/zhengdong} $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: setup
	$(PY) manage.py bench $(BENCH_ARGS)

worker: setup
	$(VENV)/bin/celery -A zhengdong worker --loglevel=info --concurrency=2 -Q celery

beat: setup
	$(VENV)/bin/celery -A zhengdong beat --loglevel=info --pidfile=

# Start the demo over: delete its SQLite database (asks first; CLEAN_DEMO_ARGS=--noinput
# does not); the next `make run` builds it afresh. A PostgreSQL DATABASE_URL is refused.
# No `setup` first: it deletes, it installs nothing.
CLEAN_DEMO_ARGS ?=
clean-demo:
	$(PY) manage.py clean_demo $(CLEAN_DEMO_ARGS)

# Production mode in one command (README, "Production mode"): migrate, collect static
# files, then web, worker, rebuild worker and beat from the Procfile under honcho.
serve: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v 0
	$(VENV)/bin/honcho start -f Procfile -p $(PORT)

# 50 users for 60 s against production mode on 127.0.0.1, started and stopped here
# (targets/bench/load.py): a throw-away PostgreSQL database, gunicorn 2 workers, a Celery worker.
load: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/zhengdong} $(PY) targets/bench/load.py
