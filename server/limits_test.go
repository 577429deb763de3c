package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/server"
)

// send posts one GraphQL query with an optional bearer secret.
func (ts *testServer) send(t *testing.T, secret, query string, vars map[string]any) *answer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := newRequest(t, http.MethodPost, ts.URL+"/graphql", jsonCT, body)
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	return ts.do(t, req)
}

func (a *answer) code(t *testing.T) string {
	t.Helper()
	errs := a.errors(t)
	if len(errs) == 0 {
		return ""
	}
	c, _ := errs[0].Extensions["code"].(string)
	return c
}

// newToken makes a token of role for this test and returns its secret.
func newToken(t *testing.T, db *neo4j.DB, role incidentgraph.Role) string {
	t.Helper()
	name := fmt.Sprintf("%s-%d", strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")), time.Now().UnixNano())
	secret, err := db.CreateToken(context.Background(), name, role, nil)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func nest(n int, open, close, inner string) string {
	return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
}

// fragmentChain defines F0 … Fn, each Fi spreading F(i-1) through body, and returns the text.
func fragmentChain(n int, body func(prev string) string) string {
	var b strings.Builder
	b.WriteString("fragment F0 on Entity { id }\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Entity { %s }\n", i, body(fmt.Sprintf("...F%d", i-1)))
	}
	return b.String()
}

func aliases(n int, field string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "a%d: %s ", i, field)
	}
	return b.String()
}

// TestBombsAreRefusedBeforeAnyCypher sends depth, alias, root-field, field, directive, token,
// size and complexity bombs, some hidden in fragments and variables: each is refused with its
// code, and not one byte goes to Neo4j (the wire counts them). The times are logged.
func TestBombsAreRefusedBeforeAnyCypher(t *testing.T) {
	seededDB(t)
	w, db := newWire(t)
	ts := newConfiguredServer(t, server.DefaultConfig(), server.Services{Graph: db, Analyst: db, Cypher: db, Tokens: db, DB: db})
	const is = `entity(id: "islamic-state")`
	hop := "relationships(first: 1) { other { "
	expensive := `relationships(first: 100) { other { relationships(first: 100) { id } } }`
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		body        string // sent as it is instead of query and vars
		code        string
	}{
		{"depth", "{ " + is + " { " + nest(20, hop, "} } ", "id") + " } }", nil, "", server.CodeDepthLimit},
		{"depth in fragments", "{ " + is + " { ...F20 } }\n" + fragmentChain(20, func(p string) string { return hop + p + " } }" }), nil, "", server.CodeDepthLimit},
		{"aliases", "{ " + is + " { " + aliases(31, "name") + " } }", nil, "", server.CodeAliasLimit},
		{"aliases in fragments", "{ " + is + " { ...A " + nest(3, hop+"...A ", "} } ", "id") + " } }\nfragment A on Entity { " + aliases(10, "name") + " }", nil, "", server.CodeAliasLimit},
		{"root fields", "{ " + aliases(21, is+" { id }") + " }", nil, "", server.CodeRootFieldLimit},
		{"fields in fragments (2^40)", "{ " + is + " { ...F40 } }\n" + fragmentChain(40, func(p string) string { return p + " " + p }), nil, "", server.CodeFieldLimit},
		{"directives", "{ " + is + " { name" + strings.Repeat(" @include(if: true)", 50) + " } }", nil, "", "GRAPHQL_VALIDATION_FAILED"},
		{"tokens", "{ " + is + " { id " + strings.Repeat("id ", 10001) + "} }", nil, "", "GRAPHQL_PARSE_FAILED"},
		{"size", "", nil, `{"query":"{ __typename }","x":"` + strings.Repeat("x", 2<<20) + `"}`, server.CodePayloadTooLarge},
		{"complexity", "{ search(text: \"IS\", first: 100) { " + expensive + " } }", nil, "", "COMPLEXITY_LIMIT_EXCEEDED"},
		{"complexity in variables", "query($n: Int) { search(text: \"IS\", first: $n) { relationships(first: $n) { other { relationships(first: $n) { id } } } } }", map[string]any{"n": 100}, "", "COMPLEXITY_LIMIT_EXCEEDED"},
		{"complexity in fragments", "{ search(text: \"IS\", first: 100) { ...R } }\nfragment R on Entity { " + expensive + " }", nil, "", "COMPLEXITY_LIMIT_EXCEEDED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			if tc.body == "" {
				body, _ = json.Marshal(map[string]any{"query": tc.query, "variables": tc.vars})
			}
			before := w.bytesSent()
			start := time.Now()
			a := ts.do(t, newRequest(t, http.MethodPost, ts.URL+"/graphql", jsonCT, body))
			took := time.Since(start)
			if code := a.code(t); code != tc.code || a.status >= 500 {
				t.Fatalf("status %d, code %q, body %.300s; want %s", a.status, code, a.body, tc.code)
			}
			if sent := w.bytesSent() - before; sent != 0 {
				t.Errorf("%d bytes went to Neo4j", sent)
			}
			t.Logf("%s bomb (%d bytes) refused in %s: %.160s", tc.name, len(body), took, a.errors(t)[0].Message)
		})
	}
	// Negative control: a request that does reach the database is seen on the wire.
	before := w.bytesSent()
	if a := ts.send(t, "", "{ "+is+" { name } }", nil); a.status != 200 || a.code(t) != "" {
		t.Fatalf("status %d, %s", a.status, a.body)
	}
	if w.bytesSent() == before {
		t.Error("a query that ran sent nothing to Neo4j: the wire counts nothing")
	}
}

