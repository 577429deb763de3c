package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/web"
)

// TestRoutingSchemeReadsUseReadTransactions serves over neo4j:// (the routing scheme, which a
// single Community server answers with itself in every role) through a proxy that reads the
// Bolt messages, and sends every read path (GraphiQL's examples and the other root fields,
// the export, the token check) and every write path (each curation mutation). Each request
// must succeed, each read request's statements must all have run in read transactions (the
// driver's AccessModeRead: the ones a cluster routes to its secondaries), and each write must
// have run in a write transaction. The controls keep the checks honest: the same statement run
// in a write transaction is caught, and without the proxy in the routing table the reads are
// not seen at all.
func TestRoutingSchemeReadsUseReadTransactions(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	admin, err := db.CreateToken(ctx, unique("routing-admin"), incidentgraph.RoleAdmin, nil)
	must(t, err)
	sniff := newBoltSniffer(t)
	in := startServeProcess(t, buildServeBinary(t), "routed", sniff.URI("neo4j"))
	if routes, errs := sniff.counts(); routes == 0 || len(errs) > 0 {
		t.Fatalf("the service did not route through the proxy: %d ROUTE messages, errors %v", routes, errs)
	}

	examples, err := web.Examples()
	must(t, err)
	type op struct {
		name  string
		query string
		vars  map[string]any
	}
	var reads, writes []op
	for _, ex := range examples {
		o := op{ex.Name, ex.Query, ex.Variables}
		if strings.Contains(ex.Query, "mutation") {
			writes = append(writes, o)
		} else {
			reads = append(reads, o)
		}
	}
	if len(reads) < 15 || len(writes) < 1 {
		t.Fatalf("%d read and %d write examples", len(reads), len(writes))
	}
	reads = append(reads,
		op{"entities", `{ entities(ids: ["islamic-state", "taliban"]) { id name } }`, nil},
		op{"organizations", `{ organizations(first: 5) { totalCount edges { node { id } } } }`, nil},
		op{"history", `{ entity(id: "islamic-state") { history { operation } } }`, nil},
		op{"auditLog", `{ auditLog(first: 5) { edges { node { operation } } } }`, nil},
		op{"patterns", `{ patterns { name } }`, nil},
	)
	rel := "islamic-state-khorasan-province--allied-with--taliban--russia"
	writes = append(writes,
		op{"createEntity", createOrg, map[string]any{"id": "routed-front", "name": "Routed Front"}},
		op{"createEntity (second)", createOrg, map[string]any{"id": "routed-front-dup", "name": "Routed Front Duplicate"}},
		op{"updateEntity", updateDescription, map[string]any{"id": "routed-front", "v": 1, "d": "written over neo4j://"}},
		op{"addSource", `mutation { addSource(input: {id: "routed-source", title: "A routed source", publisher: "Routing", published: "2024", sourceType: NEWS}) { id } }`, nil},
		op{"addRelationship", `mutation { addRelationship(input: {from: "islamic-state-khorasan-province", type: ALLIED_WITH, to: "taliban", status: ALLEGED, confidence: 20, assertedBy: "russia", sources: ["ap-2024-03-23-moscow-attack-explainer"]}) { id } }`, nil},
		op{"updateRelationship", `mutation($id: ID!) { updateRelationship(id: $id, version: 1, input: {confidence: 25}) { version } }`, map[string]any{"id": rel}},
		op{"retractRelationship", `mutation($id: ID!) { retractRelationship(id: $id, version: 2, reason: "routed") { version } }`, map[string]any{"id": rel}},
		op{"deleteRelationship", `mutation($id: ID!) { deleteRelationship(id: $id, version: 3, reason: "routed") }`, map[string]any{"id": rel}},
		op{"addFigureReport", `mutation { addFigureReport(input: {subject: "moscow-concert-hall-attack-2024", metric: KILLED, value: 1, qualifier: EXACT, asOf: "2024", status: REPORTED, confidence: 50, assertedBy: "associated-press", sources: ["ap-2024-03-23-moscow-attack-explainer"]}) { id } }`, nil},
		op{"mergeEntities", `mutation { mergeEntities(survivor: "routed-front", survivorVersion: 2, duplicate: "routed-front-dup", duplicateVersion: 1) { id } }`, nil},
		op{"deleteEntity", `mutation { deleteEntity(id: "routed-source", version: 1, reason: "routed") }`, nil},
	)

	for _, o := range reads {
		mark := sniff.mark()
		a, err := in.ask(admin, o.query, o.vars)
		if err == nil {
			err = a.ok()
		}
		if err != nil {
			t.Errorf("read %s over neo4j://: %v", o.name, err)
			continue
		}
		if err := onlyReads(sniff.since(mark)); err != nil {
			t.Errorf("read %s: %v", o.name, err)
		}
	}
	mark := sniff.mark()
	resp, err := http.Get(in.url + "/export?format=graphml&of=neighborhood&id=islamic-state")
	must(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<graphml") {
		t.Errorf("export over neo4j://: %d %.200s", resp.StatusCode, body)
	} else if err := onlyReads(sniff.since(mark)); err != nil {
		t.Errorf("export: %v", err)
	}

	for _, o := range writes {
		mark := sniff.mark()
		a, err := in.ask(admin, o.query, o.vars)
		if err == nil {
			err = a.ok()
		}
		if err != nil {
			t.Errorf("write %s over neo4j://: %v", o.name, err)
			continue
		}
		if err := wroteInWriteTx(sniff.since(mark)); err != nil {
			t.Errorf("write %s: %v", o.name, err)
		}
	}
	var r, w int
	for _, st := range sniff.since(0) {
		if st.Mode == "r" {
			r++
		} else {
			w++
		}
	}
	t.Logf("%d read requests and %d writes over neo4j://: %d statements in read transactions, %d in write transactions (the start's seed check, schema and patterns included)", len(reads)+1, len(writes), r, w)
	if _, errs := sniff.counts(); len(errs) > 0 {
		t.Errorf("the sniffer could not read every message: %v", errs)
	}

	// Controls. The same read in a write transaction (a driver's default) is caught, and passes
	// in a read transaction. A driver that does not route (bolt://) sends no ROUTE, so the count
	// above tells the routing scheme from the direct one.
	cfg := testdb.Config(t)
	probe := `MATCH (n:Entity {id: 'islamic-state'}) RETURN n.id`
	for _, tc := range []struct {
		scheme   string
		routing  driver.ExecuteQueryConfigurationOption
		wantFail bool
	}{
		{"neo4j", driver.ExecuteQueryWithWritersRouting(), true},
		{"neo4j", driver.ExecuteQueryWithReadersRouting(), false},
		{"bolt", driver.ExecuteQueryWithReadersRouting(), false},
	} {
		control := newBoltSniffer(t)
		d, err := driver.NewDriverWithContext(control.URI(tc.scheme), driver.BasicAuth(cfg.User, cfg.Password, ""))
		must(t, err)
		_, err = driver.ExecuteQuery(ctx, d, probe, nil, driver.EagerResultTransformer, tc.routing)
		must(t, err)
		must(t, d.Close(ctx))
		if err := onlyReads(control.since(0)); (err != nil) != tc.wantFail {
			t.Errorf("control: the read check over %s:// with wantFail=%v: %v", tc.scheme, tc.wantFail, err)
		}
		if routes, _ := control.counts(); (routes > 0) != (tc.scheme == "neo4j") {
			t.Errorf("control: %d ROUTE messages over %s://", routes, tc.scheme)
		}
	}
	if err := onlyReads(nil); err == nil {
		t.Error("control: the read check passed on no statement at all")
	}
}

// wroteInWriteTx says what is wrong with a write request's statements: none in a write
// transaction.
func wroteInWriteTx(stmts []boltStatement) error {
	for _, st := range stmts {
		if st.Mode == "w" {
			return nil
		}
	}
	var qs []string
	for _, st := range stmts {
		qs = append(qs, st.Mode+": "+oneLineQuery(st.Query))
	}
	return fmt.Errorf("no statement ran in a write transaction: %s", strings.Join(qs, " | "))
}
