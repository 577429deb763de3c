package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/export"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/server"
)

func exportServer(t *testing.T, db *neo4j.DB, cfg server.Config) (*httptest.Server, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	svc := server.Services{Graph: db, Analyst: db, Cypher: db, Tokens: db, DB: db, Whole: db}
	ts := httptest.NewServer(server.NewServer(zerolog.New(logs), cfg, svc))
	t.Cleanup(ts.Close)
	return ts, logs
}

type download struct {
	status int
	header http.Header
	body   []byte
}

func getExport(t *testing.T, base, query, authorization string) *download {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/export?"+query, nil)
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
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &download{status: resp.StatusCode, header: resp.Header, body: b}
}

// errorCode reads a GraphQL-shaped error body: {"errors":[{"message":…,"extensions":{"code":…}}]}.
func (d *download) errorCode(t *testing.T) (code, message string) {
	t.Helper()
	var body struct {
		Errors []struct {
			Message    string            `json:"message"`
			Extensions map[string]string `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(d.body, &body); err != nil || len(body.Errors) != 1 {
		t.Fatalf("status %d, body %q is not one GraphQL error (%v)", d.status, d.body, err)
	}
	return body.Errors[0].Extensions["code"], body.Errors[0].Message
}

const (
	exportISK    = "islamic-state-khorasan-province"
	exportKabul  = "kabul-airport-bombing-2021"
	exportMoscow = "moscow-concert-hall-attack-2024"
)

func TestExportDownloads(t *testing.T) {
	db := seededDB(t)
	ts, _ := exportServer(t, db, server.DefaultConfig())
	ctx := context.Background()
	want := map[export.Format]struct{ contentType, ext string }{
		export.Cytoscape: {"application/json", "cyjs"},
		export.GraphML:   {"application/graphml+xml", "graphml"},
		export.GEXF:      {"application/gexf+xml", "gexf"},
		export.CSV:       {"application/zip", "zip"},
		export.STIX:      {"application/stix+json;version=2.1", "json"},
	}
	for _, c := range []struct{ query, subject string }{
		{"of=neighborhood&id=" + exportISK + "&minConfidence=50", "neighborhood-" + exportISK},
		{"of=path&from=" + exportKabul + "&to=" + exportMoscow, "path-" + exportKabul + "--" + exportMoscow},
	} {
		for _, f := range export.Formats {
			q := "format=" + string(f) + "&" + c.query
			d := getExport(t, ts.URL, q, "")
			if d.status != http.StatusOK {
				t.Fatalf("%s: status %d: %s", q, d.status, d.body)
			}
			if ct := d.header.Get("Content-Type"); ct != want[f].contentType {
				t.Errorf("%s: Content-Type %q, want %q", q, ct, want[f].contentType)
			}
			name := `attachment; filename="incidentgraph-` + c.subject + "." + want[f].ext + `"`
			if cd := d.header.Get("Content-Disposition"); cd != name {
				t.Errorf("%s: Content-Disposition %q, want %q", q, cd, name)
			}
			// The body is the export package's file for the same request, built here from the
			// database directly (the package's own tests compare that with the subgraph).
			values, _ := url.ParseQuery(q)
			r, err := export.ParseRequest(values)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := export.Build(ctx, export.Services{Graph: db, Analyst: db}, r)
			if err != nil {
				t.Fatal(err)
			}
			var direct bytes.Buffer
			if err := export.Write(&direct, f, doc); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(d.body, direct.Bytes()) {
				t.Errorf("%s: the download differs from the export of the same subgraph", q)
			}
			if again := getExport(t, ts.URL, q, ""); !bytes.Equal(again.body, d.body) {
				t.Errorf("%s: a second download differs", q)
			}
			// Negative control: another subgraph is another file.
			if other := getExport(t, ts.URL, q+"&assertedBy=associated-press", ""); other.status != http.StatusOK || bytes.Equal(other.body, d.body) {
				t.Errorf("%s: narrowed to the AP's assertions: status %d, same bytes %v", q, other.status, bytes.Equal(other.body, d.body))
			}
		}
	}
}

func TestExportRefusesBadArgumentsAndUnknownEntities(t *testing.T) {
	db := seededDB(t)
	ts, logs := exportServer(t, db, server.DefaultConfig())
	for _, c := range []struct {
		query   string
		status  int
		code    string
		message string
	}{
		{"format=png&of=neighborhood&id=" + exportISK, 400, incidentgraph.EINVALID, `format: give one of cytoscape, graphml, gexf, csv, stix, geojson (got "png")`},
		{"format=gexf&of=neighborhood&id=" + exportISK + "&depth=4", 400, incidentgraph.EINVALID, "depth must be a whole number between 1 and 3"},
		{"format=gexf&of=paths&from=" + exportKabul + "&to=" + exportMoscow + "&first=21", 400, incidentgraph.EINVALID, "first must be a whole number between 1 and 20"},
		{"format=csv&of=neighborhood&id=" + exportISK + "&types=NOT_A_TYPE", 400, incidentgraph.EINVALID, `types: "NOT_A_TYPE" is not a relationship type`},
		{"format=csv&of=neighborhood&id=" + exportISK + "&knownAt=2024-02-30", 400, incidentgraph.EINVALID, "knownAt: "},
		{"format=csv&of=neighborhood&id=no-such-group", 404, incidentgraph.ENOTFOUND, `no entity with id "no-such-group"`},
		{"format=csv&of=path&from=" + exportKabul + "&to=no-such-attack", 404, incidentgraph.ENOTFOUND, `no entity with id "no-such-attack"`},
	} {
		d := getExport(t, ts.URL, c.query, "")
		code, message := d.errorCode(t)
		if d.status != c.status || code != c.code || !strings.Contains(message, c.message) {
			t.Errorf("%s: %d %s %q, want %d %s %q", c.query, d.status, code, message, c.status, c.code, c.message)
		}
		if ct := d.header.Get("Content-Type"); ct != "application/json" || d.header.Get("Content-Disposition") != "" {
			t.Errorf("%s: an error answered as %q, %q", c.query, ct, d.header.Get("Content-Disposition"))
		}
	}
	// Refusals are logged at warn with the request id, never as errors.
	var warned int
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var l map[string]any
		if json.Unmarshal([]byte(line), &l) != nil {
			t.Fatalf("log line %q", line)
		}
		if l["message"] == "export refused" {
			warned++
			if l["level"] != "warn" || l["req_id"] == nil {
				t.Errorf("refusal logged as %v", l)
			}
		}
		if l["level"] == "error" {
			t.Errorf("error logged: %v", l)
		}
	}
	if warned != 7 {
		t.Errorf("%d refusals logged, want 7", warned)
	}
	// Only GET exports (a POST falls through to the web pages' handler, which has no such page).
	resp, err := http.Post(ts.URL+"/export?format=csv&of=neighborhood&id="+exportISK, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK || resp.Header.Get("Content-Disposition") != "" {
		t.Errorf("POST /export: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
}

func TestExportNeedsATokenWhenAnonymousAccessIsNone(t *testing.T) {
	db := seededDB(t)
	cfg := server.DefaultConfig()
	cfg.AnonymousAccess = server.AnonymousNone
	ts, _ := exportServer(t, db, cfg)
	q := "format=graphml&of=network&id=islamic-state"

	d := getExport(t, ts.URL, q, "")
	if code, _ := d.errorCode(t); d.status != http.StatusUnauthorized || code != incidentgraph.EUNAUTHENTICATED {
		t.Errorf("without a token: %d %s", d.status, code)
	}
	if d := getExport(t, ts.URL, q, "Bearer igt_"+strings.Repeat("x", 43)); d.status != http.StatusUnauthorized {
		t.Errorf("with a wrong token: %d", d.status)
	}
	// A reader's token is enough: the same request with it is a download.
	name := "export-reader-" + strconv.FormatInt(time.Now().UnixNano(), 36) // unique across -count runs
	secret, err := db.CreateToken(context.Background(), name, incidentgraph.RoleReader, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := getExport(t, ts.URL, q, "Bearer "+secret); d.status != http.StatusOK || d.header.Get("Content-Type") != "application/graphml+xml" {
		t.Errorf("with a reader's token: %d %s", d.status, d.body)
	}
}