// TestLimitsAtTheirEdges checks each limit at its bound and one past it.
func TestLimitsAtTheirEdges(t *testing.T) {
	db := seededDB(t)
	cfg := server.DefaultConfig()
	cfg.MaxDepth, cfg.MaxAliases, cfg.MaxRootFields, cfg.MaxDirectives = 5, 2, 2, 1
	cfg.ComplexityLimit, cfg.AnalystComplexityLimit = 51, 101
	tight := newConfiguredServer(t, cfg, services(t, db, db))
	open := newTestServer(t, db, db)
	analyst := newToken(t, db, incidentgraph.RoleAnalyst)
	long := func(n int) string { return strings.Repeat("a", n) }
	const is = `entity(id: "islamic-state")`
	for _, tc := range []struct {
		name       string
		ts         *testServer
		secret     string
		ok, refuse string
		code       string
	}{
		{"depth 5/6", tight, "", "{ " + is + " { relationships(first: 1) { other { relationships(first: 1) { id } } } } }",
			"{ " + is + " { relationships(first: 1) { other { relationships(first: 1) { other { id } } } } } }", server.CodeDepthLimit},
		{"aliases 2/3", tight, "", "{ " + is + " { a: name b: name } }", "{ " + is + " { a: name b: name c: name } }", server.CodeAliasLimit},
		{"root fields 2/3", tight, "", "{ " + is + " { id } __typename }", "{ " + is + " { id } __typename relationshipTypes { type } }", server.CodeRootFieldLimit},
		{"directives 1/2", tight, "", "{ " + is + " { name @include(if: true) } }", "{ " + is + " { name @include(if: true) @skip(if: false) } }", server.CodeDirectiveLimit},
		{"complexity 51/52", tight, "", `{ search(text: "IS", first: 50) { id } }`, `{ search(text: "IS", first: 51) { id } }`, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"analyst complexity 101/102", tight, analyst, `{ search(text: "IS", first: 100) { id } }`, `{ search(text: "IS", first: 101) { id } }`, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"page 100/101", open, "", `{ incidents(first: 100) { totalCount } }`, `{ incidents(first: 101) { totalCount } }`, incidentgraph.EINVALID},
		{"neighborhood depth 3/4", open, "", `{ neighborhood(id: "islamic-state", depth: 3) { nodes { id } } }`, `{ neighborhood(id: "islamic-state", depth: 4) { nodes { id } } }`, incidentgraph.EINVALID},
		{"path depth 10/11", open, "", `{ shortestPath(from: "islamic-state", to: "taliban", maxDepth: 10) { nodes { id } } }`, `{ shortestPath(from: "islamic-state", to: "taliban", maxDepth: 11) { nodes { id } } }`, incidentgraph.EINVALID},
		{"search text 200/201", open, "", `{ search(text: "` + long(200) + `") { id } }`, `{ search(text: "` + long(201) + `") { id } }`, incidentgraph.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if a := tc.ts.send(t, tc.secret, tc.ok, nil); a.status != 200 || a.code(t) != "" {
				t.Errorf("at the bound: status %d, %.300s", a.status, a.body)
			}
			a := tc.ts.send(t, tc.secret, tc.refuse, nil)
			if a.code(t) != tc.code || a.status >= 500 {
				t.Errorf("past the bound: status %d, %.300s; want %s", a.status, a.body, tc.code)
			}
		})
	}
	// Readers get the lower complexity limit: the analyst's bound is refused to them.
	if a := tight.send(t, "", `{ search(text: "IS", first: 100) { id } }`, nil); a.code(t) != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Errorf("a reader at the analyst's bound: %.300s", a.body)
	}
}

// blockingGraph is the real store whose search waits, once entered, until the test releases it:
// requests held in flight without sleeping.
type blockingGraph struct {
	*neo4j.DB
	entered chan struct{}
	release chan struct{}
}

