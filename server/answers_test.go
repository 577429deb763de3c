package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/server"
)

// TestAnswersAreWrittenAsTheExecutorWroteThem: an executed operation's answer goes out with
// its data as the executor marshalled it, not re-compacted by json.Marshal (server/answers.go),
// and is the same JSON as gqlgen's transports write: data, errors with their codes and paths,
// over POST and GET, and the refusal of a request that never executes. The sign of the raw
// path is a string with "<", ">" and "&" in the data, which json.Marshal escapes; the control
// is the same requests through gqlgen's own transports, whose bodies must fail the raw check
// while decoding to the same answers.
func TestAnswersAreWrittenAsTheExecutorWroteThem(t *testing.T) {
	db := seededDB(t)
	svc := services(t, db, db)
	raw := newConfiguredServer(t, server.DefaultConfig(), svc)
	plain := newConfiguredServer(t, server.WithGqlgenAnswersForTest(server.DefaultConfig()), svc)
	token := newToken(t, db, incidentgraph.RoleAnalyst)

	// A column's name is a String, which the executor writes with "<", ">" and "&" as they are.
	const marked = `<a & b>`
	cypher := "{ cypher(query: \"RETURN 1 AS `" + marked + "`\") { columns rows } }"
	withError := `{ entity(id: "islamic-state") { name } similarIncidents(id: "no-such-incident", first: 2) { score } }`
	requests := []struct {
		name   string
		req    func(base string) *http.Request
		marked bool // the data holds the marked string
		errors bool // the answer has errors
	}{
		{"POST with marked data", func(base string) *http.Request {
			return post(t, base, token, cypher)
		}, true, false},
		{"GET with marked data", func(base string) *http.Request {
			req := newRequest(t, http.MethodGet, base+"/graphql?query="+url.QueryEscape(cypher), "", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			return req
		}, true, false},
		{"POST with a field error", func(base string) *http.Request { return post(t, base, "", withError) }, false, true},
		{"POST that never executes", func(base string) *http.Request { return post(t, base, "", `{ entity(id: 1 { name } }`) }, false, true},
	}
	for _, rq := range requests {
		t.Run(rq.name, func(t *testing.T) {
			a, b := raw.do(t, rq.req(raw.URL)), plain.do(t, rq.req(plain.URL))
			if a.status != b.status || a.header.Get("Content-Type") != b.header.Get("Content-Type") {
				t.Errorf("status %d %q, gqlgen's %d %q", a.status, a.header.Get("Content-Type"), b.status, b.header.Get("Content-Type"))
			}
			var av, bv map[string]any
			if err := json.Unmarshal(a.body, &av); err != nil {
				t.Fatalf("body %q is not JSON: %v", a.body, err)
			}
			if err := json.Unmarshal(b.body, &bv); err != nil {
				t.Fatalf("gqlgen's body %q is not JSON: %v", b.body, err)
			}
			if !reflect.DeepEqual(av, bv) {
				t.Errorf("answer %s\ngqlgen's %s", a.body, b.body)
			}
			if got := len(a.errors(t)) > 0; got != rq.errors {
				t.Errorf("errors: %v, want %v: %s", got, rq.errors, a.body)
			}
			if !rq.marked {
				return
			}
			if !bytes.Contains(a.body, []byte(marked)) {
				t.Errorf("the data was re-encoded: %s", a.body)
			}
			// Control: json.Marshal escapes the marked string, so gqlgen's body fails the check.
			if bytes.Contains(b.body, []byte(marked)) {
				t.Errorf("gqlgen's body holds the marked string as it is, so the check cannot tell the writers apart: %s", b.body)
			}
		})
	}
}

func post(t *testing.T, base, token, query string) *http.Request {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req := newRequest(t, http.MethodPost, base+"/graphql", jsonCT, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}
