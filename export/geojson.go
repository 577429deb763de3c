package export

import (
	"cmp"
	"encoding/json"
	"io"
	"math"

	"github.com/incidentgraph/incidentgraph"
)

// GeoJSON (RFC 7946) is the subgraph on a map, for GIS tools (QGIS, Kepler.gl, Leaflet): a
// FeatureCollection of the entities that are on the map as Point features and of the
// relationships between two of them as LineString features. It holds only what has a place:
// entities without one (groups, people, states; places and incidents without usable
// coordinates) and the relationships that touch them are left out, which is why GeoJSON is
// not one of Formats (the link-chart formats, which hold the whole subgraph).
//
// Where an entity is: a place or an incident by its own coordinates (incidentgraph.Located:
// not when its GTD specificity is 5, unknown); an incident without them at a place of the
// subgraph it OCCURRED_AT (else OCCURRED_IN) by a relationship of the subgraph no curator
// retracted, the most precise first, as the API's near and within place it. Positions are
// [longitude, latitude], as RFC 7946 orders them. A line that crosses the antimeridian is cut
// in two there (a MultiLineString, RFC 7946 section 3.1.9), and a line of no length (an incident
// and the place it is drawn at) is left out.

// The relationships that place an incident (the domain's vocabulary names them).
const (
	occurredAt incidentgraph.RelType = "OCCURRED_AT"
	occurredIn incidentgraph.RelType = "OCCURRED_IN"
)

type geoCollection struct {
	Type      string       `json:"type"`
	Name      string       `json:"name"`      // a foreign member, as the other formats name the network
	Truncated bool         `json:"truncated"` // a foreign member: the subgraph was cut at its limit
	Features  []geoFeature `json:"features"`
}

type geoFeature struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Geometry   geoGeometry    `json:"geometry"`
	Properties map[string]any `json:"properties"` // encoding/json writes map keys sorted
}

type geoGeometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

// spot is where an entity is drawn: [longitude, latitude], the GTD specificity of the
// coordinates (nil: not recorded) and, for an incident drawn at a place, the place's id.
type spot struct {
	pos       [2]float64
	precision *int
	placedAt  string
}

// spots says where each entity of d that is on the map is.
func spots(d *Document) map[string]spot {
	out := map[string]spot{}
	for _, n := range d.Nodes {
		if !ofKind(n, incidentgraph.KindPlace, incidentgraph.KindIncident) {
			continue
		}
		if lat, lon, ok := incidentgraph.Located(n); ok {
			out[n.ID] = spot{pos: [2]float64{lon, lat}, precision: n.GeoPrecision}
		}
	}
	// Incidents without coordinates, at the places they occurred at: OCCURRED_AT (the site)
	// before OCCURRED_IN, then the most precise place, then by id, so that the choice does not
	// depend on the order of the edges.
	kind := map[string]incidentgraph.Kind{}
	for _, n := range d.Nodes {
		kind[n.ID] = n.Kind
	}
	type candidate struct {
		site      bool
		precision int
		place     string
	}
	best := map[string]candidate{}
	for _, r := range d.Edges {
		if (r.Type != occurredAt && r.Type != occurredIn) || r.Retraction != nil ||
			kind[r.FromID] != incidentgraph.KindIncident || kind[r.ToID] != incidentgraph.KindPlace {
			continue
		}
		if _, own := out[r.FromID]; own {
			continue
		}
		p, ok := out[r.ToID]
		if !ok {
			continue
		}
		c := candidate{site: r.Type == occurredAt, precision: incidentgraph.GeoUnknown, place: r.ToID}
		if p.precision != nil {
			c.precision = *p.precision
		}
		if b, seen := best[r.FromID]; !seen || cmp.Or(
			-cmp.Compare(boolInt(c.site), boolInt(b.site)), cmp.Compare(c.precision, b.precision), cmp.Compare(c.place, b.place)) < 0 {
			best[r.FromID] = c
		}
	}
	for id, c := range best {
		p := out[c.place]
		out[id] = spot{pos: p.pos, precision: p.precision, placedAt: c.place}
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func writeGeoJSON(w io.Writer, d *Document) error {
	at := spots(d)
	doc := geoCollection{Type: "FeatureCollection", Name: d.Name, Truncated: d.Truncated, Features: []geoFeature{}}
	for _, n := range d.Nodes {
		s, ok := at[n.ID]
		if !ok {
			continue
		}
		props := map[string]any{"id": n.ID, "kind": string(n.Kind), "name": n.Name, "precision": s.precision}
		if n.Kind == incidentgraph.KindIncident {
			props["date"] = string(n.Date)
		}
		if s.placedAt != "" {
			props["placedAt"] = s.placedAt
		}
		doc.Features = append(doc.Features, geoFeature{Type: "Feature", ID: n.ID,
			Geometry: geoGeometry{Type: "Point", Coordinates: s.pos}, Properties: props})
	}
	for _, r := range d.Edges {
		from, ok1 := at[r.FromID]
		to, ok2 := at[r.ToID]
		if !ok1 || !ok2 || from.pos == to.pos {
			continue
		}
		props := map[string]any{"id": r.ID, "type": string(r.Type), "status": string(r.Status), "confidence": r.Confidence,
			"assertedBy": partyName(r, d), "assertedById": r.AssertedByID, "source": r.FromID, "target": r.ToID}
		doc.Features = append(doc.Features, geoFeature{Type: "Feature", ID: r.ID, Geometry: line(from.pos, to.pos), Properties: props})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// line is the straight line from a to b ([longitude, latitude] each) or, when the short way
// between their longitudes crosses the antimeridian, the two lines either side of it, meeting
// it at the latitude where the line crosses.
func line(a, b [2]float64) geoGeometry {
	if math.Abs(b[0]-a[0]) <= 180 {
		return geoGeometry{Type: "LineString", Coordinates: [][2]float64{a, b}}
	}
	// Unwrap b to the side of a, find where the line meets longitude ±180, and cut there.
	edge := 180.0
	if a[0] < 0 {
		edge = -180
	}
	bx := b[0] + 2*edge
	lat := a[1] + (b[1]-a[1])*(edge-a[0])/(bx-a[0])
	return geoGeometry{Type: "MultiLineString", Coordinates: [][][2]float64{
		{a, {edge, lat}},
		{{-edge, lat}, b},
	}}
}
