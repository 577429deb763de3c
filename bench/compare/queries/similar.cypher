// The features of an incident and of the candidates for its most similar incidents: the store's
// SimilarIncidents query (neo4j/similar.go), the relationship filter's parameters given their
// unfiltered values ($types: the perpetrator and place types, as the store sets them; $candidates:
// 2,000, incidentgraph.SimilarityCandidates). The store scores the candidates in Go
// (analysis.Similarity), and so does the floor; the Library scores them in Cypher
// (similar_score.cypher), since a @cypher field has nothing else.
OPTIONAL MATCH (t:Entity {id: $id})
	OPTIONAL CALL (t) {
		WITH t WHERE t:Incident
		RETURN {
	incident: t {.id, .kind, .name, .date, .dateStart, .attackTypes, .targetTypes, .weaponTypes, .suicide},
	perpetrators: COLLECT {
		MATCH (t)-[r:CLAIMED_RESPONSIBILITY_FOR|PERPETRATED|ATTRIBUTED_TO]-(p:Entity) WHERE NOT r.status IN ['DENIED', 'RETRACTED'] AND type(r) IN $types
AND r.confidence >= $minConfidence
AND (size($statuses) = 0 OR r.status IN $statuses)
AND ($assertedBy IS NULL OR r.assertedBy = $assertedBy)
AND ($includeRetracted OR r.retractedAt IS NULL)
AND ($knownAt IS NULL OR coalesce(r.knownFrom, '') <= $knownAt)
AND ($validAtEnd IS NULL OR (coalesce(r.validFromStart, '') <= $validAtEnd
                             AND coalesce(r.validToEnd, '9999') >= $validAtStart))
		WITH DISTINCT p
		RETURN {id: p.id, name: p.name} },
	venueKinds: COLLECT {
		MATCH (t)-[r:OCCURRED_AT]->(s:Place) WHERE s.placeType IS NOT NULL AND type(r) IN $types
AND r.confidence >= $minConfidence
AND (size($statuses) = 0 OR r.status IN $statuses)
AND ($assertedBy IS NULL OR r.assertedBy = $assertedBy)
AND ($includeRetracted OR r.retractedAt IS NULL)
AND ($knownAt IS NULL OR coalesce(r.knownFrom, '') <= $knownAt)
AND ($validAtEnd IS NULL OR (coalesce(r.validFromStart, '') <= $validAtEnd
                             AND coalesce(r.validToEnd, '9999') >= $validAtStart))
		RETURN DISTINCT s.placeType },
	places: COLLECT {
		MATCH (t)-[r:OCCURRED_AT|OCCURRED_IN]->(:Entity)-[located:LOCATED_IN WHERE ($includeRetracted OR located.retractedAt IS NULL)]->{0,5}(pl:Entity) WHERE type(r) IN $types
AND r.confidence >= $minConfidence
AND (size($statuses) = 0 OR r.status IN $statuses)
AND ($assertedBy IS NULL OR r.assertedBy = $assertedBy)
AND ($includeRetracted OR r.retractedAt IS NULL)
AND ($knownAt IS NULL OR coalesce(r.knownFrom, '') <= $knownAt)
AND ($validAtEnd IS NULL OR (coalesce(r.validFromStart, '') <= $validAtEnd
                             AND coalesce(r.validToEnd, '9999') >= $validAtStart))
		WITH DISTINCT pl
		RETURN {id: pl.id, name: pl.name, kind: pl.kind, placeType: pl.placeType} }
} AS target
	}
	CALL (t) {
		WITH t WHERE t:Incident
		WITH t,
		     COLLECT { MATCH (t)-[r:CLAIMED_RESPONSIBILITY_FOR|PERPETRATED|ATTRIBUTED_TO]-(p:Entity) WHERE NOT r.status IN ['DENIED', 'RETRACTED'] AND type(r) IN $types
AND r.confidence >= $minConfidence
AND (size($statuses) = 0 OR r.status IN $statuses)
AND ($assertedBy IS NULL OR r.assertedBy = $assertedBy)
AND ($includeRetracted OR r.retractedAt IS NULL)
AND ($knownAt IS NULL OR coalesce(r.knownFrom, '') <= $knownAt)
AND ($validAtEnd IS NULL OR (coalesce(r.validFromStart, '') <= $validAtEnd
                             AND coalesce(r.validToEnd, '9999') >= $validAtStart))
		               RETURN p.id AS id
		               UNION
		               MATCH (t)-[r:CLAIMED_RESPONSIBILITY_FOR|PERPETRATED|ATTRIBUTED_TO]-(:Entity)-[a:AFFILIATE_OF|BRANCH_OF|PLEDGED_ALLEGIANCE_TO WHERE NOT a.status IN ['DENIED', 'RETRACTED'] AND ($includeRetracted OR a.retractedAt IS NULL) AND ($knownAt IS NULL OR coalesce(a.knownFrom, '') <= $knownAt)
	AND ($validAtEnd IS NULL OR (coalesce(a.validFromStart, '') <= $validAtEnd
	                             AND coalesce(a.validToEnd, '9999') >= $validAtStart))]-{1,2}(g:Entity)
		               WHERE NOT r.status IN ['DENIED', 'RETRACTED'] AND type(r) IN $types
AND r.confidence >= $minConfidence
AND (size($statuses) = 0 OR r.status IN $statuses)
AND ($assertedBy IS NULL OR r.assertedBy = $assertedBy)
AND ($includeRetracted OR r.retractedAt IS NULL)
AND ($knownAt IS NULL OR coalesce(r.knownFrom, '') <= $knownAt)
AND ($validAtEnd IS NULL OR (coalesce(r.validFromStart, '') <= $validAtEnd
                             AND coalesce(r.validToEnd, '9999') >= $validAtStart))
		               RETURN g.id AS id } AS kin,
		     COLLECT { MATCH (t)-[r:OCCURRED_AT|OCCURRED_IN]->(:Entity)-[located:LOCATED_IN WHERE ($includeRetracted OR located.retractedAt IS NULL)]->{0,5}(pl:Entity) WHERE type(r) IN $types
AND r.confidence >= $minConfidence
AND (size($statuses) = 0 OR r.status IN $statuses)
AND ($assertedBy IS NULL OR r.assertedBy = $assertedBy)
AND ($includeRetracted OR r.retractedAt IS NULL)
AND ($knownAt IS NULL OR coalesce(r.knownFrom, '') <= $knownAt)
AND ($validAtEnd IS NULL OR (coalesce(r.validFromStart, '') <= $validAtEnd
                             AND coalesce(r.validToEnd, '9999') >= $validAtStart))
		               RETURN DISTINCT pl.id } AS sites
		CALL (t, kin, sites) {
			MATCH (k:Entity)-[r:CLAIMED_RESPONSIBILITY_FOR|PERPETRATED|ATTRIBUTED_TO]-(c:Incident) USING INDEX k:Entity(id) WHERE k.id IN kin AND c <> t AND NOT r.status IN ['DENIED', 'RETRACTED'] AND type(r) IN $types
AND r.confidence >= $minConfidence
AND (size($statuses) = 0 OR r.status IN $statuses)
AND ($assertedBy IS NULL OR r.assertedBy = $assertedBy)
AND ($includeRetracted OR r.retractedAt IS NULL)
AND ($knownAt IS NULL OR coalesce(r.knownFrom, '') <= $knownAt)
AND ($validAtEnd IS NULL OR (coalesce(r.validFromStart, '') <= $validAtEnd
                             AND coalesce(r.validToEnd, '9999') >= $validAtStart))
			WITH DISTINCT t, c
			RETURN c, 0 AS tier, coalesce(abs(duration.inDays(date(t.dateStart), date(c.dateStart)).days), 1000000000) AS near ORDER BY near, c.id LIMIT $candidates
			UNION ALL
			UNWIND sites AS site
			MATCH (pl:Entity {id: site})<-[located:LOCATED_IN WHERE ($includeRetracted OR located.retractedAt IS NULL)]-{0,5}(:Entity)<-[r:OCCURRED_AT|OCCURRED_IN]-(c:Incident)
			WHERE c <> t AND type(r) IN $types
AND r.confidence >= $minConfidence
AND (size($statuses) = 0 OR r.status IN $statuses)
AND ($assertedBy IS NULL OR r.assertedBy = $assertedBy)
AND ($includeRetracted OR r.retractedAt IS NULL)
AND ($knownAt IS NULL OR coalesce(r.knownFrom, '') <= $knownAt)
AND ($validAtEnd IS NULL OR (coalesce(r.validFromStart, '') <= $validAtEnd
                             AND coalesce(r.validToEnd, '9999') >= $validAtStart))
			WITH DISTINCT t, c
			RETURN c, 1 AS tier, coalesce(abs(duration.inDays(date(t.dateStart), date(c.dateStart)).days), 1000000000) AS near ORDER BY near, c.id LIMIT $candidates
			UNION ALL
			CALL (t) {
				MATCH (c:Incident) WHERE c.dateStart >= t.dateStart AND c <> t
				RETURN c ORDER BY c.dateStart, c.id LIMIT $candidates
				UNION ALL
				MATCH (c:Incident) WHERE c.dateStart < t.dateStart
				RETURN c ORDER BY c.dateStart DESC, c.id LIMIT $candidates
			}
			RETURN c, 2 AS tier, coalesce(abs(duration.inDays(date(t.dateStart), date(c.dateStart)).days), 1000000000) AS near ORDER BY near, c.id LIMIT $candidates
		}
		WITH c, min(tier) AS tier, min(near) AS near
		ORDER BY tier, near, c.id LIMIT $candidates
		RETURN collect({
	incident: c {.id, .kind, .name, .date, .dateStart, .attackTypes, .targetTypes, .weaponTypes, .suicide},
	perpetrators: COLLECT {
		MATCH (c)-[r:CLAIMED_RESPONSIBILITY_FOR|PERPETRATED|ATTRIBUTED_TO]-(p:Entity) WHERE NOT r.status IN ['DENIED', 'RETRACTED'] AND type(r) IN $types
AND r.confidence >= $minConfidence
AND (size($statuses) = 0 OR r.status IN $statuses)
AND ($assertedBy IS NULL OR r.assertedBy = $assertedBy)
AND ($includeRetracted OR r.retractedAt IS NULL)
AND ($knownAt IS NULL OR coalesce(r.knownFrom, '') <= $knownAt)
AND ($validAtEnd IS NULL OR (coalesce(r.validFromStart, '') <= $validAtEnd
                             AND coalesce(r.validToEnd, '9999') >= $validAtStart))
		WITH DISTINCT p
		RETURN {id: p.id, name: p.name} },
	venueKinds: COLLECT {
		MATCH (c)-[r:OCCURRED_AT]->(s:Place) WHERE s.placeType IS NOT NULL AND type(r) IN $types
AND r.confidence >= $minConfidence
AND (size($statuses) = 0 OR r.status IN $statuses)
AND ($assertedBy IS NULL OR r.assertedBy = $assertedBy)
AND ($includeRetracted OR r.retractedAt IS NULL)
AND ($knownAt IS NULL OR coalesce(r.knownFrom, '') <= $knownAt)
AND ($validAtEnd IS NULL OR (coalesce(r.validFromStart, '') <= $validAtEnd
                             AND coalesce(r.validToEnd, '9999') >= $validAtStart))
		RETURN DISTINCT s.placeType },
	places: COLLECT {
		MATCH (c)-[r:OCCURRED_AT|OCCURRED_IN]->(:Entity)-[located:LOCATED_IN WHERE ($includeRetracted OR located.retractedAt IS NULL)]->{0,5}(pl:Entity) WHERE type(r) IN $types
AND r.confidence >= $minConfidence
AND (size($statuses) = 0 OR r.status IN $statuses)
AND ($assertedBy IS NULL OR r.assertedBy = $assertedBy)
AND ($includeRetracted OR r.retractedAt IS NULL)
AND ($knownAt IS NULL OR coalesce(r.knownFrom, '') <= $knownAt)
AND ($validAtEnd IS NULL OR (coalesce(r.validFromStart, '') <= $validAtEnd
                             AND coalesce(r.validToEnd, '9999') >= $validAtStart))
		WITH DISTINCT pl
		RETURN {id: pl.id, name: pl.name, kind: pl.kind, placeType: pl.placeType} }
}) AS candidates
	}
	CALL (target, candidates) {
		UNWIND [target] + candidates AS f
		UNWIND f.perpetrators AS perp
		WITH DISTINCT perp.id AS id
		MATCH (p:Entity {id: id})
		RETURN collect({id: id, network: COLLECT {
			MATCH (p)-[a:AFFILIATE_OF|BRANCH_OF|PLEDGED_ALLEGIANCE_TO WHERE NOT a.status IN ['DENIED', 'RETRACTED'] AND ($includeRetracted OR a.retractedAt IS NULL) AND ($knownAt IS NULL OR coalesce(a.knownFrom, '') <= $knownAt)
	AND ($validAtEnd IS NULL OR (coalesce(a.validFromStart, '') <= $validAtEnd
	                             AND coalesce(a.validToEnd, '9999') >= $validAtStart))]-{1,2}(g:Entity)
			WHERE g <> p RETURN DISTINCT g.id }}) AS networks
	}
	RETURN t IS NOT NULL AS found, t.kind AS kind, target, candidates, networks
