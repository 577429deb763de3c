package graph

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/graph/model"
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
	// compiled holds the relationships a compiled query or a list's lookahead (see primeFor)
	// answered before their fields resolve, by key without prefetch (the query fetched the
	// entities they name where asked).
	compiled map[relKey][]*incidentgraph.Relationship
	// figs holds the figures a list's lookahead answered, by key.
	figs map[figKey][]*incidentgraph.Figure
	// primed holds, for each list whose lookahead has started, a channel closed when it ends.
	primed map[*graphql.FieldContext]chan struct{}
	// noLookahead, set only by tests (WithoutLookaheadForTest), leaves lists' fields to ask for
	// themselves: the negative control of the round-trip counts.
	noLookahead bool
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

// batchWait is how long a loader waits for more keys before it queries. It is only the safety
// net: the fields the API's lists hold are answered ahead, level by level, by the list's
// lookahead (primeFor), so that no timer decides how a request is batched; the window batches
// what the lookahead does not know (entities named by analyst answers, for one). A field that
// is not inside a list has no siblings to wait for, and skips the loader (see solo).
const batchWait = 2 * time.Millisecond

// windowKey marks the context of a store call that a loader's batch window dispatched.
type windowKey struct{}

func byWindow(ctx context.Context) context.Context { return context.WithValue(ctx, windowKey{}, true) }

// FromBatchWindow reports whether ctx is that of a store call that a loader's batch window (a
// timer) dispatched, rather than a lookahead, a compiled query or a field outside lists: how
// many round trips such a call saves depends on the machine's speed, so a store can count them
// (the round-trip tests show there are none for the shapes the API serves).
func FromBatchWindow(ctx context.Context) bool {
	v, _ := ctx.Value(windowKey{}).(bool)
	return v
}

// WithoutLookaheadForTest turns l's lists' lookahead off (see primeFor), so that every field
// asks for itself through the batch windows. It is for tests only: the negative control of the
// checks that lists cost a fixed number of round trips.
func (l *Loaders) WithoutLookaheadForTest() *Loaders {
	l.noLookahead = true
	return l
}

// NewLoaders returns fresh loaders over svc.
func NewLoaders(svc incidentgraph.GraphService) *Loaders {
	l := &Loaders{svc: svc, known: map[string]*incidentgraph.Entity{}, compiled: map[relKey][]*incidentgraph.Relationship{},
		figs: map[figKey][]*incidentgraph.Figure{}, primed: map[*graphql.FieldContext]chan struct{}{}}
	l.entities = dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*incidentgraph.Entity, []error) {
		byID, err := l.fetchEntities(byWindow(ctx), ids)
		if err != nil {
			return nil, []error{err}
		}
		out := make([]*incidentgraph.Entity, len(ids))
		for i, id := range ids {
			out[i] = byID[id]
		}
		return out, nil
	}, dataloadgen.WithWait(batchWait))
	l.relationships = dataloadgen.NewLoader(func(ctx context.Context, keys []relKey) ([][]*incidentgraph.Relationship, []error) {
		return l.fetchRelationships(byWindow(ctx), keys)
	}, dataloadgen.WithWait(batchWait))
	l.figures = dataloadgen.NewLoader(func(ctx context.Context, keys []figKey) ([][]*incidentgraph.Figure, []error) {
		out, err := l.fetchFigures(byWindow(ctx), keys)
		if err != nil {
			return nil, []error{err}
		}
		return out, nil
	}, dataloadgen.WithWait(batchWait))
	return l
}

