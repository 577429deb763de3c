// Package testdb gives integration tests a real Neo4j: the one `make test` starts on its own
// ports. There is no fallback and no stand-in: without a database the tests fail and say how to
// get one.
package testdb

import (
	"context"
	"os"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/seed"
)

// Environment variables that point the tests at their database.
const (
	EnvURI      = "INCIDENTGRAPH_TEST_NEO4J_URI"
	EnvPassword = "INCIDENTGRAPH_TEST_NEO4J_PASSWORD"
)

// Config returns the test database's connection settings.
func Config(tb testing.TB) neo4j.Config {
	tb.Helper()
	uri := os.Getenv(EnvURI)
	if uri == "" {
		tb.Fatalf("%s is not set: run the tests with `make test`, which starts a Neo4j for them", EnvURI)
	}
	return neo4j.Config{URI: uri, User: "neo4j", Password: os.Getenv(EnvPassword)}
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

// MustSeed empties the database and loads the seed graph shipped with the binary.
func MustSeed(tb testing.TB, db *neo4j.DB) *incidentgraph.Dataset {
	tb.Helper()
	ctx := context.Background()
	if err := db.DeleteAll(ctx); err != nil {
		tb.Fatalf("empty test database: %v", err)
	}
	ds, err := seed.Read(seed.Embedded())
	if err != nil {
		tb.Fatalf("read seed: %v", err)
	}
	if _, err := db.Load(ctx, ds); err != nil {
		tb.Fatalf("load seed: %v", err)
	}
	return ds
}
