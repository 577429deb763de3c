package neo4j

import (
	"context"
	"fmt"
	"strings"

	"github.com/incidentgraph/incidentgraph"
)

// Read answers a compiled read request (see incidentgraph.EntitySelection) in one query: every
// relationships, figures and sources field at every depth becomes a COLLECT subquery nested in
// the map that answers its entity, so that a GraphQL selection costs one round trip however
// many entities and levels it holds.
//
// The text depends only on the selection's shape (its fields, the types each names, what each
// reads), never on ids or other arguments, which travel as parameters: Neo4j's plan cache then
// serves every request of one shape.
func (db *DB) Read(ctx context.Context, ids []string, sel *incidentgraph.EntitySelection) (*incidentgraph.ReadAnswer, error) {
	text, params, err := compileRead(sel)
	if err != nil {
		return nil, err
	}
	params["ids"] = ids
	res, err := db.read(ctx, text, params)
	if err != nil {
		return nil, err
	}
	rels, figs := sel.Slots()
	ans := &incidentgraph.ReadAnswer{
		Entities:      map[string]*incidentgraph.Entity{},
		Relationships: make([]map[string][]*incidentgraph.Relationship, rels),
		Figures:       make([]map[string][]*incidentgraph.Figure, figs),
	}
	for i := range ans.Relationships {
		ans.Relationships[i] = map[string][]*incidentgraph.Relationship{}
	}
	for i := range ans.Figures {
		ans.Figures[i] = map[string][]*incidentgraph.Figure{}
	}
	ans.Full = map[string]bool{}
	ans.History = map[string][]*incidentgraph.Change{}
	ans.HistoryLimits = map[string]int{}
	d := readDecoder{ans: ans, full: ans.Full}
	for _, rec := range res.Records {
		v, _ := rec.Get("e")
		d.entity(v, sel)
	}
	return ans, nil
}

// compileRead checks sel's bounds and returns its query and parameters (all but $ids).
func compileRead(sel *incidentgraph.EntitySelection) (string, map[string]any, error) {
	if sel == nil {
		return "", nil, fmt.Errorf("neo4j: a read needs a selection")
	}
	if d := sel.Depth(); d > incidentgraph.MaxReadDepth {
		return "", nil, incidentgraph.Errorf(incidentgraph.EINVALID, "the selection nests %d levels; a read follows at most %d", d, incidentgraph.MaxReadDepth)
	}
	rels, figs := sel.Slots()
	if rels+figs > incidentgraph.MaxReadFields {
		return "", nil, incidentgraph.Errorf(incidentgraph.EINVALID, "the selection reads %d relationships and figures fields; a read takes at most %d", rels+figs, incidentgraph.MaxReadFields)
	}
	// Slots must number the fields 0, 1, … in each family, each once, for the answer to say
	// which field a list answers.
	seenR, seenF := make([]bool, rels), make([]bool, figs)
	bad := false
	sel.Walk(func(*incidentgraph.EntitySelection, int) {},
		func(r *incidentgraph.RelationshipSelection, _ int) {
			if r.Slot < 0 || r.Slot >= rels || seenR[r.Slot] {
				bad = true
				return
			}
			seenR[r.Slot] = true
		},
		func(f *incidentgraph.FigureSelection, _ int) {
			if f.Slot < 0 || f.Slot >= figs || seenF[f.Slot] {
				bad = true
				return
			}
			seenF[f.Slot] = true
		})
	if bad {
		return "", nil, fmt.Errorf("neo4j: a read's fields must be numbered 0 to n-1, each once")
	}
	c := readCompiler{params: map[string]any{}}
	text := "UNWIND $ids AS rid\nMATCH (n:Entity {id: rid})\nRETURN " + c.entity("n", sel) + " AS e"
	return text, c.params, nil
}

type readCompiler struct {
	params map[string]any
	n      int // entity variables named so far
}

// entity returns the map expression that answers the entity bound to v: its properties (all
// of them, or only its id, kind and name) under e, and one key per field sel reads below it.
func (c *readCompiler) entity(v string, sel *incidentgraph.EntitySelection) string {
	var b strings.Builder
	b.WriteString("{e: ")
	if sel.Full {
		b.WriteString("properties(" + v + ")")
	} else {
		b.WriteString(v + " {.id, .kind, .name, .sources}")
	}
	if sel.Sources != nil {
		x := c.fresh()
		fmt.Fprintf(&b, ", src: COLLECT { MATCH (%[1]s:Entity) WHERE %[1]s.id IN %[2]s.sources RETURN %[3]s }", x, v, c.entity(x, sel.Sources))
	}
	for _, r := range sel.Relationships {
		fmt.Fprintf(&b, ", r%d: %s", r.Slot, c.relationships(v, r))
	}
	for _, f := range sel.Figures {
		fmt.Fprintf(&b, ", f%d: %s", f.Slot, c.figures(v, f))
	}
	if sel.History > 0 {
		b.WriteString(", h: " + c.history(v, sel.History))
	}
	b.WriteString("}")
	return b.String()
}

