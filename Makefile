# Koshi: two commands on a fresh machine — `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
KOSHI := $(VENV)/bin/koshi
# Debian packages the test suite needs (installed by `make test` when missing).
DEBIAN_PACKAGES ?= postgresql chromium
DEMO_N ?= 20000
DEMO_SEED ?= 42
DEMO_ON ?= 2026-03-01
DEMO_CASES ?= 200
DEMO_TRAVELLERS ?= 5000
DEMO_EMPLOYERS ?= 400
DEMO_PERMITS ?= 6000

.PHONY: demo test lint typecheck pytest bench bench-api bench-stays bench-feeds bench-link bench-fees bench-resettle translations screenshots system-deps clean install

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/activate
	$(PIP) install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

demo: install
	mkdir -p var
	$(KOSHI) synth applicants $(DEMO_N) --seed $(DEMO_SEED) -o var/applicants.parquet
	$(KOSHI) score kz.permanent_residence var/applicants.parquet --on $(DEMO_ON) -o var/scores_permanent_residence.parquet
	$(KOSHI) score kz.kandas_status var/applicants.parquet --on $(DEMO_ON)
	$(KOSHI) db upgrade
	$(KOSHI) demo seed --cases $(DEMO_CASES) --seed $(DEMO_SEED)
	$(KOSHI) agencies seed --seed $(DEMO_SEED) --bind demo-agency --seeker demo-applicant
	$(KOSHI) resettle seed --seed $(DEMO_SEED) --bind-applicant demo-applicant
	$(KOSHI) synth feeds --people $(DEMO_TRAVELLERS) --seed $(DEMO_SEED) --year $$(date -d '-180 days' +%Y) --until $$(date +%F) --corrupt -o var/feeds
	for kind in authorizations border_events registrations permits; do \
	  $(KOSHI) feeds import $$kind var/feeds/$$kind.parquet || exit 1; done
	$(KOSHI) link run --db
	$(KOSHI) registry refresh
	$(KOSHI) synth labour --employers $(DEMO_EMPLOYERS) --permits $(DEMO_PERMITS) --seed $(DEMO_SEED) --year $$(date +%Y) -o var/labour
	$(PY) -c "import csv; r = list(csv.reader(open('var/labour/employers.csv'))); w = csv.writer(open('var/labour/demo_employer.csv', 'w', newline='')); w.writerow(r[0] + ['account']); w.writerow(r[1] + ['demo-employer'])"
	$(KOSHI) labour employers import var/labour/employers.csv
	$(KOSHI) labour employers import var/labour/demo_employer.csv
	$(KOSHI) labour staff import var/labour/staff.csv
	$(KOSHI) labour vacancies import var/labour/vacancies.csv
	$(KOSHI) labour quota distribute --year $$(date +%Y) --needs var/labour/quota_needs.csv
	$(KOSHI) labour permits import var/labour/permits.csv
	$(KOSHI) labour permits expire --on $$(date +%F)
	@echo "Koshi API on http://127.0.0.1:8000 (OpenAPI at /docs); sign in with a demo account above. Ctrl-C stops it."
	$(KOSHI) serve --host 127.0.0.1 --port 8000

lint: install
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

typecheck: install
	$(VENV)/bin/mypy

pytest: install system-deps
	$(VENV)/bin/pytest -q

test: lint typecheck pytest

bench: install
	$(PY) benchmarks/bench_scoring.py

bench-stays: install
	$(PY) benchmarks/bench_stays.py

bench-link: install
	$(PY) benchmarks/bench_link.py --left 1000000 --right 1000000

bench-fees: install
	$(PY) benchmarks/bench_fees.py

bench-resettle: install
	$(PY) benchmarks/bench_resettle.py

bench-feeds: install system-deps
	$(PY) benchmarks/bench_feeds.py

bench-api: install system-deps
	$(PY) benchmarks/bench_api.py

screenshots: install system-deps
	KOSHI_SCREENSHOTS=$(CURDIR)/docs/screenshots $(VENV)/bin/pytest -q -m browser tests/browser

translations: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _ -k N_ --no-location --sort-output --project Koshi -o src/koshi/web/translations/messages.pot .
	$(VENV)/bin/pybabel update -i src/koshi/web/translations/messages.pot -d src/koshi/web/translations --no-wrap --no-fuzzy-matching

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
