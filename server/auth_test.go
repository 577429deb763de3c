package server

// These tests sit inside the package so that they can also wrap a handler of their own in the
// authentication middleware; everything else goes through the real server and a real Neo4j.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

type authLogs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *authLogs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *authLogs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type authAnswer struct {
	status int
	header http.Header
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (a *authAnswer) code() string {
	if len(a.Errors) == 0 {
		return ""
	}
	c, _ := a.Errors[0].Extensions["code"].(string)
	return c
}

func (a *authAnswer) message() string {
	if len(a.Errors) == 0 {
		return ""
	}
	return a.Errors[0].Message
}

// authPost sends a GraphQL query (or any JSON) to url with the given Authorization header
// ("" for none).
func authPost(t *testing.T, url, authorization, query string) *authAnswer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := &authAnswer{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(b, a); err != nil {
		t.Fatalf("status %d, body %q is not JSON: %v", resp.StatusCode, b, err)
	}
	return a
}

// authFixture is a seeded database with one token per kind of caller, and a server over it.
type authFixture struct {
	db      *neo4j.DB
	secrets map[string]string // caller → its secret
	headers map[string]string // caller → its Authorization header ("" for none)
}

func newAuthFixture(t *testing.T) *authFixture {
	t.Helper()
	ctx := context.Background()
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db) // empties the database: no token survives from earlier tests
	f := &authFixture{db: db, secrets: map[string]string{}, headers: map[string]string{"none": ""}}
	past := time.Now().Add(-time.Minute)
	for _, c := range []struct {
		caller  string
		role    incidentgraph.Role
		expires *time.Time
	}{
		{"reader", incidentgraph.RoleReader, nil},
		{"analyst", incidentgraph.RoleAnalyst, nil},
		{"admin", incidentgraph.RoleAdmin, nil},
		{"revoked", incidentgraph.RoleAdmin, nil},
		{"expired", incidentgraph.RoleAdmin, &past},
	} {
		secret, err := db.CreateToken(ctx, c.caller+"-token", c.role, c.expires)
		if err != nil {
			t.Fatal(err)
		}
		f.secrets[c.caller] = secret
		f.headers[c.caller] = "Bearer " + secret
	}
	if err := db.RevokeToken(ctx, "revoked-token"); err != nil {
		t.Fatal(err)
	}
	// Well-formed, but no token of ours.
	f.secrets["wrong"] = "igt_" + strings.Repeat("x", 43)
	f.headers["wrong"] = "Bearer " + f.secrets["wrong"]
	f.secrets["malformed"] = f.secrets["reader"]
	f.headers["malformed"] = "Basic " + f.secrets["reader"] // a good token under another scheme
	return f
}

func (f *authFixture) server(t *testing.T, cfg Config, logs io.Writer) *httptest.Server {
	t.Helper()
	svc := Services{Graph: f.db, Analyst: f.db, Cypher: f.db, Tokens: f.db, DB: f.db}
	ts := httptest.NewServer(NewServer(zerolog.New(logs), cfg, svc))
	t.Cleanup(ts.Close)
	return ts
}

// requireAnalyst is an analyst-only operation outside GraphQL: it answers what Require says.
var requireAnalyst = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if err := incidentgraph.Require(r.Context(), incidentgraph.RoleAnalyst); err != nil {
		writeJSON(w, http.StatusForbidden, gqlErrors(incidentgraph.ErrorCode(err), incidentgraph.ErrorMessage(err)))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"caller": incidentgraph.IdentityFrom(r.Context()).Name}})
})

