package incidentgraph

import "context"

// A read request says what one GraphQL selection reads of a set of entities, at every depth,
// so that the store answers all of it in one query: the GraphQL layer compiles the selection
// into an EntitySelection and the store compiles that into Cypher. Nothing in it is text a
// client wrote: filters are typed and relationship types come from the vocabulary.

// EntitySelection is what a request reads of some entities.
type EntitySelection struct {
	// Full: the request reads more of these entities than their id, kind and name.
	Full bool
	// Sources: the request reads the entities' own sources, with this selection (nil: not read).
	Sources *EntitySelection
	// Relationships lists each relationships field read of these entities, one per distinct
	// set of arguments.
	Relationships []*RelationshipSelection
	// Figures lists each figures field read of these entities, one per time view.
	Figures []*FigureSelection
	// History, when above 0, reads the entities' audit trail, oldest first, at most this many
	// changes each (the largest `first` of their history fields).
	History int
}

// RelationshipSelection is one relationships field: its arguments and what it reads of the
// relationships it answers.
type RelationshipSelection struct {
	// Slot numbers the field within its request (0, 1, …), so that the answer can say which
	// field each relationship answers.
	Slot int
	// Kinds, when not empty, are the kinds of entity the field is read of (a field inside
	// `... on Place`); other entities do not answer it.
	Kinds  []Kind
	Filter RelationshipFilter
	Limit  int
	// Full: the request reads more of these relationships than their id, type, ends, status,
	// confidence, asserter and sources.
	Full bool
	// Other, AssertedBy and Sources: what is read of the relationships' other ends (or either
	// end), asserting parties and sources; nil when not read.
	Other      *EntitySelection
	AssertedBy *EntitySelection
	Sources    *EntitySelection
	// History, when above 0, reads the relationships' audit trail, as EntitySelection.History.
	History int
}

// FigureSelection is one figures field: its time view and what it reads of the figures.
type FigureSelection struct {
	Slot       int
	Kinds      []Kind
	View       TimeView
	AssertedBy *EntitySelection
	Sources    *EntitySelection
}

// ReadAnswer is a read request's answer.
type ReadAnswer struct {
	// Entities holds every entity the answer names, by id.
	Entities map[string]*Entity
	// Full marks the entities answered with all their properties; the others hold their id,
	// kind and name only.
	Full map[string]bool
	// Relationships[slot][id] are the relationships that field answers for the entity id, an
	// empty list for one that has none.
	Relationships []map[string][]*Relationship
	// Figures[slot][id] likewise.
	Figures []map[string][]*Figure
	// History[id] is the audit trail of the entity or relationship id, oldest first, where a
	// selection read it (at most its History changes).
	History map[string][]*Change
	// HistoryLimits[id] is the limit History[id] was read with: a list shorter than it is the
	// whole trail.
	HistoryLimits map[string]int
}

// Reader answers compiled read requests.
type Reader interface {
	// Read answers sel for the entities ids (those that exist) in one query. It refuses a
	// selection deeper than MaxReadDepth or with more than MaxReadFields fields.
	Read(ctx context.Context, ids []string, sel *EntitySelection) (*ReadAnswer, error)
}

// Bounds of a read request. The GraphQL layer's depth and complexity limits keep requests far
// below them; the store checks them again because it must never run an unbounded query.
const (
	MaxReadDepth  = 8
	MaxReadFields = 64
)

// Slots counts the relationships and figures fields of sel, at every depth.
func (sel *EntitySelection) Slots() (rels, figs int) {
	sel.Walk(func(*EntitySelection, int) {}, func(r *RelationshipSelection, _ int) { rels++ }, func(*FigureSelection, int) { figs++ })
	return rels, figs
}

// Walk calls the functions for sel and everything below it, with the depth (sel is at 0; a
// relationship of it at 1, the entity at its other end at 1, that one's relationships at 2).
func (sel *EntitySelection) Walk(entity func(*EntitySelection, int), rel func(*RelationshipSelection, int), fig func(*FigureSelection, int)) {
	sel.walk(0, entity, rel, fig)
}

func (sel *EntitySelection) walk(d int, entity func(*EntitySelection, int), rel func(*RelationshipSelection, int), fig func(*FigureSelection, int)) {
	if sel == nil {
		return
	}
	entity(sel, d)
	sel.Sources.walk(d+1, entity, rel, fig)
	for _, r := range sel.Relationships {
		rel(r, d+1)
		r.Other.walk(d+1, entity, rel, fig)
		r.AssertedBy.walk(d+1, entity, rel, fig)
		r.Sources.walk(d+1, entity, rel, fig)
	}
	for _, f := range sel.Figures {
		fig(f, d+1)
		f.AssertedBy.walk(d+1, entity, rel, fig)
		f.Sources.walk(d+1, entity, rel, fig)
	}
}

// Depth is how deep sel goes: 0 for the entities alone.
func (sel *EntitySelection) Depth() int {
	depth := 0
	sel.Walk(func(_ *EntitySelection, d int) { depth = max(depth, d) }, func(_ *RelationshipSelection, d int) { depth = max(depth, d) }, func(_ *FigureSelection, d int) { depth = max(depth, d) })
	return depth
}
