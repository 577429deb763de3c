package patterns_test

import (
	"math"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/patterns"
)

// TestParseEdges: a file that is all header has no query; a query of exactly the length limit
// is accepted and one character more is refused; a description that is an empty string is as
// missing as none.
func TestParseEdges(t *testing.T) {
	if _, err := patterns.Parse("p.cypher", []byte(goodHeader+"// param: id ID \"An id.\"")); err == nil ||
		!strings.Contains(err.Error(), "empty query after the header") {
		t.Errorf("header only: %v", err)
	}

	query := func(n int) string {
		const open, close = "RETURN '", "' AS x"
		return open + strings.Repeat("x", n-len(open)-len(close)) + close
	}
	if p, err := patterns.Parse("p.cypher", []byte(goodHeader+query(incidentgraph.MaxCypherLength))); err != nil || len(p.Cypher) != incidentgraph.MaxCypherLength {
		t.Errorf("a query of %d characters: %v", incidentgraph.MaxCypherLength, err)
	}
	if _, err := patterns.Parse("p.cypher", []byte(goodHeader+query(incidentgraph.MaxCypherLength+1))); err == nil ||
		!strings.HasPrefix(err.Error(), "p.cypher:3: query is 10001 characters long, more than 10000") {
		t.Errorf("a query of %d characters: %v", incidentgraph.MaxCypherLength+1, err)
	}

	for _, desc := range []string{`""`, `"  "`} {
		src := goodHeader + "// param: id ID " + desc + "\nMATCH (n:Entity {id: $id}) RETURN n"
		if _, err := patterns.Parse("p.cypher", []byte(src)); err == nil || !strings.Contains(err.Error(), "description missing") {
			t.Errorf("description %s: %v", desc, err)
		}
	}
}

// TestBindEdges: a pattern without parameters says so when given one; integers at the ends of
// int64 convert exactly and the first float past them is refused rather than wrapped.
func TestBindEdges(t *testing.T) {
	none := &incidentgraph.Pattern{Name: "none"}
	if _, err := patterns.Bind(none, map[string]any{"x": 1}); err == nil || !strings.HasSuffix(err.Error(), "it takes no parameters") {
		t.Errorf("no parameters: %v", err)
	}

	p := &incidentgraph.Pattern{Name: "p", Params: []incidentgraph.PatternParam{{Name: "n", Type: "INT"}}}
	got, err := patterns.Bind(p, map[string]any{"n": float64(math.MinInt64)})
	if err != nil || got["n"] != int64(math.MinInt64) {
		t.Errorf("n = -2^63 as a float: %v, %v", got["n"], err)
	}
	if _, err := patterns.Bind(p, map[string]any{"n": float64(math.MaxInt64)}); err == nil {
		t.Errorf("n = 2^63 as a float (past int64) accepted")
	}
}
