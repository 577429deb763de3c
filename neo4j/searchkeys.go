package neo4j

import (
	"context"
	"fmt"
	"strings"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/names"
)

// Every entity node stores, beside its name and aliases, their search keys (package names):
// each folded (case, accents, Arabic letter variants and vowel signs, ё) and transliterated to
// a squeezed ASCII key, so that "Daech", "داعش" and "ДАИШ" reach the alias "Daesh" and
// "Крокус" the Crocus City Hall attack. The full-text index entity_search covers them, so a
// search stays one index query. They are derived data: written with the entity by every
// writer (the batch writer and curation), never shown by the API, and left out of the audit
// trail.
const (
	propSearchKeys = "searchKeys"
	// propSearchKeysVersion records the rules the keys were made with. Keys depend on package
	// names and on the versions of golang.org/x/text and the transliteration table it uses:
	// raise searchKeysVersion when any of them changes, and EnsureSchema makes them again.
	propSearchKeysVersion = "searchKeysVersion"
	searchKeysVersion     = 1
)

// searchKeys returns the keys of an entity's name and aliases, once each: names.Keys of each,
// and for a name of several words the key of each word, space-separated, so that the index
// holds them as words and one word of a query reaches one word of a name ("Khorassan" the
// Islamic State Khorasan Province).
func searchKeys(name string, aliases []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, n := range append([]string{name}, aliases...) {
		for _, k := range names.Keys(n) {
			add(k)
		}
		if wk := wordKeys(n); strings.Contains(wk, " ") {
			add(wk)
		}
	}
	return nonNil(out)
}

// wordKeys is the key of each word of s, folded, space-separated.
func wordKeys(s string) string {
	var ks []string
	for _, w := range strings.Fields(names.Fold(s)) {
		if k := names.Key(w); k != "" {
			ks = append(ks, k)
		}
	}
	return strings.Join(ks, " ")
}

// nodeProps are the properties an entity node is written with: the entity's own, its search
// keys and, when it is on the map, its point (geo.go).
func nodeProps(e *incidentgraph.Entity) map[string]any {
	p := entityProps(e)
	p[propSearchKeys] = searchKeys(e.Name, e.Aliases)
	p[propSearchKeysVersion] = int64(searchKeysVersion)
	if pt, ok := location(e); ok {
		p[propLocation] = pt
	}
	return p
}

// backfillBatch bounds the entities one statement of backfillSearchKeys rewrites.
const backfillBatch = 2000

// backfillSearchKeys writes the search keys of entities that have none, or keys made by other
// rules (a graph written before they existed, or by an older version), in batches, and
// returns how many it wrote. Writers give every entity its keys; this catches up what they
// wrote before.
func (db *DB) backfillSearchKeys(ctx context.Context) (int, error) {
	total := 0
	for {
		res, err := driver.ExecuteQuery(ctx, db.driver, `
			MATCH (n:Entity)
			WHERE n.searchKeysVersion IS NULL OR n.searchKeysVersion <> $version
			RETURN elementId(n) AS eid, coalesce(n.name, '') AS name, coalesce(n.aliases, []) AS aliases
			LIMIT $limit`, map[string]any{"version": int64(searchKeysVersion), "limit": backfillBatch},
			driver.EagerResultTransformer, driver.ExecuteQueryWithDatabase(db.cfg.Database),
			driver.ExecuteQueryWithWritersRouting())
		if err != nil {
			return total, fmt.Errorf("search keys: %w", classify(ctx, err))
		}
		if len(res.Records) == 0 {
			return total, nil
		}
		rows := make([]map[string]any, 0, len(res.Records))
		for _, r := range res.Records {
			eid, _ := r.Values[0].(string)
			name, _ := r.Values[1].(string)
			var aliases []string
			for _, a := range r.Values[2].([]any) {
				if s, ok := a.(string); ok {
					aliases = append(aliases, s)
				}
			}
			rows = append(rows, map[string]any{"eid": eid, "keys": searchKeys(name, aliases)})
		}
		if _, err := driver.ExecuteQuery(ctx, db.driver, `
			UNWIND $rows AS row
			MATCH (n:Entity) WHERE elementId(n) = row.eid
			SET n.searchKeys = row.keys, n.searchKeysVersion = $version`,
			map[string]any{"rows": rows, "version": int64(searchKeysVersion)},
			driver.EagerResultTransformer, driver.ExecuteQueryWithDatabase(db.cfg.Database),
			driver.ExecuteQueryWithWritersRouting()); err != nil {
			return total, fmt.Errorf("search keys: %w", classify(ctx, err))
		}
		total += len(rows)
	}
}
