# The two commands: `make run` (the demo on SQLite) and `make test` (every test).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test lint format install clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

# The scheduler (reminders, mail retries) runs beside the web server and is stopped when
# serve ends, however it ends (Ctrl-C included: a background job ignores SIGINT, so the trap
# stops it, after the message it is sending and the sweep in progress).
run: $(STAMP)
	MDT_DEMO=true MDT_MAIL_TRANSPORT=$${MDT_MAIL_TRANSPORT:-folder} $(BIN)/mdt db upgrade
	MDT_DEMO=true MDT_MAIL_TRANSPORT=$${MDT_MAIL_TRANSPORT:-folder} $(BIN)/mdt demo
	export MDT_DEMO=true MDT_MAIL_TRANSPORT=$${MDT_MAIL_TRANSPORT:-folder}; \
	$(BIN)/mdt scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/mdt serve

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest
	@if [ -n "$$MDT_TEST_DATABASE_URL" ]; then \
		echo "== the same suite on $$MDT_TEST_DATABASE_URL"; \
		MDT_TEST_BACKEND=postgresql $(BIN)/pytest; \
	else \
		echo "MDT_TEST_DATABASE_URL is not set: skipped the PostgreSQL run"; \
	fi

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) instance
