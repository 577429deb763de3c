package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/server"
)

// roundTrips is the real store, counting every call that costs a Cypher round trip.
type roundTrips struct {
	*neo4j.DB
	n atomic.Int32
	// perID, the negative control, asks the store about one entity at a time, as resolvers
	// without loaders would (N+1).
	perID bool
}

// trip counts one round trip made with ctx.
func (c *roundTrips) trip(context.Context) { c.n.Add(1) }

func (c *roundTrips) Search(ctx context.Context, text string, kinds []incidentgraph.Kind, limit int) ([]*incidentgraph.Entity, error) {
	c.trip(ctx)
	return c.DB.Search(ctx, text, kinds, limit)
}

func (c *roundTrips) FindEntitiesByIDs(ctx context.Context, ids []string) ([]*incidentgraph.Entity, error) {
	if !c.perID {
		c.trip(ctx)
		return c.DB.FindEntitiesByIDs(ctx, ids)
	}
	var out []*incidentgraph.Entity
	for _, id := range ids {
		c.trip(ctx)
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
		c.trip(ctx)
		return c.DB.FindRelationships(ctx, ids, f, limit)
	}
	out := map[string][]*incidentgraph.Relationship{}
	for _, id := range ids {
		c.trip(ctx)
		found, err := c.DB.FindRelationships(ctx, []string{id}, f, limit)
		if err != nil {
			return nil, err
		}
		out[id] = found[id]
	}
	return out, nil
}

func (c *roundTrips) Read(ctx context.Context, ids []string, sel *incidentgraph.EntitySelection) (*incidentgraph.ReadAnswer, error) {
	c.trip(ctx)
	return c.DB.Read(ctx, ids, sel)
}

// uncompiled serves svc without compiled reads: every field asks the store for itself. It is
// the negative control of the round-trip counts, and the reference answer of the compiled
// reads.
func uncompiled(t *testing.T, svc incidentgraph.GraphService, db *neo4j.DB) *testServer {
	t.Helper()
	return newConfiguredServer(t, server.WithoutCompiledReadsForTest(server.DefaultConfig()), services(t, svc, db))
}

func (c *roundTrips) FindFigures(ctx context.Context, ids []string, tv incidentgraph.TimeView) (map[string][]*incidentgraph.Figure, error) {
	c.trip(ctx)
	return c.DB.FindFigures(ctx, ids, tv)
}

func (c *roundTrips) FindIncidents(ctx context.Context, f incidentgraph.IncidentFilter, p incidentgraph.Page) (*incidentgraph.EntityPage, error) {
	c.trip(ctx)
	return c.DB.FindIncidents(ctx, f, p)
}

func (c *roundTrips) FindOrganizations(ctx context.Context, f incidentgraph.OrganizationFilter, p incidentgraph.Page) (*incidentgraph.EntityPage, error) {
	c.trip(ctx)
	return c.DB.FindOrganizations(ctx, f, p)
}

func (c *roundTrips) Neighborhood(ctx context.Context, id string, depth int, f incidentgraph.RelationshipFilter, limit int) (*incidentgraph.Subgraph, error) {
	c.trip(ctx)
	return c.DB.Neighborhood(ctx, id, depth, f, limit)
}

func (c *roundTrips) ShortestPath(ctx context.Context, from, to string, maxDepth int, f incidentgraph.RelationshipFilter) (*incidentgraph.Subgraph, error) {
	c.trip(ctx)
	return c.DB.ShortestPath(ctx, from, to, maxDepth, f)
}

