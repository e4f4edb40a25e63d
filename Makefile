# Stadtallianz: `make run` sets up and serves the platform with demo data on SQLite,
# `make test` sets up and runs the whole test suite. Both may be run again at any time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/stadtallianz
HOST ?= 127.0.0.1:8000

.PHONY: run test setup demo bench lint messages clean fuzz fuzz-ci chromium mosquitto-plugin \
	deploy-smoke nginx screenshots

# The demo is Münster's alliance, with the names its deployment uses (each can be set instead).
MUENSTER = SITE_NAME="$${SITE_NAME:-Allianz Smart City Münster}" \
	COORDINATION_OFFICE_NAME="$${COORDINATION_OFFICE_NAME:-Stabsstelle Smart City}"

run: setup
	DEBUG=true $(MANAGE) migrate --noinput
	DEBUG=true $(MANAGE) collectstatic --noinput --verbosity 0
	DEBUG=true $(MUENSTER) $(MANAGE) demo
	DEBUG=true $(MUENSTER) $(MANAGE) runserver $(HOST)

# In parallel with pytest-xdist: each worker has its own test database and Redis database
# (stadtallianz/core/pytest_plugin.py); PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
test: setup chromium mosquitto-plugin
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Installs Python and npm dependencies and compiles the translations; skips what is up to date.
setup: $(VENV)/.installed node_modules/.installed messages

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The catalogues are compiled again only when a .po file changed (two test passes that run at
# once must not rewrite the .mo files under each other).
PO_FILES := $(shell find stadtallianz -name '*.po' -not -path '*/node_modules/*')
messages: $(VENV)/.messages

$(VENV)/.messages: $(VENV)/.installed $(PO_FILES)
	@command -v msgfmt >/dev/null || { echo "msgfmt missing: apt-get install gettext"; exit 1; }
	DEBUG=true $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules --verbosity=0
	touch $@

# The browser tests drive Debian's Chromium; install it where it is missing.
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: sudo apt-get install chromium"; exit 1; fi; }

# Mosquitto's plugin (contrib/mosquitto/, docs/deployment.md "MQTT"), built with Debian's
# Mosquitto and OpenSSL headers, which are installed where they are missing.
PUBLISHER_PLUGIN := var/mosquitto/stadtallianz_publisher.so
mosquitto-plugin: $(PUBLISHER_PLUGIN)

$(PUBLISHER_PLUGIN): contrib/mosquitto/stadtallianz_publisher.c
	@test -f /usr/include/mosquitto_plugin.h -a -f /usr/include/mosquitto.h \
	    -a -f /usr/include/openssl/evp.h || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    apt-get install -y -qq gcc mosquitto-dev libmosquitto-dev libssl-dev >/dev/null; \
	  else echo "Headers are missing: sudo apt-get install gcc mosquitto-dev" \
	    "libmosquitto-dev libssl-dev"; exit 1; fi; }
	mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared -o $@ $< -lcrypto

demo: setup
	DEBUG=true $(MANAGE) migrate --noinput
	DEBUG=true $(MANAGE) demo

bench: setup
	$(BIN)/python bench/run.py

# Property-based fuzzing of /api/v1 (schemathesis, every role) and /sta/v1.1 (a grammar of its
# query options and bodies) against a live gunicorn in production mode on its own PostgreSQL
# database (FUZZ_DATABASE_URL, dropped and created again) and Redis (FUZZ_REDIS_URL); see
# fuzz/run.py and docs/standards.md. `fuzz-ci` is the bounded pass of .ci/run (a few minutes).
fuzz: setup
	$(BIN)/python fuzz/run.py $(FUZZ_ARGS)

fuzz-ci: setup
	$(BIN)/python fuzz/run.py --short $(FUZZ_ARGS)

# The deployment smoke test (deploy/smoke/run.py, docs/deployment.md "Tested in CI"): the stack
# of deploy/ (nginx, Mosquitto with the plugin, gunicorn, worker, bridge, mosquitto-config, the
# timers' jobs) brought up as background processes on PostgreSQL (deploy_smoke) and Redis (db 3),
# and used through nginx. A few minutes.
# The smoke installs its own copy of HEAD as docs/deployment.md "Install" does (its own venv,
# npm packages and broker plugin); this checkout's .venv only runs the test script.
deploy-smoke: setup nginx
	$(BIN)/python deploy/smoke/run.py $(SMOKE_ARGS)

# Debian's nginx for the smoke test; installed where it is missing.
nginx:
	@test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nginx >/dev/null; \
	  else echo "nginx is missing: sudo apt-get install nginx"; exit 1; fi; }

# lint-imports checks the layers of .importlinter (docs/architecture.md, "Layers"); without its
# cache, so a run never reads a stale graph or leaves a cache folder in the checkout.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	DEBUG=true $(MANAGE) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules var

# PNGs of the main pages at 1366×900 and 390×844, in both languages, in var/screenshots/
# (screenshots/run.py: a fresh SQLite database with the demo data, served by runserver).
screenshots: setup chromium
	$(BIN)/python screenshots/run.py $(SCREENSHOT_ARGS)
