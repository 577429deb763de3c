package neo4j

import (
	"context"
	"fmt"
	"sort"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
)

// schemaStatements create the constraints and indexes the service relies on. Each is
// idempotent (IF NOT EXISTS), so they run before every load.
// They are keyed by name, so that existing ones can be skipped without a round trip each.
func schemaStatements() map[string]string {
	s := map[string]string{
		"entity_id":      `CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE`,
		"figure_id":      `CREATE CONSTRAINT figure_id IF NOT EXISTS FOR (f:Figure) REQUIRE f.id IS UNIQUE`,
		"figure_subject": `CREATE INDEX figure_subject IF NOT EXISTS FOR (f:Figure) ON (f.subject)`,
		// Imports record a possible duplicate once per pair, and curators page through them.
		"possible_duplicate_key": `CREATE CONSTRAINT possible_duplicate_key IF NOT EXISTS FOR (d:PossibleDuplicate) REQUIRE d.key IS UNIQUE`,
		"incident_date":          `CREATE INDEX incident_date IF NOT EXISTS FOR (n:Incident) ON (n.dateStart)`,
		"organization_name":      `CREATE INDEX organization_name IF NOT EXISTS FOR (n:Organization) ON (n.name)`,
		// A GTD import resolves group names by gtdName and finds incidents by event id.
		"organization_gtdname": `CREATE INDEX organization_gtdname IF NOT EXISTS FOR (n:Organization) ON (n.gtdName)`,
		"incident_gtdeventid":  `CREATE INDEX incident_gtdeventid IF NOT EXISTS FOR (n:Incident) ON (n.gtdEventId)`,
		// Timelines list events with incidents by date: without it, every event is read.
		"event_date": `CREATE INDEX event_date IF NOT EXISTS FOR (n:Event) ON (n.dateStart)`,
		// No stop words: "IS" is an alias of the Islamic State group, not a word to drop. The
		// search keys (searchkeys.go) are the names folded and transliterated.
		"entity_search": `CREATE FULLTEXT INDEX entity_search IF NOT EXISTS FOR (n:Entity) ON EACH [n.name, n.aliases, n.searchKeys]
		 OPTIONS {indexConfig: {` + "`fulltext.analyzer`" + `: 'standard-no-stop-words'}}`,
	}
	// Searches by distance and by box (near, within, placesNear) seek these (see geo.go).
	for label, name := range locatedLabels {
		s[name] = fmt.Sprintf("CREATE POINT INDEX %s IF NOT EXISTS FOR (n:%s) ON (n.%s)", name, label, propLocation)
	}
	for _, t := range incidentgraph.RelTypes() {
		// One assertion id names one relationship, whatever its type.
		name := "rel_id_" + string(t)
		s[name] = fmt.Sprintf("CREATE CONSTRAINT %s IF NOT EXISTS FOR ()-[r:%s]-() REQUIRE r.id IS UNIQUE", name, t)
	}
	return s
}

// EnsureSchema creates the constraints and indexes and waits until they are online. Schema
// changes cannot share a transaction with writes, so this runs before Load's transaction.
func (db *DB) EnsureSchema(ctx context.Context) error {
	exec := func(stmt string) (*driver.EagerResult, error) {
		res, err := driver.ExecuteQuery(ctx, db.driver, stmt, nil, driver.EagerResultTransformer,
			driver.ExecuteQueryWithDatabase(db.cfg.Database), driver.ExecuteQueryWithWritersRouting())
		if err != nil {
			return nil, fmt.Errorf("neo4j schema: %w", classify(ctx, err))
		}
		return res, nil
	}
	// Constraints own an index of the same name, so SHOW INDEXES lists both kinds.
	res, err := exec(`SHOW INDEXES YIELD name, properties`)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, r := range res.Records {
		name, _ := r.Get("name")
		props, _ := r.Get("properties")
		n := name.(string)
		have[n] = true
		// An index made by an earlier version over other properties is made again: IF NOT
		// EXISTS would keep the old one.
		if want, ok := indexProperties[n]; ok && !sameStrings(props, want) {
			if _, err := exec("DROP INDEX " + n); err != nil {
				return err
			}
			have[n] = false
		}
	}
	stmts := schemaStatements()
	names := make([]string, 0, len(stmts))
	for name := range stmts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !have[name] {
			if _, err := exec(stmts[name]); err != nil {
				return err
			}
		}
	}
	if _, err = exec(`CALL db.awaitIndexes(300)`); err != nil {
		return err
	}
	if _, err = db.backfillSearchKeys(ctx); err != nil {
		return err
	}
	_, err = db.backfillLocations(ctx)
	return err
}

// indexProperties are the properties of the indexes whose definition has changed since the
// first release, by name: EnsureSchema makes again one that covers others.
var indexProperties = map[string][]string{"entity_search": {"name", "aliases", propSearchKeys}}

// sameStrings reports whether v, a list from a query, holds exactly want, in order.
func sameStrings(v any, want []string) bool {
	xs, _ := v.([]any)
	if len(xs) != len(want) {
		return false
	}
	for i, x := range xs {
		if s, _ := x.(string); s != want[i] {
			return false
		}
	}
	return true
}
