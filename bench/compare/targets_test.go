package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// cellSet is a run's cells and find over them, as writeReport has them.
type cellSet []cell

func (cs cellSet) find(q, s string, n int) *cell {
	for i := range cs {
		if cs[i].Question == q && cs[i].Side == s && cs[i].Concurrency == n {
			return &cs[i]
		}
	}
	return nil
}

func (cs cellSet) all(yield func(*cell) bool) {
	for i := range cs {
		if !yield(&cs[i]) {
			return
		}
	}
}

func msd(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

func TestP50TargetCountsTheRoundTrip(t *testing.T) {
	run := func(q string, ours float64, withRTT bool) (targetRow, bool) {
		cs := cellSet{
			{Question: q, Side: sideOurs, Concurrency: 1, P50: msd(ours)},
			{Question: q, Side: sideFloor, Concurrency: 1, P50: msd(4)},
		}
		if withRTT {
			cs = append(cs, cell{Question: typenameCell, Side: sideOurs, Concurrency: 1, P50: msd(0.5)})
		}
		factor := targetFloorP50
		if q == "nested" {
			factor = targetFloorP50Nested
		}
		return p50Row(q, factor, []int{1}, cs.find)
	}
	// 1.2 × 4 + 0.5 = 5.3 ms.
	if r, ok := run("entity", 5.3, true); !ok || !r.Met || r.Status != "met" {
		t.Errorf("at the bound: %+v", r)
	}
	if r, _ := run("entity", 5.4, true); r.Met || r.Status != "missed by 1.02×" {
		t.Errorf("over the bound: %+v", r)
	}
	// Nested: 1.5 × 4 + 0.5 = 6.5 ms, which the 1.2× questions miss.
	if r, _ := run("nested", 6.4, true); !r.Met {
		t.Errorf("nested under 1.5×: %+v", r)
	}
	if r, _ := run("entity", 6.4, true); r.Met {
		t.Errorf("entity at 1.6× passed: %+v", r)
	}
	// Without a {__typename} round trip measured, the target is not evaluated (not met, not
	// missed against a bound without it).
	if r, ok := run("entity", 5.3, false); ok {
		t.Errorf("evaluated without a round trip: %+v", r)
	}
}

func TestThroughputBar(t *testing.T) {
	for _, c := range []struct{ lib, floor, want float64 }{
		{100, 400, 200}, // 2× the Library's is under 0.8× the floor's (320)
		{100, 200, 160}, // 2× passes 0.8× the floor's: 0.8× the floor's
		{100, 250, 200}, // exactly at 0.8× the floor's
		{100, 0, 200},   // no floor measured
	} {
		if got := throughputBar(c.lib, c.floor); got != c.want {
			t.Errorf("bar(lib %v, floor %v) = %v, want %v", c.lib, c.floor, got, c.want)
		}
	}
}

func TestThroughputTarget(t *testing.T) {
	row := func(ours, floor float64, oursP99 time.Duration, conc int) (targetRow, bool) {
		cs := cellSet{
			{Question: "entity", Side: sideOurs, Concurrency: conc, Throughput: ours, P99: oursP99},
			{Question: "entity", Side: sideLibrary, Concurrency: conc, Throughput: 100, P99: msd(30)},
			{Question: "entity", Side: sideFloor, Concurrency: conc, Throughput: floor, P99: msd(8)},
		}
		return throughputRow("entity", []int{1, 8, 32}, cs.find)
	}
	for _, c := range []struct {
		name          string
		ours, floor   float64
		p99           time.Duration
		conc          int
		met           bool
		status, where string
	}{
		{"2× the Library's, lower p99", 210, 400, msd(20), 8, true, "met", "bar 200 req/s"},
		{"under 2× where the floor allows it", 190, 400, msd(20), 32, false, "missed by 1.05×", "bar 200"},
		{"capped at 0.8× the floor's", 170, 200, msd(20), 8, true, "met", "bar 160"},
		{"0.8× the floor's but not above the Library's", 90, 100, msd(20), 8, false, "missed by 1.11×", "bar 80"},
		{"fast enough but a higher p99", 210, 400, msd(40), 8, false, "missed (p99 higher)", "p99 higher"},
		{"slow and a higher p99", 150, 400, msd(40), 8, false, "missed by 1.33×, p99 higher", "p99 higher"},
	} {
		r, ok := row(c.ours, c.floor, c.p99, c.conc)
		if !ok || r.Met != c.met || r.Status != c.status || !strings.Contains(r.Measured, c.where) {
			t.Errorf("%s: %+v", c.name, r)
		}
	}
	// c=1 is not a concurrency of the target.
	if r, ok := row(50, 400, msd(40), 1); ok {
		t.Errorf("c=1 evaluated: %+v", r)
	}
}

func TestCPUTarget(t *testing.T) {
	cs := func(perReq float64, has bool) cellSet {
		return cellSet{{Question: "entity", Side: sideOurs, Concurrency: 8, CPUPerReq: perReq, HasCPU: has}}
	}
	if r := cpuRow(cs(0.9, true).find, 3, 8, "2026-01-01", "abc"); !r.Met || r.Status != "met" || !strings.Contains(r.Target, "commit abc") {
		t.Errorf("a third of the baseline: %+v", r)
	}
	if r := cpuRow(cs(1.2, true).find, 3, 8, "2026-01-01", "abc"); r.Met || r.Status != "missed by 1.20×" {
		t.Errorf("2.5× down: %+v", r)
	}
	if r := cpuRow(cs(0.1, true).find, 0, 8, "", ""); r.Met || r.Status != "no baseline recorded" {
		t.Errorf("no baseline: %+v", r)
	}
	if r := cpuRow(cs(0.1, false).find, 3, 8, "", ""); r.Met || !strings.HasPrefix(r.Status, "not measured") {
		t.Errorf("no CPU measured: %+v", r)
	}
	if r := cpuRow(cs(0.1, true).find, 3, 32, "", ""); r.Met || !strings.HasPrefix(r.Status, "not measured") {
		t.Errorf("no entity cell at the baseline's concurrency: %+v", r)
	}
}

func TestMemoryTarget(t *testing.T) {
	cs := func(peak float64) cellSet {
		return cellSet{
			{Question: "entity", Side: sideOurs, Concurrency: 1, PeakMB: 40, HasProcess: true},
			{Question: "mixed", Side: sideOurs, Concurrency: 8, PeakMB: peak, HasProcess: true},
			{Question: "entity", Side: sideLibrary, Concurrency: 1, PeakMB: 300, HasProcess: true}, // not ours
		}
	}
	if r := memoryRow(cs(60).all); !r.Met || r.Measured != "peak 60 MB" {
		t.Errorf("under 100 MB: %+v", r)
	}
	if r := memoryRow(cs(120).all); r.Met || r.Status != "missed by 1.20×" {
		t.Errorf("120 MB: %+v", r)
	}
}

// The section states the targets as set, and a table line per target evaluated.
func TestTargetsSection(t *testing.T) {
	cs := cellSet{
		{Question: typenameCell, Side: sideOurs, Concurrency: 8, P50: msd(0.5)},
		{Question: "entity", Side: sideOurs, Concurrency: 8, Throughput: 300, P50: msd(4), P99: msd(20), PeakMB: 40, HasProcess: true},
		{Question: "entity", Side: sideLibrary, Concurrency: 8, Throughput: 100, P50: msd(10), P99: msd(30)},
		{Question: "entity", Side: sideFloor, Concurrency: 8, Throughput: 400, P50: msd(4), P99: msd(8)},
	}
	var b strings.Builder
	writeTargets(func(f string, a ...any) { fmt.Fprintf(&b, f, a...) }, []string{"entity"}, []int{1, 8}, cs.find)
	doc := b.String()
	for _, s := range targetsText {
		if !strings.Contains(doc, "- "+s+"\n") {
			t.Errorf("target not stated: %s", s)
		}
	}
	for _, prefix := range []string{"| p50 ≤ 1.2×", "| throughput above", "| service CPU", "| service under 100 MB", "| p50 growth"} {
		if !strings.Contains(doc, "\n"+prefix) {
			t.Errorf("no line %q in\n%s", prefix, doc)
		}
	}
	// The questions the run did not ask have no line.
	if strings.Contains(doc, "| nested |") {
		t.Errorf("a line for a question not asked:\n%s", doc)
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
