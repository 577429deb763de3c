package testdb

import (
	"context"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Read runs one read query on the test database as the service itself, not through the
// analysts' guarded path, and returns its records as maps: for tests that must see what the
// service keeps beside the graph (tokens, the audit trail, idempotency records, redirects), which
// the analysts' Cypher refuses.
func Read(tb testing.TB, query string, params map[string]any) []map[string]any {
	tb.Helper()
	cfg := Config(tb)
	d, err := driver.NewDriverWithContext(cfg.URI, driver.BasicAuth(cfg.User, cfg.Password, ""))
	if err != nil {
		tb.Fatal(err)
	}
	defer d.Close(context.Background())
	res, err := driver.ExecuteQuery(context.Background(), d, query, params, driver.EagerResultTransformer,
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
