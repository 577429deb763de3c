package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/patterns"
	"github.com/incidentgraph/incidentgraph/server"
)

var seedOnce sync.Once

// seededDB returns the test database with the seed graph, loaded once for this package: the
// tests here only read.
func seededDB(t *testing.T) *neo4j.DB {
	t.Helper()
	db := testdb.MustOpen(t)
	seedOnce.Do(func() { testdb.MustSeed(t, db) })
	return db
}

// syncBuffer collects log output written from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testServer struct {
	*httptest.Server
	logs *syncBuffer
}

func newTestServer(t *testing.T, svc incidentgraph.GraphService, db server.Pinger) *testServer {
	t.Helper()
	logs := &syncBuffer{}
	logger := zerolog.New(logs).With().Timestamp().Logger()
	ts := httptest.NewServer(server.NewServer(logger, server.DefaultConfig(), services(t, svc, db)))
	t.Cleanup(ts.Close)
	return &testServer{Server: ts, logs: logs}
}

// services puts svc in front and, where the test database is given, lets it answer the rest,
// with the saved patterns checked and in use as the server's start makes them.
func services(t *testing.T, svc incidentgraph.GraphService, db server.Pinger) server.Services {
	t.Helper()
	s := server.Services{Graph: svc, DB: db}
	if real, ok := db.(*neo4j.DB); ok {
		ps, err := patterns.Read(patterns.Embedded())
		if err != nil {
			t.Fatal(err)
		}
		if err := real.UsePatterns(context.Background(), ps); err != nil {
			t.Fatal(err)
		}
		s.Analyst, s.Cypher, s.Tokens = real, real, real
	}
	return s
}

type gqlResponse struct {
	status int
	header http.Header
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r *gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func (ts *testServer) post(t *testing.T, query string, vars map[string]any) *gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return ts.postRaw(t, "application/json", body)
}

func (ts *testServer) postRaw(t *testing.T, contentType string, body []byte) *gqlResponse {
	t.Helper()
	resp, err := http.Post(ts.URL+"/graphql", contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, resp)
}

func (ts *testServer) get(t *testing.T, query string) *gqlResponse {
	t.Helper()
	resp, err := http.Get(ts.URL + "/graphql?query=" + url.QueryEscape(query))
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, resp)
}

func decode(t *testing.T, resp *http.Response) *gqlResponse {
	t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var r gqlResponse
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("status %d, body %q is not JSON: %v", resp.StatusCode, b, err)
	}
	r.status, r.header = resp.StatusCode, resp.Header
	return &r
}

func mustData(t *testing.T, r *gqlResponse, into any) {
	t.Helper()
	if len(r.Errors) > 0 || r.status != http.StatusOK {
		t.Fatalf("status %d, errors %+v", r.status, r.Errors)
	}
	if err := json.Unmarshal(r.Data, into); err != nil {
		t.Fatalf("data %s: %v", r.Data, err)
	}
}

func TestSearchOverPOSTAndGET(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	const q = `{ search(text: "Daesh") { id name aliases ... on Organization { orgType gtdName } } }`
	for name, resp := range map[string]*gqlResponse{"POST": ts.post(t, q, nil), "GET": ts.get(t, q)} {
		var data struct {
			Search []struct {
				ID      string
				Name    string
				Aliases []string
				OrgType string
				GtdName string
			}
		}
		mustData(t, resp, &data)
		if len(data.Search) == 0 || data.Search[0].ID != "islamic-state" {
			t.Fatalf("%s: search Daesh = %+v", name, data.Search)
		}
		if data.Search[0].OrgType != "MILITANT_GROUP" || data.Search[0].GtdName == "" {
			t.Errorf("%s: IS = %+v", name, data.Search[0])
		}
	}
	for _, text := range []string{"ISKP", "ISIS-K"} {
		var data struct{ Search []struct{ ID string } }
		mustData(t, ts.post(t, `query($t: String!) { search(text: $t, first: 3) { id } }`, map[string]any{"t": text}), &data)
		if len(data.Search) == 0 || data.Search[0].ID != "islamic-state-khorasan-province" {
			t.Errorf("search %s = %+v, want IS-K first", text, data.Search)
		}
	}
}

