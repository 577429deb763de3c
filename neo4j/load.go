package neo4j

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
)

// originSeed marks what the seed files own. A load makes the graph hold exactly what the files
// say about these items: it adds and updates them and removes those the files no longer hold.
// Items from other origins (curation, imports) are left alone, and so is a seed item a curator
// has changed: it is the curator's from then on (origin "curation").
const originSeed = "seed"

// Load writes a dataset in one write transaction, after making sure constraints and indexes
// exist. Loading the same dataset twice leaves the graph unchanged; any error rolls it all back.
func (db *DB) Load(ctx context.Context, ds *incidentgraph.Dataset) (*incidentgraph.LoadStats, error) {
	if err := db.EnsureSchema(ctx); err != nil {
		return nil, err
	}
	s := db.driver.NewSession(ctx, driver.SessionConfig{DatabaseName: db.cfg.Database, AccessMode: driver.AccessModeWrite})
	defer s.Close(context.Background())
	stats, err := driver.ExecuteWrite(ctx, s, func(tx driver.ManagedTransaction) (*incidentgraph.LoadStats, error) {
		return loadTx(ctx, tx, ds)
	}, driver.WithTxTimeout(db.cfg.WriteTimeout))
	if err != nil {
		return nil, fmt.Errorf("load: %w", classify(ctx, err))
	}
	return stats, nil
}

// loadTx does the writing. The driver may run it more than once (it retries transient errors),
// which is safe: every statement is an idempotent MERGE, SET or DELETE.
func loadTx(ctx context.Context, tx driver.ManagedTransaction, ds *incidentgraph.Dataset) (*incidentgraph.LoadStats, error) {
	stats := &incidentgraph.LoadStats{}
	run := func(cypher string, params map[string]any) (int, error) {
		n, err := single[int64](ctx, tx, cypher, params)
		return int(n), err
	}

	// Entities. Labels are passed as parameters ($(...) is Neo4j 5.26's dynamic label), but
	// only from the allow-list: the kind has been looked up in labels above, never taken raw.
	// One statement for all kinds also means one query plan, which keeps a first load quick.
	entityRows := make([]map[string]any, 0, len(ds.Entities))
	ids := make([]string, 0, len(ds.Entities))
	for _, e := range ds.Entities {
		label, ok := labels[e.Kind]
		if !ok {
			return nil, fmt.Errorf("entity %s: unknown kind %q", e.ID, e.Kind)
		}
		var others []string
		for _, k := range incidentgraph.Kinds {
			if k != e.Kind {
				others = append(others, labels[k])
			}
		}
		p := entityProps(e)
		p["origin"] = originSeed
		entityRows = append(entityRows, map[string]any{"id": e.ID, "props": p, "label": label, "others": others})
		ids = append(ids, e.ID)
	}
	removed, err := run(`
		MATCH (n:Entity) WHERE n.origin = $origin AND NOT n.id IN $ids
		DETACH DELETE n RETURN count(*)`, map[string]any{"origin": originSeed, "ids": ids})
	if err != nil {
		return nil, err
	}
	stats.Removed += removed
	// An entity a curator has changed is the curator's (origin "curation"), and the id of one
	// merged into another stays the survivor's: the load leaves both alone (README, "Curation").
	if stats.Entities, err = run(`
		UNWIND $rows AS row
		WITH row WHERE NOT EXISTS { MATCH (:Redirect {id: row.id}) }
		MERGE (n:Entity {id: row.id})
		ON CREATE SET n.origin = $origin
		WITH n, row WHERE n.origin = $origin
		SET n = row.props, n:$(row.label)
		REMOVE n:$(row.others)
		RETURN count(n)`, map[string]any{"rows": entityRows, "origin": originSeed}); err != nil {
		return nil, err
	}

	// Relationships. A relationship whose id, type or ends changed is removed first, so that
	// MERGE never meets an id it cannot reuse. Types, like labels, come from the allow-list.
	relRows := make([]map[string]any, 0, len(ds.Relationships))
	keys := make([]string, 0, len(ds.Relationships))
	// Dates of entities curators have corrected (which the load leaves alone) bound the
	// relationships as the graph holds them, not as the files do.
	recs, err := records(ctx, tx, `
		MATCH (n:Entity) WHERE n.origin = $curation
		  AND (n.founded IS NOT NULL OR n.dissolved IS NOT NULL OR n.published IS NOT NULL)
		RETURN properties(n)`, map[string]any{"curation": incidentgraph.OriginCuration})
	if err != nil {
		return nil, err
	}
	dated := slices.Clone(ds.Entities)
	for _, rec := range recs {
		dated = append(dated, entityFromProps(rec.Values[0].(map[string]any)))
	}
	tv := newTimeView(dated)
	for _, r := range ds.Relationships {
		if _, ok := incidentgraph.LookupRelType(r.Type); !ok {
			return nil, fmt.Errorf("relationship %s: unknown type %q", r.ID, r.Type)
		}
		p := relProps(r)
		tv.relationship(r, p)
		p["origin"] = originSeed
		relRows = append(relRows, map[string]any{"from": r.FromID, "to": r.ToID, "id": r.ID, "type": string(r.Type), "props": p})
		keys = append(keys, relKey(r.ID, string(r.Type), r.FromID, r.ToID))
	}
	removed, err = run(`
		MATCH (a:Entity)-[r]->(b:Entity)
		WHERE r.origin = $origin AND NOT (r.id + '|' + type(r) + '|' + a.id + '|' + b.id) IN $keys
		DELETE r RETURN count(*)`, map[string]any{"origin": originSeed, "keys": keys})
	if err != nil {
		return nil, err
	}
	stats.Removed += removed
	// Assertions a curator has corrected or retracted are the curator's: left as they are,
	// wherever their ends are now (a merge may have moved them).
	curated, err := run(`
		UNWIND $rows AS row
		MATCH (:Entity)-[c:$(row.type) {id: row.id}]->(:Entity) WHERE c.origin = $curation
		RETURN count(c)`, map[string]any{"rows": relRows, "curation": incidentgraph.OriginCuration})
	if err != nil {
		return nil, err
	}
	n, err := run(`
		UNWIND $rows AS row
		WITH row WHERE NOT EXISTS { MATCH (:Entity)-[c:$(row.type) {id: row.id}]->(:Entity) WHERE c.origin = $curation }
		MATCH (a:Entity {id: row.from})
		MATCH (b:Entity {id: row.to})
		MERGE (a)-[r:$(row.type) {id: row.id}]->(b)
		SET r = row.props
		RETURN count(r)`, map[string]any{"rows": relRows, "curation": incidentgraph.OriginCuration})
	if err != nil {
		return nil, err
	}
	if n+curated != len(relRows) {
		// The seed validator checks references; this guards loads from other callers.
		return nil, fmt.Errorf("%d of %d relationships have an end that does not exist", len(relRows)-n, len(relRows))
	}
	stats.Relationships = n

	// Figures.
	figs := make([]map[string]any, 0, len(ds.Figures))
	figIDs := make([]string, 0, len(ds.Figures))
	for _, f := range ds.Figures {
		p := figureProps(f)
		tv.figure(f, p)
		p["origin"] = originSeed
		figs = append(figs, map[string]any{"id": f.ID, "props": p})
		figIDs = append(figIDs, f.ID)
	}
	removed, err = run(`
		MATCH (f:Figure) WHERE f.origin = $origin AND NOT f.id IN $ids
		DELETE f RETURN count(*)`, map[string]any{"origin": originSeed, "ids": figIDs})
	if err != nil {
		return nil, err
	}
	stats.Removed += removed
	n, err = run(`
		UNWIND $rows AS row
		MERGE (f:Figure {id: row.id})
		ON CREATE SET f.origin = $origin
		WITH f, row WHERE f.origin = $origin
		SET f = row.props
		RETURN count(f)`, map[string]any{"rows": figs, "origin": originSeed})
	if err != nil {
		return nil, err
	}
	stats.Figures = n
	return stats, nil
}

