package export_test

import (
	"bytes"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/export"
)

// TestGeoJSONPlacesIncidentsByTheirBestPlace: an incident without a position of its own is
// drawn at the place it OCCURRED_IN or OCCURRED_AT by a link no curator retracted, the more
// precise place first; a retracted link, or a link of another type, places nothing. Two places
// exactly 180° of longitude apart are joined by one line (either way round is as short).
// Built by hand: the seed has no incident with two places of different precision.
func TestGeoJSONPlacesIncidentsByTheirBestPlace(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	one, three := 1, 3
	rel := func(id string, typ incidentgraph.RelType, from, to string) *incidentgraph.Relationship {
		return &incidentgraph.Relationship{ID: id, Type: typ, FromID: from, ToID: to, Status: "REPORTED", Confidence: 90, AssertedByID: "x"}
	}
	retracted := rel("r-retracted", "OCCURRED_IN", "i-retracted", "town")
	retracted.Retraction = &incidentgraph.Retraction{By: "curator", Reason: "wrong city"}
	d := &export.Document{Name: "test", Named: map[string]*incidentgraph.Entity{},
		Nodes: []*incidentgraph.Entity{
			{ID: "town", Kind: incidentgraph.KindPlace, Name: "City", Latitude: f(10), Longitude: f(20), GeoPrecision: &one},
			{ID: "area", Kind: incidentgraph.KindPlace, Name: "Region", Latitude: f(11), Longitude: f(21), GeoPrecision: &three},
			{ID: "west", Kind: incidentgraph.KindPlace, Name: "West", Latitude: f(0), Longitude: f(-90)},
			{ID: "east", Kind: incidentgraph.KindPlace, Name: "East", Latitude: f(0), Longitude: f(90)},
			{ID: "i-two", Kind: incidentgraph.KindIncident, Name: "In a city of a region", Date: "2020"},
			{ID: "i-retracted", Kind: incidentgraph.KindIncident, Name: "Retracted", Date: "2020"},
			{ID: "i-other", Kind: incidentgraph.KindIncident, Name: "Targeted a place", Date: "2020"},
		},
		Edges: []*incidentgraph.Relationship{
			rel("r-region", "OCCURRED_IN", "i-two", "area"),
			rel("r-city", "OCCURRED_IN", "i-two", "town"),
			retracted,
			rel("r-other", "TARGETED", "i-other", "town"),
			rel("r-180", "LOCATED_IN", "west", "east"),
		}}
	var buf bytes.Buffer
	if err := export.Write(&buf, export.GeoJSON, d); err != nil {
		t.Fatal(err)
	}
	got, _, err := readGeoJSON(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if p := got["i-two"].Props; p["placedAt"] != "town" || p["precision"] != 1.0 {
		t.Errorf("the incident in a city of a region is placed at %v (precision %v), want the town (1), not the area (3), whose id comes first", p["placedAt"], p["precision"])
	}
	for _, id := range []string{"i-retracted", "i-other"} {
		if f, ok := got[id]; ok {
			t.Errorf("%s is on the map at %v", id, f.Props["placedAt"])
		}
	}
	if g := got["r-180"]; g.Type != "LineString" || len(g.Lines) != 1 {
		t.Errorf("places 180° apart: %s %v, want one LineString", g.Type, g.Lines)
	}
}
