# gpumarket: `make demo` and `make test` do all set-up on a fresh clone (tools/setup.sh).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(CURDIR)/node_modules/.bin:$(BIN):$(PATH)
export SOLCX_BINARY_PATH := $(CURDIR)/.toolchain/solcx
export PYTHONUNBUFFERED := 1
# Brownie through the launcher: every local chain listens on a port the OS reports free.
BROWNIE := $(BIN)/python -m gpumarket.chain.launcher
# The ganache run covers the integration and adversarial suites (see README, "Two chains").
GANACHE_TESTS ?= tests/integration
# Test workers (pytest-xdist through Brownie's `-n`), each with its own chain on a free port: one
# more than the CPUs, because a worker and its chain take turns (each waits on the other) and the
# service tests wait on processes; on 2 CPUs the anvil suite took 364 s with 2 workers, 277 s
# with 3 and 308 s with 4. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
# The whole-protocol machine in `make test`: runs of 50 steps, 20 x 50 = 1,000 steps (and 20 x 30
# of the council's model machine); `make fuzz` runs 50 times as many.
STATEFUL_EXAMPLES ?= 20
# `make fuzz`: runs of 50 steps for the protocol machine (1,000 x 50 = 50,000 steps) and of 30 for
# the council's model machine.
FUZZ_EXAMPLES ?= 1000

.PHONY: setup setup-tests compile artifacts test test-anvil test-ganache demo lint slither coverage clean bench \
	bench-baseline bench-startup fuzz bug-hunt mutate

setup:
	@tools/setup.sh

# The tests also get torch (its CPU build, requirements-torch.lock) for the torch PoGEMM backends;
# the demo and the benchmarks do not need it.
setup-tests:
	@GPUMARKET_SETUP_TORCH=1 tools/setup.sh

compile: setup
	@echo "== compile (Brownie, solc 0.8.30; a minute or two the first time, then seconds) =="
	$(BROWNIE) compile

# The compiled contracts the package ships (gpumarket/chain/artifacts, for an installed CLI),
# rewritten from the build; tests/cli/test_install.py fails while they differ from it.
artifacts: compile
	$(BIN)/python -m gpumarket.chain.artifacts

# CI runs `make test` only, so the lint runs here too (about a minute, beside Brownie's compile):
# any ruff, mypy or Slither finding that the configuration does not triage fails the build.
test: setup-tests
	$(MAKE) --no-print-directory -j2 --output-sync=target lint compile
	$(MAKE) --no-print-directory test-anvil
	$(MAKE) --no-print-directory test-ganache

# Under -n each xdist worker loads the project itself: the build must be complete before they
# start, or a worker that loads it while another process writes it reads half a build.
test-anvil: compile setup-tests
	@echo "== suite on anvil =="
	GPUMARKET_STATEFUL_EXAMPLES=$(STATEFUL_EXAMPLES) \
	  $(BROWNIE) test tests --network development -n $(TEST_WORKERS) --durations=15

test-ganache: compile setup-tests
	@echo "== suite on ganache (subset: $(GANACHE_TESTS)) =="
	$(BROWNIE) test $(GANACHE_TESTS) --network ganache-cli -n $(TEST_WORKERS)

# A deep invariant campaign, outside `make test`: the whole-protocol machine (market, registry,
# council and benchmark registry; E1-E5, S1-S4, O1-O4 against the Python model) and the council's
# own model machine, with FUZZ_EXAMPLES runs each, and as many rounding examples.
fuzz: setup-tests
	GPUMARKET_STATEFUL_EXAMPLES=$(FUZZ_EXAMPLES) GPUMARKET_ROUNDING_EXAMPLES=$(FUZZ_EXAMPLES) \
	  $(BROWNIE) test tests/stateful tests/unit/OracleCouncil/test_council_model.py \
	  tests/adversarial/test_rounding.py \
	  --network development -s -p no:cacheprovider 2>&1 | grep -a -v -E $$'^\r?(Transaction sent|  Gas price|  [A-Za-z]+\\.)'

# Proof that the machine can fail: injects each of three accounting bugs into a copy of the
# contracts and prints the step and seconds at which the machine caught it.
bug-hunt: setup-tests
	$(BIN)/python tools/inject_bug.py

# Mutation testing of JobMarket, ProviderRegistry and OracleCouncil with Slither's mutators: a
# seeded sample per contract against its unit tests, about 70 minutes (MUTATION.md).
mutate: setup-tests
	$(BIN)/python tools/mutate.py

coverage: setup-tests
	$(BROWNIE) test tests/unit tests/integration --network development --coverage

# Gas per operation against benchmarks/gas-baseline.json, oracle throughput with 1 and 3
# oracles, PoGEMM cost n = 512..2048, the CLI's start-up time (median of 7 runs of listings,
# chain commands' help and a chain command that runs; `bench-startup` alone); the tables are
# printed and BENCHMARKS.md is rewritten.
bench: setup
	mkdir -p reports
	$(BROWNIE) run scripts/bench_gas.py --network development
	$(BROWNIE) run scripts/bench_oracle.py --network development
	$(BIN)/gpumarket bench --sweep --json-out reports/pogemm.json
	$(BIN)/python -m gpumarket.bench.startup --json-out reports/startup.json
	$(BIN)/python -m gpumarket.bench.report

bench-startup: setup
	mkdir -p reports
	$(BIN)/python -m gpumarket.bench.startup --json-out reports/startup.json
	$(BIN)/python -m gpumarket.bench.report --startup-only

bench-baseline: setup
	GPUMARKET_BENCH_UPDATE_BASELINE=1 $(BROWNIE) run scripts/bench_gas.py --network development
	$(BIN)/python -m gpumarket.bench.report --gas-only

# The story alone: Brownie's own banner, launch and shutdown lines are filtered out (the demo
# hides every transaction line itself and makes no mnemonics); in a terminal it keeps its colours.
DEMO_CHATTER := ^(Brownie v|.* is the active project\.|Launching .|Running .|Terminating local RPC|$$)
demo: setup
	GPUMARKET_DEMO_TTY=$$([ -t 1 ] && echo 1 || echo 0) \
	  $(BROWNIE) run scripts/demo.py --network development | grep -a -v -E '$(DEMO_CHATTER)'

lint: setup
	@echo "== ruff =="
	$(BIN)/ruff check gpumarket scripts tests tools
	@echo "== mypy (strict on the package; pyproject.toml) =="
	$(BIN)/mypy
	$(MAKE) --no-print-directory slither

slither:
	@echo "== slither (triaged detectors: slither.config.json) =="
	$(BIN)/slither contracts --config-file slither.config.json --solc-standard-json --solc $(SOLCX_BINARY_PATH)/solc-v0.8.30

clean:
	rm -rf build reports .hypothesis
