package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/export"
)

// The GeoJSON export is read back with a reader of its own that checks RFC 7946 as it goes:
// the object types, a position as [longitude, latitude] in range, two or more positions to a
// line, no line segment that spans more than half the world (section 3.1.9: cut it at the
// antimeridian), and an id and properties on every feature.

type geoFeature struct {
	Type       string          `json:"type"`
	ID         any             `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties map[string]any  `json:"properties"`
}

type geoGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// readGeoJSON decodes a FeatureCollection and checks it against RFC 7946; it returns the
// features by id, each with its geometry's type and positions (a MultiLineString's lines one
// after the other).
func readGeoJSON(b []byte) (map[string]geoRead, []string, error) {
	var doc struct {
		Type     string       `json:"type"`
		Features []geoFeature `json:"features"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, nil, err
	}
	if doc.Type != "FeatureCollection" || doc.Features == nil {
		return nil, nil, fmt.Errorf("type %q, features %v: want a FeatureCollection with a features array", doc.Type, doc.Features)
	}
	out := map[string]geoRead{}
	var order []string
	for i, f := range doc.Features {
		if f.Type != "Feature" {
			return nil, nil, fmt.Errorf("feature %d: type %q", i, f.Type)
		}
		id, ok := f.ID.(string)
		if !ok || id == "" || f.Properties == nil {
			return nil, nil, fmt.Errorf("feature %d: id %v, properties %v", i, f.ID, f.Properties)
		}
		var g geoGeometry
		if err := json.Unmarshal(f.Geometry, &g); err != nil {
			return nil, nil, fmt.Errorf("feature %s: geometry: %v", id, err)
		}
		r := geoRead{Type: g.Type, Props: f.Properties}
		var err error
		switch g.Type {
		case "Point":
			var p []float64
			if err = json.Unmarshal(g.Coordinates, &p); err == nil {
				r.Lines = [][][]float64{{p}}
			}
		case "LineString":
			var l [][]float64
			if err = json.Unmarshal(g.Coordinates, &l); err == nil {
				r.Lines = [][][]float64{l}
				if len(l) < 2 {
					err = fmt.Errorf("a LineString of %d positions", len(l))
				}
			}
		case "MultiLineString":
			if err = json.Unmarshal(g.Coordinates, &r.Lines); err == nil {
				for _, l := range r.Lines {
					if len(l) < 2 {
						err = fmt.Errorf("a line of %d positions", len(l))
					}
				}
			}
		default:
			err = fmt.Errorf("geometry type %q", g.Type)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("feature %s: %v", id, err)
		}
		for _, l := range r.Lines {
			for j, p := range l {
				if len(p) != 2 || math.Abs(p[0]) > 180 || math.Abs(p[1]) > 90 {
					return nil, nil, fmt.Errorf("feature %s: position %v is not [longitude, latitude] in range", id, p)
				}
				if j > 0 && math.Abs(p[0]-l[j-1][0]) > 180 {
					return nil, nil, fmt.Errorf("feature %s: a segment from %v to %v crosses the antimeridian uncut", id, l[j-1], p)
				}
			}
		}
		if _, dup := out[id]; dup {
			return nil, nil, fmt.Errorf("feature %s twice", id)
		}
		out[id] = r
		order = append(order, id)
	}
	return out, order, nil
}

type geoRead struct {
	Type  string
	Lines [][][]float64
	Props map[string]any
}

// wantGeo is the oracle: what of g is on the map, worked out from the subgraph apart from the
// writer. A place or incident is at its own coordinates unless its GTD specificity is 5; an
// incident without them at a place it OCCURRED_AT, else OCCURRED_IN (the most precise, then
// by id), by a relationship not retracted.
func wantGeo(g *incidentgraph.Subgraph) (points map[string][2]float64, lines map[string]*incidentgraph.Relationship) {
	points = map[string][2]float64{}
	kinds := map[string]*incidentgraph.Entity{}
	for _, n := range g.Nodes {
		kinds[n.ID] = n
		if (n.Kind == incidentgraph.KindPlace || n.Kind == incidentgraph.KindIncident) && n.Latitude != nil && n.Longitude != nil &&
			(n.GeoPrecision == nil || *n.GeoPrecision != 5) {
			points[n.ID] = [2]float64{*n.Longitude, *n.Latitude}
		}
	}
	type cand struct {
		rank  string
		place string
	}
	best := map[string]cand{}
	for _, r := range g.Edges {
		from, to := kinds[r.FromID], kinds[r.ToID]
		if from == nil || to == nil || from.Kind != incidentgraph.KindIncident || to.Kind != incidentgraph.KindPlace || r.Retraction != nil {
			continue
		}
		if _, own := points[from.ID]; own {
			continue
		}
		if _, placed := points[to.ID]; !placed {
			continue
		}
		prec := 5
		if to.GeoPrecision != nil {
			prec = *to.GeoPrecision
		}
		var rank string
		switch r.Type {
		case "OCCURRED_AT":
			rank = fmt.Sprintf("0-%d-%s", prec, to.ID)
		case "OCCURRED_IN":
			rank = fmt.Sprintf("1-%d-%s", prec, to.ID)
		default:
			continue
		}
		if b, ok := best[from.ID]; !ok || rank < b.rank {
			best[from.ID] = cand{rank, to.ID}
		}
	}
	for id, c := range best {
		points[id] = points[c.place]
	}
	lines = map[string]*incidentgraph.Relationship{}
	for _, r := range g.Edges {
		a, ok1 := points[r.FromID]
		b, ok2 := points[r.ToID]
		if ok1 && ok2 && a != b {
			lines[r.ID] = r
		}
	}
	return points, lines
}

