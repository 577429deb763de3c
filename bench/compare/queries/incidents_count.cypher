// The total count for incidents_page.cypher: the same match, counted.
WITH [$group] + COLLECT {
  MATCH (g:Entity)-[a:AFFILIATE_OF|BRANCH_OF|PLEDGED_ALLEGIANCE_TO WHERE NOT a.status IN ['DENIED', 'RETRACTED']]->{1,3}(:Entity {id: $group})
  RETURN DISTINCT g.id
} AS perps
MATCH (n:Incident)
WHERE n.dateEnd >= $from AND n.dateStart <= $to
  AND EXISTS {
    MATCH (n)-[r:CLAIMED_RESPONSIBILITY_FOR|PERPETRATED|ATTRIBUTED_TO]-(p:Entity)
    WHERE p.id IN perps AND NOT r.status IN ['DENIED', 'RETRACTED']
  }
RETURN count(n) AS total
