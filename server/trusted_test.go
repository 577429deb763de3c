package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph/server"
)

const gqlResponseCT = "application/graphql-response+json"

// searchDoc is a document the tests name by hash; its answer comes from the real store.
const searchDoc = `query TrustedSearch { search(text: "Moscow", first: 3) { id name } }`

const retractDoc = `mutation Retract { retractRelationship(id: "r-1", version: 1, reason: "test") { id } }`

// curateDoc is a listed mutation.
const curateDoc = "mutation Curate($input: AddRelationshipInput!, $key: String) {\n  addRelationship(input: $input, idempotencyKey: $key) { id }\n}\n"

// persistedBody is a POST body naming a document by Apollo's persistedQuery hash, with the text
// when query is not empty.
func persistedBody(t *testing.T, hash, query string) []byte {
	t.Helper()
	m := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}}
	if query != "" {
		m["query"] = query
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (ts *testServer) postJSON(t *testing.T, body []byte, accept string) *answer {
	t.Helper()
	req := newRequest(t, http.MethodPost, ts.URL+"/graphql", jsonCT, body)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return ts.do(t, req)
}

func (ts *testServer) getParams(t *testing.T, params url.Values) *answer {
	t.Helper()
	return ts.do(t, newRequest(t, http.MethodGet, ts.URL+"/graphql?"+params.Encode(), "", nil))
}

// data returns the answer's data, failing unless it is a 200 without errors.
func (a *answer) data(t *testing.T) string {
	t.Helper()
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []any           `json:"errors"`
	}
	if err := json.Unmarshal(a.body, &r); err != nil || a.status != http.StatusOK || len(r.Errors) > 0 || len(r.Data) == 0 || string(r.Data) == "null" {
		t.Fatalf("status %d, body %s: want data without errors", a.status, a.body)
	}
	return string(r.Data)
}

// refused checks a refusal's status, its one error's code and the warn line that logged it.
func (a *answer) refused(t *testing.T, status int, code string) {
	t.Helper()
	errs := a.errors(t)
	if a.status != status || len(errs) != 1 || errs[0].Extensions["code"] != code {
		t.Fatalf("status %d, body %s; want %d and one error coded %s", a.status, a.body, status, code)
	}
}

func (a *answer) loggedWarn(t *testing.T, code string) {
	t.Helper()
	for _, l := range a.logs {
		if l["level"] == "warn" && l["code"] == code {
			if a.worstLevel() > zerolog.WarnLevel {
				t.Errorf("logged above warn: %v", a.logs)
			}
			return
		}
	}
	t.Errorf("no warn line with code %s: %v", code, a.logs)
}

// The Apollo protocol round trip against the real server and Neo4j: a hash alone is not found
// and costs no store call; the hash with its text answers and is remembered; the hash alone
// then answers the same, over POST and GET; a hash that is not the text's is refused.
func TestPersistedQueriesRoundTrip(t *testing.T) {
	db := seededDB(t)
	store := &roundTrips{DB: db}
	ts := newConfiguredServer(t, server.DefaultConfig(), services(t, store, db))
	hash := server.DocumentHash(searchDoc)
	want := ts.postJSON(t, []byte(`{"query":`+quote(searchDoc)+`}`), "").data(t)

	store.n.Store(0)
	a := ts.postJSON(t, persistedBody(t, hash, ""), "")
	// application/json clients get 200, as Apollo's clients expect; the spec's own media type
	// gets 400, as an answer without data must not be 200 for it.
	a.refused(t, http.StatusOK, server.CodePersistedQueryNotFound)
	ts.postJSON(t, persistedBody(t, hash, ""), gqlResponseCT).refused(t, http.StatusBadRequest, server.CodePersistedQueryNotFound)
	if n := store.n.Load(); n != 0 {
		t.Errorf("an unknown hash cost %d store calls", n)
	}

	if got := ts.postJSON(t, persistedBody(t, hash, searchDoc), "").data(t); got != want {
		t.Errorf("hash and text: %s, want %s", got, want)
	}
	if got := ts.postJSON(t, persistedBody(t, hash, ""), "").data(t); got != want {
		t.Errorf("hash alone, once known: %s, want %s", got, want)
	}
	ext := `{"persistedQuery":{"version":1,"sha256Hash":"` + hash + `"}}`
	if got := ts.getParams(t, url.Values{"extensions": {ext}}).data(t); got != want {
		t.Errorf("hash alone over GET: %s, want %s", got, want)
	}

	// A hash that is not the text's is refused before the text is stored or run; the text's
	// own hash stays unknown (the control: it is not found, not answered).
	other := `query Other { search(text: "Kabul", first: 1) { id } }`
	store.n.Store(0)
	a = ts.postJSON(t, persistedBody(t, hash, other), "")
	a.refused(t, http.StatusBadRequest, server.CodePersistedQueryMismatch)
	a.loggedWarn(t, server.CodePersistedQueryMismatch)
	ts.postJSON(t, persistedBody(t, server.DocumentHash(other), ""), "").refused(t, http.StatusOK, server.CodePersistedQueryNotFound)
	if got := ts.postJSON(t, persistedBody(t, hash, ""), "").data(t); got != want {
		t.Errorf("after a mismatch, the hash answers %s, want %s", got, want)
	}
	if n := store.n.Load(); n != 1 {
		t.Errorf("store calls: %d, want 1 (the last answer only)", n)
	}

	// Malformed extensions are the client's mistake, coded and logged at warn.
	for _, body := range []string{
		`{"extensions":{"persistedQuery":{"version":2,"sha256Hash":"` + hash + `"}}}`,
		`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}`,
		`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + strings.ToUpper(hash) + `"}}}`,
		`{"extensions":{"persistedQuery":"x"}}`,
	} {
		a := ts.postJSON(t, []byte(body), "")
		a.refused(t, http.StatusBadRequest, server.CodeBadRequest)
		a.loggedWarn(t, server.CodeBadRequest)
	}
}

