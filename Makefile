# Pickup: two commands on a fresh machine.  `make demo` fills the example project,
# `make test` runs lint, the layering contract and the test suite.  Each creates .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export QT_QPA_PLATFORM ?= offscreen

.PHONY: venv demo test lint typecheck bench clean import-tree

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/make_example.py examples/project
	$(BIN)/pickup fill examples/project/farmhouse.otio --provider previz -o examples/project/out/farmhouse.filled.otio --sheet examples/project/out/contact_sheet.png

# import-linter and pyright cannot follow setuptools' package-dir mapping of an editable
# install, so they read a tree of symlinks shaped like the installed package (rebuilt
# every run, so new modules are always seen).
IMPORT_TREE := build/import-tree
import-tree:
	rm -rf $(IMPORT_TREE) && mkdir -p $(IMPORT_TREE)/pickup
	for f in plugin/*; do ln -s "$(CURDIR)/$$f" $(IMPORT_TREE)/pickup/; done
	ln -s "$(CURDIR)/ui" $(IMPORT_TREE)/pickup/ui
	ln -s "$(CURDIR)/otio_adapters" $(IMPORT_TREE)/pickup/otio_adapters

lint: $(STAMP) import-tree
	$(BIN)/ruff check plugin ui otio_adapters tests bench examples
	cd $(IMPORT_TREE) && PYTHONPATH=. $(CURDIR)/$(BIN)/lint-imports --config $(CURDIR)/pyproject.toml

typecheck: $(STAMP) import-tree
	$(BIN)/pyright

test: lint typecheck
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info examples/project
