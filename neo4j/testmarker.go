package neo4j

import (
	"context"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// testMarker names the index that marks a database as one the test suite may empty. An index,
// not a node: emptying the graph (DeleteAll) keeps the schema, so the mark outlives every reset,
// and no node count, fingerprint or query plan of the tests ever sees it.
const testMarker = "incidentgraph_test_database"

// TestDatabase reports whether the database is marked as a test database, and whether it holds
// no nodes at all (a new database the tests may mark as theirs).
func (db *DB) TestDatabase(ctx context.Context) (marked, empty bool, err error) {
	res, err := db.read(ctx, `SHOW INDEXES YIELD name WHERE name = $name RETURN count(*) > 0 AS marked`,
		map[string]any{"name": testMarker})
	if err != nil {
		return false, false, err
	}
	marked = res.Records[0].Values[0].(bool)
	if res, err = db.read(ctx, `OPTIONAL MATCH (n) WITH n LIMIT 1 RETURN n IS NULL AS empty`, nil); err != nil {
		return false, false, err
	}
	return marked, res.Records[0].Values[0].(bool), nil
}

// MarkTestDatabase marks the database as one the test suite may empty.
func (db *DB) MarkTestDatabase(ctx context.Context) error {
	_, err := driver.ExecuteQuery(ctx, db.driver,
		`CREATE INDEX `+testMarker+` IF NOT EXISTS FOR (n:IncidentgraphTestDatabase) ON (n.marker)`, nil,
		driver.EagerResultTransformer, driver.ExecuteQueryWithDatabase(db.cfg.Database))
	return classify(ctx, err)
}

// UnmarkTestDatabase takes the mark off (for the test of the guard that refuses an unmarked
// database holding data; nothing else should call it).
func (db *DB) UnmarkTestDatabase(ctx context.Context) error {
	_, err := driver.ExecuteQuery(ctx, db.driver, `DROP INDEX `+testMarker+` IF EXISTS`, nil,
		driver.EagerResultTransformer, driver.ExecuteQueryWithDatabase(db.cfg.Database))
	return classify(ctx, err)
}
