package graph

import (
	"time"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/graph/model"
)

// This file is the one place that maps domain values to GraphQL models and back.

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// nonNil keeps a list non-null in the response, as the schema promises ([String!]!).
func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func optDate(d incidentgraph.PartialDate) *incidentgraph.PartialDate {
	if d.IsZero() {
		return nil
	}
	return &d
}

// gtdCodes maps GTD codes (1-based, as in the codebook) to the schema's enum values, which are
// declared in code order.
func gtdCodes[T any](codes []int, all []T) []T {
	out := make([]T, 0, len(codes))
	for _, c := range codes {
		if c >= 1 && c <= len(all) {
			out = append(out, all[c-1])
		}
	}
	return out
}

func gtdCode[T comparable](v T, all []T) int {
	for i, x := range all {
		if x == v {
			return i + 1
		}
	}
	return 0
}

// toEntity maps a domain entity to the GraphQL type of its kind.
func toEntity(e *incidentgraph.Entity) model.Entity {
	if e == nil {
		return nil
	}
	kind := model.EntityKind(e.Kind)
	aliases := nonNil(e.Aliases)
	desc := optString(e.Description)
	names, match := toNames(e), toMatch(e.Match)
	switch e.Kind {
	case incidentgraph.KindOrganization:
		return &model.Organization{ID: e.ID, Kind: kind, Name: e.Name, Aliases: aliases, Names: names, Match: match, Description: desc, SourceIDs: e.SourceIDs, Version: e.Version,
			OrgType: model.OrganizationType(e.OrgType), GtdName: optString(e.GTDName),
			Founded: optDate(e.Founded), Dissolved: optDate(e.Dissolved)}
	case incidentgraph.KindCountry:
		return &model.Country{ID: e.ID, Kind: kind, Name: e.Name, Aliases: aliases, Names: names, Match: match, Description: desc, SourceIDs: e.SourceIDs, Version: e.Version, Iso2: e.ISO2}
	case incidentgraph.KindPerson:
		return &model.Person{ID: e.ID, Kind: kind, Name: e.Name, Aliases: aliases, Names: names, Match: match, Description: desc, SourceIDs: e.SourceIDs, Version: e.Version,
			Role: optString(e.Role), Nationality: optString(e.Nationality), Anonymous: e.Anonymous}
	case incidentgraph.KindPlace:
		return &model.Place{ID: e.ID, Kind: kind, Name: e.Name, Aliases: aliases, Names: names, Match: match, Description: desc, SourceIDs: e.SourceIDs, Version: e.Version,
			PlaceType: model.PlaceType(e.PlaceType), CountryCode: optString(e.CountryCode),
			Latitude: e.Latitude, Longitude: e.Longitude, GeoPrecision: e.GeoPrecision}
	case incidentgraph.KindIncident:
		return toIncident(e)
	case incidentgraph.KindEvent:
		return &model.Event{ID: e.ID, Kind: kind, Name: e.Name, Aliases: aliases, Names: names, Match: match, Description: desc, SourceIDs: e.SourceIDs, Version: e.Version,
			EventType: model.EventType(e.EventType), Date: e.Date, EndDate: optDate(e.EndDate), Summary: optString(e.Summary)}
	case incidentgraph.KindSource:
		return &model.Source{ID: e.ID, Kind: kind, Name: e.Name, Aliases: aliases, Names: names, Match: match, Description: desc, SourceIDs: e.SourceIDs, Version: e.Version,
			Title: e.Name, Publisher: e.Publisher, Published: e.Published, URL: optString(e.URL),
			SourceType: model.SourceType(e.SourceType), Accessed: optDate(e.Accessed)}
	default:
		return &model.Group{ID: e.ID, Kind: kind, Name: e.Name, Aliases: aliases, Description: desc}
	}
}

// toNames lists the entity's name, then each alias with what is known of it.
func toNames(e *incidentgraph.Entity) []*model.Name {
	out := make([]*model.Name, 0, 1+len(e.Aliases))
	out = append(out, &model.Name{Value: e.Name, Primary: true, SourceIDs: []string{}})
	for _, a := range e.AliasList() {
		out = append(out, &model.Name{Value: a.Name, Language: optString(a.Language), Script: optString(a.Script),
			Note: optString(a.Note), SourceIDs: nonNil(a.SourceIDs)})
	}
	return out
}

func toMatch(m *incidentgraph.NameMatch) *model.NameMatch {
	if m == nil {
		return nil
	}
	return &model.NameMatch{Name: m.Name, Language: optString(m.Language), Script: optString(m.Script),
		How: model.NameMatchKind(m.How)}
}

