package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/incidentgraph/incidentgraph/bench/ceiling"
)

// On a generated graph the seed's ids are not where the activity is: -pick chooses the
// questions' arguments from the data, the same way at every size, so that a scaling run asks
// comparable questions of each graph. A generated group is one whose organisational links
// its synthetic asserters ("gen-…") make.
const generatedGroup = `EXISTS { (g)-[a:AFFILIATE_OF|BRANCH_OF|PLEDGED_ALLEGIANCE_TO|ALLIED_WITH|SPLINTER_OF|OFFSHOOT_OF]-(:Entity)
	WHERE a.assertedBy STARTS WITH 'gen-' }`

var picks = []struct {
	what   string
	cypher string
}{
	// The incidents and network questions: the busiest generated group that has affiliates,
	// and the days of its first and last incident as the range.
	{"busiest", `MATCH (g:Organization)
		WHERE ` + generatedGroup + ` AND EXISTS { (g)<-[:AFFILIATE_OF|BRANCH_OF|PLEDGED_ALLEGIANCE_TO]-(:Entity) }
		WITH g, COUNT { (g)-[:CLAIMED_RESPONSIBILITY_FOR|PERPETRATED|ATTRIBUTED_TO]-(:Incident) } AS n
		ORDER BY n DESC, g.id LIMIT 1
		CALL (g) {
			MATCH (g)-[:CLAIMED_RESPONSIBILITY_FOR|PERPETRATED|ATTRIBUTED_TO]-(i:Incident)
			RETURN min(i.dateStart) AS from, max(i.dateEnd) AS to
		}
		RETURN g.id AS id, n, from, to`},
	// The entity question: the generated group whose one-hop answer is nearest 60 relationships
	// (the question's page is 100), so that the answer has the same size at every graph size
	// and what grows is only the graph around it.
	{"entity", `MATCH (g:Organization) WHERE ` + generatedGroup + `
		WITH g, COUNT { (g)-[]-(:Entity) } AS n
		ORDER BY abs(n - 60), g.id LIMIT 1
		RETURN g.id AS id, n`},
	// The nested question: the generated group with the most incidents whose three levels all
	// stay below the question's caps (20 incidents, 5 places each, 30 incidents at a place), so
	// that the three sides, which cut a capped list differently, give the same answer.
	{"nested", `MATCH (g:Organization) WHERE ` + generatedGroup + `
		WITH g, COUNT { (g)-[:CLAIMED_RESPONSIBILITY_FOR|PERPETRATED|ATTRIBUTED_TO]-(:Incident) } AS n
		WHERE 3 <= n <= 20
		WITH g, n, COLLECT { MATCH (g)-[:CLAIMED_RESPONSIBILITY_FOR|PERPETRATED|ATTRIBUTED_TO]-(i:Incident) RETURN i } AS incs
		WHERE none(i IN incs WHERE COUNT { (i)-[:OCCURRED_IN|OCCURRED_AT]->(:Entity) } > 5
			OR EXISTS { MATCH (i)-[:OCCURRED_IN|OCCURRED_AT]->(p:Entity)
			            WHERE COUNT { (p)<-[:OCCURRED_IN|OCCURRED_AT]-(:Incident) } > 30 })
		RETURN g.id AS id, n ORDER BY n DESC, g.id LIMIT 1`},
	// The analysts' questions: the timeline of the busiest generated group with affiliates, the
	// most similar incidents to its latest incident, and what its two latest incidents have in
	// common.
	{"analyst", `MATCH (g:Organization)
		WHERE ` + generatedGroup + ` AND EXISTS { (g)<-[:AFFILIATE_OF|BRANCH_OF|PLEDGED_ALLEGIANCE_TO]-(:Entity) }
		WITH g, COUNT { (g)-[:CLAIMED_RESPONSIBILITY_FOR|PERPETRATED|ATTRIBUTED_TO]-(:Incident) } AS n
		ORDER BY n DESC, g.id LIMIT 1
		RETURN g.id AS id, n, COLLECT {
			MATCH (g)-[:CLAIMED_RESPONSIBILITY_FOR|PERPETRATED|ATTRIBUTED_TO]-(i:Incident)
			WHERE i.dateStart IS NOT NULL
			WITH DISTINCT i ORDER BY i.dateStart DESC, i.id LIMIT 2
			RETURN i.id } AS incidents`},
}

