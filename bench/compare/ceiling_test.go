package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph/bench/ceiling"
)

// The scaling section puts each size's import rate beside the ceiling bench/ceiling added to
// the saved run; a size without one shows dashes, not figures.
func TestScalingReportsTheImportCeiling(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, n := range []int64{10000, 200000} {
		cells := []cell{{Question: "entity", Side: sideOurs, Concurrency: 1, P50: msd(3), Throughput: 300}}
		f := fmt.Sprintf("%s/%d.json", dir, n)
		if err := saveCells(f, &environment{Incidents: n, ImportRate: 50}, seedParams(), cells); err != nil {
			t.Fatal(err)
		}
		if n == 10000 {
			r := &ceiling.Result{Rows: 10000, Nodes: 41000, Relationships: 52000, Properties: 600000, EmptyLists: 12000,
				DumpSeconds: 5, ImportSeconds: 20, ToolSeconds: 10, Heap: "1g", OffHeap: "1g"}
			if err := ceiling.AddToRun(f, r); err != nil {
				t.Fatal(err)
			}
		}
		files = append(files, f)
	}
	out := dir + "/B.md"
	if err := writeScaling(out, files); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, want := range []string{
		"### Import rate and its ceiling",
		// 10000 rows: 200 s at 50 rows/s; the importer 20 s (500 rows/s), its own timer 10 s,
		// with the 5 s dump 25 s (400 rows/s); 10× the import's rate.
		"| 10000 | 10000 | 200.0 / 50 | 20.0 / 500 | 10.0 / 1000 | 25.0 / 400 | 10.0× | 41000 / 52000 / 600000 (12000) | heap 1g, off-heap 1g |",
		"| 200000 | – | 50 rows/s | – | – | – | – | – | – |",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("no %q in:\n%s", want, doc)
		}
	}
}
