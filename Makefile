# The one entry point. Every target sets up .venv itself on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCRATCH := $(CURDIR)/.scratch
GENERATOR := $(BIN)/openapi-generator-cli
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1
.DEFAULT_GOAL := help

.PHONY: help test-floors test-matrix release-check demo demo-sip demo-browser test-browser check-typescript template-diff upgrade-generator serve bench bench-check bench-stages bench-instructions generate check-generated test test-unit lint types wheel update-spec clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt -r requirements.txt
	touch $@

## list the targets, a line each (what a bare make shows)
help:
	@echo "make TARGET, where TARGET is one of:"
	@awk '/^## /{text = substr($$0, 4); next} /^[a-z][a-z-]*:/ && text {sub(/:.*/, ""); printf "  %-19s %s\n", $$0, text} {text = ""}' $(firstword $(MAKEFILE_LIST))

# Mint a client secret, open a call with it, join the call's session, say one thing and print the
# streamed reply, hang up: on the bundled local server (offline, no key needed).
# LIVE=1: mint against the real API with your OPENAI_API_KEY and stop there (a real call needs a WebRTC peer).
## mint a key, open a call, talk on it, hang up: on the bundled local server, offline (LIVE=1: mint only)
demo: $(STAMP)
ifeq ($(LIVE),1)
	PYTHONPATH=$(CURDIR) $(BIN)/python examples/create_client_secret.py
	@echo "demo: opening a real call needs a real WebRTC peer behind the SDP offer; see examples/token_server.py"
else
	$(BIN)/python -m tools.demo
endif

# The SIP flow offline: the local server rings examples/sip_agent.py with a signed webhook; the agent
# accepts, joins the call's session, calls its tool, answers it and hangs up (tools/demo_sip.py).
# LIVE=1: the agent alone against the real API (OPENAI_API_KEY, OPENAI_WEBHOOK_SECRET; PORT=8000).
## a phone call offline: webhook, accept, sideband, tool call, hang-up (LIVE=1: the agent alone, real API)
demo-sip: $(STAMP)
ifeq ($(LIVE),1)
	PYTHONPATH=$(CURDIR) $(BIN)/python examples/sip_agent.py --port $(or $(PORT),8000)
else
	$(BIN)/python -m tools.demo_sip
endif

# The browser flow (examples/browser/): local server + token server; prints the page's URL.
# LIVE=1: the token server mints on the real API with OPENAI_API_KEY. make demo-browser PAGE_PORT=3000
PAGE_PORT ?= 3000
## the browser flow: local server + token server, prints the page URL (LIVE=1, PAGE_PORT=)
demo-browser: $(STAMP)
	$(BIN)/python -m tools.demo_browser --port $(PAGE_PORT) $(if $(filter 1,$(LIVE)),--live)

CHROMIUM_INSTALL := apt-get update && apt-get install -y chromium chromium-driver
# The browser test in headless Chromium (Debian's chromium + chromium-driver); not part of make test.
## the browser test in headless Chromium (needs chromium and chromium-driver)
test-browser: $(STAMP)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { echo "make test-browser needs Chromium and its driver: $(CHROMIUM_INSTALL)"; exit 1; }
	$(BIN)/python -m pytest -q -m browser test/test_browser.py

# npm packages pinned in tools/<name>/package-lock.json (typescript, pyright), installed once into .cache/<name>/.
.cache/%/.installed: tools/%/package.json tools/%/package-lock.json
	mkdir -p $(@D) && cp $^ $(@D)/
	cd $(@D) && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# The stock TypeScript client generated from openapi.yaml: tsc --noEmit (strict), then a node run against
# the local server, with TypeScript and the client's dependencies from tools/typescript/.
TS_CACHE := .cache/typescript

## generate the stock TypeScript client from openapi.yaml, compile it strict, run it on the local server
check-typescript: $(STAMP) $(TS_CACHE)/.installed
	$(BIN)/python -m tools.check_typescript --generator $(CURDIR)/$(GENERATOR) --node-modules $(TS_CACHE)/node_modules