func toIncident(e *incidentgraph.Entity) *model.Incident {
	return &model.Incident{ID: e.ID, Kind: model.EntityKindIncident, Name: e.Name, Aliases: nonNil(e.Aliases),
		Names: toNames(e), Match: toMatch(e.Match), Description: optString(e.Description), SourceIDs: e.SourceIDs, Version: e.Version, Date: e.Date, EndDate: optDate(e.EndDate), Summary: optString(e.Summary),
		AttackTypes: gtdCodes(e.AttackTypes, model.AllAttackType),
		TargetTypes: gtdCodes(e.TargetTypes, model.AllTargetType),
		WeaponTypes: gtdCodes(e.WeaponTypes, model.AllWeaponType),
		Suicide:     e.Suicide, Outcome: model.Outcome(e.Outcome), GtdEventID: optString(e.GTDEventID),
		Latitude: e.Latitude, Longitude: e.Longitude, GeoPrecision: e.GeoPrecision}
}

func toOrganization(e *incidentgraph.Entity) *model.Organization {
	o, _ := toEntity(e).(*model.Organization)
	return o
}

// toRelationship maps a relationship as seen from the entity viewer ("" for no viewpoint:
// then the other end is its target).
func toRelationship(r *incidentgraph.Relationship, viewer string) *model.Relationship {
	dir, other := model.DirectionOutgoing, r.ToID
	if viewer != "" && r.ToID == viewer && r.FromID != viewer {
		dir, other = model.DirectionIncoming, r.FromID
	}
	return &model.Relationship{
		ID: r.ID, Type: model.RelationshipType(r.Type), Direction: dir,
		Status: model.Status(r.Status), Confidence: r.Confidence,
		ConfidenceLevel: model.ConfidenceLevel(incidentgraph.ConfidenceLevel(r.Confidence)),
		Quote:           optString(r.Quote), Basis: optString(r.Basis),
		ValidFrom: optDate(r.ValidFrom), ValidTo: optDate(r.ValidTo), AssertedOn: optDate(r.AssertedOn),
		Note: optString(r.Note), Version: r.Version, Retraction: toRetraction(r.Retraction),
		Origin: optString(r.Origin), FromNameAsGiven: optString(r.FromNameAsGiven), ToNameAsGiven: optString(r.ToNameAsGiven),
		FromID: r.FromID, ToID: r.ToID, OtherID: other, AssertedByID: r.AssertedByID, SourceIDs: r.SourceIDs,
	}
}

func toFigure(f *incidentgraph.Figure) *model.Figure {
	return &model.Figure{
		ID: f.ID, Metric: model.FigureMetric(f.Metric), Value: f.Value, Qualifier: model.FigureQualifier(f.Qualifier),
		Population: optString(f.Population), AsOf: f.AsOf, Status: model.Status(f.Status), Confidence: f.Confidence,
		Quote: optString(f.Quote), Note: optString(f.Note), AssertedByID: f.AssertedByID, SourceIDs: f.SourceIDs,
	}
}

func toSubgraph(g *incidentgraph.Subgraph) *model.Subgraph {
	if g == nil {
		return nil
	}
	out := &model.Subgraph{Nodes: make([]*model.GraphNode, 0, len(g.Nodes)), Edges: make([]*model.GraphEdge, 0, len(g.Edges)), Truncated: g.Truncated}
	seen := map[string]bool{}
	for _, n := range g.Nodes {
		if seen[n.ID] {
			continue
		}
		seen[n.ID] = true
		out.Nodes = append(out.Nodes, &model.GraphNode{ID: n.ID, Kind: string(n.Kind), Name: n.Name, Entity: toEntity(n)})
	}
	seenEdge := map[string]bool{}
	for _, r := range g.Edges {
		// Every edge's ends must be among the nodes: a chart library cannot draw it otherwise.
		if seenEdge[r.ID] || !seen[r.FromID] || !seen[r.ToID] {
			continue
		}
		seenEdge[r.ID] = true
		out.Edges = append(out.Edges, &model.GraphEdge{ID: r.ID, Type: string(r.Type), Source: r.FromID, Target: r.ToID,
			Status: string(r.Status), Confidence: r.Confidence, AssertedBy: r.AssertedByID,
			Style: model.LineStyle(incidentgraph.LineStyle(r.Status, r.Confidence)), Relationship: toRelationship(r, "")})
	}
	return out
}

