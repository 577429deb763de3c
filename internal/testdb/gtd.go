package testdb

import (
	"context"
	"io"
	"os"
	"slices"
	"testing"

	"github.com/incidentgraph/incidentgraph/gtd"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// GTDRows reads a GTD export (CSV) into incidents, failing the test on a row GTD's rules refuse.
func GTDRows(tb testing.TB, r io.Reader) []*gtd.Incident {
	tb.Helper()
	rd, err := gtd.NewReader(r)
	if err != nil {
		tb.Fatal(err)
	}
	var out []*gtd.Incident
	for {
		row, err := rd.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		inc, ps := gtd.Parse(row)
		if len(ps) > 0 {
			tb.Fatalf("row %d: %v", row.Number, ps)
		}
		out = append(out, inc)
	}
}

// MustImportGTDFile imports a GTD export (CSV, a path from the test's package) into db through
// the import path `incidentgraph import gtd` uses, with the default options.
func MustImportGTDFile(tb testing.TB, db *neo4j.DB, path string) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := db.ImportGTD(context.Background(), slices.Values(GTDRows(tb, f)), neo4j.ImportOptions{}); err != nil {
		tb.Fatalf("import %s: %v", path, err)
	}
}
