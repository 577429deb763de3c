package testdb

import (
	"context"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Driver connects to the test database as the service does (same URI and credentials) but past
// the store, for tests that must see what Neo4j holds rather than what the store's methods
// return: what the service keeps beside the graph (tokens, the audit trail, idempotency records,
// redirects), which the analysts' Cypher refuses, and Neo4j's own verdicts (EXPLAIN, plans).
// It is closed when the test ends.
func Driver(tb testing.TB) driver.DriverWithContext {
	tb.Helper()
	cfg := Config(tb)
	d, err := driver.NewDriverWithContext(cfg.URI, driver.BasicAuth(cfg.User, cfg.Password, ""))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = d.Close(context.Background()) })
	return d
}

// Read runs one read query through Driver and returns its records as maps.
func Read(tb testing.TB, query string, params map[string]any) []map[string]any {
	tb.Helper()
	res, err := driver.ExecuteQuery(context.Background(), Driver(tb), query, params, driver.EagerResultTransformer,
		driver.ExecuteQueryWithReadersRouting())
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	out := make([]map[string]any, len(res.Records))
	for i, r := range res.Records {
		out[i] = r.AsMap()
	}
	return out
}
