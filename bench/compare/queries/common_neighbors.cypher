// What several entities have in common: the store's CommonNeighbors (neo4j/analyst.go), the
// relationship filter's parameters given their unfiltered values. The entities directly linked
// to every one of $ids (never one of them), each with the relationships to each, strongest
// first; ranked by the sum of each link's strongest confidence, then name and id. (The store
// puts each neighbour's links in the order of $ids afterwards, in Go.)
OPTIONAL MATCH (n:Entity) WHERE n.id IN $ids
WITH collect(n) AS ns
CALL (ns) {
	WITH ns WHERE size(ns) = size($ids)
	UNWIND ns AS n
	MATCH (n)-[r]-(m:Entity)
	WHERE type(r) IN $types
	AND r.confidence >= $minConfidence
	AND (size($statuses) = 0 OR r.status IN $statuses)
	AND ($assertedBy IS NULL OR r.assertedBy = $assertedBy)
	AND ($includeRetracted OR r.retractedAt IS NULL)
	AND ($knownAt IS NULL OR coalesce(r.knownFrom, '') <= $knownAt)
	AND ($validAtEnd IS NULL OR (coalesce(r.validFromStart, '') <= $validAtEnd
	                             AND coalesce(r.validToEnd, '9999') >= $validAtStart)) AND NOT m IN ns
	WITH m, n, r ORDER BY r.confidence DESC, r.id, type(r)
	WITH m, n, collect({props: properties(r), type: type(r), from: startNode(r).id, to: endNode(r).id}) AS rels, max(r.confidence) AS best
	WITH m, collect({of: n.id, rels: rels}) AS links, sum(best) AS score
	WHERE size(links) = size($ids)
	WITH m, links ORDER BY score DESC, m.name, m.id LIMIT $limit
	RETURN collect({entity: properties(m), links: links}) AS neighbors
}
RETURN [n IN ns | n.id] AS found, neighbors
