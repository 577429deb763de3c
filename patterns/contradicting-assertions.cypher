// name: contradicting-assertions
// description: Pairs of assertions that contradict each other on the same incident: responsibility put on two different actors that are not affiliates, branches or members of one another, or a responsibility assertion about an actor and that actor's denial. An assertion a curator retracted takes part only with includeRetracted, as does a retracted affiliation that would make two actors one network.
// param: incident ID? "Only this incident."
// param: minConfidence INT = 0 "Only pairs whose two assertions are each at least this sure (0–100)."
// param: includeRetracted BOOLEAN = false "Also count assertions a curator retracted (left out by default: a retracted assertion is no longer asserted)."
MATCH (attack:Incident)
WHERE $incident IS NULL OR attack.id = $incident
MATCH (a:Entity)-[first]-(attack)-[second]-(b:Entity)
WHERE type(first) IN ['CLAIMED_RESPONSIBILITY_FOR', 'ATTRIBUTED_TO', 'PERPETRATED', 'ACCUSED_OF']
  AND first.status <> 'DENIED'
  AND first.confidence >= $minConfidence AND second.confidence >= $minConfidence
  AND ($includeRetracted OR (first.retractedAt IS NULL AND second.retractedAt IS NULL))
  AND (
    // Different perpetrators: both blame, the two are organisations or states, and neither
    // belongs to the other (IS and its affiliate IS-K do not contradict each other).
    (type(second) IN ['CLAIMED_RESPONSIBILITY_FOR', 'ATTRIBUTED_TO', 'PERPETRATED', 'ACCUSED_OF']
      AND second.status <> 'DENIED'
      AND first.id < second.id AND a <> b
      AND (a:Organization OR a:Country) AND (b:Organization OR b:Country)
      AND NOT EXISTS { (a)-[kin:AFFILIATE_OF|BRANCH_OF|MEMBER_OF]-(b) WHERE $includeRetracted OR kin.retractedAt IS NULL })
    OR
    // A denial: the same actor blamed and denying.
    (a = b AND (type(second) = 'DENIED' OR second.status = 'DENIED'))
  )
WITH attack, a, first, b, second, CASE WHEN a = b THEN 'DENIAL' ELSE 'DIFFERENT_PERPETRATOR' END AS conflict
RETURN attack.id AS incident, attack.name AS incidentName, conflict,
       a.id AS actor, type(first) AS assertion, first.status AS status, first.assertedBy AS assertedBy, first.confidence AS confidence,
       b.id AS otherActor, type(second) AS otherAssertion, second.status AS otherStatus, second.assertedBy AS otherAssertedBy, second.confidence AS otherConfidence,
       a AS actorNode, first, attack, second, b AS otherActorNode
ORDER BY attack.dateStart DESC, conflict, first.confidence + second.confidence DESC, first.id, second.id
