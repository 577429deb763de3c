package neo4j

import (
	"context"
	"strings"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/incidentgraph/incidentgraph"
)

// ExplainCypherForTest runs only the EXPLAIN layer, skipping the lexical guard, so that tests
// can show the plan checks refuse on their own.
func (db *DB) ExplainCypherForTest(ctx context.Context, query string) error {
	_, err := readTx(ctx, db, func(tx driver.ManagedTransaction) (bool, error) {
		return true, db.explain(ctx, tx, query, query, nil)
	})
	return err
}

// RunCypherUncheckedForTest runs a query in the read transaction alone, skipping the lexical
// and EXPLAIN layers, so that tests can show the transaction refuses writes on its own.
func (db *DB) RunCypherUncheckedForTest(ctx context.Context, query string) error {
	_, err := readTx(ctx, db, func(tx driver.ManagedTransaction) (*incidentgraph.CypherResult, error) {
		return runCypher(ctx, tx, query, nil, 10)
	})
	return err
}

func TestLexCypherRefuses(t *testing.T) {
	for _, tc := range []struct{ query, code, reason string }{
		{"CREATE (n:X)", incidentgraph.ECYPHER, "writes are not allowed"},
		{"match (n:Entity) detach delete n", incidentgraph.ECYPHER, "(DETACH)"},
		{"MATCH (n:Entity) /* a */ SeT n.x = 1", incidentgraph.ECYPHER, "(SET)"},
		{"MATCH (n:Entity) // hidden?\nDELETE n", incidentgraph.ECYPHER, "(DELETE)"},
		{"MATCH (n:Entity) RETURN n // \u2028DELETE n", incidentgraph.ECYPHER, "U+2028"},
		{"MATCH (n:Entity) RETURN n //\rDELETE n", incidentgraph.ECYPHER, "(DELETE)"},
		{"ＣＲＥＡＴＥ (n:X)", incidentgraph.ECYPHER, "U+FF23"},
		{"MATCH (n:Entity) DE\u200dLETE n", incidentgraph.ECYPHER, "U+200D"},
		{"MATCH (n:Entity) RETURN 'it\\'s' AS s CREATE (x)", incidentgraph.ECYPHER, "(CREATE)"},
		{"MATCH (n:Entity) RETURN n /* x */ */ MERGE (x)", incidentgraph.ECYPHER, "(MERGE)"},
		{"CREATE INDEX i FOR (n:Entity) ON (n.name)", incidentgraph.ECYPHER, "(CREATE INDEX)"},
		{"CREATE OR REPLACE DATABASE x", incidentgraph.ECYPHER, "(CREATE OR)"},
		{"show users", incidentgraph.ECYPHER, "(SHOW)"},
		{"LOAD /* */ CSV FROM 'file:///x' AS l RETURN l", incidentgraph.ECYPHER, "LOAD CSV"},
		{"use system MATCH (n:Entity) RETURN n", incidentgraph.ECYPHER, "USE is not allowed"},
		{"MATCH (n:Entity) CALL (n) { RETURN 1 AS x } IN TRANSACTIONS RETURN x", incidentgraph.ECYPHER, "IN TRANSACTIONS"},
		{"CALL `db`.`createLabel`('X')", incidentgraph.ECYPHER, "db.createLabel is not in the allow-list"},
		{"CALL `db.createLabel`('X')", incidentgraph.ECYPHER, "db.createLabel is not in the allow-list"},
		{"RETURN apoc . text . join(['a'], ',')", incidentgraph.ECYPHER, "apoc.text.join is not in the allow-list"},
		{"RETURN `toUpper`('a')", incidentgraph.ECYPHER, "backticked function names"},
		{"RETURN `apoc`.text.join(['a'], ',')", incidentgraph.ECYPHER, "apoc.text.join is not in the allow-list"},
		{"RETURN `db`.nameFromElementId('4:x:0')", incidentgraph.ECYPHER, "db.nameFromElementId is not in the allow-list"},
		{"MATCH (n:$($l)) RETURN n", incidentgraph.ECYPHER, "dynamic labels"},
		{"MATCH (n:$any($l)) RETURN n", incidentgraph.ECYPHER, "dynamic labels"},
		{"MATCH (n:`APITOKEN`) RETURN n", incidentgraph.ECYPHER, "APITOKEN is not a label or relationship type of the graph"},
		{"CALL db.labels", incidentgraph.ECYPHER, "procedure db.labels is called without parentheses"},
		{"CALL db.index.fulltext.queryNodes YIELD node RETURN node", incidentgraph.ECYPHER, "without parentheses"},
		{"EXPLAIN MATCH (n:Entity) RETURN n", incidentgraph.ECYPHER, "EXPLAIN"},
		{"CYPHER runtime=slotted MATCH (n:Entity) RETURN n", incidentgraph.ECYPHER, "query options"},
		{"MATCH (n:Entity) RETURN 'open", incidentgraph.EINVALID, "unterminated string"},
		{"MATCH (n:Entity) RETURN n /* open", incidentgraph.EINVALID, "unterminated comment"},
		{"MATCH (n:`Entity) RETURN n", incidentgraph.EINVALID, "unterminated backticked"},
		{"  // only a comment", incidentgraph.EINVALID, "empty"},
	} {
		toks, err := lexCypher(tc.query)
		if err == nil {
			err = checkTokens(toks)
		}
		if incidentgraph.ErrorCode(err) != tc.code || !strings.Contains(incidentgraph.ErrorMessage(err), tc.reason) {
			t.Errorf("%q: got %s %q, want %s mentioning %q", tc.query, incidentgraph.ErrorCode(err), incidentgraph.ErrorMessage(err), tc.code, tc.reason)
		}
	}
}

