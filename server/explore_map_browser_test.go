package server_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/web"
)

// mapMarker is one incident drawn on the explorer's map, as the browser shows it: where its
// marker's centre is on the page, the point of the world under it (Leaflet's projection of
// that pixel), the class of its SVG path and the country outline drawn under it.
type mapMarker struct {
	ID      string  `json:"id"`
	X       float64 `json:"x"`
	Y       float64 `json:"y"`
	Lat     float64 `json:"lat"`
	Lng     float64 `json:"lng"`
	Class   string  `json:"class"`
	Country string  `json:"country"` // data-iso2 of the country path under the centre
}

type geoBox struct {
	South float64 `json:"south"`
	West  float64 `json:"west"`
	North float64 `json:"north"`
	East  float64 `json:"east"`
}

func (b geoBox) vars() map[string]any {
	return map[string]any{"south": b.South, "west": b.West, "north": b.North, "east": b.East}
}

type mapView struct {
	Lat  float64 `json:"lat"`
	Lng  float64 `json:"lng"`
	Zoom int     `json:"zoom"`
}

// mapModel is what the page shows on its map and beside it, read through window.__explorer.
type mapModel struct {
	Renders    int         `json:"renders"`
	Markers    []mapMarker `json:"markers"`
	Selected   []string    `json:"selected"`   // selected on the map
	Chart      []string    `json:"chart"`      // nodes selected on the chart
	ChartNodes []string    `json:"chartNodes"` // nodes drawn on the chart
	Box        geoBox      `json:"box"`        // the part of the world in view
	View       mapView     `json:"view"`
	Heading    string      `json:"heading"` // of the details panel
	Slider     string      `json:"slider"`
	KnownAt    string      `json:"knownAt"` // the "Known at" text box
	Href       string      `json:"href"`
	FirstDraw  float64     `json:"firstDrawMs"`
}

func (m mapModel) ids() []string {
	var ids []string
	for _, k := range m.Markers {
		ids = append(ids, k.ID)
	}
	slices.Sort(ids)
	return ids
}

func (m mapModel) marker(id string) (mapMarker, bool) {
	i := slices.IndexFunc(m.Markers, func(k mapMarker) bool { return k.ID == id })
	if i < 0 {
		return mapMarker{}, false
	}
	return m.Markers[i], true
}

const readMap = `(() => {
	const x = window.__explorer;
	if (!x || x.busy > 0 || !x.map) return null;
	const m = x.map, L = m.leaflet, b = L.getBounds(), c = L.getCenter();
	const frame = document.getElementById('map').getBoundingClientRect();
	const markers = [...document.querySelectorAll('#map path.incident')].map((p) => {
		const r = p.getBoundingClientRect();
		const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
		const under = document.elementsFromPoint(cx, cy).find((e) => e.dataset && e.dataset.iso2);
		const at = L.containerPointToLatLng([cx - frame.left, cy - frame.top]);
		return {id: p.dataset.id, x: cx, y: cy, lat: at.lat, lng: at.lng, class: p.getAttribute('class'), country: under ? under.dataset.iso2 : ''};
	});
	return {
		renders: x.renders, markers, selected: m.selected,
		chart: x.cy.nodes(':selected').map((n) => n.id()), chartNodes: x.cy.nodes().map((n) => n.id()),
		box: {south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast()},
		view: {lat: c.lat, lng: c.lng, zoom: L.getZoom()},
		heading: document.querySelector('#details h2')?.textContent ?? '',
		slider: document.getElementById('time-slider').value,
		knownAt: document.getElementById('known-at').value,
		href: location.href, firstDrawMs: m.firstDrawMs,
	};
})()`

// apiIncident is an incident as the API places it: its own coordinates, its places, and the
// countries those places lie in (a Place's countryCode, a Country's iso2).
type apiIncident struct {
	ID           string
	Name         string
	Date         string
	Latitude     *float64
	Longitude    *float64
	GeoPrecision *int
	Places       []apiPlace
	Countries    []string
}

type apiPlace struct {
	ID           string
	Latitude     *float64
	Longitude    *float64
	GeoPrecision *int
}

