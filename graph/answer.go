package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incidentgraph/incidentgraph/graph/model"
)

// itemTypes is the registry of the answer types that hold entities or relationships further
// down: for each, its fields' roles (rItem: walked; rEnd: entities by id or at hand; rBrief and
// rPlain: nothing to fetch).
var itemTypes = map[string]map[string]role{
	"IncidentConnection":     {"edges": rItem, "nodes": rItem, "pageInfo": rPlain, "totalCount": rPlain},
	"IncidentEdge":           {"cursor": rPlain, "node": rItem},
	"OrganizationConnection": {"edges": rItem, "nodes": rItem, "pageInfo": rPlain, "totalCount": rPlain},
	"OrganizationEdge":       {"cursor": rPlain, "node": rItem},
	"Subgraph":               {"nodes": rItem, "edges": rItem, "truncated": rPlain},
	"GraphNode":              {"id": rPlain, "kind": rPlain, "name": rPlain, "entity": rItem},
	"GraphEdge": {"id": rPlain, "source": rPlain, "target": rPlain, "type": rPlain, "status": rPlain, "confidence": rPlain,
		"style": rPlain, "assertedBy": rPlain, "relationship": rItem},
	"Path":               {"nodes": rItem, "edges": rItem, "length": rPlain, "weakestConfidence": rPlain},
	"CommonNeighbor":     {"entity": rItem, "links": rItem},
	"NeighborLink":       {"of": rEnd, "relationships": rItem},
	"SimilarIncident":    {"incident": rItem, "score": rPlain, "reasons": rItem},
	"PlaceDistance":      {"place": rItem, "distanceKm": rPlain},
	"SimilarityReason":   {"kind": rPlain, "description": rPlain, "weight": rPlain, "via": rEnd},
	"TimelineConnection": {"edges": rItem, "nodes": rItem, "pageInfo": rPlain, "totalCount": rPlain},
	"TimelineEdge":       {"cursor": rPlain, "node": rItem},
	"TimelineEntry": {"entity": rItem, "kind": rPlain, "name": rPlain, "date": rPlain, "endDate": rPlain,
		"links": rItem},
	"CentralityScore": {"entity": rItem, "degree": rPlain, "betweenness": rPlain, "degreeRank": rPlain,
		"betweennessRank": rPlain},
	"CypherResult":                {"columns": rPlain, "rows": rPlain, "graph": rItem, "truncated": rPlain},
	"PossibleDuplicateConnection": {"edges": rItem, "pageInfo": rPlain},
	"PossibleDuplicateEdge":       {"cursor": rPlain, "node": rItem},
	"PossibleDuplicate": {"first": rItem, "second": rItem, "reasons": rPlain, "nameAsGiven": rPlain, "distanceKm": rPlain,
		"sharedNeighbours": rPlain, "recordedBy": rPlain, "recordedAt": rPlain},
}

// CompiledReads is the gqlgen extension that answers, ahead of the fields, what each root
// field's selection reads below its result (see compile.go): one query per distinct selection
// of entities the result holds, whatever their number.
type CompiledReads struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.FieldInterceptor
} = CompiledReads{}

func (CompiledReads) ExtensionName() string                   { return "CompiledReads" }
func (CompiledReads) Validate(graphql.ExecutableSchema) error { return nil }
func (CompiledReads) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	fc := graphql.GetFieldContext(ctx)
	if err != nil || fc == nil || fc.Object != "Query" || res == nil {
		return res, err
	}
	l, _ := ctx.Value(loadersKey{}).(*Loaders)
	if l == nil || l.noCompile {
		return res, nil
	}
	l.mu.Lock()
	done := l.prepared[fc.Field.Field]
	l.mu.Unlock()
	if done {
		return res, nil
	}
	w := walker{opCtx: graphql.GetOperationContext(ctx)}
	w.value(res, fc.Field.Selections)
	// An error here is not the root field's: what failed to be read ahead is read again by the
	// fields below that need it, which report their own errors.
	_ = l.answer(ctx, w.opCtx, w.groups)
	return res, nil
}

// group is a set of entities read with one selection.
type group struct {
	sels ast.SelectionSet
	ids  []string
	// atHand: the result holds these entities whole, so that only what sels reads below them
	// needs a query.
	atHand bool
}

// walker collects, from a root field's result, the entities and relationships it holds and
// what the selection reads of them.
type walker struct {
	opCtx  *graphql.OperationContext
	groups []*group
}

func (w *walker) add(sels ast.SelectionSet, atHand bool, ids ...string) {
	if len(ids) == 0 {
		return
	}
	w.groups = append(w.groups, &group{sels: sels, ids: ids, atHand: atHand})
}

func (w *walker) fields(sels ast.SelectionSet, typ string) []graphql.CollectedField {
	return graphql.CollectFields(w.opCtx, sels, []string{typ})
}

