package main

import (
	"context"
	"encoding/json"
	"fmt"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/incidentgraph/incidentgraph/bench/machine"
)

// cell is one measured run: a question on a side at a concurrency.
type cell struct {
	Question, Side     string
	Concurrency        int
	Requests, Errors   int
	Throughput         float64 // successful requests per second
	P50, P95, P99      time.Duration
	FirstError         string
	RSSMB, PeakMB, CPU float64 // the server's resident memory after the run, its peak so far, CPU cores used during it
	HasProcess         bool
	// CPUPerReq is the server's CPU time (user+system) during the run in milliseconds per
	// request answered; HasCPU says it was measured (a server, and requests answered).
	CPUPerReq float64
	HasCPU    bool
	Load1     float64 // the machine's 1-minute load average at the end of the run
}

// cpuPerRequest is a server's CPU milliseconds per request over a run: the growth of its
// user+system time between before and after, divided by the requests it answered. Not
// measured (false) when it answered none, or when its CPU time went backwards (not the same
// process).
func cpuPerRequest(before, after procUsage, requests int) (float64, bool) {
	d := after.CPUSecs - before.CPUSecs
	if requests <= 0 || d < 0 {
		return 0, false
	}
	return d * 1000 / float64(requests), true
}

func newCell(q, s string, c int, m *vegeta.Metrics, before, after procUsage, d time.Duration) cell {
	cl := cell{Question: q, Side: s, Concurrency: c, Requests: int(m.Requests),
		Errors: int(m.Requests) - int(float64(m.Requests)*m.Success+0.5), Throughput: m.Throughput,
		P50: m.Latencies.P50, P95: m.Latencies.P95, P99: m.Latencies.P99}
	if len(m.Errors) > 0 {
		cl.FirstError = m.Errors[0]
	}
	cl.Load1 = loadAverage()
	if s != sideFloor {
		cl.HasProcess = true
		cl.RSSMB = float64(after.RSSKB) / 1024
		cl.PeakMB = float64(after.PeakKB) / 1024
		cl.CPU = (after.CPUSecs - before.CPUSecs) / d.Seconds()
		cl.CPUPerReq, cl.HasCPU = cpuPerRequest(before, after, cl.Requests)
	}
	return cl
}

func (c cell) String() string {
	s := fmt.Sprintf("%-9s c=%-3d %-8s %8.1f req/s  p50 %8s  p95 %8s  p99 %8s  errors %d",
		c.Question, c.Concurrency, c.Side, c.Throughput, ms(c.P50), ms(c.P95), ms(c.P99), c.Errors)
	if c.HasProcess {
		s += fmt.Sprintf("  rss %.0f MB  cpu %.2f", c.RSSMB, c.CPU)
	}
	if c.HasCPU {
		s += fmt.Sprintf("  cpu/req %.3f ms", c.CPUPerReq)
	}
	return s
}

// loadAverage is the machine's 1-minute load average: other work on the machine skews the
// figures, and the report says how busy it was.
func loadAverage() float64 {
	var l float64
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Sscanf(string(b), "%f", &l)
	}
	return l
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// environment is what the report states about the machine, the software and the data.
type environment struct {
	Date, Machine, CPUs, Memory        string
	Go, Node, Neo4j, Library, Apollo   string
	Data                               string
	Entities, Incidents, Relationships int64
	ImportRate                         float64 // rows per second of the import that loaded the graph (0: not measured)
}

