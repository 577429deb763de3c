package neo4j

import (
	"context"
	"fmt"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/incidentgraph/incidentgraph"
)

// Places and incidents on the map carry, beside their latitude and longitude, a WGS-84 point
// (propLocation) that the point indexes place_location and incident_location cover, so that a
// search by distance or by box is an index seek instead of a test of every node. Like the
// search keys it is derived data: written with the entity by every writer (nodeProps), never
// shown by the API (entityFromProps reads the coordinates), left out of the audit trail, and
// made by EnsureSchema for nodes written before it existed. Analysts' read-only Cypher may read
// it (point.distance(n.location, ...)).
const propLocation = "location"

// sridWGS84 is the coordinate reference system of a 2-D geographic point (EPSG:4326): x is the
// longitude, y the latitude, and distances are in metres on the sphere.
const sridWGS84 = 4326

// location is the point of an entity on the map, or false when it has none (see
// incidentgraph.Located).
func location(e *incidentgraph.Entity) (dbtype.Point2D, bool) {
	lat, lon, ok := incidentgraph.Located(e)
	if !ok {
		return dbtype.Point2D{}, false
	}
	return dbtype.Point2D{SpatialRefId: sridWGS84, X: lon, Y: lat}, true
}

// locatedLabels are the labels whose nodes may carry a location, each with its point index.
var locatedLabels = map[string]string{"Place": "place_location", "Incident": "incident_location"}

// backfillLocations gives a point to every place and incident that has coordinates that
// stand for a place but no point yet (a graph written before points existed), in batches, and
// returns how many it wrote. The coordinates were checked when they were written; the bounds
// here only keep one bad value from failing the whole start.
func (db *DB) backfillLocations(ctx context.Context) (int, error) {
	total := 0
	for {
		res, err := driver.ExecuteQuery(ctx, db.driver, `
			MATCH (n:Place|Incident)
			WHERE n.location IS NULL AND n.latitude IS NOT NULL AND n.longitude IS NOT NULL
			  AND n.latitude >= -90 AND n.latitude <= 90 AND n.longitude >= -180 AND n.longitude <= 180
			  AND coalesce(n.geoPrecision, 0) <> $unknown
			WITH n LIMIT $limit
			SET n.location = point({latitude: n.latitude, longitude: n.longitude})
			RETURN count(n) AS n`, map[string]any{"unknown": int64(incidentgraph.GeoUnknown), "limit": backfillBatch},
			driver.EagerResultTransformer, driver.ExecuteQueryWithDatabase(db.cfg.Database),
			driver.ExecuteQueryWithWritersRouting())
		if err != nil {
			return total, fmt.Errorf("locations: %w", classify(ctx, err))
		}
		n, _ := res.Records[0].Values[0].(int64)
		total += int(n)
		if n < backfillBatch {
			return total, nil
		}
	}
}

// near and within are the Cypher conditions that v (a node) lies in a GeoNear or a GeoBox, in
// the form the planner answers from a point index (a range seek on the distance, a bounding
// box). Their parameters come from geoParams.
func nearCond(v string) string {
	return `point.distance(` + v + `.location, point({latitude: $geoLat, longitude: $geoLon})) <= $geoMetres`
}

func withinCond(v string) string {
	return `point.withinBBox(` + v + `.location, point({latitude: $geoSouth, longitude: $geoWest}), point({latitude: $geoNorth, longitude: $geoEast}))`
}

// geoFilter returns the condition, as a function of a node variable, for near or within
// (which ever is set; nil for neither), and sets its parameters in params.
func geoFilter(near *incidentgraph.GeoNear, within *incidentgraph.GeoBox, params map[string]any) func(v string) string {
	switch {
	case near != nil:
		params["geoLat"], params["geoLon"], params["geoMetres"] = near.Latitude, near.Longitude, near.RadiusKm*1000
		return nearCond
	case within != nil:
		params["geoSouth"], params["geoWest"], params["geoNorth"], params["geoEast"] = within.South, within.West, within.North, within.East
		return withinCond
	}
	return nil
}

// checkGeo refuses near and within together, and either out of bounds. The GraphQL layer
// checks the same; the store never runs a search it did not bound.
func checkGeo(near *incidentgraph.GeoNear, within *incidentgraph.GeoBox) error {
	if near != nil && within != nil {
		return incidentgraph.Errorf(incidentgraph.EINVALID, "give near or within, not both")
	}
	if near != nil {
		return near.Check("near")
	}
	if within != nil {
		return within.Check("within")
	}
	return nil
}

// placedStart binds every `n` that lies where cond says: an Incident by its own location, or
// one of labels (Incident or Incident|Event, from the code, never from input) without a
// location by the location of a place it occurred at by a link that stands (events have no
// coordinates of their own). Each branch starts from a point index (incident_location,
// place_location), so the cost is that of what lies there, whatever the size of the graph.
// UNION keeps each `n` once.
func placedStart(labels string, cond func(v string) string) string {
	return `
		CALL () {
			MATCH (n:Incident) WHERE ` + cond("n") + `
			RETURN n
			UNION
			MATCH (p:Place) WHERE ` + cond("p") + `
			MATCH (n:` + labels + `)-[o:OCCURRED_AT|OCCURRED_IN]->(p)
			WHERE n.location IS NULL AND ` + notRetracted("o") + `
			RETURN n
		}`
}

// placedCond is placedStart's test for an `n` already bound (found from a perpetrator or an
// actor).
func placedCond(cond func(v string) string) string {
	return `(` + cond("n") + `
		       OR (n.location IS NULL AND EXISTS { MATCH (n)-[o:OCCURRED_AT|OCCURRED_IN]->(p:Place)
		                   WHERE ` + notRetracted("o") + ` AND ` + cond("p") + ` }))`
}

// PlacesNear returns at most first places on the map within near, nearest first (then by id),
// with their distance in kilometres.
func (db *DB) PlacesNear(ctx context.Context, near incidentgraph.GeoNear, first int) ([]*incidentgraph.PlaceDistance, error) {
	if err := near.Check("near"); err != nil {
		return nil, err
	}
	if first < 1 || first > incidentgraph.MaxPlacesNear {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "first must be between 1 and %d", incidentgraph.MaxPlacesNear)
	}
	params := map[string]any{"first": first}
	geoFilter(&near, nil, params)
	res, err := db.read(ctx, `
		MATCH (p:Place)
		WHERE `+nearCond("p")+`
		WITH p, point.distance(p.location, point({latitude: $geoLat, longitude: $geoLon})) AS metres
		ORDER BY metres, p.id
		LIMIT $first
		RETURN properties(p) AS p, metres`, params)
	if err != nil {
		return nil, err
	}
	out := make([]*incidentgraph.PlaceDistance, 0, len(res.Records))
	for _, r := range res.Records {
		props, _ := r.Values[0].(map[string]any)
		metres, _ := r.Values[1].(float64)
		out = append(out, &incidentgraph.PlaceDistance{Place: entityFromProps(props), DistanceKm: metres / 1000})
	}
	return out, nil
}