// The negative control of the refusals above: the same words as names, in strings or in
// comments are not keywords, and allow-listed names pass.
func TestLexCypherAllows(t *testing.T) {
	for _, q := range []string{
		"MATCH (n:Entity) WHERE n.name = 'DETACH DELETE n' RETURN n",
		"MATCH (n:Entity) // CREATE (x)\nRETURN n /* SET n.x = 1 */",
		"MATCH (n:Entity) RETURN n.set, n {.create, delete: 1}, $merge, n.name AS show",
		"MATCH (n:Entity) WHERE 'x' IN n.aliases RETURN n",
		"MATCH (`n`:Entity) RETURN `n`.name AS name, `date`.truncate('month', date()) AS m",
		"CALL db.labels() YIELD label RETURN label",
		"CALL db.labels ( )",
		// A parameter's members are names, not a namespace (calling one is Neo4j's syntax error).
		"RETURN $apoc.text.join(['a'], ',')",
		"CALL db.index.fulltext.queryNodes('entity_search', $q) YIELD node RETURN node",
		"RETURN point.distance(point({x: 0, y: 0}), point({x: 3, y: 4})) AS d, date.truncate('month', date()) AS m",
		"RETURN vector.similarity.cosine([1.0, 0.0], [1.0, 0.0]) AS s, toUpper('x') AS u",
		"MATCH p = (a:Entity)-[*1..2]-(b:Entity) RETURN p LIMIT 1",
		"MATCH (n:Entity {id: $id}) RETURN n.name AS `ＣＲＥＡＴＥ`, 'ＣＲＥＡＴＥ' AS s // ＣＲＥＡＴＥ",
	} {
		toks, err := lexCypher(q)
		if err == nil {
			err = checkTokens(toks)
		}
		if err != nil {
			t.Errorf("%q refused: %v", q, err)
		}
	}
}

func TestCheckInput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		query  string
		params map[string]any
		reason string
	}{
		{"empty", "  ", nil, "empty"},
		{"invalid UTF-8", "RETURN '\xff'", nil, "UTF-8"},
		{"too long", "RETURN 1" + strings.Repeat(" ", incidentgraph.MaxCypherLength), nil, "at most"},
		{"parameter name", "RETURN 1", map[string]any{"a b": 1}, "not a valid identifier"},
		{"parameter value", "RETURN 1", map[string]any{"f": func() {}}, "not a JSON value"},
		{"nested parameter value", "RETURN 1", map[string]any{"m": map[string]any{"x": []any{struct{}{}}}}, "not a JSON value"},
	} {
		_, err := checkInput(tc.query, tc.params)
		if incidentgraph.ErrorCode(err) != incidentgraph.EINVALID || !strings.Contains(incidentgraph.ErrorMessage(err), tc.reason) {
			t.Errorf("%s: got %v, want %s mentioning %q", tc.name, err, incidentgraph.EINVALID, tc.reason)
		}
	}
	// Control: the longest allowed query and JSON-like parameters pass, numbers normalised.
	p, err := checkInput(strings.Repeat(" ", incidentgraph.MaxCypherLength-8)+"RETURN 1",
		map[string]any{"n": 3, "xs": []string{"a"}, "m": map[string]any{"k": nil, "f": 1.5}})
	if err != nil {
		t.Fatal(err)
	}
	if p["n"] != int64(3) {
		t.Errorf("int parameter became %T", p["n"])
	}
}

// The graph cap drops the row that passes it, and with it what that row added to the chart.
func TestCypherReaderUndoesARow(t *testing.T) {
	r := newCypherReader()
	a := dbtype.Node{ElementId: "a", Labels: []string{"Entity"}, Props: map[string]any{"id": "a", "kind": "PERSON", "name": "A"}}
	rel := dbtype.Relationship{ElementId: "r", StartElementId: "a", EndElementId: "b", Type: "MEMBER_OF", Props: map[string]any{"id": "r1"}}
	r.value(a)
	r.journal = r.journal[:0] // the first row is kept
	if r.items() != 1 {
		t.Fatalf("%d items after one node", r.items())
	}
	r.value([]any{rel, dbtype.Node{ElementId: "c", Labels: []string{"Entity"}, Props: map[string]any{"id": "c"}}})
	if r.items() != 4 { // a, c, the relationship and its end b, not yet seen
		t.Fatalf("%d items after the second row, want 4", r.items())
	}
	r.undo()
	if r.items() != 1 || len(r.nodeOrder) != 1 || len(r.relOrder) != 0 || len(r.ends) != 0 {
		t.Errorf("after undo: %d items, nodes %v, rels %v, ends %v", r.items(), r.nodeOrder, r.relOrder, r.ends)
	}
	// Only entities and figures show: never another node's properties.
	if v := r.value(dbtype.Node{ElementId: "t", Labels: []string{"ApiToken"}, Props: map[string]any{"hash": "h"}}); v != nil || r.items() != 1 {
		t.Errorf("an internal node read as %v", v)
	}
	if v, _ := r.value(dbtype.Node{ElementId: "f", Labels: []string{"Figure"}, Props: map[string]any{"metric": "killed"}}).(map[string]any); v["metric"] != "killed" {
		t.Errorf("a figure read as %v", v)
	}
}