// fetchFigures answers figure keys, one query per time view.
func (l *Loaders) fetchFigures(ctx context.Context, keys []figKey) ([][]*incidentgraph.Figure, error) {
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
		found, err := l.svc.FindFigures(ctx, ids, tv)
		if err != nil {
			return nil, err
		}
		for _, i := range at {
			out[i] = found[keys[i].id]
		}
	}
	return out, nil
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
// cost nothing; the rest are queried at once when the field is solo, answered by the lookahead
// of the list the field lies in otherwise, and, where that did not foresee them, batched with
// its siblings' through the loader.
func (l *Loaders) loadEntities(ctx context.Context, ids []string) ([]*incidentgraph.Entity, error) {
	if missing := l.unknown(ids); len(missing) > 0 {
		var err error
		if solo(ctx) {
			_, err = l.fetchEntities(ctx, missing)
		} else {
			l.primeFor(ctx)
			if missing = l.unknown(ids); len(missing) > 0 {
				_, err = l.entities.LoadAll(ctx, missing)
			}
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
// query when it answered them, else at once when the field is solo, from the lookahead of the
// list the field lies in otherwise, and, where that did not foresee them, batched with its
// siblings' through the loader.
func (l *Loaders) loadRelationships(ctx context.Context, k relKey) ([]*incidentgraph.Relationship, error) {
	c := k
	c.prefetch = false
	if rels, ok := l.answered(c); ok {
		return rels, nil
	}
	if !solo(ctx) {
		l.primeFor(ctx)
		if rels, ok := l.answered(c); ok {
			return rels, nil
		}
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

// answered returns the relationships a compiled query or a lookahead answered for c.
func (l *Loaders) answered(c relKey) ([]*incidentgraph.Relationship, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rels, ok := l.compiled[c]
	return rels, ok
}

// loadFigures returns the figures of k.id in k's time view, like loadRelationships.
func (l *Loaders) loadFigures(ctx context.Context, k figKey) ([]*incidentgraph.Figure, error) {
	if !solo(ctx) {
		if figs, ok := l.primedFigures(k); ok {
			return figs, nil
		}
		l.primeFor(ctx)
		if figs, ok := l.primedFigures(k); ok {
			return figs, nil
		}
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

func (l *Loaders) primedFigures(k figKey) ([]*incidentgraph.Figure, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	figs, ok := l.figs[k]
	return figs, ok
}

// maxPrimeLevels bounds how many levels one lookahead follows. The server's depth limit keeps
// every operation shallower; the bound only keeps the loop finite whatever the caller.
const maxPrimeLevels = 16

// primeFor answers ahead what the fields below the outermost list enclosing the field being
// resolved will ask: that list's result holds every item of the level, so the relationships,
// figures and entities their selections name are fetched level by level, one query per
// distinct filter (or time view) and one for the entities each level names, before the fields
// ask. The first field of the list to ask runs it; its siblings wait for it, so that a level's
// batch is closed by the level being known, not by a timer, and costs the same however slow the
// machine. What the lookahead does not foresee falls to the loaders' batch window. A failure
// stops the lookahead: the fields then ask for themselves and report their own errors.
func (l *Loaders) primeFor(ctx context.Context) {
	if l.noLookahead {
		return
	}
	var list *graphql.FieldContext
	for c := graphql.GetFieldContext(ctx); c != nil; c = c.Parent {
		if c.Index != nil && c.Parent != nil {
			list = c.Parent
		}
	}
	if list == nil {
		return
	}
	l.mu.Lock()
	done, started := l.primed[list]
	if !started {
		done = make(chan struct{})
		l.primed[list] = done
	}
	l.mu.Unlock()
	if started {
		select {
		case <-done:
		case <-ctx.Done():
		}
		return
	}
	defer close(done)
	opCtx := graphql.GetOperationContext(ctx)
	p := &primer{l: l, opCtx: opCtx, given: map[string]entityRef{}, fields: map[fieldsKey][]graphql.CollectedField{}}
	lv := p.items(list.Result, list.Field.Selections)
	for d := 0; d < maxPrimeLevels && !lv.empty(); d++ {
		var err error
		if lv, err = p.level(ctx, lv); err != nil {
			return
		}
	}
}

// entityRef is what a lookahead needs of an entity: its id, GraphQL type and sources.
type entityRef struct {
	id, typ string
	sources []string
}

// refOf returns the reference of an entity the API answers.
func refOf(e model.Entity) (entityRef, bool) {
	var ref entityRef
	switch x := e.(type) {
	case *model.Organization:
		if x != nil {
			ref = entityRef{x.ID, "Organization", x.SourceIDs}
		}
	case *model.Incident:
		if x != nil {
			ref = entityRef{x.ID, "Incident", x.SourceIDs}
		}
	case *model.Place:
		if x != nil {
			ref = entityRef{x.ID, "Place", x.SourceIDs}
		}
	case *model.Country:
		if x != nil {
			ref = entityRef{x.ID, "Country", x.SourceIDs}
		}
	case *model.Person:
		if x != nil {
			ref = entityRef{x.ID, "Person", x.SourceIDs}
		}
	case *model.Event:
		if x != nil {
			ref = entityRef{x.ID, "Event", x.SourceIDs}
		}
	case *model.Source:
		if x != nil {
			ref = entityRef{x.ID, "Source", x.SourceIDs}
		}
	case *model.Group:
		if x != nil {
			ref = entityRef{x.ID, "Group", x.SourceIDs}
		}
	}
	return ref, ref.typ != ""
}

// A primeLevel is what one level of a lookahead holds: entities named by id, and relationships
// and figures at hand, each with the selection the request reads of them.
type primeLevel struct {
	ents []idWave
	rels []relWave
	figs []figWave
}

type idWave struct {
	ids  []string
	sels ast.SelectionSet
	// atHand: the list answered these entities itself; a field that names an entity (even
	// one of these) resolves it through the loaders, so those are looked up.
	atHand bool
}

type relWave struct {
	rels []*model.Relationship
	sels ast.SelectionSet
}

type figWave struct {
	figs []*model.Figure
	sels ast.SelectionSet
}

func (lv primeLevel) empty() bool { return len(lv.ents) == 0 && len(lv.rels) == 0 && len(lv.figs) == 0 }

// fieldsKey names a selection collected for one type.
type fieldsKey struct {
	first *ast.Selection
	n     int
	typ   string
}

// primer is one list's lookahead.
type primer struct {
	l     *Loaders
	opCtx *graphql.OperationContext
	// given holds the entities the list itself answered (they need no query).
	given  map[string]entityRef
	fields map[fieldsKey][]graphql.CollectedField
}

// collect returns the fields sels selects on an object of type typ (and the interface Entity),
// as the executor collects them, fragments and @skip/@include included.
func (p *primer) collect(sels ast.SelectionSet, typ string) []graphql.CollectedField {
	if len(sels) == 0 {
		return nil
	}
	k := fieldsKey{&sels[0], len(sels), typ}
	if fs, ok := p.fields[k]; ok {
		return fs
	}
	satisfies := []string{typ}
	if typ != "Relationship" && typ != "Figure" && typ != "OrganizationEdge" && typ != "IncidentEdge" {
		satisfies = append(satisfies, "Entity")
	}
	fs := graphql.CollectFields(p.opCtx, sels, satisfies)
	p.fields[k] = fs
	return fs
}

// items reads a list's result: entities (and connection edges' nodes), relationships or
// figures. Items of other types are left to the loaders.
func (p *primer) items(list any, sels ast.SelectionSet) primeLevel {
	var lv primeLevel
	v := reflect.ValueOf(list)
	if v.Kind() != reflect.Slice {
		return lv
	}
	ents := idWave{sels: sels, atHand: true}
	rels := relWave{sels: sels}
	figs := figWave{sels: sels}
	addEntity := func(e model.Entity, w *idWave) {
		if ref, ok := refOf(e); ok {
			p.given[ref.id] = ref
			w.ids = append(w.ids, ref.id)
		}
	}
	for i := range v.Len() {
		switch x := v.Index(i).Interface().(type) {
		case *model.Relationship:
			if x != nil {
				rels.rels = append(rels.rels, x)
			}
		case *model.Figure:
			if x != nil {
				figs.figs = append(figs.figs, x)
			}
		case *model.OrganizationEdge:
			for _, f := range p.collect(sels, "OrganizationEdge") {
				if f.Name == "node" && x != nil && x.Node != nil {
					w := idWave{sels: f.Selections, atHand: true}
					addEntity(x.Node, &w)
					lv.ents = append(lv.ents, w)
				}
			}
		case *model.IncidentEdge:
			for _, f := range p.collect(sels, "IncidentEdge") {
				if f.Name == "node" && x != nil && x.Node != nil {
					w := idWave{sels: f.Selections, atHand: true}
					addEntity(x.Node, &w)
					lv.ents = append(lv.ents, w)
				}
			}
		case model.Entity:
			addEntity(x, &ents)
		}
	}
	if len(ents.ids) > 0 {
		lv.ents = append(lv.ents, ents)
	}
	if len(rels.rels) > 0 {
		lv.rels = append(lv.rels, rels)
	}
	if len(figs.figs) > 0 {
		lv.figs = append(lv.figs, figs)
	}
	return lv
}

// pendingRels is a relationships field of one entity that a level answers.
type pendingRels struct {
	parent string
	key    relKey
	sels   ast.SelectionSet
}

type pendingFigs struct {
	key  figKey
	sels ast.SelectionSet
}

// level answers one level: the entities it names (one query), then the relationships and
// figures their selections ask for (one query per distinct filter or time view), and returns
// the next level.
func (p *primer) level(ctx context.Context, lv primeLevel) (primeLevel, error) {
	// Relationships and figures at hand name entities: those are this level's too.
	ents := lv.ents
	for _, w := range lv.rels {
		for _, f := range p.collect(w.sels, "Relationship") {
			next := idWave{sels: f.Selections}
			for _, r := range w.rels {
				switch f.Name {
				case "other":
					next.ids = append(next.ids, r.OtherID)
				case "from":
					next.ids = append(next.ids, r.FromID)
				case "to":
					next.ids = append(next.ids, r.ToID)
				case "assertedBy":
					next.ids = append(next.ids, r.AssertedByID)
				case "sources":
					next.ids = append(next.ids, r.SourceIDs...)
				}
			}
			if len(next.ids) > 0 {
				ents = append(ents, next)
			}
		}
	}
	for _, w := range lv.figs {
		for _, f := range p.collect(w.sels, "Figure") {
			next := idWave{sels: f.Selections}
			for _, fig := range w.figs {
				switch f.Name {
				case "assertedBy":
					next.ids = append(next.ids, fig.AssertedByID)
				case "sources":
					next.ids = append(next.ids, fig.SourceIDs...)
				}
			}
			if len(next.ids) > 0 {
				ents = append(ents, next)
			}
		}
	}
	var ids []string
	for _, w := range ents {
		if !w.atHand {
			ids = append(ids, w.ids...)
		}
	}
	if missing := p.l.unknown(ids); len(missing) > 0 {
		if _, err := p.l.fetchEntities(ctx, missing); err != nil {
			return primeLevel{}, err
		}
	}

	// What the entities' selections ask for.
	var next primeLevel
	var rels []pendingRels
	var figs []pendingFigs
	for _, w := range ents {
		for _, id := range w.ids {
			ref, ok := p.given[id]
			if !ok {
				p.l.mu.Lock()
				e := p.l.known[id]
				p.l.mu.Unlock()
				if e == nil {
					continue
				}
				if ref, ok = refOf(toEntity(e)); !ok {
					continue
				}
			}
			for _, f := range p.collect(w.sels, ref.typ) {
				switch f.Name {
				case "relationships":
					if k, ok := relKeyOf(p.opCtx, id, f); ok {
						k.prefetch = false
						rels = append(rels, pendingRels{id, k, f.Selections})
					}
				case "figures":
					if k, ok := figKeyOf(p.opCtx, id, f); ok {
						figs = append(figs, pendingFigs{k, f.Selections})
					}
				case "sources":
					if len(ref.sources) > 0 {
						next.ents = append(next.ents, idWave{ids: ref.sources, sels: f.Selections})
					}
				}
			}
		}
	}
	if err := p.fetchRels(ctx, rels); err != nil {
		return primeLevel{}, err
	}
	if err := p.fetchFigs(ctx, figs); err != nil {
		return primeLevel{}, err
	}
	for _, r := range rels {
		found, _ := p.l.answered(r.key)
		w := relWave{sels: r.sels}
		for _, rel := range found {
			w.rels = append(w.rels, toRelationship(rel, r.parent))
		}
		if len(w.rels) > 0 {
			next.rels = append(next.rels, w)
		}
	}
	for _, f := range figs {
		found, _ := p.l.primedFigures(f.key)
		w := figWave{sels: f.sels}
		for _, fig := range found {
			w.figs = append(w.figs, toFigure(fig))
		}
		if len(w.figs) > 0 {
			next.figs = append(next.figs, w)
		}
	}
	return next, nil
}

// fetchRels answers the relationships keys not yet answered, as the loader does (one query per
// distinct filter; the keys ask for no prefetch), and keeps the answers for the fields.
func (p *primer) fetchRels(ctx context.Context, pending []pendingRels) error {
	var keys []relKey
	seen := map[relKey]bool{}
	for _, r := range pending {
		if _, ok := p.l.answered(r.key); ok || seen[r.key] {
			continue
		}
		seen[r.key] = true
		keys = append(keys, r.key)
	}
	found, errs := p.l.fetchRelationships(ctx, keys)
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	p.l.mu.Lock()
	defer p.l.mu.Unlock()
	for i, k := range keys {
		p.l.compiled[k] = found[i]
	}
	return nil
}

// fetchFigs answers the figures keys not yet answered, as the loader does (one query per time
// view), and keeps the answers for the fields.
func (p *primer) fetchFigs(ctx context.Context, pending []pendingFigs) error {
	var keys []figKey
	seen := map[figKey]bool{}
	for _, f := range pending {
		if _, ok := p.l.primedFigures(f.key); ok || seen[f.key] {
			continue
		}
		seen[f.key] = true
		keys = append(keys, f.key)
	}
	found, err := p.l.fetchFigures(ctx, keys)
	if err != nil {
		return err
	}
	p.l.mu.Lock()
	defer p.l.mu.Unlock()
	for i, k := range keys {
		p.l.figs[k] = found[i]
	}
	return nil
}

// figKeyOf reads a figures field's arguments into the key its resolver will load.
func figKeyOf(opCtx *graphql.OperationContext, id string, f graphql.CollectedField) (figKey, bool) {
	args := f.ArgumentMap(opCtx.Variables)
	var tv incidentgraph.TimeView
	for name, at := range map[string]*incidentgraph.PartialDate{"knownAt": &tv.KnownAt, "validAt": &tv.ValidAt} {
		switch v := args[name].(type) {
		case nil:
		case string:
			*at = incidentgraph.PartialDate(v)
		default:
			return figKey{}, false
		}
	}
	return figKey{id: id, tv: tv}, true
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
