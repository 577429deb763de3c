package server

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/incidentgraph/incidentgraph"
)

// TestShapeCountsSaturate: counts stop at the cap, and a count at the cap is written as "more
// than" it; one under the cap is written as it is.
func TestShapeCountsSaturate(t *testing.T) {
	if got := count(saturated - 1); got != "2147483646" {
		t.Errorf("count(cap-1) = %q", got)
	}
	if got := count(saturated); got != "more than 2147483647" {
		t.Errorf("count(cap) = %q", got)
	}
	if add(2, 3) != 5 || add(saturated, 1) != saturated || times(3, 4) != 12 || times(saturated, 2) != saturated {
		t.Errorf("add(2,3)=%d add(cap,1)=%d times(3,4)=%d times(cap,2)=%d", add(2, 3), add(saturated, 1), times(3, 4), times(saturated, 2))
	}
}

// TestShapeOfOperations measures operations as the limits see them: an alias that renames
// counts, one that repeats the field's own name does not; fragments count where spread; depth
// is the deepest chain; directives are the most on one selection.
func TestShapeOfOperations(t *testing.T) {
	for _, tc := range []struct {
		query                                     string
		fieldsHere, fields, aliases, depth, direc int
	}{
		{`{ a b { c } }`, 2, 3, 0, 2, 0},
		{`{ x: a a: a }`, 2, 2, 1, 1, 0},
		{`{ a { ...F ...F } } fragment F on T { b c { d } }`, 1, 7, 0, 3, 0},
		{`{ ... on T @skip(if: true) @include(if: true) { a } b @skip(if: false) }`, 2, 2, 0, 1, 2},
		{`{ a { ...F @skip(if: true) @include(if: true) @deprecated } } fragment F on T { b }`, 1, 2, 0, 2, 3},
	} {
		doc, err := parser.ParseQuery(&ast.Source{Input: tc.query})
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		m := &measurer{doc: doc, frags: map[string]*shape{}}
		s := m.selections(doc.Operations[0].SelectionSet)
		if s.fieldsHere != tc.fieldsHere || s.fields != tc.fields || s.aliases != tc.aliases || s.depth != tc.depth || s.directives != tc.direc {
			t.Errorf("%s: %+v, want here %d, fields %d, aliases %d, depth %d, directives %d",
				tc.query, *s, tc.fieldsHere, tc.fields, tc.aliases, tc.depth, tc.direc)
		}
	}
}

// TestComplexityLimitByRole: analysts and above get the higher limit, everyone else the
// reader's; a limit of 0 or less is none; the analysts' limit is never under the readers'.
func TestComplexityLimitByRole(t *testing.T) {
	ctx := func(id *incidentgraph.Identity) context.Context {
		if id == nil {
			return context.Background()
		}
		return incidentgraph.WithIdentity(context.Background(), id)
	}
	limit := complexityLimit(100, 1000)
	for _, tc := range []struct {
		id   *incidentgraph.Identity
		want int
	}{
		{nil, 100},
		{&incidentgraph.Identity{Role: incidentgraph.RoleReader, Anonymous: true}, 100},
		{&incidentgraph.Identity{Role: incidentgraph.RoleAnalyst, Anonymous: true}, 100},
		{&incidentgraph.Identity{Name: "r", Role: incidentgraph.RoleReader}, 100},
		{&incidentgraph.Identity{Name: "a", Role: incidentgraph.RoleAnalyst}, 1000},
		{&incidentgraph.Identity{Name: "c", Role: incidentgraph.RoleAdmin}, 1000},
	} {
		if got := limit(ctx(tc.id), nil); got != tc.want {
			t.Errorf("%+v: limit %d, want %d", tc.id, got, tc.want)
		}
	}
	analyst := ctx(&incidentgraph.Identity{Name: "a", Role: incidentgraph.RoleAnalyst})
	if got := complexityLimit(0, 1000)(ctx(nil), nil); got != math.MaxInt {
		t.Errorf("reader limit 0: %d, want none", got)
	}
	if got := complexityLimit(100, 0)(analyst, nil); got != math.MaxInt {
		t.Errorf("analyst limit 0: %d, want none", got)
	}
	if got := complexityLimit(500, 200)(analyst, nil); got != 500 {
		t.Errorf("analyst limit under the reader's: %d, want 500", got)
	}
}

