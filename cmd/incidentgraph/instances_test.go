package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/server"
)

// The service keeps no state of its own: tokens, idempotency records, versions and merges live
// in Neo4j, so that any number of instances can serve behind a load balancer. These tests start
// two real `incidentgraph serve` processes on the one test database and check that what one
// instance does, the other sees at once. Every check is a function that reports what it found
// wrong, and each is also run against an instance that keeps that state of its own (a separate
// token store, a token cache, idempotency keys in memory, last write wins, a cache of entities), where it
// must fail: the checks can tell a shared store from a per-instance one.

// buildServeBinary builds the command (with the race detector, as the suite runs) into a
// directory of the test's: the processes the tests start are the program as shipped.
func buildServeBinary(t *testing.T) string {
	t.Helper()
	start := time.Now()
	defer func() { t.Logf("go build: %v", time.Since(start).Round(time.Millisecond)) }()
	bin := filepath.Join(t.TempDir(), "incidentgraph")
	out, err := exec.Command("go", "build", "-race", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// instance is one service reachable over HTTP: a process of the built binary, or an in-process
// server for the negative controls.
type instance struct {
	name string
	url  string // http://127.0.0.1:PORT
}

// startServeProcess starts `incidentgraph serve` on a free port against uri and waits until
// /readyz answers 200. The process gets SIGTERM when the test ends and must exit cleanly,
// without a data race.
func startServeProcess(t *testing.T, bin, name, uri string) instance {
	t.Helper()
	cfg := testdb.Config(t)
	cmd := exec.Command(bin, "serve")
	// Generous time limits: the first run of each statement is planned cold, on a machine the
	// rest of the suite is also using; these tests are about shared state, not speed.
	cmd.Env = []string{"HTTP_ADDR=127.0.0.1:0", "NEO4J_URI=" + uri, "NEO4J_PASSWORD=" + cfg.Password,
		"LOG_LEVEL=info", "LOG_FORMAT=json", "REQUEST_TIMEOUT=60s", "QUERY_TIMEOUT=60s", "WRITE_TIMEOUT=90s"}
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var exitErr error
	go func() { exitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
			if exitErr != nil {
				t.Errorf("instance %s exited with %v:\n%s", name, exitErr, tail(logs.String()))
			}
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("instance %s did not stop within 30 s of SIGTERM", name)
		}
		if strings.Contains(logs.String(), "DATA RACE") {
			t.Errorf("instance %s had a data race:\n%s", name, logs.String())
		}
	})
	// The port is the one the process chose: it logs it when it serves.
	var url string
	for deadline := time.Now().Add(90 * time.Second); url == ""; time.Sleep(50 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("instance %s stopped at start: %v\n%s", name, exitErr, logs.String())
		default:
		}
		for _, line := range strings.Split(logs.String(), "\n") {
			var l struct{ Addr, Message string }
			if json.Unmarshal([]byte(line), &l) == nil && strings.HasPrefix(l.Message, "serving GraphQL") {
				url = strings.TrimSuffix(l.Addr, "/")
			}
		}
		if url == "" && time.Now().After(deadline) {
			t.Fatalf("instance %s did not serve within 90 s:\n%s", name, logs.String())
		}
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %s is not ready within 30 s:\n%s", name, logs.String())
		}
	}
	return instance{name: name, url: url}
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

// inProcess serves svc from this process: the negative controls' instances, each with one
// piece of state kept to itself.
func inProcess(t *testing.T, name string, svc server.Services) instance {
	t.Helper()
	ts := httptest.NewServer(server.NewServer(zerolog.Nop(), server.DefaultConfig(), svc))
	t.Cleanup(ts.Close)
	return instance{name: name, url: ts.URL}
}

// storeServices is every service from the store, as serve wires them.
func storeServices(db *neo4j.DB) server.Services {
	return server.Services{Graph: db, Analyst: db, Cypher: db, Tokens: db, Curation: db, DB: db}
}