// history returns the subquery that answers the audit trail of v (an entity or a
// relationship), oldest first, as History orders it.
func (c *readCompiler) history(v string, limit int) string {
	a, p := c.fresh(), fmt.Sprintf("h%d", c.n)
	c.params[p] = limit
	return fmt.Sprintf("COLLECT { MATCH (%[1]s:AuditEntry {targetId: %[2]s.id}) WITH %[1]s ORDER BY %[4]s LIMIT $%[3]s RETURN properties(%[1]s) }", a, v, p, trailOrder(a))
}

func (c *readCompiler) fresh() string {
	c.n++
	return fmt.Sprintf("x%d", c.n)
}

// relationships returns the subquery that answers one relationships field of the entity v:
// its relationships under the field's filter, strongest first (as FindRelationships orders
// them), each with what the field reads of its other end, asserter and sources.
func (c *readCompiler) relationships(v string, sel *incidentgraph.RelationshipSelection) string {
	r, o, p := fmt.Sprintf("r%d", sel.Slot), fmt.Sprintf("o%d", sel.Slot), fmt.Sprintf("$r%d_", sel.Slot)
	for k, val := range filterParams(sel.Filter) {
		c.params[p[1:]+k] = val
	}
	c.params[p[1:]+"limit"] = sel.Limit
	c.params[p[1:]+"out"] = sel.Filter.Direction != incidentgraph.Incoming
	c.params[p[1:]+"in"] = sel.Filter.Direction != incidentgraph.Outgoing
	// The rules' fragments (rules.go) name their parameters $knownAt …; each field's own
	// parameters carry its prefix.
	pred := strings.ReplaceAll(relCondition(r), "$", p)
	if len(sel.Kinds) > 0 {
		c.params[p[1:]+"kinds"] = kindStrings(sel.Kinds)
		pred = v + ".kind IN " + p + "kinds AND " + pred
	}
	props := r + " {.id, .status, .confidence, .assertedBy, .sources}"
	if sel.Full {
		props = "properties(" + r + ")"
	}
	other := o + " {.id}"
	if sel.Other != nil {
		other = c.entity(o, sel.Other)
	}
	var extra string
	if sel.AssertedBy != nil {
		a := c.fresh()
		extra += fmt.Sprintf(", by: COLLECT { MATCH (%[1]s:Entity {id: %[2]s.assertedBy}) RETURN %[3]s }", a, r, c.entity(a, sel.AssertedBy))
	}
	if sel.Sources != nil {
		s := c.fresh()
		extra += fmt.Sprintf(", src: COLLECT { MATCH (%[1]s:Entity) WHERE %[1]s.id IN %[2]s.sources RETURN %[3]s }", s, r, c.entity(s, sel.Sources))
	}
	if sel.History > 0 {
		extra += ", h: " + c.history(r, sel.History)
	}
	return fmt.Sprintf(`COLLECT {
	MATCH (%[1]s)-[%[2]s%[3]s]-(%[4]s:Entity)
	WHERE %[5]s
	  AND ((startNode(%[2]s) = %[1]s AND %[6]sout) OR (endNode(%[2]s) = %[1]s AND %[6]sin))
	WITH %[2]s, %[4]s ORDER BY %[2]s.confidence DESC, type(%[2]s), %[2]s.id
	LIMIT %[6]slimit
	RETURN {props: %[7]s, type: type(%[2]s), from: startNode(%[2]s).id, to: endNode(%[2]s).id, other: %[8]s%[9]s}
}`, v, r, typeSpec(sel.Filter.Types), o, pred, p, props, other, extra)
}