func TestMoscowClaimAndAttributionWithSources(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	var data struct {
		Entity struct {
			Name          string
			Sources       []struct{ Publisher string }
			Relationships []struct {
				Type, Direction, Status, ConfidenceLevel string
				Confidence                               int
				Quote                                    *string
				Other, From, To                          struct{ ID, Kind string }
				AssertedBy                               struct{ ID string }
				Sources                                  []struct{ ID, Title, Publisher, Published, SourceType string }
			}
		}
	}
	mustData(t, ts.post(t, `{
	  entity(id: "moscow-concert-hall-attack-2024") {
	    name
	    sources { publisher }
	    relationships(filter: {types: [CLAIMED_RESPONSIBILITY_FOR, ATTRIBUTED_TO]}) {
	      type direction status confidence confidenceLevel quote
	      other { id kind } from { id kind } to { id kind }
	      assertedBy { id }
	      sources { id title publisher published sourceType }
	    }
	  }
	}`, nil), &data)
	if len(data.Entity.Sources) == 0 {
		t.Error("the attack's own facts cite no source")
	}
	var claim, attribution bool
	for _, r := range data.Entity.Relationships {
		if r.Type != "CLAIMED_RESPONSIBILITY_FOR" && r.Type != "ATTRIBUTED_TO" {
			t.Errorf("type filter let %s through", r.Type)
		}
		if len(r.Sources) == 0 {
			t.Errorf("%s by %s has no source", r.Type, r.AssertedBy.ID)
		}
		switch {
		case r.Type == "CLAIMED_RESPONSIBILITY_FOR" && r.AssertedBy.ID == "islamic-state":
			claim = true
			if r.Direction != "INCOMING" || r.Other.ID != "islamic-state" || r.From.ID != "islamic-state" || r.Status != "CLAIMED" {
				t.Errorf("IS claim seen from the attack: %+v", r)
			}
			if !hasPublisher(r.Sources, "The Associated Press") {
				t.Errorf("IS claim sources: %+v", r.Sources)
			}
		case r.Type == "ATTRIBUTED_TO" && r.AssertedBy.ID == "us-official-anonymous":
			attribution = true
			if r.Direction != "OUTGOING" || r.Other.ID != "islamic-state-khorasan-province" || r.Quote == nil {
				t.Errorf("U.S. attribution: %+v", r)
			}
			if !hasPublisher(r.Sources, "The Associated Press") {
				t.Errorf("U.S. attribution sources: %+v", r.Sources)
			}
		}
	}
	if !claim || !attribution {
		t.Errorf("claim found %v, attribution to IS-K found %v in %+v", claim, attribution, data.Entity.Relationships)
	}
}

func hasPublisher(sources []struct{ ID, Title, Publisher, Published, SourceType string }, p string) bool {
	for _, s := range sources {
		if s.Publisher == p && s.Published == "2024-03-23" {
			return true
		}
	}
	return false
}

type chart struct {
	Nodes []struct{ ID, Kind, Name string }
	Edges []struct {
		ID, Type, Source, Target, Status, AssertedBy, Style string
		Confidence                                          int
	}
	Truncated bool
}

func checkChart(t *testing.T, c chart) map[string]bool {
	t.Helper()
	nodes := map[string]bool{}
	for _, n := range c.Nodes {
		if nodes[n.ID] || n.Name == "" || n.Kind == "" {
			t.Errorf("node %+v repeated or unnamed", n)
		}
		nodes[n.ID] = true
	}
	edges := map[string]bool{}
	for _, e := range c.Edges {
		if edges[e.ID] || !nodes[e.Source] || !nodes[e.Target] || e.Status == "" || e.AssertedBy == "" {
			t.Errorf("edge %+v repeated, dangling or without provenance", e)
		}
		edges[e.ID] = true
		if want := incidentgraph.LineStyle(incidentgraph.Status(e.Status), e.Confidence); e.Style != want {
			t.Errorf("edge %s (%s, %d) drawn %s, want %s", e.ID, e.Status, e.Confidence, e.Style, want)
		}
	}
	return nodes
}

