package server_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// roundTrips is the real store, counting every call that costs a Cypher round trip.
type roundTrips struct {
	*neo4j.DB
	n atomic.Int32
	// perID, the negative control, asks the store about one entity at a time, as resolvers
	// without loaders would (N+1).
	perID bool
}

func (c *roundTrips) Search(ctx context.Context, text string, kinds []incidentgraph.Kind, limit int) ([]*incidentgraph.Entity, error) {
	c.n.Add(1)
	return c.DB.Search(ctx, text, kinds, limit)
}

func (c *roundTrips) FindEntitiesByIDs(ctx context.Context, ids []string) ([]*incidentgraph.Entity, error) {
	if !c.perID {
		c.n.Add(1)
		return c.DB.FindEntitiesByIDs(ctx, ids)
	}
	var out []*incidentgraph.Entity
	for _, id := range ids {
		c.n.Add(1)
		es, err := c.DB.FindEntitiesByIDs(ctx, []string{id})
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	return out, nil
}

func (c *roundTrips) FindRelationships(ctx context.Context, ids []string, f incidentgraph.RelationshipFilter, limit int) (map[string][]*incidentgraph.Relationship, error) {
	if !c.perID {
		c.n.Add(1)
		return c.DB.FindRelationships(ctx, ids, f, limit)
	}
	out := map[string][]*incidentgraph.Relationship{}
	for _, id := range ids {
		c.n.Add(1)
		found, err := c.DB.FindRelationships(ctx, []string{id}, f, limit)
		if err != nil {
			return nil, err
		}
		out[id] = found[id]
	}
	return out, nil
}

func (c *roundTrips) FindFigures(ctx context.Context, ids []string, tv incidentgraph.TimeView) (map[string][]*incidentgraph.Figure, error) {
	c.n.Add(1)
	return c.DB.FindFigures(ctx, ids, tv)
}

func (c *roundTrips) FindIncidents(ctx context.Context, f incidentgraph.IncidentFilter, p incidentgraph.Page) (*incidentgraph.EntityPage, error) {
	c.n.Add(1)
	return c.DB.FindIncidents(ctx, f, p)
}

func (c *roundTrips) FindOrganizations(ctx context.Context, f incidentgraph.OrganizationFilter, p incidentgraph.Page) (*incidentgraph.EntityPage, error) {
	c.n.Add(1)
	return c.DB.FindOrganizations(ctx, f, p)
}

func (c *roundTrips) Neighborhood(ctx context.Context, id string, depth int, f incidentgraph.RelationshipFilter, limit int) (*incidentgraph.Subgraph, error) {
	c.n.Add(1)
	return c.DB.Neighborhood(ctx, id, depth, f, limit)
}

func (c *roundTrips) ShortestPath(ctx context.Context, from, to string, maxDepth int, f incidentgraph.RelationshipFilter) (*incidentgraph.Subgraph, error) {
	c.n.Add(1)
	return c.DB.ShortestPath(ctx, from, to, maxDepth, f)
}

// nestedQueries go down lists three or four levels; %d is the page size of every list. Each
// level of relationships costs one round trip, and one more for the entities they name.
var nestedQueries = []struct {
	name, query string
	maxTrips    int
}{
	{"organizations → relationships → other end → its relationships", `{ organizations(first: %[1]d) { nodes { id
		relationships(first: %[1]d) { type other { id name ... on Organization {
			relationships(first: %[1]d) { type other { id name } assertedBy { name } } } } } } } }`, 5},
	{"incidents → places → other incidents", `{ incidents(first: %[1]d) { nodes { id
		relationships(filter: {types: [OCCURRED_AT, OCCURRED_IN]}, first: %[1]d) { other { id name
			... on Place { relationships(filter: {types: [OCCURRED_AT, OCCURRED_IN]}, first: %[1]d) { other { id name } } } } } } } }`, 5},
	{"entity → relationships → asserters and sources", `{ entity(id: "islamic-state") { name
		relationships(first: %[1]d) { type other { id name } assertedBy { name } sources { title publisher } } } }`, 3},
	{"search → relationships → other end → sources", `{ search(text: "Islamic State", first: %[1]d) { id ... on Organization {
		relationships(first: %[1]d) { other { name sources { title } } assertedBy { name } sources { title } } } } }`, 4},
}

// countTrips runs query at page size n and returns the round trips it cost and the number of
// objects (JSON objects with an id, name or title) in its answer.
func countTrips(t *testing.T, svc *roundTrips, ts *testServer, query string, n int) (trips, size int) {
	t.Helper()
	var data any
	before := svc.n.Load()
	mustData(t, ts.post(t, fmt.Sprintf(query, n), nil), &data)
	return int(svc.n.Load() - before), countObjects(data)
}

func countObjects(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := 0
		if x["id"] != nil || x["name"] != nil || x["title"] != nil {
			n = 1
		}
		for _, y := range x {
			n += countObjects(y)
		}
		return n
	case []any:
		n := 0
		for _, y := range x {
			n += countObjects(y)
		}
		return n
	}
	return 0
}

// TestRoundTripsDoNotGrowWithTheAnswer: a nested query over lists costs one round trip per
// level (or fewer), whether its lists hold 2 items or 10. A loaded machine may make one sibling
// resolver miss its batch window, hence one round trip of slack; an N+1 costs tens more.
func TestRoundTripsDoNotGrowWithTheAnswer(t *testing.T) {
	db := seededDB(t)
	svc := &roundTrips{DB: db}
	ts := newTestServer(t, svc, db)
	for _, q := range nestedQueries {
		t.Run(q.name, func(t *testing.T) {
			small, smallSize := countTrips(t, svc, ts, q.query, 2)
			large, largeSize := countTrips(t, svc, ts, q.query, 10)
			t.Logf("first: 2 → %d objects in %d round trips; first: 10 → %d objects in %d round trips", smallSize, small, largeSize, large)
			if largeSize < 2*smallSize {
				t.Fatalf("first: 10 gave %d objects against %d: the query does not exercise size", largeSize, smallSize)
			}
			if large > small+1 {
				t.Errorf("round trips grow with the answer: %d for %d objects, %d for %d", small, smallSize, large, largeSize)
			}
			if large > q.maxTrips+1 {
				t.Errorf("%d round trips, at most %d (and one of slack) expected", large, q.maxTrips)
			}
		})
	}
}

// TestRoundTripCountCatchesNPlusOne is the negative control: a store asked one entity at a
// time makes the same queries cost more round trips as their answers grow, and the oracle
// above sees it.
func TestRoundTripCountCatchesNPlusOne(t *testing.T) {
	db := seededDB(t)
	svc := &roundTrips{DB: db, perID: true}
	ts := newTestServer(t, svc, db)
	q := nestedQueries[0].query
	small, _ := countTrips(t, svc, ts, q, 2)
	large, _ := countTrips(t, svc, ts, q, 10)
	if large <= small+1 {
		t.Fatalf("the oracle misses an N+1: %d round trips at first: 2, %d at first: 10", small, large)
	}
	t.Logf("N+1 store: %d round trips at first: 2, %d at first: 10", small, large)
}
