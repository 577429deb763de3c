package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/patterns"
	"github.com/incidentgraph/incidentgraph/server"
)

// FuzzGraphQLHandler sends the real server (over the seeded test database) requests of any
// method, media types, query string and body. Whatever comes in, the server must not panic, must
// answer JSON, must not answer 5xx, must give every error a code that is not INTERNAL, and must
// log nothing at error level: a malformed request is the client's mistake. The seed corpus is in
// testdata/fuzz/FuzzGraphQLHandler; `go test` runs it as ordinary tests.
func FuzzGraphQLHandler(f *testing.F) {
	db := testdb.MustOpen(f)
	seedOnce.Do(func() { testdb.MustSeed(f, db) })
	ps, err := patterns.Read(patterns.Embedded())
	if err != nil {
		f.Fatal(err)
	}
	if err := db.UsePatterns(context.Background(), ps); err != nil {
		f.Fatal(err)
	}
	// Errors are counted, the rest of the log discarded: a fuzzing run sends millions.
	var errorsLogged atomic.Int64
	logger := zerolog.New(io.Discard).Hook(zerolog.HookFunc(func(_ *zerolog.Event, level zerolog.Level, _ string) {
		if level >= zerolog.ErrorLevel {
			errorsLogged.Add(1)
		}
	}))
	cfg := server.DefaultConfig()
	cfg.MaxInFlight = 0 // the fuzzer's workers must not be shed
	h := server.NewServer(logger, cfg, server.Services{Graph: db, Analyst: db, Cypher: db, Tokens: db, DB: db})
	f.Add("POST", "application/json", "", "", []byte(`{"query":"{ __typename }"}`))
	f.Add("GET", "", "application/graphql-response+json", "query=%7B__typename%7D", []byte(nil))
	// Documents named by hash (persisted queries, documentId) rather than sent as text.
	f.Add("POST", "application/json", "", "", []byte(`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38"}}}`))
	f.Add("GET", "", "", `extensions=%7B%22persistedQuery%22%3A%7B%22version%22%3A1%2C%22sha256Hash%22%3A%22x%22%7D%7D`, []byte(nil))
	f.Add("POST", "application/json", "", "", []byte(`{"documentId":"sha256:ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38"}`))
	f.Fuzz(func(t *testing.T, method, contentType, accept, rawQuery string, body []byte) {
		req, err := http.NewRequest(method, "/graphql?"+rawQuery, bytes.NewReader(body))
		if err != nil {
			t.Skip() // not a request a client can send
		}
		req.RemoteAddr = "192.0.2.1:1234"
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		before := errorsLogged.Load()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if method == http.MethodHead || method == http.MethodOptions && rec.Body.Len() == 0 {
			return // no body: the allowed methods are in the headers
		}
		var r struct {
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			t.Fatalf("status %d, body %q is not JSON: %v", rec.Code, rec.Body, err)
		}
		for _, e := range r.Errors {
			code, _ := e.Extensions["code"].(string)
			if code == "" || code == incidentgraph.EINTERNAL {
				t.Fatalf("status %d, error %q has code %q", rec.Code, e.Message, code)
			}
		}
		if errorsLogged.Load() != before {
			t.Fatalf("status %d, %s: logged at error level", rec.Code, rec.Body)
		}
	})
}
