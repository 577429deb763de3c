// name: asserted-by
// description: Everything a given party asserted: each link with its status, confidence, validity and the titles of its sources, strongest first. Assertions a curator retracted are listed only with includeRetracted.
// param: party ID "The asserting party (an entity id, e.g. united-states)."
// param: status STRING? "Only assertions with this status (CLAIMED, CONFIRMED, REPORTED, ALLEGED, SUSPECTED, DISPUTED, DENIED, RETRACTED)."
// param: minConfidence INT = 0 "Only assertions at least this sure (0–100)."
// param: includeRetracted BOOLEAN = false "Also count assertions a curator retracted (left out by default: a retracted assertion is no longer asserted)."
MATCH (party:Entity {id: $party})
MATCH (from:Entity)-[assertion]->(to:Entity)
WHERE assertion.assertedBy = party.id
  AND ($status IS NULL OR assertion.status = $status)
  AND assertion.confidence >= $minConfidence
  AND ($includeRetracted OR assertion.retractedAt IS NULL)
CALL (assertion) {
  OPTIONAL MATCH (source:Source) WHERE source.id IN assertion.sources
  RETURN collect(source.name) AS sourceTitles
}
RETURN party.id AS party, from.id AS from, type(assertion) AS type, to.id AS to,
       assertion.status AS status, assertion.confidence AS confidence,
       assertion.validFrom AS validFrom, assertion.validTo AS validTo, assertion.assertedOn AS assertedOn,
       assertion.sources AS sources, sourceTitles, assertion.quote AS quote,
       from AS fromNode, assertion, to AS toNode
ORDER BY assertion.confidence DESC, type(assertion), from.id, to.id, assertion.id
