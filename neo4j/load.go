package neo4j

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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

// Load writes a dataset (the seed graph) through the one writer (WriteBatch), as everything of
// origin seed: in one write transaction, after making sure constraints and indexes exist, it
// adds and updates the seed's items and removes those the files no longer hold, leaving what
// curators and imports own and writing what names a merged-away id on its survivor. Loading
// the same dataset twice leaves the graph unchanged; any error rolls it all back.
func (db *DB) Load(ctx context.Context, ds *incidentgraph.Dataset) (*incidentgraph.LoadStats, error) {
	ws, err := db.WriteBatch(ctx, ds, WriteOptions{Origin: originSeed, Replace: true})
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	return &incidentgraph.LoadStats{
		Entities:      ws.EntitiesCreated + ws.EntitiesUpdated + ws.EntitiesUnchanged,
		Relationships: ws.RelationshipsCreated + ws.RelationshipsUpdated + ws.RelationshipsUnchanged,
		Figures:       ws.FiguresCreated + ws.FiguresUpdated + ws.FiguresUnchanged,
		Removed:       ws.Removed,
	}, nil
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
