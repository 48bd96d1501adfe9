# Two commands for a new user: `make run` and `make test`. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench lint messages clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m config.supervisor

# The suite keeps its embedded PostgreSQL and Redis under var/test, apart from `make run`'s data.
test: $(STAMP)
	HUBS_VAR_DIR=var/test $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	HUBS_VAR_DIR=var/bench $(PY) -m bench $(ONLY)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Regenerate the catalogues after changing user-facing strings, then translate and compile.
messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore='.venv/*' --ignore='var/*'
	$(PY) manage.py compilemessages --ignore='.venv/*'

clean:
	rm -rf $(VENV) var
