// The two-hop organisational network around a group, as the service's affiliateNetwork(depth: 2)
// draws it: actors within two hops over the organisational types in either direction (an origin
// counts only when it is an organisation, person or group), nearest first, at most 200 besides
// the centre, and the organisational links among them.
MATCH (c:Organization {id: $id})
OPTIONAL CALL (c) {
  MATCH p = ANY SHORTEST (c)(()-[r:AFFILIATE_OF|BRANCH_OF|OFFSHOOT_OF|SPLINTER_OF|ALLIED_WITH|RIVAL_OF|ENEMY_OF|MERGED_INTO|PLEDGED_ALLEGIANCE_TO|ORIGINATED_FROM
      WHERE type(r) <> 'ORIGINATED_FROM' OR endNode(r).kind IN ['ORGANIZATION', 'PERSON', 'GROUP']]-(:Organization|Country|Person|Group)){1,2}(m)
  WHERE m <> c
  RETURN m, length(p) AS hops
  ORDER BY hops, m.id
  LIMIT 201
}
WITH c, collect(m) AS ms
WITH [c] + ms[0..200] AS nodes, size(ms) > 200 AS truncated
CALL (nodes) {
  UNWIND nodes AS a
  MATCH (a)-[r:AFFILIATE_OF|BRANCH_OF|OFFSHOOT_OF|SPLINTER_OF|ALLIED_WITH|RIVAL_OF|ENEMY_OF|MERGED_INTO|PLEDGED_ALLEGIANCE_TO|ORIGINATED_FROM]->(b:Entity)
  WHERE b IN nodes AND (type(r) <> 'ORIGINATED_FROM' OR b.kind IN ['ORGANIZATION', 'PERSON', 'GROUP'])
  RETURN collect(DISTINCT r {.id, type: type(r), source: a.id, target: b.id, .status, .confidence}) AS edges
}
RETURN {nodes: [n IN nodes | n {.id, .kind, .name}], edges: edges, truncated: truncated} AS network