// steadyGroup picks, for the incidents question, the generated group with affiliates whose
// incidents, its affiliates' (down to three levels) included, number nearest $n, and the days of
// its own first and last incident as the range: at every graph size the answer has about the
// same size, so what grows is only the graph around it.
const steadyGroup = `MATCH (g:Organization)
	WHERE ` + generatedGroup + ` AND EXISTS { (g)<-[:AFFILIATE_OF|BRANCH_OF|PLEDGED_ALLEGIANCE_TO]-(:Entity) }
	WITH g, COUNT { MATCH (x:Entity)-[:AFFILIATE_OF|BRANCH_OF|PLEDGED_ALLEGIANCE_TO]->{0,3}(g)
	                MATCH (x)-[:CLAIMED_RESPONSIBILITY_FOR|PERPETRATED|ATTRIBUTED_TO]-(i:Incident)
	                RETURN DISTINCT i } AS n
	ORDER BY abs(n - $n), g.id LIMIT 1
	CALL (g) {
		MATCH (g)-[:CLAIMED_RESPONSIBILITY_FOR|PERPETRATED|ATTRIBUTED_TO]-(i:Incident)
		RETURN min(i.dateStart) AS from, max(i.dateEnd) AS to
	}
	RETURN g.id AS id, n, from, to`

// pickParams sets, in p, the arguments -pick chooses from the data, except those given by flag.
// With steady > 0 the incidents question's group is the one nearest steady incidents.
func pickParams(ctx context.Context, floor *side, p *params, set map[string]bool, steady int) error {
	if err := pickFrom(ctx, floor, p, set); err != nil {
		return err
	}
	if steady <= 0 || set["group"] {
		return nil
	}
	rs, err := floor.floorRun(ctx, []floorStatement{{Cypher: steadyGroup, Params: map[string]any{"n": steady}}})
	if err != nil {
		return fmt.Errorf("-pick-incidents: %w", err)
	}
	if len(rs[0]) == 0 {
		fmt.Println("pick steady   no generated group fits; keeping the busiest")
		return nil
	}
	row := rs[0][0]
	p.Group, _ = row["id"].(string)
	fmt.Printf("pick steady   %s (%v)\n", p.Group, num(row["n"]))
	from, _ := row["from"].(string)
	to, _ := row["to"].(string)
	if !set["from"] && len(from) == 10 {
		p.From = from
	}
	if !set["to"] && len(to) == 10 {
		p.To = to
	}
	return nil
}

func pickFrom(ctx context.Context, floor *side, p *params, set map[string]bool) error {
	for _, pk := range picks {
		rs, err := floor.floorRun(ctx, []floorStatement{{Cypher: pk.cypher}})
		if err != nil {
			return fmt.Errorf("-pick %s: %w", pk.what, err)
		}
		if len(rs[0]) == 0 {
			fmt.Printf("pick %-8s no generated group fits; keeping the default\n", pk.what)
			continue
		}
		row := rs[0][0]
		id, _ := row["id"].(string)
		fmt.Printf("pick %-8s %s (%v)\n", pk.what, id, num(row["n"]))
		switch pk.what {
		case "busiest":
			if !set["group"] {
				p.Group = id
			}
			if !set["network"] {
				p.Network = id
			}
			from, _ := row["from"].(string)
			to, _ := row["to"].(string)
			if !set["from"] && len(from) == 10 {
				p.From = from
			}
			if !set["to"] && len(to) == 10 {
				p.To = to
			}
		case "entity":
			if !set["entity"] {
				p.Entity = id
			}
		case "nested":
			if !set["nested"] {
				p.Nested = id
			}
		case "analyst":
			var incs []string
			for _, x := range list(row["incidents"]) {
				incs = append(incs, str(x))
			}
			if !set["timeline"] {
				p.Timeline = id
			}
			if !set["similar"] && len(incs) > 0 {
				p.Similar = incs[0]
			}
			if !set["common"] && len(incs) == 2 {
				p.Common = incs
			}
			fmt.Printf("pick %-8s incidents %s\n", "", strings.Join(incs, ", "))
		}
	}
	return nil
}

