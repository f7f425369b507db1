# 规划督办 Plan Tracker — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export TRACKER_CONFIG ?= development
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-sqlite test-postgres test-dates faketime install install-dev translations browser check lint \
        db-upgrade demo clean bench bench-ratio wrk scan faults

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Reinstall only when a requirements file changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt requirements-ocr.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

translations: | $(BIN)/python
	$(BIN)/python -m tools.i18n build

db-upgrade: install
	mkdir -p instance
	$(BIN)/flask --app wsgi db upgrade

demo: db-upgrade
	$(BIN)/flask --app wsgi demo --if-empty

# Development server with the scheduler in the same process; mail goes to instance/mail.
run: demo
	$(BIN)/python -m tracker.devserver --host $(HOST) --port $(PORT)

# Headless Chromium and a Chinese font for the browser tests (Debian packages).
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then \
		echo "installing chromium and a Chinese font (apt-get)"; \
		apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium fonts-wqy-zenhei >/dev/null; \
	fi

# libfaketime moves the machine's clock for a whole process tree (Debian package faketime).
faketime:
	@if ! command -v faketime >/dev/null 2>&1; then \
		echo "installing faketime (apt-get)"; \
		apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq faketime >/dev/null; \
	fi

# The SQLite suite with the machine's clock moved: a quarter end, a year the holiday library
# does not know, and a new year after the plan period. Every test pins its own day, so the
# suite must pass whatever the machine says; `make test-dates DATES="2028-02-29"` for others.
DATES ?= 2026-06-30 2027-01-04 2031-02-10
test-dates: install-dev browser faketime
	@for day in $(DATES); do \
		echo "=== test suite on SQLite with the machine's clock at $$day ==="; \
		env -u TEST_DATABASE_URL TRACKER_CONFIG=testing faketime -f "@$$day 10:00:00" \
			$(BIN)/pytest -q -p no:cacheprovider $(PYTEST_ARGS) || exit 1; \
	done

test: install-dev browser
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "=== test suite on SQLite ==="
	env -u TEST_DATABASE_URL TRACKER_CONFIG=testing $(BIN)/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

test-postgres:
	@url="$${TEST_DATABASE_URL:-$(PG_URL)}"; \
	if $(BIN)/python -m tools.pgcheck "$$url"; then \
		echo "=== test suite on PostgreSQL ($$url) ==="; \
		TEST_DATABASE_URL="$$url" TRACKER_CONFIG=testing $(BIN)/pytest -q -p no:cacheprovider $(PYTEST_ARGS); \
	elif [ "$${REQUIRE_POSTGRES:-0}" = "1" ]; then \
		echo "!!! PostgreSQL at $$url is unreachable and REQUIRE_POSTGRES=1: failing"; exit 1; \
	else \
		echo ""; echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
		echo "!!! PostgreSQL at $$url is unreachable: the PostgreSQL run was SKIPPED"; \
		echo "!!! (set REQUIRE_POSTGRES=1 to make this an error)"; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	fi

lint: install-dev
	$(BIN)/ruff check .

# Lint, translations, static security analysis (no high-severity finding), the pinned
# requirements against known vulnerabilities (an unreachable advisory source only warns),
# and the migrations against the models. See docs/security.md.
check: install-dev
	$(BIN)/ruff check .
	$(BIN)/python -m tools.i18n check
	$(BIN)/bandit -q -r tracker config.py wsgi.py -lll
	$(BIN)/python -m tools.audit_deps -r requirements.txt
	$(BIN)/python -m tools.check_migrations

# Benchmarks (BENCHMARKS.md): generate the data sets, serve with gunicorn, drive the pages
# from a second process, time the jobs. L takes long to generate: `make bench SIZES=S,M,L`.
SIZES ?= S,M
DATABASES ?= sqlite,postgresql
bench: install
	env -u TRACKER_CONFIG $(BIN)/python -m bench.run --sizes $(SIZES) --databases $(DATABASES) $(BENCH_ARGS)

# The item list beside the bare yardstick page (../shared/bench/bare_list_app.py), both served
# by gunicorn with 2 workers on SQLite, loaded alternately with wrk; prints both and the ratio
# (issue 20: bare req/s ÷ product req/s at most 1.5). Bench size M unless RATIO_SIZE says.
RATIO_SIZE ?= M
bench-ratio: install wrk
	env -u TRACKER_CONFIG $(BIN)/python -m bench.ratio --size $(RATIO_SIZE) $(RATIO_ARGS)

# wrk, the HTTP load generator (Debian package).
wrk:
	@if ! command -v wrk >/dev/null 2>&1; then \
		echo "installing wrk (apt-get)"; \
		apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq wrk >/dev/null; \
	fi

# A bounded wapiti scan of a loopback instance (docs/security.md); not part of CI. The scanner
# lives in its own venv so its pins cannot move the application's.
.venv-scan/.installed: requirements-scan.txt
	$(PYTHON) -m venv .venv-scan
	.venv-scan/bin/pip install -q -r requirements-scan.txt
	touch $@

SCAN_SECONDS ?= 420
scan: install-dev .venv-scan/.installed
	$(BIN)/python -m tools.scan --seconds $(SCAN_SECONDS)

# Load and faults (gunicorn ×2, a private PostgreSQL, scheduler, SMTP): kill a worker, restart
# PostgreSQL, stop SMTP, kill the scheduler, then show nothing was lost. Loopback; not in CI.
FAULT_SECONDS ?= 75
faults: install-dev
	$(BIN)/python -m tools.faults --seconds $(FAULT_SECONDS)

clean:
	rm -rf $(VENV) translations/*/LC_MESSAGES/messages.* .pytest_cache