# Each template override's diff against the pinned generator's stock template (cached in .cache/): make template-diff [T=rest]
## each template override's diff against the pinned generator's stock (T=name for one)
template-diff: $(STAMP)
	@$(BIN)/python -m tools.templates diff $(T)

# Three-way merge of every override onto VERSION's stock templates; moves the pin, VERSION and
# templates/STOCK.sha256 only when all merge cleanly and make test passes: make upgrade-generator VERSION=x.y.z
## three-way merge the overrides onto another generator and move the pin (VERSION=x.y.z)
upgrade-generator: $(STAMP)
	@test -n "$(VERSION)" || { echo "usage: make upgrade-generator VERSION=x.y.z"; exit 2; }
	$(BIN)/python -m tools.templates upgrade $(VERSION) --apply

# The local stand-in for the Realtime REST API, for testing your own code: make serve PORT=8080
PORT ?= 8080
## run the local server in the foreground (PORT=8080)
serve: $(STAMP)
	$(BIN)/python -m local_server --port $(PORT)

$(BENCH_STAMP): requirements.txt requirements-bench.txt
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install -q -r requirements.txt -r requirements-bench.txt
	touch $@

# CPU per call, parse cost, cold start and 8-thread throughput against urllib3+json and the
# openai SDK, in its own environment; prints a table and writes bench-results/*.json.
# make bench BENCH_ARGS="--rounds 30"
## the benchmark in its own venv, against urllib3 and openai (BENCH_ARGS="--rounds 9")
bench: $(BENCH_STAMP)
	PYTHONPATH=$(CURDIR) $(BENCH_VENV)/bin/python -m bench.run $(BENCH_ARGS)

## the GA call's CPU by stage (build, validate, serialize, transport, parse), sync and async
bench-stages: $(BENCH_STAMP)
	PYTHONPATH=$(CURDIR) $(BENCH_VENV)/bin/python -m bench.stages

## instructions per call under valgrind, the GA and async calls against their typed floors (needs valgrind; not in CI)
bench-instructions: $(BENCH_STAMP)
	PYTHONPATH=$(CURDIR) $(BENCH_VENV)/bin/python -m bench.instructions $(BENCH_ARGS)

## the bench three times; each target judged on the median of its runs (BENCH_ARGS=... passed on; not in CI)
bench-check: $(BENCH_STAMP)
	PYTHONPATH=$(CURDIR) $(BENCH_VENV)/bin/python -m bench.check $(BENCH_ARGS)

# Regenerate openapi_client/ and docs/ from openapi.yaml + generator-config.yaml + templates/.
# Two generator passes (tools/generate.py): the first renders the model examples the docs nest.
## regenerate openapi_client/ and docs/ from openapi.yaml, generator-config.yaml and templates/
generate: $(STAMP)
	@$(BIN)/python -m tools.generate --generator $(CURDIR)/$(GENERATOR)
	@echo "generated $$(wc -l < .openapi-generator/FILES) files with openapi-generator $$(cat .openapi-generator/VERSION)"

# Regenerate into a scratch copy and fail with the diff when the committed code differs.
## regenerate into a scratch copy and fail with the diff on any drift
check-generated: $(STAMP)
	@rm -rf $(SCRATCH) && mkdir -p $(SCRATCH)
	@cp -r openapi.yaml generator-config.yaml generator-config-async.yaml templates .openapi-generator-ignore $(SCRATCH)/
	@$(BIN)/python -m tools.generate --generator $(CURDIR)/$(GENERATOR) --root $(SCRATCH)
	@# hand-written modules inside the package (.openapi-generator-ignore) are not the generator's to compare
	@for f in $$(grep '^openapi_client/' .openapi-generator-ignore); do cp $$f $(SCRATCH)/$$f; done
	@status=0; \
	for dir in openapi_client docs .openapi-generator; do \
	  diff -ru -x __pycache__ -x '*.pyc' -x '*.egg-info' $$dir $(SCRATCH)/$$dir || status=1; \
	done; \
	rm -rf $(SCRATCH); \
	if [ $$status != 0 ]; then echo "check-generated: committed code differs from what openapi.yaml + generator-config.yaml + templates/ generate; run make generate"; exit 1; fi; \
	echo "check-generated: clean"