// value walks v, a value of the API's types, with the selection sels.
func (w *walker) value(v any, sels ast.SelectionSet) {
	switch x := v.(type) {
	case model.Entity:
		if id, ok := idOf(x); ok {
			w.add(sels, true, id)
		}
	case []model.Entity:
		var ids []string
		for _, e := range x {
			if id, ok := idOf(e); ok {
				ids = append(ids, id)
			}
		}
		w.add(sels, true, ids...)
	case *model.Relationship:
		w.relationships([]*model.Relationship{x}, sels)
	case []*model.Relationship:
		w.relationships(x, sels)
	case *model.IncidentConnection:
		for _, f := range w.fields(sels, "IncidentConnection") {
			switch f.Name {
			case "nodes":
				w.value(incidentsAsEntities(x.Nodes), f.Selections)
			case "edges":
				for _, ef := range w.fields(f.Selections, "IncidentEdge") {
					if ef.Name == "node" {
						var ns []*model.Incident
						for _, e := range x.Edges {
							ns = append(ns, e.Node)
						}
						w.value(incidentsAsEntities(ns), ef.Selections)
					}
				}
			}
		}
	case *model.OrganizationConnection:
		for _, f := range w.fields(sels, "OrganizationConnection") {
			switch f.Name {
			case "nodes":
				w.value(orgsAsEntities(x.Nodes), f.Selections)
			case "edges":
				for _, ef := range w.fields(f.Selections, "OrganizationEdge") {
					if ef.Name == "node" {
						var ns []*model.Organization
						for _, e := range x.Edges {
							ns = append(ns, e.Node)
						}
						w.value(orgsAsEntities(ns), ef.Selections)
					}
				}
			}
		}
	case *model.PossibleDuplicateConnection:
		for _, f := range w.fields(sels, "PossibleDuplicateConnection") {
			if f.Name != "edges" {
				continue
			}
			for _, ef := range w.fields(f.Selections, "PossibleDuplicateEdge") {
				if ef.Name != "node" {
					continue
				}
				for _, df := range w.fields(ef.Selections, "PossibleDuplicate") {
					var es []model.Entity
					for _, e := range x.Edges {
						if df.Name == "first" {
							es = append(es, e.Node.First)
						} else if df.Name == "second" {
							es = append(es, e.Node.Second)
						}
					}
					w.value(es, df.Selections)
				}
			}
		}
	case *model.Subgraph:
		if x != nil {
			w.subgraph(x.Nodes, x.Edges, sels, "Subgraph")
		}
	case []*model.Path:
		var nodes []*model.GraphNode
		var edges []*model.GraphEdge
		for _, p := range x {
			nodes, edges = append(nodes, p.Nodes...), append(edges, p.Edges...)
		}
		w.subgraph(nodes, edges, sels, "Path")
	case *model.Path:
		if x != nil {
			w.subgraph(x.Nodes, x.Edges, sels, "Path")
		}
	case []*model.CommonNeighbor:
		for _, f := range w.fields(sels, "CommonNeighbor") {
			switch f.Name {
			case "entity":
				var es []model.Entity
				for _, n := range x {
					es = append(es, n.Entity)
				}
				w.value(es, f.Selections)
			case "links":
				var links []*model.NeighborLink
				for _, n := range x {
					links = append(links, n.Links...)
				}
				for _, lf := range w.fields(f.Selections, "NeighborLink") {
					switch lf.Name {
					case "of":
						var ids []string
						for _, l := range links {
							ids = append(ids, l.OfID)
						}
						w.add(lf.Selections, false, ids...)
					case "relationships":
						var rels []*model.Relationship
						for _, l := range links {
							rels = append(rels, l.Relationships...)
						}
						w.relationships(rels, lf.Selections)
					}
				}
			}
		}
	case []*model.PlaceDistance:
		for _, f := range w.fields(sels, "PlaceDistance") {
			if f.Name == "place" {
				es := make([]model.Entity, 0, len(x))
				for _, p := range x {
					es = append(es, p.Place)
				}
				w.value(es, f.Selections)
			}
		}
	case []*model.SimilarIncident:
		for _, f := range w.fields(sels, "SimilarIncident") {
			switch f.Name {
			case "incident":
				var ns []*model.Incident
				for _, s := range x {
					ns = append(ns, s.Incident)
				}
				w.value(incidentsAsEntities(ns), f.Selections)
			case "reasons":
				for _, rf := range w.fields(f.Selections, "SimilarityReason") {
					if rf.Name == "via" {
						var ids []string
						for _, s := range x {
							for _, r := range s.Reasons {
								ids = append(ids, r.ViaIDs...)
							}
						}
						w.add(rf.Selections, false, ids...)
					}
				}
			}
		}
	case *model.TimelineConnection:
		var entries []*model.TimelineEntry
		for _, f := range w.fields(sels, "TimelineConnection") {
			switch f.Name {
			case "nodes":
				w.timeline(x.Nodes, f.Selections)
			case "edges":
				for _, ef := range w.fields(f.Selections, "TimelineEdge") {
					if ef.Name == "node" {
						entries = entries[:0]
						for _, e := range x.Edges {
							entries = append(entries, e.Node)
						}
						w.timeline(entries, ef.Selections)
					}
				}
			}
		}
	case []*model.CentralityScore:
		for _, f := range w.fields(sels, "CentralityScore") {
			if f.Name == "entity" {
				var es []model.Entity
				for _, s := range x {
					es = append(es, s.Entity)
				}
				w.value(es, f.Selections)
			}
		}
	case *model.CypherResult:
		for _, f := range w.fields(sels, "CypherResult") {
			if f.Name == "graph" && x.Graph != nil {
				w.subgraph(x.Graph.Nodes, x.Graph.Edges, f.Selections, "Subgraph")
			}
		}
	}
}

