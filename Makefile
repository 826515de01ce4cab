# `make run` and `make test` set everything up on a fresh machine (Python 3.11+, root for apt).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SYSTEM_STAMP := .cache/system-packages
# Debian packages: Dutch PDFs for the tests and the distractor evaluation; Chromium and its
# driver for the browser tests.
DEBIAN_PACKAGES := lilypond-doc-pdf-nl chromium chromium-driver

export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

# The benchmarks' real Dutch text: the Debian FAQ, GIMP's manual, the Debian Edu manual.
BENCH_PACKAGES := debian-faq-nl gimp-help-nl debian-edu-doc-nl
BENCH_STAMP := $(VENV)/.installed-bench

LLM_STAMP := $(VENV)/.installed-llm
# llama.cpp's default build uses AMX instructions that crash (SIGILL) on these machines. The
# multimodal library (LLAVA_BUILD) is left out: the test serves a text model.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DLLAVA_BUILD=OFF
# The pinned llama-cpp-python of pyproject.toml's llm-test extra, built once into a local wheel.
LLAMA_PIN := $(shell grep -o 'llama-cpp-python\[server\]==[0-9.]*' pyproject.toml | sed 's/\[server\]//')
LLAMA_WHEELS := .cache/llama-wheel
LLAMA_WHEEL_STAMP := $(LLAMA_WHEELS)/.built-$(LLAMA_PIN)

.PHONY: venv system run index test test-llm llm-wheel eval bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The local CPU wheel of torch first: an unpinned torch would pull the CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

$(SYSTEM_STAMP):
	@mkdir -p .cache
	@if ! dpkg -s $(DEBIAN_PACKAGES) >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_PACKAGES); \
		else \
			echo "please install (as root): apt-get install $(DEBIAN_PACKAGES)"; exit 1; \
		fi; \
	fi
	touch $(SYSTEM_STAMP)

system: $(SYSTEM_STAMP)

index: venv
	$(PY) ingest.py

HOST ?= 127.0.0.1
PORT ?= 7860

run: venv index
	$(PY) app.py --host $(HOST) --port $(PORT)

test: venv system
	$(PY) -m pytest

# About 7 minutes on 2 cores: builds llama-cpp-python from source with the flags above (never a
# cached default wheel: PyPI has none, and pip's cache could hold one built without them).
# .ci/run builds it at the lowest priority while the tests run, in idle CPU time.
$(LLAMA_WHEEL_STAMP): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip wheel --quiet --no-cache-dir --no-deps --no-binary llama-cpp-python -w $(LLAMA_WHEELS) "$(LLAMA_PIN)"
	touch $(LLAMA_WHEEL_STAMP)

llm-wheel: $(LLAMA_WHEEL_STAMP)

$(LLM_STAMP): $(LLAMA_WHEEL_STAMP)
	$(PY) -m pip install --quiet --no-cache-dir --only-binary llama-cpp-python --find-links $(LLAMA_WHEELS) -e '.[llm-test]'
	touch $(LLM_STAMP)

test-llm: venv $(LLM_STAMP)
	$(PY) -m pytest -m llm

eval: venv system
	$(PY) -m assistant eval

# The three benchmarks of BENCHMARKS.md. With e5 their parts took 9 + 12 + 2 minutes on 2 cores on
# 2026-11-25 (the 100k index is built with USE once and kept in .cache/bench; e5 would take hours).
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	@if ! dpkg -s $(BENCH_PACKAGES) >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BENCH_PACKAGES); \
		else \
			echo "please install (as root): apt-get install $(BENCH_PACKAGES)"; exit 1; \
		fi; \
	fi
	touch $(BENCH_STAMP)

bench: venv system $(BENCH_STAMP)
	$(PY) bench/ingest.py --pdfs web.nl.pdf
	$(PY) bench/query.py --chunks 100000 --model use-multilingual
	$(PY) bench/load.py --users 20

lint: venv
	$(PY) -m ruff check assistant tests bench ingest.py app.py

clean:
	rm -rf $(VENV) .cache index .pytest_cache
