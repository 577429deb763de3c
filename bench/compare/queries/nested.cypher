// Three levels down from a group: the incidents it perpetrated, claimed or was attributed, the
// places each occurred in or at, and the incidents at each of those places, as one tree. The
// caps are the service's page sizes for this question (see questions.go), in its order:
// strongest assertion first.
MATCH (g:Entity {id: $id})
RETURN g {
  .id,
  incidents: COLLECT {
    MATCH (g)-[r:CLAIMED_RESPONSIBILITY_FOR|PERPETRATED|ATTRIBUTED_TO]-(i:Incident)
    WITH r, i ORDER BY r.confidence DESC, type(r), r.id LIMIT 20
    RETURN i {
      .id,
      places: COLLECT {
        MATCH (i)-[r2:OCCURRED_IN|OCCURRED_AT]->(p:Entity)
        WITH r2, p ORDER BY r2.confidence DESC, type(r2), r2.id LIMIT 5
        RETURN p {
          .id,
          incidents: COLLECT {
            MATCH (p)<-[r3:OCCURRED_IN|OCCURRED_AT]-(j:Incident)
            WITH r3, j ORDER BY r3.confidence DESC, type(r3), r3.id LIMIT 30
            RETURN j {.id}
          }
        }
      }
    }
  }
} AS tree
