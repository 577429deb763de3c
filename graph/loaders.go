package graph

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"

	"github.com/incidentgraph/incidentgraph"
)

// Loaders batch the lookups that resolvers make field by field, so that a request costs one
// query per level of nesting however many objects a level holds (no N+1). They live for one
// GraphQL operation: their caches never outlive it.
type Loaders struct {
	svc           incidentgraph.GraphService
	entities      *dataloadgen.Loader[string, *incidentgraph.Entity]
	relationships *dataloadgen.Loader[relKey, []*incidentgraph.Relationship]
	figures       *dataloadgen.Loader[figKey, []*incidentgraph.Figure]

	mu    sync.Mutex
	known map[string]*incidentgraph.Entity // every entity id answered so far (nil: none exists)
	// compiled holds the relationships a compiled query answered before their fields resolve,
	// by key without prefetch (the query fetched the entities they name where asked).
	compiled map[relKey][]*incidentgraph.Relationship
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
	retracted     bool // includeRetracted
	limit         int
	// prefetch asks for the entities the relationships name (ends, asserter, sources) too.
	prefetch bool
}

func newRelKey(id string, f incidentgraph.RelationshipFilter, limit int) relKey {
	k := relKey{id: id, minConfidence: f.MinConfidence, assertedBy: f.AssertedBy, direction: f.Direction,
		knownAt: f.KnownAt, validAt: f.ValidAt, retracted: f.IncludeRetracted, limit: limit}
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
		KnownAt: k.knownAt, ValidAt: k.validAt, IncludeRetracted: k.retracted}
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
// run concurrently and ask within microseconds of each other. A field that is not inside a list
// has no siblings to wait for, and skips the loader (see solo).
const batchWait = 2 * time.Millisecond

// NewLoaders returns fresh loaders over svc.
func NewLoaders(svc incidentgraph.GraphService) *Loaders {
	l := &Loaders{svc: svc, known: map[string]*incidentgraph.Entity{}, compiled: map[relKey][]*incidentgraph.Relationship{}}
	l.entities = dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*incidentgraph.Entity, []error) {
		byID, err := l.fetchEntities(ctx, ids)
		if err != nil {
			return nil, []error{err}
		}
		out := make([]*incidentgraph.Entity, len(ids))
		for i, id := range ids {
			out[i] = byID[id]
		}
		return out, nil
	}, dataloadgen.WithWait(batchWait))
	l.relationships = dataloadgen.NewLoader(l.fetchRelationships, dataloadgen.WithWait(batchWait))
	l.figures = dataloadgen.NewLoader(func(ctx context.Context, keys []figKey) ([][]*incidentgraph.Figure, []error) {
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
	}, dataloadgen.WithWait(batchWait))
	return l
}

// fetchEntities queries the entities among ids and remembers every answer, a miss included, so
// that no later field of the operation asks again.
func (l *Loaders) fetchEntities(ctx context.Context, ids []string) (map[string]*incidentgraph.Entity, error) {
	found, err := l.svc.FindEntitiesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*incidentgraph.Entity, len(ids))
	for _, e := range found {
		byID[e.ID] = e
	}
	l.mu.Lock()
	for _, id := range ids {
		l.known[id] = byID[id]
	}
	l.mu.Unlock()
	return byID, nil
}