// answer is a GraphQL response and its HTTP status.
type answer struct {
	Status int             `json:"-"`
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// code is the first error's code, "" for none.
func (a *answer) code() string {
	if len(a.Errors) == 0 {
		return ""
	}
	c, _ := a.Errors[0].Extensions["code"].(string)
	return c
}

// ok says what is wrong with an answer that should have succeeded.
func (a *answer) ok() error {
	if a.Status != http.StatusOK || len(a.Errors) > 0 {
		return fmt.Errorf("HTTP %d, errors %+v", a.Status, a.Errors)
	}
	return nil
}

// ask posts a GraphQL request to in, with a bearer token unless token is "".
func (in instance) ask(token, query string, vars map[string]any) (*answer, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, in.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in.name, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	a := &answer{Status: resp.StatusCode}
	if err := json.Unmarshal(raw, a); err != nil {
		return nil, fmt.Errorf("%s: HTTP %d, not JSON: %s", in.name, resp.StatusCode, raw)
	}
	return a, nil
}

// askPersisted sends a query by its automatic persisted query hash, with its text unless text
// is "" (the protocol's first request for a hash the service does not know).
func (in instance) askPersisted(hash, text string) (*answer, error) {
	msg := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}}
	if text != "" {
		msg["query"] = text
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	resp, err := http.Post(in.url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	a := &answer{Status: resp.StatusCode}
	if err := json.NewDecoder(resp.Body).Decode(a); err != nil {
		return nil, fmt.Errorf("%s: HTTP %d, not JSON: %w", in.name, resp.StatusCode, err)
	}
	return a, nil
}

// seq makes ids and names unique within the test binary, so that each check, positive or
// control, writes entities of its own.
var seq atomic.Int64

func unique(prefix string) string { return fmt.Sprintf("%s-%d", prefix, seq.Add(1)) }

// --- the checks ---

const cypherProbe = `{ cypher(query: "MATCH (n:Entity {id: 'islamic-state'}) RETURN n.id AS id") { rows } }`

// tokenWorksOn checks that a token created by create (an analyst's) is accepted by on at once,
// with its role: its first request runs an analyst's Cypher.
func tokenWorksOn(create func(name string) (string, error), on instance) error {
	secret, err := create(unique("shared-analyst"))
	if err != nil {
		return err
	}
	a, err := on.ask(secret, cypherProbe, nil)
	if err != nil {
		return err
	}
	if err := a.ok(); err != nil {
		return fmt.Errorf("a token just created, on %s: %w", on.name, err)
	}
	if !strings.Contains(string(a.Data), `"islamic-state"`) {
		return fmt.Errorf("on %s: %s", on.name, a.Data)
	}
	return nil
}

// revocationSeenOn checks that a token in use on on is refused by it on the very next request
// after revoke: no wait, no retry.
func revocationSeenOn(create func(name string) (string, error), revoke func(name string) error, on instance) error {
	name := unique("revoked-analyst")
	secret, err := create(name)
	if err != nil {
		return err
	}
	for i := 0; i < 2; i++ { // used twice, as a cache would want
		a, err := on.ask(secret, cypherProbe, nil)
		if err != nil {
			return err
		}
		if err := a.ok(); err != nil {
			return fmt.Errorf("before the revocation, on %s: %w", on.name, err)
		}
	}
	if err := revoke(name); err != nil {
		return err
	}
	a, err := on.ask(secret, cypherProbe, nil)
	if err != nil {
		return err
	}
	if a.Status != http.StatusUnauthorized || a.code() != string(incidentgraph.EUNAUTHENTICATED) {
		return fmt.Errorf("the request after the revocation, on %s: HTTP %d %q, want 401 UNAUTHENTICATED", on.name, a.Status, a.code())
	}
	return nil
}

const createOrg = `mutation($id: ID!, $name: String!, $key: String) {
	createEntity(input: {id: $id, kind: ORGANIZATION, name: $name, orgType: MILITANT_GROUP, sources: ["ap-2024-03-23-moscow-attack-explainer"]}, idempotencyKey: $key) { id name version }
}`

// replayedAcross checks that a mutation sent to first and retried on second with the same
// idempotency key gets the same answer from both and is written once (its history has one
// change).
func replayedAcross(first, second instance, token string) error {
	id, key := unique("idempotent-front"), unique("key")
	vars := map[string]any{"id": id, "name": "Idempotent Front " + id, "key": key}
	a1, err := first.ask(token, createOrg, vars)
	if err != nil {
		return err
	}
	if err := a1.ok(); err != nil {
		return fmt.Errorf("the first request, on %s: %w", first.name, err)
	}
	a2, err := second.ask(token, createOrg, vars)
	if err != nil {
		return err
	}
	if err := a2.ok(); err != nil {
		return fmt.Errorf("the retry on %s: %w", second.name, err)
	}
	if !bytes.Equal(a1.Data, a2.Data) {
		return fmt.Errorf("the retry on %s answered %s, the first request on %s %s", second.name, a2.Data, first.name, a1.Data)
	}
	h, err := second.ask("", `query($id: ID!) { entity(id: $id) { history { operation } } }`, map[string]any{"id": id})
	if err != nil {
		return err
	}
	if err := h.ok(); err != nil {
		return err
	}
	if n := strings.Count(string(h.Data), `"operation"`); n != 1 {
		return fmt.Errorf("%d writes of %s, want 1: %s", n, id, h.Data)
	}
	return nil
}

const updateDescription = `mutation($id: ID!, $v: Int!, $d: String!) {
	updateEntity(id: $id, version: $v, input: {description: $d}) { id version description }
}`

// oneWins checks that two curators updating the same version of one entity, on a and on b at
// the same moment, get one success and one CONFLICT naming the winner's version, and that the
// winner's change is the one kept. "The same moment" is made, not hoped for: the test holds the
// entity's write lock in a transaction of its own, sends both updates, waits until SHOW
// TRANSACTIONS shows both waiting on that lock, and only then lets go. Both have read the
// same version by then; whichever gets the lock first wins.
func oneWins(d driver.DriverWithContext, a, b instance, tokenA, tokenB string) (winner string, err error) {
	ctx := context.Background()
	id := unique("contested-front")
	if c, err := a.ask(tokenA, createOrg, map[string]any{"id": id, "name": "Contested Front " + id}); err != nil {
		return "", err
	} else if err := c.ok(); err != nil {
		return "", err
	}
	const version = 1

	hold := d.NewSession(ctx, driver.SessionConfig{AccessMode: driver.AccessModeWrite})
	defer hold.Close(ctx)
	tx, err := hold.BeginTransaction(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Close(ctx)
	res, err := tx.Run(ctx, `MATCH (n:Entity {id: $id}) SET n._heldByTest = true RETURN n.id`, map[string]any{"id": id})
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		return "", err
	}

	type result struct {
		who string
		a   *answer
		err error
	}
	results := make(chan result, 2)
	for _, side := range []struct {
		in    instance
		token string
	}{{a, tokenA}, {b, tokenB}} {
		go func() {
			ans, err := side.in.ask(side.token, updateDescription, map[string]any{"id": id, "v": version, "d": "as corrected on " + side.in.name})
			results <- result{side.in.name, ans, err}
		}()
	}
	// Both updates wait on the held lock: lockEntity's statement, blocked, twice.
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		r, err := driver.ExecuteQuery(ctx, d, `SHOW TRANSACTIONS YIELD status, currentQuery
			WHERE status STARTS WITH 'Blocked' AND currentQuery CONTAINS '_lock = true' RETURN count(*) AS n`,
			nil, driver.EagerResultTransformer)
		if err != nil {
			return "", err
		}
		if n, _ := r.Records[0].Get("n"); n.(int64) == 2 {
			break
		}
		if len(results) > 0 || time.Now().After(deadline) {
			return "", fmt.Errorf("the two updates were never both waiting on the entity's lock (answers so far: %d)", len(results))
		}
	}
	if err := tx.Rollback(ctx); err != nil {
		return "", err
	}

	var wins, conflicts []result
	for range 2 {
		r := <-results
		if r.err != nil {
			return "", r.err
		}
		switch {
		case r.a.ok() == nil:
			wins = append(wins, r)
		case r.a.code() == string(incidentgraph.ECONFLICT):
			conflicts = append(conflicts, r)
		default:
			return "", fmt.Errorf("%s answered HTTP %d %+v", r.who, r.a.Status, r.a.Errors)
		}
	}
	if len(wins) != 1 || len(conflicts) != 1 {
		return "", fmt.Errorf("%d successes and %d conflicts, want one of each", len(wins), len(conflicts))
	}
	if cur, _ := conflicts[0].a.Errors[0].Extensions["currentVersion"].(float64); cur != version+1 {
		return "", fmt.Errorf("the conflict on %s names version %v, want %d", conflicts[0].who, conflicts[0].a.Errors[0].Extensions["currentVersion"], version+1)
	}
	var now struct {
		Entity struct {
			Version     int
			Description string
		}
	}
	r, err := b.ask("", `query($id: ID!) { entity(id: $id) { version description } }`, map[string]any{"id": id})
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(r.Data, &now); err != nil {
		return "", err
	}
	if want := "as corrected on " + wins[0].who; now.Entity.Version != version+1 || now.Entity.Description != want {
		return "", fmt.Errorf("entity at version %d with %q, want version %d with %q", now.Entity.Version, now.Entity.Description, version+1, want)
	}
	return wins[0].who, nil
}

