package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/server"
)

func (ts *testServer) readyz(t *testing.T) int {
	t.Helper()
	resp, err := http.Get(ts.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestOutageFailsFastAndReadinessRecovers takes the network path to Neo4j away under a running
// server: once the outage is known, requests are answered UNAVAILABLE at once without a
// connection attempt; with the path back, /readyz says ready and requests are served again
// without a restart. The negative control runs the same without the breaker.
func TestOutageFailsFastAndReadinessRecovers(t *testing.T) {
	seededDB(t)
	const q = `{ entity(id: "islamic-state") { name } }`
	for _, failFast := range []bool{true, false} {
		name := "fail fast"
		if !failFast {
			name = "negative control: without the breaker"
		}
		t.Run(name, func(t *testing.T) {
			w, db := newWire(t)
			cfg := server.DefaultConfig()
			cfg.FailFast = failFast
			cfg.ProbeInterval = time.Hour // no request probes during this test: /readyz decides
			ts := newConfiguredServer(t, cfg, server.Services{Graph: db, Analyst: db, Cypher: db, Tokens: db, DB: db})
			if a := ts.send(t, "", q, nil); a.status != 200 || a.code(t) != "" {
				t.Fatalf("before the outage: %d %s", a.status, a.body)
			}
			for round := 1; round <= 2; round++ {
				w.Cut()
				if got := ts.readyz(t); got != http.StatusServiceUnavailable {
					t.Fatalf("round %d: readyz with Neo4j gone: %d", round, got)
				}
				before, dialsBefore := w.bytesSent(), w.dials.Load()
				start := time.Now()
				a := ts.send(t, "", q, nil)
				took := time.Since(start)
				sent, dials := w.bytesSent()-before, w.dials.Load()-dialsBefore
				t.Logf("round %d: request during the outage answered in %s, %d connection attempts, %d bytes sent: %d %s", round, took, dials, sent, a.status, a.body)
				if a.code(t) != incidentgraph.EUNAVAIL {
					t.Fatalf("status %d, %s; want UNAVAILABLE", a.status, a.body)
				}
				if !failFast {
					// The request tried the database and waited for the driver to give up.
					if dials == 0 {
						t.Errorf("without the breaker the request did not try the database: the test proves nothing")
					}
					return
				}
				if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") == "" || sent != 0 || dials != 0 {
					t.Errorf("status %d, Retry-After %q, %d bytes sent, %d dials; want 503 at once", a.status, a.header.Get("Retry-After"), sent, dials)
				}
				w.Restore()
				if got := ts.readyz(t); got != 200 {
					t.Fatalf("round %d: readyz with Neo4j back: %d", round, got)
				}
				if a := ts.send(t, "", q, nil); a.status != 200 || a.code(t) != "" {
					t.Errorf("round %d: after readyz recovered: %d %s", round, a.status, a.body)
				}
			}
			if strings.Contains(ts.logs.String(), `"level":"error"`) {
				t.Errorf("the outage is logged as an internal error:\n%s", ts.logs.String())
			}
		})
	}
}

// TestOutageEndsWithoutReadinessChecks: with nobody asking /readyz, one request an interval
// tries the database, and the first that finds it back ends the outage for all.
func TestOutageEndsWithoutReadinessChecks(t *testing.T) {
	seededDB(t)
	const q = `{ entity(id: "islamic-state") { name } }`
	w, db := newWire(t)
	cfg := server.DefaultConfig()
	cfg.ProbeInterval = 20 * time.Millisecond
	ts := newConfiguredServer(t, cfg, server.Services{Graph: db, Analyst: db, Cypher: db, Tokens: db, DB: db})
	w.Cut()
	if a := ts.send(t, "", q, nil); a.code(t) != incidentgraph.EUNAVAIL {
		t.Fatalf("the request that meets the outage: %d %s", a.status, a.body)
	}
	w.Restore()
	// Bounded polling, no assertion on time: the first request after an interval probes.
	deadline := time.Now().Add(30 * time.Second)
	for {
		a := ts.send(t, "", q, nil)
		if a.status == 200 && a.code(t) == "" {
			break
		}
		if a.code(t) != incidentgraph.EUNAVAIL || time.Now().After(deadline) {
			t.Fatalf("with Neo4j back: %d %s", a.status, a.body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// gatedWarmer is the real store whose Warm first says it started and then waits for the test to
// release it, so that the test sees the server in the middle of a warm-up without sleeping.
type gatedWarmer struct {
	*neo4j.DB
	started chan struct{}
	release chan struct{}
	warmed  atomic.Int64
}

func (g *gatedWarmer) Warm(ctx context.Context) (int, error) {
	g.started <- struct{}{}
	select {
	case <-g.release:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	n, err := g.DB.Warm(ctx)
	g.warmed.Store(int64(n))
	return n, err
}

// pingOnly is the real store as a Pinger that cannot warm.
type pingOnly struct{ db *neo4j.DB }

func (p pingOnly) Ping(ctx context.Context) error { return p.db.Ping(ctx) }

// TestOutageWarmsThePlanCacheBeforeServing: when Neo4j answers again after an outage, the
// breaker has it plan its recent statements before closing; during that warm-up requests still
// get 503 UNAVAILABLE with Retry-After at once and /readyz has not said ready; after it,
// /readyz says ready, requests are served, and the log says how many statements were warmed.
// Negative controls, the same checks: with a database that cannot warm the breaker closes at
// once (so the 503 during the warm-up is the warm-up's doing), and a breaker that closes before
// its warm-up fails them.
func TestOutageWarmsThePlanCacheBeforeServing(t *testing.T) {
	seededDB(t)
	if faults := warmUpFaults(t, server.DefaultConfig(), true); len(faults) > 0 {
		t.Error(strings.Join(faults, "\n"))
	}
	t.Run("negative control: a database that cannot warm", func(t *testing.T) {
		// Ready at once, and serving: nothing else holds requests back.
		faults := warmUpFaults(t, server.DefaultConfig(), false)
		if len(faults) != 1 || !strings.HasPrefix(faults[0], "readyz answered 200 with Neo4j back and no warm-up begun") {
			t.Errorf("a breaker that cannot warm: %q, want readyz ready at once and requests served", faults)
		}
	})
	t.Run("negative control: the breaker closing before the warm-up", func(t *testing.T) {
		faults := warmUpFaults(t, server.WithBreakerClosingBeforeWarmUpForTest(server.DefaultConfig()), true)
		if len(faults) == 0 {
			t.Error("a breaker that closes before its warm-up passes the checks")
		}
		t.Logf("the checks catch it: %q", faults)
	})
}

// warmUpFaults runs an outage and Neo4j's return under a server with cfg, over the real store
// as a Warmer held by the test (or, when canWarm is false, as a Pinger that cannot warm), and
// returns the checks of the warm-up that fail.
func warmUpFaults(t *testing.T, cfg server.Config, canWarm bool) []string {
	const q = `{ entity(id: "islamic-state") { name } }`
	w, db := newWire(t)
	gate := &gatedWarmer{DB: db, started: make(chan struct{}, 1), release: make(chan struct{})}
	release := sync.OnceFunc(func() { close(gate.release) })
	defer release()
	var pinger server.Pinger = gate
	if !canWarm {
		pinger = pingOnly{db}
	}
	cfg.ProbeInterval = time.Hour // no request probes: /readyz ends the outage
	cfg.WarmTimeout = time.Minute // a bound the test never reaches: the gate decides
	ts := newConfiguredServer(t, cfg, server.Services{Graph: db, Analyst: db, Cypher: db, Tokens: db, DB: pinger})
	if a := ts.send(t, "", q, nil); a.status != 200 || a.code(t) != "" {
		t.Fatalf("before the outage: %d %s", a.status, a.body)
	}
	w.Cut()
	if got := ts.readyz(t); got != http.StatusServiceUnavailable {
		t.Fatalf("readyz with Neo4j gone: %d", got)
	}
	w.Restore()
	ready := make(chan int, 1)
	go func() {
		resp, err := http.Get(ts.URL + "/readyz")
		if err != nil {
			ready <- -1
			return
		}
		resp.Body.Close()
		ready <- resp.StatusCode
	}()
	var faults []string
	fault := func(format string, args ...any) { faults = append(faults, fmt.Sprintf(format, args...)) }
	select {
	case <-gate.started: // the readiness check found Neo4j back and the warm-up began
	case got := <-ready:
		fault("readyz answered %d with Neo4j back and no warm-up begun", got)
		if a := ts.send(t, "", q, nil); got == 200 && (a.status != 200 || a.code(t) != "") {
			fault("readyz said ready, and a request then: %d %s", a.status, a.body)
		}
		return faults
	}
	before, dialsBefore := w.bytesSent(), w.dials.Load()
	a := ts.send(t, "", q, nil)
	sent, dials := w.bytesSent()-before, w.dials.Load()-dialsBefore
	if a.status != http.StatusServiceUnavailable || a.code(t) != incidentgraph.EUNAVAIL || a.header.Get("Retry-After") == "" || sent != 0 || dials != 0 {
		fault("during the warm-up: %d %s, Retry-After %q, %d bytes sent, %d dials; want 503 UNAVAILABLE at once", a.status, a.body, a.header.Get("Retry-After"), sent, dials)
	}
	select {
	case got := <-ready:
		fault("readyz answered %d before the warm-up ended", got)
	default:
	}
	// Another readiness check meanwhile (an orchestrator's next poll) answers at once: not
	// ready, and it starts no second warm-up.
	if got := ts.readyz(t); got != http.StatusServiceUnavailable {
		fault("a second readyz during the warm-up: %d, want 503", got)
	}
	release()
	if got := <-ready; got != 200 {
		t.Fatalf("readyz after the warm-up: %d", got)
	}
	if gate.warmed.Load() == 0 {
		fault("the warm-up planned nothing, though the server had answered a question")
	}
	if a := ts.send(t, "", q, nil); a.status != 200 || a.code(t) != "" {
		fault("after the warm-up: %d %s", a.status, a.body)
	}
	if !strings.Contains(ts.logs.String(), "plan cache is warmed") || !strings.Contains(ts.logs.String(), `"warmed":`) {
		fault("the warm-up is not logged with its count:\n%s", ts.logs.String())
	}
	return faults
}
