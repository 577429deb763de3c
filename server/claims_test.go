package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/server"
)

// TestIdempotencyKeyLimitAtItsEdge: the README's "idempotencyKey (up to 100 characters, per
// token)". A key of 100 characters is accepted, kept whole (a retry with it answers the first
// write and writes nothing), and so is one of 100 two-byte characters; 101 characters answer
// BAD_USER_INPUT on the idempotencyKey field with the limit in the message, and write nothing,
// not even an audit entry. Control: the fingerprint the refusals are checked with moves with an
// accepted write.
func TestIdempotencyKeyLimitAtItsEdge(t *testing.T) {
	f := newCurationFixture(t)
	const add = `mutation($to: ID!, $key: String) { addRelationship(input: {from: "islamic-state-khorasan-province", type: ALLIED_WITH, to: $to,
		status: ALLEGED, confidence: 20, assertedBy: "russia", sources: ["ap-2024-03-23-moscow-attack-explainer"]}, idempotencyKey: $key) { id version } }`
	type added struct{ AddRelationship struct{ ID string } }
	const wantMessage = "idempotencyKey: idempotencyKey is longer than 100 characters"

	for _, c := range []struct {
		name, to, key string
	}{
		{"100 ASCII characters", "taliban", strings.Repeat("k", 100)},
		{"100 two-byte characters", "tehrik-i-taliban-pakistan", strings.Repeat("é", 100)},
	} {
		before := f.fingerprint(t)
		var first added
		mustData(t, f.as(t, incidentgraph.RoleCurator, add, map[string]any{"to": c.to, "key": c.key}), &first)
		afterFirst := f.fingerprint(t)
		if afterFirst == before {
			t.Fatalf("%s: control: an accepted write left the fingerprint unchanged", c.name)
		}
		// The whole key was kept: the same key again is a retry, answered from the first write.
		var again added
		mustData(t, f.as(t, incidentgraph.RoleCurator, add, map[string]any{"to": c.to, "key": c.key}), &again)
		if again.AddRelationship.ID != first.AddRelationship.ID || f.fingerprint(t) != afterFirst {
			t.Errorf("%s: a retry with the key answered %q (first %q) or wrote again", c.name, again.AddRelationship.ID, first.AddRelationship.ID)
		}
	}

	for _, c := range []struct{ name, key string }{
		{"101 ASCII characters", strings.Repeat("k", 101)},
		{"101 two-byte characters", strings.Repeat("é", 101)},
	} {
		before := f.fingerprint(t)
		// A request valid in every other way, to a relationship not written yet.
		r := f.as(t, incidentgraph.RoleCurator, add, map[string]any{"to": "al-qaida", "key": c.key})
		if r.code() != incidentgraph.EINVALID || len(r.Errors) != 1 || r.Errors[0].Message != wantMessage || r.Errors[0].Extensions["field"] != "idempotencyKey" {
			t.Errorf("%s: errors %+v, want one BAD_USER_INPUT on idempotencyKey: %q", c.name, r.Errors, wantMessage)
		}
		if f.fingerprint(t) != before {
			t.Errorf("%s: a refused key wrote", c.name)
		}
	}
	// And the same request with an allowed key writes: only the key was wrong.
	before := f.fingerprint(t)
	mustData(t, f.as(t, incidentgraph.RoleCurator, add, map[string]any{"to": "al-qaida", "key": strings.Repeat("k", 99) + "z"}), &added{})
	if f.fingerprint(t) == before {
		t.Error("the refused request, with a key of 100 characters, did not write")
	}
}

// exportThroughProxy serves /export over a store that reaches the test database through a
// proxy the test can cut or stall, with the given limits.
func exportThroughProxy(t *testing.T, cfg server.Config) (*testdb.Proxy, *httptest.Server, *syncBuffer) {
	t.Helper()
	seededDB(t)
	p, db := testdb.OpenThroughProxy(t, 2*time.Second)
	ts, logs := exportServer(t, db, cfg)
	return p, ts, logs
}

