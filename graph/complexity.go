package graph

import (
	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/graph/model"
)

// date is a time-view argument; complexity ignores it.
type date = *incidentgraph.PartialDate

// Complexity prices list fields by the most items they may return, so that the server's
// complexity limit bounds what one operation can make the database do: nesting relationships
// within relationships multiplies their page sizes.
func Complexity() ComplexityRoot {
	var c ComplexityRoot
	rels := func(child int, _ *model.RelationshipFilter, first *int, _, _ date) int {
		return 1 + child*orDefault(first, 100)
	}
	c.Organization.Relationships = rels
	c.Country.Relationships = rels
	c.Person.Relationships = rels
	c.Place.Relationships = rels
	c.Incident.Relationships = rels
	c.Event.Relationships = rels
	c.Source.Relationships = rels
	c.Group.Relationships = rels
	// A subject has a handful of figures; price them as ten.
	figs := func(child int, _ *model.FigureMetric, _, _ date) int { return 1 + child*10 }
	c.Incident.Figures = figs
	c.Event.Figures = figs
	c.Relationship.Sources = func(child int) int { return 1 + child*3 }
	c.Figure.Sources = func(child int) int { return 1 + child*3 }
	c.Query.Search = func(child int, _ string, _ []model.EntityKind, first *int) int {
		return 1 + child*orDefault(first, 10)
	}
	c.Query.Entities = func(child int, ids []string) int { return 1 + child*len(ids) }
	c.Query.Incidents = func(child int, _ *model.IncidentFilter, first *int, _ *string, _, _ date) int {
		return 1 + child*orDefault(first, 20)
	}
	c.Query.PlacesNear = func(child int, _, _, _ float64, first *int) int {
		return 1 + child*orDefault(first, 20)
	}
	c.Query.Organizations = func(child int, _ *model.OrganizationFilter, first *int, _ *string) int {
		return 1 + child*orDefault(first, 20)
	}
	// A link chart's nodes and edges are flat; its cost is its size.
	c.Query.Neighborhood = func(child int, _ string, _ *int, _ *model.RelationshipFilter, limit *int, _, _ date) int {
		return 1 + child*orDefault(limit, 200)/10
	}
	c.Query.ShortestPath = func(child int, _, _ string, maxDepth *int, _ *model.RelationshipFilter, _, _ date) int {
		return 1 + child*orDefault(maxDepth, 6)
	}
	c.Query.AffiliateNetwork = func(child int, _ string, _ *int, _ *model.RelationshipFilter, limit *int, _, _ date) int {
		return 1 + child*orDefault(limit, 200)/10
	}
	c.Query.Paths = func(child int, _, _ string, maxDepth, first *int, _ *model.RelationshipFilter, _, _ date) int {
		return 1 + child*orDefault(first, 5)*orDefault(maxDepth, 4)
	}
	c.Query.CommonNeighbors = func(child int, ids []string, _ *model.RelationshipFilter, first *int, _, _ date) int {
		return 1 + child*orDefault(first, 20)
	}
	c.Query.SimilarIncidents = func(child int, _ string, first *int, _ *model.RelationshipFilter, _, _ date) int {
		return 1 + child*orDefault(first, 5)
	}
	c.Query.Timeline = func(child int, _ *string, _ *bool, _ *string, _, _ date, _ *model.GeoNear, _ *model.GeoBox, _ *model.RelationshipFilter, first *int, _ *string, _, _ date) int {
		return 1 + child*orDefault(first, 20)
	}
	c.Query.Centrality = func(child int, _ string, _ *int, _ *model.CentralityScope, _ *model.CentralityOrder, _ *model.RelationshipFilter, first *int, _, _ date) int {
		return 1 + child*orDefault(first, 10)
	}
	// Rows are JSON leaves; the chart is flat. Price an answer by its row cap.
	cypher := func(child int, limit *int) int { return 1 + child + orDefault(limit, 100)/10 }
	c.Query.RunPattern = func(child int, _ string, _ *model.JSON, limit *int) int { return cypher(child, limit) }
	c.Query.Cypher = func(child int, _ string, _ *model.JSON, limit *int) int { return cypher(child, limit) }
	return c
}

func orDefault(p *int, def int) int {
	if p == nil || *p < 1 {
		return def
	}
	return *p
}
