package server_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph/server"
)

// TestCompressedRequestBodiesAreRefused: a POST whose Content-Encoding names a coding other
// than identity is refused with 415 UNSUPPORTED_MEDIA_TYPE naming the coding, logged at warn,
// and nothing runs, even when the body is well-formed gzip of a good request; identity, in any
// case, listed or repeated, is no coding at all and the request runs. The controls are the
// identity cases and the same body sent plainly without the header.
func TestCompressedRequestBodiesAreRefused(t *testing.T) {
	db := seededDB(t)
	counter := &searchCounter{DB: db}
	svc := services(t, db, db)
	svc.Graph = counter
	ts := newConfiguredServer(t, server.DefaultConfig(), svc)
	plain := []byte(`{"query":"{ search(text: \"Daesh\") { id } }"}`)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(plain)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		encoding []string // Content-Encoding lines; none: no header
		body     []byte
		coding   string // the coding named in the refusal; "": the request runs
	}{
		{"gzip", []string{"gzip"}, gz.Bytes(), "gzip"},
		{"x-gzip", []string{"x-gzip"}, gz.Bytes(), "x-gzip"},
		{"deflate", []string{"deflate"}, plain, "deflate"},
		{"br", []string{"br"}, plain, "br"},
		{"zstd", []string{"zstd"}, plain, "zstd"},
		{"gzip after identity", []string{"identity, gzip"}, gz.Bytes(), "gzip"},
		{"gzip on a second line", []string{"identity", "gzip"}, gz.Bytes(), "gzip"},
		{"identity", []string{"identity"}, plain, ""},
		{"IDENTITY", []string{"IDENTITY"}, plain, ""},
		{"identity listed twice", []string{" identity ,identity"}, plain, ""},
		{"identity on two lines", []string{"identity", "Identity"}, plain, ""},
		{"no Content-Encoding", nil, plain, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := newRequest(t, http.MethodPost, ts.URL+"/graphql", jsonCT, tc.body)
			for _, v := range tc.encoding {
				req.Header.Add("Content-Encoding", v)
			}
			before := counter.n.Load()
			a := ts.do(t, req)
			ran := counter.n.Load() - before
			errs := a.errors(t)
			if tc.coding == "" {
				if a.status != 200 || len(errs) != 0 || ran != 1 {
					t.Errorf("status %d, %d searches run, %s; want 200 and one search", a.status, ran, a.body)
				}
				return
			}
			if a.status != http.StatusUnsupportedMediaType || len(errs) != 1 || errs[0].Extensions["code"] != server.CodeMediaType ||
				!strings.Contains(errs[0].Message, `Content-Encoding "`+tc.coding+`" are not supported`) {
				t.Errorf("status %d, errors %+v; want 415 %s naming %q", a.status, errs, server.CodeMediaType, tc.coding)
			}
			if ran != 0 {
				t.Errorf("%d searches ran for a refused request", ran)
			}
			if lvl := a.worstLevel(); lvl != zerolog.WarnLevel {
				t.Errorf("logged at %s, want warn", lvl)
			}
		})
	}
}
