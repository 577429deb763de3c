// Names, aliases and their search keys, ranked as the service ranks them: the full-text score,
// with an exact or folded name or alias first, then a match of the transliteration key. $q is
// the Lucene query the service would build from the words typed; $folded and $key the text
// folded and keyed (package names).
CALL db.index.fulltext.queryNodes('entity_search', $q, {limit: $limit * 5}) YIELD node, score
WITH node, score + CASE WHEN toLower(node.name) = $exact OR any(a IN node.aliases WHERE toLower(a) = $exact)
                             OR $folded IN coalesce(node.searchKeys, []) THEN 1000.0
                        WHEN size($key) >= 3 AND $key IN coalesce(node.searchKeys, []) THEN 500.0
                        ELSE 0.0 END AS rank
RETURN node
ORDER BY rank DESC, node.name, node.id
LIMIT $limit