// checkGeo compares a GeoJSON export with what of g is on the map.
func checkGeo(b []byte, g *incidentgraph.Subgraph) error {
	got, order, err := readGeoJSON(b)
	if err != nil {
		return err
	}
	points, lines := wantGeo(g)
	var wantOrder []string
	for _, id := range keys(points) {
		wantOrder = append(wantOrder, id)
		f, ok := got[id]
		if !ok || f.Type != "Point" {
			return fmt.Errorf("point %s missing (%v)", id, f.Type)
		}
		if p := f.Lines[0][0]; p[0] != points[id][0] || p[1] != points[id][1] {
			return fmt.Errorf("point %s at %v, want [longitude, latitude] %v", id, p, points[id])
		}
		if f.Props["id"] != id || f.Props["kind"] == "" || f.Props["name"] == "" {
			return fmt.Errorf("point %s: properties %v", id, f.Props)
		}
		if _, ok := f.Props["precision"]; !ok {
			return fmt.Errorf("point %s: no precision", id)
		}
		if _, ok := f.Props["date"]; (f.Props["kind"] == "INCIDENT") != ok {
			return fmt.Errorf("point %s: date %v", id, f.Props["date"])
		}
	}
	for _, id := range keys(lines) {
		wantOrder = append(wantOrder, id)
		r := lines[id]
		f, ok := got[id]
		if !ok || (f.Type != "LineString" && f.Type != "MultiLineString") {
			return fmt.Errorf("line %s missing", id)
		}
		first, last := f.Lines[0][0], f.Lines[len(f.Lines)-1][len(f.Lines[len(f.Lines)-1])-1]
		if first[0] != points[r.FromID][0] || first[1] != points[r.FromID][1] || last[0] != points[r.ToID][0] || last[1] != points[r.ToID][1] {
			return fmt.Errorf("line %s from %v to %v, want %v to %v", id, first, last, points[r.FromID], points[r.ToID])
		}
		if f.Props["id"] != id || f.Props["type"] != string(r.Type) || f.Props["status"] != string(r.Status) ||
			f.Props["confidence"] != float64(r.Confidence) || f.Props["assertedBy"] == "" || f.Props["assertedById"] != r.AssertedByID {
			return fmt.Errorf("line %s: properties %v", id, f.Props)
		}
	}
	if !slices.Equal(order, wantOrder) {
		return fmt.Errorf("features %v, want %v", order, wantOrder)
	}
	return nil
}

// TestGeoJSONHoldsWhatIsOnTheMap: on every subgraph of the other formats' test, the GeoJSON
// export holds exactly the entities on the map and the relationships between two of them, as
// RFC 7946 features. The controls: the check fails on another subgraph, and on the file with
// a position's longitude and latitude swapped.
func TestGeoJSONHoldsWhatIsOnTheMap(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	all := incidentgraph.RelationshipFilter{Direction: incidentgraph.Both}
	subs := subgraphs(t, db)
	// The other formats' subgraphs hold no place; these do.
	for _, id := range []string{kabul, moscow} {
		g, err := db.Neighborhood(ctx, id, 2, all, 200)
		if err != nil {
			t.Fatal(err)
		}
		subs["of=neighborhood&id="+id+"&depth=2"] = g
	}
	whole, err := db.WholeGraph(ctx, all, export.MaxWholeGraphNodes, export.MaxWholeGraphEdges)
	if err != nil {
		t.Fatal(err)
	}
	subs["of=all"] = whole
	queries := keys(subs)
	placed := 0
	for i, q := range queries {
		var b []byte
		if q == "of=all" {
			b = wholeBytes(t, db, "format=geojson&"+q)
		} else {
			b = exportBytes(t, db, "format=geojson&"+q)
		}
		if err := checkGeo(b, subs[q]); err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		points, _ := wantGeo(subs[q])
		placed += len(points)
		if other := subs[queries[(i+1)%len(queries)]]; len(points) > 0 && checkGeo(b, other) == nil {
			t.Errorf("%s: the check passes against another subgraph", q)
		}
	}
	if placed == 0 {
		t.Fatal("no subgraph has anything on the map: the test checks nothing")
	}
}

