// name: claimed-vs-attributed
// description: Attacks that one party claimed while another party attributes them to a different actor: the claimant, the attributed actor, who attributes it, how sure and on which sources. A claim or attribution a curator retracted counts only with includeRetracted.
// param: minConfidence INT = 0 "Only attributions at least this sure (0–100)."
// param: incident ID? "Only this incident."
// param: includeRetracted BOOLEAN = false "Also count assertions a curator retracted (left out by default: a retracted assertion is no longer asserted)."
MATCH (claimant:Entity)-[claim:CLAIMED_RESPONSIBILITY_FOR]->(attack:Incident)-[attribution:ATTRIBUTED_TO]->(attributed:Entity)
WHERE attributed <> claimant
  AND ($includeRetracted OR (claim.retractedAt IS NULL AND attribution.retractedAt IS NULL))
  AND attribution.assertedBy <> claim.assertedBy
  AND attribution.confidence >= $minConfidence
  AND ($incident IS NULL OR attack.id = $incident)
OPTIONAL MATCH (attributor:Entity {id: attribution.assertedBy})
RETURN attack.id AS incident, attack.name AS incidentName, attack.date AS date,
       claimant.id AS claimant, claim.status AS claimStatus, claim.confidence AS claimConfidence,
       attributed.id AS attributedTo, attribution.assertedBy AS attributedBy, attributor.name AS attributedByName,
       attribution.status AS attributionStatus, attribution.confidence AS attributionConfidence,
       attribution.sources AS attributionSources,
       claimant AS claimantNode, claim, attack, attribution, attributed
ORDER BY attack.dateStart DESC, attribution.confidence DESC, attributed.id, attribution.id