func TestRolesAgainstOperations(t *testing.T) {
	f := newAuthFixture(t)
	logs := &authLogs{}
	ts := f.server(t, DefaultConfig(), logs)
	handler := httptest.NewServer(hlogged(zerolog.New(logs), authenticate(f.db, AnonymousRead)(requireAnalyst)))
	t.Cleanup(handler.Close)

	const (
		search = `{ search(text: "Daesh", first: 1) { id } }`
		cypher = `{ cypher(query: "MATCH (o:Organization {id: 'islamic-state'}) RETURN o.name AS name") { columns rows } }`
		ok     = "" // data, no error
		unauth = incidentgraph.EUNAUTHENTICATED
		forbid = incidentgraph.EFORBIDDEN
	)
	// Bad credentials stop at the door with 401, whatever the operation; a caller without any
	// is an anonymous reader, whom role checks refuse as UNAUTHENTICATED (asking for a token).
	for _, c := range []struct {
		caller                    string
		search, analystOp, cypher string
	}{
		{"none", ok, unauth, unauth},
		{"malformed", unauth, unauth, unauth},
		{"wrong", unauth, unauth, unauth},
		{"revoked", unauth, unauth, unauth},
		{"expired", unauth, unauth, unauth},
		{"reader", ok, forbid, forbid},
		{"analyst", ok, ok, ok},
		{"admin", ok, ok, ok},
	} {
		h := f.headers[c.caller]
		for _, op := range []struct {
			name string
			want string
			do   func() *authAnswer
		}{
			{"search", c.search, func() *authAnswer { return authPost(t, ts.URL+"/graphql", h, search) }},
			{"analyst-only handler", c.analystOp, func() *authAnswer { return authPost(t, handler.URL, h, "") }},
			{"cypher", c.cypher, func() *authAnswer { return authPost(t, ts.URL+"/graphql", h, cypher) }},
		} {
			a := op.do()
			rejectedAtTheDoor := c.caller != "none" && op.want == unauth
			switch {
			case a.code() != op.want:
				t.Errorf("%s → %s: status %d, code %q (%s), want %q", c.caller, op.name, a.status, a.code(), a.message(), op.want)
			case rejectedAtTheDoor && (a.status != http.StatusUnauthorized || !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Bearer")):
				t.Errorf("%s → %s: status %d, WWW-Authenticate %q; want 401 with a Bearer challenge",
					c.caller, op.name, a.status, a.header.Get("WWW-Authenticate"))
			case op.want == ok && (a.status != http.StatusOK || len(a.Data) == 0 || string(a.Data[firstField(a.Data)]) == "null"):
				t.Errorf("%s → %s: status %d, data %v; want an answer", c.caller, op.name, a.status, a.Data)
			}
		}
	}

	// Unknown, revoked and expired tokens are told the same thing, so that a caller cannot learn
	// which tokens exist or ever existed.
	msgs := map[string]bool{}
	for _, caller := range []string{"wrong", "revoked", "expired"} {
		msgs[authPost(t, ts.URL+"/graphql", f.headers[caller], search).message()] = true
	}
	if len(msgs) != 1 || !msgs["invalid or expired token"] {
		t.Errorf("messages for wrong, revoked and expired tokens: %v; want one, the same for all", msgs)
	}
	// Negative control: a malformed header gets its own, more helpful message.
	if m := authPost(t, ts.URL+"/graphql", f.headers["malformed"], search).message(); msgs[m] {
		t.Errorf("a malformed header is told %q, like a bad token", m)
	}
	for _, h := range []string{"Bearer", "Bearer ", "Bearer  ", "bearer a b", "Token " + f.secrets["reader"]} {
		if a := authPost(t, ts.URL+"/graphql", h, search); a.status != http.StatusUnauthorized || a.code() != unauth {
			t.Errorf("header %q: status %d, code %q; want 401 UNAUTHENTICATED", h, a.status, a.code())
		}
	}
	// The scheme is case-insensitive.
	if a := authPost(t, ts.URL+"/graphql", "bearer "+f.secrets["reader"], search); a.status != http.StatusOK || a.code() != "" {
		t.Errorf("lower-case scheme: status %d, code %q", a.status, a.code())
	}

	// The logs say who called and why a caller was refused, and never hold a secret.
	out := logs.String()
	for _, want := range []string{`"caller":"analyst-token"`, `"role":"analyst"`, `"anonymous":true`, `"reason":"invalid token"`, `"reason":"malformed Authorization header"`} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %s", want)
		}
	}
	for caller, secret := range f.secrets {
		if strings.Contains(out, strings.TrimPrefix(secret, "igt_")) {
			t.Errorf("the %s secret is in the logs", caller)
		}
	}
}

