package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph/server"
)

// newConfiguredServer is the real server with cfg and the services given, logging to a buffer.
func newConfiguredServer(t *testing.T, cfg server.Config, svc server.Services) *testServer {
	t.Helper()
	logs := &syncBuffer{}
	ts := httptest.NewServer(server.NewServer(zerolog.New(logs).With().Timestamp().Logger(), cfg, svc))
	t.Cleanup(ts.Close)
	return &testServer{Server: ts, logs: logs}
}

// answer is one HTTP answer and the log lines of its request.
type answer struct {
	status int
	header http.Header
	body   []byte
	logs   []map[string]any
}

func (a *answer) errors(t *testing.T) []struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
} {
	t.Helper()
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(a.body, &r); err != nil {
		t.Fatalf("status %d, body %q is not JSON: %v", a.status, a.body, err)
	}
	return r.Errors
}

// worstLevel is the most severe level the request was logged at.
func (a *answer) worstLevel() zerolog.Level {
	worst := zerolog.TraceLevel
	for _, l := range a.logs {
		lvl, err := zerolog.ParseLevel(l["level"].(string))
		if err == nil && lvl > worst {
			worst = lvl
		}
	}
	return worst
}

// do sends req and collects the log lines that carry its request id.
func (ts *testServer) do(t *testing.T, req *http.Request) *answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	a := &answer{status: resp.StatusCode, header: resp.Header, body: body}
	id := resp.Header.Get(server.RequestIDHeader)
	for _, line := range strings.Split(ts.logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["req_id"] == id {
			a.logs = append(a.logs, m)
		}
	}
	return a
}

