package incidentgraph_test

import (
	"math"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

// TestGeoBounds: each bound of near and within, just inside (accepted) and just outside
// (refused with BAD_USER_INPUT naming the value): the accepted cases are the refused ones'
// control, and the other way round.
func TestGeoBounds(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		near   *incidentgraph.GeoNear
		box    *incidentgraph.GeoBox
		refuse string // the word the message names; "" when accepted
	}{
		{near: &incidentgraph.GeoNear{Latitude: 90, Longitude: -180, RadiusKm: 2000}},
		{near: &incidentgraph.GeoNear{Latitude: -90, Longitude: 180, RadiusKm: 0.001}},
		{near: &incidentgraph.GeoNear{Latitude: 90.0001, Longitude: 0, RadiusKm: 1}, refuse: "near.latitude"},
		{near: &incidentgraph.GeoNear{Latitude: nan, Longitude: 0, RadiusKm: 1}, refuse: "near.latitude"},
		{near: &incidentgraph.GeoNear{Latitude: 0, Longitude: -180.0001, RadiusKm: 1}, refuse: "near.longitude"},
		{near: &incidentgraph.GeoNear{Latitude: 0, Longitude: 0, RadiusKm: 0}, refuse: "near.radiusKm"},
		{near: &incidentgraph.GeoNear{Latitude: 0, Longitude: 0, RadiusKm: 2000.0001}, refuse: "near.radiusKm"},
		{near: &incidentgraph.GeoNear{Latitude: 0, Longitude: 0, RadiusKm: math.Inf(1)}, refuse: "near.radiusKm"},
		{box: &incidentgraph.GeoBox{South: -90, West: -180, North: 90, East: 180}},
		{box: &incidentgraph.GeoBox{South: 10, West: 170, North: 10, East: -170}}, // across the antimeridian
		{box: &incidentgraph.GeoBox{South: 10.5, West: 0, North: 10, East: 1}, refuse: "within.south"},
		{box: &incidentgraph.GeoBox{South: -90.5, West: 0, North: 10, East: 1}, refuse: "within.south"},
		{box: &incidentgraph.GeoBox{South: 0, West: 0, North: 90.5, East: 1}, refuse: "within.north"},
		{box: &incidentgraph.GeoBox{South: 0, West: nan, North: 1, East: 1}, refuse: "within.west"},
		{box: &incidentgraph.GeoBox{South: 0, West: 0, North: 1, East: 180.5}, refuse: "within.east"},
	} {
		var err error
		if tc.near != nil {
			err = tc.near.Check("near")
		} else {
			err = tc.box.Check("within")
		}
		switch {
		case tc.refuse == "" && err != nil:
			t.Errorf("%+v %+v refused: %v", tc.near, tc.box, err)
		case tc.refuse != "" && (incidentgraph.ErrorCode(err) != incidentgraph.EINVALID || !strings.Contains(err.Error(), tc.refuse)):
			t.Errorf("%+v %+v: %v, want BAD_USER_INPUT naming %s", tc.near, tc.box, err, tc.refuse)
		}
	}
}

// TestLocated: coordinates put an entity on the map unless one is missing or out of range, or
// its GTD specificity is 5 (unknown); specificities 1 to 4 place it.
func TestLocated(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	p := func(v int) *int { return &v }
	for _, tc := range []struct {
		e  incidentgraph.Entity
		on bool
	}{
		{incidentgraph.Entity{Latitude: f(34.5), Longitude: f(69.2)}, true},
		{incidentgraph.Entity{Latitude: f(34.5), Longitude: f(69.2), GeoPrecision: p(4)}, true},
		{incidentgraph.Entity{Latitude: f(34.5), Longitude: f(69.2), GeoPrecision: p(5)}, false},
		{incidentgraph.Entity{Latitude: f(34.5)}, false},
		{incidentgraph.Entity{Longitude: f(69.2)}, false},
		{incidentgraph.Entity{Latitude: f(91), Longitude: f(69.2)}, false},
		{incidentgraph.Entity{Latitude: f(34.5), Longitude: f(-181)}, false},
	} {
		lat, lon, ok := incidentgraph.Located(&tc.e)
		if ok != tc.on || (ok && (lat != *tc.e.Latitude || lon != *tc.e.Longitude)) {
			t.Errorf("Located(%v, %v, precision %v) = %v, %v, %v", tc.e.Latitude, tc.e.Longitude, tc.e.GeoPrecision, lat, lon, ok)
		}
	}
}