const mapIncidentsQ = `query($within: GeoBox!, $to: PartialDate) {
	incidents(filter: {within: $within, to: $to}, first: 100) {
		totalCount
		nodes {
			id name date latitude longitude geoPrecision
			relationships(filter: {types: [OCCURRED_AT, OCCURRED_IN], direction: OUTGOING}, first: 10) {
				to { id kind ... on Place { latitude longitude geoPrecision countryCode } ... on Country { iso2 } }
			}
		}
	}
}`

// askMap asks the API which incidents lie in box up to the date to ("" for none).
func askMap(t *testing.T, ts *testServer, box geoBox, to string) map[string]apiIncident {
	t.Helper()
	vars := map[string]any{"within": box.vars()}
	if to != "" {
		vars["to"] = to
	}
	r := ts.post(t, mapIncidentsQ, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("incidents within %+v: %v", box, r.Errors)
	}
	var d struct {
		Incidents struct {
			TotalCount int
			Nodes      []struct {
				ID, Name, Date string
				Latitude       *float64
				Longitude      *float64
				GeoPrecision   *int
				Relationships  []struct {
					To struct {
						ID           string
						Kind         string
						Latitude     *float64
						Longitude    *float64
						GeoPrecision *int
						CountryCode  string
						ISO2         string `json:"iso2"`
					}
				}
			}
		}
	}
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatal(err)
	}
	if d.Incidents.TotalCount > len(d.Incidents.Nodes) {
		t.Fatalf("the API has %d incidents in %+v, more than one page: narrow the test's view", d.Incidents.TotalCount, box)
	}
	out := map[string]apiIncident{}
	countries := map[string][]string{} // a place's countries, asked once
	for _, n := range d.Incidents.Nodes {
		inc := apiIncident{ID: n.ID, Name: n.Name, Date: n.Date, Latitude: n.Latitude, Longitude: n.Longitude, GeoPrecision: n.GeoPrecision}
		for _, r := range n.Relationships {
			if r.To.Latitude != nil && r.To.Longitude != nil {
				inc.Places = append(inc.Places, apiPlace{ID: r.To.ID, Latitude: r.To.Latitude, Longitude: r.To.Longitude, GeoPrecision: r.To.GeoPrecision})
			}
			codes := []string{r.To.CountryCode, r.To.ISO2}
			if r.To.Kind == "PLACE" && r.To.CountryCode == "" {
				codes = placeCountries(t, ts, r.To.ID, countries, 0)
			}
			for _, c := range codes {
				if c != "" && !slices.Contains(inc.Countries, c) {
					inc.Countries = append(inc.Countries, c)
				}
			}
		}
		out[n.ID] = inc
	}
	return out
}

// placeCountries is the countries the API puts a place in without a country code of its own
// (the GTD's provinces and cities): those it is LOCATED_IN, up to four levels up.
func placeCountries(t *testing.T, ts *testServer, id string, memo map[string][]string, depth int) []string {
	t.Helper()
	if c, ok := memo[id]; ok || depth > 4 {
		return c
	}
	r := ts.post(t, `query($id: ID!) { entity(id: $id) {
		relationships(filter: {types: [LOCATED_IN], direction: OUTGOING}, first: 10) {
			to { id kind ... on Place { countryCode } ... on Country { iso2 } }
		} } }`, map[string]any{"id": id})
	if len(r.Errors) > 0 {
		t.Fatalf("where %s lies: %v", id, r.Errors)
	}
	var d struct {
		Entity struct {
			Relationships []struct {
				To struct{ ID, Kind, CountryCode, ISO2 string }
			}
		}
	}
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, rel := range d.Entity.Relationships {
		switch {
		case rel.To.ISO2 != "":
			out = append(out, rel.To.ISO2)
		case rel.To.CountryCode != "":
			out = append(out, rel.To.CountryCode)
		case rel.To.Kind == "PLACE":
			out = append(out, placeCountries(t, ts, rel.To.ID, memo, depth+1)...)
		}
	}
	memo[id] = out
	return out
}

// apiIDs is the ids of an answer, sorted.
func apiIDs(m map[string]apiIncident) []string {
	return slices.Sorted(maps.Keys(m))
}

// precisionRank is how the README's map section says a precision is drawn: 1 (or none
// recorded) as exact, 2 apart, 3 and 4 alike.
func precisionRank(p *int) int {
	switch {
	case p == nil || *p <= 1:
		return 1
	case *p == 2:
		return 2
	default:
		return 3
	}
}