// mergeSeenOn checks that after a merge on a, on's very next read of the duplicate's id answers
// the survivor, although on had read the duplicate itself just before.
func mergeSeenOn(a, on instance, token string) error {
	survivor, duplicate := unique("surviving-front"), unique("duplicate-front")
	for _, id := range []string{survivor, duplicate} {
		c, err := a.ask(token, createOrg, map[string]any{"id": id, "name": "Front " + id})
		if err != nil {
			return err
		}
		if err := c.ok(); err != nil {
			return err
		}
	}
	read := func() (string, error) {
		r, err := on.ask("", `query($id: ID!) { entity(id: $id) { id } }`, map[string]any{"id": duplicate})
		if err != nil {
			return "", err
		}
		if err := r.ok(); err != nil {
			return "", err
		}
		var e struct{ Entity *struct{ ID string } }
		if err := json.Unmarshal(r.Data, &e); err != nil || e.Entity == nil {
			return "", fmt.Errorf("%s: %s", on.name, r.Data)
		}
		return e.Entity.ID, nil
	}
	if got, err := read(); err != nil || got != duplicate {
		return fmt.Errorf("before the merge, %s answered %q (%v), want %s", on.name, got, err, duplicate)
	}
	m, err := a.ask(token, `mutation($s: ID!, $d: ID!) { mergeEntities(survivor: $s, survivorVersion: 1, duplicate: $d, duplicateVersion: 1) { id } }`,
		map[string]any{"s": survivor, "d": duplicate})
	if err != nil {
		return err
	}
	if err := m.ok(); err != nil {
		return fmt.Errorf("merge on %s: %w", a.name, err)
	}
	got, err := read()
	if err != nil {
		return err
	}
	if got != survivor {
		return fmt.Errorf("after the merge on %s, %s answers %s for %s, want the survivor %s", a.name, on.name, got, duplicate, survivor)
	}
	return nil
}