func describe(ctx context.Context, c *config, floor *side) (*environment, error) {
	e := &environment{Date: time.Now().UTC().Format("2006-01-02 15:04 MST"), Go: runtime.Version(),
		CPUs: fmt.Sprint(runtime.NumCPU()), ImportRate: c.importRate}
	e.Machine, e.Memory = machine.Describe()
	if out, err := exec.Command(c.node, "--version").Output(); err == nil {
		e.Node = strings.TrimSpace(string(out))
	}
	e.Library = npmVersion(c.libraryDir, "@neo4j/graphql")
	e.Apollo = npmVersion(c.libraryDir, "@apollo/server")
	rs, err := floor.floorRun(ctx, []floorStatement{
		{Cypher: `CALL dbms.components() YIELD name, versions, edition RETURN name + ' ' + versions[0] + ' ' + edition AS v`},
		{Cypher: `CALL () { MATCH (n:Entity) RETURN count(n) AS entities }
		          CALL () { MATCH (n:Incident) RETURN count(n) AS incidents }
		          CALL () { MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS relationships }
		          RETURN entities, incidents, relationships`},
	})
	if err != nil {
		return nil, fmt.Errorf("describing the database: %w", err)
	}
	e.Neo4j, _ = rs[0][0]["v"].(string)
	e.Entities, _ = rs[1][0]["entities"].(int64)
	e.Incidents, _ = rs[1][0]["incidents"].(int64)
	e.Relationships, _ = rs[1][0]["relationships"].(int64)
	e.Data = fmt.Sprintf("%s: %d entities (%d incidents), %d relationships", c.dataLabel, e.Entities, e.Incidents, e.Relationships)
	return e, nil
}

func npmVersion(dir, pkg string) string {
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", pkg, "package.json"))
	if err != nil {
		return "?"
	}
	var p struct{ Version string }
	_ = json.Unmarshal(b, &p)
	return p.Version
}

var sideTitles = map[string]string{
	sideOurs:    "ours (this service)",
	sideLibrary: "library (@neo4j/graphql)",
	sideFloor:   "floor (Go driver)",
}

