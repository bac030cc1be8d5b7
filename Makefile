# citybase: `make run` serves the platform on SQLite; `make test` runs the whole suite.
VENV ?= .venv
PYTHON ?= python3

.PHONY: run test install

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: $(VENV)/.installed
	$(VENV)/bin/citybase serve

test:
	bash scripts/test.sh
