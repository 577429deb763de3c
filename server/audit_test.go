package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph/server"
)

// auditDir holds the pinned graphql-http package and the script that runs its audit suite
// (`npm ci` there installs it; make test does).
const auditDir = "../tools/graphql-http-audit"

// auditResult is one audit of graphql-http's serverAudits as audit.mjs prints it.
type auditResult struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Status     string `json:"status"` // ok, or error (MUST), warn (SHOULD), notice (MAY)
	Reason     string `json:"reason"`
	HTTPStatus int    `json:"httpStatus"`
}

// runAudits runs the GraphQL-over-HTTP audit suite against the endpoint url with node and
// returns every audit's result, passed or not.
func runAudits(t *testing.T, url string) []auditResult {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is needed to run the GraphQL-over-HTTP audit suite: %v", err)
	}
	if _, err := os.Stat(filepath.Join(auditDir, "node_modules", "graphql-http", "package.json")); err != nil {
		t.Fatalf("the audit suite is not installed (%v): run `cd tools/graphql-http-audit && npm ci`", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "audit.mjs", url)
	cmd.Dir = auditDir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	// Exit 1 means "some audit failed", which the results say; anything else is a broken run.
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("audit run: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	var results []auditResult
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var r auditResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		results = append(results, r)
	}
	failed := slices.ContainsFunc(results, func(r auditResult) bool { return r.Status != "ok" })
	if (err != nil) != failed {
		t.Fatalf("audit.mjs exited %v but its results say failed=%v:\n%s", err, failed, stdout.String())
	}
	// The pinned suite (graphql-http 1.23.1) has 61 audits; fewer means the run broke early,
	// and passing none of them proves nothing.
	if len(results) < 61 {
		t.Fatalf("%d audit results, want the whole suite:\n%s\n%s", len(results), stdout.String(), stderr.String())
	}
	return results
}

// failedAudits are the ids of the audits that did not pass.
func failedAudits(results []auditResult) []string {
	var ids []string
	for _, r := range results {
		if r.Status != "ok" {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// TestGraphQLOverHTTPAudits runs the field's own conformance suite, graphql-http's
// serverAudits, against the real server over the real Neo4j: every MUST, SHOULD and MAY of
// the GraphQL-over-HTTP spec that it checks passes. Each audit's id and name is printed.
// TestGraphQLOverHTTPAuditsCatchASpecBreak shows that the same runner fails a server that
// breaks the spec.
func TestGraphQLOverHTTPAudits(t *testing.T) {
	db := seededDB(t)
	ts := newConfiguredServer(t, server.DefaultConfig(), services(t, db, db))
	results := runAudits(t, ts.URL+"/graphql")
	for _, r := range results {
		if r.Status == "ok" {
			t.Logf("ok      %s %s", r.ID, r.Name)
		} else {
			t.Errorf("%-7s %s %s: %s (HTTP %d)", r.Status, r.ID, r.Name, r.Reason, r.HTTPStatus)
		}
	}
	t.Logf("%d audits, %d failed", len(results), len(failedAudits(results)))
}

// dataNullOnRequestErrors breaks the spec on purpose: in front of the real server, it adds
// "data": null to every application/graphql-response+json answer that has errors and no data,
// that is to documents that failed to parse or validate, where the spec says the data entry
// should be absent.
func dataNullOnRequestErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		var m map[string]json.RawMessage
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/graphql-response+json") &&
			json.Unmarshal(body, &m) == nil && hasKey(m, "errors") && !hasKey(m, "data") {
			m["data"] = json.RawMessage("null")
			body, _ = json.Marshal(m)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

// TestGraphQLOverHTTPAuditsCatchASpecBreak is the negative control of TestGraphQLOverHTTPAudits:
// the same runner, pointed at the real server behind dataNullOnRequestErrors, reports exactly
// the audits about the data entry of a document that fails to parse or validate as failed.
func TestGraphQLOverHTTPAuditsCatchASpecBreak(t *testing.T) {
	db := seededDB(t)
	real := server.NewServer(zerolog.Nop(), server.DefaultConfig(), services(t, db, db))
	broken := httptest.NewServer(dataNullOnRequestErrors(real))
	t.Cleanup(broken.Close)
	results := runAudits(t, broken.URL+"/graphql")
	failed := failedAudits(results)
	for _, r := range results {
		if r.Status != "ok" {
			t.Logf("%-7s %s %s: %s", r.Status, r.ID, r.Name, r.Reason)
		}
	}
	// graphql-http 1.23.1: "SHOULD not contain the data entry on document parsing failure when
	// accepting application/graphql-response+json", and the same on document validation failure.
	want := []string{"D586", "5E5B"}
	if !slices.Equal(failed, want) {
		t.Errorf("failed audits %v, want %v", failed, want)
	}
}

func hasKey(m map[string]json.RawMessage, key string) bool {
	_, ok := m[key]
	return ok
}