// --- per-instance state, for the negative controls ---

// memoryTokens is a token store of one instance's own, empty at start.
type memoryTokens struct {
	mu     sync.Mutex
	tokens map[string]*incidentgraph.Token
}

func (m *memoryTokens) CreateToken(context.Context, string, incidentgraph.Role, *time.Time) (string, error) {
	return "", errors.New("not used")
}
func (m *memoryTokens) RevokeToken(context.Context, string) error { return errors.New("not used") }
func (m *memoryTokens) ListTokens(context.Context) ([]*incidentgraph.Token, error) {
	return nil, nil
}
func (m *memoryTokens) Authenticate(_ context.Context, secret string) (*incidentgraph.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.tokens[secret]; ok {
		return t, nil
	}
	return nil, incidentgraph.Errorf(incidentgraph.EUNAUTHENTICATED, "invalid or expired token")
}

// cachedTokens remembers the tokens it has authenticated: a revocation elsewhere goes unseen.
type cachedTokens struct {
	incidentgraph.TokenService
	seen sync.Map // secret -> *incidentgraph.Token
}

func (c *cachedTokens) Authenticate(ctx context.Context, secret string) (*incidentgraph.Token, error) {
	if t, ok := c.seen.Load(secret); ok {
		return t.(*incidentgraph.Token), nil
	}
	t, err := c.TokenService.Authenticate(ctx, secret)
	if err == nil {
		c.seen.Store(secret, t)
	}
	return t, err
}

// memoryIdempotency keeps idempotency keys in the instance's memory and writes without them.
type memoryIdempotency struct {
	incidentgraph.CurationService
	seen sync.Map // actor and key -> *incidentgraph.Entity
}

func (m *memoryIdempotency) CreateEntity(ctx context.Context, w incidentgraph.Write, in *incidentgraph.EntityInput) (*incidentgraph.Entity, error) {
	key := w.Actor + "\x00" + w.IdempotencyKey
	if e, ok := m.seen.Load(key); ok && w.IdempotencyKey != "" {
		return e.(*incidentgraph.Entity), nil
	}
	w.IdempotencyKey = ""
	e, err := m.CurationService.CreateEntity(ctx, w, in)
	if err == nil {
		m.seen.Store(key, e)
	}
	return e, err
}

// lastWriteWins takes a stale version for the current one: the silent overwrite that versions
// are there to prevent.
type lastWriteWins struct{ incidentgraph.CurationService }

