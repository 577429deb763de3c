// A timeline of an actor and its affiliate network: the store's Timeline (neo4j/timeline.go)
// with an actor and no place, the relationship filter's parameters given their unfiltered
// values. The one change: the page is `LIMIT $first + 1` where the store passes first + 1 as
// $first (the extra entry says whether a next page exists), so that the Library's @cypher field
// takes the page size its client asks for. $afterStart, $afterEnd and $afterId are the cursor
// (null for the first page).
OPTIONAL MATCH (actor:Entity {id: $actor})
OPTIONAL MATCH (place:Entity {id: $place})
WITH actor, place,
     CASE WHEN actor IS NULL THEN []
          WHEN $includeAffiliates THEN [actor] + COLLECT { MATCH (g:Entity)-[a:AFFILIATE_OF|BRANCH_OF|PLEDGED_ALLEGIANCE_TO WHERE NOT a.status IN ['DENIED', 'RETRACTED'] AND ($includeRetracted OR a.retractedAt IS NULL) AND ($knownAt IS NULL OR coalesce(a.knownFrom, '') <= $knownAt)
		AND ($validAtEnd IS NULL OR (coalesce(a.validFromStart, '') <= $validAtEnd
		                             AND coalesce(a.validToEnd, '9999') >= $validAtStart))]->{1,3}(actor)
		          RETURN DISTINCT g }
          ELSE [actor] END AS actors
CALL (place, actors) {
	UNWIND actors AS a
	MATCH (a)-[r]-(n:Incident|Event)
	WHERE type(r) IN $types
	AND r.confidence >= $minConfidence
	AND (size($statuses) = 0 OR r.status IN $statuses)
	AND ($assertedBy IS NULL OR r.assertedBy = $assertedBy)
	AND ($includeRetracted OR r.retractedAt IS NULL)
	AND ($knownAt IS NULL OR coalesce(r.knownFrom, '') <= $knownAt)
	AND ($validAtEnd IS NULL OR (coalesce(r.validFromStart, '') <= $validAtEnd
	                             AND coalesce(r.validToEnd, '9999') >= $validAtStart))
	WITH DISTINCT n
	WHERE n.dateStart IS NOT NULL
	  AND ($from IS NULL OR n.dateEnd >= $from)
	  AND ($to IS NULL OR n.dateStart <= $to)
	  AND ($knownAt IS NULL OR n.dateStart <= $knownAt)
	  AND ($place IS NULL
	       OR EXISTS { MATCH (n)-[o:OCCURRED_AT|OCCURRED_IN]->(:Entity)-[located:LOCATED_IN WHERE ($includeRetracted OR located.retractedAt IS NULL)]->{0,5}(place)
	                   WHERE ($includeRetracted OR o.retractedAt IS NULL) })
	RETURN count(n) AS total
}
CALL (place, actors) {
	UNWIND actors AS a
	MATCH (a)-[r]-(n:Incident|Event)
	WHERE type(r) IN $types
	AND r.confidence >= $minConfidence
	AND (size($statuses) = 0 OR r.status IN $statuses)
	AND ($assertedBy IS NULL OR r.assertedBy = $assertedBy)
	AND ($includeRetracted OR r.retractedAt IS NULL)
	AND ($knownAt IS NULL OR coalesce(r.knownFrom, '') <= $knownAt)
	AND ($validAtEnd IS NULL OR (coalesce(r.validFromStart, '') <= $validAtEnd
	                             AND coalesce(r.validToEnd, '9999') >= $validAtStart))
	WITH DISTINCT n
	WHERE n.dateStart IS NOT NULL
	  AND ($from IS NULL OR n.dateEnd >= $from)
	  AND ($to IS NULL OR n.dateStart <= $to)
	  AND ($knownAt IS NULL OR n.dateStart <= $knownAt)
	  AND ($place IS NULL
	       OR EXISTS { MATCH (n)-[o:OCCURRED_AT|OCCURRED_IN]->(:Entity)-[located:LOCATED_IN WHERE ($includeRetracted OR located.retractedAt IS NULL)]->{0,5}(place)
	                   WHERE ($includeRetracted OR o.retractedAt IS NULL) })
	  AND ($afterId IS NULL OR n.dateStart > $afterStart
	       OR (n.dateStart = $afterStart AND (n.dateEnd > $afterEnd
	           OR (n.dateEnd = $afterEnd AND n.id > $afterId))))
	WITH n ORDER BY n.dateStart, n.dateEnd, n.id LIMIT $first + 1
	RETURN collect({n: properties(n), links: COLLECT {
		MATCH (n)-[r]-(a:Entity) WHERE a IN actors AND type(r) IN $types
	AND r.confidence >= $minConfidence
	AND (size($statuses) = 0 OR r.status IN $statuses)
	AND ($assertedBy IS NULL OR r.assertedBy = $assertedBy)
	AND ($includeRetracted OR r.retractedAt IS NULL)
	AND ($knownAt IS NULL OR coalesce(r.knownFrom, '') <= $knownAt)
	AND ($validAtEnd IS NULL OR (coalesce(r.validFromStart, '') <= $validAtEnd
	                             AND coalesce(r.validToEnd, '9999') >= $validAtStart))
		WITH r ORDER BY r.confidence DESC, type(r), r.id
		RETURN {props: properties(r), type: type(r), from: startNode(r).id, to: endNode(r).id} }}) AS entries
}
RETURN actor IS NOT NULL AS hasActor, place IS NOT NULL AS hasPlace, place.kind AS placeKind, total, entries
