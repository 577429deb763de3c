package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// The example queries GraphiQL opens as tabs (src/examples.js takes the same
// files through Vite), one file per query:
//
//	examples/NN-slug.graphql          the query, starting with `#` comment lines;
//	                                  the first one, without "# ", is the title.
//	                                  NN (01, 02 …) gives the order.
//	examples/NN-slug.variables.json   optional: its variables, a JSON object.
//
//go:embed examples/*.graphql examples/*.json
var examplesFS embed.FS

// Example is one example query, as GraphiQL shows it in a tab.
type Example struct {
	Name      string         // the file name without extension, e.g. "01-isk-affiliations"
	Title     string         // the query's first comment line, without "# "
	Query     string         // the file's text, exactly
	Variables map[string]any // nil when the example has no variables file
}

// Examples returns the example queries in file (tab) order.
func Examples() ([]Example, error) {
	return readExamples(examplesFS)
}

func readExamples(fsys fs.FS) ([]Example, error) {
	entries, err := fs.ReadDir(fsys, "examples")
	if err != nil {
		return nil, err
	}
	files := map[string]bool{}
	var names []string
	for _, e := range entries {
		files[e.Name()] = true
		if n, ok := strings.CutSuffix(e.Name(), ".graphql"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	examples := make([]Example, 0, len(names))
	for _, n := range names {
		q, err := fs.ReadFile(fsys, path.Join("examples", n+".graphql"))
		if err != nil {
			return nil, err
		}
		first, _, _ := strings.Cut(string(q), "\n")
		title, ok := strings.CutPrefix(strings.TrimSpace(first), "#")
		title = strings.TrimSpace(title)
		if !ok || title == "" {
			return nil, fmt.Errorf("examples/%s.graphql: the first line must be a \"# title\" comment", n)
		}
		ex := Example{Name: n, Title: title, Query: string(q)}
		if varsFile := n + ".variables.json"; files[varsFile] {
			b, err := fs.ReadFile(fsys, path.Join("examples", varsFile))
			if err != nil {
				return nil, err
			}
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber() // numbers as written, not float64
			if err := dec.Decode(&ex.Variables); err != nil {
				return nil, fmt.Errorf("examples/%s: %w", varsFile, err)
			}
			if ex.Variables == nil || dec.More() {
				return nil, fmt.Errorf("examples/%s: want one JSON object", varsFile)
			}
		}
		examples = append(examples, ex)
	}
	for f := range files {
		if n, ok := strings.CutSuffix(f, ".variables.json"); ok && !files[n+".graphql"] {
			return nil, fmt.Errorf("examples/%s: no %s.graphql beside it", f, n)
		}
	}
	return examples, nil
}
