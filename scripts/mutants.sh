#!/usr/bin/env bash
# Mutation testing of the packages whose mistakes are security or correctness faults (make
# mutants). Gremlins (pinned below, installed from the Go module proxy into bin/) changes one
# operator at a time in a package's code (< to <=, == to !=, && to ||, + to -, break to
# continue, ...) and runs the package's tests against each change: a change the tests do not
# notice ("survived") is behaviour nobody checks. Results go to MUTANTS_OUT (one JSON file, one
# log and one metadata file per package); tools/mutants rechecks the mutants gremlins found
# timed out or surviving, then writes docs/MUTATION.md from the results.
#
# Usage: scripts/mutants.sh [PACKAGE ...]   (default: every package below, one after another)
#
# Each package runs in a copy of the working tree that holds the Go files of that package and of
# what its tests import, nothing else, so that gremlins' coverage run and its copies per worker
# see only that package. Packages whose tests need Neo4j get the database named by
# INCIDENTGRAPH_TEST_NEO4J_URI (make mutants starts one of its own), and run only the tests of
# the files that check the code under mutation (a -run pattern built from those files' test
# functions), so that each mutant costs seconds, not the whole package's suite.
#
# Environment (defaults in brackets):
#   MUTANTS_OUT       where results go [docs/mutation: committed, so that a later run can
#                     score again only the packages that changed]
#   MUTANTS_TIMEOUT   wall-clock bound for one package [3h]
#   MUTANTS_WORKERS   mutants tested at once [1]
#   MUTANTS_COEFF     a mutant's test run may take this many times the coverage run [5]
#   MUTANTS_NICE      niceness of the runs [10]
#   MUTANTS_FLAGS     more gremlins flags, e.g. --dry-run to list the mutants without testing
set -euo pipefail

GREMLINS_VERSION=v0.6.0
MUTATORS=(--arithmetic-base --conditionals-boundary --conditionals-negation --increment-decrement
	--invert-negatives --invert-logical --invert-loopctrl)

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
OUT=${MUTANTS_OUT:-$REPO_ROOT/docs/mutation}
TIMEOUT=${MUTANTS_TIMEOUT:-3h}
COEFF=${MUTANTS_COEFF:-5}
WORKERS=${MUTANTS_WORKERS:-1}
NICE=${MUTANTS_NICE:-10}
GREMLINS=$REPO_ROOT/bin/gremlins-$GREMLINS_VERSION
ALL=(root cypherlex gtd patterns analysis export server-httpspec server-limits server-trusted server-auth guard guard-domain)

# spec NAME sets dir (the package's directory), mutate (the files mutated; empty: all of the
# package's files), tests (the test files whose functions are run; empty: all of the package's
# tests), skip (test functions of those files left out: slow ones whose checks faster tests
# make too) and db (1 when the tests need Neo4j).
spec() {
	mutate= tests= skip= db=0
	case $1 in
	root) dir=. ;;
	cypherlex | gtd | patterns | analysis) dir=$1 ;;
	export)
		# All of export's tests but the one that runs the GeoJSON checker from npm
		# (tools/check-geojson): its node_modules are not in the copy, and the package's own
		# RFC 7946 reader checks the same documents.
		dir=export db=1 skip="TestGeoJSONPassesPlacemarksChecker"
		;;
	server-httpspec | server-limits | server-trusted | server-auth)
		# server's request checks, one file at a time (each takes long): the GraphQL-over-HTTP
		# checks, the operation and rate limits, persisted and trusted documents, bearer tokens.
		# The tests are those of the files that check them; the two that cut Neo4j away during
		# authentication (20 s per mutant) are left out.
		dir=server db=1
		mutate=${1#server-}.go
		tests="httpspec_test.go httpspec_fuzz_test.go dupmembers_test.go limits_test.go trusted_test.go auth_test.go requestchecks_mutants_test.go"
		skip="TestSilentDatabaseDuringAuthenticationIsBounded TestLostDatabaseDuringAuthenticationIsUnavailable"
		;;
	guard | guard-domain)
		# The Cypher guard: its lexer-level checks (guard: cypherguard.go) and its allow-list of
		# the graph's labels and types (guard-domain: cypherdomain.go), run apart because each
		# takes long. TestAnalystsReadOnlyTheGraph (a minute against Neo4j per mutant) and the
		# EXPLAIN oracle's self-test are left out; the fuzz target's seeds and the other guard
		# tests run.
		dir=neo4j db=1
		mutate=cypherguard.go
		[ "$1" = guard-domain ] && mutate=cypherdomain.go
		tests="cypherguard_test.go cypherguard_fuzz_test.go cypherdomain_test.go cypherdomain_db_test.go cypherguard_mutants_test.go"
		skip="TestAnalystsReadOnlyTheGraph TestCypherGuardNeo4jOracleFindsFaults"
		;;
	*) echo "mutants: unknown package $1 (known: ${ALL[*]})" >&2; return 1 ;;
	esac
}

