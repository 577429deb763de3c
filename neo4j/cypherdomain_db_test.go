package neo4j_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// machineryAtWork runs what stores things beside the graph (tokens, curation with idempotency
// keys and its audit, a merge and its redirect, a GTD import) and returns the database's labels
// and relationship types as the service sees them, not through the analysts' path.
func machineryAtWork(t *testing.T) (*neo4j.DB, driver.DriverWithContext, []string) {
	t.Helper()
	ctx := context.Background()
	db := curated(t)
	if err := db.EnsureTokenSchema(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateToken(ctx, "domain-test", incidentgraph.RoleAnalyst, nil); err != nil {
		t.Fatal(err)
	}
	w := curator("ann")
	w.IdempotencyKey = "domain-test-key"
	if _, err := db.CreateEntity(ctx, w, newOrg("domain-front", "Domain Front")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateEntity(ctx, curator("ann"), newOrg("domain-front-dup", "Domain Front (dup)")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MergeEntities(ctx, curator("ann"), "domain-front", "domain-front-dup", 1, 1); err != nil {
		t.Fatal(err)
	}
	mustImport(t, db, sample(t), neo4j.ImportOptions{})
	d := testDriver(t)
	res, err := driver.ExecuteQuery(ctx, d, `
		CALL db.labels() YIELD label WITH collect(label) AS labels
		CALL db.relationshipTypes() YIELD relationshipType
		WITH labels, collect(relationshipType) AS types
		RETURN labels + types AS names`, nil, driver.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range res.Records[0].Values[0].([]any) {
		names = append(names, n.(string))
	}
	return db, d, names
}

// outsideNames are the names no analyst may reach: everything the database holds that the
// domain (its kinds' labels, Entity, Figure and the vocabulary) does not define.
func outsideNames(names []string) []string {
	domain := map[string]bool{"Entity": true, "Figure": true}
	for _, k := range incidentgraph.Kinds {
		domain[string(k[:1])+strings.ToLower(string(k[1:]))] = true
	}
	for _, ty := range incidentgraph.RelTypes() {
		domain[string(ty)] = true
	}
	var out []string
	for _, n := range names {
		if !domain[n] {
			out = append(out, n)
		}
	}
	return out
}

// unrefused runs, for every outside name, a node and a relationship query naming it through
// guard, and lists each query the guard let through or refused without naming the label.
func unrefused(names []string, guard func(query string) error) []string {
	var faults []string
	for _, name := range names {
		quoted := "`" + strings.ReplaceAll(name, "`", "``") + "`"
		for _, q := range []string{
			"MATCH (n:" + quoted + ") RETURN properties(n) AS p",
			"MATCH ()-[r:" + quoted + "]->() RETURN properties(r) AS p",
		} {
			err := guard(q)
			if incidentgraph.ErrorCode(err) != incidentgraph.ECYPHER || !strings.Contains(incidentgraph.ErrorMessage(err), name) {
				faults = append(faults, fmt.Sprintf("%s: %v", q, err))
			}
		}
	}
	return faults
}

// TestAnalystsReadOnlyTheGraph: every label and type the service keeps beside the graph, as the
// database lists them after tokens, curation, merges and an import, is refused at the text and
// again by the plan alone, naming the label; listing procedures show only the domain's.
func TestAnalystsReadOnlyTheGraph(t *testing.T) {
	ctx := context.Background()
	db, d, names := machineryAtWork(t)
	outside := outsideNames(names)
	for _, want := range []string{"ApiToken", "AuditEntry", "Idempotency", "Redirect"} {
		if !slices.Contains(outside, want) {
			t.Fatalf("the database lists %v: %s is missing, so the set-up did not run what it should", names, want)
		}
	}
	t.Logf("refused: %v", outside)
	before := fingerprint(t, db)

	t.Run("text and plan", func(t *testing.T) {
		run := func(q string) error { _, err := db.RunCypher(ctx, q, nil, 10); return err }
		for _, f := range unrefused(outside, run) {
			t.Error("analysts' path: " + f)
		}
		for _, f := range unrefused(outside, func(q string) error { return db.ExplainCypherForTest(ctx, q) }) {
			t.Error("plan alone: " + f)
		}
	})

	// The old deny-list named one internal label: the same oracle catches what it let through.
	t.Run("control: a deny-list of ApiToken", func(t *testing.T) {
		denyList := func(q string) error {
			if strings.Contains(strings.ToLower(q), "apitoken") {
				return incidentgraph.Errorf(incidentgraph.ECYPHER, "ApiToken is internal: it cannot be queried")
			}
			_, err := driver.ExecuteQuery(ctx, d, q, nil, driver.EagerResultTransformer,
				driver.ExecuteQueryWithReadersRouting())
			return err
		}
		faults := strings.Join(unrefused(outside, denyList), "\n")
		if !strings.Contains(faults, "AuditEntry") {
			t.Errorf("the oracle did not catch a deny-list reading the audit trail; it reported:\n%s", faults)
		}
	})

	t.Run("listing procedures", func(t *testing.T) {
		for _, tc := range []struct{ name, query string }{
			{"labels", "CALL db.labels() YIELD label RETURN collect(label) AS names"},
			{"labels standalone", "CALL db.labels()"},
			{"labels standalone, yielded", "CALL db.labels() YIELD label AS l"},
			{"relationship properties standalone", "CALL db.schema.relTypeProperties()"},
			{"types", "CALL db.relationshipTypes() YIELD relationshipType AS t RETURN collect(t) AS names"},
			{"node properties", "CALL db.schema.nodeTypeProperties() YIELD nodeLabels, propertyName RETURN collect(DISTINCT nodeLabels) AS names"},
			{"node properties, labels not yielded", "CALL db.schema.nodeTypeProperties() YIELD propertyName RETURN collect(DISTINCT propertyName) AS names"},
			{"relationship properties", "CALL db.schema.relTypeProperties() YIELD relType WHERE relType IS NOT NULL RETURN collect(DISTINCT relType) AS names"},
		} {
			res, err := db.RunCypher(ctx, tc.query, nil, 1000)
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			seen := fmt.Sprint(res.Rows)
			for _, name := range outside {
				if mentions(seen, name) {
					t.Errorf("%s answers %s: %s", tc.name, name, seen)
				}
			}
			if !strings.Contains(seen, "Entity") && !strings.Contains(seen, "AFFILIATE_OF") && !strings.Contains(seen, "name") {
				t.Errorf("%s answers none of the graph's own: %s", tc.name, seen)
			}
		}
		// Control: unfiltered, the same procedures do list what the filter hides.
		res, err := driver.ExecuteQuery(ctx, d, "CALL db.schema.nodeTypeProperties() YIELD nodeLabels RETURN collect(DISTINCT nodeLabels) AS names",
			nil, driver.EagerResultTransformer)
		if err != nil {
			t.Fatal(err)
		}
		if seen := fmt.Sprint(res.Records[0].Values); !mentions(seen, "AuditEntry") {
			t.Errorf("control: the raw procedure does not list AuditEntry (%s), so the filter's test proves nothing", seen)
		}
	})

	// A relationship type outside the graph, between nodes outside it, is met unnamed by a scan
	// of every relationship: while the database holds one, that scan is refused. (Plans are
	// remembered per text, and such types come with a new release of the service, so a new
	// process; the test asks with the plan alone.)
	t.Run("a relationship type outside the graph", func(t *testing.T) {
		const scan = "MATCH ()-[r]->() RETURN properties(r) AS p LIMIT 1"
		if err := db.ExplainCypherForTest(ctx, scan); err != nil {
			t.Fatalf("control: with no such type the scan is refused: %v", err)
		}
		write := func(q string) {
			if _, err := driver.ExecuteQuery(ctx, d, q, nil, driver.EagerResultTransformer); err != nil {
				t.Fatal(err)
			}
		}
		write(`CREATE (:AuditEntry {id: 'domain-test-a'})-[:AUDIT_LINK {secret: 's'}]->(:AuditEntry {id: 'domain-test-b'})`)
		t.Cleanup(func() { write(`MATCH (a:AuditEntry) WHERE a.id STARTS WITH 'domain-test-' DETACH DELETE a`) })
		err := db.ExplainCypherForTest(ctx, scan)
		if incidentgraph.ErrorCode(err) != incidentgraph.ECYPHER || !strings.Contains(incidentgraph.ErrorMessage(err), "every relationship") {
			t.Errorf("a scan of every relationship with AUDIT_LINK in the database: %v", err)
		}
		for _, f := range unrefused([]string{"AUDIT_LINK"}, func(q string) error { _, err := db.RunCypher(ctx, q, nil, 10); return err }) {
			t.Error(f)
		}
		if _, err := db.RunCypher(ctx, "MATCH ()-[r:AFFILIATE_OF]->() RETURN properties(r) AS p LIMIT 1", nil, 10); err != nil {
			t.Errorf("a scan of one domain type: %v", err)
		}
	})

	t.Run("reads of the graph still answer", func(t *testing.T) {
		res, err := db.RunCypher(ctx, "MATCH (n:Organization)-[r:AFFILIATE_OF]->(m:Organization {id: $id}) RETURN n.id AS id",
			map[string]any{"id": is}, 100)
		if err != nil || len(res.Rows) == 0 {
			t.Errorf("affiliates of the Islamic State: %v, %v", res, err)
		}
	})
	if fingerprint(t, db) != before {
		t.Error("the graph changed")
	}
}

// mentions reports whether name stands in s as a whole word.
func mentions(s, name string) bool {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		if f == name {
			return true
		}
	}
	return false
}
