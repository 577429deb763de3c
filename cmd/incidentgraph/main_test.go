package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incidentgraph/incidentgraph/internal/testdb"
)

// env returns a getenv that sees only the given variables, pointed at the test database.
func env(t *testing.T, extra map[string]string) func(string) string {
	cfg := testdb.Config(t)
	vars := map[string]string{"NEO4J_URI": cfg.URI, "NEO4J_PASSWORD": cfg.Password, "LOG_LEVEL": "warn"}
	for k, v := range extra {
		vars[k] = v
	}
	return func(k string) string { return vars[k] }
}

func TestValidateBuiltInSeed(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"validate"}, func(string) string { return "" }, &out, &errOut); err != nil {
		t.Fatalf("validate: %v", err)
	}
	if !strings.Contains(out.String(), "seed files are valid") {
		t.Errorf("output %q", out.String())
	}
}

func TestBrokenSeedIsRejectedWithFileAndLineAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	before, err := db.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// A valid file beside a broken one: nothing of either may be written.
	must(t, os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(`entities:
  - id: new-group
    kind: ORGANIZATION
    name: A group that must not appear
    orgType: MILITANT_GROUP
  - id: a-source
    kind: SOURCE
    name: A source
    publisher: Someone
    published: "2024"
    sourceType: NEWS
`), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "b.yaml"), []byte(`relationships:
  - from: new-group
    type: FUNDED_BY
    to: new-group
    status: CLAIMED
    confidence: 50
    assertedBy: new-group
    sources: [a-source]
  - from: new-group
    type: AFFILIATE_OF
    to: nobody-known
    status: CLAIMED
    confidence: 150
    assertedBy: new-group
    sources: [a-source]
`), 0o644))
	var out, errOut bytes.Buffer
	err = run(ctx, []string{"seed", "--dir", dir}, env(t, nil), &out, &errOut)
	if err == nil {
		t.Fatal("a broken seed was loaded")
	}
	for _, want := range []string{
		filepath.Join(dir, "b.yaml") + ":3:", "FUNDED_BY", // unknown type, on its line
		filepath.Join(dir, "b.yaml") + ":11:", "nobody-known", // unknown id
		"confidence", // out of range
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	after, err := db.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Error("a rejected seed changed the graph")
	}
}

func TestSeedTwiceChangesNothing(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	var out bytes.Buffer
	if err := run(ctx, []string{"seed"}, env(t, nil), &out, &out); err != nil {
		t.Fatal(err)
	}
	first, err := db.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"seed"}, env(t, nil), &out, &out); err != nil {
		t.Fatal(err)
	}
	second, err := db.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Error("loading the seed a second time changed the graph")
	}
	if !strings.Contains(out.String(), "seed loaded") {
		t.Errorf("output %q", out.String())
	}
}

func TestUnreachableNeo4jIsOneClearLine(t *testing.T) {
	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := ln.Addr().String()
	ln.Close()
	uri := "bolt://" + addr
	var out, errOut bytes.Buffer
	err = run(context.Background(), []string{"serve"}, env(t, map[string]string{"NEO4J_URI": uri, "HTTP_ADDR": "127.0.0.1:0"}), &out, &errOut)
	if err == nil {
		t.Fatal("serve started without a database")
	}
	msg := err.Error()
	if !strings.Contains(msg, uri) || !strings.Contains(msg, "unreachable") || strings.Contains(msg, "\n") || strings.Contains(msg, "goroutine") {
		t.Errorf("error %q: want one line naming %s", msg, uri)
	}
}

func TestBadConfigurationIsRefused(t *testing.T) {
	for name, vars := range map[string]map[string]string{
		"log level":  {"LOG_LEVEL": "loud"},
		"log format": {"LOG_FORMAT": "xml"},
	} {
		err := run(context.Background(), []string{"validate"}, func(k string) string { return vars[k] }, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil {
			t.Errorf("%s: accepted %v", name, vars)
		}
	}
	if err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Error("unknown command accepted")
	}
}

func TestServeSeedsAnswersAndShutsDownGracefully(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--seed"}, env(t, map[string]string{"HTTP_ADDR": addr}), &out, &errOut)
	}()
	var ready bool
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("serve stopped early: %v\n%s", err, errOut.String())
		default:
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ready = true
				break
			}
		}
	}
	if !ready {
		t.Fatalf("not ready within a minute:\n%s", errOut.String())
	}
	resp, err := http.Post("http://"+addr+"/graphql", "application/json",
		strings.NewReader(`{"query":"{ entity(id: \"islamic-state-khorasan-province\") { name } }"}`))
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("graphql status %d", resp.StatusCode)
	}
	cancel() // as SIGTERM does through signal.NotifyContext
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no graceful shutdown within 15 s")
	}
	if !strings.Contains(out.String(), "seed loaded") {
		t.Errorf("--seed did not load: %q", out.String())
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
