package graph

import (
	"context"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/graph/model"
)

// Loaders hold what one GraphQL operation has read of the graph: the compiled reads
// (CompiledReads, compile.go) fill them before the fields resolve, and the fields answer from
// them. A field whose answer is not there (beyond the read bounds, or a shape the compiler left
// out) asks the store for itself at once: no field waits on a timer to be batched with others.
// They live for one operation: nothing outlives it.
type Loaders struct {
	svc incidentgraph.GraphService

	mu sync.Mutex
	// known holds every entity id answered so far (nil: none exists); full marks those
	// answered with all their properties rather than id, kind and name.
	known map[string]*incidentgraph.Entity
	full  map[string]bool
	// models holds the API's object of each entity a field has answered with, so that one
	// named by many relationships (an asserter, a source) is converted once. It is keyed by the
	// store's entity, so that a whole answer that replaces a brief one is converted anew.
	models map[*incidentgraph.Entity]model.Entity
	// compiled holds the relationships answered so far, by key (without prefetch).
	compiled map[relKey][]*incidentgraph.Relationship
	// figs holds the figures answered so far, by key.
	figs map[figKey][]*incidentgraph.Figure
	// history holds the audit trails answered so far, by item id, each read with the limit
	// historyLimit says.
	history      map[string][]*incidentgraph.Change
	historyLimit map[string]int
	// prepared marks the root fields whose resolver read its selection itself (entity,
	// entities), so that CompiledReads does not read it again.
	prepared map[*ast.Field]bool
	// noCompile, set only by tests (WithoutCompiledReadsForTest), leaves every field to ask
	// for itself: the negative control of the round-trip counts.
	noCompile bool
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

// WithoutCompiledReadsForTest turns l's compiled reads off, so that every field asks the store
// for itself. It is for tests only: the negative control of the checks that a question costs a
// fixed number of round trips.
func (l *Loaders) WithoutCompiledReadsForTest() *Loaders {
	l.noCompile = true
	return l
}

// NewLoaders returns fresh loaders over svc.
func NewLoaders(svc incidentgraph.GraphService) *Loaders {
	return &Loaders{svc: svc, known: map[string]*incidentgraph.Entity{}, full: map[string]bool{}, models: map[*incidentgraph.Entity]model.Entity{},
		compiled: map[relKey][]*incidentgraph.Relationship{}, figs: map[figKey][]*incidentgraph.Figure{},
		prepared: map[*ast.Field]bool{}, history: map[string][]*incidentgraph.Change{}, historyLimit: map[string]int{}}
}

// modelOf returns e as the API's object, converted once per operation. The executor only
// reads the objects it is given, so one object can answer every field that names e.
func (l *Loaders) modelOf(e *incidentgraph.Entity) model.Entity {
	l.mu.Lock()
	defer l.mu.Unlock()
	m, ok := l.models[e]
	if !ok {
		m = toEntity(e)
		l.models[e] = m
	}
	return m
}

// answer compiles each group (one per field of the result that holds entities) and reads it,
// one query per group, then keeps what the reads found for the fields below.
func (l *Loaders) answer(ctx context.Context, opCtx *graphql.OperationContext, groups []*group) error {
	for _, g := range groups {
		c := newCompiler(opCtx)
		sel := c.entity(g.sels, 0)
		if g.atHand && empty(sel) {
			continue
		}
		ans, err := l.svc.Read(ctx, uniq(g.ids), sel)
		if err != nil {
			return err
		}
		l.remember(ans, c)
	}
	return nil
}

// remember keeps a read's answer: its entities (a whole one replaces a brief one, never the
// reverse) and its relationships and figures under the keys the fields will ask with.
func (l *Loaders) remember(ans *incidentgraph.ReadAnswer, c *compiler) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, e := range ans.Entities {
		whole := ans.Full[id]
		if old, ok := l.known[id]; !ok || old == nil || (whole && !l.full[id]) {
			l.known[id] = e
			l.full[id] = whole
		}
	}
	for slot, byParent := range ans.Relationships {
		for parent, rels := range byParent {
			k := c.relKeys[slot]
			k.id, k.prefetch = parent, false
			l.compiled[k] = rels
		}
	}
	for id, changes := range ans.History {
		if lim := ans.HistoryLimits[id]; lim > l.historyLimit[id] {
			l.history[id], l.historyLimit[id] = changes, lim
		}
	}
	for slot, byParent := range ans.Figures {
		for parent, figs := range byParent {
			l.figs[figKey{id: parent, tv: c.figKeys[slot]}] = figs
		}
	}
}

// fetchEntities queries the entities among ids and remembers every answer, a miss included, so
// that no later field of the operation asks again.
func (l *Loaders) fetchEntities(ctx context.Context, ids []string) error {
	found, err := l.svc.FindEntitiesByIDs(ctx, ids)
	if err != nil {
		return err
	}
	byID := make(map[string]*incidentgraph.Entity, len(ids))
	for _, e := range found {
		byID[e.ID] = e
	}
	l.mu.Lock()
	for _, id := range ids {
		l.known[id] = byID[id]
		l.full[id] = true
	}
	l.mu.Unlock()
	return nil
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

// loadEntities returns the entity of each id (nil where none exists), in order: from what the
// operation has read, else from one query for the rest.
func (l *Loaders) loadEntities(ctx context.Context, ids []string) ([]*incidentgraph.Entity, error) {
	if missing := l.unknown(ids); len(missing) > 0 {
		if err := l.fetchEntities(ctx, missing); err != nil {
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

// loadRelationships returns the relationships of k.id under k's filter: from what the
// operation has read, else from a query of its own.
func (l *Loaders) loadRelationships(ctx context.Context, k relKey) ([]*incidentgraph.Relationship, error) {
	c := k
	c.prefetch = false
	l.mu.Lock()
	rels, ok := l.compiled[c]
	l.mu.Unlock()
	if ok {
		return rels, nil
	}
	found, err := l.svc.FindRelationships(ctx, []string{k.id}, k.filter(), k.limit)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.compiled[c] = found[k.id]
	l.mu.Unlock()
	return found[k.id], nil
}

// loadFigures returns the figures of k.id in k's time view, like loadRelationships.
func (l *Loaders) loadFigures(ctx context.Context, k figKey) ([]*incidentgraph.Figure, error) {
	l.mu.Lock()
	figs, ok := l.figs[k]
	l.mu.Unlock()
	if ok {
		return figs, nil
	}
	found, err := l.svc.FindFigures(ctx, []string{k.id}, k.tv)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.figs[k] = found[k.id]
	l.mu.Unlock()
	return found[k.id], nil
}

// loadHistory returns the first n changes of id's audit trail, oldest first: from what the
// operation has read, else from a query of its own to svc.
func (l *Loaders) loadHistory(ctx context.Context, svc incidentgraph.CurationService, id string, n int) ([]*incidentgraph.Change, error) {
	l.mu.Lock()
	changes, lim := l.history[id], l.historyLimit[id]
	l.mu.Unlock()
	if lim >= n || (lim > 0 && len(changes) < lim) {
		return changes[:min(n, len(changes))], nil
	}
	found, err := svc.History(ctx, []string{id}, n)
	if err != nil {
		return nil, err
	}
	return found[id], nil
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
