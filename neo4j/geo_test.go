package neo4j_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

const paris = "paris-attacks-2015"

var (
	kabulCentre = incidentgraph.GeoNear{Latitude: 34.5253, Longitude: 69.1783}
	// bagram is some 47 km north of Kabul: the seed's Kabul places lie 40 to 50 km from it.
	bagram = incidentgraph.GeoNear{Latitude: 34.946, Longitude: 69.265}
	france = incidentgraph.GeoBox{South: 41.3, West: -5.2, North: 51.1, East: 9.6}
)

func near(c incidentgraph.GeoNear, km float64) *incidentgraph.GeoNear {
	c.RadiusKm = km
	return &c
}

// incidentIDs lists the ids of every incident that passes f.
func mapIncidentIDs(t *testing.T, db *neo4j.DB, f incidentgraph.IncidentFilter) []string {
	t.Helper()
	page, err := db.FindIncidents(context.Background(), f, incidentgraph.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	if page.TotalCount != len(page.Entities) {
		t.Errorf("%+v: totalCount %d for %d incidents", f, page.TotalCount, len(page.Entities))
	}
	return entityIDs(page.Entities)
}

// holds is the oracle of the searches on the map: ids hold every one of want and none of
// wantNot. It returns what is wrong, so that the controls can show it failing.
func holds(ids, want, wantNot []string) string {
	var bad []string
	for _, w := range want {
		if !slices.Contains(ids, w) {
			bad = append(bad, "lacks "+w)
		}
	}
	for _, w := range wantNot {
		if slices.Contains(ids, w) {
			bad = append(bad, "holds "+w)
		}
	}
	return strings.Join(bad, ", ")
}

// TestIncidentsOnTheMap: the seed's incidents have no coordinates of their own; they are on the
// map by the places they occurred at. Near Kabul finds the airport bombing and not Paris; a box
// around France finds the Paris attacks and not Kabul; a box across the antimeridian is the
// rest of the world. Each oracle has its control: the same check fails on an answer it must
// refuse.
func TestIncidentsOnTheMap(t *testing.T) {
	db := seeded(t)
	for _, tc := range []struct {
		name          string
		f             incidentgraph.IncidentFilter
		want, wantNot []string
		control       bool // the check must fail: the filter is set to miss want
	}{
		{"near Kabul 50 km", incidentgraph.IncidentFilter{Near: near(kabulCentre, 50)}, []string{kabul}, []string{paris, moscow}, false},
		{"control: near Kabul 50 km, from Paris", incidentgraph.IncidentFilter{Near: &incidentgraph.GeoNear{Latitude: 48.8566, Longitude: 2.3522, RadiusKm: 50}},
			[]string{kabul}, []string{paris}, true},
		{"within France", incidentgraph.IncidentFilter{Within: &france}, []string{paris}, []string{kabul, moscow, "manchester-arena-bombing-2017"}, false},
		{"control: within Belgium", incidentgraph.IncidentFilter{Within: &incidentgraph.GeoBox{South: 49.5, West: 2.5, North: 51.5, East: 6.4}},
			[]string{paris}, nil, true},
		// West 3, east 2: everything but the band of longitudes 2 to 3 east, where Paris is.
		{"across the antimeridian", incidentgraph.IncidentFilter{Within: &incidentgraph.GeoBox{South: -90, West: 3, North: 90, East: 2}},
			[]string{kabul, moscow, "manchester-arena-bombing-2017"}, []string{paris}, false},
		{"control: the same box the usual way", incidentgraph.IncidentFilter{Within: &incidentgraph.GeoBox{South: -90, West: 2, North: 90, East: 3}},
			[]string{kabul}, []string{paris}, true},
		{"perpetrator IS-K near Kabul", incidentgraph.IncidentFilter{Perpetrator: isk, Near: near(kabulCentre, 50)}, []string{kabul}, []string{moscow}, false},
		{"perpetrator IS-K in France", incidentgraph.IncidentFilter{Perpetrator: isk, Within: &france}, nil, []string{kabul, moscow}, false},
		{"control: perpetrator IS-K, no place", incidentgraph.IncidentFilter{Perpetrator: isk}, nil, []string{kabul, moscow}, true},
	} {
		bad := holds(mapIncidentIDs(t, db, tc.f), tc.want, tc.wantNot)
		switch {
		case !tc.control && bad != "":
			t.Errorf("%s: %s", tc.name, bad)
		case tc.control && bad == "":
			t.Errorf("%s: the check passes an answer it must refuse", tc.name)
		}
	}
}

// TestNearIsTheDistance: the radius is the great-circle distance in kilometres. From Bagram,
// the nearest of the Kabul bombing's places lies d km away (measured by Neo4j, as the filter
// measures): a radius 1% short of it misses the bombing, 1% beyond finds it. The miss is the
// control of the find.
func TestNearIsTheDistance(t *testing.T) {
	db := seeded(t)
	r := testdb.Read(t, `
		MATCH (:Incident {id: $id})-[:OCCURRED_AT|OCCURRED_IN]->(p:Place) WHERE p.location IS NOT NULL
		RETURN min(point.distance(p.location, point({latitude: $lat, longitude: $lon}))) / 1000 AS km`,
		map[string]any{"id": kabul, "lat": bagram.Latitude, "lon": bagram.Longitude})
	d, _ := r[0]["km"].(float64)
	if d < 30 || d > 60 {
		t.Fatalf("Bagram to the Kabul bombing's places: %.1f km, want about 45", d)
	}
	if ids := mapIncidentIDs(t, db, incidentgraph.IncidentFilter{Near: near(bagram, d*0.99)}); slices.Contains(ids, kabul) {
		t.Errorf("%.2f km from Bagram holds %s, %.2f km away", d*0.99, kabul, d)
	}
	if ids := mapIncidentIDs(t, db, incidentgraph.IncidentFilter{Near: near(bagram, d*1.01)}); !slices.Contains(ids, kabul) {
		t.Errorf("%.2f km from Bagram lacks %s, %.2f km away", d*1.01, kabul, d)
	}
}

// TestTimelineOnTheMap: the timeline takes the same near and within, with and without an actor.
func TestTimelineOnTheMap(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	ids := func(f incidentgraph.TimelineFilter) []string {
		t.Helper()
		page, err := db.Timeline(ctx, f, incidentgraph.Page{First: 100})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range page.Entries {
			out = append(out, e.Entity.ID)
		}
		if page.TotalCount != len(out) {
			t.Errorf("%+v: totalCount %d for %d entries", f, page.TotalCount, len(out))
		}
		return out
	}
	for _, tc := range []struct {
		name          string
		f             incidentgraph.TimelineFilter
		want, wantNot []string
	}{
		{"near Kabul", incidentgraph.TimelineFilter{Near: near(kabulCentre, 50)}, []string{kabul}, []string{paris, moscow}},
		// The U.S. embassy's alert is an event in Moscow: on the map by the place it occurred in.
		{"near Moscow", incidentgraph.TimelineFilter{Near: &incidentgraph.GeoNear{Latitude: 55.7558, Longitude: 37.6173, RadiusKm: 40}},
			[]string{moscow, "us-embassy-moscow-alert-2024-03-07"}, []string{kabul}},
		{"IS-K within France", incidentgraph.TimelineFilter{Actor: isk, Within: &france}, nil, []string{kabul, moscow}},
		{"IS-K near Kabul", incidentgraph.TimelineFilter{Actor: isk, Near: near(kabulCentre, 50)}, []string{kabul}, []string{moscow}},
	} {
		if bad := holds(ids(tc.f), tc.want, tc.wantNot); bad != "" {
			t.Errorf("%s: %s", tc.name, bad)
		}
	}
	// Control: without the box, IS-K's timeline holds what the box left out.
	if bad := holds(ids(incidentgraph.TimelineFilter{Actor: isk}), nil, []string{kabul, moscow}); bad == "" {
		t.Error("control: IS-K's whole timeline passes the check of the French one")
	}
}

// TestPlacesNearNearestFirst: around Kabul, the city itself (0 km), then the airport (5.5 km);
// Abbey Gate has no coordinates and is not on the map; nothing in Paris. Distances agree with
// the haversine formula on Neo4j's sphere to a metre.
func TestPlacesNearNearestFirst(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	got, err := db.PlacesNear(ctx, *near(kabulCentre, 50), 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, p := range got {
		ids = append(ids, p.Place.ID)
		if i > 0 && got[i-1].DistanceKm > p.DistanceKm {
			t.Errorf("not nearest first: %s %.3f km before %s %.3f km", got[i-1].Place.ID, got[i-1].DistanceKm, p.Place.ID, p.DistanceKm)
		}
		want := haversineKm(kabulCentre.Latitude, kabulCentre.Longitude, *p.Place.Latitude, *p.Place.Longitude)
		if math.Abs(want-p.DistanceKm) > 0.001 || p.DistanceKm > 50 {
			t.Errorf("%s: %.4f km, haversine %.4f km", p.Place.ID, p.DistanceKm, want)
		}
	}
	if len(ids) < 2 || ids[0] != "kabul" || ids[1] != "hamid-karzai-international-airport" {
		t.Errorf("places near Kabul = %v, want kabul, then hamid-karzai-international-airport", ids)
	}
	if bad := holds(ids, nil, []string{"abbey-gate", "paris", "bataclan"}); bad != "" {
		t.Errorf("places near Kabul: %s", bad)
	}
	if one, err := db.PlacesNear(ctx, *near(kabulCentre, 50), 1); err != nil || len(one) != 1 || one[0].Place.ID != "kabul" {
		t.Errorf("first 1 = %v, %v", one, err)
	}
	// Control: the order check refuses the list reversed.
	if len(got) > 1 && !(got[len(got)-1].DistanceKm > got[0].DistanceKm) {
		t.Error("control: the list reversed would pass the order check")
	}
}

// haversineKm is the great-circle distance on the sphere Neo4j measures WGS-84 points on
// (radius 6378140 m).
func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * 6378.140 * math.Asin(math.Sqrt(a))
}

// TestMapSearchesRefuseBadValues: every value out of bounds is refused with BAD_USER_INPUT,
// naming it, by the store itself; the graph is left as it was. The last case, in bounds, is the
// control: the same check does not refuse it.
func TestMapSearchesRefuseBadValues(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	before := fingerprint(t, db)
	nan := math.NaN()
	for _, tc := range []struct {
		name, wantWord string
		near           *incidentgraph.GeoNear
		within         *incidentgraph.GeoBox
	}{
		{"radius 0", "radiusKm", &incidentgraph.GeoNear{Latitude: 1, Longitude: 1, RadiusKm: 0}, nil},
		{"radius negative", "radiusKm", &incidentgraph.GeoNear{Latitude: 1, Longitude: 1, RadiusKm: -5}, nil},
		{"radius 2000.5", "radiusKm", &incidentgraph.GeoNear{Latitude: 1, Longitude: 1, RadiusKm: 2000.5}, nil},
		{"radius NaN", "radiusKm", &incidentgraph.GeoNear{Latitude: 1, Longitude: 1, RadiusKm: nan}, nil},
		{"latitude 90.1", "latitude", &incidentgraph.GeoNear{Latitude: 90.1, Longitude: 1, RadiusKm: 5}, nil},
		{"longitude -180.1", "longitude", &incidentgraph.GeoNear{Latitude: 1, Longitude: -180.1, RadiusKm: 5}, nil},
		{"south above north", "south", nil, &incidentgraph.GeoBox{South: 50, West: 0, North: 40, East: 10}},
		{"south -91", "south", nil, &incidentgraph.GeoBox{South: -91, West: 0, North: 40, East: 10}},
		{"east 181", "east", nil, &incidentgraph.GeoBox{South: 0, West: 0, North: 40, East: 181}},
		{"both", "not both", &incidentgraph.GeoNear{Latitude: 1, Longitude: 1, RadiusKm: 5}, &france},
	} {
		_, err := db.FindIncidents(ctx, incidentgraph.IncidentFilter{Near: tc.near, Within: tc.within}, incidentgraph.Page{First: 10})
		if incidentgraph.ErrorCode(err) != incidentgraph.EINVALID || !strings.Contains(err.Error(), tc.wantWord) {
			t.Errorf("incidents, %s: %v, want BAD_USER_INPUT naming %s", tc.name, err, tc.wantWord)
		}
		_, err = db.Timeline(ctx, incidentgraph.TimelineFilter{Near: tc.near, Within: tc.within}, incidentgraph.Page{First: 10})
		if incidentgraph.ErrorCode(err) != incidentgraph.EINVALID {
			t.Errorf("timeline, %s: %v, want BAD_USER_INPUT", tc.name, err)
		}
		if tc.near != nil && tc.within == nil {
			if _, err := db.PlacesNear(ctx, *tc.near, 10); incidentgraph.ErrorCode(err) != incidentgraph.EINVALID {
				t.Errorf("placesNear, %s: %v, want BAD_USER_INPUT", tc.name, err)
			}
		}
	}
	for _, first := range []int{0, 101} {
		if _, err := db.PlacesNear(ctx, *near(kabulCentre, 5), first); incidentgraph.ErrorCode(err) != incidentgraph.EINVALID {
			t.Errorf("placesNear first %d: %v, want BAD_USER_INPUT", first, err)
		}
	}
	// Control: the bounds themselves are allowed.
	if _, err := db.FindIncidents(ctx, incidentgraph.IncidentFilter{Near: &incidentgraph.GeoNear{Latitude: -90, Longitude: 180, RadiusKm: 2000}},
		incidentgraph.Page{First: 10}); err != nil {
		t.Errorf("the bounds refused: %v", err)
	}
	if after := fingerprint(t, db); after != before {
		t.Errorf("refused searches changed the graph: %s, then %s", before, after)
	}
}

// TestLocationsAreWrittenAndBackfilled: every place and incident whose coordinates stand for a
// place carries them as a point, and nothing else does; curators' coordinates move it; a graph
// written before points existed (the points removed by hand) gets them again from
// EnsureSchema. The removal is the control: while the points are gone, nothing is near Kabul.
func TestLocationsAreWrittenAndBackfilled(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	count := func(cypher string) int64 {
		t.Helper()
		n, _ := testdb.Read(t, cypher, nil)[0]["n"].(int64)
		return n
	}
	checkPoints := func(when string) {
		t.Helper()
		if n := count(`MATCH (n:Place|Incident) WHERE n.latitude IS NOT NULL AND coalesce(n.geoPrecision, 0) <> 5
			AND (n.location IS NULL OR n.location <> point({latitude: n.latitude, longitude: n.longitude})) RETURN count(n) AS n`); n != 0 {
			t.Errorf("%s: %d places or incidents with coordinates have no point, or another", when, n)
		}
		if n := count(`MATCH (n:Entity) WHERE n.location IS NOT NULL AND (n.latitude IS NULL OR n.geoPrecision = 5 OR NOT n:Place|Incident)
			RETURN count(n) AS n`); n != 0 {
			t.Errorf("%s: %d entities have a point they should not", when, n)
		}
	}
	if n := count(`MATCH (n:Place) WHERE n.location IS NOT NULL RETURN count(n) AS n`); n < 5 {
		t.Fatalf("only %d places of the seed have a point", n)
	}
	checkPoints("loaded")

	// Curation writes the point with the coordinates, and moves it with them.
	lat, lon := 34.60, 69.30
	in := &incidentgraph.EntityInput{ID: ptr("test-kabul-checkpoint"), Name: ptr("Test checkpoint"), Kind: ptr(incidentgraph.KindPlace),
		PlaceType: ptr("BUILDING"), Latitude: &lat, Longitude: &lon}
	if _, err := db.CreateEntity(ctx, curator("ann"), in); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = driver.ExecuteQuery(context.Background(), testdb.Driver(t), `MATCH (n:Entity {id: 'test-kabul-checkpoint'}) DETACH DELETE n`, nil, driver.EagerResultTransformer)
	})
	placeIDs := func(c incidentgraph.GeoNear) []string {
		t.Helper()
		ps, err := db.PlacesNear(ctx, c, 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, p.Place.ID)
		}
		return out
	}
	if ids := placeIDs(incidentgraph.GeoNear{Latitude: lat, Longitude: lon, RadiusKm: 1}); !slices.Contains(ids, "test-kabul-checkpoint") {
		t.Errorf("a curated place is not near its own coordinates: %v", ids)
	}
	lat2, lon2 := 31.61, 65.71 // Kandahar
	if _, err := db.UpdateEntity(ctx, curator("ann"), "test-kabul-checkpoint", 1, &incidentgraph.EntityInput{Latitude: &lat2, Longitude: &lon2}); err != nil {
		t.Fatal(err)
	}
	if ids := placeIDs(incidentgraph.GeoNear{Latitude: lat, Longitude: lon, RadiusKm: 1}); slices.Contains(ids, "test-kabul-checkpoint") {
		t.Errorf("a moved place is still at its old coordinates: %v", ids)
	}
	if ids := placeIDs(incidentgraph.GeoNear{Latitude: lat2, Longitude: lon2, RadiusKm: 1}); !slices.Contains(ids, "test-kabul-checkpoint") {
		t.Errorf("a moved place is not at its new coordinates: %v", ids)
	}
	checkPoints("curated")
	// The point is not an entity property the API shows (nor writes to the audit trail).
	if n := count(`MATCH (a:AuditEntry {targetId: 'test-kabul-checkpoint'}) WHERE a.after CONTAINS '"location"' OR a.before CONTAINS '"location"' RETURN count(a) AS n`); n != 0 {
		t.Errorf("%d changes in the audit trail hold the point", n)
	}

	// Backfill.
	if _, err := driver.ExecuteQuery(ctx, testdb.Driver(t), `MATCH (n:Entity) REMOVE n.location`, nil, driver.EagerResultTransformer); err != nil {
		t.Fatal(err)
	}
	if ids := mapIncidentIDs(t, db, incidentgraph.IncidentFilter{Near: near(kabulCentre, 50)}); len(ids) != 0 {
		t.Fatalf("control: with the points removed, near Kabul = %v", ids)
	}
	if err := db.EnsureSchema(ctx); err != nil {
		t.Fatal(err)
	}
	checkPoints("backfilled")
	if ids := mapIncidentIDs(t, db, incidentgraph.IncidentFilter{Near: near(kabulCentre, 50)}); !slices.Contains(ids, kabul) {
		t.Errorf("after the backfill near Kabul = %v, want %s", ids, kabul)
	}
}