func newRequest(t *testing.T, method, target, contentType string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

const jsonCT = "application/json"

// TestMalformedRequestsGetA4xxWithACodeAndAReason sends the requests the GraphQL layer cannot
// take: each is answered with a 4xx, one error with a specific code and a message naming the
// mistake, and is logged at warn or below, never as an internal error.
func TestMalformedRequestsGetA4xxWithACodeAndAReason(t *testing.T) {
	db := seededDB(t)
	cfg := server.DefaultConfig()
	ts := newConfiguredServer(t, cfg, services(t, db, db))
	gql := ts.URL + "/graphql"
	ok := `{"query":"{ __typename }"`
	withMember := func(m string) []byte { return []byte(ok + `,` + m + `}`) }
	longQuery := "{ __typename " + strings.Repeat(" ", cfg.MaxQueryBytes) + "}"
	get := func(rawQuery string) *http.Request { return newRequest(t, http.MethodGet, gql+"?"+rawQuery, "", nil) }
	post := func(ct, body string) *http.Request { return newRequest(t, http.MethodPost, gql, ct, []byte(body)) }
	encoded := func(gqlQuery string) string { return "query=" + url.QueryEscape(gqlQuery) }
	for _, tc := range []struct {
		name    string
		req     *http.Request
		status  int
		code    string
		message string // a part of the message
	}{
		{"invalid JSON", post(jsonCT, `{"query": `), 400, server.CodeBadRequest, "not valid JSON"},
		{"trailing comma", post(jsonCT, `{"query":"{ __typename }",}`), 400, server.CodeBadRequest, "not valid JSON"},
		{"bad escape", post(jsonCT, `{"query":"\x"}`), 400, server.CodeBadRequest, "not valid JSON"},
		{"empty body", post(jsonCT, ``), 400, server.CodeBadRequest, "empty"},
		{"blank body", post(jsonCT, " \n\t "), 400, server.CodeBadRequest, "empty"},
		{"null body", post(jsonCT, `null`), 400, server.CodeBadRequest, "must be a JSON object"},
		{"string body", post(jsonCT, `"{ __typename }"`), 400, server.CodeBadRequest, "must be a JSON object"},
		{"number body", post(jsonCT, `42`), 400, server.CodeBadRequest, "must be a JSON object"},
		{"two objects", post(jsonCT, ok+`} {"query":"{ __typename }"}`), 400, server.CodeBadRequest, "more than one JSON value"},
		{"batch", post(jsonCT, `[`+ok+`},`+ok+`}]`), 400, server.CodeBatching, "one operation per request"},
		{"empty batch", post(jsonCT, ` []`), 400, server.CodeBatching, "not supported"},
		{"no query", post(jsonCT, `{}`), 400, server.CodeBadRequest, "no query"},
		{"null query", post(jsonCT, `{"query":null}`), 400, server.CodeBadRequest, "no query"},
		{"number query", post(jsonCT, `{"query":1}`), 400, server.CodeBadRequest, "query must be a string, not a number"},
		{"object query", post(jsonCT, `{"query":{}}`), 400, server.CodeBadRequest, "not an object"},
		{"array query", post(jsonCT, `{"query":["{ __typename }"]}`), 400, server.CodeBadRequest, "not an array"},
		{"boolean query", post(jsonCT, `{"query":true}`), 400, server.CodeBadRequest, "not a boolean"},
		{"string variables", post(jsonCT, string(withMember(`"variables":"{}"`))), 400, server.CodeBadRequest, "variables must be an object or null, not a string"},
		{"number variables", post(jsonCT, string(withMember(`"variables":1`))), 400, server.CodeBadRequest, "variables must be an object"},
		{"array variables", post(jsonCT, string(withMember(`"variables":[]`))), 400, server.CodeBadRequest, "not an array"},
		{"boolean variables", post(jsonCT, string(withMember(`"variables":false`))), 400, server.CodeBadRequest, "not a boolean"},
		{"number operationName", post(jsonCT, string(withMember(`"operationName":1`))), 400, server.CodeBadRequest, "operationName must be a string or null"},
		{"object operationName", post(jsonCT, string(withMember(`"operationName":{}`))), 400, server.CodeBadRequest, "operationName"},
		{"array operationName", post(jsonCT, string(withMember(`"operationName":[]`))), 400, server.CodeBadRequest, "operationName"},
		{"boolean operationName", post(jsonCT, string(withMember(`"operationName":true`))), 400, server.CodeBadRequest, "operationName"},
		{"string extensions", post(jsonCT, string(withMember(`"extensions":"x"`))), 400, server.CodeBadRequest, "extensions must be an object or null"},
		{"number extensions", post(jsonCT, string(withMember(`"extensions":2`))), 400, server.CodeBadRequest, "extensions"},
		{"array extensions", post(jsonCT, string(withMember(`"extensions":[{}]`))), 400, server.CodeBadRequest, "extensions"},
		{"boolean extensions", post(jsonCT, string(withMember(`"extensions":true`))), 400, server.CodeBadRequest, "extensions"},
		{"body one byte over 1 MiB", post(jsonCT, `{"query":"{ __typename }","x":"`+strings.Repeat("a", int(cfg.MaxBodyBytes)-32)+`"}`), 413, server.CodePayloadTooLarge, "over the limit of 1048576 bytes"},
		{"query over the length limit", post(jsonCT, `{"query":"`+longQuery+`"}`), 400, server.CodeQueryTooLong, "the limit is 32768"},
		{"no Content-Type", post("", ok+`}`), 415, server.CodeMediaType, "no Content-Type"},
		{"text/plain", post("text/plain", ok+`}`), 415, server.CodeMediaType, "application/json"},
		{"form", post("application/x-www-form-urlencoded", "query=%7B__typename%7D"), 415, server.CodeMediaType, "not supported"},
		{"multipart", post("multipart/form-data; boundary=x", "--x--"), 415, server.CodeMediaType, "not supported"},
		{"application/graphql", post("application/graphql", "{ __typename }"), 415, server.CodeMediaType, "not supported"},
		{"bad media type", post("application/json; charset", ok+`}`), 415, server.CodeMediaType, "not supported"},
		{"latin-1", post("application/json; charset=iso-8859-1", ok+`}`), 415, server.CodeMediaType, "utf-8"},
		{"PUT", newRequest(t, http.MethodPut, gql, jsonCT, []byte(ok+`}`)), 405, server.CodeMethodNotAllowed, "method PUT is not allowed"},
		{"DELETE", newRequest(t, http.MethodDelete, gql, "", nil), 405, server.CodeMethodNotAllowed, "GET or POST"},
		{"PATCH", newRequest(t, http.MethodPatch, gql, jsonCT, []byte(ok+`}`)), 405, server.CodeMethodNotAllowed, "GET or POST"},
		{"GET without query", get(""), 400, server.CodeBadRequest, "needs a query parameter"},
		{"GET empty query", get("query="), 400, server.CodeBadRequest, "needs a query parameter"},
		{"GET two queries", get(encoded("{ __typename }") + "&" + encoded("{ __typename }")), 400, server.CodeBadRequest, "more than once"},
		{"GET malformed query string", get("query=%zz"), 400, server.CodeBadRequest, "malformed"},
		{"GET variables not JSON", get(encoded("{ __typename }") + "&variables=%7Bx"), 400, server.CodeBadRequest, "variables parameter must be a JSON object"},
		{"GET variables an array", get(encoded("{ __typename }") + "&variables=%5B1%5D"), 400, server.CodeBadRequest, "variables parameter"},
		{"GET extensions a number", get(encoded("{ __typename }") + "&extensions=1"), 400, server.CodeBadRequest, "extensions parameter"},
		{"GET mutation", get(encoded("mutation { __typename }")), 405, server.CodeMethodNotAllowed, "use POST"},
		{"GET named mutation", get(encoded("query Q { __typename } mutation M { __typename }") + "&operationName=M"), 405, server.CodeMethodNotAllowed, "use POST"},
		{"GET query over the length limit", get(encoded(longQuery)), 400, server.CodeQueryTooLong, "the limit is 32768"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := ts.do(t, tc.req)
			errs := a.errors(t)
			if a.status != tc.status || len(errs) != 1 {
				t.Fatalf("status %d, errors %+v; want %d and one error", a.status, errs, tc.status)
			}
			if code := errs[0].Extensions["code"]; code != tc.code || !strings.Contains(errs[0].Message, tc.message) {
				t.Errorf("code %v, message %q; want %s and a message with %q", code, errs[0].Message, tc.code, tc.message)
			}
			if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			if a.status == 405 && a.header.Get("Allow") == "" && !strings.HasPrefix(tc.name, "GET") {
				t.Errorf("405 without Allow")
			}
			if lvl := a.worstLevel(); lvl > zerolog.WarnLevel || len(a.logs) < 2 {
				t.Errorf("logged at %s (%d lines: %v); want warn or below, with the access line", lvl, len(a.logs), a.logs)
			}
		})
	}
	// The edges of the body limit: 1 MiB exactly is read and executed.
	body := `{"query":"{ __typename }","x":"` + strings.Repeat("a", int(cfg.MaxBodyBytes)-33) + `"}`
	if len(body) != int(cfg.MaxBodyBytes) {
		t.Fatalf("body of %d bytes", len(body))
	}
	if a := ts.do(t, post(jsonCT, body)); a.status != 200 || len(a.errors(t)) != 0 {
		t.Errorf("a body of exactly 1 MiB: status %d, %s", a.status, a.body)
	}
	// Negative control: the well-formed request each case spoils passes.
	for _, req := range []*http.Request{post(jsonCT, ok+`}`), post("application/json; charset=UTF-8", string(withMember(`"variables":null,"operationName":null,"extensions":{}`))), get(encoded("{ __typename }") + "&variables=%7B%7D")} {
		if a := ts.do(t, req); a.status != 200 || len(a.errors(t)) != 0 || !strings.Contains(string(a.body), `"__typename":"Query"`) {
			t.Errorf("%s %s: status %d, %s", req.Method, req.URL, a.status, a.body)
		}
	}
}

