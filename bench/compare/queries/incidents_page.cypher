// A group's incidents and those of its affiliate network (affiliates, branches and those who
// pledged allegiance, down to 3 levels, by assertions neither denied nor retracted) between two
// days, oldest first: the page. $from is the first day of the range, $to its last.
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
WITH n ORDER BY n.dateStart, n.id
LIMIT $first
RETURN n