// geoQuestions are the searches on the map, each as the resolver asks the store, around c (a
// radius of 50 km, a box of a degree each way).
func geoQuestions(c incidentgraph.GeoNear) []question {
	page := incidentgraph.Page{First: 20}
	box := incidentgraph.GeoBox{South: c.Latitude - 1, West: c.Longitude - 1, North: c.Latitude + 1, East: c.Longitude + 1}
	return []question{
		{"incidents near", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.FindIncidents(ctx, incidentgraph.IncidentFilter{Near: near(c, 50)}, page)
			return err
		}},
		{"incidents within", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.FindIncidents(ctx, incidentgraph.IncidentFilter{Within: &box}, page)
			return err
		}},
		{"timeline near", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.Timeline(ctx, incidentgraph.TimelineFilter{Near: near(c, 50)}, page)
			return err
		}},
		{"timeline within", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.Timeline(ctx, incidentgraph.TimelineFilter{Within: &box}, page)
			return err
		}},
		{"places near", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.PlacesNear(ctx, *near(c, 50), 20)
			return err
		}},
	}
}

// pointSeeks returns the operators that seek a point index: a seek on the location of a place
// or an incident.
func pointSeeks(ops []string) []string {
	var out []string
	for _, op := range ops {
		name, details, _ := strings.Cut(op, " ")
		if strings.Contains(name, "Seek") && strings.Contains(details, "(location)") {
			out = append(out, op)
		}
	}
	return out
}

