# The two commands of the README, and the steps they are made of.
#   make book   build the whole book (environment, data, executed chapters, HTML and PDF)
#   make test   run the test suite (environment and data included)
# Both create or update the project's virtual environment on first use.

PYTHON ?= python3
# The oldest Python the lock installs on (soupsieve asks for 3.11.5; tests/test_environment.py
# checks this against every locked package's Requires-Python) and the series it is resolved for.
PYTHON_FLOOR := 3.11.5
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell sha256sum requirements.lock | cut -c1-12)

# Data and the results cache live in the repository whatever the working directory of a
# notebook's kernel: papermill and Jupyter start kernels elsewhere.
export PYTORCH_DATA_DIR ?= $(CURDIR)/data
export PAIRLIB_CACHE_DIR ?= $(CURDIR)/.cache/runs
export PYTHONUNBUFFERED := 1

.PHONY: help book test test-fast venv data tex browser lint bench references reproduce golden clean

help:
	@echo "make book        build the book (HTML and PDF); executes only chapters whose sources changed"
	@echo "make test        lint, unit tests, golden runs and the notebooks' regression checks (CI)"
	@echo "make test-fast   the tests that train nothing and execute no notebook (under a minute)"
	@echo "make reproduce   re-execute every chapter from an empty cache and report what changed"
	@echo "make bench       the machine's speed figures (one run, parallel schemes, numerics modes)"
	@echo "make references  remake the quick reference notebooks of the regression check"
	@echo "make golden      record this processor's golden-run hashes (pairlib/golden.py)"
	@echo "make data        provision MNIST offline;  make venv: the environment;  make clean"
	@echo "Variables: PYTHON (an interpreter of Python $(PYTHON_FLOOR) to 3.11.x), PAIRLIB_WORKERS,"
	@echo "PAIRLIB_CACHE_DIR, PAIRLIB_SCHEDULER, PYTORCH_DATA_DIR (see README.md)"

book: venv data tex
	$(PY) -m pairlib.build

# The committed notebooks are rendered first, HTML and PDF (about a minute, no execution), so
# that tests/test_html.py loads the pages a reader gets, PDF link included, instead of skipping.
# Without TeX (no root to install it) the render is skipped, saying so, and the tests of the
# rendered book skip too; everything else runs.
test: venv data tex browser
	$(PY) -m ruff check .
	@missing="$$($(PY) -m pairlib.build --tex-packages)"; \
	if [ -z "$$missing" ]; then $(PY) -m pairlib.build --no-execute; \
	else echo "make: no render without TeX ($$missing): the tests of the rendered book will skip"; fi
	$(PY) -m pytest --nbval-lax

# The fast lane while editing (under a minute): no training runs, no notebook executions.
test-fast: venv data
	$(PY) -m ruff check .
	$(PY) -m pytest -m "not slow"

# The browser test (tests/test_html.py) reads the built HTML in headless Chromium, and
# tests/test_pdf.py the PDF with poppler's tools. Like the TeX packages of the PDF, they are
# installed with apt-get when this runs as root; elsewhere those tests skip and say what to install.
BROWSER_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium poppler-utils
browser:
	@{ command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; } && command -v pdftotext >/dev/null 2>&1 \
		|| { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
			&& { $(BROWSER_INSTALL) >/dev/null 2>&1 || { apt-get update -qq && $(BROWSER_INSTALL) >/dev/null; }; }; } \
		|| echo "make: no Chromium or poppler-utils (apt-get install chromium poppler-utils): the HTML and PDF tests will skip"

venv: $(STAMP)

# A Python of the lock's series and at least its floor; a venv made by another (an earlier
# failed try with a too old one) is recreated, never reused.
PYTHON_OK = -c 'import sys; f = tuple(map(int, "$(PYTHON_FLOOR)".split("."))); sys.exit(not (f <= sys.version_info[:3] and sys.version_info[:2] == f[:2]))'

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) $(PYTHON_OK) 2>/dev/null || { echo "make: pairlib needs Python $(PYTHON_FLOOR) or a later 3.11 (the lock's floor); $(PYTHON) is $$($(PYTHON) -V 2>&1): run make PYTHON=/path/to/python3.11"; exit 1; }
	@$(PY) $(PYTHON_OK) 2>/dev/null && [ "$$($(PY) -V 2>&1)" = "$$($(PYTHON) -V 2>&1)" ] || $(PYTHON) -m venv --clear $(VENV)
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

# The full reproduction: every chapter re-executed from an empty results cache, then a report
# of every results table against the committed one (exit 1 when a verdict changed).
reproduce: venv data
	$(PY) -m pairlib.reproduce

golden: venv data
	$(PY) -m pairlib.golden --record

bench: venv data
	$(PY) scripts/benchmark.py

clean:
	rm -rf _build .cache
