package neo4j

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/patterns"
)

// UsePatterns checks the saved patterns and, when every one passes, makes them the ones
// Patterns lists and RunPattern runs; otherwise the patterns in use stay as they were. Each
// must be well formed (patterns.Check: every $parameter declared, every declaration used)
// and pass CheckCypher with sample arguments of its declared types, which refuses writes and
// queries the guard does not allow, and plans the query without running it. A bad pattern
// fails the server's start, not an analyst's request.
func (db *DB) UsePatterns(ctx context.Context, ps []*incidentgraph.Pattern) error {
	sorted := slices.Clone(ps)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	var errs []error
	for i, p := range sorted {
		if i > 0 && sorted[i-1].Name == p.Name {
			errs = append(errs, fmt.Errorf("pattern %s: defined twice", p.Name))
			continue
		}
		if err := patterns.Check(p); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := db.CheckCypher(ctx, p.Cypher, sampleParams(p)); err != nil {
			errs = append(errs, fmt.Errorf("pattern %s: %w", p.Name, err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	db.patterns.Store(&sorted)
	return nil
}

// sampleParams gives every declared parameter a value of its type, so that the plan is made
// as for a real call: a default where there is one, a placeholder otherwise.
func sampleParams(p *incidentgraph.Pattern) map[string]any {
	out := make(map[string]any, len(p.Params))
	for _, pp := range p.Params {
		if pp.Default != nil {
			out[pp.Name] = pp.Default
			continue
		}
		switch pp.Type {
		case "INT":
			out[pp.Name] = int64(0)
		case "FLOAT":
			out[pp.Name] = 0.0
		case "BOOLEAN":
			out[pp.Name] = false
		case "DATE":
			out[pp.Name] = "2000-01-01"
		case "STRING_LIST":
			out[pp.Name] = []string{"sample"}
		default: // STRING, ID
			out[pp.Name] = "sample"
		}
	}
	return out
}

// Patterns lists the patterns in use, by name.
func (db *DB) Patterns() []*incidentgraph.Pattern {
	ps := db.patterns.Load()
	if ps == nil {
		return []*incidentgraph.Pattern{}
	}
	return slices.Clone(*ps)
}

// RunPattern runs a pattern in use with params bound to its declaration (patterns.Bind):
// read-only, with limit rows at most. UsePatterns checked its text as RunCypher checks an
// analyst's query, so it runs without a second EXPLAIN.
func (db *DB) RunPattern(ctx context.Context, name string, params map[string]any, limit int) (*incidentgraph.CypherResult, error) {
	var p *incidentgraph.Pattern
	if ps := db.patterns.Load(); ps != nil {
		if i, ok := slices.BinarySearchFunc(*ps, name, func(p *incidentgraph.Pattern, n string) int { return strings.Compare(p.Name, n) }); ok {
			p = (*ps)[i]
		}
	}
	if p == nil {
		return nil, incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no pattern named %q; see `patterns`", name)
	}
	bound, err := patterns.Bind(p, params)
	if err != nil {
		return nil, err
	}
	return db.runChecked(ctx, p.Cypher, bound, limit)
}
