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
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/incidentgraph/incidentgraph/web"
)

// exploreTestTimeout bounds the whole explorer test: one browser, one tab for the walk through
// every interaction, a second tab for the broken-page controls.
const exploreTestTimeout = 180 * time.Second

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

// chartSelection is what is selected on the chart and the heading of the details panel.
type chartSelection struct {
	IDs     []string `json:"ids"`
	Nodes   int      `json:"nodes"`
	Heading string   `json:"heading"`
	Renders int      `json:"renders"`
}

const readSelection = `(() => {
	const x = window.__explorer;
	if (!x || x.busy > 0) return null;
	const s = x.cy.$(':selected');
	return {ids: s.map((e) => e.id()), nodes: s.nodes().length, heading: document.querySelector('#details h2')?.textContent ?? '', renders: x.renders};
})()`

// chartFitted says whether every node of the chart lies inside the visible part of the canvas.
const chartFitted = `(() => {
	const cy = window.__explorer.cy, v = cy.extent(), b = cy.nodes().boundingBox();
	return cy.nodes().length > 0 && b.x1 >= v.x1 - 1 && b.x2 <= v.x2 + 1 && b.y1 >= v.y1 - 1 && b.y2 <= v.y2 + 1;
})()`

// contestedStatuses are the allegations and denials of the explorer's statuses filter (the
// README's "hide allegations and denials, or only them"); every other value of the schema's
// Status enum is an assertion.
var contestedStatuses = []string{"ALLEGED", "DISPUTED", "DENIED", "RETRACTED"}

// chartQuestion is what a chart shows, in the terms of the README's Explorer section: the
// centre's neighbourhood at a depth, each expanded node's neighbourhood, the paths between two
// entities, under the filters and the date, less the hidden nodes. The test keeps its own
// question, changed by what it did on the page, and asks the API for the answer.
type chartQuestion struct {
	Center        string   `json:"center,omitempty"`
	Depth         int      `json:"depth,omitempty"`
	Expanded      []string `json:"expanded,omitempty"`
	Hidden        []string `json:"hidden,omitempty"`
	PathFrom      string   `json:"pathFrom,omitempty"`
	PathTo        string   `json:"pathTo,omitempty"`
	MinConfidence int      `json:"minConfidence,omitempty"`
	Statuses      []string `json:"statuses,omitempty"`
	Types         []string `json:"types,omitempty"`
	KnownAt       string   `json:"knownAt,omitempty"`
}

// with returns a copy of q changed by change; q itself stays as it was.
func (q chartQuestion) with(change func(*chartQuestion)) chartQuestion {
	c := q
	c.Expanded = slices.Clone(q.Expanded)
	c.Hidden = slices.Clone(q.Hidden)
	c.Statuses = slices.Clone(q.Statuses)
	c.Types = slices.Clone(q.Types)
	change(&c)
	return c
}

func (q chartQuestion) String() string {
	b, _ := json.Marshal(q)
	return string(b)
}

// filter is the RelationshipFilter of the question, nil for none.
func (q chartQuestion) filter() map[string]any {
	f := map[string]any{}
	if len(q.Types) > 0 {
		f["types"] = q.Types
	}
	if len(q.Statuses) > 0 {
		f["statuses"] = q.Statuses
	}
	if q.MinConfidence > 0 {
		f["minConfidence"] = q.MinConfidence
	}
	if len(f) == 0 {
		return nil
	}
	return f
}

// drawnChart is the sorted ids of the nodes and edges a chart must hold.
type drawnChart struct{ Nodes, Edges []string }

