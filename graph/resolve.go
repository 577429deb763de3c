package graph

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/graph/model"
)

// Shared resolver logic: argument bounds, loader calls and mapping. The generated resolver
// methods in schema.resolvers.go call these.

func invalid(format string, args ...any) error {
	return incidentgraph.Errorf(incidentgraph.EINVALID, format, args...)
}

// bounded returns *v (or def when nil) after checking it lies in [lo, hi].
func bounded(name string, v *int, def, lo, hi int) (int, error) {
	n := def
	if v != nil {
		n = *v
	}
	if n < lo || n > hi {
		return 0, invalid("%s must be between %d and %d", name, lo, hi)
	}
	return n, nil
}

func checkID(name, id string) error {
	if !incidentgraph.ValidID(id) {
		return invalid("%s: %q is not an entity id (lowercase words joined by hyphens, e.g. islamic-state)", name, id)
	}
	return nil
}

func (r *Resolver) relationships(ctx context.Context, id string, filter *model.RelationshipFilter, first *int, knownAt, validAt *incidentgraph.PartialDate) ([]*model.Relationship, error) {
	f, err := relFilter(filter, knownAt, validAt)
	if err != nil {
		return nil, err
	}
	limit, err := bounded("first", first, 100, 1, incidentgraph.MaxRelationships)
	if err != nil {
		return nil, err
	}
	k := newRelKey(id, f, limit)
	k.prefetch = selectsEntities(ctx)
	rels, err := loadersFrom(ctx).loadRelationships(ctx, k)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Relationship, len(rels))
	for i, rel := range rels {
		out[i] = toRelationship(rel, id)
	}
	return out, nil
}

// treeFinder is implemented by a store that answers an entity with nested levels of
// relationships in one query (neo4j.DB.FindRelationshipTree).
type treeFinder interface {
	FindRelationshipTree(ctx context.Context, id string, levels []incidentgraph.RelationshipFilter, limits []int, provenance []bool, brief, briefRels bool) (*incidentgraph.Entity, map[string]*incidentgraph.Entity, []map[string][]*incidentgraph.Relationship, error)
}

// maxTreeLevels is how many levels of relationships one compiled query follows (the store's
// own bound is the same).
const maxTreeLevels = 4

// treePlan is a selection of nested relationships compiled into one store query: levels[d] is
// the key (without an id) that the relationships field at depth d will load, provenance[d]
// whether that level reads asserters or sources.
type treePlan struct {
	levels     []relKey
	provenance []bool
	// brief: the operation reads nothing of any entity but its id, kind and name (and
	// relationships), so the entities the query names need hold nothing else. The rule is
	// operation-wide because every field of the operation shares the entities it has found.
	brief bool
	// briefRels: likewise, the operation reads of no relationship more than briefRelFields.
	briefRels bool
}

// compileTree reads, from the selection of the field being resolved (an entity), the chain of
// `relationships { other { relationships { other ... } } }` it asks for, with the arguments
// each field's resolver will read. A level is compiled only where its selection names exactly
// one set of arguments on the Entity interface itself (so that every kind of entity has it);
// what it cannot compile is left to the resolvers and their loaders. An empty plan compiles
// nothing.
func compileTree(ctx context.Context) treePlan {
	opCtx := graphql.GetOperationContext(ctx)
	var plan treePlan
	fields := graphql.CollectFieldsCtx(ctx, []string{"Entity"})
	for len(plan.levels) < maxTreeLevels {
		var rels []graphql.CollectedField
		for _, f := range fields {
			if f.Name == "relationships" {
				rels = append(rels, f)
			}
		}
		if len(rels) != 1 {
			break
		}
		k, ok := relKeyOf(opCtx, "", rels[0])
		if !ok {
			break
		}
		k.prefetch = false
		plan.levels = append(plan.levels, k)
		prov := false
		fields = fields[:0:0]
		for _, sel := range graphql.CollectFields(opCtx, rels[0].Selections, []string{"Relationship"}) {
			switch sel.Name {
			case "assertedBy", "sources":
				prov = true
			case "other":
				fields = append(fields, graphql.CollectFields(opCtx, sel.Selections, []string{"Entity"})...)
			}
		}
		plan.provenance = append(plan.provenance, prov)
	}
	plan.brief = len(plan.levels) > 0 && readsOnly(opCtx, opCtx.Operation.SelectionSet, isEntity, briefFields)
	plan.briefRels = len(plan.levels) > 0 && readsOnly(opCtx, opCtx.Operation.SelectionSet, isRelationship, briefRelFields)
	return plan
}

// briefFields are the Entity fields answered from an entity's id, kind and name alone (or, for
// relationships, not from the entity at all).
var briefFields = map[string]bool{"__typename": true, "id": true, "kind": true, "name": true, "relationships": true}

// briefRelFields are the Relationship fields answered from its id, type, ends, status,
// confidence, asserter and sources (the rest come from its other properties).
var briefRelFields = map[string]bool{"__typename": true, "id": true, "type": true, "direction": true, "from": true, "to": true,
	"other": true, "status": true, "confidence": true, "confidenceLevel": true, "assertedBy": true, "sources": true}

func isEntity(d *ast.Definition) bool {
	return d.Name == "Entity" || slices.Contains(d.Interfaces, "Entity")
}

func isRelationship(d *ast.Definition) bool { return d.Name == "Relationship" }

