package neo4j

import (
	"fmt"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/cypherlex"
)

// writeKeywords are the words that begin a clause that writes, listed here rather than taken
// from the guard's own list, so that a word dropped from that list is caught.
var writeKeywords = []string{"CREATE", "MERGE", "SET", "DELETE", "DETACH", "NODETACH", "REMOVE", "FOREACH", "INSERT"}

// writeClauses are whole write clauses that FuzzCypherGuard puts into any text.
var fuzzWriteClauses = []string{
	"CREATE (x:Entity {id: 'x'})", "MERGE (x:Entity {id: 'x'})", "SET n.name = 'x'", "DELETE n",
	"DETACH DELETE n", "NODETACH DELETE n", "REMOVE n.name", "FOREACH (i IN [1] | CREATE ())",
	"INSERT (x:Entity)", "MATCH (n) SET n:Other",
}

// FuzzCypherGuard runs the read-only guard's static checks (guardText: input checks, lexing,
// token checks; no database) on any text, and on that text with a write clause put in the
// middle of it on a line of its own. The guard must never panic; it must refuse every text in
// which the clause is code (outside strings and comments, and not where Cypher reads a name);
// and whatever it accepts must pass guardAcceptFaults. The seed corpus is in
// testdata/fuzz/FuzzCypherGuard; `go test` runs it as ordinary tests.
func FuzzCypherGuard(f *testing.F) {
	f.Add("MATCH (n:Entity) RETURN n", uint8(0), "RETURN 1")
	f.Fuzz(func(t *testing.T, prefix string, clause uint8, suffix string) {
		for _, q := range []string{prefix, prefix + suffix} {
			if _, err := guardText(q, nil); err == nil {
				for _, fault := range guardAcceptFaults(q) {
					t.Error(fault)
				}
			}
		}
		w := fuzzWriteClauses[int(clause)%len(fuzzWriteClauses)]
		if clause >= 128 {
			w = strings.ToLower(w) // keywords in any case
		}
		q := prefix + "\n" + w + "\n" + suffix
		at := len(prefix) + 1
		_, err := guardText(q, nil)
		if err == nil {
			for _, fault := range guardAcceptFaults(q) {
				t.Error(fault)
			}
		}
		toks, lexErr := cypherlex.Lex(q)
		if lexErr != nil {
			if err == nil {
				t.Errorf("%q: accepted, though it does not lex: %v", q, lexErr)
			}
			return
		}
		if i := tokenAt(toks, at); i >= 0 && toks[i].Kind == cypherlex.Ident && !nameAt(toks, i) {
			// The clause is code: the text would write.
			if code := incidentgraph.ErrorCode(err); code != incidentgraph.ECYPHER && code != incidentgraph.EINVALID {
				t.Errorf("%q: a write clause at offset %d is code, and the guard answers %v (%s)", q, at, err, code)
			}
		}
	})
}

// tokenAt returns the index of the token that starts at byte offset pos, or -1.
func tokenAt(toks []cypherlex.Token, pos int) int {
	for i, tk := range toks {
		if tk.Pos == pos {
			return i
		}
	}
	return -1
}

// nameAt reports whether Cypher reads toks[i] as a name rather than a keyword: a property key
// (n.set), a parameter ($set), a label or type (:SET), a map key ({set: 1}) or an alias (AS set).
func nameAt(toks []cypherlex.Token, i int) bool {
	prev := func(text string) bool {
		return i > 0 && (toks[i-1].Is(cypherlex.Punct, text) || toks[i-1].Is(cypherlex.Ident, text))
	}
	return prev(".") || prev("$") || prev(":") || prev("AS") || i+1 < len(toks) && toks[i+1].Is(cypherlex.Punct, ":")
}

// guardAcceptFaults is the property of a text the guard accepted: it lexes, and no word of its
// code is a write keyword, except where Cypher reads a name.
func guardAcceptFaults(q string) []string {
	toks, err := cypherlex.Lex(q)
	if err != nil {
		return []string{fmt.Sprintf("%q: accepted, though it does not lex: %v", q, err)}
	}
	var faults []string
	for i, tk := range toks {
		for _, w := range writeKeywords {
			if tk.Kind == cypherlex.Ident && strings.EqualFold(tk.Text, w) && !nameAt(toks, i) {
				faults = append(faults, fmt.Sprintf("%q: accepted with the write keyword %s at offset %d", q, tk.Text, tk.Pos))
			}
		}
	}
	return faults
}

// TestCypherGuardOracleFindsFaults is the negative control of FuzzCypherGuard's oracles: texts
// that write are faulted when taken as accepted, names that spell keywords are not, and the
// inserted clause is seen as code exactly where it is code.
func TestCypherGuardOracleFindsFaults(t *testing.T) {
	for _, q := range []string{"MATCH (n) DETACH DELETE n", "MATCH (n) set n.x = 1", "RETURN 1 // c\rCREATE (x)", "RETURN 'a' merge (x)"} {
		if len(guardAcceptFaults(q)) == 0 {
			t.Errorf("%q: a writing text passes the acceptance property", q)
		}
	}
	for _, q := range []string{"MATCH (n) RETURN n.set AS delete, {create: 1}, $merge", "MATCH (n:REMOVE) RETURN n // DELETE", "RETURN 'CREATE (x)' AS `SET`", "RETURN 1 /* DELETE */"} {
		if faults := guardAcceptFaults(q); len(faults) > 0 {
			t.Errorf("%q: a read-only text is faulted: %q", q, faults)
		}
	}
	code := func(prefix string) bool {
		toks, err := cypherlex.Lex(prefix + "\nCREATE (x)\n")
		if err != nil {
			return false
		}
		i := tokenAt(toks, len(prefix)+1)
		return i >= 0 && toks[i].Kind == cypherlex.Ident && !nameAt(toks, i)
	}
	for prefix, want := range map[string]bool{
		"MATCH (n)": true, "RETURN 1 //": true, "RETURN 1 /*": false, "RETURN '": false,
		"MATCH (n) RETURN n.": false, "MATCH (n:": false, "RETURN 1 AS": false, "RETURN `": false,
	} {
		if got := code(prefix); got != want {
			t.Errorf("prefix %q: the clause is code: %v, want %v", prefix, got, want)
		}
	}
	// And the guard itself refuses the clause where the oracle says it is code.
	if _, err := guardText("MATCH (n)\nCREATE (x)\n", nil); incidentgraph.ErrorCode(err) != incidentgraph.ECYPHER {
		t.Errorf("guard: %v", err)
	}
}
