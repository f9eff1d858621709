# Every target creates the virtual environment from requirements.lock on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv demo test test-faults lint bench eval lock clean

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==0.13.8
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --config-settings editable_mode=compat -e .
	touch $(STAMP)

## The main job, offline, on the embedded default (SQLite under ./data).
demo: $(STAMP)
	$(BIN)/pledgewatch demo

## The whole test suite; PostgreSQL tests run when PLEDGEWATCH_TEST_PG_URL is set.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

## The fault matrix alone (tests/faults; also part of `make test`): ~5 minutes.
test-faults: $(STAMP)
	$(BIN)/python -m pytest tests/faults

lint: $(STAMP)
	$(BIN)/ruff check .

eval: $(STAMP)
	$(BIN)/pledgewatch eval

bench: $(STAMP)
	$(BIN)/python -m benchmarks

## Re-resolve the lock file after changing pyproject.toml.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --no-header --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) data .pytest_cache
