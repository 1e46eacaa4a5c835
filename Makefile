# Two commands for a newcomer: `make demo` and `make test`. Everything they need is installed
# here (virtual environment from the lock file; Kafka jars are fetched by `antt broker start`).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo lab test lint unit integration install clean help

help:
	@echo "make demo   run the platform end to end on a synthetic province (about 3-5 minutes)"
	@echo "make test   lint, type-check and run every test, the real-broker ones included"
	@echo "make lab    JupyterLab on 127.0.0.1 with the analysts' notebooks over the demo warehouse"
	@echo "make clean  stop the demo broker and remove demo data (keeps the downloaded caches)"
	@echo "make bench  events per second against Faust, aiokafka and Quix Streams (docs/performance.md)"

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

install: $(STAMP)

demo: install
	$(BIN)/antt --data-dir .antt/demo demo

# The demo warehouse is made once: `make demo` again refreshes it.
lab: install
	@test -d .antt/demo/landing || $(MAKE) demo
	$(BIN)/antt --data-dir .antt/demo lab

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit: install
	$(BIN)/pytest tests/unit

integration: install browser-deps
	$(BIN)/pytest tests/integration

# The dashboard tests drive Debian's Chromium through its chromedriver and read the PDF with
# poppler's pdftotext; a fresh machine gets them here (the tests never skip without them).
.PHONY: browser-deps
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -x /usr/bin/pdftotext ]; then \
		sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$sudo apt-get update && $$sudo apt-get install -y chromium chromium-driver poppler-utils; \
	fi

test: lint browser-deps
	$(BIN)/pytest

# The throughput benchmark's Quix Streams peer lives in an environment of its own: quixstreams
# requires an older pydantic-settings than the platform's (bench/requirements.in).
BENCH_VENV := .venv-bench
.PHONY: bench bench-env
bench-env: $(BENCH_VENV)/.installed

$(BENCH_VENV)/.installed: bench/requirements.lock
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BENCH_VENV)/bin/uv pip install --quiet --python $(BENCH_VENV)/bin/python -r bench/requirements.lock
	@touch $@

bench: install bench-env
	$(BIN)/antt --data-dir .antt/bench bench throughput

clean:
	-$(BIN)/antt --data-dir .antt/demo broker stop
	rm -rf .antt/demo