install_gremlins() {
	[ -x "$GREMLINS" ] && return
	echo "mutants: installing gremlins $GREMLINS_VERSION"
	local tmp
	tmp=$(mktemp -d)
	(cd "$tmp" && GOBIN="$tmp" GOFLAGS= go install "github.com/go-gremlins/gremlins/cmd/gremlins@$GREMLINS_VERSION")
	mkdir -p "$(dirname "$GREMLINS")"
	mv "$tmp/gremlins" "$GREMLINS"
	rm -rf "$tmp"
}

# copy_tree DIR DEST copies into DEST the working tree's files (tracked and untracked, not
# ignored, plus the built web bundle) except the Go files of packages that DIR's tests do not
# import.
copy_tree() {
	local dir=$1 dest=$2
	local closure
	closure=$(cd "$REPO_ROOT" && go list -deps -test -f '{{if not .Standard}}{{.Dir}}{{end}}' "./$dir" |
		sed -n "s|^$REPO_ROOT\$|.|p; s|^$REPO_ROOT/||p" | sort -u)
	(
		cd "$REPO_ROOT"
		{ git ls-files -z -co --exclude-standard; find web/dist -type f -print0 2>/dev/null; } |
			while IFS= read -r -d '' f; do
				[ -f "$f" ] || continue
				if [[ $f == *.go ]]; then
					d=$(dirname "$f")
					grep -qxF -- "$d" <<<"$closure" || continue
				fi
				printf '%s\0' "$f"
			done | tar --null -T - -cf - | tar -xf - -C "$dest"
	)
}

# run_pattern DIR SKIP FILES... prints a -run pattern matching the test and fuzz functions of
# FILES but those named in SKIP.
run_pattern() {
	local dir=$1 skip=$2
	shift 2
	local names=() f n
	for f in "$@"; do
		[ -f "$REPO_ROOT/$dir/$f" ] || continue
		while read -r n; do
			[[ " $skip " == *" $n "* ]] || names+=("$n")
		done < <(sed -n 's/^func \(\(Test\|Fuzz\)[A-Za-z0-9_]*\)(.*/\1/p' "$REPO_ROOT/$dir/$f")
	done
	local IFS='|'
	printf '^(%s)$' "${names[*]}"
}