func TestLinkCharts(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	const fields = `nodes { id kind name } edges { id type source target status confidence assertedBy style } truncated`
	var data struct {
		Path, Hood chart
	}
	mustData(t, ts.post(t, `{
	  path: shortestPath(from: "kabul-airport-bombing-2021", to: "moscow-concert-hall-attack-2024", filter: {types: [ATTRIBUTED_TO]}) { `+fields+` }
	  hood: neighborhood(id: "islamic-state-khorasan-province", depth: 2) { `+fields+` }
	}`, nil), &data)
	if nodes := checkChart(t, data.Path); !nodes["islamic-state-khorasan-province"] || len(data.Path.Edges) != 2 {
		t.Errorf("path Kabul → Moscow = %+v, want two edges through IS-K", data.Path)
	}
	if nodes := checkChart(t, data.Hood); !nodes["islamic-state"] || len(data.Hood.Edges) < len(data.Hood.Nodes)-1 {
		t.Errorf("neighbourhood of IS-K = %d nodes, %d edges", len(data.Hood.Nodes), len(data.Hood.Edges))
	}
	var none struct{ ShortestPath *chart }
	mustData(t, ts.post(t, `{ shortestPath(from: "kabul-airport-bombing-2021", to: "moscow-concert-hall-attack-2024", maxDepth: 1) { nodes { id } } }`, nil), &none)
	if none.ShortestPath != nil {
		t.Errorf("a one-hop path exists? %+v", none.ShortestPath)
	}
}

func TestIncidentPagesOverHTTP(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	type page struct {
		Incidents struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage bool
				EndCursor   *string
			}
			Edges []struct {
				Cursor string
				Node   struct{ ID, Date, Outcome string }
			}
		}
	}
	const q = `query($after: String) { incidents(first: 2, after: $after) {
		totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id date outcome } } } }`
	seen := map[string]bool{}
	var after any
	total := -1
	for i := 0; i < 10; i++ {
		var p page
		mustData(t, ts.post(t, q, map[string]any{"after": after}), &p)
		total = p.Incidents.TotalCount
		for _, e := range p.Incidents.Edges {
			if seen[e.Node.ID] {
				t.Errorf("%s on two pages", e.Node.ID)
			}
			seen[e.Node.ID] = true
		}
		if !p.Incidents.PageInfo.HasNextPage {
			break
		}
		after = *p.Incidents.PageInfo.EndCursor
	}
	if total < 5 || len(seen) != total {
		t.Errorf("paged through %d incidents, totalCount %d", len(seen), total)
	}
	var isk page
	mustData(t, ts.post(t, `{ incidents(filter: {perpetrator: "islamic-state-khorasan-province", from: "2021", attackType: BOMBING_EXPLOSION}) {
		totalCount edges { node { id } } } }`, nil), &isk)
	if isk.Incidents.TotalCount != 1 || isk.Incidents.Edges[0].Node.ID != "kabul-airport-bombing-2021" {
		t.Errorf("IS-K bombings since 2021 = %+v", isk.Incidents)
	}
}

func TestFiguresAndVocabulary(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	var data struct {
		Entity struct {
			Figures []struct {
				Value      int
				Qualifier  string
				AsOf       string
				AssertedBy struct{ ID string }
				Sources    []struct{ ID string }
			}
		}
		RelationshipTypes []struct {
			Type      string
			FromKinds []string
		}
	}
	mustData(t, ts.post(t, `{
	  entity(id: "moscow-concert-hall-attack-2024") { ... on Incident { figures(metric: KILLED) { value qualifier asOf assertedBy { id } sources { id } } } }
	  relationshipTypes { type fromKinds }
	}`, nil), &data)
	values := map[int]bool{}
	for _, f := range data.Entity.Figures {
		values[f.Value] = true
		if len(f.Sources) == 0 || f.AssertedBy.ID == "" || f.AsOf == "" {
			t.Errorf("figure without provenance: %+v", f)
		}
	}
	if !values[133] || !values[145] {
		t.Errorf("Moscow death toll reports = %+v, want 133 and 145", data.Entity.Figures)
	}
	if len(data.RelationshipTypes) != len(incidentgraph.Vocabulary) {
		t.Errorf("relationshipTypes lists %d types, the vocabulary has %d", len(data.RelationshipTypes), len(incidentgraph.Vocabulary))
	}
}

