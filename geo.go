package incidentgraph

import "math"

// Where things are. Places and incidents with coordinates (WGS 84, decimal degrees) are on the
// map, unless their GTD specificity says the coordinates stand for nothing (GeoUnknown). The
// store keeps each as a point it can search by distance and by box.

// GeoUnknown is the GTD specificity of coordinates that say nothing about where something
// happened: an entity with it is never placed on the map.
const GeoUnknown = 5

// MaxRadiusKm bounds a search by distance: far enough for a region, near enough that the answer
// is not the whole graph.
const MaxRadiusKm = 2000

// MaxPlacesNear bounds placesNear.
const MaxPlacesNear = 100

// GeoNear selects what lies within RadiusKm kilometres (great-circle distance) of a point.
type GeoNear struct {
	Latitude, Longitude, RadiusKm float64
}

// GeoBox selects what lies in a box of latitudes South to North and longitudes West to East.
// West greater than East is a box that crosses the antimeridian (longitude 180): West 170, East
// -170 spans the 20 degrees around Fiji.
type GeoBox struct {
	South, West, North, East float64
}

// Located reports where e is on the map: its coordinates when it has both, in range, and they
// stand for a place (its GTD specificity is not GeoUnknown).
func Located(e *Entity) (lat, lon float64, ok bool) {
	if e.Latitude == nil || e.Longitude == nil || (e.GeoPrecision != nil && *e.GeoPrecision == GeoUnknown) {
		return 0, 0, false
	}
	lat, lon = *e.Latitude, *e.Longitude
	if !validLatitude(lat) || !validLongitude(lon) {
		return 0, 0, false
	}
	return lat, lon, true
}

func validLatitude(v float64) bool  { return !math.IsNaN(v) && v >= -90 && v <= 90 }
func validLongitude(v float64) bool { return !math.IsNaN(v) && v >= -180 && v <= 180 }

// Check refuses a point out of range or a radius that is not positive or is larger than
// MaxRadiusKm; name is the argument's name in the message.
func (n GeoNear) Check(name string) error {
	switch {
	case !validLatitude(n.Latitude):
		return Errorf(EINVALID, "%s.latitude must be between -90 and 90 degrees (got %g)", name, n.Latitude)
	case !validLongitude(n.Longitude):
		return Errorf(EINVALID, "%s.longitude must be between -180 and 180 degrees (got %g)", name, n.Longitude)
	case math.IsNaN(n.RadiusKm) || n.RadiusKm <= 0 || n.RadiusKm > MaxRadiusKm:
		return Errorf(EINVALID, "%s.radiusKm must be more than 0 and at most %d kilometres (got %g)", name, MaxRadiusKm, n.RadiusKm)
	}
	return nil
}

// Check refuses a box with a side out of range or its south above its north. A west greater
// than its east crosses the antimeridian and is allowed.
func (b GeoBox) Check(name string) error {
	switch {
	case !validLatitude(b.South):
		return Errorf(EINVALID, "%s.south must be between -90 and 90 degrees (got %g)", name, b.South)
	case !validLatitude(b.North):
		return Errorf(EINVALID, "%s.north must be between -90 and 90 degrees (got %g)", name, b.North)
	case !validLongitude(b.West):
		return Errorf(EINVALID, "%s.west must be between -180 and 180 degrees (got %g)", name, b.West)
	case !validLongitude(b.East):
		return Errorf(EINVALID, "%s.east must be between -180 and 180 degrees (got %g)", name, b.East)
	case b.South > b.North:
		return Errorf(EINVALID, "%s.south (%g) must not be north of %s.north (%g)", name, b.South, name, b.North)
	}
	return nil
}

// PlaceDistance is a place and how far it lies from the point asked about.
type PlaceDistance struct {
	Place      *Entity
	DistanceKm float64
}
