package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// unavailableTokens is the real store with token checks failing as an unreachable Neo4j fails
// them.
type unavailableTokens struct{ *neo4j.DB }

func (unavailableTokens) Authenticate(context.Context, string) (*incidentgraph.Token, error) {
	return nil, incidentgraph.Errorf(incidentgraph.EUNAVAIL, "neo4j is unreachable")
}

// codedAnswer GETs url with the Authorization header given ("" for none) and returns the status
// and the first error's code ("" for none).
func codedAnswer(t *testing.T, url, authorization string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var body struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(b, &body) // an export's file is not JSON: no code
	if len(body.Errors) == 0 {
		return resp.StatusCode, ""
	}
	code, _ := body.Errors[0].Extensions["code"].(string)
	return resp.StatusCode, code
}

const statusExportQuery = "/export?format=gexf&of=neighborhood&id=islamic-state-khorasan-province"

// TestBothEndpointsAnswerACodeWithItsStatus: a request refused before any GraphQL or export ran
// gets the same code, with the status httpStatus gives it, from /graphql and /export: a bad or
// malformed token, no token where one is needed, a token that cannot be checked, the address's
// rate spent. Control: the same requests with a good token (or the first within the rate) are
// answered on both.
func TestBothEndpointsAnswerACodeWithItsStatus(t *testing.T) {
	f := newAuthFixture(t)
	real := Services{Graph: f.db, Analyst: f.db, Cypher: f.db, Tokens: f.db, DB: f.db}
	noAnonymous := DefaultConfig()
	noAnonymous.AnonymousAccess = AnonymousNone
	rated := DefaultConfig()
	rated.RatePerAddress, rated.BurstPerAddress = 1e-9, 1
	broken := real
	broken.Tokens = unavailableTokens{f.db}
	for _, tc := range []struct {
		name          string
		cfg           Config
		svc           Services
		authorization string
		first         bool // the first request of each endpoint is answered, the second refused
		code          string
	}{
		{"a wrong token", DefaultConfig(), real, "Bearer not-a-token", false, incidentgraph.EUNAUTHENTICATED},
		{"a malformed Authorization header", DefaultConfig(), real, "Basic YTpi", false, incidentgraph.EUNAUTHENTICATED},
		{"no token where one is needed", noAnonymous, real, "", false, incidentgraph.EUNAUTHENTICATED},
		{"a token that cannot be checked", DefaultConfig(), broken, f.headers["reader"], false, incidentgraph.EUNAVAIL},
		{"the address's rate spent", rated, real, "", true, CodeRateLimited},
	} {
		for _, path := range []string{"/graphql?query=%7B__typename%7D", statusExportQuery} {
			ts := httptest.NewServer(NewServer(zerolog.New(io.Discard), tc.cfg, tc.svc))
			if tc.first {
				if status, code := codedAnswer(t, ts.URL+path, tc.authorization); status != http.StatusOK || code != "" {
					t.Errorf("%s, %s: the first request: %d %s, want it answered", tc.name, path, status, code)
				}
			}
			status, code := codedAnswer(t, ts.URL+path, tc.authorization)
			if code != tc.code || status != httpStatus(tc.code) {
				t.Errorf("%s, %s: %d %s, want %d %s", tc.name, strings.SplitN(path, "?", 2)[0], status, code, httpStatus(tc.code), tc.code)
			}
			ts.Close()
		}
	}
	t.Run("control: a good token is answered on both", func(t *testing.T) {
		ts := httptest.NewServer(NewServer(zerolog.New(io.Discard), noAnonymous, real))
		defer ts.Close()
		for _, path := range []string{"/graphql?query=%7B__typename%7D", statusExportQuery} {
			if status, code := codedAnswer(t, ts.URL+path, f.headers["reader"]); status != http.StatusOK || code != "" {
				t.Errorf("%s: %d %s, want it answered", path, status, code)
			}
		}
	})
}

// TestExportOfAnAbandonedRequest: an export whose client has gone answers CANCELED with 499,
// logged at warn like /graphql's, never as an internal error (it answered 500 and logged an
// error). Control: the same export with its client still there downloads the file.
func TestExportOfAnAbandonedRequest(t *testing.T) {
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	h := handleExport(Services{Graph: db, Analyst: db})
	for _, gone := range []bool{false, true} {
		logs := &authLogs{}
		ctx, cancel := context.WithCancel(zerolog.New(logs).WithContext(context.Background()))
		if gone {
			cancel()
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, statusExportQuery, nil).WithContext(ctx))
		cancel()
		switch {
		case !gone && rec.Code != http.StatusOK:
			t.Errorf("control: the client still there: %d %s", rec.Code, rec.Body)
		case gone && (rec.Code != statusClientClosedRequest || !strings.Contains(rec.Body.String(), `"code":"`+incidentgraph.ECANCELED+`"`)):
			t.Errorf("the client gone: %d %s, want 499 CANCELED", rec.Code, rec.Body)
		case gone && (strings.Contains(logs.String(), `"level":"error"`) || !strings.Contains(logs.String(), `"level":"warn"`)):
			t.Errorf("the client gone: logged\n%s\nwant a warning and no error", logs.String())
		}
	}
}