// getExportBounded is getExport with an answer required within limit: a request that the
// server holds for ever fails the test instead of hanging it.
func getExportBounded(t *testing.T, base, query string, limit time.Duration) *download {
	t.Helper()
	done := make(chan *download, 1)
	go func() {
		resp, err := (&http.Client{Timeout: limit}).Get(base + "/export?" + query)
		if err != nil {
			done <- &download{status: -1, body: []byte(err.Error())}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		done <- &download{status: resp.StatusCode, header: resp.Header, body: b}
	}()
	d := <-done
	if d.status == -1 {
		t.Fatalf("GET /export?%s: no answer within %v: %s", query, limit, d.body)
	}
	return d
}

const exportQuery = "format=gexf&of=neighborhood&id=" + exportISK

// TestExportAnswers503WhenNeo4jIsUnreachable: with the network path to Neo4j cut, /export
// answers 503 UNAVAILABLE with its message, whether the store finds out (fail_fast off) or the
// breaker already knows (fail_fast on, after a failed readiness check: then with
// Retry-After: 1). Control: before the cut the same request downloads the file.
func TestExportAnswers503WhenNeo4jIsUnreachable(t *testing.T) {
	for _, failFast := range []bool{false, true} {
		cfg := server.DefaultConfig()
		cfg.FailFast = failFast
		p, ts, _ := exportThroughProxy(t, cfg)
		if d := getExportBounded(t, ts.URL, exportQuery, time.Minute); d.status != http.StatusOK {
			t.Fatalf("fail_fast %v: control: before the cut: %d %s", failFast, d.status, d.body)
		}
		p.Cut()
		if failFast {
			resp, err := http.Get(ts.URL + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("readyz with Neo4j cut off: %d", resp.StatusCode)
			}
		}
		d := getExportBounded(t, ts.URL, exportQuery, time.Minute)
		code, msg := d.errorCode(t)
		if d.status != http.StatusServiceUnavailable || code != incidentgraph.EUNAVAIL || msg != "the graph database is unavailable; try again later" {
			t.Errorf("fail_fast %v: with Neo4j cut off: %d %s %q, want 503 UNAVAILABLE", failFast, d.status, code, msg)
		}
		if failFast && d.header.Get("Retry-After") != "1" {
			t.Errorf("refused at once by the breaker without Retry-After: 1 (%q)", d.header.Get("Retry-After"))
		}
		if ct := d.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || d.header.Get("Content-Disposition") != "" {
			t.Errorf("fail_fast %v: the refusal is served as %q, %q: not a download", failFast, ct, d.header.Get("Content-Disposition"))
		}
	}
}

// TestExportAnswers504PastItsTimeLimit: a Neo4j that takes the request and never answers costs
// an export its time limit (request_timeout), then a 504 TIMEOUT, not a request held for ever.
// Control: before the stall the same request downloads the file.
func TestExportAnswers504PastItsTimeLimit(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.RequestTimeout = 2 * time.Second
	cfg.FailFast = false // the breaker is not what answers here
	p, ts, logs := exportThroughProxy(t, cfg)
	if d := getExportBounded(t, ts.URL, exportQuery, time.Minute); d.status != http.StatusOK {
		t.Fatalf("control: before the stall: %d %s", d.status, d.body)
	}
	p.Stall()
	d := getExportBounded(t, ts.URL, exportQuery, 20*cfg.RequestTimeout)
	code, msg := d.errorCode(t)
	if d.status != http.StatusGatewayTimeout || code != incidentgraph.ETIMEOUT || !strings.Contains(msg, "took too long") {
		t.Errorf("with Neo4j silent: %d %s %q, want 504 TIMEOUT", d.status, code, msg)
	}
	if strings.Contains(logs.String(), `"level":"error"`) {
		t.Errorf("a timeout was logged as an error:\n%s", logs.String())
	}
}

// failingExportGraph is the real store with the neighbourhood broken, as a fault inside the
// database would break it, with internals in the error's text.
type failingExportGraph struct{ *neo4j.DB }

const internalCause = "Neo.ClientError.Statement.SyntaxError: MATCH (n:SecretLabel) RETURN n"

func (failingExportGraph) Neighborhood(context.Context, string, int, incidentgraph.RelationshipFilter, int) (*incidentgraph.Subgraph, error) {
	return nil, errors.New(internalCause)
}

// maskFaults is the oracle of a masked internal error: 500 INTERNAL "internal error", nothing of
// the cause in the body, and the cause logged exactly once, at error, with the request id the
// answer's Request-Id header gives.
func maskFaults(d *download, logs string) []string {
	var faults []string
	var body struct {
		Errors []struct {
			Message    string            `json:"message"`
			Extensions map[string]string `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(d.body, &body); err != nil || len(body.Errors) != 1 {
		return []string{fmt.Sprintf("body %q is not one GraphQL error", d.body)}
	}
	if d.status != http.StatusInternalServerError || body.Errors[0].Extensions["code"] != incidentgraph.EINTERNAL || body.Errors[0].Message != "internal error" {
		faults = append(faults, fmt.Sprintf("answer %d %v %q, want 500 INTERNAL \"internal error\"", d.status, body.Errors[0].Extensions, body.Errors[0].Message))
	}
	for _, leak := range []string{"Neo.", "SyntaxError", "SecretLabel", "MATCH"} {
		if strings.Contains(string(d.body), leak) {
			faults = append(faults, fmt.Sprintf("the body shows %q", leak))
		}
	}
	reqID := d.header.Get(server.RequestIDHeader)
	if reqID == "" {
		faults = append(faults, "no Request-Id header")
	}
	var lines []map[string]any
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, "SecretLabel") {
			continue
		}
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			faults = append(faults, fmt.Sprintf("log line %q is not JSON", line))
			continue
		}
		lines = append(lines, l)
	}
	if len(lines) != 1 {
		faults = append(faults, fmt.Sprintf("the cause is logged %d times, want once", len(lines)))
	}
	for _, l := range lines {
		if l["level"] != "error" || l["req_id"] != reqID {
			faults = append(faults, fmt.Sprintf("the cause is logged at %v with req_id %v, want error with %q", l["level"], l["req_id"], reqID))
		}
	}
	return faults
}

// TestExportMasksInternalErrors: a fault that is not a client's error answers 500 INTERNAL with
// the message "internal error" only, and its cause is logged once with the request id.
// Controls: the same oracle catches an answer that leaks the cause, one logged twice, one
// logged without the request id, and a coded error passed through instead of masked.
func TestExportMasksInternalErrors(t *testing.T) {
	db := seededDB(t)
	logs := &syncBuffer{}
	svc := server.Services{Graph: failingExportGraph{db}, Analyst: db, Cypher: db, Tokens: db, DB: db}
	ts := httptest.NewServer(server.NewServer(zerolog.New(logs), server.DefaultConfig(), svc))
	defer ts.Close()
	d := getExportBounded(t, ts.URL, exportQuery, time.Minute)
	for _, f := range maskFaults(d, logs.String()) {
		t.Error(f)
	}
	// The other subgraphs do not use the broken question: they still download.
	if ok := getExportBounded(t, ts.URL, "format=gexf&of=network&id=islamic-state", time.Minute); ok.status != http.StatusOK {
		t.Errorf("control: an export the fault does not touch: %d %s", ok.status, ok.body)
	}

	reqID := d.header.Get(server.RequestIDHeader)
	line := `{"level":"error","req_id":"` + reqID + `","error":"` + internalCause + `","message":"export: internal error"}`
	leaked := *d
	leaked.body = []byte(`{"errors":[{"message":"` + internalCause + `","extensions":{"code":"INTERNAL"}}]}`)
	coded := *d
	coded.status = http.StatusBadRequest
	coded.body = []byte(`{"errors":[{"message":"bad","extensions":{"code":"BAD_USER_INPUT"}}]}`)
	for name, c := range map[string]struct {
		d    *download
		logs string
	}{
		"the cause in the body":  {&leaked, line},
		"logged twice":           {d, line + "\n" + line},
		"not logged":             {d, ""},
		"logged without req_id":  {d, strings.Replace(line, reqID, "other", 1)},
		"logged at warn":         {d, strings.Replace(line, `"error","req_id"`, `"warn","req_id"`, 1)},
		"a coded error answered": {&coded, line},
	} {
		if len(maskFaults(c.d, c.logs)) == 0 {
			t.Errorf("negative control %q: the oracle found nothing", name)
		}
	}
	if len(maskFaults(d, line)) != 0 {
		t.Errorf("control: the oracle faults the expected log line: %v", maskFaults(d, line))
	}
}
