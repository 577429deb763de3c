package neo4j

import (
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

// guardRefusal runs the text layers of the guard (lexer, token checks, domain names) on q and
// returns the refusal's message, "" when q passes.
func guardRefusal(t *testing.T, q string) string {
	t.Helper()
	toks, err := lexCypher(q)
	if err == nil {
		err = checkTokens(toks)
	}
	if err == nil {
		return ""
	}
	if c := incidentgraph.ErrorCode(err); c != incidentgraph.ECYPHER && c != incidentgraph.EINVALID {
		t.Errorf("%q: code %s", q, c)
	}
	return incidentgraph.ErrorMessage(err)
}

// TestGuardEdges: refusals that only one check of the guard makes, each with a query the guard
// lets through beside it (the negative control): a dynamic label whose expression is not a
// parameter, an allowed function with a backticked part, dotted names cut short by a token that
// is not a name.
func TestGuardEdges(t *testing.T) {
	for _, tc := range []struct{ query, reason string }{
		{"MATCH (n:$('Entity')) RETURN n", "dynamic labels"},
		{"MATCH (n:Entity) RETURN n", ""},
		// A backticked part of an allowed function's name is still that function.
		{"RETURN date.`truncate`('day', date()) AS d", ""},
		{"RETURN `date`.truncate('day', date()) AS d", ""},
		// A dotted name ends where a part is not a name: what follows is judged on its own.
		{"RETURN apoc.$(x)", "dynamic labels"},
		{"RETURN apoc.`x`.$(y)", "dynamic labels"},
	} {
		got := guardRefusal(t, tc.query)
		if tc.reason == "" && got != "" || tc.reason != "" && !strings.Contains(got, tc.reason) {
			t.Errorf("%q: refused %q, want %q", tc.query, got, tc.reason)
		}
	}
}