// mapProblems compares the drawn map with the API's answer for the same view and date: the
// same incidents; each marker in a country the API links its incident to; each at the API's
// point for it (its own coordinates, else one of its places), within a few pixels; each styled
// for that point's precision. Nil when the map is right.
func mapProblems(m mapModel, want map[string]apiIncident) []string {
	var out []string
	if got, w := m.ids(), apiIDs(want); !slices.Equal(got, w) {
		out = append(out, fmt.Sprintf("the map draws %v, the API has %v in view (missing %v, extra %v)", got, w, setDiff(w, got), setDiff(got, w)))
	}
	// A few pixels at the map's zoom, in degrees.
	tol := 3 * 360 / (256 * math.Exp2(float64(m.View.Zoom)))
	near := func(k mapMarker, lat, lng *float64) bool {
		return lat != nil && lng != nil && math.Abs(k.Lat-*lat) <= tol && math.Abs(k.Lng-*lng) <= tol
	}
	for _, k := range m.Markers {
		inc, ok := want[k.ID]
		if !ok {
			continue
		}
		if len(inc.Countries) == 0 {
			out = append(out, fmt.Sprintf("the API links %s to no country", k.ID))
		} else if !slices.Contains(inc.Countries, k.Country) {
			out = append(out, fmt.Sprintf("%s is drawn in country %q, the API says %v", k.ID, k.Country, inc.Countries))
		}
		var precision *int
		placed := false
		if inc.Latitude != nil && (inc.GeoPrecision == nil || *inc.GeoPrecision != 5) {
			placed, precision = near(k, inc.Latitude, inc.Longitude), inc.GeoPrecision
		} else {
			for _, p := range inc.Places {
				if (p.GeoPrecision == nil || *p.GeoPrecision != 5) && near(k, p.Latitude, p.Longitude) {
					placed, precision = true, p.GeoPrecision
					break
				}
			}
		}
		if !placed {
			out = append(out, fmt.Sprintf("%s is drawn at (%.3f, %.3f), not where the API places it", k.ID, k.Lat, k.Lng))
			continue
		}
		if want := fmt.Sprintf("precision-%d", precisionRank(precision)); !slices.Contains(strings.Fields(k.Class), want) {
			out = append(out, fmt.Sprintf("%s is drawn as %q, its precision %v wants %s", k.ID, k.Class, deref(precision), want))
		}
	}
	return out
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// mapPage drives a tab of /explore with the map shown.
type mapPage struct {
	*explorerPage
}

func (p mapPage) waitMap(step string, after int) mapModel {
	p.t.Helper()
	m, err := chromedp.Run(p.tab, chromedp.Poll[mapModel](fmt.Sprintf(`(() => { const m = %s; return m && m.renders > %d ? m : null; })()`, readMap, after), p.poll...))
	if err != nil {
		p.fatal(step, err)
	}
	return m
}

// actMap does an action and returns the map drawn after it.
func (p mapPage) actMap(step string, actions ...chromedp.Action[chromedp.Void]) mapModel {
	p.t.Helper()
	before := p.waitMap("idle before: "+step, -1)
	p.do(step, actions...)
	return p.waitMap("wait for the map after: "+step, before.Renders)
}

// pixel is where a point of the world is on the page, by the page's Leaflet.
func (p mapPage) pixel(lat, lng float64) (float64, float64) {
	p.t.Helper()
	xy, err := chromedp.Run(p.tab, chromedp.Evaluate[[]float64](fmt.Sprintf(`(() => {
		const f = document.getElementById('map').getBoundingClientRect(), q = __explorer.map.leaflet.latLngToContainerPoint([%g, %g]);
		return [Math.round(f.left + q.x), Math.round(f.top + q.y)];
	})()`, lat, lng)))
	if err != nil || len(xy) != 2 {
		p.fatal("project a point", err)
	}
	return xy[0], xy[1]
}

// world is the point of the world at a pixel of the page, by the page's Leaflet.
func (p mapPage) world(x, y float64) (float64, float64) {
	p.t.Helper()
	ll, err := chromedp.Run(p.tab, chromedp.Evaluate[[]float64](fmt.Sprintf(`(() => {
		const f = document.getElementById('map').getBoundingClientRect(), a = __explorer.map.leaflet.containerPointToLatLng([%g - f.left, %g - f.top]);
		return [a.lat, a.lng];
	})()`, x, y)))
	if err != nil || len(ll) != 2 {
		p.fatal("unproject a pixel", err)
	}
	return ll[0], ll[1]
}

// shiftDrag presses the left button with Shift at (x0, y0), moves to (x1, y1) and releases:
// a person selecting a box on the map.
func shiftDrag(x0, y0, x1, y1 float64) []chromedp.Action[chromedp.Void] {
	shift := chromedp.ButtonModifiers(kb.ModifierShift)
	held := func(p *input.DispatchMouseEventParams) { p.Buttons = 1 }
	return []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(chromedp.MouseMoved, x0, y0, shift),
		chromedp.MouseEvent(chromedp.MousePressed, x0, y0, chromedp.ButtonLeft, chromedp.ClickCount(1), shift),
		chromedp.MouseEvent(chromedp.MouseMoved, (x0+x1)/2, (y0+y1)/2, chromedp.ButtonLeft, held, shift),
		chromedp.MouseEvent(chromedp.MouseMoved, x1, y1, chromedp.ButtonLeft, held, shift),
		chromedp.MouseEvent(chromedp.MouseReleased, x1, y1, chromedp.ButtonLeft, chromedp.ClickCount(1), shift),
	}
}