// TestRateLimitBuckets: no limiter for a rate of 0 or less; a burst of 0 is 1; each key has its
// own bucket; a refusal says how long to wait.
func TestRateLimitBuckets(t *testing.T) {
	if newRateLimits(0, 5, nil) != nil || newRateLimits(-1, 5, nil) != nil {
		t.Error("a rate of 0 or less limits")
	}
	now := time.Unix(1_700_000_000, 0)
	l := newRateLimits(1, 0, func() time.Time { return now })
	if l == nil || l.burst != 1 {
		t.Fatalf("burst 0: %+v", l)
	}
	l = newRateLimits(1, 2, func() time.Time { return now })
	for i, want := range []bool{true, true, false} {
		ok, wait := l.allow("a")
		if ok != want || !ok && (wait <= 0 || wait > time.Second) {
			t.Errorf("request %d: allowed %v, wait %v; want allowed %v", i+1, ok, wait, want)
		}
	}
	if ok, _ := l.allow("b"); !ok {
		t.Error("another key shares the first key's bucket")
	}
	now = now.Add(time.Second)
	if ok, _ := l.allow("a"); !ok {
		t.Error("a second later the bucket has not refilled")
	}
}

// TestRequestKeys: the client address without its port (the whole text when it has none), and
// the token name only for a caller with a token.
func TestRequestKeys(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "192.0.2.7:5151"
	if got := clientAddress(r); got != "192.0.2.7" {
		t.Errorf("address %q", got)
	}
	r.RemoteAddr = "pipe"
	if got := clientAddress(r); got != "pipe" {
		t.Errorf("address without a port %q", got)
	}
	if got := tokenName(r); got != "" {
		t.Errorf("no identity: %q", got)
	}
	anon := r.WithContext(incidentgraph.WithIdentity(r.Context(), &incidentgraph.Identity{Name: "x", Role: incidentgraph.RoleReader, Anonymous: true}))
	if got := tokenName(anon); got != "" {
		t.Errorf("anonymous: %q", got)
	}
	named := r.WithContext(incidentgraph.WithIdentity(r.Context(), &incidentgraph.Identity{Name: "desk", Role: incidentgraph.RoleReader}))
	if got := tokenName(named); got != "desk" {
		t.Errorf("token: %q", got)
	}
}

// TestResponseMediaTypeFromAccept: application/json when asked for first, for wildcards and when
// Accept is missing; the GraphQL response type when asked for first or when nothing usable is
// asked for; a part that does not parse is skipped, not taken as a wish.
func TestResponseMediaTypeFromAccept(t *testing.T) {
	for accept, want := range map[string]string{
		"":                   "application/json",
		"application/json":   "application/json",
		"*/*":                "application/json",
		"application/*":      "application/json",
		mediaGraphQLResponse: mediaGraphQLResponse,
		mediaGraphQLResponse + ", application/json": mediaGraphQLResponse,
		"application/json, " + mediaGraphQLResponse: "application/json",
		"text/html":               mediaGraphQLResponse,
		"a b c, application/json": "application/json",
	} {
		r := httptest.NewRequest("GET", "/graphql", nil)
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		if got := responseMediaType(r); got != want {
			t.Errorf("Accept %q: %s, want %s", accept, got, want)
		}
	}
}

