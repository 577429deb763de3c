package graph

import (
	"context"
	"strings"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/incidentgraph/incidentgraph"
)

// Loaders batch the lookups that resolvers make field by field, so that a request costs one
// query per level of nesting however many objects a level holds (no N+1). They live for one
// GraphQL operation: their caches never outlive it.
type Loaders struct {
	entities      *dataloadgen.Loader[string, *incidentgraph.Entity]
	relationships *dataloadgen.Loader[relKey, []*incidentgraph.Relationship]
	figures       *dataloadgen.Loader[figKey, []*incidentgraph.Figure]
}

// figKey asks for one subject's figures in one time view.
type figKey struct {
	id string
	tv incidentgraph.TimeView
}

// relKey asks for one entity's relationships under one filter. The filter is flattened into
// comparable fields so that it can be part of a map key.
type relKey struct {
	id            string
	types         string
	statuses      string
	minConfidence int
	assertedBy    string
	direction     incidentgraph.Direction
	knownAt       incidentgraph.PartialDate
	validAt       incidentgraph.PartialDate
	limit         int
}

func newRelKey(id string, f incidentgraph.RelationshipFilter, limit int) relKey {
	k := relKey{id: id, minConfidence: f.MinConfidence, assertedBy: f.AssertedBy, direction: f.Direction,
		knownAt: f.KnownAt, validAt: f.ValidAt, limit: limit}
	var ts, ss []string
	for _, t := range f.Types {
		ts = append(ts, string(t))
	}
	for _, s := range f.Statuses {
		ss = append(ss, string(s))
	}
	k.types, k.statuses = strings.Join(ts, ","), strings.Join(ss, ",")
	return k
}

func (k relKey) filter() incidentgraph.RelationshipFilter {
	f := incidentgraph.RelationshipFilter{MinConfidence: k.minConfidence, AssertedBy: k.assertedBy, Direction: k.direction,
		KnownAt: k.knownAt, ValidAt: k.validAt}
	if k.types != "" {
		for _, t := range strings.Split(k.types, ",") {
			f.Types = append(f.Types, incidentgraph.RelType(t))
		}
	}
	if k.statuses != "" {
		for _, s := range strings.Split(k.statuses, ",") {
			f.Statuses = append(f.Statuses, incidentgraph.Status(s))
		}
	}
	return f
}

// batchWait is how long a loader waits for more keys before it queries. Resolvers of one level
// run concurrently and ask within microseconds of each other.
const batchWait = 2 * time.Millisecond

// NewLoaders returns fresh loaders over svc.
func NewLoaders(svc incidentgraph.GraphService) *Loaders {
	return &Loaders{
		entities: dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*incidentgraph.Entity, []error) {
			found, err := svc.FindEntitiesByIDs(ctx, ids)
			if err != nil {
				return nil, []error{err}
			}
			byID := make(map[string]*incidentgraph.Entity, len(found))
			for _, e := range found {
				byID[e.ID] = e
			}
			out := make([]*incidentgraph.Entity, len(ids))
			for i, id := range ids {
				out[i] = byID[id]
			}
			return out, nil
		}, dataloadgen.WithWait(batchWait)),

		relationships: dataloadgen.NewLoader(func(ctx context.Context, keys []relKey) ([][]*incidentgraph.Relationship, []error) {
			// Keys that share a filter share a query.
			type group struct {
				ids []string
				at  []int
			}
			groups := map[relKey]*group{}
			for i, k := range keys {
				g := k
				g.id = ""
				if groups[g] == nil {
					groups[g] = &group{}
				}
				groups[g].ids = append(groups[g].ids, k.id)
				groups[g].at = append(groups[g].at, i)
			}
			out := make([][]*incidentgraph.Relationship, len(keys))
			errs := make([]error, len(keys))
			for g, members := range groups {
				found, err := svc.FindRelationships(ctx, members.ids, g.filter(), g.limit)
				for j, id := range members.ids {
					i := members.at[j]
					if err != nil {
						errs[i] = err
						continue
					}
					out[i] = found[id]
				}
			}
			return out, errs
		}, dataloadgen.WithWait(batchWait)),

		figures: dataloadgen.NewLoader(func(ctx context.Context, keys []figKey) ([][]*incidentgraph.Figure, []error) {
			// Keys that share a time view share a query.
			byView := map[incidentgraph.TimeView][]int{}
			for i, k := range keys {
				byView[k.tv] = append(byView[k.tv], i)
			}
			out := make([][]*incidentgraph.Figure, len(keys))
			for tv, at := range byView {
				ids := make([]string, len(at))
				for j, i := range at {
					ids[j] = keys[i].id
				}
				found, err := svc.FindFigures(ctx, ids, tv)
				if err != nil {
					return nil, []error{err}
				}
				for _, i := range at {
					out[i] = found[keys[i].id]
				}
			}
			return out, nil
		}, dataloadgen.WithWait(batchWait)),
	}
}

type loadersKey struct{}

// WithLoaders returns a context that carries l.
func WithLoaders(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

func loadersFrom(ctx context.Context) *Loaders {
	l, _ := ctx.Value(loadersKey{}).(*Loaders)
	if l == nil {
		panic("graph: no loaders in context; wrap operations with WithLoaders")
	}
	return l
}