// TestGeoJSONKabul: the Kabul bombing's neighbourhood on the map: the city and the airport at
// their coordinates, [longitude, latitude]; the bombing, which has no coordinates of its own,
// at the airport (OCCURRED_AT, precision 1), with its line to the city; Abbey Gate (no
// coordinates) and IS-K (no place) left out. The control: the same check on the file with the
// airport's position swapped to [latitude, longitude] fails.
func TestGeoJSONKabul(t *testing.T) {
	db := seededDB(t)
	b := exportBytes(t, db, "format=geojson&of=neighborhood&id="+kabul)
	got, _, err := readGeoJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	airport := []float64{69.21306, 34.56583}
	checkKabul := func(got map[string]geoRead) error {
		for id, want := range map[string][]float64{"hamid-karzai-international-airport": airport, "kabul": {69.1783, 34.5253}, kabul: airport} {
			if f, ok := got[id]; !ok || !slices.Equal(f.Lines[0][0], want) {
				return fmt.Errorf("%s at %v, want %v", id, f.Lines, want)
			}
		}
		if p := got[kabul].Props; p["placedAt"] != "hamid-karzai-international-airport" || p["precision"] != 1.0 || p["date"] != "2021-08-26" {
			return fmt.Errorf("the bombing's properties: %v", p)
		}
		for _, id := range []string{"abbey-gate", isk} {
			if _, ok := got[id]; ok {
				return fmt.Errorf("%s is on the map", id)
			}
		}
		var toCity bool
		for _, f := range got {
			if f.Props["type"] == "OCCURRED_IN" && f.Props["source"] == kabul && f.Props["target"] == "kabul" {
				toCity = f.Type == "LineString"
			}
		}
		if !toCity {
			return fmt.Errorf("no line from the bombing to the city")
		}
		return nil
	}
	if err := checkKabul(got); err != nil {
		t.Error(err)
	}
	swapped := bytes.Replace(b, []byte("[69.21306,34.56583]"), []byte("[34.56583,69.21306]"), 1)
	if bytes.Equal(swapped, b) {
		t.Fatal("control: the airport's position is not in the file as [69.21306,34.56583]")
	}
	if got, _, err := readGeoJSON(swapped); err == nil && checkKabul(got) == nil {
		t.Error("control: the check passes a position written [latitude, longitude]")
	}
}

