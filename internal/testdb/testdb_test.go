package testdb_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph/internal/testdb"
)

// envChild makes TestChildOpens open the test database; the refusal tests run it in a child
// process, because the guard ends the test that meets a refused database, and the lock it takes
// belongs to the process.
const envChild = "INCIDENTGRAPH_TESTDB_CHILD"

// TestChildOpens is the child's side: it opens the test database as every test does, and says
// so. Without envChild it has nothing to do.
func TestChildOpens(t *testing.T) {
	if os.Getenv(envChild) != "1" {
		t.Skip("run by TestRefusesAnUnmarkedDatabaseWithData in a child process")
	}
	testdb.MustOpen(t)
	t.Log("testdb: opened " + testdb.Config(t).URI)
}

// TestRefusesAnUnmarkedDatabaseWithData takes the mark off the (real) test database while it
// holds the seed graph, and opens it as a test would, in a child process that reaches it through
// a proxy (another URI, so another lock than the one this process holds): the child is refused
// with the guard's message and the data stays. With INCIDENTGRAPH_TEST_NEO4J_ADOPT=1 the same
// open proceeds and marks the database. Controls: a marked database with data, and an unmarked
// empty one, are opened without ADOPT (the refusal is the missing mark's, not the data's alone).
// The database is left marked and seeded.
func TestRefusesAnUnmarkedDatabaseWithData(t *testing.T) {
	if os.Getenv(envChild) == "1" {
		t.Skip("the child only opens")
	}
	ctx := context.Background()
	db := testdb.MustOpen(t)
	t.Cleanup(func() {
		if err := db.MarkTestDatabase(context.Background()); err != nil {
			t.Errorf("put the mark back: %v", err)
		}
		testdb.MustSeed(t, db)
	})
	unmark := func() {
		t.Helper()
		if err := db.UnmarkTestDatabase(ctx); err != nil {
			t.Fatal(err)
		}
	}
	_, proxyURI := testdb.NewProxy(t)
	open := func(adopt bool) (string, bool) {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestChildOpens$", "-test.v", "-test.count=1")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, testdb.EnvURI+"=") && !strings.HasPrefix(kv, testdb.EnvAdopt+"=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, envChild+"=1", testdb.EnvURI+"="+proxyURI)
		if adopt {
			cmd.Env = append(cmd.Env, testdb.EnvAdopt+"=1")
		}
		out, err := cmd.CombinedOutput()
		return string(out), err == nil && strings.Contains(string(out), "testdb: opened")
	}
	state := func() (marked, empty bool, fingerprint string) {
		t.Helper()
		marked, empty, err := db.TestDatabase(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fingerprint, err = db.Fingerprint(ctx); err != nil {
			t.Fatal(err)
		}
		return marked, empty, fingerprint
	}

	testdb.MustSeed(t, db)
	_, _, seeded := state()
	if out, ok := open(false); !ok {
		t.Fatalf("control: a marked database holding data was refused:\n%s", out)
	}

	unmark()
	if marked, empty, _ := state(); marked || empty {
		t.Fatalf("setup: marked %v, empty %v; want an unmarked database with data", marked, empty)
	}
	out, ok := open(false)
	if ok || !strings.Contains(out, "holds data and is not marked as a test database") {
		t.Errorf("an unmarked database holding data was not refused with the guard's message:\n%s", out)
	}
	if marked, _, fp := state(); marked || fp != seeded {
		t.Errorf("the refusal changed the database: marked %v, data unchanged %v", marked, fp == seeded)
	}

	if out, ok := open(true); !ok {
		t.Errorf("with %s=1 the database was refused:\n%s", testdb.EnvAdopt, out)
	}
	if marked, _, fp := state(); !marked || fp != seeded {
		t.Errorf("adopted: marked %v (want true), data unchanged %v", marked, fp == seeded)
	}

	unmark()
	testdb.MustEmpty(t, db)
	if out, ok := open(false); !ok {
		t.Errorf("control: an unmarked empty database was refused:\n%s", out)
	}
	if marked, _, _ := state(); !marked {
		t.Errorf("control: an empty database opened by the tests was not marked")
	}
}

// TestTakesWhicheverDatabaseIsFree gives a child process two databases, the one this process
// holds and another (a proxy to the same server: another URI, so another lock), in both orders:
// the child takes the free one without waiting for this process, whichever comes first. The
// control is the first order: a child that took the first URI it was given would name the held
// one (and wait for this process to end).
func TestTakesWhicheverDatabaseIsFree(t *testing.T) {
	if os.Getenv(envChild) == "1" {
		t.Skip("the child only opens")
	}
	mine := testdb.Config(t).URI
	_, proxyURI := testdb.NewProxy(t)
	for _, list := range []string{mine + "," + proxyURI, proxyURI + ", " + mine} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestChildOpens$", "-test.v", "-test.count=1")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, testdb.EnvURI+"=") && !strings.HasPrefix(kv, "INCIDENTGRAPH_TEST_NEO4J_HELD_BY_PARENT=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, envChild+"=1", testdb.EnvURI+"="+list)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "testdb: opened "+proxyURI+"\n") {
			t.Errorf("%s=%q: the child did not take the free database %s (err %v):\n%s", testdb.EnvURI, list, proxyURI, err, out)
		}
	}
}