// setSlider moves the time slider to a month, as dragging it there does (input, then change).
func setSlider(t *testing.T, month string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const s = document.getElementById('time-slider'), i = __explorer.sliderMonths.indexOf(%s);
		if (i < 0) throw new Error('the slider has no month ' + %[1]s);
		s.value = String(i);
		s.dispatchEvent(new Event('input', {bubbles: true}));
		s.dispatchEvent(new Event('change', {bubbles: true}));
	})()`, jsString(t, month)))
}

// monthBefore is the month before the month of a date (YYYY-MM[-DD]).
func monthBefore(date string) string {
	tm, err := time.Parse("2006-01", date[:7])
	if err != nil {
		return ""
	}
	return tm.AddDate(0, -1, 0).Format("2006-01")
}

// TestExplorerMapInChromium drives the explorer's map in Debian's headless Chromium over the
// seed graph and a few GTD rows of every precision (testdata/gtd/map.csv): the incidents in
// view are the API's `within` answer for the view, each drawn in the country the API puts it
// in, at its point, styled for its precision; a Shift+drag box selects what the API's `within`
// answers for the box, and the chart selects the same; a click selects on the map and the
// chart, and a selection on the chart shows on the map; the time slider redraws both views as
// the API answers for its date; the address restores the view. A second tab, with the page's
// answers or requests broken through the DevTools protocol, must fail the same checks.
func TestExplorerMapInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("no Chromium at %s (%v): this test drives a real browser and never downloads one; install Debian's package: apt-get install chromium", chromiumPath, err)
	}
	if !web.Built() {
		t.Fatal("the front end is not built into the test binary: run make web (cd web && npm ci && npm run build), then the tests again")
	}
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	t.Cleanup(func() { testdb.MustSeed(t, db) })
	testdb.MustImportGTDFile(t, db, "../testdata/gtd/map.csv")
	ts := newTestServer(t, db, db)
	origin, err := url.Parse(ts.URL)
	if err != nil {
		t.Fatal(err)
	}

	p := mapPage{openExplorer(t, ts, "the map", 150*time.Second)}
	tab, events, poll := p.tab, p.events, p.poll

	// 1. The Islamic State's chart with the map over Europe to Afghanistan.
	const is = "islamic-state"
	view := "/explore?c=" + is + "&m=1&mv=42.0000,35.0000,3"
	start := time.Now()
	p.do("open the explorer with the map", chromedp.Navigate(ts.URL+view))
	m := p.waitMap("wait for the map", 0)
	t.Logf("time to first map draw: %.0f ms after navigation start (page clock), %v from opening the page (browser start included)", m.FirstDraw, time.Since(start).Round(time.Millisecond))
	inView := askMap(t, ts, m.Box, "")
	if len(inView) < 4 {
		t.Fatalf("the API has only %v in the test's view %+v: the checks below need more", apiIDs(inView), m.Box)
	}
	if pr := mapProblems(m, inView); len(pr) > 0 {
		t.Errorf("the map of the view:\n  %s", strings.Join(pr, "\n  "))
	}
	ranks := map[string]bool{}
	for _, k := range m.Markers {
		for _, c := range strings.Fields(k.Class) {
			if strings.HasPrefix(c, "precision-") {
				ranks[c] = true
			}
		}
	}
	if len(ranks) < 3 {
		t.Errorf("the markers show precisions %v: the test data has three ranks, so the precision check saw too little", sortedKeys(ranks))
	}
	countries := map[string]bool{}
	for _, k := range m.Markers {
		countries[k.Country] = true
	}
	if len(countries) < 4 {
		t.Errorf("the markers lie in countries %v: the country check needs several", sortedKeys(countries))
	}
	chart := p.waitChart("the chart beside the map", -1)
	if d := askChart(t, ts, chartQuestion{Center: is}).mismatch(chart); d != "" {
		t.Errorf("the chart beside the map is not the API's neighbourhood of %s: %s", is, d)
	}

	// 2. A box over western Europe, Shift+dragged: the map selects the API's `within` answer
	// for the box, the chart the same incidents where it draws them.
	x0, y0 := p.pixel(58, -10)
	x1, y1 := p.pixel(42, 12)
	mb := p.actMap("Shift+drag a box", shiftDrag(x0, y0, x1, y1)...)
	north, west := p.world(x0, y0)
	south, east := p.world(x1, y1)
	box := geoBox{South: south, West: west, North: north, East: east}
	inBox := apiIDs(askMap(t, ts, box, ""))
	if got := sortedCopy(mb.Selected); !slices.Equal(got, inBox) {
		t.Errorf("the box %+v selected %v on the map, the API's within answers %v", box, got, inBox)
	}
	if len(inBox) == 0 || slices.Equal(inBox, apiIDs(inView)) {
		t.Errorf("negative control: the box holds %v of the view's %v; it must hold some and not all, or the check could not see a wrong box", inBox, apiIDs(inView))
	}
	onChart := setDiff(inBox, setDiff(inBox, mb.ChartNodes))
	if len(onChart) == 0 {
		t.Fatalf("none of the box's incidents %v is on the chart %v: the chart's side is untested", inBox, mb.ChartNodes)
	}
	if got := sortedCopy(mb.Chart); !slices.Equal(got, onChart) {
		t.Errorf("after the box the chart selects %v, want the box's incidents on the chart %v", got, onChart)
	}
	if want := fmt.Sprintf("%d incident", len(inBox)); !strings.HasPrefix(mb.Heading, want) {
		t.Errorf("the details panel says %q after the box, want it to start %q", mb.Heading, want)
	}
	if os.Getenv("UPDATE_SCREENSHOT") == "1" {
		png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		if err != nil {
			p.fatal("screenshot for the README", err)
		}
		if err := os.WriteFile(filepath.Join("..", "docs", "explorer-map.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// 3. A click on an incident of the chart whose marker no other covers (none within 15 px
	// of its centre, more than the largest marker's radius) selects it on both, and the details
	// panel names it.
	clicked := ""
	for _, k := range m.Markers {
		alone := !slices.ContainsFunc(m.Markers, func(o mapMarker) bool { return o.ID != k.ID && math.Hypot(o.X-k.X, o.Y-k.Y) < 15 })
		if alone && slices.Contains(m.ChartNodes, k.ID) && !slices.Contains(mb.Selected, k.ID) {
			clicked = k.ID
			break
		}
	}
	if clicked == "" {
		t.Fatalf("no marker of the chart's incidents stands apart outside the box: %+v", m.Markers)
	}
	k, _ := m.marker(clicked)
	mc := p.actMap("click "+clicked, chromedp.MouseClickXY(k.X, k.Y))
	if !slices.Equal(mc.Selected, []string{clicked}) || !slices.Equal(mc.Chart, []string{clicked}) {
		t.Errorf("a click on %s selected %v on the map and %v on the chart", clicked, mc.Selected, mc.Chart)
	}
	if want := entityName(t, ts, clicked); mc.Heading != want {
		t.Errorf("after the click the details panel shows %q, want %q", mc.Heading, want)
	}

	// 4. The arrows on the chart select its nodes in turn; the first incident on the map that
	// is not the one clicked is selected on the map too, and its marker shows it.
	chosen := ""
	for range len(m.ChartNodes) + 1 {
		mk := p.press("arrow down on the chart", kb.ArrowDown)
		s := p.selection("arrow down on the chart", mk.Renders-1)
		if len(s.IDs) == 1 && s.IDs[0] != clicked && slices.Contains(m.ids(), s.IDs[0]) {
			chosen = s.IDs[0]
			break
		}
	}
	if chosen == "" {
		t.Fatal("the arrows went round the chart and selected no other incident of the map")
	}
	ms := p.waitMap("the map after the chart's selection", -1)
	if !slices.Equal(ms.Selected, []string{chosen}) {
		t.Errorf("selecting %s on the chart selected %v on the map", chosen, ms.Selected)
	}
	if cls, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#map path.incident.selected')].map((p) => p.dataset.id)`)); err != nil || !slices.Equal(cls, []string{chosen}) {
		t.Errorf("the markers drawn as selected are %v (err %v), want %s", cls, err, chosen)
	}

	// 5. The slider, to the month before the latest incident in view: the map draws the API's
	// incidents up to then, the chart the graph as known then.
	latest := ""
	for _, inc := range inView {
		latest = max(latest, inc.Date)
	}
	month := monthBefore(latest)
	if month == "" {
		t.Fatalf("no month before %q", latest)
	}
	before := p.waitChart("idle before the slider", -1)
	p.do("move the slider to "+month, setSlider(t, month))
	mt := p.waitMap("the map after the slider", before.Renders)
	chartAt := p.waitChart("the chart after the slider", before.Renders)
	then := askMap(t, ts, mt.Box, month)
	if pr := mapProblems(mt, then); len(pr) > 0 {
		t.Errorf("the map at %s:\n  %s", month, strings.Join(pr, "\n  "))
	}
	if slices.Equal(mt.ids(), apiIDs(inView)) {
		t.Errorf("negative control: at %s the map still draws every incident of today's view %v", month, mt.ids())
	}
	if d := askChart(t, ts, chartQuestion{Center: is, KnownAt: month}).mismatch(chartAt); d != "" {
		t.Errorf("the chart at %s is not the API's neighbourhood as known then: %s", month, d)
	}
	if askChart(t, ts, chartQuestion{Center: is}).mismatch(chartAt) == "" {
		t.Errorf("negative control: the chart at %s equals today's, so the check could not see the slider fail", month)
	}
	if mt.KnownAt != month {
		t.Errorf("after the slider the Known at box says %q, want %q", mt.KnownAt, month)
	}

	// 6. The address keeps the view: opened in a new tab it draws the same map at the same
	// place and date; without its view it would not.
	u, err := url.Parse(mt.Href)
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); q.Get("m") != "1" || q.Get("mv") == "" || q.Get("at") != month {
		t.Errorf("the address %s does not keep the map, its view and the date", mt.Href)
	}
	other, cancelOther := chromedp.NewContext(tab)
	defer cancelOther()
	o := mapPage{&explorerPage{t: t, name: "the shared map", tab: other, ts: ts, events: events, cdp: p.cdp, poll: poll}}
	o.do("open the shared address", chromedp.Navigate(mt.Href))
	mo := o.waitMap("wait for the shared map", 0)
	sameView := func(a, b mapView) bool {
		return a.Zoom == b.Zoom && math.Abs(a.Lat-b.Lat) < 1e-3 && math.Abs(a.Lng-b.Lng) < 1e-3
	}
	if !sameView(mo.View, mt.View) || mo.Slider != mt.Slider || !slices.Equal(mo.ids(), mt.ids()) {
		t.Errorf("the shared address shows view %+v, slider %s, incidents %v; the page showed %+v, %s, %v", mo.View, mo.Slider, mo.ids(), mt.View, mt.Slider, mt.ids())
	}
	q := u.Query()
	q.Del("mv")
	u.RawQuery = q.Encode()
	o.do("open the address without its view", chromedp.Navigate(u.String()))
	if mw := o.waitMap("wait for the map without a view", 0); sameView(mw.View, mt.View) {
		t.Errorf("negative control: without mv the map opens at the same view %+v, so the check could not see the view lost", mw.View)
	}
	cancelOther()

	// No tile server, no CDN: every request of the page went to the service.
	requests, problems, messages := events.snapshot()
	for _, r := range foreignRequests(requests, origin) {
		t.Errorf("the map's page made a request to another origin than the test server's (%s): %s", ts.URL, r)
	}
	if len(problems) > 0 {
		t.Errorf("the console shows errors:\n  %s", strings.Join(problems, "\n  "))
	}
	if t.Failed() {
		t.Logf("console:\n  %s", strings.Join(messages, "\n  "))
	}

	// 7. Negative controls in a second tab whose answers or requests are broken: each check
	// above must fail there.
	brokenEvents := &pageEvents{}
	broken, cancelBroken := chromedp.NewContext(tab, chromedp.WithListener(brokenEvents.record))
	defer cancelBroken()
	b := mapPage{&explorerPage{t: t, name: "the broken map (negative control)", tab: broken, ts: ts, events: brokenEvents, cdp: p.cdp, poll: poll}}
	b.do("open a blank tab", chromedp.Navigate("about:blank"))
	if _, err := chromedp.Call(broken, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: breakMapScript}); err != nil {
		b.fatal("inject the script that breaks the map", err)
	}
	for _, c := range []struct{ mode, what string }{
		{"swap", "latitude and longitude swapped in the map's answers"},
		{"precision", "the precisions dropped from the map's answers"},
	} {
		b.do("open the map with "+c.what, chromedp.Navigate(ts.URL+view+"&break="+c.mode))
		bm := b.waitMap("wait for the broken map", 0)
		if len(mapProblems(bm, askMap(t, ts, bm.Box, ""))) == 0 {
			t.Errorf("negative control: with %s, the map check still passes", c.what)
		}
	}
	b.do("open the map with the date dropped from its requests", chromedp.Navigate(ts.URL+view+"&break=to"))
	bm := b.waitMap("wait for the broken map", 0)
	if pr := mapProblems(bm, askMap(t, ts, bm.Box, "")); len(pr) > 0 { // else what follows proves nothing
		t.Fatalf("broken page: before the slider the map should still be right:\n  %s", strings.Join(pr, "\n  "))
	}
	bBefore := b.waitChart("idle before the slider", -1)
	b.do("move the slider to "+month, setSlider(t, month))
	bt := b.waitMap("the broken map after the slider", bBefore.Renders)
	if len(mapProblems(bt, askMap(t, ts, bt.Box, month))) == 0 {
		t.Errorf("negative control: with the date dropped from the map's requests, the slider's map check still passes")
	}
	// The page's projection of the box's corners broken: every box shrinks to the map's centre.
	b.eval("break the box's corners", `__explorer.map.leaflet.containerPointToLatLng = function () { return this.getCenter(); }`)
	bb := b.actMap("Shift+drag a box", shiftDrag(x0, y0, x1, y1)...)
	if slices.Equal(sortedCopy(bb.Selected), apiIDs(askMap(t, ts, box, month))) {
		t.Errorf("negative control: with the box's corners broken, the box check still passes (selected %v)", bb.Selected)
	}
	cancelBroken()
	t.Logf("map test took %v", time.Since(start).Round(time.Millisecond))
}

