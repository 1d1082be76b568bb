# cs231n-lite: `make run` and `make test` each set up .venv on a fresh machine.
#
# Two interpreters, each with its own venv:
# - .venv, the main one (make run, the notebooks and their stored outputs, the
#   whole test suite): the newest CPython found, i.e. pyenv's newest 3.1x
#   (3.13.0 on the project's machines and CI), else python3. Set PYTHON=... to
#   choose another.
# - .venv-floor (make test-floor, part of make test): the unit tests on the
#   oldest Python pyproject.toml allows with the oldest dependency versions it
#   allows (.ci/floor-constraints.txt); skipped, with one line, where that
#   Python is absent.
NEWEST_PYENV := $(lastword $(sort $(wildcard $(HOME)/.pyenv/versions/3.1[0-9].*/bin/python)))
PYTHON ?= $(or $(NEWEST_PYENV),python3)
PY_VERSION := $(shell $(PYTHON) -c 'import platform; print(platform.python_version())' 2>/dev/null)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(PY_VERSION)
FLOOR_PYTHON ?= $(HOME)/.pyenv/versions/3.10.13/bin/python
FLOOR_VENV   := .venv-floor
FLOOR_STAMP  := $(FLOOR_VENV)/.installed
# The instructor source (it has grading/) re-executes the reference notebooks under
# nbval; the student release has no grading/ and cleared notebooks, so it skips them.
PYTEST_NB := $(if $(wildcard grading/rubric.toml),--nbval notebooks --nbval-sanitize-with notebooks/sanitize.cfg,)

# the stored notebook outputs are the sample's: tests always use it, even where
# CIFAR-10 is downloaded. Two pytest workers on two cores: one BLAS thread each
# (oversubscribed BLAS threads made small matrix products ~3x slower), and a
# headless matplotlib backend.
TEST_ENV := CS231N_LITE_DATA=sample MPLBACKEND=Agg OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

# The instructor source grades hostile code behind bubblewrap (docs/instructors.md). As root
# (CI), install it when it is missing, so the grader's tests cross the boundary the docs
# recommend; they also force the floor without it (--sandbox namespaces).
SANDBOX := $(if $(wildcard grading/rubric.toml),sandbox-tools,)

.PHONY: setup run test test-fast test-floor bench release clean sandbox-tools

# A venv made by another Python version is rebuilt (--clear), not mixed.
$(STAMP): pyproject.toml
	grep -qsx 'version = $(PY_VERSION)' $(VENV)/pyvenv.cfg || $(PYTHON) -m venv --clear $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# setuptools (the build backend) is pinned too, hence no build isolation.
$(FLOOR_STAMP): pyproject.toml .ci/floor-constraints.txt
	$(FLOOR_PYTHON) -m venv --clear $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/python -m pip install --quiet -c .ci/floor-constraints.txt setuptools
	$(FLOOR_VENV)/bin/python -m pip install --quiet --no-build-isolation -c .ci/floor-constraints.txt -e '.[test]'
	touch $(FLOOR_STAMP)

setup: $(STAMP)

## the kit's main job: execute every notebook on the active dataset (sample or CIFAR-10)
run: $(STAMP)
	$(VENV)/bin/cs231n-lite run

sandbox-tools:
	@if [ "$$(id -u)" = 0 ] && ! command -v bwrap >/dev/null && command -v apt-get >/dev/null; then \
	  echo "installing bubblewrap (the grader's sandbox)"; \
	  apt-get install -y -qq bubblewrap >/dev/null 2>&1 || \
	  { apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; }; \
	fi

## the whole test suite: unit tests + notebooks re-executed under nbval (strict),
## then the unit tests on the Python and dependency floor
test: $(STAMP) $(SANDBOX)
	$(TEST_ENV) $(PY) -m pytest -n 2 --dist loadfile tests $(PYTEST_NB)
	@$(MAKE) --no-print-directory test-floor

## unit tests on the oldest Python and dependency versions pyproject.toml allows
test-floor:
ifneq ($(wildcard $(FLOOR_PYTHON)),)
	@$(MAKE) --no-print-directory $(FLOOR_STAMP)
	$(TEST_ENV) $(FLOOR_VENV)/bin/python -m pytest -n 2 --dist loadfile -p no:cacheprovider tests
else
	@echo "test-floor: skipped: $(FLOOR_PYTHON) not found (set FLOOR_PYTHON to the oldest Python pyproject.toml allows)"
endif

## unit tests only (no notebooks)
test-fast: $(STAMP) $(SANDBOX)
	$(TEST_ENV) $(PY) -m pytest -n 2 --dist loadfile tests

## benchmarks against scikit-learn / scikit-image (needs real CIFAR-10: DATA=dir)
bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) benchmarks/run_all.py $(if $(DATA),--data $(DATA),)

clean:
	rm -rf $(VENV) $(FLOOR_VENV) build *.egg-info .pytest_cache
