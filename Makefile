# aes-kit: the two commands a new user needs are `make demo` and `make test`.
PY ?= python3
SHELL := /bin/bash
export PYTHONUNBUFFERED := 1
# No network at test time (the embedded model and data/ only); one torch thread per process because
# nbdev_test runs two notebooks at once on the 2-core machine (2 threads each was 5-8x slower per step).
OFFLINE := HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
TEST_ENV := OMP_NUM_THREADS=1 $(OFFLINE)
# The smoke pass: the full-size code path and model names, on an offline Hub-shaped cache of tiny random models
# (tools/tiny_hub.py, rebuilt only when its builder changes), with at most one model alive at a time (a T4).
TINY_HUB := $(CURDIR)/checkpoints/_tiny_hub
SMOKE_ENV := AES_KIT_PROFILE=smoke HF_HUB_CACHE=$(TINY_HUB) AES_KIT_MAX_LIVE_MODELS=1 $(TEST_ENV)

.PHONY: help install demo test export readme check-clean check-sync nbtest nbtest-smoke tiny-hub gpu-smoke pytest clean

help:
	@echo "make demo    run the main job on the embedded model and sample data"
	@echo "make test    install, check notebooks/library sync, run every notebook (nbdev_test) and tests/"
	@echo "make install install everything from a bare Python (CPU torch first; idempotent)"

install:
	@$(PY) tools/install.py

demo: install
	$(OFFLINE) aes-kit demo

export:
	nbdev_export
	$(PY) tools/readme.py

readme:
	$(PY) tools/readme.py

# nbdev_clean must leave no diff: committed notebooks are clean
check-clean:
	@nbdev_clean
	@if command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then \
	  if ! git diff --quiet -- nbs; then \
	    git --no-pager diff --stat -- nbs; \
	    echo "notebooks are not clean: run nbdev_clean and commit"; exit 1; fi; fi

# nbdev_export must leave no diff: aes_kit/ is generated from nbs/
check-sync:
	@nbdev_export
	@if command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then \
	  if [ -n "$$(git status --porcelain -- aes_kit)" ]; then \
	    git status --short -- aes_kit; \
	    echo "notebooks and library not in sync: run nbdev_export and commit aes_kit/"; exit 1; fi; fi
	@$(PY) tools/readme.py --check

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

pytest:
	@if [ -d tests ] && ls tests/test_*.py >/dev/null 2>&1; then $(TEST_ENV) $(PY) -m pytest -q tests; fi

test: install check-clean check-sync nbtest nbtest-smoke gpu-smoke pytest


clean:
	rm -rf _proc _docs .pytest_cache
