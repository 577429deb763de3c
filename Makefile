# Two commands set everything up on a fresh machine:
#   make run    start Neo4j (unless NEO4J_URI is set), load the seed graph, serve the API and
#               GraphiQL on http://127.0.0.1:8080/
#   make test   everything CI checks, against a real Neo4j of its own (ports 7688/7475)
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO      ?= go
BIN     := bin/incidentgraph
WEB_SRC := $(shell find web/src web/examples web/index.html web/explore.html web/vite.config.js web/package.json web/package-lock.json -type f 2>/dev/null)

# The development database (make run). Set NEO4J_URI to use a Neo4j of your own instead.
DEV_NEO4J_PASSWORD ?= incidentgraph
# The test database: its own home and ports, so tests never touch the development data.
TEST_NEO4J_HOME     ?= .neo4j/test
TEST_NEO4J_BOLT     ?= 7688
TEST_NEO4J_HTTP     ?= 7475
TEST_NEO4J_PASSWORD ?= incidentgraph-test
TEST_NEO4J_ENV      := NEO4J_HOME_DIR=$(TEST_NEO4J_HOME) NEO4J_BOLT_PORT=$(TEST_NEO4J_BOLT) NEO4J_HTTP_PORT=$(TEST_NEO4J_HTTP) NEO4J_PASSWORD=$(TEST_NEO4J_PASSWORD)
# A second test database, so that `make test` runs two packages at a time (internal/testdb gives
# each test binary whichever database is free).
TEST2_NEO4J_HOME    ?= .neo4j/test2
TEST2_NEO4J_BOLT    ?= 7691
TEST2_NEO4J_HTTP    ?= 7478
TEST2_NEO4J_ENV     := NEO4J_HOME_DIR=$(TEST2_NEO4J_HOME) NEO4J_BOLT_PORT=$(TEST2_NEO4J_BOLT) NEO4J_HTTP_PORT=$(TEST2_NEO4J_HTTP) NEO4J_PASSWORD=$(TEST_NEO4J_PASSWORD)

.PHONY: help
help:
	@echo "make run          Neo4j + seed + API and GraphiQL on http://127.0.0.1:8080/"
	@echo "make test         vet, generated-code check, front-end tests, Go tests on a real Neo4j"
	@echo "make build        build $(BIN) (with the GraphiQL bundle)"
	@echo "make web          build the GraphiQL bundle (npm ci + vite)"
	@echo "make generate     regenerate gqlgen code from schema.graphqls and schema/"
	@echo "make validate     check the seed files without a database"
	@echo "make gtd-data     synthetic GTD-scale data (gtd.csv, groups.yaml) in bench/out/gtd"
	@echo "make bench        benchmarks against a real Neo4j (medians in bench/out/)"
	@echo "make bench-compare        this service vs the Neo4j GraphQL Library vs the raw driver (docs/BENCHMARKS.md)"
	@echo "make bench-compare-smoke  the three give the same answers; a second per cell, writes nothing"
	@echo "make bench-marshal        gqlgen's concurrent marshalling, its worker_limit, and ours, side by side"
	@echo "make bench-compare-scaling  entity, incidents, network at 10k, 50k, 200k incidents, the import against neo4j-admin's (Scaling in docs/BENCHMARKS.md)"
	@echo "make reliability          mixed load, Neo4j killed under load, overload, SIGTERM (docs/RELIABILITY.md)"
	@echo "make reliability-smoke    the same runs for a few seconds each; fails if a property is violated"
	@echo "make mutants              mutation score of the security and correctness packages (docs/MUTATION.md; long)"
	@echo "make neo4j-start / neo4j-stop / neo4j-status   the development Neo4j"

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npm run build

.PHONY: web
web: web/dist/index.html

.PHONY: build
build: web
	$(GO) build -o $(BIN) ./cmd/incidentgraph

.PHONY: generate
generate:
	$(GO) generate ./...

