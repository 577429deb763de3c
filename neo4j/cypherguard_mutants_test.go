package neo4j

import (
	"encoding/json"
	"math"
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
		// A backticked part in the middle of a dotted name is still part of it.
		{"RETURN apoc.`text`.join(['a'], ',')", "function apoc.text.join is not in the allow-list"},
		// A dotted name ends where a part is not a name: what follows is judged on its own.
		{"RETURN apoc.$(x)", "dynamic labels"},
		{"RETURN apoc.`x`.$(y)", "dynamic labels"},
		// LOAD is a keyword only before CSV: a variable may be called load.
		{"MATCH (n:Entity) WITH n AS load RETURN load.name", ""},
		// A name that starts with a dot has an empty namespace, which no allow-list names.
		{"RETURN `.x`(1)", "function .x is not in the allow-list"},
	} {
		got := guardRefusal(t, tc.query)
		if tc.reason == "" && got != "" || tc.reason != "" && !strings.Contains(got, tc.reason) {
			t.Errorf("%q: refused %q, want %q", tc.query, got, tc.reason)
		}
	}
}

// TestParameterValuesAtTheirEdges: lists and maps nested to the limit pass and one level more
// is refused, whichever holds the other; NaN and the infinities are refused each on its own.
func TestParameterValuesAtTheirEdges(t *testing.T) {
	nest := func(n int, wrap func(any) any) any {
		var v any = "leaf"
		for range n {
			v = wrap(v)
		}
		return v
	}
	list := func(v any) any { return []any{v} }
	object := func(v any) any { return map[string]any{"k": v} }
	for _, wrap := range []func(any) any{list, object} {
		if _, err := checkInput("RETURN $p", map[string]any{"p": nest(maxParamDepth, wrap)}); err != nil {
			t.Errorf("nested %d levels: %v", maxParamDepth, err)
		}
		if _, err := checkInput("RETURN $p", map[string]any{"p": nest(maxParamDepth+1, wrap)}); err == nil ||
			!strings.Contains(incidentgraph.ErrorMessage(err), "nested more than") {
			t.Errorf("nested %d levels: %v, want a refusal", maxParamDepth+1, err)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := checkInput("RETURN $p", map[string]any{"p": f}); err == nil || !strings.Contains(incidentgraph.ErrorMessage(err), "not a finite number") {
			t.Errorf("%v: %v, want a refusal", f, err)
		}
	}
	if p, err := checkInput("RETURN $p", map[string]any{"p": 1.5}); err != nil || p["p"] != 1.5 {
		t.Errorf("1.5: %v, %v", p, err)
	}
	// JSON numbers: whole ones become integers, others floats; text that is no number is refused.
	if p, err := checkInput("RETURN $p, $q", map[string]any{"p": json.Number("3"), "q": json.Number("1.5")}); err != nil || p["p"] != int64(3) || p["q"] != 1.5 {
		t.Errorf("json.Number 3 and 1.5: %#v, %v", p, err)
	}
	if _, err := checkInput("RETURN $p", map[string]any{"p": json.Number("three")}); err == nil {
		t.Error("json.Number three accepted")
	}
}
