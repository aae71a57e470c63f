# Peace & Security Workbook. `make briefings` and `make test` set up .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The project's Jupyter kernel (analysis.briefings.kernels.KERNEL_NAME): every notebook names it.
KERNEL := peace-security-workbook
KERNEL_DISPLAY := Python 3 (Peace & Security Workbook)

export MPLCONFIGDIR := $(CURDIR)/.cache/matplotlib
# Compiled modules, and pytest's rewritten test modules, kept under .cache/pycache (never beside
# the sources), even where the environment sets PYTHONDONTWRITEBYTECODE: each pytest process then
# collects in about half the time (docs/development.md).
export PYTHONPYCACHEPREFIX := $(CURDIR)/.cache/pycache
export PYTHONDONTWRITEBYTECODE :=
AXE    := .cache/node/node_modules/axe-core/axe.min.js

.PHONY: install briefings test test-fast coverage lab benchmark benchmark-scale draft-accuracy clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "$(KERNEL_DISPLAY)" >/dev/null
	@# Notebook outputs never reach a commit: nbstripout is the git filter that .gitattributes
	@# names for *.ipynb. The path is relative: git runs it from the checkout's top folder.
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  git config filter.nbstripout.clean "$(BIN)/python -m nbstripout --keep-id" && \
	  git config filter.nbstripout.smudge cat && \
	  git config diff.ipynb.textconv "$(BIN)/python -m nbstripout -t --keep-id"; fi
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the package with its dev extras

briefings: $(STAMP) ## build every default briefing into reports/: pages, PDFs, Word files, two-page notes, pack.pdf and pack.docx
	$(BIN)/briefings build --formats html,pdf,docx

test: $(STAMP) chromium libreoffice $(AXE) ## run the whole test suite (chromium, LibreOffice and axe-core installed first for the browser and Word tests)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --no-loadscope-reorder -q

test-fast: $(STAMP) ## the edit loop: every test but the slow and browser ones
	$(BIN)/python -m pytest -n 2 --dist loadgroup --no-loadscope-reorder -q -m "not slow and not browser"

coverage: $(STAMP) chromium $(AXE) ## the whole suite with line coverage of analysis/ (pytest-cov)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --no-loadscope-reorder -q --cov=analysis --cov-report=term:skip-covered

lab: $(STAMP) ## open JupyterLab on notebooks/ (the lessons with solutions hidden; see `make course`)
	$(BIN)/briefings lab notebooks

benchmark: $(STAMP) ## time the naive pipeline against `briefings build`
	$(BIN)/python benchmarks/build_speed.py

benchmark-scale: $(STAMP) ## N = 25..200 briefings: local pool vs a Dask cluster of the same size
	$(BIN)/python benchmarks/scale.py

draft-accuracy: $(STAMP) ## draft the seed chapter and print precision and recall against data/
	$(BIN)/python scripts/draft_accuracy.py

clean:
	[ ! -d reports ] || find reports -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +
	rm -rf .cache .pytest_cache

# --- browser, dashboard, course (issue #11) ------------------------------------------------------
DASHBOARD_PORT ?= 8866

.PHONY: chromium libreoffice dashboard course

libreoffice: ## install Debian's LibreOffice Writer (no GUI) and Liberation fonts (Arial's metrics) for the Word tests (root only; they skip without it)
	@if command -v soffice >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing libreoffice-writer-nogui (apt-get) for the Word tests"; \
	  apt-get update -q >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libreoffice-writer-nogui fonts-liberation >/dev/null \
	  || echo "LibreOffice could not be installed: the Word conversion test will skip"; \
	else echo "LibreOffice is missing and cannot be installed here (not root): the Word conversion test will skip"; fi

chromium: ## install Debian's chromium for the browser tests (root only; they skip without it)
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium (apt-get) for the browser tests"; \
	  apt-get update -q >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null \
	  || echo "chromium could not be installed: the browser tests will skip"; \
	else echo "chromium is missing and cannot be installed here (not root): the browser tests will skip"; fi

dashboard: $(STAMP) ## serve notebooks/explore.ipynb as a Voilà dashboard on 127.0.0.1:8866
	@$(BIN)/briefings dashboard --port $(DASHBOARD_PORT)

course: $(STAMP) ## write the student edition to course/ (once) and open JupyterLab on it
	@if [ -d course ] && [ -n "$$(ls -A course)" ]; then \
	  echo "course/ already holds the student edition (and any work in it): opening it as it is"; \
	else $(BIN)/briefings teach course || exit $$?; fi
	@$(BIN)/briefings lab course

$(AXE): ## axe-core (npm) for the accessibility tests
	npm install --prefix .cache/node --no-audit --no-fund --silent axe-core@4