func (b blockingGraph) Search(ctx context.Context, text string, kinds []incidentgraph.Kind, limit int) ([]*incidentgraph.Entity, error) {
	b.entered <- struct{}{}
	<-b.release
	return b.DB.Search(ctx, text, kinds, limit)
}

// TestInFlightLimitShedsWith503 holds MaxInFlight requests in a handler and sees the next one
// refused at once with 503 and Retry-After, while health checks still answer; released, the
// slots serve again.
func TestInFlightLimitShedsWith503(t *testing.T) {
	db := seededDB(t)
	cfg := server.DefaultConfig()
	cfg.MaxInFlight = 2
	g := blockingGraph{DB: db, entered: make(chan struct{}), release: make(chan struct{})}
	svc := services(t, db, db)
	svc.Graph = g
	ts := newConfiguredServer(t, cfg, svc)
	const q = `{ search(text: "IS", first: 1) { id } }`
	var wg sync.WaitGroup
	held := make([]*answer, cfg.MaxInFlight)
	for i := range held {
		wg.Add(1)
		go func() { defer wg.Done(); held[i] = ts.send(t, "", q, nil) }()
		<-g.entered
	}
	a := ts.send(t, "", `{ __typename }`, nil)
	if a.status != http.StatusServiceUnavailable || a.code(t) != server.CodeOverloaded || a.header.Get("Retry-After") == "" {
		t.Errorf("over the limit: status %d, Retry-After %q, %s", a.status, a.header.Get("Retry-After"), a.body)
	}
	if resp, err := http.Get(ts.URL + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("healthz while full: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	close(g.release)
	wg.Wait()
	for i, h := range held {
		if h.status != 200 || h.code(t) != "" {
			t.Errorf("held request %d: status %d, %s", i, h.status, h.body)
		}
	}
	// Negative control: with the slots free, the same request is served.
	if a := ts.send(t, "", `{ __typename }`, nil); a.status != 200 {
		t.Errorf("after release: status %d, %s", a.status, a.body)
	}
}

// TestRateLimits allows one request (burst 1) per address or token and a rate too low to refill
// during the test: the second is refused with 429 and Retry-After, and keys are separate.
func TestRateLimits(t *testing.T) {
	db := seededDB(t)
	const q = `{ __typename }`
	t.Run("per address", func(t *testing.T) {
		cfg := server.DefaultConfig()
		cfg.RatePerAddress, cfg.BurstPerAddress = 1.0/3600, 1
		ts := newConfiguredServer(t, cfg, services(t, db, db))
		if a := ts.send(t, "", q, nil); a.status != 200 {
			t.Fatalf("first: %d %s", a.status, a.body)
		}
		a := ts.send(t, "", q, nil)
		if a.status != http.StatusTooManyRequests || a.code(t) != server.CodeRateLimited || a.header.Get("Retry-After") != "3600" {
			t.Errorf("second: status %d, Retry-After %q, %s", a.status, a.header.Get("Retry-After"), a.body)
		}
		if a.worstLevel() > 2 { // warn
			t.Errorf("logged at %s", a.worstLevel())
		}
		// /export shares the address's bucket: refused as well. Control: on a server of its
		// own, the same export is the first request and is answered.
		const export = "/export?format=cytoscape&of=neighborhood&id=islamic-state"
		exportStatus := func(base string) int {
			t.Helper()
			resp, err := http.Get(base + export)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if got := exportStatus(ts.URL); got != http.StatusTooManyRequests {
			t.Errorf("export after the address's one request: status %d, want 429", got)
		}
		if got := exportStatus(newConfiguredServer(t, cfg, services(t, db, db)).URL); got != http.StatusOK {
			t.Errorf("control: export as the first request: status %d, want 200", got)
		}
	})
	t.Run("per token", func(t *testing.T) {
		cfg := server.DefaultConfig()
		cfg.RatePerToken, cfg.BurstPerToken = 1.0/3600, 1
		ts := newConfiguredServer(t, cfg, services(t, db, db))
		one, other := newToken(t, db, incidentgraph.RoleReader), newToken(t, db, incidentgraph.RoleReader)
		if a := ts.send(t, one, q, nil); a.status != 200 {
			t.Fatalf("first: %d %s", a.status, a.body)
		}
		a := ts.send(t, one, q, nil)
		if a.status != http.StatusTooManyRequests || a.code(t) != server.CodeRateLimited || a.header.Get("Retry-After") == "" {
			t.Errorf("second: status %d, Retry-After %q, %s", a.status, a.header.Get("Retry-After"), a.body)
		}
		// Negative controls: another token and anonymous callers have buckets of their own.
		if a := ts.send(t, other, q, nil); a.status != 200 {
			t.Errorf("another token: %d %s", a.status, a.body)
		}
		if a := ts.send(t, "", q, nil); a.status != 200 {
			t.Errorf("anonymous: %d %s", a.status, a.body)
		}
	})
}

// TestCORSHeadersOnActualRequests checks the headers a browser needs on the answer itself (not
// only on the preflight), for answers, refusals and shed requests alike.
func TestCORSHeadersOnActualRequests(t *testing.T) {
	db := seededDB(t)
	cfg := server.DefaultConfig()
	cfg.AllowedOrigins = []string{"https://charts.example.org"}
	ts := newConfiguredServer(t, cfg, services(t, db, db))
	for _, tc := range []struct {
		name, origin, body string
		status             int
		allowed            bool
	}{
		{"answer", "https://charts.example.org", `{"query":"{ __typename }"}`, 200, true},
		{"malformed", "https://charts.example.org", `{"query":1}`, 400, true},
		{"other origin", "https://elsewhere.example.com", `{"query":"{ __typename }"}`, 200, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := newRequest(t, http.MethodPost, ts.URL+"/graphql", jsonCT, []byte(tc.body))
			req.Header.Set("Origin", tc.origin)
			a := ts.do(t, req)
			got := a.header.Get("Access-Control-Allow-Origin")
			if a.status != tc.status || (got == tc.origin) != tc.allowed {
				t.Errorf("status %d, Access-Control-Allow-Origin %q", a.status, got)
			}
			if tc.allowed && !strings.Contains(a.header.Get("Access-Control-Expose-Headers"), server.RequestIDHeader) {
				t.Errorf("Access-Control-Expose-Headers %q does not expose the request id", a.header.Get("Access-Control-Expose-Headers"))
			}
		})
	}
}

// panickingGraph is the real store with one question that panics, as a bug would.
type panickingGraph struct{ *neo4j.DB }

func (panickingGraph) Search(context.Context, string, []incidentgraph.Kind, int) ([]*incidentgraph.Entity, error) {
	panic("index out of range [3] with length 3")
}

// TestResolverPanicIsRecovered: a panicking resolver is answered INTERNAL without its text, the
// panic is logged once, at error, with the request id, and the server serves on.
func TestResolverPanicIsRecovered(t *testing.T) {
	db := seededDB(t)
	svc := services(t, db, db)
	svc.Graph = panickingGraph{db}
	ts := newConfiguredServer(t, server.DefaultConfig(), svc)
	a := ts.send(t, "", `{ search(text: "IS") { id } }`, nil)
	errs := a.errors(t)
	if a.status != 200 || len(errs) != 1 || errs[0].Extensions["code"] != incidentgraph.EINTERNAL || errs[0].Message != "internal error" {
		t.Fatalf("status %d, %s; want one masked INTERNAL error", a.status, a.body)
	}
	panics := 0
	for _, l := range a.logs {
		if l["message"] == "graphql: panic" {
			panics++
			if l["level"] != "error" || !strings.Contains(fmt.Sprint(l["panic"]), "index out of range") {
				t.Errorf("panic logged as %v", l)
			}
		}
	}
	if panics != 1 {
		t.Errorf("the panic is logged %d times with the request id, want once: %v", panics, a.logs)
	}
	if strings.Contains(string(a.body), "index out of range") {
		t.Errorf("the panic's text reached the client: %s", a.body)
	}
	if a := ts.send(t, "", `{ entity(id: "islamic-state") { name } }`, nil); a.status != 200 || a.code(t) != "" {
		t.Errorf("after the panic: %d %s", a.status, a.body)
	}
}

// TestProductionSwitches: introspection and "did you mean" suggestions are on by default and
// off when switched off.
func TestProductionSwitches(t *testing.T) {
	db := seededDB(t)
	cfg := server.DefaultConfig()
	cfg.Introspection, cfg.FieldSuggestions = false, false
	closed := newConfiguredServer(t, cfg, services(t, db, db))
	open := newTestServer(t, db, db)
	const schema, typo = `{ __schema { queryType { name } } }`, `{ entity(id: "islamic-state") { nmae } }`
	if a := open.send(t, "", schema, nil); a.status != 200 || a.code(t) != "" {
		t.Errorf("introspection on: %d %s", a.status, a.body)
	}
	if a := closed.send(t, "", schema, nil); a.code(t) == "" || strings.Contains(string(a.body), `"Query"`) {
		t.Errorf("introspection off: %d %s", a.status, a.body)
	}
	if a := open.send(t, "", typo, nil); !strings.Contains(string(a.body), "Did you mean") {
		t.Errorf("suggestions on: %s", a.body)
	}
	if a := closed.send(t, "", typo, nil); a.code(t) != "GRAPHQL_VALIDATION_FAILED" || strings.Contains(string(a.body), "Did you mean") {
		t.Errorf("suggestions off: %s", a.body)
	}
}