// unknown returns the ids (once each) that no query of this operation has answered yet.
func (l *Loaders) unknown(ids []string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if _, ok := l.known[id]; !ok && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// loadEntities returns the entity of each id (nil where none exists), in order. Known entities
// cost nothing; the rest are queried at once when the field is solo, or batched with its
// siblings' through the loader otherwise.
func (l *Loaders) loadEntities(ctx context.Context, ids []string) ([]*incidentgraph.Entity, error) {
	if missing := l.unknown(ids); len(missing) > 0 {
		var err error
		if solo(ctx) {
			_, err = l.fetchEntities(ctx, missing)
		} else {
			_, err = l.entities.LoadAll(ctx, missing)
		}
		if err != nil {
			return nil, err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]*incidentgraph.Entity, len(ids))
	for i, id := range ids {
		out[i] = l.known[id]
	}
	return out, nil
}

// loadRelationships returns the relationships of k.id under k's filter: from the compiled
// query when it answered them, else at once when the field is solo, batched with its siblings'
// otherwise.
func (l *Loaders) loadRelationships(ctx context.Context, k relKey) ([]*incidentgraph.Relationship, error) {
	c := k
	c.prefetch = false
	l.mu.Lock()
	rels, ok := l.compiled[c]
	l.mu.Unlock()
	if ok {
		return rels, nil
	}
	if !solo(ctx) {
		return l.relationships.Load(ctx, k)
	}
	out, errs := l.fetchRelationships(ctx, []relKey{k})
	if len(errs) > 0 && errs[0] != nil {
		return nil, errs[0]
	}
	return out[0], nil
}

// loadTree answers an entity and the nested relationships plan compiles from its selection
// in one query, and keeps what it found for the fields below: the relationships of every
// entity at each depth, and the entities they name. It returns nil when no entity has the id.
func (l *Loaders) loadTree(ctx context.Context, tf treeFinder, id string, plan treePlan) (*incidentgraph.Entity, error) {
	filters := make([]incidentgraph.RelationshipFilter, len(plan.levels))
	limits := make([]int, len(plan.levels))
	for d, k := range plan.levels {
		filters[d], limits[d] = k.filter(), k.limit
	}
	root, named, levels, err := tf.FindRelationshipTree(ctx, id, filters, limits, plan.provenance, plan.brief, plan.briefRels)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if root == nil {
		l.known[id] = nil
		return nil, nil
	}
	for eid, e := range named {
		l.known[eid] = e
	}
	for d, byParent := range levels {
		for parent, rels := range byParent {
			k := plan.levels[d]
			k.id = parent
			l.compiled[k] = rels
		}
	}
	return root, nil
}

// loadFigures returns the figures of k.id in k's time view, like loadRelationships.
func (l *Loaders) loadFigures(ctx context.Context, k figKey) ([]*incidentgraph.Figure, error) {
	if !solo(ctx) {
		return l.figures.Load(ctx, k)
	}
	found, err := l.svc.FindFigures(ctx, []string{k.id}, k.tv)
	if err != nil {
		return nil, err
	}
	return found[k.id], nil
}

// fetchRelationships answers relationship keys, one query per distinct filter. When a key asks
// for it (its selection reads ends, asserters or sources), the entities those relationships
// name are fetched right away in one more query, so that the next level finds them known
// instead of waiting for a batch of its own.
func (l *Loaders) fetchRelationships(ctx context.Context, keys []relKey) ([][]*incidentgraph.Relationship, []error) {
	// Keys that share a filter share a query.
	type group struct {
		ids []string
		at  []int
	}
	groups := map[relKey]*group{}
	prefetch := false
	for i, k := range keys {
		prefetch = prefetch || k.prefetch
		g := k
		g.id, g.prefetch = "", false
		if groups[g] == nil {
			groups[g] = &group{}
		}
		groups[g].ids = append(groups[g].ids, k.id)
		groups[g].at = append(groups[g].at, i)
	}
	out := make([][]*incidentgraph.Relationship, len(keys))
	errs := make([]error, len(keys))
	var named []string
	for g, members := range groups {
		found, err := l.svc.FindRelationships(ctx, members.ids, g.filter(), g.limit)
		for j, id := range members.ids {
			i := members.at[j]
			if err != nil {
				errs[i] = err
				continue
			}
			out[i] = found[id]
			if keys[i].prefetch {
				for _, r := range found[id] {
					named = append(named, r.FromID, r.ToID, r.AssertedByID)
					named = append(named, r.SourceIDs...)
				}
			}
		}
	}
	if missing := l.unknown(named); prefetch && len(missing) > 0 {
		// A failure here is not the relationships' failure: the fields that need these
		// entities ask again through the loader and report their own error.
		_, _ = l.fetchEntities(ctx, missing)
	}
	return out, errs
}

// solo reports whether the field being resolved lies outside every list, so that no sibling
// resolver can join its batch: waiting for one would only add latency.
func solo(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return false
	}
	for _, p := range fc.Path() {
		if _, ok := p.(ast.PathIndex); ok {
			return false
		}
	}
	return true
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