// firstField returns the name of the one top-level field in data.
func firstField(data map[string]json.RawMessage) string {
	for k := range data {
		return k
	}
	return ""
}

// hlogged gives a bare handler the request logger NewServer's middleware would.
func hlogged(logger zerolog.Logger, h http.Handler) http.Handler {
	return loggerHandler(logger)(accessLog()(h))
}

func TestAnonymousAccessNoneNeedsAToken(t *testing.T) {
	f := newAuthFixture(t)
	cfg := DefaultConfig()
	cfg.AnonymousAccess = AnonymousNone
	ts := f.server(t, cfg, io.Discard)
	const search = `{ search(text: "Daesh", first: 1) { id } }`
	a := authPost(t, ts.URL+"/graphql", "", search)
	if a.status != http.StatusUnauthorized || a.code() != incidentgraph.EUNAUTHENTICATED || !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("no token: status %d, code %q, WWW-Authenticate %q; want 401 UNAUTHENTICATED with a Bearer challenge",
			a.status, a.code(), a.header.Get("WWW-Authenticate"))
	}
	// Negative control: a reader's token gets the same query answered.
	if a := authPost(t, ts.URL+"/graphql", f.headers["reader"], search); a.status != http.StatusOK || a.code() != "" {
		t.Errorf("reader: status %d, code %q", a.status, a.code())
	}
	// The default lets the same tokenless request through.
	open := f.server(t, DefaultConfig(), io.Discard)
	if a := authPost(t, open.URL+"/graphql", "", search); a.status != http.StatusOK || a.code() != "" {
		t.Errorf("no token, default config: status %d, code %q", a.status, a.code())
	}
	// Health checks and GraphiQL stay open.
	for _, path := range []string{"/healthz", "/readyz", "/"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s without a token: %d", path, resp.StatusCode)
		}
	}
	// A value other than the two documented ones fails closed.
	cfg.AnonymousAccess = "None"
	closed := f.server(t, cfg, io.Discard)
	if a := authPost(t, closed.URL+"/graphql", "", search); a.status != http.StatusUnauthorized {
		t.Errorf("AnonymousAccess %q: status %d without a token, want 401", cfg.AnonymousAccess, a.status)
	}
}