// TestQueryLengthAtTheLimit: a query of exactly the limit passes, over GET and POST alike, and
// one byte more is refused as too long.
func TestQueryLengthAtTheLimit(t *testing.T) {
	const limit = 64
	q := func(n int) string { return "{" + strings.Repeat(" ", n-2) + "}" }
	get := func(n int) *requestError {
		return checkGET(httptest.NewRequest("GET", "/graphql?query="+url.QueryEscape(q(n)), nil), limit)
	}
	post := func(n int) *requestError {
		body, _ := json.Marshal(map[string]string{"query": q(n)})
		_, err := checkBody(body, limit)
		return err
	}
	for name, check := range map[string]func(int) *requestError{"GET": get, "POST": post} {
		if err := check(limit); err != nil {
			t.Errorf("%s, a query of %d bytes: %+v", name, limit, err)
		}
		if err := check(limit + 1); err == nil || err.code != CodeQueryTooLong {
			t.Errorf("%s, a query of %d bytes: %+v, want %s", name, limit+1, err, CodeQueryTooLong)
		}
	}
}

// TestBodyEscapesAreNotDuplicates: JSON that encoding/json takes, lone surrogate escapes and
// invalid UTF-8 included, is not mistaken for a body that names a member twice.
func TestBodyEscapesAreNotDuplicates(t *testing.T) {
	for _, body := range []string{
		`{"query": "{ __typename }", "variables": {"a": "\ud800", "b": "\udc00x"}}`,
		"{\"query\": \"{ __typename }\", \"variables\": {\"a\": \"\xff\"}}",
		`{"query": "{ __typename }", "variables": {"a": 1e400}}`,
	} {
		if _, err := checkBody([]byte(body), 1000); err != nil {
			t.Errorf("%q: %+v", body, err)
		}
	}
	if _, err := checkBody([]byte(`{"query": "{ a }", "variables": {"a": 1, "a": 2}}`), 1000); err == nil {
		t.Error("a member named twice accepted")
	}
}

// TestMiscasedMemberIsTheFirstByName: of several members that spell a GraphQL member in another
// case, the one named first in byte order is reported, whatever the map's order.
func TestMiscasedMemberIsTheFirstByName(t *testing.T) {
	members := map[string]json.RawMessage{"query": nil, "vAriables": nil, "Query": nil, "QUERY": nil, "extra": nil}
	for range 20 {
		if name, member := miscasedMember(members); name != "QUERY" || member != "query" {
			t.Fatalf("miscased member %q (%q), want QUERY (query)", name, member)
		}
	}
	if name, _ := miscasedMember(map[string]json.RawMessage{"query": nil, "variables": nil}); name != "" {
		t.Errorf("a body in the right case: %q", name)
	}
}

// TestLegacyStatus: for application/json clients a 422 becomes 200 and its null data goes;
// any other status, and any status for the GraphQL response type, is left as it is, and data
// that is not null stays.
func TestLegacyStatus(t *testing.T) {
	serve := func(contentType string, status int, body string) (int, string) {
		h := legacyStatus(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/graphql", nil))
		return rec.Code, rec.Body.String()
	}
	for _, tc := range []struct {
		ct         string
		status     int
		body       string
		wantStatus int
		wantBody   string
	}{
		{"application/json", 422, `{"errors":[1],"data":null}`, 200, `{"errors":[1]}`},
		{"application/json", 400, `{"errors":[1],"data":null}`, 400, `{"errors":[1]}`},
		{"application/json", 422, `{"errors":[1],"data":{"a":1}}`, 200, `{"errors":[1],"data":{"a":1}}`},
		{"application/json", 422, `{"errors":[1]}`, 200, `{"errors":[1]}`},
		{mediaGraphQLResponse, 422, `{"errors":[1],"data":null}`, 422, `{"errors":[1]}`},
		{"application/json", 500, `{"errors":[1],"data":null}`, 500, `{"errors":[1],"data":null}`},
	} {
		status, body := serve(tc.ct, tc.status, tc.body)
		if status != tc.wantStatus || body != tc.wantBody {
			t.Errorf("%s %d %s: %d %s, want %d %s", tc.ct, tc.status, tc.body, status, body, tc.wantStatus, tc.wantBody)
		}
	}
}

// TestOperationLimitsOffAndAtTheirEdges: a limit of 0 is no limit; an operation exactly at each
// limit passes and one over it is refused with that limit's code.
func TestOperationLimitsOffAndAtTheirEdges(t *testing.T) {
	check := func(l operationLimits, query string) string {
		t.Helper()
		doc, err := parser.ParseQuery(&ast.Source{Input: query})
		if err != nil {
			t.Fatal(err)
		}
		if gerr := l.MutateOperationContext(context.Background(), &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]}); gerr != nil {
			return gerr.Extensions["code"].(string)
		}
		return ""
	}
	// Two root fields, three fields, depth 2, one alias, two directives on one field.
	const q = `{ a x: b @skip(if: false) @include(if: true) { c } }`
	if got := check(operationLimits{}, q); got != "" {
		t.Errorf("no limits: refused with %s", got)
	}
	at := operationLimits{rootFields: 2, fields: 3, depth: 2, aliases: 1, directives: 2}
	if got := check(at, q); got != "" {
		t.Errorf("at every limit: refused with %s", got)
	}
	for code, l := range map[string]operationLimits{
		CodeRootFieldLimit: {rootFields: 1},
		CodeFieldLimit:     {fields: 2},
		CodeDepthLimit:     {depth: 1},
		CodeDirectiveLimit: {directives: 1},
	} {
		if got := check(l, q); got != code {
			t.Errorf("%+v: %q, want %s", l, got, code)
		}
	}
	if got := check(operationLimits{aliases: 1}, `{ x: a y: b }`); got != CodeAliasLimit {
		t.Errorf("two aliases over a limit of 1: %q", got)
	}
}