# Fails when regenerating gqlgen code would change a file: generated code must be committed
# together with the schema it comes from.
.PHONY: check-generate
check-generate:
	@before=$$(mktemp); after=$$(mktemp); \
	find graph -type f -name '*.go' -print0 | sort -z | xargs -0 sha256sum > $$before; \
	$(GO) generate ./graph/...; \
	find graph -type f -name '*.go' -print0 | sort -z | xargs -0 sha256sum > $$after; \
	if ! diff -u $$before $$after; then \
		echo "gqlgen output differs from the committed code: run 'make generate' and commit it" >&2; exit 1; \
	fi; \
	echo "generated code is up to date"

.PHONY: validate
validate:
	$(GO) run ./cmd/incidentgraph validate

.PHONY: neo4j-start neo4j-stop neo4j-status
neo4j-start:
	NEO4J_PASSWORD=$(DEV_NEO4J_PASSWORD) scripts/neo4j.sh start
neo4j-stop:
	scripts/neo4j.sh stop
neo4j-status:
	scripts/neo4j.sh status

.PHONY: run
run: build
	@if [ -z "$${NEO4J_URI:-}" ]; then \
		NEO4J_PASSWORD=$(DEV_NEO4J_PASSWORD) scripts/neo4j.sh start; \
		export NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_PASSWORD=$(DEV_NEO4J_PASSWORD); \
	fi; \
	LOG_FORMAT=$${LOG_FORMAT:-console} exec $(BIN) serve --seed

.PHONY: test-neo4j-start test-neo4j-stop
test-neo4j-start:
	$(TEST_NEO4J_ENV) scripts/neo4j.sh start
test-neo4j-stop:
	$(TEST_NEO4J_ENV) scripts/neo4j.sh stop