// readsOnly reports whether every field selected on a type of the kind anywhere in set
// (fragments included) is among fields.
func readsOnly(opCtx *graphql.OperationContext, set ast.SelectionSet, kind func(*ast.Definition) bool, fields map[string]bool) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if d := s.ObjectDefinition; d != nil && kind(d) && !fields[s.Name] {
				return false
			}
			if !readsOnly(opCtx, s.SelectionSet, kind, fields) {
				return false
			}
		case *ast.InlineFragment:
			if !readsOnly(opCtx, s.SelectionSet, kind, fields) {
				return false
			}
		case *ast.FragmentSpread:
			f := s.Definition
			if f == nil {
				f = opCtx.Doc.Fragments.ForName(s.Name)
			}
			if f == nil || !readsOnly(opCtx, f.SelectionSet, kind, fields) {
				return false
			}
		}
	}
	return true
}

// relKeyOf reads a relationships field's arguments into the key its resolver will load.
func relKeyOf(opCtx *graphql.OperationContext, id string, f graphql.CollectedField) (relKey, bool) {
	args := f.ArgumentMap(opCtx.Variables)
	var filter *model.RelationshipFilter
	if v := args["filter"]; v != nil {
		b, err := json.Marshal(v)
		filter = &model.RelationshipFilter{}
		if err != nil || json.Unmarshal(b, filter) != nil {
			return relKey{}, false
		}
	}
	var first *int
	switch n := args["first"].(type) {
	case int64:
		v := int(n)
		first = &v
	case int:
		first = &n
	case nil:
	default:
		return relKey{}, false
	}
	date := func(name string) (*incidentgraph.PartialDate, bool) {
		switch v := args[name].(type) {
		case nil:
			return nil, true
		case string:
			d := incidentgraph.PartialDate(v)
			return &d, true
		}
		return nil, false
	}
	knownAt, ok1 := date("knownAt")
	validAt, ok2 := date("validAt")
	if !ok1 || !ok2 {
		return relKey{}, false
	}
	rf, err := relFilter(filter, knownAt, validAt)
	if err != nil {
		return relKey{}, false
	}
	limit, err := bounded("first", first, 100, 1, incidentgraph.MaxRelationships)
	if err != nil {
		return relKey{}, false
	}
	k := newRelKey(id, rf, limit)
	for _, sel := range graphql.CollectFields(opCtx, f.Selections, []string{"Relationship"}) {
		k.prefetch = k.prefetch || entityFields[sel.Name]
	}
	return k, true
}

// entityFields are the Relationship fields that resolve to entities it names.
var entityFields = map[string]bool{"from": true, "to": true, "other": true, "assertedBy": true, "sources": true}

// selectsEntities reports whether the selection of the relationships field being resolved
// reads any entity a relationship names, so that fetching them with the relationships saves
// the next level a round trip (and fetching them otherwise would be waste).
func selectsEntities(ctx context.Context) bool {
	if graphql.GetFieldContext(ctx) == nil {
		return false
	}
	for _, f := range graphql.CollectFieldsCtx(ctx, []string{"Relationship"}) {
		if entityFields[f.Name] {
			return true
		}
	}
	return false
}

func (r *Resolver) figures(ctx context.Context, id string, metric *model.FigureMetric, knownAt, validAt *incidentgraph.PartialDate) ([]*model.Figure, error) {
	figs, err := loadersFrom(ctx).loadFigures(ctx, figKey{id: id, tv: timeView(knownAt, validAt)})
	if err != nil {
		return nil, err
	}
	out := []*model.Figure{}
	for _, f := range figs {
		if metric == nil || f.Metric == string(*metric) {
			out = append(out, toFigure(f))
		}
	}
	return out, nil
}

// entityByID resolves an id held by a relationship or figure. The graph guarantees the entity
// exists (the loader checks every reference), so a miss is an internal error.
func (r *Resolver) entityByID(ctx context.Context, id string) (model.Entity, error) {
	es, err := loadersFrom(ctx).loadEntities(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	e := es[0]
	if e == nil {
		return nil, incidentgraph.Errorf(incidentgraph.EINTERNAL, "internal error")
	}
	return toEntity(e), nil
}

func (r *Resolver) sources(ctx context.Context, ids []string) ([]*model.Source, error) {
	es, err := loadersFrom(ctx).loadEntities(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Source, 0, len(es))
	for _, e := range es {
		if s, ok := toEntity(e).(*model.Source); ok {
			out = append(out, s)
		}
	}
	return out, nil
}

func pageArgs(first *int, after *string) (incidentgraph.Page, error) {
	n, err := bounded("first", first, 20, 1, incidentgraph.MaxPageSize)
	if err != nil {
		return incidentgraph.Page{}, err
	}
	p := incidentgraph.Page{First: n}
	if after != nil {
		p.After = *after
	}
	return p, nil
}

func pageInfo(p *incidentgraph.EntityPage) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: p.HasNextPage}
	if n := len(p.Cursors); n > 0 {
		info.EndCursor = &p.Cursors[n-1]
	}
	return info
}

func searchText(text string) (string, error) {
	t := strings.TrimSpace(text)
	if t == "" || len([]rune(t)) > incidentgraph.MaxSearchTextLength {
		return "", invalid("text must be 1 to %d characters", incidentgraph.MaxSearchTextLength)
	}
	return t, nil
}