// TestLoadTrustedDocumentsFile: a manifest written by WriteTrustedDocuments loads from its file;
// a file that is not there is refused naming the reason.
func TestLoadTrustedDocumentsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "manifest.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteTrustedDocuments(f, []string{"{ __typename }", "query Q { __schema { queryType { name } } }"}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	td, err := LoadTrustedDocuments(path)
	if err != nil || td.Len() != 2 {
		t.Fatalf("written manifest: %v, %v", td, err)
	}
	if _, err := LoadTrustedDocuments(path + ".missing"); err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

// TestNamesDocument: a request without a query names its document only with a documentId or a
// persistedQuery that is not null; other extensions name nothing.
func TestNamesDocument(t *testing.T) {
	for _, tc := range []struct {
		documentID bool
		extensions string
		want       bool
	}{
		{true, ``, true},
		{false, ``, false},
		{false, `not json`, false},
		{false, `{}`, false},
		{false, `{"tracing": true}`, false},
		{false, `{"persistedQuery": null}`, false},
		{false, `{"persistedQuery": {"version": 1, "sha256Hash": "ab"}}`, true},
	} {
		if got := namesDocument(tc.documentID, []byte(tc.extensions)); got != tc.want {
			t.Errorf("documentId %v, extensions %q: %v, want %v", tc.documentID, tc.extensions, got, tc.want)
		}
	}
}

// TestPersistedHashWithPersistedQueriesOff: with persisted queries off, a GET that names its
// document by hash alone is refused as not supported, and nothing looks for it in a cache.
func TestPersistedHashWithPersistedQueriesOff(t *testing.T) {
	reached := false
	h := persistedDocuments(nil, nil)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
	ext := `{"persistedQuery":{"version":1,"sha256Hash":"` + DocumentHash("{ __typename }") + `"}}`
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/graphql?extensions="+url.QueryEscape(ext), nil))
	if reached || rec.Code != 400 || !strings.Contains(rec.Body.String(), CodePersistedQueryNotSupported) {
		t.Errorf("reached %v, %d %s", reached, rec.Code, rec.Body.String())
	}
}

