package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/server"
)

// TestMapOverGraphQL: near and within on incidents and timeline, and placesNear, as a client
// asks them: near Kabul finds the airport bombing and not Paris, a box around France the Paris
// attacks, placesNear lists Kabul's places nearest first with their distances and answers
// what the selection reads below them (the compiled read path, compared with the uncompiled
// one). The controls: the other search of each pair does not find what this one does.
func TestMapOverGraphQL(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	incidents := func(filter string) []string {
		t.Helper()
		var d struct {
			Incidents struct {
				TotalCount int
				Nodes      []struct{ ID string }
			}
		}
		mustData(t, ts.post(t, `{ incidents(filter: `+filter+`, first: 100) { totalCount nodes { id latitude longitude geoPrecision } } }`, nil), &d)
		var ids []string
		for _, n := range d.Incidents.Nodes {
			ids = append(ids, n.ID)
		}
		if d.Incidents.TotalCount != len(ids) {
			t.Errorf("%s: totalCount %d for %d", filter, d.Incidents.TotalCount, len(ids))
		}
		return ids
	}
	nearKabul := incidents(`{near: {latitude: 34.5253, longitude: 69.1783, radiusKm: 50}}`)
	inFrance := incidents(`{within: {south: 41.3, west: -5.2, north: 51.1, east: 9.6}}`)
	if !slices.Contains(nearKabul, "kabul-airport-bombing-2021") || slices.Contains(nearKabul, "paris-attacks-2015") {
		t.Errorf("near Kabul: %v", nearKabul)
	}
	if !slices.Contains(inFrance, "paris-attacks-2015") || slices.Contains(inFrance, "kabul-airport-bombing-2021") {
		t.Errorf("within France: %v", inFrance)
	}
	// Control: the two searches do not find the same things.
	if slices.Equal(nearKabul, inFrance) {
		t.Error("control: near Kabul and within France find the same incidents")
	}

	var tl struct {
		Timeline struct {
			Nodes []struct{ Entity struct{ ID string } }
		}
	}
	mustData(t, ts.post(t, `{ timeline(near: {latitude: 34.5253, longitude: 69.1783, radiusKm: 50}) { nodes { entity { id } } } }`, nil), &tl)
	if len(tl.Timeline.Nodes) == 0 || !slices.ContainsFunc(tl.Timeline.Nodes, func(n struct{ Entity struct{ ID string } }) bool {
		return n.Entity.ID == "kabul-airport-bombing-2021"
	}) {
		t.Errorf("timeline near Kabul: %+v", tl.Timeline.Nodes)
	}

	q := `{ placesNear(latitude: 34.5253, longitude: 69.1783, radiusKm: 50, first: 5) {
		distanceKm place { id name latitude longitude geoPrecision relationships(first: 3) { type other { id name } } } } }`
	var pn struct {
		PlacesNear []struct {
			DistanceKm float64
			Place      struct {
				ID            string
				Latitude      float64
				Relationships []struct{ Type string }
			}
		}
	}
	r := ts.post(t, q, nil)
	mustData(t, r, &pn)
	if len(pn.PlacesNear) < 2 || pn.PlacesNear[0].Place.ID != "kabul" || pn.PlacesNear[0].DistanceKm != 0 ||
		pn.PlacesNear[1].Place.ID != "hamid-karzai-international-airport" || pn.PlacesNear[1].DistanceKm < 5 || pn.PlacesNear[1].DistanceKm > 6 {
		t.Errorf("placesNear(Kabul) = %+v, want kabul at 0 km, then the airport at about 5.5 km", pn.PlacesNear)
	}
	if len(pn.PlacesNear) > 0 && (pn.PlacesNear[0].Place.Latitude == 0 || len(pn.PlacesNear[0].Place.Relationships) == 0) {
		t.Errorf("placesNear's places lack what the selection reads: %+v", pn.PlacesNear[0])
	}
	// The compiled read path answers as the fields would one by one.
	ref := uncompiled(t, db, db).post(t, q, nil)
	if !bytes.Equal(compactJSON(t, r.Data), compactJSON(t, ref.Data)) {
		t.Errorf("compiled and uncompiled answers differ:\n%s\n%s", r.Data, ref.Data)
	}
}

func compactJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestMapArgumentsOutOfBounds: each value out of bounds is refused with BAD_USER_INPUT, a
// message naming the argument, and the graph as it was. The control: the bounds themselves
// are answered.
func TestMapArgumentsOutOfBounds(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	before, err := db.Fingerprint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, query, word string }{
		{"radius 0", `{ incidents(filter: {near: {latitude: 34, longitude: 69, radiusKm: 0}}) { totalCount } }`, "near.radiusKm"},
		{"radius 2001", `{ incidents(filter: {near: {latitude: 34, longitude: 69, radiusKm: 2001}}) { totalCount } }`, "near.radiusKm"},
		{"latitude 91", `{ incidents(filter: {near: {latitude: 91, longitude: 69, radiusKm: 5}}) { totalCount } }`, "near.latitude"},
		{"longitude -181", `{ incidents(filter: {near: {latitude: 34, longitude: -181, radiusKm: 5}}) { totalCount } }`, "near.longitude"},
		{"south above north", `{ incidents(filter: {within: {south: 50, west: 0, north: 40, east: 10}}) { totalCount } }`, "within.south"},
		{"north 90.5", `{ incidents(filter: {within: {south: 0, west: 0, north: 90.5, east: 10}}) { totalCount } }`, "within.north"},
		{"west 180.5", `{ incidents(filter: {within: {south: 0, west: 180.5, north: 10, east: 10}}) { totalCount } }`, "within.west"},
		{"both", `{ incidents(filter: {near: {latitude: 34, longitude: 69, radiusKm: 5}, within: {south: 0, west: 0, north: 10, east: 10}}) { totalCount } }`, "not both"},
		{"timeline radius", `{ timeline(near: {latitude: 34, longitude: 69, radiusKm: -1}) { totalCount } }`, "near.radiusKm"},
		{"timeline box", `{ timeline(within: {south: 10, west: 0, north: 0, east: 10}) { totalCount } }`, "within.south"},
		{"placesNear radius", `{ placesNear(latitude: 34, longitude: 69, radiusKm: 5000) { distanceKm } }`, "placesNear.radiusKm"},
		{"placesNear latitude", `{ placesNear(latitude: -95, longitude: 69, radiusKm: 5) { distanceKm } }`, "placesNear.latitude"},
		{"placesNear first", `{ placesNear(latitude: 34, longitude: 69, radiusKm: 5, first: 101) { distanceKm } }`, "first"},
	} {
		r := ts.post(t, tc.query, nil)
		if r.status >= 500 || r.code() != incidentgraph.EINVALID || !strings.Contains(r.Errors[0].Message, tc.word) {
			t.Errorf("%s: status %d, errors %+v; want BAD_USER_INPUT naming %s", tc.name, r.status, r.Errors, tc.word)
		}
	}
	for _, q := range []string{
		`{ incidents(filter: {near: {latitude: -90, longitude: -180, radiusKm: 2000}}) { totalCount } }`,
		`{ incidents(filter: {within: {south: -90, west: 180, north: 90, east: -180}}) { totalCount } }`,
		`{ placesNear(latitude: 90, longitude: 180, radiusKm: 0.001, first: 100) { distanceKm } }`,
	} {
		if r := ts.post(t, q, nil); len(r.Errors) > 0 {
			t.Errorf("control: %s refused: %+v", q, r.Errors)
		}
	}
	if after, err := db.Fingerprint(context.Background()); err != nil || after != before {
		t.Errorf("refused map searches changed the graph (err %v)", err)
	}
}

// TestGeoJSONDownload: /export?format=geojson serves the export package's GeoJSON as a
// .geojson download of media type application/geo+json (RFC 7946 section 12), and refuses a
// bad argument as the other formats do.
func TestGeoJSONDownload(t *testing.T) {
	db := seededDB(t)
	ts, _ := exportServer(t, db, server.DefaultConfig())
	d := getExport(t, ts.URL, "format=geojson&of=neighborhood&id=kabul-airport-bombing-2021", "")
	if d.status != http.StatusOK {
		t.Fatalf("status %d: %s", d.status, d.body)
	}
	if ct := d.header.Get("Content-Type"); ct != "application/geo+json" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := d.header.Get("Content-Disposition"); cd != `attachment; filename="incidentgraph-neighborhood-kabul-airport-bombing-2021.geojson"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	var fc struct {
		Type     string
		Features []struct {
			ID       string
			Geometry struct {
				Type        string
				Coordinates json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(d.body, &fc); err != nil || fc.Type != "FeatureCollection" {
		t.Fatalf("not a FeatureCollection (%v): %s", err, d.body)
	}
	var airport string
	for _, f := range fc.Features {
		if f.ID == "hamid-karzai-international-airport" {
			airport = string(f.Geometry.Coordinates)
		}
	}
	if airport != "[69.21306,34.56583]" {
		t.Errorf("the airport at %s, want [longitude, latitude] [69.21306,34.56583]", airport)
	}
	if bad := getExport(t, ts.URL, "format=geojson&of=neighborhood&id=kabul-airport-bombing-2021&radius=5", ""); bad.status != http.StatusBadRequest {
		t.Errorf("an unknown argument: status %d", bad.status)
	}
}
