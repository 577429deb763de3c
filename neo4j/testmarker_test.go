package neo4j_test

import (
	"context"
	"testing"

	"github.com/incidentgraph/incidentgraph/internal/testdb"
)

// TestTestDatabaseMark checks what the test suite's guard relies on: the database it uses is
// marked, emptying the graph keeps the mark, and "empty" tells a new database from one with data.
func TestTestDatabaseMark(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	check := func(step string, wantEmpty bool) {
		t.Helper()
		marked, empty, err := db.TestDatabase(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !marked {
			t.Errorf("%s: the test database is not marked", step)
		}
		if empty != wantEmpty {
			t.Errorf("%s: empty = %v, want %v", step, empty, wantEmpty)
		}
	}
	testdb.MustSeed(t, db)
	check("seeded", false)
	testdb.MustEmpty(t, db)
	check("emptied", true)
	testdb.MustSeed(t, db)
	check("seeded again", false)
}
