package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/server"
)

// BenchmarkEntityRelationships: the question "what is asserted about the Moscow attack, by whom,
// on which sources" through the whole HTTP + GraphQL stack, against the same answer from the
// store's calls alone. The ratio is the cost of the API layer.
func BenchmarkEntityRelationships(b *testing.B) {
	ctx := context.Background()
	db := testdb.MustOpen(b)
	testdb.MustSeed(b, db)
	h := server.NewServer(zerolog.Nop(), server.DefaultConfig(), server.Services{Graph: db, Analyst: db, Cypher: db, Tokens: db, DB: db})
	body := []byte(`{"query":"{ entity(id: \"moscow-concert-hall-attack-2024\") { name relationships { type status confidence other { id name } assertedBy { name } sources { title publisher } } } }"}`)

	b.Run("impl=store", func(b *testing.B) {
		for b.Loop() {
			es, err := db.FindEntitiesByIDs(ctx, []string{"moscow-concert-hall-attack-2024"})
			if err != nil || len(es) != 1 {
				b.Fatal(err)
			}
			rels, err := db.FindRelationships(ctx, []string{es[0].ID}, incidentgraph.RelationshipFilter{Direction: incidentgraph.Both}, 100)
			if err != nil {
				b.Fatal(err)
			}
			var ids []string
			for _, r := range rels[es[0].ID] {
				ids = append(ids, r.FromID, r.ToID, r.AssertedByID)
				ids = append(ids, r.SourceIDs...)
			}
			if _, err := db.FindEntitiesByIDs(ctx, ids); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=graphql-http", func(b *testing.B) {
		ts := httptest.NewServer(h)
		defer ts.Close()
		postLoop(b, ts.URL, body)
	})
}

// BenchmarkISKRelationships: the everyday question "IS-K with its relationships, their other
// ends, who asserts them and their sources" through HTTP. No field of it lies inside a list
// whose siblings could join a batch, so it should cost three round trips and no batch wait.
func BenchmarkISKRelationships(b *testing.B) {
	benchmarkQuery(b, `{ entity(id: "islamic-state-khorasan-province") { name relationships { type status confidence other { id name } assertedBy { name } sources { title publisher published } } } }`)
}

// BenchmarkNestedLists: organizations → relationships → other end → its relationships, ten of
// each: the shape where dataloaders batch siblings, one round trip per level.
func BenchmarkNestedLists(b *testing.B) {
	benchmarkQuery(b, `{ organizations(first: 10) { nodes { id relationships(first: 10) { type other { id name ... on Organization { relationships(first: 10) { type other { id name } assertedBy { name } } } } } } } }`)
}

func benchmarkQuery(b *testing.B, query string) {
	db := testdb.MustOpen(b)
	testdb.MustSeed(b, db)
	ts := httptest.NewServer(server.NewServer(zerolog.Nop(), server.DefaultConfig(), server.Services{Graph: db, Analyst: db, Cypher: db, Tokens: db, DB: db}))
	defer ts.Close()
	body, _ := json.Marshal(map[string]string{"query": query})
	postLoop(b, ts.URL, body)
}

// postLoop posts body to the server's /graphql for every benchmark iteration and fails on any
// error in the answer.
func postLoop(b *testing.B, url string, body []byte) {
	for b.Loop() {
		resp, err := http.Post(url+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || bytes.Contains(out, []byte(`"errors"`)) {
			b.Fatalf("status %d: %s", resp.StatusCode, out)
		}
	}
}
