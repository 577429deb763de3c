// name: allegations-later-denied
// description: Allegations (ACCUSED_OF, or any ALLEGED assertion) that the accused later denied (a DENIED link or a DENIED status on the same incident), with who alleged, who denied and both dates (asserted on, else the first day the sources make them known). An allegation or denial a curator retracted counts only with includeRetracted.
// param: since DATE? "Only denials made on or after this date (YYYY, YYYY-MM or YYYY-MM-DD)."
// param: includeRetracted BOOLEAN = false "Also count assertions a curator retracted (left out by default: a retracted assertion is no longer asserted)."
MATCH (accused:Entity)-[allegation]->(target:Entity)
WHERE (type(allegation) = 'ACCUSED_OF' OR allegation.status = 'ALLEGED') AND allegation.status <> 'DENIED'
  AND ($includeRetracted OR allegation.retractedAt IS NULL)
MATCH (accused)-[denial]->(target)
WHERE (type(denial) = 'DENIED' OR denial.status = 'DENIED') AND denial <> allegation
  AND ($includeRetracted OR denial.retractedAt IS NULL)
WITH accused, allegation, target, denial,
     coalesce(allegation.assertedOn, allegation.knownFrom) AS allegedOn,
     coalesce(denial.assertedOn, denial.knownFrom) AS deniedOn
WHERE deniedOn >= allegedOn AND ($since IS NULL OR deniedOn >= $since)
RETURN accused.id AS accused, accused.name AS accusedName, target.id AS target, target.name AS targetName,
       type(allegation) AS allegationType, allegation.assertedBy AS allegedBy, allegation.confidence AS allegationConfidence, allegedOn,
       type(denial) AS denialType, denial.assertedBy AS deniedBy, denial.confidence AS denialConfidence, deniedOn,
       accused AS accusedNode, allegation, denial, target AS targetNode
ORDER BY deniedOn DESC, accused.id, target.id, allegation.id, denial.id
