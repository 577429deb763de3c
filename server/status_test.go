package server

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

// statusTable is every code answered alone, with its status: the README's error tables.
var statusTable = map[string]int{
	incidentgraph.EINVALID:         http.StatusBadRequest,
	incidentgraph.ECYPHER:          http.StatusBadRequest,
	incidentgraph.EUNAUTHENTICATED: http.StatusUnauthorized,
	incidentgraph.EFORBIDDEN:       http.StatusForbidden,
	incidentgraph.ENOTFOUND:        http.StatusNotFound,
	incidentgraph.ECONFLICT:        http.StatusConflict,
	incidentgraph.EUNAVAIL:         http.StatusServiceUnavailable,
	incidentgraph.ETIMEOUT:         http.StatusGatewayTimeout,
	incidentgraph.ECANCELED:        499,
	incidentgraph.EINTERNAL:        http.StatusInternalServerError,

	CodeBadRequest:                 http.StatusBadRequest,
	CodeBatching:                   http.StatusBadRequest,
	CodeQueryTooLong:               http.StatusBadRequest,
	CodePersistedQueryNotFound:     http.StatusBadRequest,
	CodePersistedQueryMismatch:     http.StatusBadRequest,
	CodePersistedQueryNotSupported: http.StatusBadRequest,
	CodeTrustedDocumentRequired:    http.StatusForbidden,
	CodeMethodNotAllowed:           http.StatusMethodNotAllowed,
	CodePayloadTooLarge:            http.StatusRequestEntityTooLarge,
	CodeMediaType:                  http.StatusUnsupportedMediaType,
	CodeNotAcceptable:              http.StatusNotAcceptable,
	CodeRateLimited:                http.StatusTooManyRequests,
	CodeOverloaded:                 http.StatusServiceUnavailable,

	"NO_SUCH_CODE": http.StatusInternalServerError, // a code without a status of its own
}

// declaredCodes reads the values of the string constants a Go file declares, those whose name
// passes keep.
func declaredCodes(t *testing.T, file string, keep func(name string) bool) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING && keep(name.Name) {
					v, _ := strconv.Unquote(lit.Value)
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// missingCodes lists the codes that table does not hold.
func missingCodes(table map[string]int, codes []string) []string {
	var out []string
	for _, c := range codes {
		if _, ok := table[c]; !ok {
			out = append(out, c)
		}
	}
	return out
}

// TestEveryCodeHasOneStatus: httpStatus answers each code of the table with its status, and the
// table holds every code of the domain (error.go) and every code the server refuses a request
// with (httpspec.go, trusted.go, taxii.go), read from their sources, so that a new code cannot go without
// a status. Controls: a code no one declared answers 500, and a table without CONFLICT and
// CANCELED is caught by the same coverage check.
func TestEveryCodeHasOneStatus(t *testing.T) {
	for code, want := range statusTable {
		if got := httpStatus(code); got != want {
			t.Errorf("%s: %d, want %d", code, got, want)
		}
	}
	codes := declaredCodes(t, "../error.go", func(n string) bool { return strings.HasPrefix(n, "E") })
	for _, f := range []string{"httpspec.go", "trusted.go", "taxii.go"} {
		codes = append(codes, declaredCodes(t, f, func(n string) bool { return strings.HasPrefix(n, "Code") })...)
	}
	for _, c := range []string{incidentgraph.ECONFLICT, incidentgraph.ECANCELED, CodeOverloaded, CodeTrustedDocumentRequired, CodeNotAcceptable} {
		if !slices.Contains(codes, c) {
			t.Fatalf("reading the declared codes missed %s: %v", c, codes)
		}
	}
	if m := missingCodes(statusTable, codes); len(m) > 0 {
		t.Errorf("codes without a row in the table: %v", m)
	}
	t.Run("negative control: a table without CONFLICT and CANCELED", func(t *testing.T) {
		short := map[string]int{}
		for c, s := range statusTable {
			if c != incidentgraph.ECONFLICT && c != incidentgraph.ECANCELED {
				short[c] = s
			}
		}
		if m := missingCodes(short, codes); !slices.Equal(m, []string{incidentgraph.ECONFLICT, incidentgraph.ECANCELED}) {
			t.Errorf("missing %v, want CONFLICT and CANCELED", m)
		}
	})
}