# Go test packages run two at a time (-p 2), each on a test database of its own: Neo4j
# Community has one user database, and the packages' integration tests load and reset it.
# Debian's Chromium for the browser tests (GraphiQL, the explorer); never a downloaded browser.
.PHONY: chromium
chromium:
	@command -v chromium >/dev/null || { \
		echo "installing Debian's chromium for the browser tests"; \
		sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The OASIS STIX 2 validator (PyPI, pinned) that server/stix_test.go runs on the STIX export, in
# a venv of its own; installed again only when its requirements change, so a rerun needs no network.
STIX_VALIDATOR_VENV := tools/stix2-validator/.venv
$(STIX_VALIDATOR_VENV)/.installed: tools/stix2-validator/requirements.txt
	python3 -m venv $(STIX_VALIDATOR_VENV)
	$(STIX_VALIDATOR_VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/stix2-validator/requirements.txt
	touch $@

.PHONY: stix2-validator
stix2-validator: $(STIX_VALIDATOR_VENV)/.installed

# The OASIS TAXII 2 client (PyPI, pinned) that server/taxii_test.go reads the TAXII server with,
# in a venv of its own, installed again only when its requirements change.
TAXII_CLIENT_VENV := tools/taxii2-client/.venv
$(TAXII_CLIENT_VENV)/.installed: tools/taxii2-client/requirements.txt
	python3 -m venv $(TAXII_CLIENT_VENV)
	$(TAXII_CLIENT_VENV)/bin/pip install --quiet --disable-pip-version-check -r tools/taxii2-client/requirements.txt
	touch $@

.PHONY: taxii2-client
taxii2-client: $(TAXII_CLIENT_VENV)/.installed

.PHONY: test
test: web chromium
	$(GO) vet ./...
	$(MAKE) --no-print-directory check-generate
	cd web && npm test
	cd tools/graphql-http-audit && npm ci --no-audit --no-fund
	cd tools/check-geojson && npm ci --no-audit --no-fund
	$(MAKE) --no-print-directory stix2-validator
	$(MAKE) --no-print-directory taxii2-client
	$(MAKE) --no-print-directory test-neo4j-start
	@# A second start while one runs must be harmless (exit 0, same server).
	$(TEST_NEO4J_ENV) scripts/neo4j.sh start
	$(TEST_NEO4J_ENV) scripts/neo4j.sh status
	$(TEST2_NEO4J_ENV) scripts/neo4j.sh start
	status=0; \
	INCIDENTGRAPH_TEST_NEO4J_URI=bolt://127.0.0.1:$(TEST_NEO4J_BOLT),bolt://127.0.0.1:$(TEST2_NEO4J_BOLT) \
	INCIDENTGRAPH_TEST_NEO4J_PASSWORD=$(TEST_NEO4J_PASSWORD) INCIDENTGRAPH_TEST_NEO4J_ADOPT=1 \
	$(GO) test -race -p 2 -count=1 -timeout 25m ./... || status=$$?; \
	$(TEST2_NEO4J_ENV) scripts/neo4j.sh stop; \
	$(MAKE) --no-print-directory test-neo4j-stop; \
	if [ $$status = 0 ]; then $(MAKE) --no-print-directory bench-compare-smoke BENCH_GTD_INCIDENTS=300 BENCH_GTD_GROUPS=40 BENCH_COMPARE_FLAGS='-nested islamic-state-khorasan-province -data "the seed graph and 300 generated GTD incidents"' || status=$$?; fi; \
	if [ $$status = 0 ]; then $(MAKE) --no-print-directory reliability-smoke || status=$$?; fi; \
	exit $$status

.PHONY: bench
bench: web
	$(MAKE) --no-print-directory test-neo4j-start
	status=0; \
	INCIDENTGRAPH_TEST_NEO4J_URI=bolt://127.0.0.1:$(TEST_NEO4J_BOLT) \
	INCIDENTGRAPH_TEST_NEO4J_PASSWORD=$(TEST_NEO4J_PASSWORD) INCIDENTGRAPH_TEST_NEO4J_ADOPT=1 \
	scripts/bench.sh || status=$$?; \
	$(MAKE) --no-print-directory test-neo4j-stop; \
	exit $$status

# The comparison benchmark (bench/compare): the same questions answered by this service, by the
# Neo4j GraphQL Library (npm, pinned in bench/compare/library) and by the raw Go driver, over one
# Neo4j of its own (.neo4j/bench/, ports 7689/7476), emptied before every run and loaded as
# below (BENCH_GTD_INCIDENTS= for the seed graph alone, asked about the seed's ids; the
# questions' ids can be given in BENCH_COMPARE_FLAGS, e.g. '-entity ID -group ID').
BENCH_NEO4J_HOME     ?= .neo4j/bench
BENCH_NEO4J_BOLT     ?= 7689
BENCH_NEO4J_HTTP     ?= 7476
BENCH_NEO4J_PASSWORD ?= incidentgraph-bench
# Heap and page cache of the benchmark's Neo4j: the largest scaling size (200,000 incidents)
# fits in this page cache whole.
BENCH_NEO4J_HEAP      ?= 1g
BENCH_NEO4J_PAGECACHE ?= 1g
BENCH_NEO4J_ENV      := NEO4J_HOME_DIR=$(BENCH_NEO4J_HOME) NEO4J_BOLT_PORT=$(BENCH_NEO4J_BOLT) NEO4J_HTTP_PORT=$(BENCH_NEO4J_HTTP) NEO4J_PASSWORD=$(BENCH_NEO4J_PASSWORD) NEO4J_HEAP=$(BENCH_NEO4J_HEAP) NEO4J_PAGECACHE=$(BENCH_NEO4J_PAGECACHE)
BENCH_SEED           ?= 1
# The database holds the seed graph, a generated group structure beside it and
# BENCH_GTD_INCIDENTS generated GTD incidents, imported as users import; -pick points the
# questions at generated groups with real activity (see bench/compare/scaling.go). Empty
# BENCH_GTD_INCIDENTS: the seed graph alone, asked about the seed's ids.
BENCH_GTD_INCIDENTS  ?= 10000
BENCH_GTD_GROUPS     ?= 300
BENCH_COMPARE_FLAGS  ?= -pick -data "the seed graph and $(BENCH_GTD_INCIDENTS) generated GTD incidents of $(BENCH_GTD_GROUPS) generated groups"

bench/compare/library/node_modules/.package-lock.json: bench/compare/library/package-lock.json
	cd bench/compare/library && npm ci --no-audit --no-fund

# Shell lines that load the emptied bench database: the seed graph, and with $(1) incidents
# the generated group structure ($(2) groups) and $(1) generated GTD incidents through the real
# import path (its summary line, with the rate, is printed). Sets status.
define bench_load
	export NEO4J_URI=bolt://127.0.0.1:$(BENCH_NEO4J_BOLT) NEO4J_PASSWORD=$(BENCH_NEO4J_PASSWORD); \
	if [ "$(BENCH_SEED)" = 1 ] && [ -z "$(1)" ]; then $(BIN) seed || status=$$?; fi; \
	if [ -n "$(1)" ]; then \
		data=$$(mktemp -d); \
		$(BIN) generate --seed $(GTD_SEED) --incidents $(1) --groups $(2) --out $$data/gtd >/dev/null && \
		mkdir $$data/seed && cp seed/data/*.yaml $$data/seed/ && cp $$data/gtd/groups.yaml $$data/seed/generated-groups.yaml && \
		$(BIN) seed --dir $$data/seed && \
		$(BIN) import gtd $$data/gtd/gtd.csv > $$data/import.log || status=$$?; \
		tail -n 4 $$data/import.log 2>/dev/null; \
		import_rate=$$(sed -n 's/^imported [0-9]* rows from .* (\([0-9.]*\) rows\/s).*/\1/p' $$data/import.log | tail -n 1); \
		import_rows=$$(sed -n 's/^imported \([0-9]*\) rows from .*/\1/p' $$data/import.log | tail -n 1); \
		rm -rf $$data; \
	fi
endef

# $(1): extra flags for the harness (-smoke).
define bench_compare
	@# Every run starts from an empty database: what an earlier run imported must not change
	@# the answers or the figures of this one.
	$(BENCH_NEO4J_ENV) scripts/neo4j.sh reset
	$(BENCH_NEO4J_ENV) scripts/neo4j.sh start
	status=0; \
	$(call bench_load,$(BENCH_GTD_INCIDENTS),$(BENCH_GTD_GROUPS)); \
	if [ $$status = 0 ]; then $(GO) run ./bench/compare -service $(BIN) $(1) $${import_rate:+-import-rate $$import_rate} $(BENCH_COMPARE_FLAGS) || status=$$?; fi; \
	$(BENCH_NEO4J_ENV) scripts/neo4j.sh stop; \
	exit $$status
endef

.PHONY: bench-compare bench-compare-smoke
bench-compare: build bench/compare/library/node_modules/.package-lock.json
	$(call bench_compare,)
bench-compare-smoke: build bench/compare/library/node_modules/.package-lock.json
	$(call bench_compare,-smoke)

# The scaling run: the entity, incidents and network questions on generated graphs of each size
# in BENCH_SCALING_SIZES (incidents; the same BENCH_SCALING_GROUPS groups at every size), each
# imported into an emptied database, at concurrency 1 and 8; then the "Scaling" section of
# docs/BENCHMARKS.md (a comparison run keeps it) and docs/benchmarks/scaling.png, with the import's
# rate beside its ceiling (below). Check the path end to end quickly with
# BENCH_SCALING_SIZES='1000 2000 4000' BENCH_SCALING_OUT=/tmp/scaling.md.
BENCH_SCALING_SIZES  ?= 10000 50000 200000
BENCH_SCALING_GROUPS ?= 1000
BENCH_SCALING_FLAGS  ?= -duration 5s -warmup 1s -concurrency 1,8 -pick-incidents 300
BENCH_SCALING_OUT    ?= docs/BENCHMARKS.md
# The import's ceiling at each size: the graph the import produced, dumped to CSV (bench/ceiling)
# and loaded by neo4j-admin database import full into this second home (never started), with the
# bench Neo4j's heap and its page cache as the importer's off-heap memory.
BENCH_CEILING_HOME   ?= .neo4j/bench-ceiling
BENCH_CEILING_ENV    := NEO4J_HOME_DIR=$(BENCH_CEILING_HOME) NEO4J_HEAP=$(BENCH_NEO4J_HEAP)

# The ways of marshalling an answer (gqlgen's goroutine per element, its worker_limit option,
# and the rewrite the service ships), built side by side and benchmarked in alternating rounds
# (scripts/bench-marshal.sh; no database). Medians by benchstat into bench/out/marshal.txt.
.PHONY: bench-marshal
bench-marshal:
	scripts/bench-marshal.sh

.PHONY: bench-compare-scaling
bench-compare-scaling: build bench/compare/library/node_modules/.package-lock.json
	status=0; runs=$$(mktemp -d); files=; \
	for n in $(BENCH_SCALING_SIZES); do \
		echo "== scaling: $$n incidents"; \
		$(BENCH_NEO4J_ENV) scripts/neo4j.sh reset && $(BENCH_NEO4J_ENV) scripts/neo4j.sh start || { status=1; break; }; \
		$(call bench_load,$$n,$(BENCH_SCALING_GROUPS)); \
		if [ $$status = 0 ]; then $(GO) run ./bench/compare -service $(BIN) -pick -questions entity,incidents,network $${import_rate:+-import-rate $$import_rate} \
			$(BENCH_SCALING_FLAGS) -data "$$n generated GTD incidents" -cells $$runs/$$n.json || status=$$?; fi; \
		if [ $$status = 0 ]; then $(GO) run ./bench/ceiling/cmd/ceiling dump -out $$runs/$$n-csv || status=$$?; fi; \
		$(BENCH_NEO4J_ENV) scripts/neo4j.sh stop; \
		if [ $$status = 0 ]; then $(BENCH_CEILING_ENV) scripts/neo4j.sh reset >/dev/null && \
			$(BENCH_CEILING_ENV) $(GO) run ./bench/ceiling/cmd/ceiling import -dir $$runs/$$n-csv $${import_rows:+-rows $$import_rows} \
			-off-heap $(BENCH_NEO4J_PAGECACHE) -cells $$runs/$$n.json || status=$$?; fi; \
		rm -rf $$runs/$$n-csv; \
		[ $$status = 0 ] || break; \
		files=$$files$${files:+,}$$runs/$$n.json; \
	done; \
	if [ $$status = 0 ]; then $(GO) run ./bench/compare -scaling-report $$files -out $(BENCH_SCALING_OUT) || status=$$?; fi; \
	rm -rf $$runs; \
	exit $$status

# The reliability runs (bench/reliability): a mixed read and write load, Neo4j killed and
# restarted under it, overload beyond the in-flight limit, SIGTERM under load, against a Neo4j of
# their own (.neo4j/reliability/, ports 7697/7484, emptied and seeded first) and the built binary.
# Properties (no acknowledged write lost, nothing hung, no crash, no 5xx but coded 503s, recovery
# after the restart, a clean shutdown) fail the run; figures go to docs/RELIABILITY.md. The smoke
# version runs each part for a few seconds, writes nothing, and is part of `make test`.
RELIABILITY_FLAGS ?=
.PHONY: reliability reliability-smoke
reliability: build
	$(GO) run ./bench/reliability -service $(BIN) $(RELIABILITY_FLAGS)
reliability-smoke: build
	$(GO) run ./bench/reliability -service $(BIN) -smoke $(RELIABILITY_FLAGS)

# Mutation testing (scripts/mutants.sh; gremlins, pinned there, comes from the Go module proxy):
# the packages whose mistakes are security or correctness faults, one at a time, niced, those
# whose tests need Neo4j against one of their own (.neo4j/mutants, ports 7698/7485) with only
# the tests of the code under mutation; then docs/MUTATION.md (tools/mutants), which fails the
# target when a package kills under 85% of its covered mutants or a survivor has neither a test
# nor a reason in docs/mutation-equivalent.txt. Long (hours on 2 cores): not part of `make test`.
# MUTANTS_PACKAGES='cypherlex gtd' runs some; the report keeps the others' results in MUTANTS_OUT
# (docs/mutation, committed beside the report, so that a fresh clone rescoring one package
# still writes the whole report).
MUTANTS_ALL        := root cypherlex gtd patterns analysis export server-httpspec server-limits server-trusted server-auth guard guard-domain
MUTANTS_PACKAGES   ?= $(MUTANTS_ALL)
MUTANTS_OUT        ?= docs/mutation
MUTANTS_NEO4J_HOME ?= .neo4j/mutants
MUTANTS_NEO4J_BOLT ?= 7698
MUTANTS_NEO4J_HTTP ?= 7485
MUTANTS_NEO4J_ENV  := NEO4J_HOME_DIR=$(MUTANTS_NEO4J_HOME) NEO4J_BOLT_PORT=$(MUTANTS_NEO4J_BOLT) NEO4J_HTTP_PORT=$(MUTANTS_NEO4J_HTTP) NEO4J_PASSWORD=$(TEST_NEO4J_PASSWORD)
.PHONY: mutants
mutants: web
	$(MUTANTS_NEO4J_ENV) scripts/neo4j.sh start
	status=0; \
	INCIDENTGRAPH_TEST_NEO4J_URI=bolt://127.0.0.1:$(MUTANTS_NEO4J_BOLT) \
	INCIDENTGRAPH_TEST_NEO4J_PASSWORD=$(TEST_NEO4J_PASSWORD) INCIDENTGRAPH_TEST_NEO4J_ADOPT=1 \
	MUTANTS_OUT=$(MUTANTS_OUT) scripts/mutants.sh $(MUTANTS_PACKAGES) || status=$$?; \
	$(MUTANTS_NEO4J_ENV) scripts/neo4j.sh stop; \
	$(GO) run ./tools/mutants -in $(MUTANTS_OUT) -packages "$(MUTANTS_ALL)" || status=$$?; \
	exit $$status

# A synthetic data set at GTD scale (incidentgraph generate): gtd.csv in the GTD codebook's
# layout and groups.yaml in the seed format, in GTD_DATA_DIR. The defaults are the full size
# (200,000 incidents, 3,000 groups, over 1,000,000 relationships once imported); the same
# GTD_SEED and sizes always write the same files.
GTD_DATA_DIR  ?= bench/out/gtd
GTD_SEED      ?= 1
GTD_INCIDENTS ?= 200000
GTD_GROUPS    ?= 3000

.PHONY: gtd-data
gtd-data:
	$(GO) run ./cmd/incidentgraph generate --seed $(GTD_SEED) --incidents $(GTD_INCIDENTS) --groups $(GTD_GROUPS) --out $(GTD_DATA_DIR)

# CPU and allocation profiles of whole GraphQL requests (BenchmarkEntityRelationships through
# HTTP) against the test Neo4j; read them with `go tool pprof -top bench/out/server.test
# bench/out/cpu.out` (or -http=:6060). The test binary stays in bench/out/, out of the tree.
.PHONY: bench-pprof
bench-pprof: web
	mkdir -p bench/out
	$(MAKE) --no-print-directory test-neo4j-start
	status=0; \
	INCIDENTGRAPH_TEST_NEO4J_URI=bolt://127.0.0.1:$(TEST_NEO4J_BOLT) \
	INCIDENTGRAPH_TEST_NEO4J_PASSWORD=$(TEST_NEO4J_PASSWORD) INCIDENTGRAPH_TEST_NEO4J_ADOPT=1 \
	$(GO) test -run '^$$' -bench 'BenchmarkEntityRelationships/impl=graphql-http' -benchtime 5s \
		-cpuprofile bench/out/cpu.out -memprofile bench/out/mem.out -o bench/out/server.test ./server/ || status=$$?; \
	$(MAKE) --no-print-directory test-neo4j-stop; \
	exit $$status
