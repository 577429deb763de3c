package neo4j

import (
	"context"
	"fmt"

	"github.com/incidentgraph/incidentgraph"
)

// Neighborhood returns the entities within depth hops of id (nearest first, at most limit of
// them besides the centre) and the relationships among all of them. One query: a breadth-first
// ANY SHORTEST search finds each neighbour once at its distance, without enumerating paths.
func (db *DB) Neighborhood(ctx context.Context, id string, depth int, f incidentgraph.RelationshipFilter, limit int) (*incidentgraph.Subgraph, error) {
	if depth < 1 || depth > incidentgraph.MaxNeighborhoodDepth {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "depth must be between 1 and %d", incidentgraph.MaxNeighborhoodDepth)
	}
	params := filterParams(f)
	params["id"] = id
	params["limit"] = limit + 1 // one more tells whether the chart was truncated
	// depth is an integer bounded above; quantifier bounds cannot be parameters.
	res, err := db.read(ctx, fmt.Sprintf(`
		MATCH (c:Entity {id: $id})
		OPTIONAL CALL (c) {
			MATCH p = ANY SHORTEST (c)-[r%s WHERE %s]-{1,%d}(m:Entity)
			WHERE m <> c
			RETURN m, length(p) AS hops
			ORDER BY hops, m.id
			LIMIT $limit
		}
		WITH c, collect(m) AS ms
		WITH c, ms[0..$limit - 1] AS kept, size(ms) >= $limit AS truncated
		WITH [c] + kept AS nodes, truncated
		CALL (nodes) {
			UNWIND nodes AS a
			MATCH (a)-[r%s]->(b:Entity)
			WHERE b IN nodes AND %s
			RETURN collect(DISTINCT %s) AS rels
		}
		RETURN [n IN nodes | properties(n)] AS nodes, rels, truncated`, typeSpec(f.Types), relPredicate, depth, typeSpec(f.Types), relPredicate, relFields), params)
	if err != nil {
		return nil, err
	}
	if len(res.Records) == 0 {
		return nil, incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no entity with id %q", id)
	}
	return subgraphFromRecord(res.Records[0].AsMap()), nil
}

// ShortestPath returns one shortest path between two entities in either direction, or nil when
// none exists within maxDepth hops.
func (db *DB) ShortestPath(ctx context.Context, from, to string, maxDepth int, f incidentgraph.RelationshipFilter) (*incidentgraph.Subgraph, error) {
	if maxDepth < 1 || maxDepth > incidentgraph.MaxPathDepth {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "maxDepth must be between 1 and %d", incidentgraph.MaxPathDepth)
	}
	params := filterParams(f)
	params["from"], params["to"] = from, to
	res, err := db.read(ctx, fmt.Sprintf(`
		OPTIONAL MATCH (a:Entity {id: $from})
		OPTIONAL MATCH (b:Entity {id: $to})
		OPTIONAL CALL (a, b) {
			MATCH p = ANY SHORTEST (a)-[r%s WHERE %s]-{1,%d}(b)
			RETURN p
		}
		RETURN a IS NOT NULL AS hasFrom, b IS NOT NULL AS hasTo,
		       CASE WHEN a = b THEN [properties(a)] ELSE [n IN nodes(p) | properties(n)] END AS nodes,
		       CASE WHEN a = b THEN [] ELSE [r IN relationships(p) | %s] END AS rels,
		       false AS truncated`, typeSpec(f.Types), relPredicate, maxDepth, relFields), params)
	if err != nil {
		return nil, err
	}
	m := res.Records[0].AsMap()
	switch {
	case m["hasFrom"] != true:
		return nil, incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no entity with id %q", from)
	case m["hasTo"] != true:
		return nil, incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no entity with id %q", to)
	case m["nodes"] == nil:
		return nil, nil
	}
	return subgraphFromRecord(m), nil
}

func subgraphFromRecord(m map[string]any) *incidentgraph.Subgraph {
	g := &incidentgraph.Subgraph{Nodes: []*incidentgraph.Entity{}, Edges: []*incidentgraph.Relationship{}}
	g.Truncated, _ = m["truncated"].(bool)
	nodes, _ := m["nodes"].([]any)
	for _, n := range nodes {
		g.Nodes = append(g.Nodes, entityFromProps(n.(map[string]any)))
	}
	rels, _ := m["rels"].([]any)
	for _, r := range rels {
		g.Edges = append(g.Edges, relFromMap(r.(map[string]any)))
	}
	return g
}
