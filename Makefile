# AMTS: every set-up step lives here, so a fresh Debian machine needs only `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PACKAGES := apertium apertium-eng-spa chromium
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_VERSION_CHECK := 1

.PHONY: setup demo test test-fast synth bench clean system-packages node-packages

setup: $(STAMP) system-packages node-packages

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# Debian packages: Apertium (the local en<->es engine) and Chromium (the review page test).
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "warning: missing Debian packages:$$missing (run as root to install them)"; fi; \
	fi

# The pinned npm packages (CDK CLI for `make synth`, axe-core for the review page's accessibility test),
# reinstalled whenever package-lock.json changes.
NODE_STAMP := node_modules/.installed
node-packages: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP) \
	  || echo "warning: npm install failed; make synth falls back to app.synth(), the axe-core check is skipped"; \
	else echo "warning: npm missing; make synth falls back to app.synth(), the axe-core check is skipped"; fi

demo: setup
	$(BIN)/amts local-run --out demo-out

LINTED := amts lambdas infra app.py tests benchmarks

test: setup
	$(BIN)/ruff format --check --quiet $(LINTED)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

synth: setup
	@if [ -x node_modules/.bin/cdk ]; then PATH=$(CURDIR)/$(BIN):$$PATH node_modules/.bin/cdk synth -q --no-notices; \
	else $(BIN)/python app.py; fi

bench: setup
	$(BIN)/pip install --quiet --no-deps d2lbook==1.0.3  # the segmenting baseline, without its heavy deps
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) node_modules cdk.out demo-out .pytest_cache .lambda-build
