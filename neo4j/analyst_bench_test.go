package neo4j_test

import (
	"context"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/analysis"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/patterns"
)

// BenchmarkAnalyst: each analyst question through the store (what a resolver calls) beside a
// hand-written Cypher query on the raw driver that fetches the same answer's raw material
// without the store's checks, mapping, ranking and time view. benchstat's ratio to impl=driver
// is the store's overhead; the driver's own time is the floor.
func BenchmarkAnalyst(b *testing.B) {
	ctx := context.Background()
	db := testdb.MustOpen(b)
	testdb.MustSeed(b, db)
	cfg := testdb.Config(b)
	raw, err := driver.NewDriverWithContext(cfg.URI, driver.BasicAuth(cfg.User, cfg.Password, ""))
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close(ctx)
	rawQuery := func(b *testing.B, cypher string, params map[string]any) {
		res, err := driver.ExecuteQuery(ctx, raw, cypher, params, driver.EagerResultTransformer, driver.ExecuteQueryWithReadersRouting())
		if err != nil {
			b.Fatalf("raw query: %v", err)
		}
		if len(res.Records) == 0 {
			b.Fatal("raw query: no records")
		}
	}
	none := incidentgraph.RelationshipFilter{}
	questions := []struct {
		name   string
		store  func(b *testing.B)
		cypher string
		params map[string]any
	}{
		{"affiliate-network", func(b *testing.B) {
			if _, err := db.AffiliateNetwork(ctx, is, 2, none, 200); err != nil {
				b.Fatal(err)
			}
		}, `MATCH (c:Entity {id: $id})
			MATCH p = ANY SHORTEST (c)-[:AFFILIATE_OF|BRANCH_OF|OFFSHOOT_OF|SPLINTER_OF|ALLIED_WITH|RIVAL_OF|ENEMY_OF|MERGED_INTO|PLEDGED_ALLEGIANCE_TO|ORIGINATED_FROM]-{1,2}(m:Entity)
			WITH c, collect(DISTINCT m) AS ms
			WITH [c] + ms AS nodes
			UNWIND nodes AS a
			MATCH (a)-[r:AFFILIATE_OF|BRANCH_OF|OFFSHOOT_OF|SPLINTER_OF|ALLIED_WITH|RIVAL_OF|ENEMY_OF|MERGED_INTO|PLEDGED_ALLEGIANCE_TO|ORIGINATED_FROM]->(b:Entity)
			WHERE b IN nodes
			RETURN [n IN nodes | properties(n)] AS nodes, collect(properties(r)) AS rels`, map[string]any{"id": is}},
		{"paths", func(b *testing.B) {
			if _, err := db.Paths(ctx, kabul, moscow, 4, 5, none); err != nil {
				b.Fatal(err)
			}
		}, `MATCH (a:Entity {id: $from}), (z:Entity {id: $to})
			MATCH p = SHORTEST 20 (a)-[]-{1,4}(z)
			RETURN [n IN nodes(p) | n.id] AS nodes, [r IN relationships(p) | properties(r)] AS rels`,
			map[string]any{"from": kabul, "to": moscow}},
		{"common-neighbors", func(b *testing.B) {
			if _, err := db.CommonNeighbors(ctx, []string{"paris-attacks-2015", moscow}, none, 20); err != nil {
				b.Fatal(err)
			}
		}, `MATCH (g:Entity)-[r]-(x:Entity) WHERE g.id IN $ids AND NOT x.id IN $ids
			WITH x, g.id AS of, collect(properties(r)) AS rels
			WITH x, collect({of: of, rels: rels}) AS links WHERE size(links) = size($ids)
			RETURN properties(x) AS x, links`, map[string]any{"ids": []string{"paris-attacks-2015", moscow}}},
		{"similar-incidents", func(b *testing.B) {
			if _, err := db.SimilarIncidents(ctx, moscow, 5, none); err != nil {
				b.Fatal(err)
			}
		}, `MATCH (i:Incident)
			OPTIONAL MATCH (i)-[:ATTRIBUTED_TO]->(p:Entity)
			OPTIONAL MATCH (i)-[:OCCURRED_AT|OCCURRED_IN]->(:Entity)-[:LOCATED_IN*0..5]->(pl:Entity)
			RETURN properties(i) AS i, collect(DISTINCT p.id) AS perpetrators, collect(DISTINCT pl.id) AS places`, nil},
		{"timeline", func(b *testing.B) {
			if _, err := db.Timeline(ctx, incidentgraph.TimelineFilter{Actor: is, IncludeAffiliates: true}, incidentgraph.Page{First: 20}); err != nil {
				b.Fatal(err)
			}
		}, `MATCH (g:Entity {id: $id})
			MATCH (m:Organization)-[:AFFILIATE_OF|BRANCH_OF|PLEDGED_ALLEGIANCE_TO]->{0,3}(g)
			MATCH (m)-[r]-(n) WHERE n:Incident OR n:Event
			RETURN properties(n) AS n, collect(properties(r)) AS links ORDER BY n.dateStart, n.id LIMIT 20`, map[string]any{"id": is}},
		{"centrality", func(b *testing.B) {
			g, err := db.Neighborhood(ctx, isk, 2, none, incidentgraph.MaxCentralityNodes)
			if err != nil {
				b.Fatal(err)
			}
			analysis.Centrality(g)
		}, `MATCH (c:Entity {id: $id})
			MATCH p = ANY SHORTEST (c)-[]-{1,2}(m:Entity)
			WITH c, collect(DISTINCT m) AS ms
			WITH [c] + ms AS nodes
			UNWIND nodes AS a
			MATCH (a)-[r]->(b:Entity) WHERE b IN nodes
			RETURN [n IN nodes | n.id] AS nodes, collect([a.id, b.id]) AS edges`, map[string]any{"id": isk}},
		{"run-pattern", func(b *testing.B) {
			if _, err := db.RunPattern(ctx, "claimed-vs-attributed", map[string]any{}, 100); err != nil {
				b.Fatal(err)
			}
		}, `MATCH (claimant:Entity)-[claim:CLAIMED_RESPONSIBILITY_FOR]->(attack:Incident)-[attribution:ATTRIBUTED_TO]->(attributed:Entity)
			WHERE attributed <> claimant AND attribution.assertedBy <> claim.assertedBy
			RETURN attack, claimant, attributed, claim, attribution`, nil},
		{"cypher", func(b *testing.B) {
			if _, err := db.RunCypher(ctx, `MATCH (a:Organization)-[r:AFFILIATE_OF]->(g:Organization {id: $g}) RETURN a.id AS affiliate, r`, map[string]any{"g": is}, 100); err != nil {
				b.Fatal(err)
			}
		}, `MATCH (a:Organization)-[r:AFFILIATE_OF]->(g:Organization {id: $g}) RETURN a.id AS affiliate, r`, map[string]any{"g": is}},
	}
	ps, err := patterns.Read(patterns.Embedded())
	if err != nil {
		b.Fatal(err)
	}
	if err := db.UsePatterns(ctx, ps); err != nil {
		b.Fatal(err)
	}
	for _, q := range questions {
		b.Run("q="+q.name+"/impl=driver", func(b *testing.B) {
			for b.Loop() {
				rawQuery(b, q.cypher, q.params)
			}
		})
		b.Run("q="+q.name+"/impl=store", func(b *testing.B) {
			for b.Loop() {
				q.store(b)
			}
		})
	}
}