func TestBadInputGetsACodedError(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	before, err := db.Fingerprint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, query, code string
		vars              map[string]any
	}{
		{"syntax", `{ search(text: "x" { id } }`, "GRAPHQL_PARSE_FAILED", nil},
		{"unknown field", `{ search(text: "x") { nope } }`, "GRAPHQL_VALIDATION_FAILED", nil},
		{"unknown enum in variables", `query($t: [RelationshipType!]) { entity(id: "islamic-state") { relationships(filter: {types: $t}) { id } } }`, "GRAPHQL_VALIDATION_FAILED", map[string]any{"t": []string{"DROP_DATABASE"}}},
		{"page too big", `{ incidents(first: 1000) { totalCount } }`, incidentgraph.EINVALID, nil},
		{"page too small", `{ search(text: "IS", first: 0) { id } }`, incidentgraph.EINVALID, nil},
		{"empty search", `{ search(text: "   ") { id } }`, incidentgraph.EINVALID, nil},
		{"too deep", `{ neighborhood(id: "islamic-state", depth: 9) { nodes { id } } }`, incidentgraph.EINVALID, nil},
		{"path too long", `{ shortestPath(from: "islamic-state", to: "taliban", maxDepth: 50) { nodes { id } } }`, incidentgraph.EINVALID, nil},
		{"bad date", `{ incidents(filter: {from: "2024-13-01"}) { totalCount } }`, incidentgraph.EINVALID, nil},
		{"bad date in variables", `query($d: PartialDate) { incidents(filter: {from: $d}) { totalCount } }`, incidentgraph.EINVALID, map[string]any{"d": "yesterday"}},
		{"from after to", `{ incidents(filter: {from: "2024", to: "2020"}) { totalCount } }`, incidentgraph.EINVALID, nil},
		{"bad cursor", `{ incidents(after: "bogus") { totalCount } }`, incidentgraph.EINVALID, nil},
		{"bad confidence", `{ entity(id: "islamic-state") { relationships(filter: {minConfidence: 101}) { id } } }`, incidentgraph.EINVALID, nil},
		{"malformed id", `{ neighborhood(id: "DROP (n)") { nodes { id } } }`, incidentgraph.EINVALID, nil},
		{"unknown id", `{ neighborhood(id: "no-such-entity") { nodes { id } } }`, incidentgraph.ENOTFOUND, nil},
		{"too many ids", `query($ids: [ID!]!) { entities(ids: $ids) { id } }`, incidentgraph.EINVALID, map[string]any{"ids": make([]string, 101)}},
		{"too costly", `{ search(text: "IS", first: 100) { ... on Organization { relationships(first: 500) { other { id } } } } }`, "COMPLEXITY_LIMIT_EXCEEDED", nil},
		{"no query", ``, "GRAPHQL_VALIDATION_FAILED", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.post(t, tc.query, tc.vars)
			if r.status >= 500 {
				t.Errorf("status %d", r.status)
			}
			if r.code() != tc.code {
				t.Errorf("code %q (errors %+v), want %s", r.code(), r.Errors, tc.code)
			}
		})
	}
	if after, err := db.Fingerprint(context.Background()); err != nil || after != before {
		t.Errorf("bad requests changed the graph (err %v)", err)
	}
	if r := ts.get(t, `{ search(text: "IS") { id }`); r.status >= 500 || r.code() != "GRAPHQL_PARSE_FAILED" {
		t.Errorf("GET with a syntax error: status %d, errors %+v", r.status, r.Errors)
	}
	for name, body := range map[string]string{"not JSON": `{"query": `, "wrong shape": `["query"]`} {
		r := ts.postRaw(t, "application/json", []byte(body))
		if r.status >= 500 || r.status < 400 || r.code() == "" {
			t.Errorf("%s: status %d, errors %+v; want a 4xx with a code", name, r.status, r.Errors)
		}
	}
	var missing struct{ Entity *struct{ ID string } }
	mustData(t, ts.post(t, `{ entity(id: "no-such-entity") { id } }`, nil), &missing)
	if missing.Entity != nil {
		t.Errorf("entity(no-such-entity) = %+v, want null", missing.Entity)
	}
}

// failingGraph is the real store with one question broken, as a database fault would break it.
type failingGraph struct {
	*neo4j.DB
}

func (f failingGraph) Search(context.Context, string, []incidentgraph.Kind, int) ([]*incidentgraph.Entity, error) {
	return nil, errors.New("Neo.ClientError.Statement.SyntaxError: MATCH (n:Secret) RETURN n")
}

func TestInternalErrorsAreMaskedAndLoggedOnce(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, failingGraph{db}, db)
	r := ts.post(t, `{ search(text: "Daesh") { id } }`, nil)
	if r.code() != incidentgraph.EINTERNAL || r.Errors[0].Message != "internal error" {
		t.Fatalf("errors %+v, want one masked INTERNAL error", r.Errors)
	}
	raw, _ := json.Marshal(r.Errors)
	if strings.Contains(string(raw), "Neo.") || strings.Contains(string(raw), "MATCH") {
		t.Errorf("the client saw internals: %s", raw)
	}
	reqID := r.header.Get(server.RequestIDHeader)
	if reqID == "" {
		t.Fatal("no request id header")
	}
	var errorLines int
	for _, line := range strings.Split(ts.logs.String(), "\n") {
		if strings.Contains(line, "SyntaxError") {
			errorLines++
			if !strings.Contains(line, `"req_id":"`+reqID+`"`) || !strings.Contains(line, `"level":"error"`) {
				t.Errorf("error log line without the request id %s: %s", reqID, line)
			}
		}
	}
	if errorLines != 1 {
		t.Errorf("the internal error was logged %d times, want once:\n%s", errorLines, ts.logs.String())
	}
}