func writeReport(c *config, e *environment, qs []question, tabs []tab, cells []cell) error {
	chartDir := filepath.Join(filepath.Dir(c.out), "benchmarks")
	if err := os.MkdirAll(chartDir, 0o755); err != nil {
		return err
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
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# Benchmarks: this service, the Neo4j GraphQL Library and the raw driver\n\n")
	w("Generated by `make bench-compare` (`go run ./bench/compare`); do not edit by hand.\n\n")
	w("**Data: %s.**\n\n", e.Data)
	w("| | |\n|---|---|\n")
	w("| date | %s |\n| machine | %s, %s CPUs, %s memory |\n", e.Date, e.Machine, e.CPUs, e.Memory)
	w("| versions | Go %s; Node %s; %s; @neo4j/graphql %s on @apollo/server %s |\n", strings.TrimPrefix(e.Go, "go"), e.Node, e.Neo4j, e.Library, e.Apollo)
	lo, hi := cells[0].Load1, cells[0].Load1
	for _, cl := range cells {
		lo, hi = min(lo, cl.Load1), max(hi, cl.Load1)
	}
	w("| machine load | 1-minute load average %.1f–%.1f during the run, on %s CPUs (work besides the benchmark makes figures noisy) |\n", lo, hi, e.CPUs)
	w("| load | vegeta on loopback, closed loop: each of *c* clients sends its next request when the last is answered; %s warm-up, then %s measured, per question × concurrency × side |\n", c.warmup, c.duration)
	w("\nAll three sides read the same Neo4j. **ours** is `incidentgraph serve` (LOG_LEVEL=warn, no per-token rate limit); ")
	w("**library** is `@neo4j/graphql` served by Apollo Server (`bench/compare/library`), with native ")
	w("relationship fields where the Library has them and `@cypher` fields where it has none (a relationship list over every type, ")
	w("the incidents of a group with its affiliates, the network, the path, full-text search, and the analysts' timeline, common ")
	w("neighbours and similar incidents); **floor** is the same ")
	w("Cypher (`bench/compare/queries`) run through the Go driver in a read transaction, with no HTTP and no GraphQL. ")
	w("For the timeline, common neighbours and similar incidents the Cypher is the service's own statement (its relationship ")
	w("filter at the values of a query without one): the floor runs it and, for similar incidents, scores the candidates in Go ")
	w("with the service's `analysis.Similarity`; the Library runs it inside its `@cypher` field, shapes the records in Cypher, and ")
	w("scores similar incidents in Cypher (`similar_score.cypher`). ")
	w("Before anything is measured the harness checks that the three give the same answer to every question.\n\n")
	w("Throughput counts successful requests per second; latencies are per request as the client sees it. ")
	w("Memory is the server's resident set (VmRSS) after the run and its peak so far (VmHWM); CPU is the server's ")
	w("user+system time during the run divided by its length (cores used), and the same time in milliseconds per request answered ")
	w("(CPU ms/req: utime+stime from `/proc/PID/stat` before and after the measured run, in ticks of 10 ms, divided by the requests). ")
	w("The floor has no server; Neo4j's own CPU and memory are not counted on any side.\n\n")

	w("## Questions\n\n| question | what is asked |\n|---|---|\n")
	w("| %s | `%s` on the service alone: one HTTP round trip that reads nothing, the reference of the p50 target |\n", typenameCell, typenameQuery)
	for _, q := range qs {
		w("| %s | %s |\n", q.Name, q.Desc)
	}
	names := questionNames(qs)
	if len(tabs) > 0 {
		names = append(names, mixedCell)
		var all, lib []string
		for _, t := range tabs {
			s := t.Name
			if t.NeedsToken {
				s += " (with a curator's token)"
			}
			all = append(all, s)
			if t.Question != "" {
				lib = append(lib, fmt.Sprintf("%s (for %s)", t.Question, t.Name))
			}
		}
		w("| %s | GraphiQL's example tabs in their order, each request the next tab, on the service: %s. ", mixedCell, strings.Join(all, ", "))
		w("The Library and the floor cannot express every tab: in the same order they ask the questions of the tabs they can, on the tabs' ids: %s. ", strings.Join(lib, ", "))
		w("Its ratios compare different work and are not held to the targets |\n")
	}

	w("\n## Ratios\n\nours ÷ library and ours ÷ floor. Throughput above 1 means ours serves more; p50 and p99 below 1 mean ours answers faster.\n\n")
	w("| question | c | throughput ÷ library | p50 ÷ library | p99 ÷ library | CPU ms/req ÷ library | throughput ÷ floor | p50 ÷ floor | p99 ÷ floor |\n")
	w("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	ratio := func(a, b float64) string {
		if b == 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f", a/b)
	}
	for _, name := range names {
		for _, n := range c.concurrency {
			o, l, f := find(name, sideOurs, n), find(name, sideLibrary, n), find(name, sideFloor, n)
			if o == nil || l == nil || f == nil {
				continue
			}
			cpu := "–"
			if o.HasCPU && l.HasCPU {
				cpu = ratio(o.CPUPerReq, l.CPUPerReq)
			}
			w("| %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", name, n,
				ratio(o.Throughput, l.Throughput), ratio(float64(o.P50), float64(l.P50)), ratio(float64(o.P99), float64(l.P99)), cpu,
				ratio(o.Throughput, f.Throughput), ratio(float64(o.P50), float64(f.P50)), ratio(float64(o.P99), float64(f.P99)))
		}
	}

	writeTargets(w, questionNames(qs), c.concurrency, find)
	w("\n%s\n", analysisBegin)
	if a := existingAnalysis(c.out); a != "" {
		w("%s\n", a)
	} else {
		w("## Why the missed targets are missed\n\n(To be written after a run: the analysis stays here across runs.)\n")
	}
	w("%s\n", analysisEnd)

	w("\n## Figures\n\n| question | c | side | req/s | p50 ms | p95 ms | p99 ms | requests | errors | RSS MB | peak MB | CPU cores | CPU ms/req |\n")
	w("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, name := range append([]string{typenameCell}, names...) {
		for _, n := range c.concurrency {
			for _, s := range []string{sideOurs, sideLibrary, sideFloor} {
				cl := find(name, s, n)
				if cl == nil {
					continue
				}
				rss, peak, cpu, perReq := "–", "–", "–", "–"
				if cl.HasProcess {
					rss, peak, cpu = fmt.Sprintf("%.0f", cl.RSSMB), fmt.Sprintf("%.0f", cl.PeakMB), fmt.Sprintf("%.2f", cl.CPU)
				}
				if cl.HasCPU {
					perReq = fmt.Sprintf("%.3f", cl.CPUPerReq)
				}
				w("| %s | %d | %s | %.1f | %.2f | %.2f | %.2f | %d | %d | %s | %s | %s | %s |\n", name, n, s, cl.Throughput,
					msf(cl.P50), msf(cl.P95), msf(cl.P99), cl.Requests, cl.Errors, rss, peak, cpu, perReq)
			}
		}
	}
	var errs []string
	for _, cl := range cells {
		if cl.Errors > 0 {
			errs = append(errs, fmt.Sprintf("- %s, %s, c=%d: %d errors, e.g. `%s`", cl.Question, cl.Side, cl.Concurrency, cl.Errors, cl.FirstError))
		}
	}
	if len(errs) > 0 {
		w("\n### Errors\n\n%s\n", strings.Join(errs, "\n"))
	}

	w("\n## Charts\n\n")
	for _, ch := range []struct {
		file, title, axis string
		value             func(*cell) float64
	}{
		{"throughput.png", "Throughput (successful requests per second, higher is better)", "req/s", func(c *cell) float64 { return c.Throughput }},
		{"p50.png", "Median latency (ms, lower is better)", "p50 ms", func(c *cell) float64 { return msf(c.P50) }},
		{"p99.png", "99th percentile latency (ms, lower is better)", "p99 ms", func(c *cell) float64 { return msf(c.P99) }},
	} {
		if err := drawChart(filepath.Join(chartDir, ch.file), ch.axis, names, c.concurrency, ch.value, find); err != nil {
			return fmt.Errorf("chart %s: %w", ch.file, err)
		}
		w("%s\n\n![%s](benchmarks/%s)\n\n", ch.title, ch.title, ch.file)
	}

	w("## Rerunning\n\n```sh\nmake bench-compare                      # this report, on the graph the bench Neo4j holds\n")
	w("make bench-compare BENCH_COMPARE_FLAGS='-duration 30s -entity ID -group ID -network ID -path-from ID -path-to ID -search WORDS -nested ID -timeline ID -common ID,ID -similar ID'\n")
	w("make bench-compare-smoke                # same answers on every side, a second per cell; writes nothing\n```\n")
	// A scaling section written by an earlier scaling run stays.
	return os.WriteFile(c.out, []byte(spliceScaling(b.String(), existingScaling(c.out))), 0o644)
}

func questionNames(qs []question) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.Name
	}
	return out
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