// With persisted queries off, a hash is refused with Apollo's code, on which its clients send
// the text; the text alone still answers.
// TestPersistedMutationOverGETIsRefused: a mutation the APQ cache remembers, named by its hash
// alone over GET, is refused as one sent in full is: 405 METHOD_NOT_ALLOWED with a code, logged at
// warn (gqlgen would answer 406 with none). Control: a remembered query named the same way answers.
func TestPersistedMutationOverGETIsRefused(t *testing.T) {
	db := seededDB(t)
	ts := newConfiguredServer(t, server.DefaultConfig(), services(t, db, db))
	mutation := `mutation { retractRelationship(id: "no-such-rel", version: 1, reason: "r") { id } }`
	// Stored by the POST that sends hash and text (anonymous: refused when it runs, remembered
	// before).
	ts.postJSON(t, persistedBody(t, server.DocumentHash(mutation), mutation), "")
	ext := func(doc string) url.Values {
		return url.Values{"extensions": {`{"persistedQuery":{"version":1,"sha256Hash":"` + server.DocumentHash(doc) + `"}}`}}
	}
	a := ts.getParams(t, ext(mutation))
	a.refused(t, http.StatusMethodNotAllowed, server.CodeMethodNotAllowed)
	a.loggedWarn(t, server.CodeMethodNotAllowed)
	ts.postJSON(t, persistedBody(t, server.DocumentHash(searchDoc), searchDoc), "")
	if got := ts.getParams(t, ext(searchDoc)).data(t); got == "" || got == "null" {
		t.Errorf("a remembered query named by its hash over GET: %q", got)
	}
}

