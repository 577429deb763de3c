package neo4j_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// fingerprint returns the graph's fingerprint or fails the test.
func fingerprint(t *testing.T, db *neo4j.DB) string {
	t.Helper()
	fp, err := db.Fingerprint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

func runCypher(t *testing.T, db *neo4j.DB, query string, params map[string]any, limit int) *incidentgraph.CypherResult {
	t.Helper()
	res, err := db.RunCypher(context.Background(), query, params, limit)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return res
}

func TestCypherReadsRows(t *testing.T) {
	db := seeded(t)
	res := runCypher(t, db, "MATCH (n:Organization) RETURN n.name LIMIT 5", nil, 0)
	if !slices.Equal(res.Columns, []string{"n.name"}) || len(res.Rows) != 5 || res.Truncated {
		t.Fatalf("columns %v, %d rows, truncated %v; want [n.name], 5 rows, not truncated", res.Columns, len(res.Rows), res.Truncated)
	}
	for _, row := range res.Rows {
		if s, _ := row["n.name"].(string); s == "" {
			t.Errorf("row %v has no name", row)
		}
	}

	// Parameters are values: the same query finds IS-K by its id and nothing by another.
	q := "MATCH (n:Entity {id: $id}) RETURN n, n.founded AS founded"
	res = runCypher(t, db, q, map[string]any{"id": isk}, 0)
	if len(res.Rows) != 1 {
		t.Fatalf("%d rows for %s", len(res.Rows), isk)
	}
	n, _ := res.Rows[0]["n"].(map[string]any)
	if n["id"] != isk || n["kind"] != string(incidentgraph.KindOrganization) || n["name"] == "" || len(n) != 3 {
		t.Errorf("entity node as %v; want its id, kind and name only", n)
	}
	if len(res.Graph.Nodes) != 1 || res.Graph.Nodes[0].ID != isk {
		t.Errorf("graph %v; want IS-K alone", res.Graph.Nodes)
	}
	if res = runCypher(t, db, q, map[string]any{"id": "no-such-entity"}, 0); len(res.Rows) != 0 {
		t.Errorf("%d rows for an unknown id", len(res.Rows))
	}

	// Aggregates: entities by kind add up to the graph's entity count.
	entities, _, figures, err := db.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	res = runCypher(t, db, "MATCH (n:Entity) RETURN n.kind AS kind, count(*) AS n ORDER BY kind", nil, 0)
	total := int64(0)
	for _, row := range res.Rows {
		total += row["n"].(int64)
	}
	if total != int64(entities) || len(res.Rows) < 2 {
		t.Errorf("kinds add up to %d in %d rows; the graph holds %d entities", total, len(res.Rows), entities)
	}

	// Figures are shown with their properties.
	res = runCypher(t, db, "MATCH (f:Figure) RETURN f ORDER BY f.id LIMIT 1", nil, 0)
	if f, _ := res.Rows[0]["f"].(map[string]any); figures == 0 || f["metric"] == nil || f["subject"] == nil {
		t.Errorf("figure as %v", res.Rows[0]["f"])
	}

	// Values that are not JSON in the driver become JSON-ready.
	res = runCypher(t, db, `RETURN date('2024-03-22') AS d, datetime('2024-03-22T20:00:00+03:00') AS dt,
		duration('P1DT2H') AS du, point({x: 1.5, y: 2}) AS p, 0.0 / 0.0 AS nan, 9007199254740993 AS big,
		[1, {a: 'b'}] AS nested`, nil, 0)
	row := res.Rows[0]
	for k, want := range map[string]any{"d": "2024-03-22", "dt": "2024-03-22T20:00:00+03:00", "du": "P0M1DT7200S",
		"nan": "NaN", "big": int64(9007199254740993)} {
		if row[k] != want {
			t.Errorf("%s = %#v, want %#v", k, row[k], want)
		}
	}
	if p, _ := row["p"].(map[string]any); p["srid"] != int64(7203) || p["x"] != 1.5 || p["y"] != 2.0 {
		t.Errorf("point as %#v", row["p"])
	}
	if nested, _ := row["nested"].([]any); len(nested) != 2 || nested[1].(map[string]any)["a"] != "b" {
		t.Errorf("nested as %#v", row["nested"])
	}
}

func TestCypherLimitTruncates(t *testing.T) {
	db := seeded(t)
	entities, _, _, err := db.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	q := "MATCH (n:Entity) RETURN n.id AS id ORDER BY id"
	res := runCypher(t, db, q, nil, 3)
	if len(res.Rows) != 3 || !res.Truncated || !res.Graph.Truncated {
		t.Errorf("limit 3: %d rows, truncated %v", len(res.Rows), res.Truncated)
	}
	// Control: a limit that holds every row does not truncate.
	if res = runCypher(t, db, q, nil, entities); len(res.Rows) != entities || res.Truncated {
		t.Errorf("limit %d: %d rows, truncated %v", entities, len(res.Rows), res.Truncated)
	}
	for _, limit := range []int{-1, incidentgraph.MaxCypherRows + 1} {
		if _, err := db.RunCypher(context.Background(), q, nil, limit); incidentgraph.ErrorCode(err) != incidentgraph.EINVALID {
			t.Errorf("limit %d: %v, want %s", limit, err, incidentgraph.EINVALID)
		}
	}
	// The byte cap: a thousand rows of 10 000 characters pass MaxCypherBytes.
	big := strings.Repeat("x", 10000)
	res = runCypher(t, db, "UNWIND range(1, 1000) AS i RETURN $big AS s", map[string]any{"big": big}, incidentgraph.MaxCypherRows)
	if !res.Truncated || len(res.Rows) >= 1000 || len(res.Rows)*len(big) > incidentgraph.MaxCypherBytes {
		t.Errorf("10 MB of rows: %d rows, truncated %v; want cut below %d bytes", len(res.Rows), res.Truncated, incidentgraph.MaxCypherBytes)
	}
	// Control: the same rows, shorter, all come back.
	res = runCypher(t, db, "UNWIND range(1, 1000) AS i RETURN $big AS s", map[string]any{"big": "x"}, incidentgraph.MaxCypherRows)
	if res.Truncated || len(res.Rows) != 1000 {
		t.Errorf("1000 short rows: %d rows, truncated %v", len(res.Rows), res.Truncated)
	}
}

// A query that returns only relationships or paths still gets a closed chart: every edge's
// ends are among its nodes, fetched in the same transaction.
func TestCypherGraphIsClosed(t *testing.T) {
	db := seeded(t)
	closed := func(g *incidentgraph.Subgraph) bool {
		ids := map[string]bool{}
		for _, n := range g.Nodes {
			ids[n.ID] = true
		}
		for _, e := range g.Edges {
			if !ids[e.FromID] || !ids[e.ToID] {
				return false
			}
		}
		return true
	}
	res := runCypher(t, db, "MATCH (:Entity {id: $id})-[r]->(:Entity) RETURN r ORDER BY r.id", map[string]any{"id": isk}, 0)
	if len(res.Rows) == 0 || len(res.Graph.Edges) != len(res.Rows) || !closed(res.Graph) {
		t.Fatalf("%d rows, graph %d nodes %d edges, closed %v", len(res.Rows), len(res.Graph.Nodes), len(res.Graph.Edges), closed(res.Graph))
	}
	for _, row := range res.Rows {
		r := row["r"].(map[string]any)
		if r["source"] != isk || r["target"] == nil || r["type"] == "" || r["confidence"] == nil || r["status"] == nil {
			t.Errorf("relationship as %v", r)
		}
	}
	// Control: the rows returned no node, so every node of the chart was fetched for it.
	if len(res.Graph.Nodes) < 2 {
		t.Errorf("chart holds %d nodes", len(res.Graph.Nodes))
	}

	res = runCypher(t, db, "MATCH p = (a:Entity {id: $from})-[*1..3]-(b:Entity {id: $to}) RETURN p LIMIT 1",
		map[string]any{"from": isk, "to": moscow}, 0)
	if len(res.Rows) != 1 {
		t.Fatalf("%d paths", len(res.Rows))
	}
	p := res.Rows[0]["p"].(map[string]any)
	nodes, edges := p["nodes"].([]any), p["edges"].([]any)
	if nodes[0] != isk || nodes[len(nodes)-1] != moscow || len(edges) != len(nodes)-1 {
		t.Errorf("path as %v", p)
	}
	distinct := map[any]bool{}
	for _, n := range nodes {
		distinct[n] = true
	}
	if len(res.Graph.Nodes) != len(distinct) || len(res.Graph.Edges) != len(edges) || !closed(res.Graph) {
		t.Errorf("path chart %d nodes %d edges for a path of %d nodes", len(res.Graph.Nodes), len(res.Graph.Edges), len(nodes))
	}

	// A path that comes back to where it started lists its nodes as walked, the first one twice,
	// though the chart holds it once.
	res = runCypher(t, db, "MATCH p = (a:Entity {id: $a})-[]-(:Entity {id: $b})-[]-(a) RETURN p LIMIT 1",
		map[string]any{"a": isk, "b": is}, 0)
	if len(res.Rows) != 1 {
		t.Fatalf("%d round trips", len(res.Rows))
	}
	p = res.Rows[0]["p"].(map[string]any)
	if nodes := p["nodes"].([]any); !slices.Equal(nodes, []any{isk, is, isk}) || len(res.Graph.Nodes) != 2 || len(res.Graph.Edges) != 2 {
		t.Errorf("round trip as %v, chart of %d nodes and %d edges", p, len(res.Graph.Nodes), len(res.Graph.Edges))
	}
}

// corpusCase is one write, escape or abuse attempt and the code it must end with.
type corpusCase struct {
	name   string
	query  string
	params map[string]any
	code   string
	reason string // in the message; "" for TIMEOUT
}

var cypherCorpus = []corpusCase{
	{"create", "CREATE (n:Entity {id: 'x'}) RETURN n", nil, incidentgraph.ECYPHER, "writes are not allowed"},
	{"merge", "MERGE (n:Entity {id: 'x'}) RETURN n", nil, incidentgraph.ECYPHER, "writes are not allowed"},
	{"set", "MATCH (n:Entity {id: $id}) SET n.name = 'x'", map[string]any{"id": isk}, incidentgraph.ECYPHER, "(SET)"},
	{"delete", "MATCH (:Entity)-[r]->(:Entity) DELETE r", nil, incidentgraph.ECYPHER, "(DELETE)"},
	{"detach delete", "MATCH (n:Entity) DETACH DELETE n", nil, incidentgraph.ECYPHER, "(DETACH)"},
	{"insert", "INSERT (n:Entity {id: 'x'})", nil, incidentgraph.ECYPHER, "(INSERT)"},
	{"nodetach delete", "MATCH (n:Entity) NODETACH DELETE n", nil, incidentgraph.ECYPHER, "(NODETACH)"},
	{"remove", "MATCH (n:Entity) REMOVE n.name", nil, incidentgraph.ECYPHER, "(REMOVE)"},
	{"foreach set", "MATCH (n:Entity) FOREACH (x IN [1] | SET n.name = 'x')", nil, incidentgraph.ECYPHER, "(FOREACH)"},
	{"write in subquery", "MATCH (n:Entity) CALL (n) { CREATE (:X) } RETURN n", nil, incidentgraph.ECYPHER, "(CREATE)"},
	{"write after procedure", "CALL db.labels() YIELD label CREATE (:X {l: label})", nil, incidentgraph.ECYPHER, "(CREATE)"},
	{"createLabel", "CALL db.createLabel('X')", nil, incidentgraph.ECYPHER, "procedure db.createLabel is not in the allow-list"},
	{"createUser", "CALL dbms.security.createUser('eve', 'secret', false)", nil, incidentgraph.ECYPHER, "procedure dbms.security.createUser is not in the allow-list"},
	{"dbms read", "CALL dbms.components()", nil, incidentgraph.ECYPHER, "procedure dbms.components is not in the allow-list"},
	{"fulltext createNodeIndex", "CALL db.index.fulltext.createNodeIndex('x', ['Entity'], ['name'])", nil, incidentgraph.ECYPHER, "not in the allow-list"},
	{"backticked procedure", "CALL `db`.`createLabel`('X')", nil, incidentgraph.ECYPHER, "not in the allow-list"},
	{"load csv file", "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l", nil, incidentgraph.ECYPHER, "LOAD CSV is not allowed"},
	{"load csv http", "LOAD CSV WITH HEADERS FROM 'http://127.0.0.1:1/x.csv' AS l RETURN l", nil, incidentgraph.ECYPHER, "LOAD CSV is not allowed"},
	{"use system", "USE system SHOW USERS", nil, incidentgraph.ECYPHER, "USE is not allowed"},
	{"use neo4j", "USE neo4j MATCH (n:Entity) RETURN n", nil, incidentgraph.ECYPHER, "USE is not allowed"},
	{"show users", "SHOW USERS", nil, incidentgraph.ECYPHER, "(SHOW)"},
	{"show databases", "show databases", nil, incidentgraph.ECYPHER, "(SHOW)"},
	{"create user", "CREATE USER eve SET PASSWORD 'secret'", nil, incidentgraph.ECYPHER, "(CREATE USER)"},
	{"create index", "CREATE INDEX x FOR (n:Entity) ON (n.name)", nil, incidentgraph.ECYPHER, "(CREATE INDEX)"},
	{"create constraint", "CREATE CONSTRAINT c FOR (n:Entity) REQUIRE n.name IS UNIQUE", nil, incidentgraph.ECYPHER, "(CREATE CONSTRAINT)"},
	{"drop index", "DROP INDEX entity_search", nil, incidentgraph.ECYPHER, "(DROP)"},
	{"drop database", "DROP DATABASE neo4j", nil, incidentgraph.ECYPHER, "(DROP)"},
	{"grant", "GRANT ROLE admin TO eve", nil, incidentgraph.ECYPHER, "(GRANT)"},
	{"alter user", "ALTER USER neo4j SET PASSWORD 'x'", nil, incidentgraph.ECYPHER, "(ALTER)"},
	{"terminate", "TERMINATE TRANSACTION 'neo4j-transaction-1'", nil, incidentgraph.ECYPHER, "(TERMINATE)"},
	{"in transactions", "MATCH (n:Entity) CALL (n) { RETURN n.id AS i } IN TRANSACTIONS RETURN i", nil, incidentgraph.ECYPHER, "IN TRANSACTIONS"},
	{"block comment", "MATCH (n:Entity) /* just reading */ DETACH DELETE n", nil, incidentgraph.ECYPHER, "(DETACH)"},
	{"line comment", "MATCH (n:Entity) // just reading\nDETACH DELETE n", nil, incidentgraph.ECYPHER, "(DETACH)"},
	{"line separator ends comment", "MATCH (n:Entity) RETURN n // \u2028DETACH DELETE n", nil, incidentgraph.ECYPHER, "U+2028"},
	{"odd case", "mAtCh (n:Entity) DeTaCh dElEtE n", nil, incidentgraph.ECYPHER, "(DETACH)"},
	{"fullwidth", "ＣＲＥＡＴＥ (n:X)", nil, incidentgraph.ECYPHER, "U+FF23"},
	{"zero-width joiner", "MATCH (n:Entity) DE\u200dLETE n", nil, incidentgraph.ECYPHER, "U+200D"},
	{"backticked keyword", "MATCH (n:Entity) `DELETE` n", nil, incidentgraph.EINVALID, "Invalid input"},
	{"dynamic label ApiToken", "MATCH (n:$($l)) RETURN n", map[string]any{"l": "ApiToken"}, incidentgraph.ECYPHER, "dynamic labels"},
	{"dynamic any label", "MATCH (n:$any($l)) RETURN properties(n)", map[string]any{"l": []any{"ApiToken"}}, incidentgraph.ECYPHER, "dynamic labels"},
	{"api tokens", "MATCH (t:ApiToken) RETURN t", nil, incidentgraph.ECYPHER, "ApiToken is not a label or relationship type of the graph"},
	{"api token hashes", "MATCH (t:`ApiToken`) RETURN t.hash", nil, incidentgraph.ECYPHER, "ApiToken is not a label or relationship type of the graph"},
	{"all nodes", "MATCH (n) RETURN n", nil, incidentgraph.ECYPHER, "start from a label"},
	{"negated label", "MATCH (n:!Entity) RETURN properties(n)", nil, incidentgraph.ECYPHER, "start from a label"},
	{"internal id", "MATCH (n) WHERE id(n) = 0 RETURN properties(n)", nil, incidentgraph.ECYPHER, "internal id"},
	{"element id", "MATCH (n) WHERE elementId(n) = $e RETURN properties(n)", map[string]any{"e": "4:x:0"}, incidentgraph.ECYPHER, "internal id"},
	{"apoc procedure", "CALL apoc.cypher.run('MATCH (n) DETACH DELETE n', {})", nil, incidentgraph.ECYPHER, "apoc.cypher.run is not in the allow-list"},
	{"apoc concatenation", "CALL apoc.cypher.runWrite('CRE' + 'ATE (n:X)', {})", nil, incidentgraph.ECYPHER, "not in the allow-list"},
	{"apoc function", "RETURN apoc.text.join(['a', 'b'], ',') AS s", nil, incidentgraph.ECYPHER, "apoc.text.join is not in the allow-list"},
	{"db function", "RETURN db.nameFromElementId('4:x:0') AS s", nil, incidentgraph.ECYPHER, "not in the allow-list"},
	{"explain", "EXPLAIN MATCH (n:Entity) RETURN n", nil, incidentgraph.ECYPHER, "EXPLAIN"},
	{"profile", "PROFILE MATCH (n:Entity) RETURN n", nil, incidentgraph.ECYPHER, "PROFILE"},
	{"syntax", "MATC (n:Entity) RETURN n", nil, incidentgraph.EINVALID, "(line 1, column 1 (offset: 0))"},
	{"semantics", "MATCH (n:Entity)\nRETURN m", nil, incidentgraph.EINVALID, "Variable `m` not defined (line 2, column 8 (offset: 24))"},
	{"lucene syntax", "CALL db.index.fulltext.queryNodes('entity_search', 'AND AND') YIELD node RETURN node", nil, incidentgraph.EINVALID, "Failed to invoke procedure `db.index.fulltext.queryNodes`: Encountered"},
	{"invalid parameter", "RETURN $x", map[string]any{"x": struct{}{}}, incidentgraph.EINVALID, "not a JSON value"},
	// The filter keeps Neo4j from answering count(*) from its count store in no time.
	{"cartesian bomb", "MATCH (a:Entity),(b:Entity),(c:Entity),(d:Entity),(e:Entity),(f:Entity),(g:Entity) WHERE a.name < g.name RETURN count(*)", nil, incidentgraph.ETIMEOUT, ""},
	{"huge collect", "UNWIND range(1, 100000000) AS x RETURN collect(x)", nil, incidentgraph.ETIMEOUT, ""},
}

// TestCypherCorpus runs every attempt through RunCypher (and, for the refusals, CheckCypher)
// and shows the graph is the same afterwards.
func TestCypherCorpus(t *testing.T) {
	ctx := context.Background()
	seeded(t)
	cfg := testdb.Config(t)
	// A short timeout: the bombs run far longer than any timeout, so the outcome does not
	// depend on the machine's speed.
	cfg.QueryTimeout = 2 * time.Second
	db, err := neo4j.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	before := fingerprint(t, db)
	if len(cypherCorpus) < 40 {
		t.Fatalf("the corpus holds %d attempts", len(cypherCorpus))
	}
	for _, tc := range cypherCorpus {
		res, err := db.RunCypher(ctx, tc.query, tc.params, 0)
		code, msg := incidentgraph.ErrorCode(err), incidentgraph.ErrorMessage(err)
		if tc.name == "huge collect" && code == incidentgraph.EINVALID && strings.Contains(msg, "memory") {
			code = incidentgraph.ETIMEOUT // Neo4j's memory guard may stop it first; either stops it
		}
		if err == nil || code != tc.code || !strings.Contains(msg, tc.reason) {
			t.Errorf("%s: got %v (%s %q), want %s mentioning %q", tc.name, res, code, msg, tc.code, tc.reason)
			continue
		}
		if strings.Contains(msg, "EXPLAIN "+strings.Fields(tc.query)[0]) {
			t.Errorf("%s: message shows the statement as sent: %q", tc.name, msg)
		}
		// CheckCypher makes the same checks without running anything: what fails only when it
		// runs (the bombs, a bad full-text query) passes it.
		failsOnlyWhenRun := tc.code == incidentgraph.ETIMEOUT || tc.name == "lucene syntax"
		err = db.CheckCypher(ctx, tc.query, tc.params)
		if failsOnlyWhenRun && err != nil || !failsOnlyWhenRun && incidentgraph.ErrorCode(err) != tc.code {
			t.Errorf("%s: CheckCypher gave %v", tc.name, err)
		}
	}
	if after := fingerprint(t, db); after != before {
		t.Error("the corpus changed the graph")
	}
}

// Harmless look-alikes: strings that read as Cypher are values, never code.
func TestCypherStringsAreValues(t *testing.T) {
	db := seeded(t)
	before := fingerprint(t, db)
	for _, tc := range []struct {
		query  string
		params map[string]any
		want   string
	}{
		{"RETURN $q AS v", map[string]any{"q": "MATCH (n) DETACH DELETE n"}, "MATCH (n) DETACH DELETE n"},
		{"WITH 'MATCH (n) DE' + 'TACH DELETE n' AS q RETURN q AS v", nil, "MATCH (n) DETACH DELETE n"},
		{"RETURN 'CREATE (x) // ＣＲＥＡＴＥ' AS v /* DELETE */", nil, "CREATE (x) // ＣＲＥＡＴＥ"},
		{"MATCH (n:Entity {id: $id}) RETURN n.name + ' SET n.x = 1' AS v", map[string]any{"id": is}, "Islamic State group SET n.x = 1"},
	} {
		res := runCypher(t, db, tc.query, tc.params, 0)
		if len(res.Rows) != 1 || res.Rows[0]["v"] != tc.want {
			t.Errorf("%s: rows %v, want v = %q", tc.query, res.Rows, tc.want)
		}
	}
	if after := fingerprint(t, db); after != before {
		t.Error("strings that read as writes changed the graph")
	}
}

// The fingerprint is a working oracle: one more entity changes it.
func TestCypherFingerprintSeesAWrite(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	ds := testdb.MustSeed(t, db)
	before := fingerprint(t, db)
	more := *ds
	extra := *ds.Entities[0]
	extra.ID = "written-by-the-control"
	more.Entities = append(slices.Clone(ds.Entities), &extra)
	if _, err := db.Load(ctx, &more); err != nil {
		t.Fatal(err)
	}
	if fingerprint(t, db) == before {
		t.Error("a graph with one more entity has the same fingerprint")
	}
	testdb.MustSeed(t, db)
	if fingerprint(t, db) != before {
		t.Error("reseeding did not restore the fingerprint")
	}
}

// Each later layer refuses on its own, should an earlier one let something through.
func TestCypherLayersRefuseAlone(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	// The plan is checked against the labels the database holds: hold a token.
	if err := db.EnsureTokenSchema(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateToken(ctx, "layers-alone", incidentgraph.RoleReader, nil); err != nil && incidentgraph.ErrorCode(err) != incidentgraph.ECONFLICT {
		t.Fatal(err)
	}
	before := fingerprint(t, db)
	for _, tc := range []struct{ query, reason string }{
		{"CREATE (n:X)", "writes are not allowed"},
		{"MATCH (n:Entity) SET n.name = 'x'", "writes are not allowed"},
		{"CREATE INDEX x FOR (n:Entity) ON (n.gtdName)", "schema commands are not allowed"},
		{"LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l", "LOAD CSV is not allowed"},
		{"CALL db.schema.visualization()", "procedure db.schema.visualization is not in the allow-list"},
		{"MATCH (t:ApiToken) RETURN t.hash", "ApiToken is not a label or relationship type of the graph"},
		{"MATCH (n) RETURN n", "start from a label"},
		{"MATCH (n:$($l)) RETURN n", "start from a label"},
	} {
		err := db.ExplainCypherForTest(ctx, tc.query)
		if incidentgraph.ErrorCode(err) != incidentgraph.ECYPHER || !strings.Contains(incidentgraph.ErrorMessage(err), tc.reason) {
			t.Errorf("EXPLAIN layer on %q: %v, want a refusal mentioning %q", tc.query, err, tc.reason)
		}
	}
	// Control: the EXPLAIN layer passes a read.
	if err := db.ExplainCypherForTest(ctx, "MATCH (n:Entity) RETURN n.id"); err != nil {
		t.Errorf("EXPLAIN layer refused a read: %v", err)
	}
	// The read transaction alone: a write fails and changes nothing.
	for _, q := range []string{"CREATE (n:X)", "MATCH (n:Entity) DETACH DELETE n"} {
		if err := db.RunCypherUncheckedForTest(ctx, q); err == nil {
			t.Errorf("%q ran in the read transaction", q)
		}
	}
	if err := db.RunCypherUncheckedForTest(ctx, "MATCH (n:Entity) RETURN n"); err != nil {
		t.Errorf("the read transaction refused a read: %v", err)
	}
	if after := fingerprint(t, db); after != before {
		t.Error("a write got through the read transaction")
	}
}

// A query that passed EXPLAIN once skips it when run again, with other parameters; a refused
// one is never remembered: it is refused however often it comes back, and changes nothing.
func TestCypherRemembersOnlyAcceptedQueries(t *testing.T) {
	db := seeded(t)
	ctx := context.Background()
	before := fingerprint(t, db)
	// The lexer passes this one; only EXPLAIN's plan (a scan of every node) refuses it.
	const scan = "MATCH (n) WHERE n.id = $id RETURN n.name AS name"
	for i := 0; i < 3; i++ {
		_, err := db.RunCypher(ctx, scan, map[string]any{"id": isk}, 0)
		if incidentgraph.ErrorCode(err) != incidentgraph.ECYPHER || !strings.Contains(err.Error(), "label") {
			t.Fatalf("attempt %d: %v, want CYPHER_REFUSED for scanning every node", i+1, err)
		}
	}
	const read = "MATCH (n:Entity {id: $id}) RETURN n.name AS name"
	for _, id := range []string{isk, is, isk} {
		res := runCypher(t, db, read, map[string]any{"id": id}, 0)
		if len(res.Rows) != 1 || res.Rows[0]["name"] == "" {
			t.Errorf("%s: rows %v", id, res.Rows)
		}
	}
	if after := fingerprint(t, db); after != before {
		t.Error("the graph changed")
	}
}
