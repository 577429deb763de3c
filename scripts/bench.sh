#!/usr/bin/env bash
# Benchmarks against a real Neo4j (make bench starts one). Machines are noisy, so every
# benchmark runs COUNT times and benchstat reports medians with their spread; families that
# carry a baseline (impl=driver, impl=per-entity, impl=store) are shown side by side with the
# ratio to it.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${INCIDENTGRAPH_TEST_NEO4J_URI:?run through make bench, which starts Neo4j}"
COUNT="${COUNT:-6}"
BENCHTIME="${BENCHTIME:-2s}"
out=bench/out
mkdir -p "$out"
raw="$out/bench-$(date +%Y%m%d-%H%M%S).txt"

go test -run '^$' -bench . -benchmem -count "$COUNT" -benchtime "$BENCHTIME" -p 1 ./neo4j/ ./server/ | tee "$raw"

echo
echo "== medians (benchstat) =="
go tool benchstat "$raw"
echo
echo "== each family against its baseline (first column) =="
for family in Relationships RelationshipsOfAll EntityRelationships Analyst; do
  go tool benchstat -filter ".name:$family" -col /impl "$raw"
done
echo
echo "raw results: $raw"
