// name: affiliates-attacking-in-country
// description: Groups whose affiliates or branches attacked in a given country: the parent group, the affiliate, the attack, how the affiliate is tied to it (claim, attribution, perpetration) and where it happened. Memberships, ties and the links that place the attack in the country (OCCURRED_IN/AT, LOCATED_IN) count only while they stand: one a curator retracted counts only with includeRetracted.
// param: country ID "The country the attacks happened in (an entity id, e.g. russia)."
// param: minConfidence INT = 0 "Only ties of the affiliate to the attack at least this sure (0–100)."
// param: includeRetracted BOOLEAN = false "Also count assertions a curator retracted (left out by default: a retracted assertion is no longer asserted)."
MATCH (country:Entity:Country {id: $country})
MATCH (affiliate:Organization)-[membership:AFFILIATE_OF|BRANCH_OF]->(group:Organization)
WHERE $includeRetracted OR membership.retractedAt IS NULL
MATCH (affiliate)-[tie:CLAIMED_RESPONSIBILITY_FOR|ATTRIBUTED_TO|PERPETRATED]-(attack:Incident)
WHERE tie.confidence >= $minConfidence AND ($includeRetracted OR tie.retractedAt IS NULL)
CALL (attack, country) {
  // The shortest chain from the attack's site up to the country, so that each attack counts once;
  // a retracted link cuts the chain there.
  MATCH location = (attack)-[site:OCCURRED_IN|OCCURRED_AT WHERE $includeRetracted OR site.retractedAt IS NULL]->(:Entity)
                   -[located:LOCATED_IN WHERE $includeRetracted OR located.retractedAt IS NULL]->{0,5}(country)
  RETURN location ORDER BY length(location) LIMIT 1
}
WITH group, affiliate, membership, attack, tie, location ORDER BY type(membership)
WITH group, affiliate, attack, tie, location, collect(membership) AS memberships
RETURN group.id AS group, group.name AS groupName, affiliate.id AS affiliate, affiliate.name AS affiliateName,
       [m IN memberships | type(m)] AS membershipTypes,
       attack.id AS incident, attack.name AS incidentName, attack.date AS date,
       type(tie) AS tieType, tie.status AS tieStatus, tie.confidence AS tieConfidence, tie.assertedBy AS tieAssertedBy,
       group AS groupNode, memberships, affiliate AS affiliateNode, tie, location
ORDER BY attack.dateStart DESC, group.id, affiliate.id, tie.confidence DESC, tie.id
