# The two commands of the quick start are `make run` and `make test`; both install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

export DEVHUB_ENV ?= development
export DEVHUB_ALLOW_PRIVATE_CALLBACKS ?= true

.PHONY: install test-tools run test test-postgres lint schema release-schema migrations bench codegen-check

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

WEB := devhub_gql/web
WEB_STAMP := $(WEB)/node_modules/.installed-$(shell cat $(WEB)/package-lock.json | cksum | cut -d' ' -f1)

## GraphiQL's browser libraries, pinned by package-lock.json, served by the service itself (never
## from a CDN). Without npm the service runs and says on /graphql's page how to install them.
$(WEB_STAMP): $(WEB)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix $(WEB) --ignore-scripts --no-audit --no-fund --loglevel=error \
	  && rm -f $(WEB)/node_modules/.installed-* && touch $(WEB_STAMP); \
	else echo "npm not found: GraphiQL's page will say it is not installed (the API works)"; fi

install: $(STAMP) $(WEB_STAMP)

TEST_TOOLS := chromium jq curl
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(TEST_TOOLS) >/dev/null 2>&1

## What some tests drive besides Python: Debian's Chromium (the consent page) and jq and curl (the
## API guide's shell steps). Installed where this user can (root with apt); else those tests skip.
test-tools:
	@{ command -v chromium && command -v jq && command -v curl; } >/dev/null 2>&1 \
	  || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	       && { $(APT_INSTALL) || { apt-get update -q >/dev/null 2>&1 && $(APT_INSTALL); }; }; } \
	  || echo "Could not install $(TEST_TOOLS): the tests that need them will be skipped"

## Install, apply migrations, seed the catalogues and serve on http://127.0.0.1:8000 (SQLite file).
run: install
	$(BIN)/devhub-gql migrate
	$(BIN)/devhub-gql serve

## Install the dev extras and run the whole suite (SQLite; PostgreSQL with DEVHUB_TEST_DATABASE_URL).
test: install test-tools
	$(BIN)/pytest -q

## The suite again on the local PostgreSQL server (in a scratch database dropped afterwards).
test-postgres: install test-tools
	DEVHUB_TEST_DATABASE_URL=$${DEVHUB_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/devhub_test} $(BIN)/pytest -q

## ruff, then mypy (strict for devhub_gql/domain and devhub_gql/models; see pyproject.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Regenerate the committed contracts after changing a schema.
schema: install
	$(BIN)/devhub-gql export-schema > schema.graphql
	$(BIN)/devhub-gql export-schema --backoffice > backoffice/schema.graphql
	$(BIN)/devhub-gql export-schema --manifest > schema/app-manifest.v1.json

## Record the committed contracts as released under pyproject's version (see schema/released/).
release-schema: install
	$(BIN)/python -m tests.contract.releases

## Write a migration for model changes.
migrations: install
	DATABASE_URL=sqlite://:memory: $(BIN)/tortoise -c devhub_gql.db.TORTOISE_ORM makemigrations

## Benchmarks (not tests): both sizes on SQLite, then on PostgreSQL with two workers. The bench extra
## holds the Authlib peer's libraries (Authlib, SQLAlchemy, psycopg).
bench: install
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	$(BIN)/python -m bench.run --size both
	$(BIN)/python -m bench.run --size both --database postgres --workers 2

## Generate the typed TypeScript client from schema.graphql and type-check it (needs npm). The pinned
## tools are installed only when node_modules is missing or older than the lock file (npm ci writes
## node_modules/.package-lock.json last, so an install that failed halfway is retried).
codegen-check: clients/typescript/node_modules/.package-lock.json
	cd clients/typescript && npm run --silent check

clients/typescript/node_modules/.package-lock.json: clients/typescript/package-lock.json
	cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error