func (l lastWriteWins) UpdateEntity(ctx context.Context, w incidentgraph.Write, id string, version int, in *incidentgraph.EntityInput) (*incidentgraph.Entity, error) {
	e, err := l.CurationService.UpdateEntity(ctx, w, id, version, in)
	if c, ok := incidentgraph.AsConflict(err); ok {
		return l.CurationService.UpdateEntity(ctx, w, id, c.Current, in)
	}
	return e, err
}

// cachedEntities remembers the entities it has read: a merge elsewhere goes unseen.
type cachedEntities struct {
	incidentgraph.GraphService
	seen sync.Map // id -> *incidentgraph.Entity
}

func (c *cachedEntities) FindEntitiesByIDs(ctx context.Context, ids []string) ([]*incidentgraph.Entity, error) {
	out := make([]*incidentgraph.Entity, len(ids))
	var missing []string
	for i, id := range ids {
		if e, ok := c.seen.Load(id); ok {
			out[i] = e.(*incidentgraph.Entity)
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	found, err := c.GraphService.FindEntitiesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, e := range found {
		if e != nil {
			c.seen.Store(ids[i], e)
		}
	}
	return found, nil
}

func (c *cachedEntities) Read(ctx context.Context, ids []string, sel *incidentgraph.EntitySelection) (*incidentgraph.ReadAnswer, error) {
	ans, err := c.GraphService.Read(ctx, ids, sel)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if e, ok := c.seen.Load(id); ok {
			ans.Entities[id], ans.Full[id] = e.(*incidentgraph.Entity), false
		}
	}
	for _, id := range ids {
		if e := ans.Entities[id]; e != nil {
			c.seen.LoadOrStore(id, e)
		}
	}
	return ans, nil
}

// --- the test ---

// wantFailure checks that a check run as a negative control failed, and for the reason the
// control is about.
func wantFailure(t *testing.T, err error, reason string) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("the check passed; it must fail with %q", reason)
	case !strings.Contains(err.Error(), reason):
		t.Errorf("the check failed for another reason: %v; want %q", err, reason)
	default:
		t.Logf("fails as it must: %v", err)
	}
}

func newTestDriver(t *testing.T) driver.DriverWithContext {
	t.Helper()
	return testdb.Driver(t)
}

