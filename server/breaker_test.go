package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/incidentgraph/incidentgraph"
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
