package generate

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph/gtd"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/seed"
)

// seq yields incidents to the importer.
func seq(incs []*gtd.Incident) func(func(*gtd.Incident) bool) {
	return func(yield func(*gtd.Incident) bool) {
		for _, inc := range incs {
			if !yield(inc) {
				return
			}
		}
	}
}

// Loaded beside the seed and imported through the real import path, the files make exactly the
// relationships the summary counts, and every group name resolves to an organization.
func TestAnImportMakesWhatTheSummaryCounts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sum, err := Write(Config{Seed: 11, Incidents: 300, Groups: 40}, dir)
	if err != nil {
		t.Fatal(err)
	}
	both := t.TempDir()
	files, err := fs.ReadDir(seed.Embedded(), ".")
	if err != nil {
		t.Fatal(err)
	}
	copyFile := func(name string, b []byte, err error) {
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(both, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		b, err := fs.ReadFile(seed.Embedded(), f.Name())
		copyFile(f.Name(), b, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, GroupsFile))
	copyFile("zz-generated-groups.yaml", b, err)
	ds, err := seed.ReadDir(both)
	if err != nil {
		t.Fatal(err)
	}

	db := testdb.MustOpen(t)
	if err := db.DeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	_, before, _, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, CSVFile))
	if err != nil {
		t.Fatal(err)
	}
	incs, problems := readGTD(t, data)
	if len(problems) > 0 {
		t.Fatalf("%d bad rows, the first: %v", len(problems), problems[0])
	}
	stats, err := db.ImportGTD(ctx, seq(incs), neo4j.ImportOptions{BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	_, after, _, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := sum.Relationships() - sum.StructureLinks; after-before != want {
		t.Errorf("the import made %d relationships, the summary counts %d", after-before, want)
	}
	if stats.GroupsCreated != 0 || stats.GroupsResolved != sum.GroupsNamed {
		t.Errorf("%d groups created and %d resolved; want none created and %d resolved",
			stats.GroupsCreated, stats.GroupsResolved, sum.GroupsNamed)
	}
	// Generated rows cite one text twice now and then; an assertion lists each source once.
	// (The same check counts the repeats in the rows' citations, so it cannot pass by having
	// none to find.)
	repeats := 0
	for _, inc := range incs {
		seen := map[string]bool{}
		for _, c := range inc.Citations {
			if seen[c] {
				repeats++
			}
			seen[c] = true
		}
	}
	dup, err := db.RunCypher(ctx, `MATCH (:Entity)-[r]->(:Entity) WHERE r.origin = 'gtd'
		AND size(r.sources) <> size(reduce(s = [], x IN r.sources | CASE WHEN x IN s THEN s ELSE s + x END))
		RETURN count(r) AS n`, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n := dup.Rows[0]["n"]; n != int64(0) || repeats == 0 {
		t.Errorf("%v relationships list a source twice (rows citing a text twice: %d)", n, repeats)
	}
	// Negative controls: another seed's count differs, and a name that is in no file makes
	// a new organization.
	other, err := Write(Config{Seed: 12, Incidents: 300, Groups: 40}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if other.Relationships() == sum.Relationships() {
		t.Error("seeds 11 and 12 count the same relationships: the comparison above proves little")
	}
	lines := strings.Split(string(data), "\n") // no field of the file holds a line break
	var named *gtd.Incident
	for _, inc := range incs {
		if len(inc.Perpetrators) > 0 {
			named = inc
			break
		}
	}
	row := strings.Replace(lines[named.Row-1], ","+named.Perpetrators[0].GTDName+",", ",A Group In No File,", 1)
	row = row[:8] + "9999" + row[12:] // a new case on the same date
	stray, problems := readGTD(t, []byte(lines[0]+"\n"+row+"\n"))
	if len(problems) > 0 || len(stray) != 1 {
		t.Fatalf("the crafted row: %v", problems)
	}
	stats, err = db.ImportGTD(ctx, seq(stray), neo4j.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if stats.GroupsCreated != 1 {
		t.Errorf("a name in no file created %d groups, want 1", stats.GroupsCreated)
	}
}