var sideColors = map[string]color.Color{
	sideOurs:    color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	sideLibrary: color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	sideFloor:   color.RGBA{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff},
}

// drawChart draws one grouped bar chart per question (bars: sides; groups: concurrency), tiled
// three to a row, into one PNG.
func drawChart(path, axis string, qs []string, conc []int, value func(*cell) float64, find func(q, s string, n int) *cell) error {
	const cols = 3
	rows := (len(qs) + cols - 1) / cols
	plots := make([][]*plot.Plot, rows)
	for r := range plots {
		plots[r] = make([]*plot.Plot, cols)
	}
	names := make([]string, len(conc))
	for i, n := range conc {
		names[i] = fmt.Sprintf("c=%d", n)
	}
	barWidth := vg.Points(14)
	for i, q := range qs {
		p := plot.New()
		p.Title.Text = q
		p.Y.Label.Text = axis
		p.Y.Min = 0
		sides := []string{sideOurs, sideLibrary, sideFloor}
		top := 0.0
		for j, s := range sides {
			vals := make(plotter.Values, len(conc))
			for k, n := range conc {
				if cl := find(q, s, n); cl != nil {
					vals[k] = value(cl)
					top = max(top, vals[k])
				}
			}
			bars, err := plotter.NewBarChart(vals, barWidth)
			if err != nil {
				return err
			}
			bars.Color = sideColors[s]
			bars.LineStyle.Width = 0
			bars.Offset = vg.Length(j-1) * barWidth
			p.Add(bars)
			if i == 0 {
				p.Legend.Add(s, bars)
			}
		}
		p.Y.Max = top * 1.35 // headroom for the legend above the bars
		p.Legend.Top = true
		p.NominalX(names...)
		plots[i/cols][i%cols] = p
	}
	for r := range plots { // empty tiles stay blank
		for cidx := range plots[r] {
			if plots[r][cidx] == nil {
				p := plot.New()
				p.HideAxes()
				plots[r][cidx] = p
			}
		}
	}
	img := vgimg.New(vg.Points(float64(cols)*300), vg.Points(float64(rows)*260))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(plots, tiles, dc)
	for r := range plots {
		for cidx := range plots[r] {
			plots[r][cidx].Draw(canvases[r][cidx])
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