// countingGraph is the real store, counting the queries each question costs.
type countingGraph struct {
	*neo4j.DB
	entities, relationships, reads atomic.Int32
}

func (c *countingGraph) Read(ctx context.Context, ids []string, sel *incidentgraph.EntitySelection) (*incidentgraph.ReadAnswer, error) {
	c.reads.Add(1)
	return c.DB.Read(ctx, ids, sel)
}

func (c *countingGraph) FindEntitiesByIDs(ctx context.Context, ids []string) ([]*incidentgraph.Entity, error) {
	c.entities.Add(1)
	return c.DB.FindEntitiesByIDs(ctx, ids)
}

func (c *countingGraph) FindRelationships(ctx context.Context, ids []string, f incidentgraph.RelationshipFilter, limit int) (map[string][]*incidentgraph.Relationship, error) {
	c.relationships.Add(1)
	return c.DB.FindRelationships(ctx, ids, f, limit)
}

func TestNestedFieldsAreBatched(t *testing.T) {
	db := seededDB(t)
	svc := &countingGraph{DB: db}
	ts := newTestServer(t, svc, db)
	var data struct {
		Search []struct {
			ID            string
			Relationships []struct {
				Other      struct{ Name string }
				AssertedBy struct{ Name string }
				Sources    []struct{ Title string }
			}
		}
	}
	mustData(t, ts.post(t, `{ search(text: "Islamic State", first: 10) { id ... on Organization {
		relationships(first: 50) { other { name } assertedBy { name } sources { title } } } } }`, nil), &data)
	rels := 0
	for _, e := range data.Search {
		rels += len(e.Relationships)
	}
	if rels < 20 {
		t.Fatalf("only %d relationships: the query does not exercise batching", rels)
	}
	// The relationships and the entities behind them are one compiled read, instead of one
	// query per item: no field asks for itself.
	if n := svc.reads.Load(); n != 1 {
		t.Errorf("%d compiled reads for %d entities, want 1", n, len(data.Search))
	}
	if r, e := svc.relationships.Load(), svc.entities.Load(); r != 0 || e != 0 {
		t.Errorf("%d relationship and %d entity queries beside the compiled read", r, e)
	}
}

type deadDB struct{}

func (deadDB) Ping(context.Context) error { return errors.New("connection refused") }

func TestHealthReadinessAndRequestIDs(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want || resp.Header.Get(server.RequestIDHeader) == "" {
			t.Errorf("%s: status %d, request id %q", path, resp.StatusCode, resp.Header.Get(server.RequestIDHeader))
		}
	}
	down := newTestServer(t, db, deadDB{})
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 503} {
		resp, err := http.Get(down.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("database down, %s: status %d, want %d", path, resp.StatusCode, want)
		}
	}
	// The access log has one line per request, with its id, path and status.
	if !strings.Contains(ts.logs.String(), `"path":"/readyz"`) || !strings.Contains(ts.logs.String(), `"status":200`) ||
		!strings.Contains(ts.logs.String(), `"req_id":"`) {
		t.Errorf("access log: %s", ts.logs.String())
	}
}

