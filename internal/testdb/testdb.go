// Package testdb gives integration tests a real Neo4j: the one `make test` starts on its own
// ports. There is no fallback and no stand-in: without a database the tests fail and say how to
// get one.
//
// Two guards make the suite safe however it is run:
//   - Test binaries that use a database take turns: the first use in a process takes an
//     exclusive lock on a file named after the database's URI and holds it until the process
//     ends, so a plain `go test ./...` (packages in parallel) cannot have one package empty the
//     graph under another's reads. INCIDENTGRAPH_TEST_NEO4J_URI may name several databases,
//     comma-separated (`make test` starts two and runs two packages at a time): a process takes
//     whichever is free, and waits only when all are taken.
//   - The tests empty their database, so they only use one marked as a test database: a new,
//     empty database is marked on first use; one that holds data and no mark (a developer's
//     own, say) is refused before anything is written to it.
package testdb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/seed"
)

// Environment variables that point the tests at their database.
const (
	EnvURI      = "INCIDENTGRAPH_TEST_NEO4J_URI"
	EnvPassword = "INCIDENTGRAPH_TEST_NEO4J_PASSWORD"
	// EnvAdopt=1 says the database was started for the tests (`make test` sets it for the Neo4j
	// it starts in .neo4j/test), so it may be marked even if it holds data: a test database
	// from before the mark existed.
	EnvAdopt = "INCIDENTGRAPH_TEST_NEO4J_ADOPT"
)

// lockWait bounds how long a test binary waits for another to finish with the database.
const lockWait = 20 * time.Minute

// held records, per list of URIs (the environment's value), the database this process took from
// it: it holds that database's lock and has checked its mark. The lock belongs to the process,
// not to a test: it is released when the process exits.
var held sync.Map // EnvURI's value -> the URI taken

// taking makes the first use in a process the only one that takes a database; kept keeps the
// locks taken reachable (a collected flock closes its file, which releases the lock).
var (
	taking sync.Mutex
	kept   []*flock.Flock
)

// Config returns the test database's connection settings, once this process has the database
// to itself.
func Config(tb testing.TB) neo4j.Config {
	tb.Helper()
	list := os.Getenv(EnvURI)
	if list == "" {
		tb.Fatalf("%s is not set: run the tests with `make test`, which starts a Neo4j for them", EnvURI)
	}
	password := os.Getenv(EnvPassword)
	if uri, ok := held.Load(list); ok {
		return neo4j.Config{URI: uri.(string), User: "neo4j", Password: password}
	}
	taking.Lock()
	defer taking.Unlock()
	if uri, ok := held.Load(list); ok {
		return neo4j.Config{URI: uri.(string), User: "neo4j", Password: password}
	}
	var uris []string
	for _, u := range strings.Split(list, ",") {
		if u = strings.TrimSpace(u); u != "" {
			uris = append(uris, u)
		}
	}
	cfg := neo4j.Config{URI: lockOne(tb, uris), User: "neo4j", Password: password}
	check(tb, cfg)
	held.Store(list, cfg.URI)
	return cfg
}

// envHeld names, in the environment a test binary passes to the processes it starts, the URI
// whose lock it holds. `go test -fuzz` runs the fuzz target in worker processes the test binary
// starts and waits for: they use the database under their parent's lock, where taking it
// themselves would wait for the parent for ever.
const envHeld = "INCIDENTGRAPH_TEST_NEO4J_HELD_BY_PARENT"

// lockOne takes the lock of one of uris for this process and returns that URI: the first that
// is free, else the first to be freed. A process started by a test binary that holds one of them
// (envHeld) uses its parent's, under its parent's lock.
func lockOne(tb testing.TB, uris []string) string {
	tb.Helper()
	if parent := os.Getenv(envHeld); slices.Contains(uris, parent) {
		return parent
	}
	locks := make([]*flock.Flock, len(uris))
	for i, u := range uris {
		sum := sha256.Sum256([]byte(u))
		locks[i] = flock.New(filepath.Join(os.TempDir(), "incidentgraph-testdb-"+hex.EncodeToString(sum[:8])+".lock"))
	}
	deadline := time.Now().Add(lockWait)
	for {
		for i, l := range locks {
			ok, err := l.TryLock()
			if err != nil {
				tb.Fatalf("lock the test database %s (%s): %v", uris[i], l.Path(), err)
			}
			if ok {
				kept = append(kept, l)
				if err := os.Setenv(envHeld, uris[i]); err != nil {
					tb.Fatalf("pass the lock to child processes: %v", err)
				}
				return uris[i]
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the test databases %s are in use by other test binaries for over %v", strings.Join(uris, ", "), lockWait)
		}
		// Another test binary holds each: wait for one to finish (a lock is held for a whole
		// package's run, so polling a few times a second costs nothing).
		time.Sleep(100 * time.Millisecond)
	}
}

// check makes sure the database this process took is a test database, marking a new one.
func check(tb testing.TB, cfg neo4j.Config) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), lockWait)
	defer cancel()
	db, err := neo4j.Open(ctx, cfg)
	if err != nil {
		tb.Fatalf("open test database: %v", err)
	}
	defer db.Close(context.Background())
	marked, empty, err := db.TestDatabase(ctx)
	switch {
	case err != nil:
		tb.Fatalf("check the test database %s: %v", cfg.URI, err)
	case !marked && !empty && os.Getenv(EnvAdopt) != "1":
		tb.Fatalf("%s=%s holds data and is not marked as a test database: the tests empty their "+
			"database, so they refuse one that may be yours. Run them with `make test` (its own Neo4j "+
			"in .neo4j/test), or empty this database yourself if it is a test database.", EnvURI, cfg.URI)
	case !marked:
		if err := db.MarkTestDatabase(ctx); err != nil {
			tb.Fatalf("mark the test database %s: %v", cfg.URI, err)
		}
	}
}

// MustOpen connects to the test database and closes the connection when the test ends.
func MustOpen(tb testing.TB) *neo4j.DB {
	tb.Helper()
	db, err := neo4j.Open(context.Background(), Config(tb))
	if err != nil {
		tb.Fatalf("open test database: %v", err)
	}
	tb.Cleanup(func() { _ = db.Close(context.Background()) })
	return db
}

// MustEmpty empties the test database (graph only; the schema and the mark stay).
func MustEmpty(tb testing.TB, db *neo4j.DB) {
	tb.Helper()
	if err := db.DeleteAll(context.Background()); err != nil {
		tb.Fatalf("empty test database: %v", err)
	}
}

// MustSeed empties the database and loads the seed graph shipped with the binary.
func MustSeed(tb testing.TB, db *neo4j.DB) *incidentgraph.Dataset {
	tb.Helper()
	ctx := context.Background()
	MustEmpty(tb, db)
	ds, err := seed.Read(seed.Embedded())
	if err != nil {
		tb.Fatalf("read seed: %v", err)
	}
	if _, err := db.Load(ctx, ds); err != nil {
		tb.Fatalf("load seed: %v", err)
	}
	return ds
}