// geoScans is scans, and besides fails a plan that seeks no point index (each search on the
// map starts from one).
func geoScans(ops []string) []string {
	bad := scans(ops)
	if len(pointSeeks(ops)) == 0 {
		bad = append(bad, "no point index seek in "+strings.Join(reads(ops), " | "))
	}
	return bad
}

// checkGeoPlansAtScale EXPLAINs the searches on the map on the generated graph (called by
// TestHotQueriesUseIndexesAtScale, which loads it): around a generated incident for incidents
// and timelines, around Kabul for places (the generated places have no coordinates). It fails
// on a scan or a plan without a point index seek. The control: the same distance test on a
// property without a point index (the latitude) scans, and the check says so.
func checkGeoPlansAtScale(t *testing.T, db *neo4j.DB, d driver.DriverWithContext) {
	ctx := context.Background()
	r := rows(t, db, `MATCH (n:Incident) WHERE n.location IS NOT NULL
		RETURN n.latitude, n.longitude, n.id ORDER BY n.id LIMIT 1`, nil)
	if len(r) == 0 {
		t.Fatal("no generated incident has a point")
	}
	c := incidentgraph.GeoNear{Latitude: r[0][0].(float64), Longitude: r[0][1].(float64)}
	if ids := mapIncidentIDs(t, db, incidentgraph.IncidentFilter{Near: near(c, 1)}); !slices.Contains(ids, r[0][2].(string)) {
		t.Errorf("an incident with coordinates of its own is not near them: %v lacks %v", ids, r[0][2])
	}
	unknown := rows(t, db, `MATCH (n:Incident) WHERE n.geoPrecision = 5 RETURN count(n), count(n.location)`, nil)
	if unknown[0][0].(int64) == 0 || unknown[0][1].(int64) != 0 {
		t.Errorf("incidents of unknown place (specificity 5), and of them with a point: %v", unknown[0])
	}
	t.Run("incidents", func(t *testing.T) { checkPlansWith(t, d, geoQuestions(c)[:4], geoScans) })
	t.Run("places", func(t *testing.T) { checkPlansWith(t, d, geoQuestions(kabulCentre)[4:], geoScans) })
	t.Run("control", func(t *testing.T) {
		ops := planOperators(ctx, t, d, statement{`MATCH (n:Incident)
			WHERE point.distance(point({latitude: n.latitude, longitude: n.longitude}), point({latitude: $lat, longitude: $lon})) <= 50000
			RETURN n.id`, map[string]any{"lat": c.Latitude, "lon": c.Longitude}})
		if len(geoScans(ops)) == 0 {
			t.Errorf("the check passes a plan without a point index: %v", reads(ops))
		}
	})
}

