# The two commands: `make run` (set up, then the chat UI) and `make test` (set up, then every test).
# Setup is idempotent: a stamp file in the venv records that pyproject.toml was installed.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test browser lint bench

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# The CPU build of torch lies on this machine's disk; install the pin first so nothing pulls a CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	GRADIO_ANALYTICS_ENABLED=False $(PY) app.py

# Debian's chromium drives the real-browser UI test (Playwright's own browser download does not work offline).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei fonts-noto-color-emoji >/dev/null; }

test: setup browser
	GRADIO_ANALYTICS_ENABLED=False $(PY) -m pytest

lint: setup
	$(PY) -m ruff check assistant tests app.py

# Start-up (cold CLI commands, UI and API ready, warm answer()), then retrieval latency and quality.
bench: setup
	GRADIO_ANALYTICS_ENABLED=False $(PY) benchmarks/startup_bench.py
	$(PY) benchmarks/retrieval_bench.py
