# cs231n-lite: `make run` and `make test` each set up .venv on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The instructor source (it has grading/) re-executes the reference notebooks under
# nbval; the student release has no grading/ and cleared notebooks, so it skips them.
PYTEST_NB := $(if $(wildcard grading/rubric.toml),--nbval notebooks --nbval-sanitize-with notebooks/sanitize.cfg,)

.PHONY: setup run test test-fast bench release clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

## the kit's main job: execute every notebook on the active dataset (sample or CIFAR-10)
run: $(STAMP)
	$(VENV)/bin/cs231n-lite run

## the whole test suite: unit tests + notebooks re-executed under nbval (strict)
test: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest -n 2 --dist loadfile tests $(PYTEST_NB)

## unit tests only (no notebooks)
test-fast: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest -n 2 --dist loadfile tests

## benchmarks against scikit-learn / scikit-image (needs real CIFAR-10: DATA=dir)
bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) benchmarks/run_all.py $(if $(DATA),--data $(DATA),)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
