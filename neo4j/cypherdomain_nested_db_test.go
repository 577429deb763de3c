package neo4j_test

import (
	"context"
	"fmt"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// TestNestedListingCallsAreNarrowed: a listing procedure called inside another call's arguments
// or WHERE lists only the graph's names, also where its rows reach the client only through
// Neo4j's error message. The control runs the same texts on the raw driver: there the message
// names the labels beside the graph, so the check would see a leak.
func TestNestedListingCallsAreNarrowed(t *testing.T) {
	ctx := context.Background()
	db, d, names := machineryAtWork(t)
	outside := outsideNames(names)
	for _, q := range []string{
		// An index name that does not exist is quoted in the error.
		"CALL db.index.fulltext.queryNodes(reduce(s = '', l IN COLLECT { CALL db.labels() YIELD label RETURN label } | s + l + ','), 'x') YIELD node RETURN node",
		// So is a coordinate reference system that does not exist.
		"CALL db.labels() YIELD label WHERE point({x: 1, y: 1, crs: reduce(s = '', l IN COLLECT { CALL db.labels() YIELD label AS x RETURN x } | s + l + ',')}) IS NOT NULL RETURN label",
	} {
		_, err := db.RunCypher(ctx, q, nil, 10)
		got := fmt.Sprint(err)
		if !mentions(got, "Entity") {
			t.Errorf("%s: the error does not list the graph's labels, so it shows nothing: %v", q, err)
		}
		for _, name := range outside {
			if mentions(got, name) {
				t.Errorf("%s: the error names %s: %v", q, name, err)
			}
		}
		_, raw := driver.ExecuteQuery(ctx, d, q, nil, driver.EagerResultTransformer)
		if !mentions(fmt.Sprint(raw), "AuditEntry") {
			t.Errorf("control: unguarded, %s does not name AuditEntry (%v), so the check proves nothing", q, raw)
		}
	}
}
