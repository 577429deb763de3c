package neo4j

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/incidentgraph/incidentgraph"
)

// actorLabels is the label expression of the kinds that can belong to an organisational
// network, from the labels allow-list.
var actorLabels = func() string {
	var ls []string
	for _, k := range incidentgraph.Kinds {
		if k.IsActor() {
			ls = append(ls, labels[k])
		}
	}
	return strings.Join(ls, "|")
}()

// orgPredicate narrows relPredicate to organisational links: an origin in a country is
// geography, so ORIGINATED_FROM counts only when it points to an organisation, person or group.
var orgPredicate = relPredicate + `
	AND (type(r) <> 'ORIGINATED_FROM' OR endNode(r).kind IN $originKinds)`

// AffiliateNetwork returns the organisational network around a group: the actors within depth
// hops over OrganizationalTypes (narrowed by f.Types) in either direction, nearest first and at
// most limit besides the centre, and the organisational links among them. One query, searched
// breadth-first like Neighborhood.
func (db *DB) AffiliateNetwork(ctx context.Context, id string, depth int, f incidentgraph.RelationshipFilter, limit int) (*incidentgraph.Subgraph, error) {
	if depth < 1 || depth > incidentgraph.MaxAffiliateDepth {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "depth must be between 1 and %d", incidentgraph.MaxAffiliateDepth)
	}
	if limit < 1 || limit > incidentgraph.MaxNeighborhoodNodes {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "limit must be between 1 and %d", incidentgraph.MaxNeighborhoodNodes)
	}
	types := incidentgraph.OrganizationalTypes
	if len(f.Types) > 0 {
		types = nil
		for _, t := range incidentgraph.OrganizationalTypes {
			if slices.Contains(f.Types, t) {
				types = append(types, t)
			}
		}
		if len(types) == 0 {
			return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "types must include at least one organisational type: %s", joinTypes(incidentgraph.OrganizationalTypes))
		}
	}
	f.Types = types
	params := filterParams(f)
	params["id"] = id
	params["limit"] = limit + 1 // one more tells whether the network was truncated
	params["originKinds"] = []string{string(incidentgraph.KindOrganization), string(incidentgraph.KindPerson), string(incidentgraph.KindGroup)}
	// Every node on the way must be an actor: a network does not run through a place.
	res, err := db.read(ctx, fmt.Sprintf(`
		MATCH (c:Entity {id: $id})
		OPTIONAL CALL (c) {
			WITH c WHERE c:%s
			MATCH p = ANY SHORTEST (c)(()-[r%s WHERE %s]-(:%s)){1,%d}(m)
			WHERE m <> c
			RETURN m, length(p) AS hops
			ORDER BY hops, m.id
			LIMIT $limit
		}
		WITH c, collect(m) AS ms
		WITH c, ms[0..$limit - 1] AS kept, size(ms) >= $limit AS truncated
		WITH c, [c] + kept AS nodes, truncated
		CALL (nodes) {
			UNWIND nodes AS a
			MATCH (a)-[r%s]->(b:Entity)
			WHERE b IN nodes AND %s
			RETURN collect(DISTINCT %s) AS rels
		}
		RETURN c.kind AS kind, [n IN nodes | properties(n)] AS nodes, rels, truncated`,
		// The organisational types are spliced into the patterns (allow-listed), so that a
		// group's incident links, which can number thousands, are never read.
		labels[incidentgraph.KindOrganization], typeSpec(types), orgPredicate, actorLabels, depth, typeSpec(types), orgPredicate, relFields), params)
	if err != nil {
		return nil, err
	}
	if len(res.Records) == 0 {
		return nil, incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no entity with id %q", id)
	}
	m := res.Records[0].AsMap()
	if kind, _ := m["kind"].(string); kind != string(incidentgraph.KindOrganization) {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "%q is a %s, not an organization", id, kind)
	}
	return subgraphFromRecord(m), nil
}

