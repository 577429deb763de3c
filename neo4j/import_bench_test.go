package neo4j_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/generate"
	"github.com/incidentgraph/incidentgraph/gtd"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/seed"
)

// benchImportRows is the size of the generated file BenchmarkImportGenerated imports: large
// enough that per-chunk costs (name lookups, plans) show, small enough for make bench.
const benchImportRows = 20000

// generated writes a generated GTD file and its group structure and returns the seed with the
// group structure beside it (one dataset, as users load it) and the file's rows.
func generated(tb testing.TB, cfg generate.Config) (*incidentgraph.Dataset, []*gtd.Incident) {
	tb.Helper()
	dir := tb.TempDir()
	if _, err := generate.Write(cfg, dir); err != nil {
		tb.Fatal(err)
	}
	// The seed with the generated group structure beside it, as one seed directory.
	both := tb.TempDir()
	files, err := fs.ReadDir(seed.Embedded(), ".")
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range files {
		data, err := fs.ReadFile(seed.Embedded(), f.Name())
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(both, f.Name()), data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	groups, err := os.ReadFile(filepath.Join(dir, generate.GroupsFile))
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(both, "zz-generated-groups.yaml"), groups, 0o644); err != nil {
		tb.Fatal(err)
	}
	ds, err := seed.ReadDir(both)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, generate.CSVFile))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	return ds, testdb.GTDRows(tb, f)
}

// BenchmarkImportGenerated imports a generated GTD file of benchImportRows rows beside the seed
// and the generated groups (what `incidentgraph generate` writes and users import), once per
// iteration into a freshly loaded graph, and reports rows per second. Sub-benchmarks vary the
// chunk size; batch=0 is the default.
func BenchmarkImportGenerated(b *testing.B) {
	ds, incs := generated(b, generate.Config{Seed: 7, Incidents: benchImportRows, Groups: 300})
	db := testdb.MustOpen(b)
	ctx := context.Background()
	for _, size := range []int{0, 5000} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			rows := 0
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				if err := db.DeleteAll(ctx); err != nil {
					b.Fatal(err)
				}
				if _, err := db.Load(ctx, ds); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				stats, err := db.ImportGTD(ctx, slices.Values(incs), neo4j.ImportOptions{BatchSize: size})
				if err != nil {
					b.Fatal(err)
				}
				rows += stats.Rows
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
