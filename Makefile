# Two commands set everything up and run: `make demo` (the main job) and `make test`.
# Both create or reuse a virtual environment in .venv with the pinned, tested set.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.nengo-lmu-installed
PLOT ?= plots/demo.png
PYTEST_ARGS ?=
# pytest-xdist workers for `make test`: the pinned suite takes about 5.5 minutes on
# 2 workers and over 9 in one process on a 2-core machine (PYTEST_WORKERS=0: one process)
PYTEST_WORKERS ?= 2

CORE_VENV ?= .venv-core
CORE_BIN := $(CORE_VENV)/bin
CORE_STAMP := $(CORE_VENV)/.nengo-lmu-installed

NIR_VENV ?= .venv-nir
NIR_FILE ?= plots/nir/memory.nir

.PHONY: install demo test test-slow test-core bench docs dist-check clean nir-check

# Each environment keeps nengo's decoder cache in a folder of its own (its nengo's
# system nengorc says where): decoders cached under another numpy cannot be read back
# (`No module named 'numpy._core'`), and the two stacks have different numpys.
OWN_CACHE = import pathlib, sys, nengo.utils.paths as p; rc = p.nengorc['system']; \
	rc.parent.mkdir(parents=True, exist_ok=True); \
	rc.write_text('[decoder_cache]\npath = ' + str(pathlib.Path(sys.prefix) / 'nengo-decoder-cache') + '\n')

install: $(STAMP) $(VENV)/.own-decoder-cache

$(VENV)/.own-decoder-cache: $(STAMP)
	$(BIN)/python -c "$(OWN_CACHE)"
	touch $@

$(STAMP): requirements-pinned.txt requirements-bench.txt requirements-nir.txt requirements-gui.txt setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23" "setuptools>=64" wheel
	$(BIN)/python -m pip install --quiet -r requirements-pinned.txt
	# KerasLMU, the baseline of 'nengo-lmu bench keras-lmu', so its tests run too
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	# nir, the NIR extra, so the export's tests run too
	$(BIN)/python -m pip install --quiet -r requirements-nir.txt
	# nengo-gui and selenium, the GUI extra and its browser test (Chromium: .ci/run)
	$(BIN)/python -m pip install --quiet -r requirements-gui.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: install
	$(BIN)/nengo-lmu demo --plot $(PLOT)

# pytest exits with 5 when it collected no test: say so, and fail
test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; \
	exit $$status

# the core stack (requirements-core.txt: nengo 4.1, numpy 2, no TensorFlow, nengo-dl or
# nengo-loihi) in its own environment, and every test that needs neither backend
$(CORE_STAMP): requirements-core.txt setup.cfg pyproject.toml
	test -x $(CORE_BIN)/python || $(PYTHON) -m venv $(CORE_VENV)
	$(CORE_BIN)/python -m pip install --quiet --upgrade "pip>=23" "setuptools>=64" wheel
	$(CORE_BIN)/python -m pip install --quiet -r requirements-core.txt
	$(CORE_BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(CORE_BIN)/python -m pip check
	touch $(CORE_STAMP)

$(CORE_VENV)/.own-decoder-cache: $(CORE_STAMP)
	$(CORE_BIN)/python -c "$(OWN_CACHE)"
	touch $@

test-core: $(CORE_STAMP) $(CORE_VENV)/.own-decoder-cache
	$(CORE_BIN)/python -m pytest --backends nengo -m "not dl and not loihi" $(PYTEST_ARGS); \
	status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test-core: pytest collected no tests" >&2; fi; \
	exit $$status

test-slow: install
	$(BIN)/python -m pytest --slow $(PYTEST_ARGS)

bench: install
	$(BIN)/nengo-lmu bench capacity

docs: install
	$(BIN)/python -m pip install --quiet -r requirements-docs.txt
	$(BIN)/python -m sphinx -W --keep-going -b html docs docs/_build/html
	@echo "Documentation in docs/_build/html/index.html"

# the sdist and the wheel build, and their long description (README.rst and
# CHANGES.rst) renders as PyPI would render it: a malformed table fails here
dist-check: install
	$(BIN)/python -m pip install --quiet -r requirements-docs.txt -r requirements-dist.txt
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .
	$(BIN)/python -m twine check --strict dist/*

# the optional NIR consumer check: a second environment with torch and Norse (never
# the main one: torch and TensorFlow abort in one process) runs an exported memory
$(NIR_VENV)/.installed: requirements-nir-check.txt
	test -x $(NIR_VENV)/bin/python || $(PYTHON) -m venv $(NIR_VENV)
	$(NIR_VENV)/bin/python -m pip install --quiet -r requirements-nir-check.txt
	touch $(NIR_VENV)/.installed

nir-check: install $(NIR_VENV)/.installed
	$(BIN)/nengo-lmu bench nir --consumer-python $(NIR_VENV)/bin/python --nir-file $(NIR_FILE)

clean:
	rm -rf $(VENV) $(CORE_VENV) $(NIR_VENV) build dist *.egg-info plots .pytest_cache docs/_build