func joinTypes(ts []incidentgraph.RelType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// Paths asks for this many shortest walks per path wanted (at most maxPathWalks): parallel
// assertions make several walks of one node sequence, and those collapse into one path.
const (
	pathWalksPerPath = 10
	maxPathWalks     = 200
)

// Paths returns up to first simple paths from one entity to another in either direction,
// ranked by length, then by weakest confidence (strongest first), then by node ids. One query:
// SHORTEST k finds the shortest simple walks (the simple-path condition is checked before
// selection, so cycles do not use up k), walks over the same nodes collapse into one path, and
// each hop is the strongest assertion between its two nodes.
//
// Among paths of the longest length found, the ranking covers only those SHORTEST k reached.
func (db *DB) Paths(ctx context.Context, from, to string, maxDepth, first int, f incidentgraph.RelationshipFilter) ([]*incidentgraph.Path, error) {
	switch {
	case maxDepth < 1 || maxDepth > incidentgraph.MaxPathsDepth:
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "maxDepth must be between 1 and %d", incidentgraph.MaxPathsDepth)
	case first < 1 || first > incidentgraph.MaxPaths:
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "first must be between 1 and %d", incidentgraph.MaxPaths)
	case from == to:
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "from and to must be different entities")
	}
	walks := min(first*pathWalksPerPath, maxPathWalks)
	params := filterParams(f)
	params["from"], params["to"] = from, to
	// walks and maxDepth are integers bounded above: path selectors and quantifiers take no
	// parameters in Neo4j 5. Never stepping back onto a or past b prunes the commonest cycles
	// during the search; the rest of the simple-path condition needs the whole path.
	res, err := db.read(ctx, fmt.Sprintf(`
		OPTIONAL MATCH (a:Entity {id: $from})
		OPTIONAL MATCH (b:Entity {id: $to})
		CALL (a, b) {
			MATCH p = SHORTEST %d ((a)((x)-[r WHERE %s]-(y) WHERE x <> b AND y <> a){1,%d}(b)
				WHERE NOT b IN x AND all(i IN range(0, size(x) - 1) WHERE NOT x[i] IN x[i + 1..]))
			WITH DISTINCT nodes(p) AS ns
			RETURN collect({
				nodes: [n IN ns | properties(n)],
				rels: [i IN range(0, size(ns) - 2) | COLLECT {
					WITH ns[i] AS s, ns[i + 1] AS t
					MATCH (s)-[r]-(t)
					WHERE %s
					RETURN %s ORDER BY r.confidence DESC, r.id, type(r) LIMIT 1
				}[0]]
			}) AS paths
		}
		RETURN a IS NOT NULL AS hasFrom, b IS NOT NULL AS hasTo, paths`,
		walks, relPredicate, maxDepth, relPredicate, relFields), params)
	if err != nil {
		return nil, err
	}
	m := res.Records[0].AsMap()
	switch {
	case m["hasFrom"] != true:
		return nil, incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no entity with id %q (from)", from)
	case m["hasTo"] != true:
		return nil, incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no entity with id %q (to)", to)
	}
	raw, _ := m["paths"].([]any)
	paths := make([]*incidentgraph.Path, 0, len(raw))
	for _, x := range raw {
		pm := x.(map[string]any)
		g := subgraphFromRecord(map[string]any{"nodes": pm["nodes"], "rels": pm["rels"]})
		paths = append(paths, &incidentgraph.Path{Nodes: g.Nodes, Edges: g.Edges})
	}
	slices.SortFunc(paths, comparePaths)
	return paths[:min(first, len(paths))], nil
}

func comparePaths(p, q *incidentgraph.Path) int {
	if c := cmp.Or(cmp.Compare(p.Length(), q.Length()), cmp.Compare(q.WeakestConfidence(), p.WeakestConfidence())); c != 0 {
		return c
	}
	return slices.CompareFunc(p.Nodes, q.Nodes, func(a, b *incidentgraph.Entity) int { return cmp.Compare(a.ID, b.ID) })
}

// CommonNeighbors returns the entities directly linked to every one of ids (never one of ids),
// each with its links to them in the order of ids, the relationships of each link strongest
// first. They rank by the sum of their strongest link's confidence to each id, then by name and
// id. One query.
func (db *DB) CommonNeighbors(ctx context.Context, ids []string, f incidentgraph.RelationshipFilter, limit int) ([]*incidentgraph.CommonNeighbor, error) {
	if len(ids) < incidentgraph.MinCommonNeighborIDs || len(ids) > incidentgraph.MaxCommonNeighborIDs {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "ids must hold between %d and %d entities", incidentgraph.MinCommonNeighborIDs, incidentgraph.MaxCommonNeighborIDs)
	}
	order := make(map[string]int, len(ids))
	for i, id := range ids {
		if _, dup := order[id]; dup {
			return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "id %q is given twice", id)
		}
		order[id] = i
	}
	if limit < 1 || limit > incidentgraph.MaxPageSize {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "limit must be between 1 and %d", incidentgraph.MaxPageSize)
	}
	params := filterParams(f)
	params["ids"] = ids
	params["limit"] = limit
	res, err := db.read(ctx, `
		OPTIONAL MATCH (n:Entity) WHERE n.id IN $ids
		WITH collect(n) AS ns
		CALL (ns) {
			WITH ns WHERE size(ns) = size($ids)
			UNWIND ns AS n
			MATCH (n)-[r]-(m:Entity)
			WHERE `+relPredicate+` AND NOT m IN ns
			WITH m, n, r ORDER BY r.confidence DESC, r.id, type(r)
			WITH m, n, collect(`+relFields+`) AS rels, max(r.confidence) AS best
			WITH m, collect({of: n.id, rels: rels}) AS links, sum(best) AS score
			WHERE size(links) = size($ids)
			WITH m, links ORDER BY score DESC, m.name, m.id LIMIT $limit
			RETURN collect({entity: properties(m), links: links}) AS neighbors
		}
		RETURN [n IN ns | n.id] AS found, neighbors`, params)
	if err != nil {
		return nil, err
	}
	m := res.Records[0].AsMap()
	found := strs(m, "found")
	for _, id := range ids {
		if !slices.Contains(found, id) {
			return nil, incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no entity with id %q", id)
		}
	}
	raw, _ := m["neighbors"].([]any)
	out := make([]*incidentgraph.CommonNeighbor, 0, len(raw))
	for _, x := range raw {
		nm := x.(map[string]any)
		cn := &incidentgraph.CommonNeighbor{Entity: entityFromProps(nm["entity"].(map[string]any))}
		for _, l := range nm["links"].([]any) {
			lm := l.(map[string]any)
			link := &incidentgraph.NeighborLink{OfID: str(lm, "of"), Relationships: []*incidentgraph.Relationship{}}
			for _, r := range lm["rels"].([]any) {
				link.Relationships = append(link.Relationships, relFromMap(r.(map[string]any)))
			}
			cn.Links = append(cn.Links, link)
		}
		slices.SortFunc(cn.Links, func(a, b *incidentgraph.NeighborLink) int { return cmp.Compare(order[a.OfID], order[b.OfID]) })
		out = append(out, cn)
	}
	return out, nil
}
