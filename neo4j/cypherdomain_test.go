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
		{"MATCH (d:PossibleDuplicate) RETURN d.first, d.second", "PossibleDuplicate"}, // imports' records, for curators
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

// TestDomainNamesAcrossBrackets: where a colon stands decides whether it starts a label, and
// that depends on the brackets around it (a map's "key:" is no label, a subquery's block is no
// map) and on where a label expression ends. Each refusal has beside it a text the guard lets
// through that differs from it in that one respect (the negative control).
func TestDomainNamesAcrossBrackets(t *testing.T) {
	for _, tc := range []struct{ query, refused string }{
		// After a comma in a subquery's block, list or call, "n:" is a label predicate; in a map
		// it would be a key. CALL (n) { is told from a map by the parenthesis after CALL that
		// its ) closes, CALL { and EXISTS { by the word before them.
		{"MATCH (n:Entity) CALL (n) { WITH n, n:AuditEntry AS a RETURN a } RETURN a", "AuditEntry"},
		{"MATCH (n:Entity) CALL (n) { WITH n, n:Person AS a RETURN a } RETURN a", ""},
		{"MATCH (n:Entity) CALL { WITH n RETURN n, n:AuditEntry AS a } RETURN a", "AuditEntry"},
		{"MATCH (n:Entity) CALL { WITH n RETURN n, n:Person AS a } RETURN a", ""},
		{"MATCH (n:Entity) RETURN [n.name, n:AuditEntry] AS l", "AuditEntry"},
		{"MATCH (n:Entity) RETURN coalesce(n.x, n:AuditEntry) AS c", "AuditEntry"},
		{"MATCH (n:Entity) RETURN {name: n.name, AuditEntry: n.id} AS m", ""},
		// A closed map no longer holds what follows it.
		{"MATCH (n:Entity) WITH {a: 1} AS m, n:AuditEntry AS x RETURN x", "AuditEntry"},
		{"MATCH (n:Entity) WITH {a: 1} AS m, n:Person AS x RETURN x", ""},
		// A backticked key is a key too: its value is not a label.
		{"MATCH (n:Entity) RETURN {`full name`: n.name} AS m", ""},
		// A closing parenthesis inside a label expression does not end it while a group is open;
		// the one after it is the pattern's, and the map after that still holds its keys.
		{"MATCH (n:(Person)&AuditEntry) RETURN n", "AuditEntry"},
		{"MATCH (n:(Person)&Entity) RETURN n", ""},
		{"MATCH (n:Entity) RETURN {a: coalesce(n:(Person)), b: n.name} AS m", ""},
		// n IS followed by a group, a negation or the wildcard is a label predicate.
		{"MATCH (n:Entity) WHERE n IS (Person|AuditEntry) RETURN n", "AuditEntry"},
		{"MATCH (n:Entity) WHERE n IS (Person|Group) RETURN n", ""},
		{"MATCH (n:Entity) WHERE n IS !AuditEntry RETURN n", "AuditEntry"},
		{"MATCH (n:Entity) WHERE n IS !Person RETURN n", ""},
		{"MATCH (n) WHERE n IS % RETURN n", "wildcard"},
		// Texts Neo4j rejects as they stand are judged by the same rules, and never crash the
		// guard: an unbalanced bracket, a parenthesis or a parameter called IS at the very
		// start, a map after a parenthesis that is no CALL's.
		{"MATCH (n:Entity) RETURN n)", ""},
		{"MATCH (n:Entity) RETURN n] AS x", ""},
		{"(n) {a: b}", ""},
		{"MATCH (a:Entity) RETURN (a) {b: x}", ""},
		{"$IS AuditEntry", ""},
	} {
		got := guardRefusal(t, tc.query)
		if tc.refused == "" && got != "" || tc.refused != "" && !strings.Contains(got, tc.refused) {
			t.Errorf("%q: refused %q, want %q", tc.query, got, tc.refused)
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
		// A backticked name is the same procedure, a backticked column the same column; a
		// backticked alias is written back as Cypher reads it.
		{"CALL `db`.`labels`()", "CALL `db`.`labels`() YIELD label WHERE label IN " + labels + " RETURN label"},
		{"CALL db.labels() YIELD `label` RETURN label", "CALL db.labels() YIELD `label` WHERE label IN " + labels + " RETURN label"},
		{"CALL db.labels() YIELD label AS `l``s`", "CALL db.labels() YIELD label AS `l``s` WHERE `l``s` IN " + labels + " RETURN `l``s` "},
		{"CALL db.labels() YIELD label AS `l``s` RETURN `l``s`", "CALL db.labels() YIELD label AS `l``s` WHERE `l``s` IN " + labels + " RETURN `l``s`"},
		// The client's condition ends at the next clause at its own depth of brackets, or at a
		// bracket it did not open; STARTS WITH, ENDS WITH and a property called like a clause
		// (node.with) do not end it.
		{"CALL db.labels() YIELD label WHERE size(label) > 5 RETURN label",
			"CALL db.labels() YIELD label WHERE label IN " + labels + " AND (size(label) > 5) RETURN label"},
		{"CALL db.labels() YIELD label WHERE label IN ['Entity', 'Figure'] RETURN label",
			"CALL db.labels() YIELD label WHERE label IN " + labels + " AND (label IN ['Entity', 'Figure']) RETURN label"},
		{"CALL db.labels() YIELD label WHERE EXISTS { MATCH (n:Entity) WHERE label IN labels(n) } RETURN label",
			"CALL db.labels() YIELD label WHERE label IN " + labels + " AND (EXISTS { MATCH (n:Entity) WHERE label IN labels(n) }) RETURN label"},
		{"CALL db.labels() YIELD label WHERE label ENDS WITH 'y' RETURN label",
			"CALL db.labels() YIELD label WHERE label IN " + labels + " AND (label ENDS WITH 'y') RETURN label"},
		{"CALL db.index.fulltext.queryNodes('entity_search', $q) YIELD node WHERE node.with IS NOT NULL RETURN node",
			"CALL db.index.fulltext.queryNodes('entity_search', $q) YIELD node WHERE all(incidentgraph_x IN labels(node) WHERE incidentgraph_x IN " + labels + ") AND (node.with IS NOT NULL) RETURN node"},
		{"CALL db.labels() YIELD label WHERE label STARTS WITH 'E'",
			"CALL db.labels() YIELD label WHERE label IN " + labels + " AND (label STARTS WITH 'E') RETURN label "},
		// (Neo4j refuses a WHERE on a call that stands alone in COUNT { }; the condition still
		// ends at the brace.)
		{"RETURN COUNT { CALL db.labels() YIELD label WHERE label STARTS WITH 'E' } AS n",
			"RETURN COUNT { CALL db.labels() YIELD label WHERE label IN " + labels + " AND (label STARTS WITH 'E') } AS n"},
		{"CALL db.labels() YIELD label WHERE RETURN label", "CALL db.labels() YIELD label WHERE RETURN label"},
		// The call after a narrowed one is narrowed too, whether the first had a WHERE or not.
		{"CALL db.labels() YIELD label WHERE label <> 'x' CALL db.relationshipTypes() YIELD relationshipType RETURN label, relationshipType",
			"CALL db.labels() YIELD label WHERE label IN " + labels + " AND (label <> 'x') CALL db.relationshipTypes() YIELD relationshipType WHERE relationshipType IN " + types + " RETURN label, relationshipType"},
		{"CALL db.labels() YIELD label CALL db.relationshipTypes() YIELD relationshipType RETURN label, relationshipType",
			"CALL db.labels() YIELD label WHERE label IN " + labels + " CALL db.relationshipTypes() YIELD relationshipType WHERE relationshipType IN " + types + " RETURN label, relationshipType"},
		// A call inside another's arguments or WHERE is narrowed too: what it lists would reach
		// the client through Neo4j's error message (no such index, a date that does not parse).
		{"CALL db.index.fulltext.queryNodes(COLLECT { CALL db.labels() YIELD label RETURN label }[0], $q) YIELD node RETURN node",
			"CALL db.index.fulltext.queryNodes(COLLECT { CALL db.labels() YIELD label WHERE label IN " + labels + " RETURN label }[0], $q) YIELD node WHERE all(incidentgraph_x IN labels(node) WHERE incidentgraph_x IN " + labels + ") RETURN node"},
		{"CALL db.labels() YIELD label WHERE date(COLLECT { CALL db.labels() YIELD label AS x RETURN x }[0]) IS NOT NULL RETURN label",
			"CALL db.labels() YIELD label WHERE label IN " + labels + " AND (date(COLLECT { CALL db.labels() YIELD label AS x WHERE x IN " + labels + " RETURN x }[0]) IS NOT NULL) RETURN label"},
		// Neither another procedure nor a call Neo4j will reject hides the listing calls after
		// it.
		{"CALL db.ping() YIELD success CALL db.labels() YIELD label RETURN label",
			"CALL db.ping() YIELD success CALL db.labels() YIELD label WHERE label IN " + labels + " RETURN label"},
		{"RETURN COUNT { CALL db.labels() YIELD } AS a, COUNT { CALL db.labels() YIELD label WHERE } AS b, COUNT { CALL db.relationshipTypes() YIELD relationshipType } AS c",
			"RETURN COUNT { CALL db.labels() YIELD } AS a, COUNT { CALL db.labels() YIELD label WHERE } AS b, COUNT { CALL db.relationshipTypes() YIELD relationshipType WHERE relationshipType IN " + types + " } AS c"},
		{"CALL db.labels(CALL db.labels()", "CALL db.labels(CALL db.labels() YIELD label WHERE label IN " + labels + " RETURN label"},
		// A name of letters, digits and _ at each end of their ranges needs no backticks.
		{"CALL db.labels() YIELD label AS AZaz_09", "CALL db.labels() YIELD label AS AZaz_09 WHERE AZaz_09 IN " + labels + " RETURN AZaz_09 "},
		// A YIELD that ends the text.
		{"CALL db.labels() YIELD label", "CALL db.labels() YIELD label WHERE label IN " + labels + " RETURN label "},
		{"CALL db.labels() YIELD label AS", "CALL db.labels() YIELD label WHERE label IN " + labels + " AS"},
		// Each standalone call of a union is narrowed, not only the first. (Neo4j refuses this
		// union as it stands; the rewrite does not depend on that.)
		{"CALL db.labels() UNION CALL db.relationshipTypes()",
			"CALL db.labels() YIELD label WHERE label IN " + labels + " RETURN label UNION CALL db.relationshipTypes() YIELD relationshipType WHERE relationshipType IN " + types + " RETURN relationshipType"},
		// Only CALLs of listing procedures are rewritten: not a function-call spelling, not
		// another procedure (checkTokens refuses both), not a call without its parentheses
		// (refused too: it could not be narrowed), not text cut short (Neo4j reports it).
		{"RETURN db.labels() AS l", "RETURN db.labels() AS l"},
		{"CALL db.ping()", "CALL db.ping()"},
		{"CALL db.labels", "CALL db.labels"},
		{"CALL db.labels(", "CALL db.labels("},
		{"CALL db.labels() YIELD", "CALL db.labels() YIELD"},
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