// TestTwoInstancesShareOneNeo4j runs two serve processes on the one test Neo4j, the first over
// bolt:// and the second over neo4j:// (routing), and checks that tokens, revocations,
// idempotency keys, versions and merges made through one hold on the other at once. Each check
// then runs against an in-process instance that keeps that one piece of state to itself, and
// must fail there.
func TestTwoInstancesShareOneNeo4j(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	cfg := testdb.Config(t)
	bin := buildServeBinary(t)
	a := startServeProcess(t, bin, "A", cfg.URI)
	b := startServeProcess(t, bin, "B", strings.Replace(cfg.URI, "bolt://", "neo4j://", 1))
	d := newTestDriver(t)

	// Tokens through the binary's own commands, as an operator makes and revokes them.
	tokenCommand := func(args ...string) (string, error) {
		cmd := exec.Command(bin, append([]string{"token"}, args...)...)
		cmd.Env = []string{"NEO4J_URI=" + cfg.URI, "NEO4J_PASSWORD=" + cfg.Password}
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("token %s: %v: %s", strings.Join(args, " "), err, errOut.String())
		}
		return out.String(), nil
	}
	createAnalyst := func(name string) (string, error) {
		out, err := tokenCommand("create", "--role", "analyst", "--name", name)
		if err != nil {
			return "", err
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		return lines[len(lines)-1], nil
	}
	revoke := func(name string) error { _, err := tokenCommand("revoke", name); return err }
	curator := func(name string) string {
		secret, err := db.CreateToken(ctx, unique(name), incidentgraph.RoleCurator, nil)
		must(t, err)
		return secret
	}

	t.Run("a token made by the token command authenticates on both", func(t *testing.T) {
		for _, in := range []instance{a, b} {
			if err := tokenWorksOn(createAnalyst, in); err != nil {
				t.Error(err)
			}
		}
	})
	t.Run("control: an instance with a token store of its own refuses it", func(t *testing.T) {
		svc := storeServices(db)
		svc.Tokens = &memoryTokens{}
		err := tokenWorksOn(createAnalyst, inProcess(t, "own-tokens", svc))
		wantFailure(t, err, "a token just created, on own-tokens: HTTP 401")
	})

	t.Run("revoked by the command, refused by both on their next request", func(t *testing.T) {
		for _, in := range []instance{a, b} {
			if err := revocationSeenOn(createAnalyst, revoke, in); err != nil {
				t.Error(err)
			}
		}
	})
	t.Run("control: an instance that caches tokens still accepts a revoked one", func(t *testing.T) {
		svc := storeServices(db)
		svc.Tokens = &cachedTokens{TokenService: db}
		err := revocationSeenOn(createAnalyst, revoke, inProcess(t, "token-cache", svc))
		wantFailure(t, err, "the request after the revocation, on token-cache: HTTP 200")
	})

	t.Run("an idempotency key used on one replays its answer on the other", func(t *testing.T) {
		token := curator("idempotent-curator")
		if err := replayedAcross(a, b, token); err != nil {
			t.Error(err)
		}
		if err := replayedAcross(b, a, token); err != nil {
			t.Error(err)
		}
	})
	t.Run("control: with idempotency keys in each instance's memory, the retry on the other is not replayed", func(t *testing.T) {
		one, two := storeServices(db), storeServices(db)
		one.Curation, two.Curation = &memoryIdempotency{CurationService: db}, &memoryIdempotency{CurationService: db}
		err := replayedAcross(inProcess(t, "keys-in-memory-1", one), inProcess(t, "keys-in-memory-2", two), curator("forgetful-curator"))
		wantFailure(t, err, "an entity with this id exists")
	})

	t.Run("two curators on two instances updating one version: one wins, one CONFLICT", func(t *testing.T) {
		for i := 0; i < 3; i++ { // whichever gets the lock first
			winner, err := oneWins(d, a, b, curator("curator-on-a"), curator("curator-on-b"))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("round %d: %s won, the other answered CONFLICT", i+1, winner)
		}
	})
	t.Run("control: instances that overwrite a stale version both succeed", func(t *testing.T) {
		one, two := storeServices(db), storeServices(db)
		one.Curation, two.Curation = lastWriteWins{db}, lastWriteWins{db}
		_, err := oneWins(d, inProcess(t, "overwrite-1", one), inProcess(t, "overwrite-2", two), curator("curator-1"), curator("curator-2"))
		wantFailure(t, err, "2 successes and 0 conflicts")
	})

	// Automatic persisted queries are remembered by each instance for itself: a hash registered
	// on A is unknown on B until a client sends its text there once, as the protocol does on
	// PERSISTED_QUERY_NOT_FOUND. A hash names one text, so no instance can hold a stale one.
	t.Run("a persisted query registered on one is unknown to the other until sent there", func(t *testing.T) {
		text := fmt.Sprintf(`{ entity(id: "islamic-state") { id } } # %s`, unique("apq"))
		sum := sha256.Sum256([]byte(text))
		hash := hex.EncodeToString(sum[:])
		steps := []struct {
			in       instance
			text     string
			wantCode string
		}{
			{a, "", "PERSISTED_QUERY_NOT_FOUND"}, // unknown anywhere
			{a, text, ""},                        // registered on A
			{a, "", ""},                          // the control: A answers the hash alone
			{b, "", "PERSISTED_QUERY_NOT_FOUND"}, // B has not seen it
			{b, text, ""},                        // the client's resend registers it on B
			{b, "", ""},
		}
		for i, st := range steps {
			r, err := st.in.askPersisted(hash, st.text)
			if err != nil {
				t.Fatal(err)
			}
			if r.code() != st.wantCode || (st.wantCode == "" && !strings.Contains(string(r.Data), "islamic-state")) {
				t.Errorf("step %d on %s (text sent: %v): HTTP %d code %q data %s, want code %q", i+1, st.in.name, st.text != "", r.Status, r.code(), r.Data, st.wantCode)
			}
		}
	})

	t.Run("a merge on one is followed by the other's reads", func(t *testing.T) {
		if err := mergeSeenOn(a, b, curator("merging-curator")); err != nil {
			t.Error(err)
		}
		if err := mergeSeenOn(b, a, curator("merging-curator")); err != nil {
			t.Error(err)
		}
	})
	t.Run("control: an instance that caches entities still answers the duplicate", func(t *testing.T) {
		svc := storeServices(db)
		svc.Graph = &cachedEntities{GraphService: db}
		err := mergeSeenOn(a, inProcess(t, "entity-cache", svc), curator("merging-curator"))
		wantFailure(t, err, "entity-cache answers duplicate-front-")
	})
}