func (w *walker) timeline(entries []*model.TimelineEntry, sels ast.SelectionSet) {
	for _, f := range w.fields(sels, "TimelineEntry") {
		switch f.Name {
		case "entity":
			var es []model.Entity
			for _, e := range entries {
				es = append(es, e.Entity)
			}
			w.value(es, f.Selections)
		case "links":
			var rels []*model.Relationship
			for _, e := range entries {
				rels = append(rels, e.Links...)
			}
			w.relationships(rels, f.Selections)
		}
	}
}

func (w *walker) subgraph(nodes []*model.GraphNode, edges []*model.GraphEdge, sels ast.SelectionSet, typ string) {
	for _, f := range w.fields(sels, typ) {
		switch f.Name {
		case "nodes":
			for _, nf := range w.fields(f.Selections, "GraphNode") {
				if nf.Name == "entity" {
					var es []model.Entity
					for _, n := range nodes {
						es = append(es, n.Entity)
					}
					w.value(es, nf.Selections)
				}
			}
		case "edges":
			for _, ef := range w.fields(f.Selections, "GraphEdge") {
				if ef.Name == "relationship" {
					var rels []*model.Relationship
					for _, e := range edges {
						if e.Relationship != nil {
							rels = append(rels, e.Relationship)
						}
					}
					w.relationships(rels, ef.Selections)
				}
			}
		}
	}
}

// relationships adds the entities that sels reads of rels (relationships at hand).
func (w *walker) relationships(rels []*model.Relationship, sels ast.SelectionSet) {
	for _, f := range w.fields(sels, "Relationship") {
		var ids []string
		for _, r := range rels {
			switch f.Name {
			case "other":
				ids = append(ids, r.OtherID)
			case "from":
				ids = append(ids, r.FromID)
			case "to":
				ids = append(ids, r.ToID)
			case "assertedBy":
				ids = append(ids, r.AssertedByID)
			case "sources":
				ids = append(ids, r.SourceIDs...)
			}
		}
		w.add(f.Selections, false, ids...)
	}
}

func incidentsAsEntities(ns []*model.Incident) []model.Entity {
	out := make([]model.Entity, 0, len(ns))
	for _, n := range ns {
		if n != nil {
			out = append(out, n)
		}
	}
	return out
}

func orgsAsEntities(ns []*model.Organization) []model.Entity {
	out := make([]model.Entity, 0, len(ns))
	for _, n := range ns {
		if n != nil {
			out = append(out, n)
		}
	}
	return out
}

func uniq(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// idOf returns the id of an entity the API answers (false for a nil one).
func idOf(e model.Entity) (string, bool) {
	switch x := e.(type) {
	case *model.Organization:
		if x != nil {
			return x.ID, true
		}
	case *model.Incident:
		if x != nil {
			return x.ID, true
		}
	case *model.Place:
		if x != nil {
			return x.ID, true
		}
	case *model.Country:
		if x != nil {
			return x.ID, true
		}
	case *model.Person:
		if x != nil {
			return x.ID, true
		}
	case *model.Event:
		if x != nil {
			return x.ID, true
		}
	case *model.Source:
		if x != nil {
			return x.ID, true
		}
	case *model.Group:
		if x != nil {
			return x.ID, true
		}
	}
	return "", false
}

// readFirst reads, for a root field that names its entities by id (entity, entities), the
// entities and everything its selection reads below them in one query, before the resolver
// answers from what was read; CompiledReads then leaves the field alone.
func (r *Resolver) readFirst(ctx context.Context, ids []string) error {
	l := loadersFrom(ctx)
	fc := graphql.GetFieldContext(ctx)
	if l.noCompile || fc == nil {
		return nil
	}
	opCtx := graphql.GetOperationContext(ctx)
	l.mu.Lock()
	l.prepared[fc.Field.Field] = true
	l.mu.Unlock()
	if err := l.answer(ctx, opCtx, []*group{{sels: fc.Field.Selections, ids: ids}}); err != nil {
		return err
	}
	// An id the read did not find is known not to exist.
	l.mu.Lock()
	for _, id := range ids {
		if _, ok := l.known[id]; !ok {
			l.known[id] = nil
		}
	}
	l.mu.Unlock()
	return nil
}