// TestGeoJSONReaderRefusesWhatRFC7946Does is the reader's control: each document breaks one
// rule of RFC 7946 it checks.
func TestGeoJSONReaderRefusesWhatRFC7946Does(t *testing.T) {
	point := func(coords string) string {
		return `{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","properties":{},"geometry":{"type":"Point","coordinates":` + coords + `}}]}`
	}
	if _, _, err := readGeoJSON([]byte(point("[69.2,34.5]"))); err != nil {
		t.Fatalf("a valid document refused: %v", err)
	}
	for name, doc := range map[string]string{
		"not a collection":   `{"type":"Feature","features":[]}`,
		"latitude 100":       point("[10,100]"),
		"longitude 200":      point("[200,10]"),
		"three numbers":      point("[1,2,3,4]"),
		"no id":              strings.Replace(point("[1,2]"), `"id":"a",`, "", 1),
		"one-position line":  `{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","properties":{},"geometry":{"type":"LineString","coordinates":[[1,2]]}}]}`,
		"uncut antimeridian": `{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","properties":{},"geometry":{"type":"LineString","coordinates":[[178,-18],[-172,-14]]}}]}`,
		"unknown geometry":   `{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","properties":{},"geometry":{"type":"Circle","coordinates":[1,2]}}]}`,
	} {
		if _, _, err := readGeoJSON([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestGeoJSONCutsLinesAtTheAntimeridian: a relationship from Fiji (178° E) to Samoa (172° W)
// goes the short way, across longitude 180, as two lines that meet there at one latitude; a
// precision of 5 (unknown) keeps a place off the map. Built by hand: the seed has nothing near
// the antimeridian. The control is the reader's (an uncut line is refused).
func TestGeoJSONCutsLinesAtTheAntimeridian(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	five := 5
	d := &export.Document{Name: "test", Named: map[string]*incidentgraph.Entity{},
		Nodes: []*incidentgraph.Entity{
			{ID: "fiji", Kind: incidentgraph.KindPlace, Name: "Fiji", Latitude: f(-18), Longitude: f(178)},
			{ID: "nowhere", Kind: incidentgraph.KindPlace, Name: "Nowhere", Latitude: f(0), Longitude: f(0), GeoPrecision: &five},
			{ID: "samoa", Kind: incidentgraph.KindPlace, Name: "Samoa", Latitude: f(-14), Longitude: f(-172)},
		},
		Edges: []*incidentgraph.Relationship{
			{ID: "r1", Type: "LOCATED_IN", FromID: "fiji", ToID: "samoa", Status: "REPORTED", Confidence: 50, AssertedByID: "x"},
			{ID: "r2", Type: "LOCATED_IN", FromID: "nowhere", ToID: "samoa", Status: "REPORTED", Confidence: 50, AssertedByID: "x"},
		}}
	var buf bytes.Buffer
	if err := export.Write(&buf, export.GeoJSON, d); err != nil {
		t.Fatal(err)
	}
	got, order, err := readGeoJSON(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order, []string{"fiji", "samoa", "r1"}) {
		t.Fatalf("features %v, want fiji, samoa, r1 (nowhere has precision 5)", order)
	}
	l := got["r1"].Lines
	// The straight line from (178, -18) to (188, -14), Samoa unwrapped, meets 180 a fifth of the
	// way along: at latitude -18 + 4/5 = -17.2.
	if got["r1"].Type != "MultiLineString" || len(l) != 2 || l[0][1][0] != 180 || l[1][0][0] != -180 || l[0][1][1] != l[1][0][1] ||
		math.Abs(l[0][1][1]-(-17.2)) > 1e-9 {
		t.Errorf("Fiji to Samoa: %s %v, want two lines meeting at longitude 180, latitude -17.2", got["r1"].Type, l)
	}
}

// checkGeoJSONDir holds the pinned GeoJSON checker and the script that runs it (`npm ci` there
// installs it; make test does).
const checkGeoJSONDir = "../tools/check-geojson"

// runCheckGeoJSON runs Placemark's GeoJSON checker on files and returns each file's issues.
func runCheckGeoJSON(t *testing.T, files ...string) map[string][]string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is needed to run the GeoJSON checker: %v", err)
	}
	if _, err := os.Stat(filepath.Join(checkGeoJSONDir, "node_modules", "@placemarkio", "check-geojson", "package.json")); err != nil {
		t.Fatalf("the GeoJSON checker is not installed (%v): run `cd tools/check-geojson && npm ci`", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{"check.mjs"}, files...)...)
	cmd.Dir = checkGeoJSONDir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("check.mjs: %v\n%s", err, stderr.String())
	}
	out := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var r struct {
			File   string `json:"file"`
			Issues []struct {
				Message string `json:"message"`
			} `json:"issues"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("check.mjs line %q: %v", line, err)
		}
		out[r.File] = []string{}
		for _, i := range r.Issues {
			out[r.File] = append(out[r.File], i.Message)
		}
	}
	if len(out) != len(files) || (err != nil) != slices.ContainsFunc(files, func(f string) bool { return len(out[f]) > 0 }) {
		t.Fatalf("check.mjs exited %v for %d files and said:\n%s", err, len(files), stdout.String())
	}
	return out
}

// TestGeoJSONPassesPlacemarksChecker: the exports of the Kabul and Moscow neighbourhoods and of
// the whole graph have no issue for an outside GeoJSON checker; the control, documents that
// break the format (a one-position line, a feature without properties, a position of one
// number), each have one.
func TestGeoJSONPassesPlacemarksChecker(t *testing.T) {
	db := seededDB(t)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p, err := filepath.Abs(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := []string{
		write("kabul.geojson", exportBytes(t, db, "format=geojson&of=neighborhood&id="+kabul+"&depth=2")),
		write("moscow.geojson", exportBytes(t, db, "format=geojson&of=neighborhood&id="+moscow+"&depth=2")),
		write("all.geojson", wholeBytes(t, db, "format=geojson&of=all")),
	}
	bad := []string{
		write("short-line.geojson", []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","properties":{},"geometry":{"type":"LineString","coordinates":[[1,2]]}}]}`)),
		write("no-properties.geojson", []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[1,2]}}]}`)),
		write("one-number.geojson", []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","properties":{},"geometry":{"type":"Point","coordinates":[1]}}]}`)),
	}
	issues := runCheckGeoJSON(t, append(good, bad...)...)
	for _, f := range good {
		if len(issues[f]) > 0 {
			t.Errorf("%s: %v", filepath.Base(f), issues[f])
		}
	}
	for _, f := range bad {
		if len(issues[f]) == 0 {
			t.Errorf("control: %s passes the checker", filepath.Base(f))
		}
	}
}