// TestAnalystsCypherReadsTheLocation: analysts' read-only Cypher may search by the point (the
// API's entities never show it): the places within 10 km of Kabul, and the point itself as a
// WGS-84 x (longitude), y (latitude). The control: 1 km from a point 2.5 km east of the airport
// finds nothing.
func TestAnalystsCypherReadsTheLocation(t *testing.T) {
	db := seeded(t)
	q := `MATCH (p:Place) WHERE point.distance(p.location, point({latitude: $lat, longitude: $lon})) < $m
		RETURN p.id AS id, p.location AS loc ORDER BY id`
	got := rows(t, db, q, map[string]any{"lat": 34.5253, "lon": 69.1783, "m": 10000})
	var ids []string
	for _, r := range got {
		ids = append(ids, r[0].(string))
		if r[0] == "kabul" {
			loc, _ := r[1].(map[string]any)
			if loc["srid"] != int64(4326) || loc["x"] != 69.1783 || loc["y"] != 34.5253 {
				t.Errorf("kabul's location = %v, want srid 4326, x 69.1783, y 34.5253", r[1])
			}
		}
	}
	if !slices.Equal(ids, []string{"hamid-karzai-international-airport", "kabul"}) {
		t.Errorf("places within 10 km of Kabul by Cypher: %v", ids)
	}
	if far := rows(t, db, q, map[string]any{"lat": 34.57, "lon": 69.24, "m": 1000}); len(far) != 0 {
		t.Errorf("control: 1 km from a point 2.5 km east of the airport finds %v", far)
	}
}