func TestCrossOriginRequestsOnlyFromAllowedOrigins(t *testing.T) {
	db := seededDB(t)
	cfg := server.DefaultConfig()
	cfg.AllowedOrigins = []string{"https://charts.example.org"}
	ts := httptest.NewServer(server.NewServer(zerolog.Nop(), cfg, services(t, db, db)))
	defer ts.Close()
	preflight := func(origin string) *http.Response {
		req, _ := http.NewRequest(http.MethodOptions, ts.URL+"/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if got := preflight("https://charts.example.org").Header.Get("Access-Control-Allow-Origin"); got != "https://charts.example.org" {
		t.Errorf("allowed origin: Access-Control-Allow-Origin %q", got)
	}
	if got := preflight("https://elsewhere.example.com").Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("other origin: Access-Control-Allow-Origin %q", got)
	}
	// Same-origin only by default.
	plain := newTestServer(t, db, db)
	req, _ := http.NewRequest(http.MethodPost, plain.URL+"/graphql", strings.NewReader(`{"query":"{ relationshipTypes { type } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://charts.example.org")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("no origins configured, yet Access-Control-Allow-Origin %q", got)
	}
}

// stallingStore is the real store whose reads of entities and relationships first wait for the
// request's deadline: a field is then certainly running when time runs out, however the machine
// schedules the request, and the store meets an expired context as it would a slow query.
type stallingStore struct{ *neo4j.DB }

func (s stallingStore) FindEntitiesByIDs(ctx context.Context, ids []string) ([]*incidentgraph.Entity, error) {
	<-ctx.Done()
	return s.DB.FindEntitiesByIDs(ctx, ids)
}

func (s stallingStore) FindRelationships(ctx context.Context, ids []string, f incidentgraph.RelationshipFilter, limit int) (map[string][]*incidentgraph.Relationship, error) {
	<-ctx.Done()
	return s.DB.FindRelationships(ctx, ids, f, limit)
}

func (s stallingStore) Read(ctx context.Context, ids []string, sel *incidentgraph.EntitySelection) (*incidentgraph.ReadAnswer, error) {
	<-ctx.Done()
	return s.DB.Read(ctx, ids, sel)
}

func TestSlowRequestsStopWithATimeoutCode(t *testing.T) {
	db := seededDB(t)
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		store   incidentgraph.GraphService
		query   string
		onField bool // the error names the field that ran out of time
	}{
		// Late before any field runs: the whole request gets one coded error.
		{"before execution", time.Nanosecond, db, `{ entity(id: "islamic-state") { name } }`, false},
		// Late while fields run: the store holds every field until the deadline has passed, so
		// the outcome depends on no batch window and no speed of the machine; the limit only
		// has to outlast parsing and validating a short query.
		{"during execution", 250 * time.Millisecond, stallingStore{db}, `{ entity(id: "islamic-state") {
			relationships(first: 2) { other { relationships(first: 2) { other { name } } } } } }`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := server.DefaultConfig()
			cfg.RequestTimeout = tc.timeout
			ts := httptest.NewServer(server.NewServer(zerolog.Nop(), cfg, services(t, tc.store, db)))
			defer ts.Close()
			r := (&testServer{Server: ts}).post(t, tc.query, nil)
			if r.status >= 500 || len(r.Errors) == 0 {
				t.Fatalf("status %d, errors %+v; want a TIMEOUT error", r.status, r.Errors)
			}
			for _, e := range r.Errors {
				if e.Extensions["code"] != incidentgraph.ETIMEOUT {
					t.Errorf("error %+v, want code TIMEOUT", e)
				}
				if tc.onField && len(e.Path) == 0 {
					t.Errorf("error %+v names no field", e)
				}
			}
		})
	}
	// Negative control: with the default limit, the same question through the store that does
	// not stall is answered, so the TIMEOUT above is the short limit's doing.
	ts := httptest.NewServer(server.NewServer(zerolog.Nop(), server.DefaultConfig(), services(t, db, db)))
	defer ts.Close()
	var answer struct{ Entity struct{ Relationships []any } }
	mustData(t, (&testServer{Server: ts}).post(t, `{ entity(id: "islamic-state") {
		relationships(first: 2) { other { relationships(first: 2) { other { name } } } } } }`, nil), &answer)
	if len(answer.Entity.Relationships) == 0 {
		t.Error("the control question has no answer")
	}
}

func TestLostDatabaseIsUnavailableNotInternal(t *testing.T) {
	seededDB(t)
	p, db := testdb.OpenThroughProxy(t, 2*time.Second)
	ts := newTestServer(t, db, db)
	var ok struct{ Entity struct{ Name string } }
	mustData(t, ts.post(t, `{ entity(id: "islamic-state") { name } }`, nil), &ok)

	p.Cut() // the network path to Neo4j is gone
	r := ts.post(t, `{ entity(id: "islamic-state-khorasan-province") { name } }`, nil)
	if r.status >= 500 || r.code() != incidentgraph.EUNAVAIL {
		t.Errorf("status %d, errors %+v; want code UNAVAILABLE", r.status, r.Errors)
	}
	resp, err := http.Get(ts.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz with Neo4j gone: %d, want 503", resp.StatusCode)
	}
	if strings.Contains(ts.logs.String(), `"level":"error"`) {
		t.Errorf("a lost database is logged as an internal error:\n%s", ts.logs.String())
	}
}
