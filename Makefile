# The two commands of the README, and the steps they are made of.
#   make book   build the whole book (environment, data, executed chapters, HTML and PDF)
#   make test   run the test suite (environment and data included)
# Both create or update the project's virtual environment on first use.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell sha256sum requirements.lock | cut -c1-12)

# Data and the results cache live in the repository whatever the working directory of a
# notebook's kernel: papermill and Jupyter start kernels elsewhere.
export PYTORCH_DATA_DIR ?= $(CURDIR)/data
export PAIRLIB_CACHE_DIR ?= $(CURDIR)/.cache/runs
export PYTHONUNBUFFERED := 1

.PHONY: book test test-fast venv data tex browser lint bench references check-full clean

book: venv data tex
	$(PY) -m pairlib.build

# The committed notebooks are rendered first, HTML and PDF (about a minute, no execution), so
# that tests/test_html.py loads the pages a reader gets, PDF link included, instead of skipping.
test: venv data tex browser
	$(PY) -m ruff check .
	$(PY) -m pairlib.build --no-execute
	$(PY) -m pytest

# The fast lane while editing (under a minute): no training runs, no notebook executions.
test-fast: venv data
	$(PY) -m ruff check .
	$(PY) -m pytest -m "not slow"

# The browser test (tests/test_html.py) reads the built HTML in headless Chromium. Like the
# TeX packages of the PDF, Chromium is installed with apt-get when this runs as root;
# elsewhere the test skips and says what to install.
BROWSER_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
		|| { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
			&& { $(BROWSER_INSTALL) >/dev/null 2>&1 || { apt-get update -qq && $(BROWSER_INSTALL) >/dev/null; }; }; } \
		|| echo "make: no Chromium (apt-get install chromium): tests/test_html.py will skip"

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "pairlib needs Python 3.11, found " + sys.version' \
		|| { echo "make: set PYTHON=python3.11 (the lock file is resolved for Python 3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock > $(VENV)/pip.log 2>&1 \
		|| { grep -v "^WARNING: Location" $(VENV)/pip.log; echo "make: installing requirements.lock failed"; exit 1; }
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-* && touch $@

data: venv
	$(PY) -m pairlib.data

# The TeX packages the PDF needs (Debian's; about 90 MB): installed when run as root with
# apt-get, otherwise named (the build then stops with the same one-line message).
tex: venv
	@pkgs="$$($(PY) -m pairlib.build --tex-packages)"; \
	if [ -z "$$pkgs" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "make: installing TeX packages: $$pkgs"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq --no-install-recommends $$pkgs >/dev/null 2>&1 \
			|| { apt-get update -qq && apt-get install -y -qq --no-install-recommends $$pkgs >/dev/null; }; \
	else \
		echo "make: the PDF needs: sudo apt-get install -y --no-install-recommends $$pkgs"; \
	fi

lint: venv
	$(PY) -m ruff check .

# The quick reference notebooks CI re-executes with nbval (after changing a chapter).
references: venv data
	$(PY) -m pairlib.regression

# The full regression check: re-execute every published chapter and compare its checked
# outputs with the committed ones (about as long as building the book from a cold cache).
check-full: venv data
	PAIRLIB_CACHE_DIR=off $(PY) -m pytest notebooks book/summary.ipynb

bench: venv data
	$(PY) scripts/benchmark.py

clean:
	rm -rf _build .cache
