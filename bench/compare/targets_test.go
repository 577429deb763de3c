package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestTargetsTable(t *testing.T) {
	qs := []question{{Name: "entity"}}
	table := func(oursRPS float64, oursP99 time.Duration, oursP50 time.Duration) string {
		cells := []cell{
			{Question: "entity", Side: sideOurs, Concurrency: 8, Throughput: oursRPS, P50: oursP50, P99: oursP99, PeakMB: 40},
			{Question: "entity", Side: sideLibrary, Concurrency: 8, Throughput: 100, P50: 10 * time.Millisecond, P99: 30 * time.Millisecond},
			{Question: "entity", Side: sideFloor, Concurrency: 8, Throughput: 400, P50: 4 * time.Millisecond, P99: 8 * time.Millisecond},
		}
		find := func(q, s string, n int) *cell {
			for i := range cells {
				if cells[i].Question == q && cells[i].Side == s && cells[i].Concurrency == n {
					return &cells[i]
				}
			}
			return nil
		}
		var b strings.Builder
		writeTargets(func(f string, a ...any) { fmt.Fprintf(&b, f, a...) }, qs, []int{1, 8}, 2500, find)
		return b.String()
	}
	line := func(doc, prefix string) string {
		for _, l := range strings.Split(doc, "\n") {
			if strings.HasPrefix(l, prefix) {
				return l
			}
		}
		t.Fatalf("no line %q in\n%s", prefix, doc)
		return ""
	}
	met := table(300, 20*time.Millisecond, 4*time.Millisecond)
	if l := line(met, "| throughput"); !strings.HasSuffix(l, "| met |") {
		t.Errorf("3× with a lower p99: %s", l)
	}
	if l := line(met, "| p50"); !strings.HasSuffix(l, "| met |") {
		t.Errorf("p50 equal to the floor's: %s", l)
	}
	// Controls: each target missed, by how much.
	missed := table(150, 40*time.Millisecond, 6*time.Millisecond)
	if l := line(missed, "| throughput"); !strings.Contains(l, "missed by 1.33×") || !strings.Contains(l, "p99 higher") {
		t.Errorf("1.5× with a higher p99: %s", l)
	}
	if l := line(missed, "| p50"); !strings.Contains(l, "missed by 1.25×") {
		t.Errorf("p50 1.5× the floor's: %s", l)
	}
	if l := line(met, "| import"); !strings.Contains(l, "2500 rows/s") || !strings.Contains(l, "missed by 2.00×") {
		t.Errorf("import at half the target: %s", l)
	}
	if l := line(table(300, 40*time.Millisecond, 4*time.Millisecond), "| throughput"); !strings.Contains(l, "missed (p99 higher)") {
		t.Errorf("3× but a higher p99: %s", l)
	}
}

// TestAnalysisIsKept: the hand-written analysis between its markers is what a new report keeps;
// a report without the markers keeps nothing.
func TestAnalysisIsKept(t *testing.T) {
	dir := t.TempDir()
	with, without := dir+"/with.md", dir+"/without.md"
	if err := os.WriteFile(with, []byte("# R\n"+analysisBegin+"\n## Why\n\nbecause\n"+analysisEnd+"\n## Figures\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(without, []byte("# R\n## Why\n\nbecause\n## Figures\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := existingAnalysis(with); got != "## Why\n\nbecause" {
		t.Errorf("kept %q", got)
	}
	if got := existingAnalysis(without); got != "" {
		t.Errorf("without markers kept %q", got)
	}
}