// askChart asks the API itself what the chart must hold for the question.
func askChart(t *testing.T, ts *testServer, q chartQuestion) drawnChart {
	t.Helper()
	var at, filter any
	if q.KnownAt != "" {
		at = q.KnownAt
	}
	if f := q.filter(); f != nil {
		filter = f
	}
	type edge struct{ ID, Source, Target string }
	nodes := map[string]bool{}
	var edges []edge
	add := func(raw json.RawMessage) {
		var g struct {
			Nodes []struct{ ID string }
			Edges []edge
		}
		if err := json.Unmarshal(raw, &g); err != nil {
			t.Fatalf("read a subgraph: %v", err)
		}
		for _, n := range g.Nodes {
			nodes[n.ID] = true
		}
		edges = append(edges, g.Edges...)
	}
	if q.Center != "" {
		ids := []string{q.Center}
		for _, x := range q.Expanded {
			if x != q.Center && !slices.Contains(ids, x) {
				ids = append(ids, x)
			}
		}
		for i, id := range ids {
			depth := 1 // an expansion adds the node's own neighbours
			if i == 0 {
				depth = max(q.Depth, 1)
			}
			r := ts.post(t, `query($id: ID!, $depth: Int, $f: RelationshipFilter, $at: PartialDate) {
				neighborhood(id: $id, depth: $depth, filter: $f, knownAt: $at, limit: 200) { nodes { id } edges { id source target } }
			}`, map[string]any{"id": id, "depth": depth, "f": filter, "at": at})
			if len(r.Errors) > 0 {
				t.Fatalf("neighborhood of %s for %v: %v", id, q, r.Errors)
			}
			var d struct{ Neighborhood json.RawMessage }
			_ = json.Unmarshal(r.Data, &d)
			add(d.Neighborhood)
		}
	}
	if q.PathFrom != "" && q.PathTo != "" {
		r := ts.post(t, `query($from: ID!, $to: ID!, $f: RelationshipFilter, $at: PartialDate) {
			paths(from: $from, to: $to, maxDepth: 4, first: 5, filter: $f, knownAt: $at) { nodes { id } edges { id source target } }
		}`, map[string]any{"from": q.PathFrom, "to": q.PathTo, "f": filter, "at": at})
		if len(r.Errors) > 0 {
			t.Fatalf("paths for %v: %v", q, r.Errors)
		}
		var d struct{ Paths []json.RawMessage }
		_ = json.Unmarshal(r.Data, &d)
		for _, p := range d.Paths {
			add(p)
		}
	}
	// Hidden nodes are not drawn, nor any edge without both its ends.
	for _, h := range q.Hidden {
		delete(nodes, h)
	}
	edgeIDs := map[string]bool{}
	for _, e := range edges {
		if nodes[e.Source] && nodes[e.Target] {
			edgeIDs[e.ID] = true
		}
	}
	return drawnChart{Nodes: sortedKeys(nodes), Edges: sortedKeys(edgeIDs)}
}

// mismatch says how the drawn model differs from the chart wanted, "" when it does not.
func (want drawnChart) mismatch(m chartModel) string {
	var problems []string
	diff := func(what string, got, want []string) {
		missing, extra := setDiff(want, got), setDiff(got, want)
		if len(missing) > 0 || len(extra) > 0 {
			problems = append(problems, fmt.Sprintf("%s: %d drawn, the API's answer has %d; missing %v, extra %v", what, len(got), len(want), missing, extra))
		}
		if len(slices.Compact(sortedCopy(got))) != len(got) {
			problems = append(problems, what+": duplicates on the chart")
		}
	}
	diff("nodes", m.Nodes, want.Nodes)
	diff("edges", m.Edges, want.Edges)
	return strings.Join(problems, "; ")
}

// setDiff is the elements of a not in b.
func setDiff(a, b []string) []string {
	var d []string
	for _, x := range a {
		if !slices.Contains(b, x) && !slices.Contains(d, x) {
			d = append(d, x)
		}
	}
	return d
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

// explorerPage drives one tab of /explore and reads its chart.
type explorerPage struct {
	t      *testing.T
	name   string // in failure messages
	tab    context.Context
	ts     *testServer
	events *pageEvents
	cdp    *syncBuffer
	poll   []chromedp.PollOption
}

// fatal stops the test with what the page shows and what its console said.
func (p *explorerPage) fatal(step string, err error) {
	p.t.Helper()
	if banner, err := chromedp.Run(p.tab, chromedp.Evaluate[string](`document.getElementById('error')?.textContent ?? ''`)); err == nil && banner != "" {
		p.t.Logf("the page's error banner: %s", banner)
	}
	if dump, err := chromedp.Run(p.tab, chromedp.Evaluate[string](`JSON.stringify({search: document.getElementById('search')?.value, list: document.getElementById('search-results')?.outerHTML.slice(0, 600), busy: window.__explorer?.busy, renders: window.__explorer?.renders, href: location.href})`)); err == nil {
		p.t.Logf("page: %s", dump)
	}
	_, _, messages := p.events.snapshot()
	p.t.Fatalf("%s: %s: %v\nconsole:\n  %s\nchromedp errors:\n%s", p.name, step, err, strings.Join(messages, "\n  "), p.cdp.String())
}

func (p *explorerPage) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.tab, actions...); err != nil {
		p.fatal(step, err)
	}
}

func (p *explorerPage) eval(step, js string) {
	p.t.Helper()
	p.do(step, chromedp.Evaluate[chromedp.Void](js+"; undefined")) // no Cytoscape collection back
}

// waitChart waits until the page has finished more actions than `after` and is idle.
func (p *explorerPage) waitChart(step string, after int) chartModel {
	p.t.Helper()
	m, err := chromedp.Run(p.tab, chromedp.Poll[chartModel](fmt.Sprintf(`(() => { const m = %s; return m && m.renders > %d ? m : null; })()`, readModel, after), p.poll...))
	if err != nil {
		p.fatal(step, err)
	}
	return m
}

// act does a person's action on the page and returns the chart drawn after it.
func (p *explorerPage) act(step string, actions ...chromedp.Action[chromedp.Void]) chartModel {
	p.t.Helper()
	before := p.waitChart("idle before: "+step, -1)
	p.do(step, actions...)
	return p.waitChart("wait for the chart after: "+step, before.Renders)
}

