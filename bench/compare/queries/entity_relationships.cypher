// One entity's relationships in both directions, strongest first (at most 100, as the service's
// default page), each with its other end, its asserting party and its sources. `this` is the
// entity: the Library binds it in a @cypher field; the floor binds it with MATCH first.
CALL (this) {
  MATCH (this)-[r]-(o:Entity)
  RETURN r, o
  ORDER BY r.confidence DESC, type(r), r.id
  LIMIT 100
}
RETURN r {
  .id, type: type(r), .status, .confidence,
  direction: CASE WHEN startNode(r) = this THEN 'OUTGOING' ELSE 'INCOMING' END,
  other: o {.id, .kind, .name},
  assertedBy: head(COLLECT { MATCH (a:Entity {id: r.assertedBy}) RETURN a {.id, .kind, .name} }),
  sources: COLLECT { MATCH (s:Entity) WHERE s.id IN r.sources RETURN s {.id, .kind, .name} }
} AS rel