// TestPersistedDocumentsPassAndRefuse: with persisted queries off, a plain GET passes untouched;
// with them on, a GET whose documentId is refused stays refused even when its persistedQuery
// hash names a remembered query.
func TestPersistedDocumentsPassAndRefuse(t *testing.T) {
	serve := func(h func(http.Handler) http.Handler, target string) (bool, int) {
		reached := false
		rec := httptest.NewRecorder()
		h(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true })).ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		return reached, rec.Code
	}
	if reached, code := serve(persistedDocuments(nil, nil), "/graphql?query="+url.QueryEscape("{ __typename }")); !reached {
		t.Errorf("a plain GET with persisted queries off: %d, not served", code)
	}
	cache := lru.New[string](10)
	text := "{ __typename }"
	hash := DocumentHash(text)
	cache.Add(context.Background(), hash, text)
	ext := `{"persistedQuery":{"version":1,"sha256Hash":"` + hash + `"}}`
	if reached, code := serve(persistedDocuments(nil, cache), "/graphql?extensions="+url.QueryEscape(ext)); !reached {
		t.Errorf("a remembered query by hash: %d, not served", code)
	}
	if reached, code := serve(persistedDocuments(nil, cache), "/graphql?documentId=sha256:"+hash+"&extensions="+url.QueryEscape(ext)); reached || code != 400 {
		t.Errorf("a documentId without trusted documents: served %v, %d; want 400", reached, code)
	}
}

// TestResolveDocumentIDAndHashTogether: a documentId and a persistedQuery hash that name the
// same document resolve to it; naming different ones is refused.
func TestResolveDocumentIDAndHashTogether(t *testing.T) {
	var b strings.Builder
	text := "{ __typename }"
	if err := WriteTrustedDocuments(&b, []string{text}); err != nil {
		t.Fatal(err)
	}
	trusted, err := ParseTrustedDocuments([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	hash := DocumentHash(text)
	d := &documentRequest{documentID: hash, persisted: hash, hasPQ: true}
	if got, rerr := d.resolve(trusted, false); rerr != nil || got != text {
		t.Errorf("the same document twice: %q, %+v", got, rerr)
	}
	d = &documentRequest{documentID: hash, persisted: DocumentHash("{ a }"), hasPQ: true}
	if _, rerr := d.resolve(trusted, false); rerr == nil || !strings.Contains(rerr.message, "name different documents") {
		t.Errorf("two different documents: %+v", rerr)
	}
}

// TestRewriteKeepsOtherExtensions: the manifest's text replaces the hash; persistedQuery leaves
// the extensions and the others stay, and extensions with nothing else in them go, over GET and
// POST alike.
func TestRewriteKeepsOtherExtensions(t *testing.T) {
	text := "{ __typename }"
	pq := `"persistedQuery":{"version":1,"sha256Hash":"` + DocumentHash(text) + `"}`
	for _, tc := range []struct {
		extensions string
		want       string // the extensions left, "" for none
	}{
		{`{` + pq + `,"tracing":true}`, `{"tracing":true}`},
		{`{` + pq + `}`, ``},
	} {
		d := &documentRequest{extensions: json.RawMessage(tc.extensions)}
		r, rerr := d.rewriteGET(httptest.NewRequest("GET", "/graphql?extensions="+url.QueryEscape(tc.extensions), nil), text)
		if rerr != nil {
			t.Fatalf("GET: %+v", rerr)
		}
		q := r.URL.Query()
		if got, has := q.Get("extensions"), q.Has("extensions"); got != tc.want || has != (tc.want != "") || q.Get("query") != text {
			t.Errorf("GET %s: query %q, extensions %q (present %v), want %q", tc.extensions, q.Get("query"), got, has, tc.want)
		}

		members := map[string]json.RawMessage{"extensions": json.RawMessage(tc.extensions)}
		pr := httptest.NewRequest("POST", "/graphql", nil)
		if rerr := d.rewritePOST(pr, members, text); rerr != nil {
			t.Fatalf("POST: %+v", rerr)
		}
		var body map[string]json.RawMessage
		if err := json.NewDecoder(pr.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		got, has := body["extensions"]
		if has != (tc.want != "") || has && string(got) != tc.want || string(body["query"]) != `"`+text+`"` {
			t.Errorf("POST %s: body %s, want extensions %q", tc.extensions, body, tc.want)
		}
	}
}
