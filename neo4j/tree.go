package neo4j

import (
	"context"
	"fmt"
	"strings"

	"github.com/incidentgraph/incidentgraph"
)

// MaxTreeLevels bounds how many levels of relationships one tree query follows. Each level is a
// nested subquery whose size the caller bounds with its limit; four levels of the largest page
// sizes the complexity limit admits stay well within a transaction's time.
const MaxTreeLevels = 4

// FindRelationshipTree answers, in one query, an entity with its relationships and, level
// after level, the relationships of their other ends: levels[d] and limits[d] are the filter
// and page size of level d (the relationships of the entities at depth d, strongest first, as
// FindRelationships orders them). provenance[d] asks for the asserting parties and sources of
// level d's relationships too. It returns the root (nil when no entity has that id), every
// entity the answer names (other ends, and asserters and sources where asked), and for each
// level the relationships of each entity at that depth, keyed by its id, an empty list for one
// that has none. With brief, the entities below the root hold only their id, kind and name
// (for a request that reads nothing else of them); with briefRels, the relationships hold only
// their ends, type, id, status, confidence, asserter and sources. This is what a GraphQL selection of nested relationships compiles to, where
// dataloaders would cost a round trip (and a batch window) per level.
func (db *DB) FindRelationshipTree(ctx context.Context, id string, levels []incidentgraph.RelationshipFilter, limits []int, provenance []bool, brief, briefRels bool) (*incidentgraph.Entity, map[string]*incidentgraph.Entity, []map[string][]*incidentgraph.Relationship, error) {
	if len(levels) == 0 || len(levels) > MaxTreeLevels || len(limits) != len(levels) || len(provenance) != len(levels) {
		return nil, nil, nil, fmt.Errorf("neo4j: a relationship tree needs 1 to %d levels, each with a limit and a provenance flag", MaxTreeLevels)
	}
	params := map[string]any{"id": id}
	types := make([]string, len(levels))
	for d, f := range levels {
		types[d] = typeSpec(f.Types)
		p := fmt.Sprintf("l%d_", d)
		for k, v := range filterParams(f) {
			params[p+k] = v
		}
		params[p+"limit"] = limits[d]
		params[p+"out"] = f.Direction != incidentgraph.Incoming
		params[p+"in"] = f.Direction != incidentgraph.Outgoing
	}
	// The text depends only on the shape of the request (levels, the types each names, which
	// ask for provenance, brevity), never on ids or other arguments, so that Neo4j's plan cache
	// serves every request of one shape.
	res, err := db.read(ctx, "MATCH (n0:Entity {id: $id})\n"+treeLevel(0, types, provenance, brief, briefRels)+"\nRETURN properties(n0) AS root, rels0", params)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(res.Records) == 0 {
		return nil, nil, nil, nil
	}
	rec := res.Records[0]
	rootProps, _ := rec.Get("root")
	rp, _ := rootProps.(map[string]any)
	root := entityFromProps(rp)
	named := map[string]*incidentgraph.Entity{root.ID: root}
	out := make([]map[string][]*incidentgraph.Relationship, len(levels))
	for d := range out {
		out[d] = map[string][]*incidentgraph.Relationship{}
	}
	rels0, _ := rec.Get("rels0")
	readTreeLevel(0, root.ID, rels0, named, out)
	return root, named, out, nil
}

// readTreeLevel reads the relationships of the entity parent at depth d (and, below them, the
// levels they hold) into out and the entities they name into named.
func readTreeLevel(d int, parent string, v any, named map[string]*incidentgraph.Entity, out []map[string][]*incidentgraph.Relationship) {
	xs, _ := v.([]any)
	list := make([]*incidentgraph.Relationship, 0, len(xs))
	for _, x := range xs {
		m, _ := x.(map[string]any)
		rel := relFromMap(m)
		list = append(list, rel)
		other, _ := m["other"].(map[string]any)
		o := entityFromProps(other)
		if named[o.ID] == nil {
			named[o.ID] = o
		}
		for _, k := range []string{"by", "sources"} {
			ps, _ := m[k].([]any)
			for _, p := range ps {
				e := entityFromProps(p.(map[string]any))
				named[e.ID] = e
			}
		}
		if d+1 < len(out) {
			// An entity met twice at one depth has the same relationships both times.
			if _, done := out[d+1][o.ID]; !done {
				readTreeLevel(d+1, o.ID, m["sub"], named, out)
			}
		}
	}
	out[d][parent] = list
}

// treeLevel is the subquery that collects, as rels<d>, the relationships of n<d> at level d and
// what the levels below ask. Every level has its own variables (n<d>, r<d>) and parameters
// (l<d>_...), so that no subquery shadows another's.
func treeLevel(d int, types []string, provenance []bool, brief, briefRels bool) string {
	props := func(v string) string {
		if brief {
			return fmt.Sprintf("%[1]s {.id, .kind, .name}", v)
		}
		return "properties(" + v + ")"
	}
	n, m, r := fmt.Sprintf("n%d", d), fmt.Sprintf("n%d", d+1), fmt.Sprintf("r%d", d)
	pred := strings.NewReplacer("type(r)", "type("+r+")", "(r.", "("+r+".", " r.", " "+r+".", "$", fmt.Sprintf("$l%d_", d)).
		Replace(relPredicate)
	var sub, fields string
	if d+1 < len(provenance) {
		sub = treeLevel(d+1, types, provenance, brief, briefRels)
		fields += fmt.Sprintf(", sub: rels%d", d+1)
	}
	if provenance[d] {
		fields += fmt.Sprintf(`,
			by: COLLECT { MATCH (a:Entity {id: %[1]s.assertedBy}) RETURN %[2]s },
			sources: COLLECT { MATCH (s:Entity) WHERE s.id IN %[1]s.sources RETURN %[3]s }`, r, props("a"), props("s"))
	}
	relProps := "properties(" + r + ")"
	if briefRels {
		relProps = r + " {.id, .status, .confidence, .assertedBy, .sources}"
	}
	return fmt.Sprintf(`CALL (%[1]s) {
		MATCH (%[1]s)-[%[3]s%[10]s]-(%[2]s:Entity)
		WHERE %[4]s
		  AND ((startNode(%[3]s) = %[1]s AND $l%[5]d_out) OR (endNode(%[3]s) = %[1]s AND $l%[5]d_in))
		WITH %[3]s, %[2]s ORDER BY %[3]s.confidence DESC, type(%[3]s), %[3]s.id
		LIMIT $l%[5]d_limit
		%[6]s
		RETURN collect({props: %[9]s, type: type(%[3]s), from: startNode(%[3]s).id, to: endNode(%[3]s).id,
			other: %[8]s%[7]s}) AS rels%[5]d
	}`, n, m, r, pred, d, sub, fields, props(m), relProps, types[d])
}
