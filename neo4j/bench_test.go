package neo4j_test

import (
	"context"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/seed"
)

// Benchmarks run against the real Neo4j of `make bench`. Each family has a baseline beside it
// (the raw driver, or one query per entity) so that benchstat reports the ratio, which is what
// survives a noisy machine.

// BenchmarkRelationships: one entity's relationships with the entities at their other ends,
// through the store (two batched queries, as a GraphQL request makes them) against one
// hand-written Cypher query on the raw driver.
func BenchmarkRelationships(b *testing.B) {
	ctx := context.Background()
	db := testdb.MustOpen(b)
	testdb.MustSeed(b, db)
	cfg := testdb.Config(b)
	raw, err := driver.NewDriverWithContext(cfg.URI, driver.BasicAuth(cfg.User, cfg.Password, ""))
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close(ctx)

	b.Run("impl=driver", func(b *testing.B) {
		for b.Loop() {
			res, err := driver.ExecuteQuery(ctx, raw, `
				MATCH (n:Entity {id: $id})-[r]-(m:Entity)
				RETURN properties(r) AS r, type(r) AS type, properties(m) AS m`,
				map[string]any{"id": moscow}, driver.EagerResultTransformer, driver.ExecuteQueryWithReadersRouting())
			if err != nil || len(res.Records) == 0 {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=store", func(b *testing.B) {
		for b.Loop() {
			rels, err := db.FindRelationships(ctx, []string{moscow}, incidentgraph.RelationshipFilter{Direction: incidentgraph.Both}, 100)
			if err != nil || len(rels[moscow]) == 0 {
				b.Fatal(err)
			}
			ids := make([]string, 0, len(rels[moscow]))
			for _, r := range rels[moscow] {
				ids = append(ids, r.FromID, r.ToID)
			}
			if _, err := db.FindEntitiesByIDs(ctx, ids); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRelationshipsOfAll: the relationships of every entity, batched in one query (what the
// dataloader does) against one query per entity (the N+1 it prevents).
func BenchmarkRelationshipsOfAll(b *testing.B) {
	ctx := context.Background()
	db := testdb.MustOpen(b)
	testdb.MustSeed(b, db)
	ds, err := seed.Read(seed.Embedded())
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, len(ds.Entities))
	for i, e := range ds.Entities {
		ids[i] = e.ID
	}
	f := incidentgraph.RelationshipFilter{Direction: incidentgraph.Both}
	b.Run("impl=per-entity", func(b *testing.B) {
		for b.Loop() {
			for _, id := range ids {
				if _, err := db.FindRelationships(ctx, []string{id}, f, 100); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("impl=batched", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.FindRelationships(ctx, ids, f, 100); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkQuestions(b *testing.B) {
	ctx := context.Background()
	db := testdb.MustOpen(b)
	testdb.MustSeed(b, db)
	b.Run("q=search", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.Search(ctx, "ISIS-K", nil, 10); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("q=neighborhood-2", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.Neighborhood(ctx, isk, 2, incidentgraph.RelationshipFilter{}, 200); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("q=shortest-path", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.ShortestPath(ctx, kabul, moscow, 6, incidentgraph.RelationshipFilter{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("q=incidents-page", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.FindIncidents(ctx, incidentgraph.IncidentFilter{Perpetrator: is}, incidentgraph.Page{First: 20}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
