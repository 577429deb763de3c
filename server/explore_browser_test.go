package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/incidentgraph/incidentgraph/web"
)

// exploreTestTimeout bounds the whole explorer test.
const exploreTestTimeout = 120 * time.Second

// chartModel is what the page's Cytoscape instance holds, read through window.__explorer.
type chartModel struct {
	Nodes []string `json:"nodes"`
	Edges []string `json:"edges"`
	Busy  int      `json:"busy"`
	// Renders counts finished actions: a wait for "the next chart" waits for it to grow.
	Renders int `json:"renders"`
}

const readModel = `(() => {
	const x = window.__explorer;
	if (!x || x.busy > 0) return null;
	return {nodes: x.cy.nodes().map((n) => n.id()), edges: x.cy.edges().map((e) => e.id()), busy: x.busy, renders: x.renders};
})()`

// subgraphIDs is the set of node and edge ids of API answers.
type subgraphIDs struct{ nodes, edges map[string]bool }

func (s subgraphIDs) add(raw json.RawMessage) {
	var g struct {
		Nodes []struct{ ID string }
		Edges []struct{ ID, Source, Target string }
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		panic(err)
	}
	for _, n := range g.Nodes {
		s.nodes[n.ID] = true
	}
	for _, e := range g.Edges {
		s.edges[e.ID] = true
	}
}

func sortedKeys(m map[string]bool) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	sort.Strings(c)
	return c
}

// expectedChart asks the API itself what the chart must hold for a centre, its expansions and
// the paths between two entities, under a filter and a date.
func expectedChart(t *testing.T, ts *testServer, center string, expanded []string, pathFrom, pathTo string, filter map[string]any, knownAt string) (nodes, edges []string) {
	t.Helper()
	ids := subgraphIDs{map[string]bool{}, map[string]bool{}}
	var at any
	if knownAt != "" {
		at = knownAt
	}
	for _, id := range append([]string{center}, expanded...) {
		r := ts.post(t, `query($id: ID!, $f: RelationshipFilter, $at: PartialDate) {
			neighborhood(id: $id, depth: 1, filter: $f, knownAt: $at, limit: 200) { nodes { id } edges { id source target } }
		}`, map[string]any{"id": id, "f": filter, "at": at})
		if len(r.Errors) > 0 {
			t.Fatalf("neighborhood %s: %v", id, r.Errors)
		}
		var d struct{ Neighborhood json.RawMessage }
		_ = json.Unmarshal(r.Data, &d)
		ids.add(d.Neighborhood)
	}
	if pathFrom != "" {
		r := ts.post(t, `query($from: ID!, $to: ID!, $f: RelationshipFilter, $at: PartialDate) {
			paths(from: $from, to: $to, maxDepth: 4, first: 5, filter: $f, knownAt: $at) { nodes { id } edges { id source target } }
		}`, map[string]any{"from": pathFrom, "to": pathTo, "f": filter, "at": at})
		if len(r.Errors) > 0 {
			t.Fatalf("paths: %v", r.Errors)
		}
		var d struct{ Paths []json.RawMessage }
		_ = json.Unmarshal(r.Data, &d)
		for _, p := range d.Paths {
			ids.add(p)
		}
	}
	return sortedKeys(ids.nodes), sortedKeys(ids.edges)
}

