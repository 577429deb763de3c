package neo4j

import (
	"context"
	"fmt"

	"github.com/incidentgraph/incidentgraph"
)

// WholeGraph returns every entity and every relationship between entities that passes f, as
// one subgraph, when the graph holds at most maxNodes entities and at most maxEdges such
// relationships; past either it refuses with BAD_USER_INPUT and reads nothing more. One query:
// the entities are counted first (Neo4j's count store answers that without reading them), and
// the entities and relationships are read only within the bounds, in id order.
func (db *DB) WholeGraph(ctx context.Context, f incidentgraph.RelationshipFilter, maxNodes, maxEdges int) (*incidentgraph.Subgraph, error) {
	if maxNodes < 1 || maxEdges < 1 {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "the whole graph's bounds must be positive (got %d entities, %d relationships)", maxNodes, maxEdges)
	}
	params := filterParams(f)
	params["maxNodes"] = maxNodes
	params["edgeLimit"] = maxEdges + 1 // one more tells that there are too many
	res, err := db.read(ctx, fmt.Sprintf(`
		CALL () { MATCH (n:Entity) RETURN count(n) AS entities }
		CALL (entities) {
			WITH entities WHERE entities <= $maxNodes
			MATCH (n:Entity)
			WITH n ORDER BY n.id
			RETURN collect(properties(n)) AS nodes
		}
		CALL (entities) {
			WITH entities WHERE entities <= $maxNodes
			MATCH (:Entity)-[r%s]->(:Entity)
			WHERE %s
			WITH r ORDER BY r.id
			LIMIT $edgeLimit
			RETURN collect(%s) AS rels
		}
		RETURN entities, nodes, rels, false AS truncated`, typeSpec(f.Types), relPredicate, relFields), params)
	if err != nil {
		return nil, err
	}
	m := res.Records[0].AsMap()
	if n := integer(m, "entities"); n > maxNodes {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID,
			"the whole graph holds %d entities, more than the %d an export of it may hold: export a neighborhood, path or network instead", n, maxNodes)
	}
	if rels, _ := m["rels"].([]any); len(rels) > maxEdges {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID,
			"the whole graph holds more than %d relationships that pass these filters, the most an export of it may hold: narrow them (types, statuses, minConfidence, assertedBy, knownAt, validAt) or export a neighborhood, path or network instead", maxEdges)
	}
	return subgraphFromRecord(m), nil
}