// TestGraphQLResponseMediaType follows the GraphQL-over-HTTP spec: clients that accept
// application/graphql-response+json get it, with 400 for documents that fail to parse or
// validate or whose variables do not coerce; clients that ask for application/json (or send no
// Accept) get 200 and application/json, as legacy clients expect. An answer to a request that
// never executed has no data entry at all ("data": null would say that execution began); the
// negative control runs the same check against the server behind dataNullOnRequestErrors
// (audit_test.go), which puts "data": null back, and sees each such answer flagged.
func TestGraphQLResponseMediaType(t *testing.T) {
	db := seededDB(t)
	ts := newConfiguredServer(t, server.DefaultConfig(), services(t, db, db))
	broken := httptest.NewServer(dataNullOnRequestErrors(server.NewServer(zerolog.Nop(), server.DefaultConfig(), services(t, db, db))))
	t.Cleanup(broken.Close)
	const gqlResp = "application/graphql-response+json"
	var fields strings.Builder
	for i := range server.DefaultConfig().MaxRootFields + 1 {
		fmt.Fprintf(&fields, " a%d: __typename", i)
	}
	tooManyRootFields := `{"query":"{` + fields.String() + ` }"}`
	for _, tc := range []struct {
		name, accept, body string
		status             int
		media, code        string
	}{
		{"parse error, new client", gqlResp, `{"query":"{ search(text: \"x\" { id } }"}`, 400, gqlResp, "GRAPHQL_PARSE_FAILED"},
		{"parse error, legacy client", jsonCT, `{"query":"{ search(text: \"x\" { id } }"}`, 200, jsonCT, "GRAPHQL_PARSE_FAILED"},
		{"parse error, no Accept", "", `{"query":"{"}`, 200, jsonCT, "GRAPHQL_PARSE_FAILED"},
		{"parse error, any", "*/*", `{"query":"{"}`, 200, jsonCT, "GRAPHQL_PARSE_FAILED"},
		{"validation error, new client", gqlResp, `{"query":"{ nope }"}`, 400, gqlResp, "GRAPHQL_VALIDATION_FAILED"},
		{"validation error, legacy client", jsonCT, `{"query":"{ nope }"}`, 200, jsonCT, "GRAPHQL_VALIDATION_FAILED"},
		{"validation error, preferred first", gqlResp + ", application/json;q=0.9", `{"query":"{ nope }"}`, 400, gqlResp, "GRAPHQL_VALIDATION_FAILED"},
		{"variable coercion, new client", gqlResp, `{"query":"query($n: Int) { search(text: \"IS\", first: $n) { id } }","variables":{"n":"ten"}}`, 400, gqlResp, "GRAPHQL_VALIDATION_FAILED"},
		{"root field limit, new client", gqlResp, tooManyRootFields, 400, gqlResp, server.CodeRootFieldLimit},
		{"root field limit, legacy client", jsonCT, tooManyRootFields, 200, jsonCT, server.CodeRootFieldLimit},
		{"malformed request, new client", gqlResp, `{"query":1}`, 400, gqlResp, server.CodeBadRequest},
		{"good request, new client", gqlResp, `{"query":"{ __typename }"}`, 200, gqlResp, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			send := func(ts *testServer) *answer {
				req := newRequest(t, http.MethodPost, ts.URL+"/graphql", jsonCT, []byte(tc.body))
				if tc.accept != "" {
					req.Header.Set("Accept", tc.accept)
				}
				return ts.do(t, req)
			}
			a := send(ts)
			if a.status != tc.status || !strings.HasPrefix(a.header.Get("Content-Type"), tc.media) {
				t.Errorf("status %d, Content-Type %q; want %d, %s", a.status, a.header.Get("Content-Type"), tc.status, tc.media)
			}
			var code any
			if errs := a.errors(t); len(errs) > 0 {
				code = errs[0].Extensions["code"]
			}
			if code != nil && code != tc.code || code == nil && tc.code != "" {
				t.Errorf("error code %v, want %q: %s", code, tc.code, a.body)
			}
			// A request refused before execution has no data entry; one that executed has it.
			if problem := dataEntryProblem(t, a, tc.code != ""); problem != "" {
				t.Error(problem)
			}
			if lvl := a.worstLevel(); lvl > zerolog.WarnLevel {
				t.Errorf("logged at %s", lvl)
			}
			// Negative control: with "data": null put back, the same check objects.
			if tc.code != "" && tc.media == gqlResp {
				if problem := dataEntryProblem(t, send(&testServer{Server: broken, logs: &syncBuffer{}}), true); problem == "" {
					t.Errorf("the check did not see the data entry that dataNullOnRequestErrors adds")
				}
			}
		})
	}
}

// dataEntryProblem says what is wrong with the data entry of a: present when refused is true
// (the request never executed), absent otherwise; "" when nothing is. The body is decoded into
// a map because a null data entry decodes into a nil pointer or RawMessage, as if absent.
func dataEntryProblem(t *testing.T, a *answer, refused bool) string {
	t.Helper()
	var members map[string]json.RawMessage
	if err := json.Unmarshal(a.body, &members); err != nil {
		t.Fatalf("body %q: %v", a.body, err)
	}
	switch _, has := members["data"]; {
	case refused && has:
		return fmt.Sprintf("a request that never executed has a data entry: %s", a.body)
	case !refused && !has:
		return fmt.Sprintf("an executed request has no data entry: %s", a.body)
	}
	return ""
}
