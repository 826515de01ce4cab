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

.PHONY: venv system run index test test-all eval lint clean

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

eval: venv system
	$(PY) -m assistant eval

lint: venv
	$(PY) -m ruff check assistant tests ingest.py

clean:
	rm -rf $(VENV) .cache index .pytest_cache
