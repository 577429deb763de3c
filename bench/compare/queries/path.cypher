// One shortest chain of relationships (at most 6 hops, either direction) between two entities.
MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
MATCH p = ANY SHORTEST (a)-[r]-{1,6}(b)
RETURN {
  nodes: [n IN nodes(p) | n {.id, .kind, .name}],
  edges: [r IN relationships(p) | r {.id, type: type(r), source: startNode(r).id, target: endNode(r).id, .status, .confidence}]
} AS path