// figures returns the subquery that answers one figures field of the entity v, oldest first
// (as FindFigures orders them).
func (c *readCompiler) figures(v string, sel *incidentgraph.FigureSelection) string {
	g, p := fmt.Sprintf("g%d", sel.Slot), fmt.Sprintf("$f%d_", sel.Slot)
	for k, val := range timeViewParams(sel.View) {
		c.params[p[1:]+k] = val
	}
	pred := strings.ReplaceAll(figureInTimeView(g), "$", p)
	if len(sel.Kinds) > 0 {
		c.params[p[1:]+"kinds"] = kindStrings(sel.Kinds)
		pred = v + ".kind IN " + p + "kinds AND " + pred
	}
	var extra string
	if sel.AssertedBy != nil {
		a := c.fresh()
		extra += fmt.Sprintf(", by: COLLECT { MATCH (%[1]s:Entity {id: %[2]s.assertedBy}) RETURN %[3]s }", a, g, c.entity(a, sel.AssertedBy))
	}
	if sel.Sources != nil {
		s := c.fresh()
		extra += fmt.Sprintf(", src: COLLECT { MATCH (%[1]s:Entity) WHERE %[1]s.id IN %[2]s.sources RETURN %[3]s }", s, g, c.entity(s, sel.Sources))
	}
	return fmt.Sprintf(`COLLECT {
	MATCH (%[1]s:Figure) WHERE %[1]s.subject = %[2]s.id AND %[3]s
	WITH %[1]s ORDER BY %[1]s.asOf, %[1]s.metric, %[1]s.id
	RETURN {props: properties(%[1]s)%[4]s}
}`, g, v, pred, extra)
}

func kindStrings(ks []incidentgraph.Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// readDecoder reads a Read query's maps into an answer.
type readDecoder struct {
	ans *incidentgraph.ReadAnswer
	// full marks the entities answered with all their properties: an entity met once in full
	// and once by id, kind and name keeps the full answer.
	full map[string]bool
}

func (d readDecoder) entity(v any, sel *incidentgraph.EntitySelection) string {
	m, _ := v.(map[string]any)
	props, _ := m["e"].(map[string]any)
	// The asserters and sources of a page of relationships are mostly the same few entities:
	// each is built once, or again only to replace a brief answer with a full one.
	id, _ := props["id"].(string)
	if old := d.ans.Entities[id]; old == nil || (sel.Full && !d.full[id]) {
		d.ans.Entities[id] = entityFromProps(props)
		d.full[id] = sel.Full
	}
	if sel.Sources != nil {
		for _, x := range list(m["src"]) {
			d.entity(x, sel.Sources)
		}
	}
	if sel.History > 0 {
		d.history(id, m["h"], sel.History)
	}
	for _, rs := range sel.Relationships {
		if _, done := d.ans.Relationships[rs.Slot][id]; done {
			// An entity met twice has the same relationships both times.
			continue
		}
		rels := []*incidentgraph.Relationship{}
		for _, x := range list(m[fmt.Sprintf("r%d", rs.Slot)]) {
			rm, _ := x.(map[string]any)
			rel := relFromMap(rm)
			rels = append(rels, rel)
			if rs.History > 0 {
				d.history(rel.ID, rm["h"], rs.History)
			}
			if rs.Other != nil {
				d.entity(rm["other"], rs.Other)
			}
			if rs.AssertedBy != nil {
				for _, a := range list(rm["by"]) {
					d.entity(a, rs.AssertedBy)
				}
			}
			if rs.Sources != nil {
				for _, s := range list(rm["src"]) {
					d.entity(s, rs.Sources)
				}
			}
		}
		d.ans.Relationships[rs.Slot][id] = rels
	}
	for _, fs := range sel.Figures {
		if _, done := d.ans.Figures[fs.Slot][id]; done {
			continue
		}
		figs := []*incidentgraph.Figure{}
		for _, x := range list(m[fmt.Sprintf("f%d", fs.Slot)]) {
			fm, _ := x.(map[string]any)
			p, _ := fm["props"].(map[string]any)
			figs = append(figs, figureFromProps(p))
			if fs.AssertedBy != nil {
				for _, a := range list(fm["by"]) {
					d.entity(a, fs.AssertedBy)
				}
			}
			if fs.Sources != nil {
				for _, s := range list(fm["src"]) {
					d.entity(s, fs.Sources)
				}
			}
		}
		d.ans.Figures[fs.Slot][id] = figs
	}
	return id
}

func (d readDecoder) history(id string, v any, limit int) {
	if limit <= d.ans.HistoryLimits[id] {
		return
	}
	d.ans.HistoryLimits[id] = limit
	changes := []*incidentgraph.Change{}
	for _, x := range list(v) {
		p, _ := x.(map[string]any)
		changes = append(changes, changeFromProps(p))
	}
	d.ans.History[id] = changes
}

func list(v any) []any {
	xs, _ := v.([]any)
	return xs
}
