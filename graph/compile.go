package graph

import (
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incidentgraph/incidentgraph"
)

// The read path: a root field's resolver answers its own question (a search, a page of
// incidents, an analyst's answer) and then hands its result and its selection to prepare
// (answer.go), which compiles what the selection reads below the entities and relationships in
// that result into incidentgraph.EntitySelections and asks the store for each in one query. The
// fields below then find their answers in the request's Loaders and ask nothing of the store.
//
// What a field is, for the compiler, is the registry below: every field of every type that can
// hold an entity, a relationship or a figure. A test checks the registry against the schema, so
// a field added to the schema and not here fails the build's tests instead of falling to a
// slower path.

// role is what answering a field needs.
type role int

const (
	// rBrief: answered from an entity's id, kind and name, or a relationship's id, type, ends,
	// status, confidence, asserter and sources.
	rBrief role = iota + 1
	// rPlain: answered from the object's other properties.
	rPlain
	// rRelationships, rFigures, rSources: an entity's rRelationships, figures or own rSources
	// (compiled into the read).
	rRelationships
	rFigures
	rSources
	// rEnd: an entity a relationship or figure names (other, from, to, assertedBy).
	rEnd
	// rHistory: the audit trail of an entity or relationship (compiled into the read).
	rHistory
	// rItem: a list or object of the analysts' answers that holds entities or rRelationships
	// further down (prepare walks it: see answer.go).
	rItem
)

// kindFields is the registry of the Entity interface's implementations: every kind has these
// fields, and the kinds' own properties (plainEntityFields) besides.
var kindFields = map[string]role{
	"__typename": rBrief, "id": rBrief, "kind": rBrief, "name": rBrief,
	"aliases": rPlain, "names": rPlain, "description": rPlain,
	// match is set by search on the entity it answers: there is nothing to read for it.
	"match":   rBrief,
	"sources": rSources, "relationships": rRelationships,
	"version": rPlain, "history": rHistory,
}

// registry maps each object type that holds graph data to its fields' roles. The kinds'
// entries are kindFields plus their own properties.
var registry = map[string]map[string]role{
	"Relationship": {
		"__typename": rBrief, "id": rBrief, "type": rBrief, "direction": rBrief, "status": rBrief,
		"confidence": rBrief, "confidenceLevel": rBrief,
		"quote": rPlain, "basis": rPlain, "validFrom": rPlain, "validTo": rPlain, "assertedOn": rPlain, "note": rPlain,
		"from": rEnd, "to": rEnd, "other": rEnd, "assertedBy": rEnd, "sources": rSources,
		"version": rPlain, "retraction": rPlain, "history": rHistory,
		"origin": rPlain, "fromNameAsGiven": rPlain, "toNameAsGiven": rPlain,
	},
	"Figure": {
		"__typename": rPlain, "id": rPlain, "metric": rPlain, "value": rPlain, "qualifier": rPlain, "population": rPlain,
		"asOf": rPlain, "status": rPlain, "confidence": rPlain, "quote": rPlain, "note": rPlain,
		"assertedBy": rEnd, "sources": rSources,
	},
}

// kindTypes are the GraphQL types of the kinds, in the order of incidentgraph.Kinds.
var kindTypes = []string{"Organization", "Country", "Person", "Place", "Incident", "Event", "Source", "Group"}

func kindOfType(typ string) incidentgraph.Kind {
	return incidentgraph.Kinds[slices.Index(kindTypes, typ)]
}

// roleOf returns the role of field name on type typ, and false when the registry does not
// know it.
func roleOf(typ, name string) (role, bool) {
	if slices.Contains(kindTypes, typ) {
		if r, ok := kindFields[name]; ok {
			return r, true
		}
		if name == "figures" && (typ == "Incident" || typ == "Event") {
			return rFigures, true
		}
		return rPlain, kindPlainFields[typ][name]
	}
	if r, ok := registry[typ][name]; ok {
		return r, true
	}
	r, ok := itemTypes[typ][name]
	return r, ok
}