run_package() {
	local name=$1 dir mutate tests skip db
	spec "$name"
	local work
	work=$(mktemp -d "${TMPDIR:-/tmp}/mutants-$name.XXXXXX")
	copy_tree "$dir" "$work"

	local args=(unleash --workers "$WORKERS" --timeout-coefficient "$COEFF" "${MUTATORS[@]}" -o "$OUT/$name.json" -E '/')
	local f base
	if [ -n "$mutate" ]; then
		for f in "$work/$dir"/*.go; do
			base=$(basename "$f")
			[[ $base == *_test.go ]] && continue
			[[ " $mutate " == *" $base "* ]] || args+=(-E "^${base//./\\.}\$")
		done
	fi
	# shellcheck disable=SC2206 # flags, split on spaces
	args+=(${MUTANTS_FLAGS:-})
	local goflags=${GOFLAGS:-} pattern=
	if [ -n "$tests" ]; then
		# shellcheck disable=SC2086 # a list of file names
		pattern=$(run_pattern "$dir" "$skip" $tests)
		goflags="$goflags -run=$pattern"
	elif [ -n "$skip" ]; then
		# All the package's tests but those named in skip.
		goflags="$goflags -skip=^($(tr ' ' '|' <<<"$skip"))\$"
	fi
	if [ "$db" = 1 ] && [ -z "${INCIDENTGRAPH_TEST_NEO4J_URI:-}" ]; then
		echo "mutants: $name needs Neo4j: set INCIDENTGRAPH_TEST_NEO4J_URI (make mutants does)" >&2
		return 1
	fi

	local commit dirty=0 start end status=0
	commit=$(git -C "$REPO_ROOT" rev-parse HEAD)
	# Dirty: a Go file of the package or of what its tests import differs from the commit.
	local d specs=()
	while read -r d; do if [ "$d" = . ]; then specs+=(":(glob)*.go"); else specs+=(":(glob)$d/*.go"); fi; done < <(cd "$work" && find . -name '*.go' -printf '%h\n' | sed 's|^\./||; s|^\.$|.|' | sort -u)
	[ -z "$(git -C "$REPO_ROOT" status --porcelain --untracked-files=all -- "${specs[@]}")" ] || dirty=1
	echo "mutants: $name ($dir${mutate:+: $mutate}) at ${commit:0:12}$([ $dirty = 1 ] && echo ' with uncommitted changes')"
	start=$(date +%s)
	(cd "$work/$dir" && GOFLAGS=$goflags nice -n "$NICE" timeout "$TIMEOUT" "$GREMLINS" "${args[@]}" "$work/$dir") >"$OUT/$name.log" 2>&1 || status=$?
	# Timed-out and surviving mutants once more, one at a time, with a generous bound: on a loaded
	# machine gremlins' own bound can cut an ordinary run short (tools/mutants/recheck.go).
	if [ $status = 0 ]; then
		(cd "$work/$dir" && GOFLAGS=$goflags nice -n "$NICE" timeout "$TIMEOUT" "$REPORT" recheck -in "$OUT" -name "$name" -work "$work/$dir") >>"$OUT/$name.log" 2>&1 || status=$?
	fi
	end=$(date +%s)
	rm -rf "$work"
	if [ $status != 0 ]; then
		echo "mutants: $name failed (exit $status, see $OUT/$name.log)" >&2
		tail -n 20 "$OUT/$name.log" >&2
		rm -f "$OUT/$name.json"
		return 1
	fi
	{
		echo "name=$name"
		echo "dir=$dir"
		echo "mutate=$mutate"
		echo "tests=$tests"
		echo "skip=$skip"
		echo "run=$pattern"
		echo "commit=$commit"
		echo "dirty=$dirty"
		echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "seconds=$((end - start))"
		echo "workers=$WORKERS"
		echo "gremlins=$GREMLINS_VERSION"
	} >"$OUT/$name.meta"
	echo "mutants: $name done in $((end - start)) s"
}

mkdir -p "$OUT"
# Absolute: gremlins writes its results from the package's copy, not from here.
OUT=$(cd "$OUT" && pwd -P)
install_gremlins
REPORT=$(mktemp -d)/mutants
(cd "$REPO_ROOT" && go build -o "$REPORT" ./tools/mutants)
packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=("${ALL[@]}")
failed=0
for p in "${packages[@]}"; do
	run_package "$p" || failed=1
done
exit $failed