// press sends keys to the chart, which has the keyboard focus as after a Tab to it.
func (p *explorerPage) press(step, keys string) chartModel {
	p.t.Helper()
	return p.act(step, chromedp.Focus(chromedp.CSS("#chart")), chromedp.SendKeys(chromedp.CSS("#chart"), keys))
}

// choose sets what is chosen in a <select> and fires its change event, as a person choosing
// with the mouse or the keyboard does.
func (p *explorerPage) choose(step, id string, values ...string) chartModel {
	p.t.Helper()
	return p.act(step, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const s = document.getElementById(%s), want = new Set(%s);
		for (const o of s.options) o.selected = want.has(o.value);
		s.dispatchEvent(new Event('change', {bubbles: true}));
	})()`, jsString(p.t, id), jsArray(p.t, values))))
}

// selection waits for the page to finish more actions than `after` and reads the selection.
func (p *explorerPage) selection(step string, after int) chartSelection {
	p.t.Helper()
	s, err := chromedp.Run(p.tab, chromedp.Poll[chartSelection](fmt.Sprintf(`(() => { const s = %s; return s && s.renders > %d ? s : null; })()`, readSelection, after), p.poll...))
	if err != nil {
		p.fatal(step, err)
	}
	return s
}

// pick types text into a search box and picks the result with id with the keyboard: down past
// the last result, up to the first, down to the one wanted, Enter. It returns the results'
// ids as listed.
func (p *explorerPage) pick(input, id, text string) []string {
	p.t.Helper()
	p.do("type "+text, append(clearInput(input), chromedp.SendKeys(chromedp.CSS(input), text))...)
	listbox := "#" + strings.TrimPrefix(input, "#") + "-results"
	// Every keystroke searched: wait for the last answer (idle page, the whole text typed).
	ids, err := chromedp.Run(p.tab, chromedp.Poll[[]string](fmt.Sprintf(`(() => {
		if (__explorer.busy > 0 || document.querySelector('%s').value !== %s) return null;
		const ids = [...document.querySelectorAll('%s [role=option]')].map((o) => o.dataset.id);
		return ids.includes(%s) ? ids : null;
	})()`, input, jsString(p.t, text), listbox, jsString(p.t, id)), p.poll...))
	if err != nil {
		p.fatal("wait for "+id+" among the results for "+text, err)
	}
	n, i := len(ids), slices.Index(ids, id)
	keys := strings.Repeat(kb.ArrowDown, n) + strings.Repeat(kb.ArrowUp, n-1) + strings.Repeat(kb.ArrowDown, i)
	active, err := chromedp.Run(p.tab, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		const input = document.querySelector('%s');
		return document.getElementById(input.getAttribute('aria-activedescendant') ?? '')?.dataset.id ?? '';
	})()`, input)))
	if err != nil {
		p.fatal("read the active result", err)
	}
	p.do("move to "+id, chromedp.SendKeys(chromedp.CSS(input), keys))
	if active2, err := chromedp.Run(p.tab, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		const input = document.querySelector('%s');
		return document.getElementById(input.getAttribute('aria-activedescendant') ?? '')?.dataset.id ?? '';
	})()`, input))); err != nil || active2 != id {
		p.t.Errorf("the arrows in %s reached %q (from %q), want %q (err %v)", input, active2, active, id, err)
	}
	p.do("pick "+id, chromedp.SendKeys(chromedp.CSS(input), kb.Enter))
	return ids
}

// clearInput empties a text box as a person does: select all, then Backspace.
func clearInput(sel string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Focus(chromedp.CSS(sel)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(kb.ModifierCtrl)),
		chromedp.KeyEvent(kb.Backspace),
	}
}

// foreignRequests lists the requests (method and address) that went to another origin than
// origin: data: and blob: addresses are the page's own.
func foreignRequests(requests []*network.Request, origin *url.URL) []string {
	var out []string
	for _, r := range requests {
		u, err := url.Parse(r.URL)
		if err == nil && (u.Scheme == "data" || u.Scheme == "blob") {
			continue
		}
		if err != nil || u.Scheme != origin.Scheme || u.Host != origin.Host {
			out = append(out, fmt.Sprintf("%s %.200s", r.Method, r.URL))
		}
	}
	return out
}

// openExplorer starts Debian's headless Chromium in a 1400×900 window and returns a driver of
// its first tab, named name in failure messages. The browser stops when the test ends or when
// timeout has passed.
func openExplorer(t *testing.T, ts *testServer, name string, timeout time.Duration) *explorerPage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	var browserOutput syncBuffer
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromiumOptions(1400, 900, &browserOutput)...)
	events := &pageEvents{}
	cdpErrors := &syncBuffer{}
	tab, cancelTab := chromedp.NewContext(allocCtx,
		chromedp.WithListener(events.record),
		chromedp.WithErrorf(func(format string, args ...any) { fmt.Fprintf(cdpErrors, format+"\n", args...) }),
	)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancel()
	})
	poll := []chromedp.PollOption{chromedp.WithPollingInterval(50 * time.Millisecond), chromedp.WithPollingTimeout(30 * time.Second)}
	return &explorerPage{t: t, name: name, tab: tab, ts: ts, events: events, cdp: cdpErrors, poll: poll}
}

// TestExplorerInChromium drives /explore in Debian's headless Chromium over the seed graph,
// through every interaction the README's Explorer section lists: search with the keyboard, the
// neighbourhood drawn, expand (button and Enter), hide (button and Delete), undo (button, u and
// Ctrl+Z), keyboard selection, fit (f), an edge's provenance, the path finder, every filter
// (minimum confidence, statuses, relationship types, depth) and the date, the shared URL, the
// exports and an API error. After each action what the chart holds is read from the Cytoscape
// model and compared with what the API answers for the same question, which the test keeps
// itself. Each comparison has a negative control: the chart must not also equal the API's
// answer to the question before the action (so the check would see the action fail), and a
// second tab, with one function of the page broken through the DevTools protocol, must fail
// the same checks.
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
	assertedStatuses := assertedStatusValues(t, ts)

	p := openExplorer(t, ts, "explorer", exploreTestTimeout)
	tab, events, poll := p.tab, p.events, p.poll
	failed := p.fatal
	screenshot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		if err != nil {
			failed("screenshot "+name, err)
		}
		path := filepath.Join(artifacts, name+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", path)
	}
	// check compares the chart with the API's answer to q. Its negative controls: the chart
	// must differ from the API's answer to each of the questions in `not` (the question before
	// the action, mostly), through the same comparison.
	check := func(step string, m chartModel, q chartQuestion, not ...chartQuestion) {
		t.Helper()
		if d := askChart(t, ts, q).mismatch(m); d != "" {
			t.Errorf("%s: the chart is not the API's answer to %v: %s", step, q, d)
		}
		for _, wrong := range not {
			if askChart(t, ts, wrong).mismatch(m) == "" {
				t.Errorf("%s: negative control: the chart also equals the API's answer to %v, so the check could not see this action fail", step, wrong)
			}
		}
	}
	// checkSelection checks that one node of the chart is selected and the details panel
	// shows the API's name for it; the previous selection's name must not be shown.
	checkSelection := func(step string, s chartSelection, m chartModel, previous string) string {
		t.Helper()
		if len(s.IDs) != 1 || s.Nodes != 1 || !slices.Contains(m.Nodes, s.IDs[0]) {
			t.Fatalf("%s: selected %v (%d nodes), want one node of the chart", step, s.IDs, s.Nodes)
		}
		id := s.IDs[0]
		if want := entityName(t, ts, id); s.Heading != want {
			t.Errorf("%s: the details panel shows %q for %s, the API names it %q", step, s.Heading, id, want)
		}
		if previous != "" {
			if id == previous {
				t.Errorf("%s: the selection stayed on %s", step, id)
			} else if prevName := entityName(t, ts, previous); s.Heading == prevName {
				t.Errorf("%s: negative control: the details panel shows %q, the previous selection's name", step, s.Heading)
			}
		}
		return id
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
	// walkTo presses the down arrow on the chart until a node that suits is selected.
	walkTo := func(step string, m chartModel, suits func(id string) bool) string {
		t.Helper()
		for range len(m.Nodes) + 1 {
			mk := p.press(step+": arrow down", kb.ArrowDown)
			s := p.selection(step, mk.Renders-1)
			if len(s.IDs) == 1 && suits(s.IDs[0]) {
				return s.IDs[0]
			}
		}
		t.Fatalf("%s: the arrows went round the chart's %d nodes and selected none that suits", step, len(m.Nodes))
		return ""
	}

	// 1. Open the explorer, search "ISKP", pick IS-K with the keyboard.
	const isk = "islamic-state-khorasan-province"
	start := time.Now()
	p.do("open /explore", chromedp.Navigate(ts.URL+"/explore"))
	m0 := p.waitChart("wait for the empty explorer", 0)
	p.pick("#search", isk, "ISKP")
	m := p.waitChart("wait for the first chart", m0.Renders)
	t.Logf("time to first chart: %v from opening the page (browser start included)", time.Since(start).Round(time.Millisecond))
	if len(m.Nodes) < 2 || len(m.Edges) < 1 {
		t.Fatalf("no chart drawn: %+v", m)
	}
	q := chartQuestion{Center: isk}
	check("IS-K's neighbourhood", m, q, chartQuestion{})
	// Styles come from the edges: every edge's line style is the API's style, lower-cased.
	styleOK, err := chromedp.Run(tab, chromedp.Evaluate[bool](`__explorer.cy.edges().every((e) => e.data('lineStyle') === e.data('style').toLowerCase() && e.style('line-style') === e.data('lineStyle'))`))
	if err != nil || !styleOK {
		t.Errorf("edge line styles do not follow the API's style (err %v)", err)
	}
	screenshot("explore-1-iskp")

	// 2. Expand Islamic State with the details panel's button: the chart grows by its
	// neighbourhood, without duplicates, and what was drawn stays where it was.
	const is = "islamic-state"
	if !slices.Contains(m.Nodes, is) {
		t.Fatalf("%s not in IS-K's neighbourhood: %v", is, m.Nodes)
	}
	mSel := p.waitChart("idle before selecting Islamic State", -1)
	p.eval("select Islamic State", `__explorer.cy.$id('islamic-state').select()`)
	p.do("wait for the Expand button", chromedp.WaitVisible(chromedp.CSS("#expand-selected")))
	m = p.waitChart("details of Islamic State", mSel.Renders)
	before, err := chromedp.Run(tab, chromedp.Evaluate[map[string]map[string]float64](`Object.fromEntries(__explorer.cy.nodes().map((n) => [n.id(), n.position()]))`))
	if err != nil {
		failed("read positions", err)
	}
	m2 := p.act("click Expand", chromedp.Click(chromedp.CSS("#expand-selected"), chromedp.NodeVisible))
	if len(m2.Nodes) <= len(m.Nodes) {
		t.Errorf("expanding %s did not grow the chart: %d -> %d nodes", is, len(m.Nodes), len(m2.Nodes))
	}
	q1 := q
	q = q.with(func(q *chartQuestion) { q.Expanded = append(q.Expanded, is) })
	check("after expanding Islamic State", m2, q, q1)
	after, err := chromedp.Run(tab, chromedp.Evaluate[map[string]map[string]float64](`Object.fromEntries(__explorer.cy.nodes().map((n) => [n.id(), n.position()]))`))
	if err != nil {
		failed("read positions", err)
	}
	for id, pos := range before {
		moved := after[id]
		if dx, dy := moved["x"]-pos["x"], moved["y"]-pos["y"]; dx*dx+dy*dy > 25*25 {
			t.Errorf("%s moved by (%.0f, %.0f) on expanding another node", id, dx, dy)
		}
	}
	screenshot("explore-2-expanded")
	checkExportLinks("the neighbourhood")
	q2 := q // IS-K with Islamic State expanded: every undo below comes back to it

	// 3. Keyboard selection: with the chart focused, each arrow selects another node of the
	// chart and the details panel shows it; the up arrow goes back.
	mk := p.press("arrow down", kb.ArrowDown)
	first := checkSelection("the first arrow down", p.selection("the first arrow down", mk.Renders-1), m2, "")
	mk = p.press("arrow down again", kb.ArrowDown)
	second := checkSelection("the second arrow down", p.selection("the second arrow down", mk.Renders-1), m2, first)
	mk = p.press("arrow up", kb.ArrowUp)
	if back := checkSelection("arrow up", p.selection("arrow up", mk.Renders-1), m2, second); back != first {
		t.Errorf("arrow up selected %s, want %s, selected before the arrow down", back, first)
	}
	check("after moving the selection", mk, q2)

	// 4. Delete hides the selected node; u undoes it.
	onChart := func(id string) bool { return id != q.Center && !slices.Contains(q.Expanded, id) }
	victim := walkTo("select a node to hide", m2, onChart)
	m = p.press("press Delete", kb.Delete)
	q = q2.with(func(q *chartQuestion) { q.Hidden = append(q.Hidden, victim) })
	check("after Delete on "+victim, m, q, q2)
	m = p.press("press u", "u")
	check("after u", m, q2, q)
	q = q2

	// 5. The Hide button hides the node the details show; the Undo button undoes it.
	var hideMe string
	for _, id := range slices.Backward(sortedCopy(m.Nodes)) {
		if onChart(id) && id != victim {
			hideMe = id
			break
		}
	}
	mSel = p.waitChart("idle before selecting "+hideMe, -1)
	p.eval("select "+hideMe, fmt.Sprintf(`__explorer.cy.elements().unselect(); __explorer.cy.$id(%s).select()`, jsString(t, hideMe)))
	p.waitChart("details of "+hideMe, mSel.Renders)
	m = p.act("click Hide", chromedp.Click(chromedp.CSS("#hide-selected"), chromedp.NodeVisible))
	q = q2.with(func(q *chartQuestion) { q.Hidden = append(q.Hidden, hideMe) })
	check("after the Hide button on "+hideMe, m, q, q2)
	screenshot("explore-3-hidden")
	m = p.act("click Undo", chromedp.Click(chromedp.CSS("#undo"), chromedp.NodeVisible))
	check("after the Undo button", m, q2, q)
	q = q2

	// 6. Enter expands the selected node; Ctrl+Z undoes it.
	expandMe := walkTo("select a node whose expansion adds to the chart", m, func(id string) bool {
		if !onChart(id) {
			return false
		}
		more := askChart(t, ts, q2.with(func(q *chartQuestion) { q.Expanded = append(q.Expanded, id) }))
		return more.mismatch(m) != ""
	})
	m = p.press("press Enter", kb.Enter)
	q = q2.with(func(q *chartQuestion) { q.Expanded = append(q.Expanded, expandMe) })
	check("after Enter on "+expandMe, m, q, q2)
	m = p.act("press Ctrl+Z", chromedp.Focus(chromedp.CSS("#chart")), chromedp.KeyEvent("z", chromedp.KeyModifiers(kb.ModifierCtrl)))
	check("after Ctrl+Z", m, q2, q)
	q = q2

	// 7. f fits the chart in view. Negative control: zoomed in, the same check sees nodes
	// outside the view.
	p.eval("zoom in", `__explorer.cy.zoom({level: __explorer.cy.maxZoom(), renderedPosition: {x: 0, y: 0}})`)
	if fitted, err := chromedp.Run(tab, chromedp.Evaluate[bool](chartFitted)); err != nil || fitted {
		t.Errorf("negative control: zoomed in to the maximum, the chart still counts as fitted (err %v)", err)
	}
	p.do("press f", chromedp.Focus(chromedp.CSS("#chart")), chromedp.SendKeys(chromedp.CSS("#chart"), "f"))
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](chartFitted, poll...)); err != nil {
		failed("wait for the chart to fit the view after f", err)
	}
	check("after f", p.waitChart("idle after f", -1), q2)

	// 8. Select an edge with a source: its provenance is in the side panel.
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
	mSel = p.waitChart("idle before selecting an edge", -1)
	p.eval("select an edge", fmt.Sprintf(`__explorer.cy.elements().unselect(); __explorer.cy.$id(%s).select()`, jsString(t, edgeID)))
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
	screenshot("explore-4-edge")

	// 9. The path finder: Kabul -> Moscow, highlighted.
	const kabul, moscow = "kabul-airport-bombing-2021", "moscow-concert-hall-attack-2024"
	p.pick("#path-from", kabul, "Kabul")
	p.pick("#path-to", moscow, "Moscow")
	m4 := p.act("click Find paths", chromedp.Click(chromedp.CSS("#find-paths"), chromedp.NodeVisible))
	q = q2.with(func(q *chartQuestion) { q.PathFrom, q.PathTo = kabul, moscow })
	check("with the paths Kabul -> Moscow", m4, q, q2)
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
	screenshot("explore-5-paths")
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

	// 10. The confidence filter redraws the chart as the API answers with minConfidence.
	qPaths := q
	m = p.act("set the confidence filter to 80", chromedp.Evaluate[chromedp.Void](`(() => { const r = document.getElementById('min-confidence'); r.value = '80'; r.dispatchEvent(new Event('change')); })()`))
	q = q.with(func(q *chartQuestion) { q.MinConfidence = 80 })
	check("minimum confidence 80", m, q, qPaths)

	// 11. The date: what was known on 2021-09-01 (before the Moscow attack).
	q80 := q
	m = p.act("type the date", chromedp.SendKeys(chromedp.CSS("#known-at"), "2021-09-01\r"))
	q = q.with(func(q *chartQuestion) { q.KnownAt = "2021-09-01" })
	check("known at 2021-09-01", m, q, q80)
	screenshot("explore-6-filtered")
	// ... and back to today, and to every confidence.
	qDated := q
	m = p.act("clear the date", append(clearInput("#known-at"), chromedp.SendKeys(chromedp.CSS("#known-at"), kb.Enter))...)
	q = q.with(func(q *chartQuestion) { q.KnownAt = "" })
	check("the date cleared", m, q, qDated)
	m = p.act("set the confidence filter to 0", chromedp.Evaluate[chromedp.Void](`(() => { const r = document.getElementById('min-confidence'); r.value = '0'; r.dispatchEvent(new Event('change')); })()`))
	q = q.with(func(q *chartQuestion) { q.MinConfidence = 0 })
	check("minimum confidence 0", m, q, q80)

	// 12. A new centre, the Moscow concert hall attack, picked with the arrows among the results
	// for "Crocus": the path and the expansions go, the filters stay.
	qOld := q
	mp := p.waitChart("idle before the search", -1)
	results := p.pick("#search", moscow, "Crocus")
	m = p.waitChart("wait for the Moscow chart", mp.Renders)
	q = chartQuestion{Center: moscow}
	not := []chartQuestion{qOld}
	if results[0] != moscow {
		not = append(not, chartQuestion{Center: results[0]}) // what Enter without the arrows picks
	} else {
		t.Errorf("%s is the first result for Crocus: the search pick does not test the arrows", moscow)
	}
	check("the Moscow concert hall attack, picked", m, q, not...)

	// 13. The statuses filter: hide allegations and denials, only them, all.
	qAll := q
	m = p.choose("hide allegations and denials", "status-mode", "hide-contested")
	q = qAll.with(func(q *chartQuestion) { q.Statuses = assertedStatuses })
	check("statuses: hide allegations and denials", m, q, qAll)
	qHide := q
	m = p.choose("only allegations and denials", "status-mode", "only-contested")
	q = qAll.with(func(q *chartQuestion) { q.Statuses = contestedStatuses })
	check("statuses: only allegations and denials", m, q, qAll, qHide)
	qOnly := q
	m = p.choose("all statuses", "status-mode", "all")
	check("statuses: all", m, qAll, qOnly)
	q = qAll
	screenshot("explore-7-statuses")

	// 14. The relationship types: two chosen, then none (all).
	types := []string{"ATTRIBUTED_TO", "CLAIMED_RESPONSIBILITY_FOR"}
	m = p.choose("choose two relationship types", "types", types...)
	q = qAll.with(func(q *chartQuestion) { q.Types = types })
	check("types "+strings.Join(types, ", "), m, q, qAll)
	qTypes := q
	m = p.choose("choose no relationship type", "types")
	check("no type chosen", m, qAll, qTypes)
	q = qAll

	// 15. Depth 2.
	m = p.choose("depth 2", "depth", "2")
	q = qAll.with(func(q *chartQuestion) { q.Depth = 2 })
	check("depth 2", m, q, qAll)

	// 16. An expanded node hidden: what its expansion brought stays, and the shared URL (next)
	// must say so.
	qDeep := q
	var farNode string
	for _, id := range sortedCopy(m.Nodes) {
		if id != moscow && askChart(t, ts, qDeep.with(func(q *chartQuestion) { q.Expanded = append(q.Expanded, id) })).mismatch(m) != "" {
			farNode = id
			break
		}
	}
	if farNode == "" {
		t.Fatal("no node of the depth-2 chart whose expansion adds to it")
	}
	mSel = p.waitChart("idle before selecting "+farNode, -1)
	p.eval("select "+farNode, fmt.Sprintf(`__explorer.cy.elements().unselect(); __explorer.cy.$id(%s).select()`, jsString(t, farNode)))
	p.waitChart("details of "+farNode, mSel.Renders)
	m = p.act("click Expand on "+farNode, chromedp.Click(chromedp.CSS("#expand-selected"), chromedp.NodeVisible))
	q = qDeep.with(func(q *chartQuestion) { q.Expanded = append(q.Expanded, farNode) })
	check("depth 2, "+farNode+" expanded", m, q, qDeep)
	qExpanded := q
	m = p.act("click Hide on "+farNode, chromedp.Click(chromedp.CSS("#hide-selected"), chromedp.NodeVisible))
	q = q.with(func(q *chartQuestion) { q.Hidden = append(q.Hidden, farNode) })
	check(farNode+" expanded, then hidden", m, q, qExpanded, qDeep)
	m6 := m

	// 17. The shared URL gives the same chart, the API's answer to the same question.
	shared, err := chromedp.Run(tab, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		failed("read the URL", err)
	}
	p.do("open the shared URL", chromedp.Navigate(shared))
	m7 := p.waitChart("wait for the shared chart", 1)
	check("the shared URL "+shared, m7, q)
	if d := (drawnChart{sortedCopy(m6.Nodes), sortedCopy(m6.Edges)}).mismatch(m7); d != "" {
		t.Errorf("the shared URL %s draws another chart than the one shared: %s", shared, d)
	}

	// 18. Exports: the PNG of the chart, the SVG, and the data-export links.
	for _, x := range []struct{ button, typ, magic string }{{"#export-png", "image/png", "\x89PNG"}, {"#export-svg", "image/svg+xml", "<svg"}} {
		p.act("click "+x.button, chromedp.Click(chromedp.CSS(x.button), chromedp.NodeVisible))
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
	checkExportLinks("the shared chart")
	screenshot("explore-8-shared")

	// 19. An API error is said on the page, not a blank chart.
	p.do("open a chart of a missing entity", chromedp.Navigate(ts.URL+"/explore?c=no-such-entity"))
	msg, err := chromedp.Run(tab, chromedp.Poll[string](`(() => { const e = document.getElementById('error'); return e && !e.hidden && e.textContent ? e.textContent : null; })()`, poll...))
	if err != nil {
		failed("wait for the error banner", err)
	}
	if !strings.Contains(msg, "NOT_FOUND") {
		t.Errorf("error banner %q does not say NOT_FOUND", msg)
	}
	screenshot("explore-9-error")

	requests, problems, messages := events.snapshot()
	for _, r := range foreignRequests(requests, origin) {
		t.Errorf("the page made a request to another origin than the test server's (%s): %s", ts.URL, r)
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
	t.Logf("explorer walk took %v", time.Since(start).Round(time.Millisecond))

	// 20. Negative controls on a broken page, in a second tab of the same browser: the same
	// steps and the same checks must report the breakage.
	brokenStart := time.Now()
	brokenEvents := &pageEvents{}
	broken, cancelBroken := chromedp.NewContext(tab, chromedp.WithListener(brokenEvents.record))
	defer cancelBroken()
	b := &explorerPage{t: t, name: "the broken page (negative control)", tab: broken, ts: ts, events: brokenEvents, cdp: p.cdp, poll: poll}
	b.do("open a blank tab", chromedp.Navigate("about:blank"))
	// The page's requests lose the statuses of their filter, as if the explorer forgot them.
	if _, err := chromedp.Call(broken, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: dropStatusesScript}); err != nil {
		b.fatal("inject the script that drops the statuses", err)
	}
	qb := chartQuestion{Center: moscow}
	b.do("open the Moscow chart", chromedp.Navigate(ts.URL+"/explore?c="+moscow))
	mb := b.waitChart("wait for the chart", 0)
	if d := askChart(t, ts, qb).mismatch(mb); d != "" { // else what follows proves nothing
		t.Fatalf("broken page: before any filter the chart should still be right: %s", d)
	}
	mb = b.choose("hide allegations and denials", "status-mode", "hide-contested")
	if askChart(t, ts, qb.with(func(q *chartQuestion) { q.Statuses = assertedStatuses })).mismatch(mb) == "" {
		t.Error("negative control: with the statuses dropped from the page's requests, the statuses check still passes")
	}
	mb = b.choose("all statuses", "status-mode", "all")
	if d := askChart(t, ts, qb).mismatch(mb); d != "" {
		t.Fatalf("broken page: with all statuses the chart should be right again: %s", d)
	}
	// Cytoscape's remove does nothing: hiding a node leaves it drawn.
	b.eval("break remove", `Object.getPrototypeOf(__explorer.cy.collection()).remove = function () { return this; }`)
	mk = b.press("arrow down", kb.ArrowDown)
	sel := b.selection("arrow down", mk.Renders-1)
	if len(sel.IDs) != 1 {
		t.Fatalf("broken page: the arrow selected %v", sel.IDs)
	}
	mb = b.press("press Delete", kb.Delete)
	if askChart(t, ts, qb.with(func(q *chartQuestion) { q.Hidden = append(q.Hidden, sel.IDs[0]) })).mismatch(mb) == "" {
		t.Error("negative control: with Cytoscape's remove broken, the check after Delete still passes")
	}
	cancelBroken()
	t.Logf("negative controls on a broken page took %v", time.Since(brokenStart).Round(time.Millisecond))
	t.Logf("explorer test took %v", time.Since(start).Round(time.Millisecond))
}

// dropStatusesScript, injected through the DevTools protocol before the page's own scripts,
// removes the statuses from the filter of every GraphQL request the page sends.
const dropStatusesScript = `(() => {
	const fetch0 = window.fetch;
	window.fetch = (url, init) => {
		if (init && typeof init.body === 'string') {
			const body = JSON.parse(init.body);
			if (body.variables && body.variables.filter) {
				delete body.variables.filter.statuses;
				init = {...init, body: JSON.stringify(body)};
			}
		}
		return fetch0(url, init);
	};
})()`

// assertedStatusValues is the schema's Status values less the allegations and denials.
func assertedStatusValues(t *testing.T, ts *testServer) []string {
	t.Helper()
	r := ts.post(t, `{ __type(name: "Status") { enumValues { name } } }`, nil)
	var d struct {
		Type struct{ EnumValues []struct{ Name string } } `json:"__type"`
	}
	if err := json.Unmarshal(r.Data, &d); err != nil || len(r.Errors) > 0 {
		t.Fatalf("read the Status enum: %v %v", err, r.Errors)
	}
	var asserted []string
	for _, v := range d.Type.EnumValues {
		if !slices.Contains(contestedStatuses, v.Name) {
			asserted = append(asserted, v.Name)
		}
	}
	if len(asserted) == 0 || len(asserted)+len(contestedStatuses) != len(d.Type.EnumValues) {
		t.Fatalf("the Status enum %v does not hold the allegations and denials %v and others", d.Type.EnumValues, contestedStatuses)
	}
	return asserted
}

// entityName is the API's name of an entity.
func entityName(t *testing.T, ts *testServer, id string) string {
	t.Helper()
	r := ts.post(t, `query($id: ID!) { entity(id: $id) { name } }`, map[string]any{"id": id})
	var d struct{ Entity struct{ Name string } }
	if err := json.Unmarshal(r.Data, &d); err != nil || len(r.Errors) > 0 || d.Entity.Name == "" {
		t.Fatalf("the name of %s: %v %v", id, err, r.Errors)
	}
	return d.Entity.Name
}

// jsArray returns ss as a JavaScript array literal of strings.
func jsArray(t *testing.T, ss []string) string {
	t.Helper()
	if ss == nil {
		ss = []string{}
	}
	b, err := json.Marshal(ss)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
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
