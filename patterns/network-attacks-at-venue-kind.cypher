// name: network-attacks-at-venue-kind
// description: Attacks at sites of a given kind (venues, airports, …) tied to a group or to its affiliates and branches: each tie with who asserts it, how sure, and the site. Memberships, ties and site links a curator retracted count only with includeRetracted.
// param: group ID "The group whose network to look at (an entity id, e.g. islamic-state)."
// param: placeType STRING = "VENUE" "The kind of site: VENUE, AIRPORT, BUILDING, … (a place's placeType)."
// param: minConfidence INT = 0 "Only ties at least this sure (0–100)."
// param: includeRetracted BOOLEAN = false "Also count assertions a curator retracted (left out by default: a retracted assertion is no longer asserted)."
MATCH (group:Entity:Organization {id: $group})
// The network: the group itself and what is an affiliate or branch of it, down to two levels.
MATCH membership = (member:Organization)-[m:AFFILIATE_OF|BRANCH_OF WHERE $includeRetracted OR m.retractedAt IS NULL]->{0,2}(group)
// One chain per member, the shortest, AFFILIATE_OF before BRANCH_OF, so that answers repeat.
WITH group, member, membership ORDER BY length(membership), [r IN relationships(membership) | type(r)]
WITH group, member, head(collect(membership)) AS membership
MATCH (member)-[tie:CLAIMED_RESPONSIBILITY_FOR|ATTRIBUTED_TO|PERPETRATED]-(attack:Incident)
WHERE tie.confidence >= $minConfidence AND ($includeRetracted OR tie.retractedAt IS NULL)
MATCH (attack)-[at:OCCURRED_AT]->(site:Place {placeType: $placeType})
WHERE $includeRetracted OR at.retractedAt IS NULL
RETURN attack.id AS incident, attack.name AS incidentName, attack.date AS date,
       site.id AS siteId, site.name AS siteName, member.id AS actor, member.name AS actorName,
       type(tie) AS tieType, tie.status AS tieStatus, tie.confidence AS tieConfidence, tie.assertedBy AS tieAssertedBy,
       membership, tie, attack, at, site
ORDER BY attack.dateStart DESC, tie.confidence DESC, member.id, tie.id
