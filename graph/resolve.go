package graph

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/99designs/gqlgen/graphql"

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
	return newRelKey(id, rf, limit), true
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
	l := loadersFrom(ctx)
	es, err := l.loadEntities(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	e := es[0]
	if e == nil {
		return nil, incidentgraph.Errorf(incidentgraph.EINTERNAL, "internal error")
	}
	return l.modelOf(e), nil
}

func (r *Resolver) sources(ctx context.Context, ids []string) ([]*model.Source, error) {
	l := loadersFrom(ctx)
	es, err := l.loadEntities(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Source, 0, len(es))
	for _, e := range es {
		if e == nil {
			continue
		}
		if s, ok := l.modelOf(e).(*model.Source); ok {
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
