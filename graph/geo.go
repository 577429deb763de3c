package graph

import (
	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/graph/model"
)

// geoArgs turns the near and within arguments into the domain's, checked: each value in
// range, and not both.
func geoArgs(near *model.GeoNear, within *model.GeoBox) (*incidentgraph.GeoNear, *incidentgraph.GeoBox, error) {
	if near != nil && within != nil {
		return nil, nil, invalid("give near or within, not both")
	}
	if near != nil {
		n := &incidentgraph.GeoNear{Latitude: near.Latitude, Longitude: near.Longitude, RadiusKm: near.RadiusKm}
		if err := n.Check("near"); err != nil {
			return nil, nil, err
		}
		return n, nil, nil
	}
	if within != nil {
		b := &incidentgraph.GeoBox{South: within.South, West: within.West, North: within.North, East: within.East}
		if err := b.Check("within"); err != nil {
			return nil, nil, err
		}
		return nil, b, nil
	}
	return nil, nil, nil
}

func toPlaceDistances(ps []*incidentgraph.PlaceDistance) []*model.PlaceDistance {
	out := make([]*model.PlaceDistance, 0, len(ps))
	for _, p := range ps {
		if pl, ok := toEntity(p.Place).(*model.Place); ok {
			out = append(out, &model.PlaceDistance{Place: pl, DistanceKm: p.DistanceKm})
		}
	}
	return out
}
