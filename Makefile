# Pickup: two commands on a fresh machine.  `make demo` fills the example project,
# `make test` runs lint, the layering contract and the test suite.  Each creates .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export QT_QPA_PLATFORM ?= offscreen

.PHONY: venv demo test lint typecheck bench clean

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/make_example.py examples/project
	$(BIN)/pickup fill examples/project/farmhouse.otio --provider previz -o examples/project/out/farmhouse.filled.otio --sheet examples/project/out/contact_sheet.png

lint: $(STAMP)
	$(BIN)/ruff check plugin ui otio_adapters tests bench examples
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/pyright

test: lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info examples/project
