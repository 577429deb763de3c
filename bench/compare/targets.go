package main

import (
	"fmt"
	"strings"
)

// The targets, read from one comparison run. The figures and their status are
// generated; why a target is missed is analysis, written by hand between analysisBegin and
// analysisEnd, and kept by every run (like the scaling section).
const (
	targetThroughput = 2.0 // ours ÷ library at c=8 and c=32, with a lower p99
	targetFloorP50   = 1.2 // ours ÷ floor, p50, on the entity, incidents and network questions
	targetRSSMB      = 100 // the service's peak resident memory in the heaviest run
	targetImportRate = 5000

	analysisBegin = "<!-- analysis: written by hand, kept by make bench-compare -->"
	analysisEnd   = "<!-- /analysis -->"
)

// floorQuestions are the questions whose p50 the issue holds against the floor.
var floorQuestions = []string{"entity", "incidents", "network"}

// writeTargets writes the targets table for the cells of one run; importRate is the import's
// rows per second while loading the graph (0: not measured).
func writeTargets(w func(string, ...any), qs []question, conc []int, importRate float64, find func(q, s string, n int) *cell) {
	w("\n## Targets\n\n")
	w("The issue's targets, read from this run (the scaling targets are in the Scaling section). ")
	w("*Missed by* is how far the figure is from the target, as a factor.\n\n")
	w("| target | question | measured | status |\n|---|---|---|---|\n")
	status := func(ok bool, by float64) string {
		if ok {
			return "met"
		}
		return fmt.Sprintf("missed by %.2f×", by)
	}
	for _, q := range qs {
		var parts []string
		ok, worst := true, 0.0
		for _, n := range conc {
			if n < 8 {
				continue
			}
			o, l := find(q.Name, sideOurs, n), find(q.Name, sideLibrary, n)
			if o == nil || l == nil || l.Throughput == 0 {
				continue
			}
			r := o.Throughput / l.Throughput
			p99 := o.P99 < l.P99
			parts = append(parts, fmt.Sprintf("c=%d: %.2f×, p99 %s", n, r, map[bool]string{true: "lower", false: "higher"}[p99]))
			if r < targetThroughput || !p99 {
				ok = false
			}
			if r < targetThroughput {
				worst = max(worst, targetThroughput/r)
			}
		}
		if len(parts) == 0 {
			continue
		}
		st := status(ok, worst)
		if !ok && worst == 0 {
			st = "missed (p99 higher)"
		}
		w("| throughput ≥ %.0f× the Library's, lower p99 | %s | %s | %s |\n", targetThroughput, q.Name, strings.Join(parts, "; "), st)
	}
	for _, name := range floorQuestions {
		var parts []string
		worst := 0.0
		for _, n := range conc {
			o, f := find(name, sideOurs, n), find(name, sideFloor, n)
			if o == nil || f == nil || f.P50 == 0 {
				continue
			}
			r := float64(o.P50) / float64(f.P50)
			parts = append(parts, fmt.Sprintf("c=%d: %.2f×", n, r))
			worst = max(worst, r)
		}
		if len(parts) == 0 {
			continue
		}
		w("| p50 ≤ %.1f× the floor's | %s | %s | %s |\n", targetFloorP50, name, strings.Join(parts, "; "), status(worst <= targetFloorP50, worst/targetFloorP50))
	}
	peak := 0.0
	for _, q := range qs {
		for _, n := range conc {
			if o := find(q.Name, sideOurs, n); o != nil {
				peak = max(peak, o.PeakMB)
			}
		}
	}
	w("| service under %d MB resident | all | peak %.0f MB | %s |\n", targetRSSMB, peak, status(peak < targetRSSMB, peak/targetRSSMB))
	if importRate > 0 {
		w("| import ≥ %d GTD rows/s | loading this graph | %.0f rows/s | %s |\n", targetImportRate, importRate,
			status(importRate >= targetImportRate, targetImportRate/importRate))
	}
}

// existingAnalysis returns the hand-written analysis of the report at path, markers excluded.
func existingAnalysis(path string) string { return section(path, analysisBegin, analysisEnd) }