// breakMapScript, injected through the DevTools protocol before the page's own scripts, breaks
// the map's traffic as the address's `break` parameter says: swap (latitude and longitude
// swapped in the answers), precision (every geoPrecision dropped from the answers), to (the
// date dropped from the requests).
const breakMapScript = `(() => {
	const mode = new URLSearchParams(location.search).get('break');
	if (!mode) return;
	const fetch0 = window.fetch;
	const fix = (o) => {
		if (!o || typeof o !== 'object') return;
		if (mode === 'swap' && 'latitude' in o && 'longitude' in o) [o.latitude, o.longitude] = [o.longitude, o.latitude];
		if (mode === 'precision' && 'geoPrecision' in o) o.geoPrecision = null;
		for (const v of Object.values(o)) fix(v);
	};
	window.fetch = async (url, init) => {
		const isMap = init && typeof init.body === 'string' && init.body.includes('ExplorerMapIncidents');
		if (isMap && mode === 'to') {
			const body = JSON.parse(init.body);
			delete body.variables.to;
			init = {...init, body: JSON.stringify(body)};
		}
		const res = await fetch0(url, init);
		if (!isMap || mode === 'to') return res;
		const data = await res.json();
		fix(data);
		return new Response(JSON.stringify(data), {status: res.status, headers: res.headers});
	};
})()`