func TestPersistedQueriesOff(t *testing.T) {
	db := seededDB(t)
	cfg := server.DefaultConfig()
	cfg.PersistedQueries = 0
	ts := newConfiguredServer(t, cfg, services(t, db, db))
	hash := server.DocumentHash(searchDoc)
	for _, body := range [][]byte{persistedBody(t, hash, ""), persistedBody(t, hash, searchDoc), []byte(`{"documentId":"sha256:` + hash + `"}`)} {
		a := ts.postJSON(t, body, "")
		a.refused(t, http.StatusBadRequest, server.CodePersistedQueryNotSupported)
		a.loggedWarn(t, server.CodePersistedQueryNotSupported)
	}
	ts.postJSON(t, []byte(`{"query":`+quote(searchDoc)+`}`), "").data(t)
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func trustedManifest(t *testing.T, docs ...string) *server.TrustedDocuments {
	t.Helper()
	var b bytes.Buffer
	if err := server.WriteTrustedDocuments(&b, docs); err != nil {
		t.Fatal(err)
	}
	m, err := server.ParseTrustedDocuments(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// With a trusted manifest, a listed document answers whether named by documentId, by Apollo's
// hash or sent as its exact text; anything else is refused before any Cypher runs, with a 4xx,
// a specific code and a warn line. The controls: the same requests answer with the switch off.
func TestTrustedDocumentsOnly(t *testing.T) {
	db := seededDB(t)
	store := &roundTrips{DB: db}
	hash := server.DocumentHash(searchDoc)
	unlisted := `query Unlisted { search(text: "Moscow", first: 3) { id } }`
	reformatted := strings.Replace(searchDoc, "{ search", "{\n  search", 1) // the same query, other text

	open := newConfiguredServer(t, server.DefaultConfig(), services(t, store, db))
	want := open.postJSON(t, []byte(`{"query":`+quote(searchDoc)+`}`), "").data(t)
	// Controls: with the switch off, the unlisted and reformatted documents run and cost Cypher.
	for _, q := range []string{unlisted, reformatted} {
		store.n.Store(0)
		open.postJSON(t, []byte(`{"query":`+quote(q)+`}`), "").data(t)
		if store.n.Load() == 0 {
			t.Fatalf("control: %q ran no store call", q)
		}
	}
	if a := open.postJSON(t, []byte(`{"query":`+quote(retractDoc)+`}`), ""); bytes.Contains(a.body, []byte(server.CodeTrustedDocumentRequired)) || a.status == http.StatusForbidden {
		t.Fatalf("control: the mutation was refused as untrusted with the switch off: %d %s", a.status, a.body)
	}

	cfg := server.DefaultConfig()
	cfg.TrustedDocuments = trustedManifest(t, searchDoc, curateDoc)
	ts := newConfiguredServer(t, cfg, services(t, store, db))

	for name, a := range map[string]*answer{
		"documentId":           ts.postJSON(t, []byte(`{"documentId":"sha256:`+hash+`"}`), ""),
		"persistedQuery hash":  ts.postJSON(t, persistedBody(t, hash, ""), ""),
		"hash and text":        ts.postJSON(t, persistedBody(t, hash, searchDoc), ""),
		"exact text":           ts.postJSON(t, []byte(`{"query":`+quote(searchDoc)+`}`), gqlResponseCT),
		"GET documentId":       ts.getParams(t, url.Values{"documentId": {"sha256:" + hash}}),
		"GET exact text":       ts.getParams(t, url.Values{"query": {searchDoc}}),
		"documentId and extra": ts.postJSON(t, []byte(`{"documentId":"sha256:`+hash+`","extensions":{"x":1},"operationName":"TrustedSearch"}`), ""),
	} {
		if got := a.data(t); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}

	store.n.Store(0)
	for name, tc := range trustedRefusals(t, ts, hash, unlisted, reformatted) {
		t.Run(name, func(t *testing.T) {
			if f := refusalFault(tc.a, tc.status, tc.code); f != "" {
				t.Error(f)
			}
		})
	}
	if n := store.n.Load(); n != 0 {
		t.Errorf("refused documents cost %d store calls", n)
	}
	// The unlisted query after the refusals still costs a store call where it runs: the counter
	// counts (its negative control).
	open.postJSON(t, []byte(`{"query":`+quote(unlisted)+`}`), "").data(t)
	if store.n.Load() == 0 {
		t.Error("the store counter did not count")
	}

	// Negative control of the refusal checks: the same requests to a server without the gate
	// (no manifest) fail every check the gate decides, and only those (without a manifest an
	// unknown hash is Apollo's "not found", answered 200 for the client to send the text).
	var failed []string
	for name, tc := range trustedRefusals(t, open, hash, unlisted, reformatted) {
		if refusalFault(tc.a, tc.status, tc.code) != "" {
			failed = append(failed, name)
		}
	}
	slices.Sort(failed)
	gated := []string{"introspection", "listed mutation over GET", "reformatted text", "unknown documentId", "unknown hash",
		"unlisted hash + text", "unlisted mutation", "unlisted over GET", "unlisted text"}
	if !slices.Equal(failed, gated) {
		t.Errorf("without the gate the failing checks are %q, want %q", failed, gated)
	}
}

// trustedRefusal is a request a server with the manifest of searchDoc and curateDoc must refuse,
// and how.
type trustedRefusal struct {
	a      *answer
	status int
	code   string
}

// trustedRefusals sends ts the requests that TestTrustedDocumentsOnly expects refused.
func trustedRefusals(t *testing.T, ts *testServer, hash, unlisted, reformatted string) map[string]trustedRefusal {
	return map[string]trustedRefusal{
		"unlisted text":            {ts.postJSON(t, []byte(`{"query":`+quote(unlisted)+`}`), ""), 403, server.CodeTrustedDocumentRequired},
		"reformatted text":         {ts.postJSON(t, []byte(`{"query":`+quote(reformatted)+`}`), gqlResponseCT), 403, server.CodeTrustedDocumentRequired},
		"unlisted over GET":        {ts.getParams(t, url.Values{"query": {unlisted}}), 403, server.CodeTrustedDocumentRequired},
		"unlisted mutation":        {ts.postJSON(t, []byte(`{"query":`+quote(retractDoc)+`}`), ""), 403, server.CodeTrustedDocumentRequired},
		"introspection":            {ts.postJSON(t, []byte(`{"query":"{ __schema { types { name } } }"}`), ""), 403, server.CodeTrustedDocumentRequired},
		"unknown documentId":       {ts.postJSON(t, []byte(`{"documentId":"sha256:`+server.DocumentHash(unlisted)+`"}`), ""), 400, server.CodePersistedQueryNotFound},
		"unknown hash":             {ts.postJSON(t, persistedBody(t, server.DocumentHash(unlisted), ""), ""), 400, server.CodePersistedQueryNotFound},
		"unlisted hash + text":     {ts.postJSON(t, persistedBody(t, server.DocumentHash(unlisted), unlisted), ""), 403, server.CodeTrustedDocumentRequired},
		"listed hash, other text":  {ts.postJSON(t, persistedBody(t, hash, unlisted), ""), 400, server.CodePersistedQueryMismatch},
		"documentId not sha256":    {ts.postJSON(t, []byte(`{"documentId":"`+hash+`"}`), ""), 400, server.CodeBadRequest},
		"documentId a number":      {ts.postJSON(t, []byte(`{"documentId":1}`), ""), 400, server.CodeBadRequest},
		"listed mutation over GET": {ts.getParams(t, url.Values{"documentId": {"sha256:" + server.DocumentHash(curateDoc)}}), 405, server.CodeMethodNotAllowed},
	}
}

// refusalFault says what is wrong with a as a refusal with status and one error coded code,
// logged at warn and no higher ("": nothing).
func refusalFault(a *answer, status int, code string) string {
	var r struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(a.body, &r); err != nil || a.status != status || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != code {
		return fmt.Sprintf("status %d, body %s; want %d and one error coded %s", a.status, a.body, status, code)
	}
	for _, l := range a.logs {
		if l["level"] == "warn" && l["code"] == code {
			if a.worstLevel() > zerolog.WarnLevel {
				return fmt.Sprintf("logged above warn: %v", a.logs)
			}
			return ""
		}
	}
	return fmt.Sprintf("no warn line with code %s: %v", code, a.logs)
}

// A manifest is refused whole when it cannot be read as one, when a hash is not its document's,
// or when a document does not parse; the error says which key and why.
func TestTrustedManifestIsChecked(t *testing.T) {
	good := `{"sha256:` + server.DocumentHash(searchDoc) + `":` + quote(searchDoc) + `}`
	if m, err := server.ParseTrustedDocuments([]byte(good)); err != nil || m.Len() != 1 {
		t.Fatalf("a good manifest: %v", err)
	}
	bare := `{"` + server.DocumentHash(searchDoc) + `":` + quote(searchDoc) + `}`
	if _, err := server.ParseTrustedDocuments([]byte(bare)); err != nil {
		t.Fatalf("bare hex keys: %v", err)
	}
	broken := "query { search(text: \"x\") { id }"
	for name, tc := range map[string]struct{ manifest, want string }{
		"not JSON":        {`{"sha256:`, "not a manifest"},
		"an array":        {`["query { a }"]`, "not a manifest"},
		"not strings":     {`{"a": 1}`, "not a manifest"},
		"empty":           {`{}`, "no documents"},
		"bad key":         {`{"md5:abc":` + quote(searchDoc) + `}`, `key "md5:abc" is not a SHA-256`},
		"upper-case hash": {`{"` + strings.ToUpper(server.DocumentHash(searchDoc)) + `":` + quote(searchDoc) + `}`, "not a SHA-256"},
		"edited text":     {`{"sha256:` + server.DocumentHash(searchDoc) + `":` + quote(searchDoc+" ") + `}`, "the SHA-256 of its document is " + server.DocumentHash(searchDoc+" ")},
		"does not parse":  {`{"sha256:` + server.DocumentHash(broken) + `":` + quote(broken) + `}`, "does not parse"},
	} {
		if _, err := server.ParseTrustedDocuments([]byte(tc.manifest)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, tc.want)
		}
	}
	if _, err := server.LoadTrustedDocuments("/nonexistent/manifest.json"); err == nil || !strings.Contains(err.Error(), "/nonexistent/manifest.json") {
		t.Errorf("a missing file: %v", err)
	}
}
