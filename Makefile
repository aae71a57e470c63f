# Peace & Security Workbook. `make briefings` and `make test` set up .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

export MPLCONFIGDIR := $(CURDIR)/.cache/matplotlib

.PHONY: install briefings test lab benchmark benchmark-scale clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (workbook)" >/dev/null
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the package with its dev extras

briefings: $(STAMP) ## build every default briefing into reports/
	$(BIN)/briefings build

test: $(STAMP) ## run the whole test suite
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

lab: $(STAMP) ## open JupyterLab on notebooks/ with the project's kernel
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

benchmark: $(STAMP) ## time the naive pipeline against `briefings build`
	$(BIN)/python benchmarks/build_speed.py

benchmark-scale: $(STAMP) ## N = 25..200 briefings: local pool vs a Dask cluster of the same size
	$(BIN)/python benchmarks/scale.py

clean:
	rm -rf reports .cache .pytest_cache
