package graph

import (
	"context"
	"sort"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/analysis"
	"github.com/incidentgraph/incidentgraph/graph/model"
)

// Argument checks and mapping for the analyst questions. The resolvers in schema.resolvers.go
// call these; the questions themselves are answered by the AnalystService and CypherService.

func timeView(knownAt, validAt *incidentgraph.PartialDate) incidentgraph.TimeView {
	var tv incidentgraph.TimeView
	if knownAt != nil {
		tv.KnownAt = *knownAt
	}
	if validAt != nil {
		tv.ValidAt = *validAt
	}
	return tv
}

// relFilter reads a relationship filter together with the query's time view.
func relFilter(filter *model.RelationshipFilter, knownAt, validAt *incidentgraph.PartialDate) (incidentgraph.RelationshipFilter, error) {
	f, err := fromRelationshipFilter(filter)
	if err != nil {
		return f, err
	}
	tv := timeView(knownAt, validAt)
	f.KnownAt, f.ValidAt = tv.KnownAt, tv.ValidAt
	return f, nil
}

func checkIDs(name string, ids ...string) error {
	for _, id := range ids {
		if err := checkID(name, id); err != nil {
			return err
		}
	}
	return nil
}

func toPath(p *incidentgraph.Path) *model.Path {
	g := toSubgraph(&incidentgraph.Subgraph{Nodes: p.Nodes, Edges: p.Edges})
	// toSubgraph keeps the order it is given, which is the path's order; a simple path holds
	// each node and edge once, so nothing is dropped.
	return &model.Path{Nodes: g.Nodes, Edges: g.Edges, Length: p.Length(), WeakestConfidence: p.WeakestConfidence()}
}

func toCommonNeighbor(c *incidentgraph.CommonNeighbor) *model.CommonNeighbor {
	out := &model.CommonNeighbor{Entity: toEntity(c.Entity), Links: make([]*model.NeighborLink, 0, len(c.Links))}
	for _, l := range c.Links {
		rels := make([]*model.Relationship, len(l.Relationships))
		for i, r := range l.Relationships {
			rels[i] = toRelationship(r, c.Entity.ID)
		}
		out.Links = append(out.Links, &model.NeighborLink{OfID: l.OfID, Relationships: rels})
	}
	return out
}

func toSimilarIncident(s *incidentgraph.SimilarIncident) *model.SimilarIncident {
	out := &model.SimilarIncident{Incident: toIncident(s.Incident), Score: s.Score, Reasons: make([]*model.SimilarityReason, 0, len(s.Reasons))}
	for _, r := range s.Reasons {
		out.Reasons = append(out.Reasons, &model.SimilarityReason{Kind: model.SimilarityReasonKind(r.Kind),
			Description: r.Description, Weight: r.Weight, ViaIDs: r.Via})
	}
	return out
}

func toTimelineConnection(p *incidentgraph.TimelinePage, actor string) *model.TimelineConnection {
	out := &model.TimelineConnection{Edges: []*model.TimelineEdge{}, Nodes: []*model.TimelineEntry{}, TotalCount: p.TotalCount,
		PageInfo: &model.PageInfo{HasNextPage: p.HasNextPage}}
	for i, e := range p.Entries {
		links := make([]*model.Relationship, len(e.Links))
		for j, r := range e.Links {
			links[j] = toRelationship(r, e.Entity.ID)
		}
		n := &model.TimelineEntry{Entity: toEntity(e.Entity), Kind: model.EntityKind(e.Entity.Kind), Name: e.Entity.Name,
			Date: e.Entity.Date, EndDate: optDate(e.Entity.EndDate), Links: links}
		out.Nodes = append(out.Nodes, n)
		out.Edges = append(out.Edges, &model.TimelineEdge{Cursor: p.Cursors[i], Node: n})
	}
	if n := len(p.Cursors); n > 0 {
		out.PageInfo.EndCursor = &p.Cursors[n-1]
	}
	return out
}

// centrality scores the subgraph the service fetched, in Go: the algorithms never run on the
// database, and their cost is bounded by the subgraph's node cap.
func centrality(g *incidentgraph.Subgraph, order model.CentralityOrder, first int) []*model.CentralityScore {
	scores := analysis.Centrality(g)
	byBetweenness := make(map[string]int, len(scores))
	for i, s := range scores {
		byBetweenness[s.Entity.ID] = i + 1
	}
	byDegree := append([]*incidentgraph.CentralityScore(nil), scores...)
	analysis.SortByDegree(byDegree)
	degreeRank := make(map[string]int, len(scores))
	for i, s := range byDegree {
		degreeRank[s.Entity.ID] = i + 1
	}
	ranked := scores
	if order == model.CentralityOrderDegree {
		ranked = byDegree
	}
	if len(ranked) > first {
		ranked = ranked[:first]
	}
	out := make([]*model.CentralityScore, len(ranked))
	for i, s := range ranked {
		out[i] = &model.CentralityScore{Entity: toEntity(s.Entity), Degree: s.Degree, Betweenness: s.Betweenness,
			DegreeRank: degreeRank[s.Entity.ID], BetweennessRank: byBetweenness[s.Entity.ID]}
	}
	return out
}

func toPattern(p *incidentgraph.Pattern) *model.Pattern {
	out := &model.Pattern{Name: p.Name, Description: p.Description, Cypher: p.Cypher, Parameters: []*model.PatternParameter{}}
	for _, x := range p.Params {
		out.Parameters = append(out.Parameters, &model.PatternParameter{Name: x.Name, Type: model.PatternParameterType(x.Type),
			Description: x.Description, Required: x.Required, Default: optJSON(x.Default)})
	}
	return out
}

func optJSON(v any) *model.JSON {
	if v == nil {
		return nil
	}
	return &model.JSON{Value: v}
}

// cypherParams reads the `params` argument: a JSON object or nothing.
func cypherParams(j *model.JSON) (map[string]any, error) {
	var v any
	if j != nil {
		v = j.Value
	}
	switch p := v.(type) {
	case nil:
		return map[string]any{}, nil
	case map[string]any:
		return p, nil
	default:
		return nil, invalid("params must be a JSON object of parameter names and values")
	}
}

func cypherLimit(limit *int) (int, error) {
	return bounded("limit", limit, incidentgraph.DefaultCypherRows, 1, incidentgraph.MaxCypherRows)
}

func toCypherResult(res *incidentgraph.CypherResult) *model.CypherResult {
	rows := make([]*model.JSON, len(res.Rows))
	for i, r := range res.Rows {
		rows[i] = &model.JSON{Value: r}
	}
	g := res.Graph
	if g == nil {
		g = &incidentgraph.Subgraph{}
	}
	return &model.CypherResult{Columns: nonNil(res.Columns), Rows: rows, Graph: toSubgraph(g), Truncated: res.Truncated}
}

// sortedPatterns lists patterns by name, whatever order the service keeps them in.
func sortedPatterns(ps []*incidentgraph.Pattern) []*model.Pattern {
	out := make([]*model.Pattern, len(ps))
	for i, p := range ps {
		out[i] = toPattern(p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (r *Resolver) entitiesByID(ctx context.Context, ids []string) ([]model.Entity, error) {
	es, err := loadersFrom(ctx).loadEntities(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]model.Entity, 0, len(es))
	for _, e := range es {
		if e != nil {
			out = append(out, toEntity(e))
		}
	}
	return out, nil
}