// TestExplorerInChromium drives /explore in Debian's headless Chromium over the seed graph:
// search, the neighbourhood drawn, expand, an edge's provenance, the path finder, the filters
// and the date, the shared URL, the exports and an API error. What the chart holds is read from
// the Cytoscape model and compared with what the API answers for the same arguments.
func TestExplorerInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("no Chromium at %s (%v): this test drives a real browser and never downloads one; install Debian's package: apt-get install chromium", chromiumPath, err)
	}
	if !web.Built() {
		t.Fatal("the front end is not built into the test binary: run make web (cd web && npm ci && npm run build), then the tests again")
	}
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	origin, err := url.Parse(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	artifacts := os.Getenv("INCIDENTGRAPH_TEST_ARTIFACTS")
	if artifacts == "" {
		artifacts = filepath.Join(os.TempDir(), "incidentgraph-explorer")
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), exploreTestTimeout)
	defer cancel()
	var browserOutput syncBuffer
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromiumOptions(1400, 900, &browserOutput)...)
	defer cancelAlloc()
	events := &pageEvents{}
	var cdpErrors syncBuffer
	tab, cancelTab := chromedp.NewContext(allocCtx,
		chromedp.WithListener(events.record),
		chromedp.WithErrorf(func(format string, args ...any) { fmt.Fprintf(&cdpErrors, format+"\n", args...) }),
	)
	defer cancelTab()
	failed := func(step string, err error) {
		t.Helper()
		if banner, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById('error')?.textContent ?? ''`)); err == nil && banner != "" {
			t.Logf("the page's error banner: %s", banner)
		}
		if dump, err := chromedp.Run(tab, chromedp.Evaluate[string](`JSON.stringify({search: document.getElementById('search')?.value, list: document.getElementById('search-results')?.outerHTML.slice(0, 600), busy: window.__explorer?.busy, renders: window.__explorer?.renders, href: location.href})`)); err == nil {
			t.Logf("page: %s", dump)
		}
		_, _, messages := events.snapshot()
		t.Fatalf("%s: %v\nconsole:\n  %s\nchromedp errors:\n%s",
			step, err, strings.Join(messages, "\n  "), cdpErrors.String())
	}
	poll := []chromedp.PollOption{chromedp.WithPollingInterval(50 * time.Millisecond), chromedp.WithPollingTimeout(30 * time.Second)}
	screenshot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		if err != nil {
			failed("screenshot "+name, err)
		}
		p := filepath.Join(artifacts, name+".png")
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", p)
	}
	// waitChart waits until the page has finished more actions than `after` and is idle.
	waitChart := func(step string, after int) chartModel {
		t.Helper()
		m, err := chromedp.Run(tab, chromedp.Poll[chartModel](fmt.Sprintf(`(() => { const m = %s; return m && m.renders > %d ? m : null; })()`, readModel, after), poll...))
		if err != nil {
			failed(step, err)
		}
		return m
	}
	eval := func(step, js string) {
		t.Helper()
		if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](js+"; undefined")); err != nil { // no Cytoscape collection back
			failed(step, err)
		}
	}
	checkChart := func(step string, m chartModel, wantNodes, wantEdges []string) {
		t.Helper()
		if got := sortedCopy(m.Nodes); !slices.Equal(got, wantNodes) {
			t.Errorf("%s: chart nodes\n  %v\nwant (the API's answer)\n  %v", step, got, wantNodes)
		}
		if got := sortedCopy(m.Edges); !slices.Equal(got, wantEdges) {
			t.Errorf("%s: chart edges %d, want the API's %d", step, len(got), len(wantEdges))
		}
		if len(slices.Compact(sortedCopy(m.Nodes))) != len(m.Nodes) || len(slices.Compact(sortedCopy(m.Edges))) != len(m.Edges) {
			t.Errorf("%s: duplicate elements in the chart", step)
		}
	}
	// checkExportLinks fetches the data-export links the page shows: each answers 200 with a body.
	checkExportLinks := func(step string) {
		t.Helper()
		hrefs, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`[...document.querySelectorAll('a.export-link')].map((a) => a.href)`))
		if err != nil {
			failed("read the export links", err)
		}
		if len(hrefs) != 4 {
			t.Errorf("%s: export links %v, want 4 formats", step, hrefs)
		}
		for _, h := range hrefs {
			res, err := http.Get(h)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || len(body) == 0 || res.Header.Get("Content-Disposition") == "" {
				t.Errorf("%s: GET %s = %d (%s), want 200, a body and a download name: %.300s", step, h, res.StatusCode, res.Header.Get("Content-Disposition"), body)
			}
		}
	}

	// pick types text into a search box and picks the result with id, with the keyboard.
	pick := func(input, id, text string) {
		t.Helper()
		if err := chromedp.Do(tab, chromedp.SendKeys(chromedp.CSS(input), text)); err != nil {
			failed("type "+text, err)
		}
		listbox := "#" + strings.TrimPrefix(input, "#") + "-results"
		// Every keystroke searched: wait for the last answer (idle page, the whole text typed).
		idx, err := chromedp.Run(tab, chromedp.Poll[int](fmt.Sprintf(`(() => {
			if (__explorer.busy > 0 || document.querySelector('%s').value !== %s) return null;
			const opts = [...document.querySelectorAll('%s [role=option]')];
			const i = opts.findIndex((o) => o.dataset.id === %s);
			return i >= 0 ? i + 1 : null; // Poll waits for a truthy value: 0 is not one
		})()`, input, jsString(t, text), listbox, jsString(t, id)), poll...))
		if err != nil {
			failed("wait for "+id+" among the results for "+text, err)
		}
		keys := strings.Repeat(kb.ArrowDown, idx-1) + kb.Enter // down to the result, then Enter
		if err := chromedp.Do(tab, chromedp.SendKeys(chromedp.CSS(input), keys)); err != nil {
			failed("pick "+id, err)
		}
	}

	// 1. Open the explorer, search "ISKP", pick IS-K with the keyboard.
	const isk = "islamic-state-khorasan-province"
	start := time.Now()
	if err := chromedp.Do(tab, chromedp.Navigate(ts.URL+"/explore")); err != nil {
		failed("open /explore", err)
	}
	m0 := waitChart("wait for the empty explorer", 0)
	pick("#search", isk, "ISKP")
	m := waitChart("wait for the first chart", m0.Renders)
	t.Logf("time to first chart: %v from opening the page (browser start included)", time.Since(start).Round(time.Millisecond))
	if len(m.Nodes) < 2 || len(m.Edges) < 1 {
		t.Fatalf("no chart drawn: %+v", m)
	}
	wantN, wantE := expectedChart(t, ts, isk, nil, "", "", nil, "")
	checkChart("IS-K's neighbourhood", m, wantN, wantE)
	// Styles come from the edges: every edge's line style is the API's style, lower-cased.
	styleOK, err := chromedp.Run(tab, chromedp.Evaluate[bool](`__explorer.cy.edges().every((e) => e.data('lineStyle') === e.data('style').toLowerCase() && e.style('line-style') === e.data('lineStyle'))`))
	if err != nil || !styleOK {
		t.Errorf("edge line styles do not follow the API's style (err %v)", err)
	}
	screenshot("explore-1-iskp")

	// 2. Expand Islamic State: the chart grows by its neighbourhood, without duplicates, and what
	// was drawn stays where it was.
	const is = "islamic-state"
	if !slices.Contains(m.Nodes, is) {
		t.Fatalf("%s not in IS-K's neighbourhood: %v", is, m.Nodes)
	}
	eval("select Islamic State", `__explorer.cy.$id('islamic-state').select()`)
	if err := chromedp.Do(tab, chromedp.WaitVisible(chromedp.CSS("#expand-selected"))); err != nil {
		failed("wait for the Expand button", err)
	}
	m = waitChart("details of Islamic State", m.Renders)
	before, err := chromedp.Run(tab, chromedp.Evaluate[map[string]map[string]float64](`Object.fromEntries(__explorer.cy.nodes().map((n) => [n.id(), n.position()]))`))
	if err != nil {
		failed("read positions", err)
	}
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS("#expand-selected"), chromedp.NodeVisible)); err != nil {
		failed("click Expand", err)
	}
	m2 := waitChart("wait for the expansion", m.Renders)
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`__explorer.state.expanded.includes('islamic-state') && __explorer.busy === 0`, poll...)); err != nil {
		failed("wait for the expansion in the state", err)
	}
	if len(m2.Nodes) <= len(m.Nodes) {
		t.Errorf("expanding %s did not grow the chart: %d -> %d nodes", is, len(m.Nodes), len(m2.Nodes))
	}
	wantN, wantE = expectedChart(t, ts, isk, []string{is}, "", "", nil, "")
	checkChart("after expanding Islamic State", m2, wantN, wantE)
	after, err := chromedp.Run(tab, chromedp.Evaluate[map[string]map[string]float64](`Object.fromEntries(__explorer.cy.nodes().map((n) => [n.id(), n.position()]))`))
	if err != nil {
		failed("read positions", err)
	}
	for id, p := range before {
		q := after[id]
		if dx, dy := q["x"]-p["x"], q["y"]-p["y"]; dx*dx+dy*dy > 25*25 {
			t.Errorf("%s moved by (%.0f, %.0f) on expanding another node", id, dx, dy)
		}
	}
	screenshot("explore-2-expanded")
	checkExportLinks("the neighbourhood")

	// 3. Select an edge with a source: its provenance is in the side panel.
	type relSource struct{ Title, URL string }
	var edgeID string
	var wantSources []relSource
	for _, id := range m2.Edges {
		e, err := chromedp.Run(tab, chromedp.Evaluate[struct{ Source, Type string }](fmt.Sprintf(`(() => { const e = __explorer.cy.$id(%s); return {source: e.data('source'), type: e.data('type')}; })()`, jsString(t, id))))
		if err != nil {
			failed("read edge", err)
		}
		r := ts.post(t, `query($id: ID!, $t: [RelationshipType!]) { entity(id: $id) { relationships(filter: {types: $t, direction: OUTGOING}, first: 500) { id sources { title url } } } }`,
			map[string]any{"id": e.Source, "t": []string{e.Type}})
		var d struct {
			Entity struct {
				Relationships []struct {
					ID      string
					Sources []relSource
				}
			}
		}
		_ = json.Unmarshal(r.Data, &d)
		for _, rel := range d.Entity.Relationships {
			if rel.ID == id && len(rel.Sources) > 0 && rel.Sources[0].URL != "" {
				edgeID, wantSources = id, rel.Sources
			}
		}
		if edgeID != "" {
			break
		}
	}
	if edgeID == "" {
		t.Fatal("no edge of the chart has a source with a URL")
	}
	mSel := waitChart("idle before selecting an edge", -1)
	eval("select an edge", fmt.Sprintf(`__explorer.cy.elements().unselect(); __explorer.cy.$id(%s).select()`, jsString(t, edgeID)))
	links, err := chromedp.Run(tab, chromedp.Poll[[]relSource](fmt.Sprintf(`(() => {
		if (__explorer.renders <= %d || __explorer.busy) return null;
		const a = [...document.querySelectorAll('#details .sources li')].map((li) => {
			const l = li.querySelector('a'); return {title: (l || li).textContent, url: l ? l.href : ''};
		});
		return a.length ? a : null;
	})()`, mSel.Renders), poll...))
	if err != nil {
		failed("wait for the edge's sources in the side panel", err)
	}
	for _, s := range wantSources {
		if !slices.ContainsFunc(links, func(l relSource) bool { return l.Title == s.Title && (s.URL == "" || l.URL == s.URL) }) {
			t.Errorf("edge %s: source %q <%s> not linked in the side panel: %v", edgeID, s.Title, s.URL, links)
		}
	}
	screenshot("explore-3-edge")

	// 4. The path finder: Kabul -> Moscow, highlighted.
	const kabul, moscow = "kabul-airport-bombing-2021", "moscow-concert-hall-attack-2024"
	pick("#path-from", kabul, "Kabul")
	pick("#path-to", moscow, "Moscow")
	mBefore := waitChart("idle before finding paths", -1)
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS("#find-paths"), chromedp.NodeVisible)); err != nil {
		failed("click Find paths", err)
	}
	m4 := waitChart("wait for the paths", mBefore.Renders)
	wantN, wantE = expectedChart(t, ts, isk, []string{is}, kabul, moscow, nil, "")
	checkChart("with the paths Kabul -> Moscow", m4, wantN, wantE)
	onPath, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`__explorer.cy.$('.onpath').map((e) => e.id())`))
	if err != nil {
		failed("read the highlighted elements", err)
	}
	pathIDs := pathElementIDs(t, ts, kabul, moscow)
	if len(pathIDs) == 0 {
		t.Fatal("the API finds no path Kabul -> Moscow")
	}
	if got := sortedCopy(onPath); !slices.Equal(got, pathIDs) {
		t.Errorf("highlighted %v, want the paths' elements %v", got, pathIDs)
	}
	screenshot("explore-4-paths")
	// The README shows this chart: IS-K, Islamic State expanded, the paths highlighted.
	if os.Getenv("UPDATE_SCREENSHOT") == "1" {
		png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		if err != nil {
			failed("screenshot for the README", err)
		}
		if err := os.WriteFile(filepath.Join("..", "docs", "explorer.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	checkExportLinks("the paths")

	// 5. The confidence filter redraws the chart as the API answers with minConfidence.
	eval("set the confidence filter", `(() => { const r = document.getElementById('min-confidence'); r.value = '80'; r.dispatchEvent(new Event('change')); })()`)
	m5 := waitChart("wait for the filtered chart", m4.Renders)
	f80 := map[string]any{"minConfidence": 80}
	wantN, wantE = expectedChart(t, ts, isk, []string{is}, kabul, moscow, f80, "")
	checkChart("minimum confidence 80", m5, wantN, wantE)
	if slices.Equal(sortedCopy(m5.Edges), sortedCopy(m4.Edges)) {
		t.Error("the confidence filter changed nothing on the chart")
	}

	// 6. The date: what was known on 2021-09-01 (before the Moscow attack).
	if err := chromedp.Do(tab, chromedp.SendKeys(chromedp.CSS("#known-at"), "2021-09-01\r")); err != nil {
		failed("type the date", err)
	}
	m6 := waitChart("wait for the chart as known on 2021-09-01", m5.Renders)
	wantN, wantE = expectedChart(t, ts, isk, []string{is}, kabul, moscow, f80, "2021-09-01")
	checkChart("known at 2021-09-01", m6, wantN, wantE)
	if slices.Equal(sortedCopy(m6.Nodes), sortedCopy(m5.Nodes)) {
		t.Error("the date changed nothing on the chart")
	}
	screenshot("explore-5-filtered")

	// 7. The shared URL gives the same chart.
	shared, err := chromedp.Run(tab, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		failed("read the URL", err)
	}
	if err := chromedp.Do(tab, chromedp.Navigate(shared)); err != nil {
		failed("open the shared URL", err)
	}
	m7 := waitChart("wait for the shared chart", 1)
	checkChart("the shared URL "+shared, m7, sortedCopy(m6.Nodes), sortedCopy(m6.Edges))

	// 8. Exports: the PNG of the chart, the SVG, and the data-export links.
	for _, x := range []struct{ button, typ, magic string }{{"#export-png", "image/png", "\x89PNG"}, {"#export-svg", "image/svg+xml", "<svg"}} {
		mx := waitChart("idle before export", -1)
		if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(x.button), chromedp.NodeVisible)); err != nil {
			failed("click "+x.button, err)
		}
		waitChart("wait for the export", mx.Renders)
		head, err := chromedp.Run(tab, chromedp.Evaluate[string](fmt.Sprintf(`(async () => {
			const e = __explorer.lastExport;
			if (!e || e.type !== %s) return '';
			const b = new Uint8Array(await e.blob.arrayBuffer());
			return String.fromCharCode(...b.slice(0, 200));
		})()`, jsString(t, x.typ)), chromedp.EvalAwaitPromise))
		if err != nil {
			failed("read the export", err)
		}
		if !strings.Contains(head, x.magic) {
			t.Errorf("%s export does not start as a %s: %q", x.button, x.typ, head)
		}
	}
	screenshot("explore-6-shared")

	// 9. An API error is said on the page, not a blank chart.
	if err := chromedp.Do(tab, chromedp.Navigate(ts.URL+"/explore?c=no-such-entity")); err != nil {
		failed("open a chart of a missing entity", err)
	}
	msg, err := chromedp.Run(tab, chromedp.Poll[string](`(() => { const e = document.getElementById('error'); return e && !e.hidden && e.textContent ? e.textContent : null; })()`, poll...))
	if err != nil {
		failed("wait for the error banner", err)
	}
	if !strings.Contains(msg, "NOT_FOUND") {
		t.Errorf("error banner %q does not say NOT_FOUND", msg)
	}
	screenshot("explore-7-error")

	requests, problems, messages := events.snapshot()
	for _, r := range requests {
		u, err := url.Parse(r.URL)
		if err == nil && (u.Scheme == "data" || u.Scheme == "blob") {
			continue
		}
		if err != nil || u.Scheme != origin.Scheme || u.Host != origin.Host {
			t.Errorf("the page made a request to another origin than the test server's (%s): %s %.200s", ts.URL, r.Method, r.URL)
		}
	}
	if !slices.ContainsFunc(requests, func(r *network.Request) bool { return r.Method == "POST" && r.URL == ts.URL+"/graphql" }) {
		t.Error("the listener saw no POST to /graphql")
	}
	if len(problems) > 0 {
		t.Errorf("the console shows errors:\n  %s", strings.Join(problems, "\n  "))
	}
	if t.Failed() {
		t.Logf("console:\n  %s", strings.Join(messages, "\n  "))
	}
	t.Logf("explorer test took %v", time.Since(start).Round(time.Millisecond))
}

// pathElementIDs is the sorted ids of the nodes and edges of the paths the API finds.
func pathElementIDs(t *testing.T, ts *testServer, from, to string) []string {
	t.Helper()
	r := ts.post(t, `query($from: ID!, $to: ID!) { paths(from: $from, to: $to, maxDepth: 4, first: 5) { nodes { id } edges { id } } }`,
		map[string]any{"from": from, "to": to})
	if len(r.Errors) > 0 {
		t.Fatalf("paths: %v", r.Errors)
	}
	var d struct {
		Paths []struct{ Nodes, Edges []struct{ ID string } }
	}
	_ = json.Unmarshal(r.Data, &d)
	ids := map[string]bool{}
	for _, p := range d.Paths {
		for _, n := range p.Nodes {
			ids[n.ID] = true
		}
		for _, e := range p.Edges {
			ids[e.ID] = true
		}
	}
	return sortedKeys(ids)
}
