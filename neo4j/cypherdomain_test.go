package neo4j

import (
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

// The text names only the graph's labels and types: every spelling of a label position that
// Cypher 5 reads is checked, and names in map keys, strings, aliases and type predicates are not
// labels.
func TestDomainNamesAtTheText(t *testing.T) {
	for _, tc := range []struct{ query, name string }{
		{"MATCH (a:AuditEntry) RETURN a", "AuditEntry"},
		{"MATCH (a:Idempotency) RETURN a.response", "Idempotency"},
		{"MATCH (r:Redirect {id: $id}) RETURN r.to", "Redirect"},
		{"MATCH (t:`ApiToken`) RETURN t.hash", "ApiToken"},
		{"MATCH (t:apitoken) RETURN t", "apitoken"},
		{"MATCH (n:Entity) WHERE n:AuditEntry RETURN n", "AuditEntry"},
		{"MATCH (n:Entity|AuditEntry) RETURN n", "AuditEntry"},
		{"MATCH (n:Entity&!AuditEntry) RETURN n", "AuditEntry"},
		{"MATCH (n:(Person|(Group&AuditEntry))) RETURN n", "AuditEntry"},
		{"MATCH (n:Entity:Secret) RETURN n", "Secret"},
		{"MATCH (n IS AuditEntry) RETURN n", "AuditEntry"},
		{"MATCH (n:Entity) WHERE n IS Redirect RETURN n", "Redirect"},
		{"MATCH ()-[r:AUDITED]->() RETURN r", "AUDITED"},
		{"MATCH (a:Entity)-[r:AFFILIATE_OF|:OWNS]->(b:Entity) RETURN r", "OWNS"},
		{"MATCH (n:Entity) CALL { MATCH (a) WHERE a:AuditEntry RETURN a } RETURN a", "AuditEntry"},
		{"MATCH (n:Entity) CALL (n) { MATCH (x) WHERE x:Idempotency RETURN x } RETURN x", "Idempotency"},
		{"MATCH (n:Entity) WHERE EXISTS { MATCH (x) WHERE x:Redirect } RETURN n", "Redirect"},
		{"MATCH (n:Entity) RETURN COUNT { (x:AuditEntry) } AS c", "AuditEntry"},
		{"MATCH (n:Entity) RETURN [x IN [n] WHERE x:AuditEntry] AS xs", "AuditEntry"},
		{"MATCH (n:Entity) RETURN {a: 1, b: n:AuditEntry} AS m", "AuditEntry"},
		{"MATCH (n:Entity) RETURN n {.name, secret: [(n)--(x:AuditEntry) | x.before]} AS m", "AuditEntry"},
		{"MATCH (n:Entity) RETURN CASE WHEN n:ApiToken THEN 1 END AS c", "ApiToken"},
		{"CREATE (n:X)", "(CREATE)"},
		{"MATCH (n:%) RETURN n", "wildcard"},
		{"MATCH (n:Entity)--(m:!%) RETURN m", "wildcard"},
	} {
		toks, err := lexCypher(tc.query)
		if err == nil {
			err = checkTokens(toks)
		}
		if incidentgraph.ErrorCode(err) != incidentgraph.ECYPHER || !strings.Contains(incidentgraph.ErrorMessage(err), tc.name) {
			t.Errorf("%q: got %v, want CYPHER_REFUSED naming %q", tc.query, err, tc.name)
		}
	}
	// The control: domain names in every position, and names that are not labels, pass.
	for _, q := range []string{
		"MATCH (n:Entity {id: $id}) RETURN n {.name, kind: n.kind, `AuditEntry`: 1} AS m",
		"MATCH (n:Organization)-[r:AFFILIATE_OF|BRANCH_OF*1..2]->(m:Organization) RETURN n, r, m",
		"MATCH (n:Entity) WHERE n:Person:Group OR n:(Incident|Event)&!Place RETURN n",
		"MATCH (n IS Entity) WHERE n IS NOT NULL AND n.name IS :: STRING AND n.name IS NORMALIZED RETURN n",
		"MATCH (n:Entity) RETURN n.name AS AuditEntry, 'MATCH (a:AuditEntry)' AS s, {Redirect: 1} AS m",
		"MATCH (n:Entity) CALL (n) { RETURN {x: n.id, y: {z: 1}} AS m } RETURN m",
		"MATCH (n:Entity) WHERE EXISTS { MATCH (n)-[:PERPETRATED]->(:Incident) } RETURN n.is AS is",
		"WITH {a: {b: 1}, c: [1, 2]} AS m RETURN m.a.b",
		"MATCH (f:Figure) RETURN f",
		"CALL db.labels() YIELD label RETURN label",
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

// Listing procedures are rewritten to filter their rows; the rest of the text is kept as sent.
func TestRestrictProcedures(t *testing.T) {
	const (
		labels = "$incidentgraph_labels"
		types  = "$incidentgraph_types"
	)
	for _, tc := range []struct{ in, out string }{
		{"CALL db.labels()", "CALL db.labels() YIELD label WHERE label IN " + labels + " RETURN label"},
		{"CALL db.labels() YIELD label AS l", "CALL db.labels() YIELD label AS l WHERE l IN " + labels + " RETURN l "},
		{"CALL db.labels() YIELD label RETURN label",
			"CALL db.labels() YIELD label WHERE label IN " + labels + " RETURN label"},
		{"CALL db.labels() YIELD label AS l WHERE l STARTS WITH 'E' OR l = 'Figure' RETURN l",
			"CALL db.labels() YIELD label AS l WHERE l IN " + labels + " AND (l STARTS WITH 'E' OR l = 'Figure') RETURN l"},
		{"CALL db.labels() YIELD *", "CALL db.labels() YIELD label WHERE label IN " + labels + " RETURN label "},
		{"CALL DB.RELATIONSHIPTYPES() YIELD relationshipType AS `t y` RETURN count(*)",
			"CALL DB.RELATIONSHIPTYPES() YIELD relationshipType AS `t y` WHERE `t y` IN " + types + " RETURN count(*)"},
		{"CALL db.schema.nodeTypeProperties() YIELD propertyName RETURN DISTINCT propertyName",
			"CALL db.schema.nodeTypeProperties() YIELD propertyName, nodeLabels AS incidentgraph_x_nodeLabels WHERE all(incidentgraph_x IN incidentgraph_x_nodeLabels WHERE incidentgraph_x IN " + labels + ") RETURN DISTINCT propertyName"},
		{"CALL db.schema.relTypeProperties()",
			"CALL db.schema.relTypeProperties() YIELD relType, propertyName, propertyTypes, mandatory WHERE relType IN $incidentgraph_type_strings RETURN relType, propertyName, propertyTypes, mandatory"},
		{"CALL db.index.fulltext.queryNodes('entity_search', $q) YIELD node, score WHERE score > 1 RETURN node",
			"CALL db.index.fulltext.queryNodes('entity_search', $q) YIELD node, score WHERE all(incidentgraph_x IN labels(node) WHERE incidentgraph_x IN " + labels + ") AND (score > 1) RETURN node"},
		{"MATCH (n:Entity) CALL { CALL db.labels() YIELD label WHERE label <> 'Entity' RETURN label } RETURN label",
			"MATCH (n:Entity) CALL { CALL db.labels() YIELD label WHERE label IN " + labels + " AND (label <> 'Entity') RETURN label } RETURN label"},
		{"MATCH (n:Entity) RETURN n", "MATCH (n:Entity) RETURN n"},
	} {
		toks, err := lexCypher(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		got, changed := restrictProcedures(tc.in, toks)
		if got != tc.out || changed != (tc.in != tc.out) {
			t.Errorf("%q\n got %q (changed %v)\nwant %q", tc.in, got, changed, tc.out)
		}
	}
}

// Client parameters cannot pose as the filters' lists.
func TestReservedParameters(t *testing.T) {
	_, err := checkInput("CALL db.labels()", map[string]any{"incidentgraph_labels": []any{"AuditEntry"}})
	if incidentgraph.ErrorCode(err) != incidentgraph.EINVALID || !strings.Contains(incidentgraph.ErrorMessage(err), "reserved") {
		t.Errorf("a reserved parameter name: %v", err)
	}
	if _, err := checkInput("RETURN $labels", map[string]any{"labels": []any{"x"}}); err != nil {
		t.Errorf("control: an ordinary name was refused: %v", err)
	}
}
