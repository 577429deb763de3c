package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incidentgraph/incidentgraph"
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
		"log level":        {"LOG_LEVEL": "loud"},
		"log format":       {"LOG_FORMAT": "xml"},
		"anonymous access": {"ANONYMOUS_ACCESS": "maybe"},
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

func TestAnonymousAccessIsCheckedByName(t *testing.T) {
	for _, v := range []string{"read", "none"} {
		vars := map[string]string{"ANONYMOUS_ACCESS": v}
		if err := run(context.Background(), []string{"validate"}, func(k string) string { return vars[k] }, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
			t.Errorf("ANONYMOUS_ACCESS=%s refused: %v", v, err)
		}
	}
	err := run(context.Background(), []string{"validate", "--anonymous_access", "None"}, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "ANONYMOUS_ACCESS") || strings.Contains(err.Error(), "\n") {
		t.Errorf("--anonymous_access None: %v; want one line naming ANONYMOUS_ACCESS", err)
	}
}

// tokenCmd runs `incidentgraph token ...` against the test database and returns its stdout.
func tokenCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"token"}, args...), env(t, nil), &out, &errOut)
	return out.String(), err
}

func TestTokenCommands(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)

	out, err := tokenCmd(t, "create", "--name", "ci", "--role", "analyst", "--expires", "720h")
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	secret := lines[len(lines)-1]
	if !strings.HasPrefix(secret, "igt_") || !strings.Contains(out, "will not be shown again") {
		t.Fatalf("token create printed %q: want a note that the secret is shown once, then the secret", out)
	}
	tok, err := db.Authenticate(ctx, secret)
	if err != nil || tok.Name != "ci" || tok.Role != incidentgraph.RoleAnalyst || tok.ExpiresAt == nil {
		t.Fatalf("the printed secret authenticates as %+v, %v", tok, err)
	}
	if d := time.Until(*tok.ExpiresAt); d < 719*time.Hour || d > 721*time.Hour {
		t.Errorf("--expires 720h: expires in %s", d)
	}
	if _, err := tokenCmd(t, "create", "--name", "forever", "--role", "reader", "--expires", "2999-01-01"); err != nil {
		t.Fatalf("token create with a date: %v", err)
	}

	list, err := tokenCmd(t, "list")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(list, strings.TrimPrefix(secret, "igt_")) {
		t.Errorf("token list shows a secret:\n%s", list)
	}
	row := map[string][]string{}
	for _, l := range strings.Split(strings.TrimSpace(list), "\n")[1:] {
		f := strings.Fields(l)
		row[f[0]] = f
	}
	if r := row["ci"]; len(r) != 5 || r[1] != "analyst" || r[4] != "-" {
		t.Errorf("list row for ci: %q", r)
	}
	if r := row["forever"]; len(r) != 5 || r[1] != "reader" || r[3] != "2999-01-01T00:00:00Z" {
		t.Errorf("list row for forever: %q", r)
	}

	// Errors are one line each and change nothing.
	for _, args := range [][]string{
		{"create", "--name", "ci", "--role", "reader"},                             // taken
		{"create", "--name", "x", "--role", "superuser"},                           // no such role
		{"create", "--role", "reader"},                                             // no name
		{"create", "--name", "old", "--role", "reader", "--expires", "2020-01-01"}, // past
		{"create", "--name", "odd", "--role", "reader", "--expires", "soon"},
		{"revoke", "nobody"},
		{"revoke"},
		{"frob"},
		{},
	} {
		if _, err := tokenCmd(t, args...); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("token %q: %v, want a one-line error", args, err)
		}
	}
	after, err := tokenCmd(t, "list")
	if err != nil || after != list {
		t.Errorf("failed commands changed the list:\n%s\nto\n%s", list, after)
	}

	// Revoke, with the name before or after the flags.
	if out, err := tokenCmd(t, "revoke", "ci"); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("token revoke: %q, %v", out, err)
	}
	if _, err := tokenCmd(t, "revoke", "--log_level", "warn", "forever"); err != nil {
		t.Errorf("token revoke with the name after a flag: %v", err)
	}
	if _, err := db.Authenticate(ctx, secret); incidentgraph.ErrorCode(err) != incidentgraph.EUNAUTHENTICATED {
		t.Errorf("after revoke the secret gives %v, want UNAUTHENTICATED", err)
	}
	list, _ = tokenCmd(t, "list")
	for _, l := range strings.Split(strings.TrimSpace(list), "\n")[1:] {
		if f := strings.Fields(l); len(f) != 5 || f[4] == "-" {
			t.Errorf("after revoking both, row %q is not marked revoked", l)
		}
	}
}

func TestServeWithoutAnonymousAccessNeedsAToken(t *testing.T) {
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	secret, err := db.CreateToken(context.Background(), "reader", incidentgraph.RoleReader, nil)
	must(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var errOut bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, env(t, map[string]string{"HTTP_ADDR": addr, "ANONYMOUS_ACCESS": "none"}), &bytes.Buffer{}, &errOut)
	}()
	defer func() {
		cancel()
		<-done
	}()
	waitReady(t, addr, done)
	post := func(authorization string) int {
		req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", strings.NewReader(`{"query":"{ entity(id: \"islamic-state\") { name } }"}`))
		must(t, err)
		req.Header.Set("Content-Type", "application/json")
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(""); got != http.StatusUnauthorized {
		t.Errorf("ANONYMOUS_ACCESS=none, no token: status %d, want 401", got)
	}
	if got := post("Bearer " + secret); got != http.StatusOK {
		t.Errorf("ANONYMOUS_ACCESS=none, a reader's token: status %d, want 200", got)
	}
}

// waitReady waits until the server at addr is ready, or fails if it stops first.
func waitReady(t *testing.T, addr string, done <-chan error) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("serve stopped early: %v", err)
		default:
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	t.Fatal("not ready within a minute")
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

// The saved patterns are checked before the server answers: a pattern that would write stops
// the start with its name and the reason; a malformed one with its file and line.
func TestServeRefusesBrokenSavedPatterns(t *testing.T) {
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	for _, tc := range []struct {
		file, text, want string
	}{
		{"writes.cypher", "// name: writes\n// description: Writes.\nMATCH (n:Entity) SET n.x = 1 RETURN n\n", "writes"},
		{"undeclared.cypher", "// name: undeclared\n// description: Uses an undeclared parameter.\nMATCH (n:Entity {id: $id}) RETURN n\n", "undeclared.cypher:3"},
	} {
		dir := t.TempDir()
		must(t, os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.text), 0o644))
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		addr := ln.Addr().String()
		ln.Close()
		err = run(context.Background(), []string{"serve"}, env(t, map[string]string{"HTTP_ADDR": addr, "PATTERNS_DIR": dir}), &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "saved patterns") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: serve = %v, want a refusal naming %q", tc.file, err, tc.want)
		}
	}
	// The control: the same directory with a good pattern starts.
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "reads.cypher"), []byte("// name: reads\n// description: Reads.\n// param: id ID \"An id.\"\nMATCH (n:Entity {id: $id}) RETURN n\n"), 0o644))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, env(t, map[string]string{"HTTP_ADDR": addr, "PATTERNS_DIR": dir}), &bytes.Buffer{}, &bytes.Buffer{})
	}()
	waitReady(t, addr, done)
	resp, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(`{"query":"{ patterns { name } }"}`))
	must(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"reads"`) {
		t.Errorf("patterns from PATTERNS_DIR: %s", body)
	}
	cancel()
	must(t, <-done)
}