// Counts reports how many entities, relationships and figures the graph holds.
func (db *DB) Counts(ctx context.Context) (entities, relationships, figures int, err error) {
	res, err := db.read(ctx, `
		CALL () { MATCH (n:Entity) RETURN count(n) AS entities }
		CALL () { MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS relationships }
		CALL () { MATCH (f:Figure) RETURN count(f) AS figures }
		RETURN entities, relationships, figures`, nil)
	if err != nil {
		return 0, 0, 0, err
	}
	v := res.Records[0].Values
	return int(v[0].(int64)), int(v[1].(int64)), int(v[2].(int64)), nil
}

// DeleteAll removes every node and relationship (not the schema). Tests use it to start from an
// empty graph; operators can use it before a clean reload.
func (db *DB) DeleteAll(ctx context.Context) error {
	// Batched deletes need an auto-commit transaction (session.Run), not a managed one.
	s := db.driver.NewSession(ctx, driver.SessionConfig{DatabaseName: db.cfg.Database, AccessMode: driver.AccessModeWrite})
	defer s.Close(context.Background())
	res, err := s.Run(ctx, `MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`, nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	return classify(ctx, err)
}

// Fingerprint hashes everything the graph holds: every node with its labels and properties
// and every relationship with its type, ends and properties. Equal fingerprints mean an
// identical graph: tests use it to show that a second load, or a failed one, changed nothing.
// It reads the whole graph, so it is for diagnostics, not for requests.
func (db *DB) Fingerprint(ctx context.Context) (string, error) {
	res, err := db.read(ctx, `
		MATCH (n) RETURN ['N', labels(n), properties(n)] AS item
		UNION ALL
		MATCH (a)-[r]->(b) RETURN ['R', type(r), a.id, b.id, properties(r)] AS item`, nil)
	if err != nil {
		return "", err
	}
	lines := make([]string, 0, len(res.Records))
	for _, rec := range res.Records {
		item, _ := rec.Get("item")
		parts := item.([]any)
		if ls, ok := parts[1].([]any); ok { // label order is not significant
			sort.Slice(ls, func(i, j int) bool { return ls[i].(string) < ls[j].(string) })
		}
		b, err := json.Marshal(parts) // maps marshal with sorted keys
		if err != nil {
			return "", err
		}
		lines = append(lines, string(b))
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:]), nil
}