func TestCrossOriginClientsMaySendATokenAndReadARefusal(t *testing.T) {
	f := newAuthFixture(t)
	cfg := DefaultConfig()
	cfg.AllowedOrigins = []string{"https://charts.example.org"}
	ts := f.server(t, cfg, io.Discard)
	req, _ := http.NewRequest(http.MethodOptions, ts.URL+"/graphql", nil)
	req.Header.Set("Origin", "https://charts.example.org")
	req.Header.Set("Access-Control-Request-Method", http.MethodPost)
	req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if allowed := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")); !strings.Contains(allowed, "authorization") {
		t.Errorf("preflight with Authorization: status %d, Access-Control-Allow-Headers %q", resp.StatusCode, allowed)
	}
	req, _ = http.NewRequest(http.MethodPost, ts.URL+"/graphql", strings.NewReader(`{"query":"{ search(text: \"Daesh\", first: 1) { id } }"}`))
	req.Header.Set("Origin", "https://charts.example.org")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", f.headers["wrong"])
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Access-Control-Allow-Origin") != "https://charts.example.org" {
		t.Errorf("refusal to a cross-origin client: status %d, Access-Control-Allow-Origin %q; want 401 the browser lets it read",
			resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

// TestSilentDatabaseDuringAuthenticationIsBounded: a Neo4j that takes the token lookup and never
// answers (one starting after a restart, or hung) costs the request its time limit, then a coded
// 503, never a request held for ever: the request's deadline covers authentication, not only the
// GraphQL operation. The reliability fault run found two requests waiting there past their limit.
// Controls: before the stall the same kind of request, with another token, is served; and a
// server whose time limit does not cover the token lookup gives no answer in three times the
// limit (so the answer below is the deadline's doing).
func TestSilentDatabaseDuringAuthenticationIsBounded(t *testing.T) {
	cfg := DefaultConfig()
	cfg.RequestTimeout = 3 * time.Second
	cfg.FailFast = false // the breaker is not what answers here
	// The client waits far longer than the request's limit: an answer must come from the server.
	a, answered := stalledAuthentication(t, cfg, 20*cfg.RequestTimeout)
	if !answered {
		t.Fatalf("no answer %v after the request, whose limit is %v: the token lookup is not bounded", 20*cfg.RequestTimeout, cfg.RequestTimeout)
	}
	if a.status != http.StatusServiceUnavailable || a.code() != incidentgraph.EUNAVAIL || a.message() == "internal error" {
		t.Errorf("token check with Neo4j silent: status %d, code %q, message %q; want 503 UNAVAILABLE", a.status, a.code(), a.message())
	}
	t.Run("negative control: the token lookup outside the time limit", func(t *testing.T) {
		cfg := cfg
		cfg.hooks.noAuthDeadline = true
		if a, answered := stalledAuthentication(t, cfg, 3*cfg.RequestTimeout); answered {
			t.Errorf("without the deadline on the token lookup the request was answered (%d %q): the stall does not hold it", a.status, a.code())
		}
	})
}

// stalledAuthentication serves a seeded database through a proxy with cfg, checks a request is
// served, stalls Neo4j's answers, and waits up to wait for the answer to a request with another
// token; answered is false when none came. The request still held is let go (the proxy cut)
// before it returns.
func stalledAuthentication(t *testing.T, cfg Config, wait time.Duration) (a *authAnswer, answered bool) {
	t.Helper()
	f := newAuthFixture(t)
	p, db := testdb.OpenThroughProxy(t, 2*time.Second)
	ts := httptest.NewServer(NewServer(zerolog.New(io.Discard), cfg, Services{Graph: db, Analyst: db, Cypher: db, Tokens: db, DB: db}))
	defer ts.Close()
	const search = `{ search(text: "Daesh", first: 1) { id } }`
	if a := authPost(t, ts.URL+"/graphql", f.headers["reader"], search); a.status != http.StatusOK {
		t.Fatalf("before the stall: status %d, errors %v", a.status, a.Errors)
	}
	p.Stall()
	type result struct {
		status int
		body   []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		body, _ := json.Marshal(map[string]any{"query": search})
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", f.headers["analyst"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		done <- result{resp.StatusCode, b, err}
	}()
	var r result
	select {
	case r = <-done:
		answered = true
	case <-time.After(wait):
		p.Cut() // lets the held request go, so that the server can close
		r = <-done
	}
	if r.err != nil {
		t.Fatalf("the request with Neo4j silent: %v", r.err)
	}
	a = &authAnswer{status: r.status}
	if err := json.Unmarshal(r.body, a); err != nil {
		t.Fatalf("status %d, body %q is not JSON: %v", r.status, r.body, err)
	}
	return a, answered
}

func TestLostDatabaseDuringAuthenticationIsUnavailable(t *testing.T) {
	f := newAuthFixture(t)
	cut, db := testdb.OpenThroughProxy(t, 2*time.Second)
	logs := &authLogs{}
	ts := httptest.NewServer(NewServer(zerolog.New(logs), DefaultConfig(), Services{Graph: db, Analyst: db, Cypher: db, Tokens: db, DB: db}))
	defer ts.Close()
	const search = `{ search(text: "Daesh", first: 1) { id } }`
	if a := authPost(t, ts.URL+"/graphql", f.headers["reader"], search); a.status != http.StatusOK {
		t.Fatalf("before the cut: status %d, errors %v", a.status, a.Errors)
	}
	cut.Cut()
	a := authPost(t, ts.URL+"/graphql", f.headers["reader"], search)
	if a.status != http.StatusServiceUnavailable || a.code() != incidentgraph.EUNAVAIL || a.message() == "internal error" {
		t.Errorf("token check with Neo4j gone: status %d, code %q, message %q; want 503 UNAVAILABLE", a.status, a.code(), a.message())
	}
	if strings.Contains(logs.String(), strings.TrimPrefix(f.secrets["reader"], "igt_")) {
		t.Error("the secret is in the logs")
	}
}