## pytest alone
test-unit: $(STAMP)
	$(BIN)/python -m pytest -q

## ruff on the hand-written code
lint: $(STAMP)
	$(BIN)/ruff check tools test local_server examples bench setup.py openapi_client/_runtime.py openapi_client/_leniency.py openapi_client/_wire.py openapi_client/_unknown_fields.py openapi_client/_unions.py openapi_client/_redaction.py openapi_client/_http_checks.py openapi_client/_operations.py openapi_client/_retry_policy.py openapi_client/webhooks.py openapi_client/_realtime_protocol.py openapi_client/realtime.py openapi_client/aio/realtime.py

# The package itself under --strict (kept at zero errors), then everything else.
## mypy --strict on the package, then mypy on everything else
types: $(STAMP)
	$(BIN)/mypy --strict -p openapi_client
	$(BIN)/mypy openapi_client local_server examples bench tools

# Every test: unit and HTTP tests, lint, types and the generated-code drift check.
## every test: pytest, lint, types and the drift check (what CI runs first)
test: test-unit lint types check-generated

# The whole suite on the floors of the runtime dependencies (requirements-floors.txt).
## the suite on the lowest runtime dependencies requirements.txt allows (tox -e floors)
test-floors: $(STAMP)
	$(BIN)/tox -e floors

# The tests on every supported Python with the pinned tools (tox py310..py313, pyenv's interpreters),
# and on the floors of the runtime dependencies (tox -e floors). make test-matrix MATRIX=py310,floors;
# make test-matrix MATRIX_EXCEPT=py311 leaves one out. PYTHONS: the versions setup.py's classifiers name.
PYTHONS := 3.10 3.11 3.12 3.13
comma := ,
MATRIX ?= $(subst $() ,$(comma),$(filter-out $(MATRIX_EXCEPT),$(addprefix py,$(subst .,,$(PYTHONS)))) floors)
## the suite on every supported Python and on the floors (MATRIX=, MATRIX_EXCEPT=)
test-matrix: $(STAMP)
	PATH="$$(for v in $(PYTHONS); do printf '%s:' $$(ls -d $$(pyenv root)/versions/$$v.*/bin | tail -1); done)$$PATH" \
	  $(BIN)/tox -e $(MATRIX)

# pyright for make release-check, from tools/pyright/.
PYRIGHT_CACHE := .cache/pyright

# Build sdist and wheel (from the sdist), twine check, install and import on every claimed Python (3.10-3.13)
# and refused on 3.9, public-surface check, and a typical app type-checked strict against the installed wheel.
## build, check, install and type-check the wheel on every supported Python
release-check: $(STAMP) $(PYRIGHT_CACHE)/.installed
	$(BIN)/python -m tools.release_check --pyright $(CURDIR)/$(PYRIGHT_CACHE)/node_modules/.bin/pyright

## build the wheel into dist/
wheel: $(STAMP)
	rm -rf dist build && $(BIN)/python -m build --wheel -q

# make update-spec UPSTREAM=path/to/openai-openapi/openapi.yaml [COMMIT=sha]
## extract openapi.yaml from upstream's full spec (UPSTREAM=path/to/openapi.yaml COMMIT=sha)
update-spec: $(STAMP)
	@test -n "$(UPSTREAM)" || { echo "usage: make update-spec UPSTREAM=path/to/openapi.yaml [COMMIT=sha]"; exit 2; }
	$(BIN)/python -m tools.update_spec "$(UPSTREAM)" $(if $(COMMIT),--commit $(COMMIT))

## remove the virtual environments and build output
clean:
	rm -rf $(VENV) $(BENCH_VENV) $(SCRATCH) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
