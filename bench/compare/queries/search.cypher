// Names and aliases, ranked as the service ranks them: the full-text score, with an exact name
// or alias first. $q is the Lucene query the service would build from the words typed.
CALL db.index.fulltext.queryNodes('entity_search', $q, {limit: $limit * 5}) YIELD node, score
WITH node, score + CASE WHEN toLower(node.name) = $exact OR any(a IN node.aliases WHERE toLower(a) = $exact)
                        THEN 1000.0 ELSE 0.0 END AS rank
RETURN node
ORDER BY rank DESC, node.name, node.id
LIMIT $limit
