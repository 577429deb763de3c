package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/server"
)

// searchCounter counts the searches that reach the graph: a request that ran counts one.
type searchCounter struct {
	*neo4j.DB
	n atomic.Int32
}

func (c *searchCounter) Search(ctx context.Context, text string, kinds []incidentgraph.Kind, limit int) ([]*incidentgraph.Entity, error) {
	c.n.Add(1)
	return c.DB.Search(ctx, text, kinds, limit)
}

// TestDuplicateMembersAreRefused: a body (or a GET's variables) that names a member twice is
// refused with 400 BAD_REQUEST naming the member, logged at warn, and nothing runs: encoding/json
// keeps the last of the two, so the checks would see one document and gqlgen run another. So is
// a top-level member that is query, operationName, variables or extensions in another case,
// which gqlgen reads as that member. Each case has its control: the same request with the
// member given a distinct name (or its own spelling) is answered 200 and runs its search.
func TestDuplicateMembersAreRefused(t *testing.T) {
	db := seededDB(t)
	counter := &searchCounter{DB: db}
	svc := services(t, db, db)
	svc.Graph = counter
	ts := newConfiguredServer(t, server.DefaultConfig(), svc)
	gql := ts.URL + "/graphql"
	const (
		search   = `{ search(text: \"Daesh\") { id } }`
		withVar  = `query($t: String!) { search(text: $t) { id } }`
		withVarQ = `{"query":"query($t: String!) { search(text: $t) { id } }"`
	)
	post := func(body string) func() *http.Request {
		return func() *http.Request { return newRequest(t, http.MethodPost, gql, jsonCT, []byte(body)) }
	}
	get := func(variables string) func() *http.Request {
		return func() *http.Request {
			q := url.Values{"query": {withVar}, "variables": {variables}}
			return newRequest(t, http.MethodGet, gql+"?"+q.Encode(), "", nil)
		}
	}
	for _, tc := range []struct {
		name         string
		dup, control func() *http.Request
		message      string
	}{
		{"query twice",
			post(`{"query":"{ __typename }","query":"` + search + `"}`),
			post(`{"query":"` + search + `","note":"{ __typename }"}`),
			`the request body names the member "query" twice: send each member once`},
		{"query twice, the second escaped",
			post(`{"query":"{ __typename }","\u0071uery":"` + search + `"}`),
			post(`{"query":"` + search + `","\u0071uery2":"{ __typename }"}`),
			`names the member "query" twice`},
		{"query beside QUERY",
			post(`{"query":"{ __typename }","QUERY":"` + search + `"}`),
			post(`{"query":"` + search + `","QUERY2":"{ __typename }"}`),
			`the request body has a member "QUERY": names are case-sensitive, send "query"`},
		{"variables beside variables with a long s",
			post(withVarQ + `,"variables":{"t":"Daesh"},"variable\u017f":{"t":"ISIS"}}`),
			post(withVarQ + `,"variables":{"t":"Daesh"},"variable\u017f2":{"t":"ISIS"}}`),
			`has a member "variableſ": names are case-sensitive, send "variables"`},
		{"variables alone in another case",
			post(withVarQ + `,"vAriABles":{"t":"Daesh"}}`),
			post(withVarQ + `,"variables":{"t":"Daesh"}}`),
			`has a member "vAriABles": names are case-sensitive, send "variables"`},
		{"variables in another case, a string",
			post(`{"query":"` + search + `","vAriABles":""}`),
			post(`{"query":"` + search + `","vAriABles2":""}`),
			`has a member "vAriABles"`},
		{"operationName in another case",
			post(`{"query":"query A { __typename } query B ` + search + `","operationName":"B","OperationName":"A"}`),
			post(`{"query":"query A { __typename } query B ` + search + `","operationName":"B"}`),
			`has a member "OperationName": names are case-sensitive, send "operationName"`},
		{"operationName twice",
			post(`{"query":"query A { __typename } query B ` + search + `","operationName":"A","operationName":"B"}`),
			post(`{"query":"query A { __typename } query B ` + search + `","operationName":"B","operationName2":"A"}`),
			`names the member "operationName" twice`},
		{"a variable twice",
			post(withVarQ + `,"variables":{"t":"Daesh","t":"ISIS"}}`),
			post(withVarQ + `,"variables":{"t":"Daesh","u":"ISIS"}}`),
			`names the member "t" twice in the object at /variables:`},
		{"a variable in another case is another variable",
			post(withVarQ + `,"variables":{"t":"Daesh","T":"ISIS"}}`),
			post(withVarQ + `,"variables":{"t":"Daesh","T":"ISIS"}}`),
			""},
		{"twice deep inside variables",
			post(withVarQ + `,"variables":{"t":"Daesh","x":[{"a":1},{"b":1,"c":{"d":1,"d":2}}]}}`),
			post(withVarQ + `,"variables":{"t":"Daesh","x":[{"a":1},{"b":1,"c":{"d":1,"e":2}}]}}`),
			`names the member "d" twice in the object at /variables/x/1/c:`},
		{"twice inside extensions",
			post(`{"query":"` + search + `","extensions":{"trace":{"id":"a","id":"b"}}}`),
			post(`{"query":"` + search + `","extensions":{"trace":{"id":"a","id2":"b"}}}`),
			`names the member "id" twice in the object at /extensions/trace:`},
		{"GET variables twice",
			get(`{"t":"Daesh","t":"ISIS"}`),
			get(`{"t":"Daesh","u":"ISIS"}`),
			`the variables parameter names the member "t" twice: send each member once`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := counter.n.Load()
			a := ts.do(t, tc.dup())
			if tc.message == "" { // not a duplicate: it runs
				if a.status != 200 || len(a.errors(t)) != 0 || counter.n.Load() != before+1 {
					t.Fatalf("status %d, %d searches run, %s; want 200 and one search", a.status, counter.n.Load()-before, a.body)
				}
				return
			}
			errs := a.errors(t)
			if a.status != 400 || len(errs) != 1 || errs[0].Extensions["code"] != server.CodeBadRequest || !strings.Contains(errs[0].Message, tc.message) {
				t.Errorf("status %d, errors %+v; want 400 %s with %q", a.status, errs, server.CodeBadRequest, tc.message)
			}
			if n := counter.n.Load() - before; n != 0 {
				t.Errorf("%d searches ran for a refused request", n)
			}
			if problem := dataEntryProblem(t, a, true); problem != "" {
				t.Error(problem)
			}
			if lvl := a.worstLevel(); lvl != zerolog.WarnLevel {
				t.Errorf("logged at %s, want warn: %v", lvl, a.logs)
			}
			// Control: the same request with distinct members runs.
			before = counter.n.Load()
			if c := ts.do(t, tc.control()); c.status != 200 || len(c.errors(t)) != 0 || counter.n.Load() != before+1 {
				t.Errorf("control: status %d, %d searches run, %s; want 200 and one search", c.status, counter.n.Load()-before, c.body)
			}
		})
	}
}