// scalingRun is one size's measurements, saved by -cells for the scaling report.
type scalingRun struct {
	Env    environment
	Params params
	Cells  []cell
	// Ceiling is the same graph through neo4j-admin's bulk importer, added to the saved run by
	// bench/ceiling (its key is ceiling.RunKey); nil when not measured.
	Ceiling *ceiling.Result `json:",omitempty"`
}

func saveCells(path string, e *environment, p params, cells []cell) error {
	b, err := json.MarshalIndent(scalingRun{Env: *e, Params: p, Cells: cells}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// The scaling section lives between these markers in the report, so that a comparison run
// rewriting the report keeps it, and a scaling run replaces only it.
const (
	scalingBegin = "<!-- scaling: written by make bench-compare-scaling -->"
	scalingEnd   = "<!-- /scaling -->"
)

// spliceScaling returns doc with its scaling section replaced by section (appended when doc
// has none; removed when section is empty).
func spliceScaling(doc, section string) string {
	if i := strings.Index(doc, scalingBegin); i >= 0 {
		if j := strings.Index(doc[i:], scalingEnd); j >= 0 {
			doc = doc[:i] + doc[i+j+len(scalingEnd):]
		}
	}
	doc = strings.TrimRight(doc, "\n") + "\n"
	if section == "" {
		return doc
	}
	return doc + "\n" + scalingBegin + "\n" + strings.TrimRight(section, "\n") + "\n" + scalingEnd + "\n"
}

// existingScaling returns the scaling section of the report at path, markers excluded ("" if none).
func existingScaling(path string) string { return section(path, scalingBegin, scalingEnd) }

// section returns what lies between begin and end in the file at path, trimmed ("" if the
// file or the markers are missing).
func section(path, begin, end string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	doc := string(b)
	i := strings.Index(doc, begin)
	if i < 0 {
		return ""
	}
	j := strings.Index(doc[i:], end)
	if j < 0 {
		return ""
	}
	return strings.TrimSpace(doc[i+len(begin) : i+j])
}

// growthTargets are the limits on the service's p50 growth from the smallest to the largest size
// (10k to 200k incidents in make bench-compare-scaling): under 1.5× on every question it asks.
var growthTargets = map[string]float64{"entity": targetScalingGrowth, "network": targetScalingGrowth, "incidents": targetScalingGrowth}

// writeScaling reads the runs saved in files (one per graph size) and writes the scaling
// section of the report at out, with its chart beside it.
func writeScaling(out string, files []string) error {
	var runs []scalingRun
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var r scalingRun
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		runs = append(runs, r)
	}
	if len(runs) < 2 {
		return fmt.Errorf("a scaling report needs at least two sizes, got %d", len(runs))
	}
	slices.SortFunc(runs, func(a, b scalingRun) int { return int(a.Env.Incidents - b.Env.Incidents) })
	var qs []string
	var conc []int
	for _, cl := range runs[0].Cells {
		if cl.Question == typenameCell { // the round trip reference: no question of the scaling section
			continue
		}
		if !slices.Contains(qs, cl.Question) {
			qs = append(qs, cl.Question)
		}
		if !slices.Contains(conc, cl.Concurrency) {
			conc = append(conc, cl.Concurrency)
		}
	}
	find := func(r scalingRun, q, s string, n int) *cell {
		for i := range r.Cells {
			if c := &r.Cells[i]; c.Question == q && c.Side == s && c.Concurrency == n {
				return c
			}
		}
		return nil
	}
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	first, last := runs[0], runs[len(runs)-1]
	w("## Scaling\n\n")
	w("The entity, incidents and network questions on generated graphs of growing size, each imported through ")
	w("`incidentgraph import gtd` into an emptied database beside the seed graph and a generated group structure ")
	w("(`make bench-compare-scaling`). The questions' arguments are picked from each graph the same way (`-pick`): ")
	w("the entity is the generated group whose one-hop answer is nearest 60 relationships, so the answer keeps its size ")
	w("while the graph grows; the incidents question asks about the generated group whose incidents, its affiliates' included, ")
	w("number nearest 300 (`-pick-incidents 300`), over the days of its own first and last incident, so its answer and total count ")
	w("keep their size too; the network question asks about the busiest generated group with affiliates.\n\n")
	w("| incidents | entities | relationships | date | load average | entity | incidents group (range) | network group |\n|---:|---:|---:|---|---|---|---|---|\n")
	for _, r := range runs {
		lo, hi := r.Cells[0].Load1, r.Cells[0].Load1
		for _, cl := range r.Cells {
			lo, hi = min(lo, cl.Load1), max(hi, cl.Load1)
		}
		w("| %d | %d | %d | %s | %.1f–%.1f | %s | %s (%s – %s) | %s |\n", r.Env.Incidents, r.Env.Entities, r.Env.Relationships,
			r.Env.Date, lo, hi, r.Params.Entity, r.Params.Group, r.Params.From, r.Params.To, r.Params.Network)
	}
	writeImportCeiling(w, runs)
	w("\nEach side's p50 and p99 (ms) and throughput (req/s) at each size, and its p50's growth from the smallest to the largest size (against the target, for ours: under 1.5×).\n\n")
	w("| question | c | side |")
	for _, r := range runs {
		w(" %d: p50 / p99 / req/s |", r.Env.Incidents)
	}
	w(" p50 growth | target |\n|---|---:|---|")
	for range runs {
		w("---:|")
	}
	w("---:|---|\n")
	for _, q := range qs {
		for _, n := range conc {
			for _, s := range []string{sideOurs, sideLibrary, sideFloor} {
				if find(first, q, s, n) == nil {
					continue
				}
				w("| %s | %d | %s |", q, n, s)
				for _, r := range runs {
					if cl := find(r, q, s, n); cl != nil {
						w(" %.2f / %.2f / %.0f |", msf(cl.P50), msf(cl.P99), cl.Throughput)
					} else {
						w(" – |")
					}
				}
				a, z := find(first, q, s, n), find(last, q, s, n)
				growth, target := "–", ""
				if a != nil && z != nil && a.P50 > 0 {
					g := float64(z.P50) / float64(a.P50)
					growth = fmt.Sprintf("%.2f×", g)
					if t, ok := growthTargets[q]; ok && s == sideOurs {
						status := "met"
						if g >= t {
							status = fmt.Sprintf("missed by %.2f×", g/t)
						}
						target = fmt.Sprintf("< %.1f× (%s)", t, status)
					}
				}
				w(" %s | %s |\n", growth, target)
			}
		}
	}
	chartDir := filepath.Join(filepath.Dir(out), "benchmarks")
	if err := os.MkdirAll(chartDir, 0o755); err != nil {
		return err
	}
	if err := drawScaling(filepath.Join(chartDir, "scaling.png"), runs, qs, conc, find); err != nil {
		return err
	}
	w("\nMedian latency against graph size (ms, lower is better; log scale of incidents)\n\n![Median latency against graph size](benchmarks/scaling.png)\n")
	doc, err := os.ReadFile(out)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	return os.WriteFile(out, []byte(spliceScaling(string(doc), b.String())), 0o644)
}

// writeImportCeiling writes the import's rate beside its ceiling on the same machine: the same
// graph through neo4j-admin's bulk importer into an empty database (bench/ceiling).
func writeImportCeiling(w func(string, ...any), runs []scalingRun) {
	w("\n### Import rate and its ceiling\n\n")
	w("The import's rate (`incidentgraph import gtd`: GTD rows read per second, from its summary line) beside its ceiling on the same machine, ")
	w("measured right after each size's other figures: the graph that import produced (the seed graph and the generated groups included) ")
	w("dumped to neo4j-admin's CSV format (`bench/ceiling`) and loaded by `neo4j-admin database import full` into an empty database of a second home ")
	w("(`scripts/neo4j.sh admin-import`, the bench Neo4j stopped), its rate the same GTD rows divided by the seconds of the importer's command alone ")
	w("(from its JVM's start to its exit; beside it the importer's own timer, which leaves out that start and its setup), ")
	w("then by those of the CSV dump and the importer together. ")
	w("The bulk importer writes store files without transactions, lookups or merges, and builds no index or constraint (Community's cannot: ")
	w("`--schema` needs the block format), where the real import merges every row into a live, indexed graph; the CSV format cannot write an ")
	w("empty list, so those properties (mostly empty `aliases`) are left out of the copy. Its counts of nodes, relationships and properties are checked ")
	w("against the dump's.\n\n")
	w("| incidents | GTD rows | import gtd: s / rows/s | neo4j-admin import: s / rows/s | its own timer: s / rows/s | with the CSV dump: s / rows/s | ceiling / import | copied nodes / relationships / properties (empty lists left out) | importer memory |\n")
	w("|---:|---:|---:|---:|---:|---:|---:|---|---|\n")
	for _, r := range runs {
		c := r.Ceiling
		rows := int64(0)
		if c != nil {
			rows = c.Rows
		}
		imp := "–"
		if r.Env.ImportRate > 0 && rows > 0 {
			imp = fmt.Sprintf("%.1f / %.0f", float64(rows)/r.Env.ImportRate, r.Env.ImportRate)
		} else if r.Env.ImportRate > 0 {
			imp = fmt.Sprintf("%.0f rows/s", r.Env.ImportRate)
		}
		if c == nil || rows <= 0 {
			w("| %d | – | %s | – | – | – | – | – | – |\n", r.Env.Incidents, imp)
			continue
		}
		own := "–"
		if c.ToolSeconds > 0 {
			own = fmt.Sprintf("%.1f / %.0f", c.ToolSeconds, float64(rows)/c.ToolSeconds)
		}
		ratio := "–"
		if r.Env.ImportRate > 0 && c.Rate() > 0 {
			ratio = fmt.Sprintf("%.1f×", c.Rate()/r.Env.ImportRate)
		}
		w("| %d | %d | %s | %.1f / %.0f | %s | %.1f / %.0f | %s | %d / %d / %d (%d) | heap %s, off-heap %s |\n",
			r.Env.Incidents, rows, imp, c.ImportSeconds, c.Rate(), own, c.DumpSeconds+c.ImportSeconds, c.TotalRate(),
			ratio, c.Nodes, c.Relationships, c.Properties, c.EmptyLists, orDash(c.Heap), orDash(c.OffHeap))
	}
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// drawScaling draws, per question, p50 against the number of incidents, a line per side and
// concurrency.
func drawScaling(path string, runs []scalingRun, qs []string, conc []int, find func(scalingRun, string, string, int) *cell) error {
	plots := make([][]*plot.Plot, 1)
	for _, q := range qs {
		p := plot.New()
		p.Title.Text = q
		p.X.Label.Text = "incidents"
		p.X.Scale = plot.LogScale{}
		var ticks []plot.Tick
		for _, r := range runs {
			ticks = append(ticks, plot.Tick{Value: float64(r.Env.Incidents), Label: fmt.Sprintf("%dk", (r.Env.Incidents+500)/1000)})
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
		p.Y.Label.Text = "p50 ms"
		p.Y.Min = 0
		p.Legend.Top = true
		top := 0.0
		for _, s := range []string{sideOurs, sideLibrary, sideFloor} {
			for k, n := range conc {
				var pts plotter.XYs
				for _, r := range runs {
					if cl := find(r, q, s, n); cl != nil {
						pts = append(pts, plotter.XY{X: float64(r.Env.Incidents), Y: msf(cl.P50)})
						top = max(top, msf(cl.P50))
					}
				}
				if len(pts) == 0 {
					continue
				}
				line, err := plotter.NewLine(pts)
				if err != nil {
					return err
				}
				line.Color = sideColors[s]
				line.Width = vg.Points(1.5)
				if k > 0 {
					line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
				}
				p.Add(line)
				p.Legend.Add(fmt.Sprintf("%s c=%d", s, n), line)
			}
		}
		p.Y.Max = top * 1.6 // headroom for the legend
		plots[0] = append(plots[0], p)
	}
	img := vgimg.New(vg.Points(float64(len(plots[0]))*300), vg.Points(280))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(plots[0]), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots[0] {
		plots[0][i].Draw(canvases[0][i])
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
