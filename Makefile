# aes-kit: the two commands a new user needs are `make demo` and `make test`.
PY ?= python3
SHELL := /bin/bash
# pip puts console scripts (nbdev_test, nbdev_export, aes-kit) beside the interpreter, or in ~/.local/bin for a
# --user install; with a pyenv or system Python outside a venv neither folder need be on PATH: put both first.
PY_SCRIPTS := $(shell $(PY) -c 'import os, sysconfig; print(sysconfig.get_path("scripts") + ":" + sysconfig.get_path("scripts", os.name + "_user"))')
export PATH := $(PY_SCRIPTS):$(PATH)
export PYTHONUNBUFFERED := 1
# No network at test time (the embedded model and data/ only); one torch thread per process because
# nbdev_test runs two notebooks at once on the 2-core machine (2 threads each was 5-8x slower per step).
OFFLINE := HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
TEST_ENV := OMP_NUM_THREADS=1 $(OFFLINE)
# The smoke pass: the full-size code path and model names, on an offline Hub-shaped cache of tiny random models
# (tools/tiny_hub.py, rebuilt only when its builder changes), with at most one model alive at a time (a T4).
TINY_HUB := $(CURDIR)/checkpoints/_tiny_hub
SMOKE_ENV := AES_KIT_PROFILE=smoke HF_HOME=$(TINY_HUB) AES_KIT_MAX_LIVE_MODELS=1 $(TEST_ENV)

.PHONY: help install demo test test-colab export notebooks readme check-clean check-sync lint nbtest nbtest-smoke tiny-hub gpu-smoke \
	pytest clean

help:
	@echo "make demo    run the main job on the embedded model and sample data"
	@echo "make test    install, check notebooks/library sync, run every notebook (nbdev_test) and tests/"
	@echo "make install install everything from a bare Python (CPU torch first; idempotent)"
	@echo "make test-colab  run every notebook top to bottom in a simulated Colab (Colab's packages, ~10 min)"
	@echo "make notebooks   regenerate Colab badges, install cells and links from settings.ini"

install:
	@$(PY) tools/install.py

demo: install
	$(OFFLINE) aes-kit demo

export:
	nbdev_export
	$(PY) tools/colab.py
	nbdev_clean
	$(PY) tools/readme.py

# Colab badges, the install cell and README links from settings.ini (`user`/`repo`/`branch`) + one template
notebooks:
	$(PY) tools/colab.py
	nbdev_clean
	$(PY) tools/readme.py

readme:
	$(PY) tools/readme.py

# nbdev_clean must change nothing: committed notebooks are clean (files compared before/after, so this also
# passes on uncommitted work; on CI's fresh clone it is the same as comparing against git)
check-clean:
	@$(PY) tools/unchanged.py nbs -- nbdev_clean || { echo "notebooks are not clean: run nbdev_clean and commit"; exit 1; }

# nbdev_export must change nothing: aes_kit/ is generated from nbs/
check-sync:
	@$(PY) tools/unchanged.py aes_kit -- nbdev_export || { echo "notebooks and library not in sync: run nbdev_export and commit aes_kit/"; exit 1; }
	@$(PY) tools/colab.py --check
	@$(PY) tools/readme.py --check

# unused imports/variables, undefined names, syntax errors (pyproject.toml [tool.ruff]) in the library, tests and tools
lint:
	@$(PY) -m ruff check aes_kit tests tools bench

nbtest:
	@start=$$(date +%s); \
	$(TEST_ENV) nbdev_test --timing --do_print; rc=$$?; \
	echo "nbdev_test: $$(ls nbs/[0-9]*.ipynb | wc -l) notebooks in $$(( $$(date +%s) - start ))s"; exit $$rc

tiny-hub:
	@$(OFFLINE) $(PY) tools/tiny_hub.py $(TINY_HUB) >/dev/null

nbtest-smoke: tiny-hub
	@start=$$(date +%s); \
	$(SMOKE_ENV) nbdev_test --timing --do_print; rc=$$?; \
	echo "nbdev_test (smoke): $$(ls nbs/[0-9]*.ipynb | wc -l) notebooks in $$(( $$(date +%s) - start ))s"; exit $$rc

# the GPU paths of the notebooks in one script; on CPU it runs the same stages on the tiny models
gpu-smoke: tiny-hub
	$(SMOKE_ENV) $(PY) tools/gpu_smoke.py

# two workers (pytest-xdist), one torch thread each: the tests are single-threaded, the machine has two cores
pytest:
	@if [ -d tests ] && ls tests/test_*.py >/dev/null 2>&1; then $(TEST_ENV) $(PY) -m pytest -q -n 2 tests; fi

test: install check-clean check-sync lint nbtest nbtest-smoke gpu-smoke pytest

# Every notebook top to bottom in a simulated Colab: Colab's Python 3.13 and package versions (a venv cached in
# ~/.cache/aes-kit, built once), a stand-in google.colab, the install cell doing the installing, smoke profile
# on the tiny Hub models; plus the install cell's pip steps resolved for Python 3.13 (tools/colab_sim.py)
test-colab: tiny-hub
	@$(PY) tools/colab_sim.py


clean:
	rm -rf _proc _docs .pytest_cache
