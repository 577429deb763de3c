package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/server"
	"github.com/incidentgraph/incidentgraph/web"
)

// The persisted-query and trusted-document switches: built-in default, then the environment,
// then the flag; a mistyped number stops the start.
func TestDocumentSwitchesFromFlagsOverEnvironment(t *testing.T) {
	def, err := parse("serve", nil, envOf(nil), io.Discard)
	must(t, err)
	if def.persistedQueries != server.DefaultConfig().PersistedQueries || def.persistedQueries == 0 || def.trustedDocuments != "" {
		t.Errorf("defaults: persisted_queries %d, trusted_documents %q", def.persistedQueries, def.trustedDocuments)
	}
	env := envOf(map[string]string{"PERSISTED_QUERIES": "7", "TRUSTED_DOCUMENTS": "/env/manifest.json"})
	fromEnv, err := parse("serve", nil, env, io.Discard)
	must(t, err)
	if fromEnv.persistedQueries != 7 || fromEnv.trustedDocuments != "/env/manifest.json" {
		t.Errorf("from the environment: %d, %q", fromEnv.persistedQueries, fromEnv.trustedDocuments)
	}
	flags, err := parse("serve", []string{"--persisted_queries=0", "--trusted_documents=/flag/manifest.json"}, env, io.Discard)
	must(t, err)
	if flags.persistedQueries != 0 || flags.trustedDocuments != "/flag/manifest.json" {
		t.Errorf("flags over the environment: %d, %q", flags.persistedQueries, flags.trustedDocuments)
	}
	if _, err := parse("serve", nil, envOf(map[string]string{"PERSISTED_QUERIES": "many"}), io.Discard); err == nil || !strings.Contains(err.Error(), "PERSISTED_QUERIES") {
		t.Errorf("PERSISTED_QUERIES=many: %v", err)
	}
}

// trusted-documents writes the manifest of GraphiQL's examples, one entry each, that the server
// reads back.
func TestTrustedDocumentsCommandWritesTheExamples(t *testing.T) {
	out := filepath.Join(t.TempDir(), "manifest.json")
	must(t, run(context.Background(), []string{"trusted-documents", "--out", out}, envOf(nil), io.Discard, io.Discard))
	m, err := server.LoadTrustedDocuments(out)
	must(t, err)
	examples, err := web.Examples()
	must(t, err)
	if m.Len() != len(examples) || len(examples) == 0 {
		t.Errorf("%d documents for %d examples", m.Len(), len(examples))
	}
	var stdout bytes.Buffer
	must(t, run(context.Background(), []string{"trusted-documents"}, envOf(nil), &stdout, io.Discard))
	file, _ := os.ReadFile(out)
	if stdout.String() != string(file) {
		t.Error("stdout and --out differ")
	}
}

// A manifest that cannot be read, or whose hash is not its document's, stops serve before it
// opens anything, with the file and the reason. The control: a good manifest named by the flag
// (over a bad one in the environment) starts, its documents answer and others are refused.
func TestServeRefusesABadTrustedManifest(t *testing.T) {
	dir := t.TempDir()
	doc := "{ __typename }"
	bad := map[string]struct{ text, want string }{
		"missing.json":  {"", "no such file"},
		"notjson.json":  {"query { a }", "not a manifest"},
		"tampered.json": {`{"sha256:` + server.DocumentHash(doc) + `": "{ __schema { types { name } } }"}`, "the SHA-256 of its document is"},
	}
	for name, tc := range bad {
		path := filepath.Join(dir, name)
		if tc.text != "" {
			must(t, os.WriteFile(path, []byte(tc.text), 0o644))
		}
		// No database is needed to refuse: the URI points nowhere.
		err := run(context.Background(), []string{"serve", "--trusted_documents", path},
			envOf(map[string]string{"NEO4J_URI": "bolt://127.0.0.1:1", "LOG_LEVEL": "warn"}), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: serve = %v, want an error naming the file and %q", name, err, tc.want)
		}
	}

	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	good := filepath.Join(dir, "good.json")
	must(t, run(context.Background(), []string{"trusted-documents", "--out", good}, envOf(nil), io.Discard, io.Discard))
	examples, err := web.Examples()
	must(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--trusted_documents", good},
			env(t, map[string]string{"HTTP_ADDR": addr, "TRUSTED_DOCUMENTS": filepath.Join(dir, "tampered.json")}), io.Discard, io.Discard)
	}()
	waitReady(t, addr, done)
	post := func(body string) (int, string) {
		resp, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(body))
		must(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// The first example is a query without variables: by its id it answers with data.
	first := examples[0]
	if first.Variables != nil || strings.Contains(first.Query, "mutation") {
		t.Fatalf("example %s is not a plain query", first.Name)
	}
	status, body := post(`{"documentId":"sha256:` + server.DocumentHash(first.Query) + `"}`)
	var answer struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal([]byte(body), &answer); status != 200 || err != nil || len(answer.Errors) > 0 || len(answer.Data) < 10 {
		t.Errorf("example %s by its id: %d %s", first.Name, status, body)
	}
	if status, body := post(`{"query":"{ __typename }"}`); status != http.StatusForbidden || !strings.Contains(body, server.CodeTrustedDocumentRequired) {
		t.Errorf("an unlisted query: %d %s", status, body)
	}
	cancel()
	must(t, <-done)
}