// kindPlainFields are each kind's own properties: answered from the entity's properties.
var kindPlainFields = map[string]map[string]bool{
	"Organization": set("orgType", "gtdName", "founded", "dissolved"),
	"Country":      set("iso2"),
	"Person":       set("role", "nationality", "anonymous"),
	"Place":        set("placeType", "latitude", "longitude", "countryCode", "geoPrecision"),
	"Incident": set("date", "endDate", "summary", "attackTypes", "targetTypes", "weaponTypes", "outcome",
		"suicide", "gtdEventId", "latitude", "longitude", "geoPrecision"),
	"Event":  set("eventType", "date", "endDate", "summary"),
	"Source": set("sourceType", "url", "publisher", "published", "title", "accessed"),
	"Group":  {},
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// compiler turns selections into read requests for one operation. Slots number the request's
// relationships and figures fields; relKeys and figKeys say, by slot, which key (without the
// entity's id) the field's resolver will ask for.
type compiler struct {
	opCtx   *graphql.OperationContext
	relKeys []relKey
	figKeys []incidentgraph.TimeView
}

func newCompiler(opCtx *graphql.OperationContext) *compiler { return &compiler{opCtx: opCtx} }

// entity compiles what sels reads of an entity (of any kind) at depth d of the read. It stops
// at incidentgraph.MaxReadDepth and MaxReadFields: what lies beyond is left to the loaders.
func (c *compiler) entity(sels ast.SelectionSet, d int) *incidentgraph.EntitySelection {
	sel := &incidentgraph.EntitySelection{}
	if len(sels) == 0 {
		return sel
	}
	// The same field may be collected for several kinds (it is on the interface, or in
	// fragments on several types); it becomes one slot, read of those kinds.
	type field struct {
		f     graphql.CollectedField
		kinds []incidentgraph.Kind
	}
	var order []*ast.Field
	byField := map[*ast.Field]*field{}
	for _, typ := range kindTypes {
		for _, f := range graphql.CollectFields(c.opCtx, sels, []string{typ, "Entity"}) {
			if _, known := roleOf(typ, f.Name); !known {
				continue // a field of another kind, in a selection typed for that kind
			}
			if _, ok := byField[f.Field]; !ok {
				order = append(order, f.Field)
				byField[f.Field] = &field{f: f}
			}
			byField[f.Field].kinds = append(byField[f.Field].kinds, kindOfType(typ))
		}
	}
	var srcSels ast.SelectionSet
	for _, af := range order {
		fd := byField[af]
		kinds := fd.kinds
		if len(kinds) == len(kindTypes) {
			kinds = nil
		}
		typ := kindTypes[slices.Index(incidentgraph.Kinds, fd.kinds[0])]
		r, _ := roleOf(typ, fd.f.Name)
		switch r {
		case rPlain:
			sel.Full = true
		case rSources:
			srcSels = append(srcSels, fd.f.Selections...)
		case rRelationships:
			if rs := c.relationships(fd.f, kinds, d); rs != nil {
				sel.Relationships = append(sel.Relationships, rs)
			}
		case rFigures:
			if fs := c.figures(fd.f, kinds, d); fs != nil {
				sel.Figures = append(sel.Figures, fs)
			}
		case rHistory:
			sel.History = max(sel.History, c.historyLimit(fd.f))
		}
	}
	if srcSels != nil && d < incidentgraph.MaxReadDepth {
		sel.Sources = c.entity(srcSels, d+1)
	}
	return sel
}

func (c *compiler) full() bool {
	return len(c.relKeys)+len(c.figKeys) >= incidentgraph.MaxReadFields
}

func (c *compiler) relationships(f graphql.CollectedField, kinds []incidentgraph.Kind, d int) *incidentgraph.RelationshipSelection {
	if d >= incidentgraph.MaxReadDepth || c.full() {
		return nil
	}
	k, ok := relKeyOf(c.opCtx, "", f)
	if !ok {
		return nil // arguments the resolver will refuse: it reports the error
	}
	rs := &incidentgraph.RelationshipSelection{Slot: len(c.relKeys), Kinds: kinds, Filter: k.filter(), Limit: k.limit}
	c.relKeys = append(c.relKeys, k)
	var other, by, src ast.SelectionSet
	for _, sf := range graphql.CollectFields(c.opCtx, f.Selections, []string{"Relationship"}) {
		switch sf.Name {
		case "other", "from", "to":
			other = append(other, sf.Selections...)
		case "assertedBy":
			by = append(by, sf.Selections...)
		case "sources":
			src = append(src, sf.Selections...)
		case "history":
			rs.History = max(rs.History, c.historyLimit(sf))
		default:
			if r, _ := roleOf("Relationship", sf.Name); r == rPlain {
				rs.Full = true
			}
		}
	}
	rs.Other = c.ends(other, d)
	rs.AssertedBy = c.ends(by, d)
	rs.Sources = c.ends(src, d)
	return rs
}

func (c *compiler) figures(f graphql.CollectedField, kinds []incidentgraph.Kind, d int) *incidentgraph.FigureSelection {
	if d >= incidentgraph.MaxReadDepth || c.full() {
		return nil
	}
	k, ok := figKeyOf(c.opCtx, "", f)
	if !ok {
		return nil
	}
	fs := &incidentgraph.FigureSelection{Slot: len(c.figKeys), Kinds: kinds, View: k.tv}
	c.figKeys = append(c.figKeys, k.tv)
	var by, src ast.SelectionSet
	for _, sf := range graphql.CollectFields(c.opCtx, f.Selections, []string{"Figure"}) {
		switch sf.Name {
		case "assertedBy":
			by = append(by, sf.Selections...)
		case "sources":
			src = append(src, sf.Selections...)
		}
	}
	fs.AssertedBy = c.ends(by, d)
	fs.Sources = c.ends(src, d)
	return fs
}

// historyLimit returns how many changes a history field reads (0 when its argument is one the
// resolver will refuse: it reports the error).
func (c *compiler) historyLimit(f graphql.CollectedField) int {
	n := MaxHistory
	switch v := f.ArgumentMap(c.opCtx.Variables)["first"].(type) {
	case int64:
		n = int(v)
	case int:
		n = v
	}
	if n < 1 || n > MaxHistory {
		return 0
	}
	return n
}

// ends compiles the selection of entities a relationship or figure names; nil when none is
// read.
func (c *compiler) ends(sels ast.SelectionSet, d int) *incidentgraph.EntitySelection {
	if sels == nil {
		return nil
	}
	return c.entity(sels, d+1)
}

// empty reports whether sel reads nothing an entity at hand does not hold already.
func empty(sel *incidentgraph.EntitySelection) bool {
	return sel.Sources == nil && len(sel.Relationships) == 0 && len(sel.Figures) == 0 && sel.History == 0
}

// unregistered lists the fields of the registry's types that it gives no role, and the fields
// it names that the schema lacks, as "Type.field".
func unregistered(s *ast.Schema) []string {
	var bad []string
	types := append(slices.Clone(kindTypes), "Relationship", "Figure")
	for name := range itemTypes {
		types = append(types, name)
	}
	slices.Sort(types)
	for _, typ := range types {
		def := s.Types[typ]
		if def == nil {
			bad = append(bad, typ+" (not in the schema)")
			continue
		}
		known := map[string]bool{}
		for _, f := range def.Fields {
			known[f.Name] = true
			if _, ok := roleOf(typ, f.Name); !ok {
				bad = append(bad, typ+"."+f.Name)
			}
		}
		var names []string
		switch {
		case slices.Contains(kindTypes, typ):
			for n := range kindFields {
				names = append(names, n)
			}
			for n := range kindPlainFields[typ] {
				names = append(names, n)
			}
			if typ == "Incident" || typ == "Event" {
				names = append(names, "figures")
			}
		case itemTypes[typ] != nil:
			for n := range itemTypes[typ] {
				names = append(names, n)
			}
		default:
			for n := range registry[typ] {
				names = append(names, n)
			}
		}
		for _, n := range names {
			if !known[n] && n != "__typename" {
				bad = append(bad, typ+"."+n+" (not in the schema)")
			}
		}
	}
	slices.Sort(bad)
	return bad
}
