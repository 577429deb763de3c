#!/usr/bin/env bash
# The ways of marshalling an answer, measured side by side (make bench-marshal).
#
# gqlgen marshals each element of a list of objects, and each resolver field of an object, in a
# goroutine of its own. The service rewrites those calls after generation (tools/inlinemarshal,
# graph/marshal.go). This script builds the graph package three ways from the same schema and
# resolvers, each in a copy of the tree, and runs the same in-memory benchmark of the everyday
# question (graph.BenchmarkEntityQuestion: the whole executor over a GraphService that answers
# from memory, so that only gqlgen's and our own work is measured) against each:
#
#   concurrent   gqlgen's generated code as it comes (one goroutine per element and field);
#   worker-limit gqlgen's own exec option, `worker_limit: 1` in gqlgen.yml (a semaphore around
#                the same goroutines);
#   scalar-calls the shipped code with its model fields of scalars given back to gqlgen's
#                per-field path (graphql.ResolveField), to measure what resolvePlain saves;
#   inline       what the service ships: the generated code rewritten by tools/inlinemarshal.
#
# Rounds alternate between the variants (one run of each per round), so that a busy machine
# slows all of them alike; benchstat (pinned below, from the Go module proxy) reports medians
# and the differences against the first variant.
#
# Environment: BENCH_MARSHAL_ROUNDS [8], BENCH_MARSHAL_OUT [bench/out/marshal.txt].
set -euo pipefail

BENCHSTAT=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
ROUNDS=${BENCH_MARSHAL_ROUNDS:-8}
REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
OUT=${BENCH_MARSHAL_OUT:-$REPO_ROOT/bench/out/marshal.txt}
VARIANTS=(concurrent worker-limit scalar-calls inline)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# tree VARIANT: a copy of the Go sources with graph/generated.go made the variant's way.
tree() {
	local dir=$work/$1
	mkdir -p "$dir"
	(cd "$REPO_ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$dir")
	(
		cd "$dir"
		case $1 in
		concurrent) go tool gqlgen generate ;;
		worker-limit)
			sed -i 's|^  filename: graph/generated.go$|&\n  worker_limit: 1|' gqlgen.yml
			grep -q 'worker_limit: 1' gqlgen.yml
			go tool gqlgen generate
			;;
		scalar-calls)
			sed -i 's/^\treturn resolvePlain($/\treturn graphql.ResolveField(/' graph/generated.go
			if grep -q 'return resolvePlain(' graph/generated.go; then
				echo "bench-marshal: resolvePlain left in the scalar-calls variant" >&2
				exit 1
			fi
			;;
		inline) : ;; # the committed generated code is already rewritten
		esac
		go test -c -o "$work/$1.test" ./graph/
	)
	if [ "$1" = inline ] || [ "$1" = scalar-calls ]; then
		grep -q 'marshalSliceInline' "$dir/graph/generated.go"
	else
		! grep -q 'marshalSliceInline' "$dir/graph/generated.go"
	fi
}

for v in "${VARIANTS[@]}"; do
	echo "bench-marshal: building $v"
	tree "$v"
done

for ((r = 1; r <= ROUNDS; r++)); do
	echo "bench-marshal: round $r of $ROUNDS"
	for v in "${VARIANTS[@]}"; do
		(cd "$REPO_ROOT/graph" && "$work/$v.test" -test.run '^$' -test.bench '^BenchmarkEntityQuestion$' \
			-test.benchmem -test.count 1 -test.benchtime 2000x) | grep '^Benchmark' >>"$work/$v.txt"
	done
done

mkdir -p "$(dirname "$OUT")"
(cd "$work" && go run "$BENCHSTAT" concurrent=concurrent.txt worker-limit=worker-limit.txt scalar-calls=scalar-calls.txt inline=inline.txt) | tee "$OUT"
echo "bench-marshal: written to $OUT"
