# Two commands for a new user: `make run` and `make test`. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast browser bench lint messages clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m config.supervisor

# The suite keeps its embedded PostgreSQL and Redis under var/test, apart from `make run`'s data.
test: $(STAMP) browser
	HUBS_VAR_DIR=var/test $(PY) -m pytest $(PYTEST_ARGS)

# The inner loop while developing: everything but the browser tests and `make run` end to end.
test-fast: $(STAMP)
	HUBS_VAR_DIR=var/test $(PY) -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

# tests/browser drive Debian's chromium through Playwright (which never downloads a browser of its own here);
# a Chinese font makes their screenshots legible. Installed with apt as root or through sudo; otherwise the
# browser tests fail, saying how to install chromium.
BROWSER_PACKAGES := chromium fontconfig fonts-wqy-microhei
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	  else echo "*** Not root and no sudo: run 'apt-get install $(BROWSER_PACKAGES)' as root. Without" \
	    "/usr/bin/chromium the browser tests (tests/browser) fail; without the font, their screenshots show boxes." >&2; \
	    exit 0; fi; \
	  if ! command -v apt-get >/dev/null 2>&1; then \
	    echo "*** No apt-get: install chromium at /usr/bin/chromium (and a Chinese font)," \
	      "or the browser tests (tests/browser) will fail." >&2; exit 0; fi; \
	  echo "Installing $(BROWSER_PACKAGES) for the browser tests..."; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES); }

bench: $(STAMP)
	HUBS_VAR_DIR=var/bench $(PY) -m bench $(ONLY)

# Style, then the layers and the forbidden directions between packages (pyproject.toml, [tool.importlinter]).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

# Regenerate the catalogues after changing user-facing strings, then translate and compile.
messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore='.venv/*' --ignore='var/*'
	$(PY) manage.py compilemessages --ignore='.venv/*'

clean:
	rm -rf $(VENV) var