func fromRelationshipFilter(f *model.RelationshipFilter) (incidentgraph.RelationshipFilter, error) {
	out := incidentgraph.RelationshipFilter{Direction: incidentgraph.Both}
	if f == nil {
		return out, nil
	}
	for _, t := range f.Types {
		out.Types = append(out.Types, incidentgraph.RelType(t))
	}
	for _, s := range f.Statuses {
		out.Statuses = append(out.Statuses, incidentgraph.Status(s))
	}
	if f.MinConfidence != nil {
		if *f.MinConfidence < 0 || *f.MinConfidence > incidentgraph.MaxConfidence {
			return out, incidentgraph.Errorf(incidentgraph.EINVALID, "minConfidence must be between 0 and 100")
		}
		out.MinConfidence = *f.MinConfidence
	}
	if f.AssertedBy != nil {
		out.AssertedBy = *f.AssertedBy
	}
	if f.Direction != nil {
		out.Direction = incidentgraph.Direction(*f.Direction)
	}
	if f.IncludeRetracted != nil {
		out.IncludeRetracted = *f.IncludeRetracted
	}
	return out, nil
}

func fromIncidentFilter(filter *model.IncidentFilter) (incidentgraph.IncidentFilter, error) {
	var f incidentgraph.IncidentFilter
	if filter == nil {
		return f, nil
	}
	if filter.Perpetrator != nil {
		f.Perpetrator = *filter.Perpetrator
	}
	if filter.IncludeAffiliates != nil {
		f.IncludeAffiliates = *filter.IncludeAffiliates
	}
	if f.IncludeAffiliates && f.Perpetrator == "" {
		return f, invalid("includeAffiliates needs a perpetrator")
	}
	if filter.MinConfidence != nil {
		n, err := bounded("minConfidence", filter.MinConfidence, 0, 0, incidentgraph.MaxConfidence)
		if err != nil {
			return f, err
		}
		f.MinConfidence = n
	}
	if filter.From != nil {
		f.From = *filter.From
	}
	if filter.To != nil {
		f.To = *filter.To
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.From.Start() > f.To.End() {
		return f, invalid("from must not be after to")
	}
	if filter.Place != nil {
		f.Place = *filter.Place
	}
	if filter.AttackType != nil {
		f.AttackType = gtdCode(*filter.AttackType, model.AllAttackType)
	}
	if filter.TargetType != nil {
		f.TargetType = gtdCode(*filter.TargetType, model.AllTargetType)
	}
	var err error
	f.Near, f.Within, err = geoArgs(filter.Near, filter.Within)
	return f, err
}

func fromOrganizationFilter(filter *model.OrganizationFilter) incidentgraph.OrganizationFilter {
	var f incidentgraph.OrganizationFilter
	if filter == nil {
		return f
	}
	for _, t := range filter.OrgTypes {
		f.OrgTypes = append(f.OrgTypes, string(t))
	}
	if filter.NameContains != nil {
		f.NameContains = *filter.NameContains
	}
	if filter.AffiliateOf != nil {
		f.AffiliateOf = *filter.AffiliateOf
	}
	return f
}

// connection maps a page of entities to a page's nodes and edges, each edge with its cursor.
func connection[N, E any](res *incidentgraph.EntityPage, node func(*incidentgraph.Entity) N, edge func(cursor string, n N) E) ([]N, []E) {
	nodes, edges := make([]N, 0, len(res.Entities)), make([]E, 0, len(res.Entities))
	for i, e := range res.Entities {
		n := node(e)
		nodes = append(nodes, n)
		edges = append(edges, edge(res.Cursors[i], n))
	}
	return nodes, edges
}

func toIncidentConnection(res *incidentgraph.EntityPage) *model.IncidentConnection {
	nodes, edges := connection(res, toIncident, func(c string, n *model.Incident) *model.IncidentEdge {
		return &model.IncidentEdge{Cursor: c, Node: n}
	})
	return &model.IncidentConnection{Edges: edges, Nodes: nodes, PageInfo: pageInfo(res), TotalCount: res.TotalCount}
}

func toOrganizationConnection(res *incidentgraph.EntityPage) *model.OrganizationConnection {
	nodes, edges := connection(res, toOrganization, func(c string, n *model.Organization) *model.OrganizationEdge {
		return &model.OrganizationEdge{Cursor: c, Node: n}
	})
	return &model.OrganizationConnection{Edges: edges, Nodes: nodes, PageInfo: pageInfo(res), TotalCount: res.TotalCount}
}

func toRetraction(rt *incidentgraph.Retraction) *model.Retraction {
	if rt == nil {
		return nil
	}
	return &model.Retraction{By: rt.By, At: rt.At.Format(time.RFC3339Nano), Reason: rt.Reason}
}