// nestedQueries go down lists three or four levels; %d is the page size of every list. A root
// field costs its own question and one compiled read of everything its selection reads below
// (one round trip for entity, which reads its entity in the same query); trips is the exact
// count, whatever the page size.
var nestedQueries = []struct {
	name, query string
	trips       int
}{
	{"organizations → relationships → other end → its relationships", `{ organizations(first: %[1]d) { nodes { id
		relationships(first: %[1]d) { type other { id name ... on Organization {
			relationships(first: %[1]d) { type other { id name } assertedBy { name } } } } } } } }`, 2},
	{"incidents → places → other incidents", `{ incidents(first: %[1]d) { nodes { id
		relationships(filter: {types: [OCCURRED_AT, OCCURRED_IN]}, first: %[1]d) { other { id name
			... on Place { relationships(filter: {types: [OCCURRED_AT, OCCURRED_IN]}, first: %[1]d) { other { id name } } } } } } } }`, 2},
	{"entity → relationships → asserters and sources", `{ entity(id: "islamic-state") { name
		relationships(first: %[1]d) { type other { id name } assertedBy { name } sources { title publisher } } } }`, 1},
	{"search → relationships → other end → sources", `{ search(text: "Islamic State", first: %[1]d) { id ... on Organization {
		relationships(first: %[1]d) { other { name sources { title } } assertedBy { name } sources { title } } } } }`, 2},
	{"entity → relationships → organizations' relationships (in a fragment)", `{ entity(id: "islamic-state") { id
		relationships(filter: {types: [AFFILIATE_OF, BRANCH_OF, ENEMY_OF]}, first: %[1]d) { other { id ... on Organization {
			relationships(first: %[1]d) { type other { id name } } } } } } }`, 1},
	{"organizations → edges → node → relationships, two filters", `{ organizations(first: %[1]d) { edges { node { id
		a: relationships(filter: {direction: OUTGOING}, first: %[1]d) { other { id name } }
		b: relationships(filter: {direction: INCOMING}, first: %[1]d) { other { id name } } } } } }`, 2},
	{"incidents → figures → sources, relationships", `{ incidents(first: %[1]d) { nodes { id
		figures { value sources { title } } relationships(first: %[1]d) { type } } } }`, 2},
	{"organizations → versions, history → relationships' versions, retractions, history", `{ organizations(first: %[1]d) { nodes {
		id version history(first: 5) { operation } relationships(first: %[1]d) { id version retraction { by } history { operation } } } } }`, 2},
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

// TestRoundTripsDoNotGrowWithTheAnswer: a nested query over lists costs a fixed number of round
// trips, whether its lists hold 2 items or 10: no field asks the store for itself. An N+1 costs
// tens more (see the negative control below), and with the compiled reads off every shape
// fails the count (the last negative control here).
func TestRoundTripsDoNotGrowWithTheAnswer(t *testing.T) {
	db := seededDB(t)
	svc := &roundTrips{DB: db}
	ts := newTestServer(t, svc, db)
	for _, q := range nestedQueries {
		t.Run(q.name, func(t *testing.T) {
			if f := roundTripFault(t, svc, ts, q.query, q.trips); f != "" {
				t.Error(f)
			}
		})
	}
	t.Run("negative control: without the compiled reads", func(t *testing.T) {
		off := uncompiled(t, svc, db)
		var failed, want []string
		for _, q := range nestedQueries {
			if roundTripFault(t, svc, off, q.query, q.trips) != "" {
				failed = append(failed, q.name)
			}
			want = append(want, q.name)
		}
		if !slices.Equal(failed, want) {
			t.Errorf("without the compiled reads the failing shapes are %q, want %q", failed, want)
		}
	})
}

// roundTripFault runs query at page sizes 2 and 10 and says what is wrong with the round trips
// they cost, against trips ("": nothing).
func roundTripFault(t *testing.T, svc *roundTrips, ts *testServer, query string, trips int) string {
	t.Helper()
	small, smallSize := countTrips(t, svc, ts, query, 2)
	large, largeSize := countTrips(t, svc, ts, query, 10)
	t.Logf("first: 2 → %d objects in %d round trips; first: 10 → %d objects in %d round trips", smallSize, small, largeSize, large)
	if largeSize < 2*smallSize {
		t.Fatalf("first: 10 gave %d objects against %d: the query does not exercise size", largeSize, smallSize)
	}
	if small != trips || large != trips {
		return fmt.Sprintf("%d round trips at first: 2 and %d at first: 10, exactly %d expected", small, large, trips)
	}
	return ""
}

// TestRoundTripCountCatchesNPlusOne is the negative control: a store asked one entity at a
// time makes the same queries cost more round trips as their answers grow, and the oracle
// above sees it.
func TestRoundTripCountCatchesNPlusOne(t *testing.T) {
	db := seededDB(t)
	svc := &roundTrips{DB: db, perID: true}
	ts := uncompiled(t, svc, db)
	q := nestedQueries[0]
	small, _ := countTrips(t, svc, ts, q.query, 2)
	large, _ := countTrips(t, svc, ts, q.query, 10)
	if small == q.trips && large == q.trips {
		t.Fatalf("the oracle misses an N+1: %d round trips at first: 2, %d at first: 10", small, large)
	}
	if large <= small {
		t.Fatalf("the N+1 store's round trips do not grow: %d at first: 2, %d at first: 10", small, large)
	}
	t.Logf("N+1 store: %d round trips at first: 2, %d at first: 10", small, large)
}

// TestAnalystAnswersCostFixedRoundTrips: the entities an analyst's answer names below it (the
// entities common neighbours' links are of, the other ends of their relationships) come in
// one compiled read each, not one query per item. The control: without the compiled reads the
// same question costs more.
func TestAnalystAnswersCostFixedRoundTrips(t *testing.T) {
	db := seededDB(t)
	q := `{ commonNeighbors(ids: ["kabul-airport-bombing-2021", "moscow-concert-hall-attack-2024"]) {
		entity { id name } links { of { id name } relationships { type other { name } assertedBy { name } } } } }`
	count := func(off bool) (int, int) {
		svc := &roundTrips{DB: db}
		ts := newTestServer(t, svc, db)
		if off {
			ts = uncompiled(t, svc, db)
		}
		var data any
		mustData(t, ts.post(t, q, nil), &data)
		return int(svc.n.Load()), countObjects(data)
	}
	trips, size := count(false)
	if size < 4 {
		t.Fatalf("%d objects: the question does not exercise the links", size)
	}
	// commonNeighbors' own question, then one read for the links' entities and one for the
	// other ends and asserters of their relationships.
	if trips > 3 {
		t.Errorf("%d round trips, want at most 3", trips)
	}
	if off, _ := count(true); off <= trips {
		t.Errorf("control: without the compiled reads %d round trips, with them %d", off, trips)
	}
}

// mixedUp is the real store that hands each entity of a read of several another's
// relationships (one entity asked alone is answered right): the negative control of the answer
// check below.
type mixedUp struct{ *neo4j.DB }

func (c mixedUp) Read(ctx context.Context, ids []string, sel *incidentgraph.EntitySelection) (*incidentgraph.ReadAnswer, error) {
	ans, err := c.DB.Read(ctx, ids, sel)
	if err != nil || len(ids) < 2 {
		return ans, err
	}
	for slot, byParent := range ans.Relationships {
		mixed := map[string][]*incidentgraph.Relationship{}
		for id, rels := range byParent {
			mixed[id] = rels
		}
		for i, id := range ids {
			mixed[id] = byParent[ids[(i+1)%len(ids)]]
		}
		ans.Relationships[slot] = mixed
	}
	return ans, nil
}

// TestCompiledListAnswersAsOneEntityAtATime: what a list's compiled read answers for each item
// (two relationships fields with different filters, figures, the entities they name) is what
// the same selection answers for that entity asked alone. The control, a store that mixes up
// the answers of a read of several entities, fails the check.
func TestCompiledListAnswersAsOneEntityAtATime(t *testing.T) {
	db := seededDB(t)
	selections := map[string]string{
		"Organization": `id a: relationships(filter: {direction: OUTGOING}, first: 5) { type other { id name } assertedBy { name } }
			b: relationships(filter: {direction: INCOMING, minConfidence: 50}, first: 5) { id other { id kind } sources { title } }`,
		"Incident": `id figures { value asOf assertedBy { name } sources { title } }
			relationships(filter: {types: [ATTRIBUTED_TO, CLAIMED_RESPONSIBILITY_FOR]}) { type other { name } }`,
	}
	lists := map[string]string{"Organization": "organizations", "Incident": "incidents"}
	check := func(svc incidentgraph.GraphService, logDiff bool) (differ int) {
		t.Helper()
		ts := newTestServer(t, svc, db)
		for typ, sel := range selections {
			var list struct{ Nodes []json.RawMessage }
			var data map[string]json.RawMessage
			mustData(t, ts.post(t, fmt.Sprintf("{ %s(first: 10) { nodes { %s } } }", lists[typ], sel), nil), &data)
			if err := json.Unmarshal(data[lists[typ]], &list); err != nil || len(list.Nodes) < 5 {
				t.Fatalf("%s: %d nodes (%v): the list does not exercise the compiled read", typ, len(list.Nodes), err)
			}
			for _, node := range list.Nodes {
				var id struct{ ID string }
				_ = json.Unmarshal(node, &id)
				var alone struct{ Entity json.RawMessage }
				mustData(t, ts.post(t, fmt.Sprintf("{ entity(id: %q) { ... on %s { %s } } }", id.ID, typ, sel), nil), &alone)
				if string(alone.Entity) != string(node) {
					differ++
					if logDiff {
						t.Logf("%s in the list answers\n%s\nalone\n%s", id.ID, node, alone.Entity)
					}
				}
			}
		}
		return differ
	}
	if n := check(db, true); n > 0 {
		t.Errorf("%d items answered differently in the list and alone", n)
	}
	if n := check(mixedUp{db}, false); n == 0 {
		t.Error("the check misses relationships handed to the wrong entity")
	}
}

// TestLargeAnswersAreCompressed: a client that accepts gzip gets a large answer compressed and
// a small one as it is; a client that does not gets plain JSON.
func TestLargeAnswersAreCompressed(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	ask := func(query, acceptEncoding string) (*http.Response, []byte) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query})
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if acceptEncoding != "" {
			// Set by hand, the transport leaves the body as the server sent it.
			req.Header.Set("Accept-Encoding", acceptEncoding)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	large := `{ neighborhood(id: "islamic-state", depth: 2) { nodes { id kind name } edges { id type source target status confidence } } }`
	resp, b := ask(large, "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("a large answer is not compressed: Content-Encoding %q, %d bytes", resp.Header.Get("Content-Encoding"), len(b))
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !json.Valid(plain) || !bytes.Contains(plain, []byte(`"islamic-state"`)) {
		t.Fatalf("the compressed answer does not hold the JSON answer (%v): %.200s", err, plain)
	}
	t.Logf("%d bytes of JSON sent as %d", len(plain), len(b))
	if resp, b := ask(large, ""); resp.Header.Get("Content-Encoding") != "" || !json.Valid(b) {
		t.Errorf("a client without gzip gets Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	if resp, b := ask(`{ entity(id: "islamic-state") { name } }`, "gzip"); resp.Header.Get("Content-Encoding") != "" || !json.Valid(b) {
		t.Errorf("a small answer is compressed: Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
}

// entityQuestion is the everyday question, asked through variables with a filter and a time
// view, so that the compiled query must read the arguments as the field resolvers do.
const entityQuestion = `query($f: RelationshipFilter, $n: Int, $k: PartialDate) {
	entity(id: "islamic-state-khorasan-province") { name
		relationships(filter: $f, first: $n, knownAt: $k) { type other { id name } assertedBy { name } sources { title } } } }`

var entityQuestionVars = map[string]any{"f": map[string]any{"types": []string{"AFFILIATE_OF", "BRANCH_OF", "ENEMY_OF"}, "minConfidence": 50}, "n": 20, "k": "2025"}

type entityAnswer struct {
	Entity struct {
		Relationships []struct {
			Type       string
			Other      struct{ ID string }
			AssertedBy struct{ Name string }
			Sources    []struct{ Title string }
		}
	}
}

// TestEntityQuestionIsOneRoundTrip: an entity with its relationships, their other ends, their
// asserters and sources is compiled from the selection into one query. The answer is the one
// the fields give asking for themselves (the negative control's server has no compiled reads).
func TestEntityQuestionIsOneRoundTrip(t *testing.T) {
	db := seededDB(t)
	svc := &roundTrips{DB: db}
	ts := newTestServer(t, svc, db)
	var data entityAnswer
	before := svc.n.Load()
	mustData(t, ts.post(t, entityQuestion, entityQuestionVars), &data)
	if n := svc.n.Load() - before; n != 1 {
		t.Errorf("%d round trips, want 1", n)
	}
	if len(data.Entity.Relationships) < 2 {
		t.Fatalf("only %d relationships: the filter does not exercise the question", len(data.Entity.Relationships))
	}
	for _, r := range data.Entity.Relationships {
		if r.Type != "AFFILIATE_OF" && r.Type != "BRANCH_OF" && r.Type != "ENEMY_OF" {
			t.Errorf("%s passed the filter", r.Type)
		}
		if r.Other.ID == "" || r.AssertedBy.Name == "" || len(r.Sources) == 0 || r.Sources[0].Title == "" {
			t.Errorf("%s: an end, asserter or source is missing: %+v", r.Type, r)
		}
	}

	// Negative control: through the loaders the same question costs more, and answers the same.
	loaded := &roundTrips{DB: db}
	ts2 := uncompiled(t, loaded, db)
	var viaLoaders entityAnswer
	mustData(t, ts2.post(t, entityQuestion, entityQuestionVars), &viaLoaders)
	if n := loaded.n.Load(); n <= 1 {
		t.Errorf("the oracle misses uncompiled levels: %d round trips without the compiled query", n)
	}
	if fmt.Sprint(viaLoaders) != fmt.Sprint(data) {
		t.Errorf("the compiled query answers\n%+v\nthe loaders\n%+v", data, viaLoaders)
	}
}

// TestNestedEntityQuestionIsOneRoundTrip: three levels of relationships below one entity (the
// benchmark's nested question) cost one round trip, and answer what the loaders answer.
func TestNestedEntityQuestionIsOneRoundTrip(t *testing.T) {
	db := seededDB(t)
	svc := &roundTrips{DB: db}
	ts := newTestServer(t, svc, db)
	q := `{ entity(id: "islamic-state") { id relationships(first: 20) {
		other { id kind relationships(filter: {types: [OCCURRED_IN, OCCURRED_AT, TARGETED]}, first: 5) {
			other { id kind name relationships(filter: {direction: INCOMING}, first: 30) { type other { id kind } } } } } } } }`
	var data any
	mustData(t, ts.post(t, q, nil), &data)
	if n := svc.n.Load(); n != 1 {
		t.Errorf("%d round trips, want 1", n)
	}
	loaded := &roundTrips{DB: db}
	var viaLoaders any
	mustData(t, uncompiled(t, loaded, db).post(t, q, nil), &viaLoaders)
	if n := loaded.n.Load(); n <= 3 {
		t.Errorf("the oracle misses uncompiled levels: %d round trips without the compiled query", n)
	}
	a, _ := json.Marshal(data)
	b, _ := json.Marshal(viaLoaders)
	if string(a) != string(b) {
		t.Errorf("the compiled query answers\n%s\nthe loaders\n%s", a, b)
	}
	if size := countObjects(data); size < 30 {
		t.Errorf("only %d objects: the question does not exercise three levels", size)
	}
}

// briefAlways is the real store that answers every compiled read briefly (entities' ids, kinds
// and names, relationships' ends, status, confidence, asserter and sources only), whatever the
// request reads: the negative control of the answer check below.
type briefAlways struct{ *neo4j.DB }

func (c briefAlways) Read(ctx context.Context, ids []string, sel *incidentgraph.EntitySelection) (*incidentgraph.ReadAnswer, error) {
	sel.Walk(func(e *incidentgraph.EntitySelection, _ int) { e.Full = false },
		func(r *incidentgraph.RelationshipSelection, _ int) { r.Full = false },
		func(*incidentgraph.FigureSelection, int) {})
	return c.DB.Read(ctx, ids, sel)
}

// TestCompiledAnswersAsTheLoaders: where a request reads more of the entities than their ids,
// kinds and names (in the compiled part, or anywhere else in the operation, since all fields
// share the entities found), the compiled query fetches them whole and answers exactly what the
// loaders answer. The control, a store that always answers briefly, answers differently.
func TestCompiledAnswersAsTheLoaders(t *testing.T) {
	db := seededDB(t)
	queries := map[string]string{
		"rich selection": `{ entity(id: "moscow-concert-hall-attack-2024") { name description
			relationships(first: 50) { type quote validFrom other { id name description aliases ... on Organization { orgType founded } ... on Place { placeType } }
				assertedBy { name description } sources { title publisher published url } } } }`,
		"brief tree beside a rich root field": `{ entity(id: "islamic-state-khorasan-province") { name relationships { other { id name } } }
			entities(ids: ["islamic-state", "taliban"]) { id description aliases } }`,
		"relationships read whole elsewhere": `{ entity(id: "islamic-state-khorasan-province") { relationships { other { id } } }
			search(text: "ISKP") { ... on Organization { relationships { quote note assertedOn } } } }`,
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			answer := func(ts *testServer) string {
				var data any
				mustData(t, ts.post(t, q, nil), &data)
				b, _ := json.Marshal(data)
				return string(b)
			}
			compiled, loaded := answer(newTestServer(t, db, db)), answer(uncompiled(t, db, db))
			if compiled != loaded {
				t.Errorf("the compiled query answers\n%s\nthe loaders\n%s", compiled, loaded)
			}
			if name == "rich selection" && answer(newTestServer(t, briefAlways{db}, db)) == loaded {
				t.Error("the check misses entities answered briefly")
			}
		})
	}
}

// TestCompiledQueryOfAMissingEntity: an id no entity has answers null, in one round trip,
// through the compiled query as through the loaders.
func TestCompiledQueryOfAMissingEntity(t *testing.T) {
	db := seededDB(t)
	svc := &roundTrips{DB: db}
	q := `{ entity(id: "no-such-entity") { id relationships { other { id } } } }`
	for name, ts := range map[string]*testServer{"compiled": newTestServer(t, svc, db), "fields asking": uncompiled(t, db, db)} {
		var data struct{ Entity *struct{ ID string } }
		mustData(t, ts.post(t, q, nil), &data)
		if data.Entity != nil {
			t.Errorf("%s: a missing entity answers %+v", name, data.Entity)
		}
	}
	if n := svc.n.Load(); n != 1 {
		t.Errorf("%d round trips, want 1", n)
	}
}
