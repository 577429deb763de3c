// Package patterns reads the saved patterns: named, described, parameterised read-only Cypher
// queries kept as one reviewable file each (patterns/<name>.cypher), and binds the arguments a
// client sends to a pattern's declared parameters. It does not talk to the database: the neo4j
// package checks each pattern against the server (UsePatterns) and runs it (RunPattern).
//
// A pattern file starts with a header of `//` lines, then the query:
//
//	// name: claimed-vs-attributed
//	// description: Attacks one party claimed while another attributes them to a different group.
//	// param: minConfidence INT = 0 "Only attributions at least this sure (0–100)."
//	// param: incident ID? "Only this incident."
//	MATCH ...
//
// A parameter line is `param: NAME TYPE [= DEFAULT] "DESCRIPTION"`: TYPE is one of
// incidentgraph.PatternParamTypes, a trailing ? makes it optional (null when not given), a
// default makes it optional too. The default and the description are JSON literals, so that
// quoting has one well-known set of rules.
package patterns

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/cypherlex"
)

//go:embed *.cypher
var shipped embed.FS

// Embedded returns the patterns shipped with the binary.
func Embedded() fs.FS { return shipped }

var (
	nameRE  = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	paramRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Read parses every *.cypher file at the top of fsys and returns the patterns sorted by name.
// Every malformed file is reported, each as "file:line: reason".
func Read(fsys fs.FS) ([]*incidentgraph.Pattern, error) {
	files, err := fs.Glob(fsys, "*.cypher")
	if err != nil {
		return nil, err
	}
	var (
		out  []*incidentgraph.Pattern
		errs []error
	)
	for _, f := range files {
		src, err := fs.ReadFile(fsys, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p, err := Parse(f, src)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Parse parses one pattern file; file is its name (for messages and the name check).
func Parse(file string, src []byte) (*incidentgraph.Pattern, error) {
	fail := func(line int, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", file, line, fmt.Sprintf(format, args...))
	}
	lines := strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n")
	p := &incidentgraph.Pattern{}
	nameLine, descLine := 0, 0
	paramLine := map[string]int{}
	header := 0
	for ; header < len(lines); header++ {
		text, ok := strings.CutPrefix(strings.TrimSpace(lines[header]), "//")
		if !ok {
			break
		}
		n := header + 1
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		key, value, ok := strings.Cut(text, ":")
		if !ok {
			return nil, fail(n, "header line is not `key: value` (keys: name, description, param)")
		}
		value = strings.TrimSpace(value)
		switch key {
		case "name":
			if nameLine != 0 {
				return nil, fail(n, "second name (first on line %d)", nameLine)
			}
			nameLine = n
			if !nameRE.MatchString(value) {
				return nil, fail(n, "name %q is not a lowercase slug (a-z, 0-9, single hyphens)", value)
			}
			if want := strings.TrimSuffix(path.Base(file), ".cypher"); value != want {
				return nil, fail(n, "name %q differs from the file name %q", value, want)
			}
			p.Name = value
		case "description":
			if descLine != 0 {
				return nil, fail(n, "second description (first on line %d)", descLine)
			}
			descLine = n
			if value == "" {
				return nil, fail(n, "empty description")
			}
			p.Description = value
		case "param":
			pp, err := parseParam(value)
			if err != nil {
				return nil, fail(n, "%v", err)
			}
			if first, dup := paramLine[pp.Name]; dup {
				return nil, fail(n, "parameter %q declared twice (first on line %d)", pp.Name, first)
			}
			paramLine[pp.Name] = n
			p.Params = append(p.Params, pp)
		default:
			return nil, fail(n, "unknown header key %q (keys: name, description, param)", key)
		}
	}
	if nameLine == 0 {
		return nil, fail(1, "missing `// name:` header line")
	}
	if descLine == 0 {
		return nil, fail(1, "missing `// description:` header line")
	}
	query := strings.Join(lines[header:], "\n")
	used, err := params(query)
	var lerr *cypherlex.Error
	switch {
	case errors.Is(err, errEmpty):
		return nil, fail(header+1, "empty query after the header")
	case errors.As(err, &lerr):
		return nil, fail(header+cypherlex.Line(query, lerr.Pos), "%s", lerr.Msg)
	}
	if len(query) > incidentgraph.MaxCypherLength {
		return nil, fail(header+1, "query is %d characters long, more than %d", len(query), incidentgraph.MaxCypherLength)
	}
	seen := map[string]bool{}
	for _, u := range used {
		if _, ok := paramLine[u.Text]; !ok {
			return nil, fail(header+cypherlex.Line(query, u.Pos), "$%s is used but not declared (add `// param: %s TYPE \"...\"`)", u.Text, u.Text)
		}
		seen[u.Text] = true
	}
	for _, pp := range p.Params {
		if !seen[pp.Name] {
			return nil, fail(paramLine[pp.Name], "parameter %q is declared but never used in the query", pp.Name)
		}
	}
	p.Cypher = strings.TrimSpace(query)
	return p, nil
}

// Check applies the rules Parse enforces to a pattern built some other way, for the store to
// refuse what a file could not have declared.
func Check(p *incidentgraph.Pattern) error {
	if !nameRE.MatchString(p.Name) {
		return fmt.Errorf("name %q is not a lowercase slug", p.Name)
	}
	if strings.TrimSpace(p.Description) == "" {
		return fmt.Errorf("pattern %s: no description", p.Name)
	}
	used, err := params(p.Cypher)
	if err != nil {
		return fmt.Errorf("pattern %s: %w", p.Name, err)
	}
	declared := map[string]bool{}
	for _, pp := range p.Params {
		if !paramRE.MatchString(pp.Name) || !slices.Contains(incidentgraph.PatternParamTypes, pp.Type) || declared[pp.Name] {
			return fmt.Errorf("pattern %s: bad or duplicate parameter %q of type %q", p.Name, pp.Name, pp.Type)
		}
		declared[pp.Name] = true
	}
	seen := map[string]bool{}
	for _, u := range used {
		if !declared[u.Text] {
			return fmt.Errorf("pattern %s: $%s is used but not declared", p.Name, u.Text)
		}
		seen[u.Text] = true
	}
	for _, pp := range p.Params {
		if !seen[pp.Name] {
			return fmt.Errorf("pattern %s: parameter %q is declared but never used", p.Name, pp.Name)
		}
	}
	return nil
}

// parseParam parses `NAME TYPE[?] [= DEFAULT] "DESCRIPTION"`.
func parseParam(s string) (incidentgraph.PatternParam, error) {
	var pp incidentgraph.PatternParam
	fields := strings.Fields(s)
	if len(fields) < 3 {
		return pp, errors.New(`parameter line is not NAME TYPE [= DEFAULT] "DESCRIPTION"`)
	}
	pp.Name = fields[0]
	if !paramRE.MatchString(pp.Name) {
		return pp, fmt.Errorf("parameter name %q is not an identifier", pp.Name)
	}
	typ, optional := strings.CutSuffix(fields[1], "?")
	if !slices.Contains(incidentgraph.PatternParamTypes, typ) {
		return pp, fmt.Errorf("parameter %s: unknown type %q (types: %s)", pp.Name, typ, strings.Join(incidentgraph.PatternParamTypes, ", "))
	}
	pp.Type = typ
	rest := strings.TrimSpace(s)[len(fields[0]):]
	rest = strings.TrimSpace(strings.TrimSpace(rest)[len(fields[1]):])
	hasDefault := false
	if after, ok := strings.CutPrefix(rest, "="); ok {
		dec := json.NewDecoder(strings.NewReader(after))
		dec.UseNumber()
		var raw any
		if err := dec.Decode(&raw); err != nil {
			return pp, fmt.Errorf("parameter %s: default is not a JSON literal: %v", pp.Name, err)
		}
		v, msg := coerce(typ, raw)
		if msg != "" {
			return pp, fmt.Errorf("parameter %s: bad default: %s", pp.Name, msg)
		}
		if v == nil {
			return pp, fmt.Errorf("parameter %s: default null; write TYPE? for an optional parameter", pp.Name)
		}
		if optional {
			return pp, fmt.Errorf("parameter %s: both ? and a default; a default already makes it optional", pp.Name)
		}
		pp.Default, hasDefault = v, true
		rest = strings.TrimSpace(after[dec.InputOffset():])
	}
	pp.Required = !optional && !hasDefault
	var desc string
	dec := json.NewDecoder(strings.NewReader(rest))
	if err := dec.Decode(&desc); err != nil || strings.TrimSpace(desc) == "" {
		return pp, fmt.Errorf("parameter %s: description missing: end the line with a \"quoted description\"", pp.Name)
	}
	if _, err := dec.Token(); err != io.EOF {
		return pp, fmt.Errorf("parameter %s: text after the description", pp.Name)
	}
	pp.Description = desc
	return pp, nil
}

// Bind checks args against p's declaration and returns the query parameters: every declared
// parameter, given ones converted to what the driver expects (INT → int64, FLOAT → float64,
// STRING_LIST → []string), missing optional ones as their default or null. Numbers may arrive
// as any Go number or json.Number, as JSON decoders and GraphQL scalars deliver them.
func Bind(p *incidentgraph.Pattern, args map[string]any) (map[string]any, error) {
	names := make([]string, len(p.Params))
	for i, pp := range p.Params {
		names[i] = pp.Name
	}
	unknown := make([]string, 0)
	for k := range args {
		if !slices.Contains(names, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		takes := "no parameters"
		if len(names) > 0 {
			takes = "parameters " + strings.Join(names, ", ")
		}
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "pattern %s has no parameter %q; it takes %s", p.Name, unknown[0], takes)
	}
	out := make(map[string]any, len(p.Params))
	for _, pp := range p.Params {
		raw := args[pp.Name]
		if raw == nil {
			if pp.Required {
				return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "pattern %s needs parameter %q (%s): %s", p.Name, pp.Name, pp.Type, pp.Description)
			}
			out[pp.Name] = pp.Default
			continue
		}
		v, msg := coerce(pp.Type, raw)
		if msg != "" {
			return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "pattern %s, parameter %q: %s", p.Name, pp.Name, msg)
		}
		out[pp.Name] = v
	}
	return out, nil
}

// coerce converts v to the Go value the driver takes for typ, or says why it cannot. A nil v
// stays nil.
func coerce(typ string, v any) (any, string) {
	if v == nil {
		return nil, ""
	}
	switch typ {
	case "STRING":
		if s, ok := v.(string); ok {
			return s, ""
		}
		return nil, "must be a string, got " + describe(v)
	case "ID":
		s, ok := v.(string)
		if !ok {
			return nil, "must be an entity id (a string), got " + describe(v)
		}
		if !incidentgraph.ValidID(s) {
			return nil, fmt.Sprintf("%q is not a valid entity id (lowercase letters, digits and hyphens)", s)
		}
		return s, ""
	case "DATE":
		s, ok := v.(string)
		if !ok {
			return nil, "must be a date string (YYYY-MM-DD, YYYY-MM or YYYY), got " + describe(v)
		}
		if _, err := incidentgraph.ParsePartialDate(s); err != nil {
			return nil, err.Error()
		}
		return s, ""
	case "BOOLEAN":
		if b, ok := v.(bool); ok {
			return b, ""
		}
		return nil, "must be true or false, got " + describe(v)
	case "INT":
		f, ok := number(v)
		if !ok {
			return nil, "must be an integer, got " + describe(v)
		}
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				return i, ""
			}
		}
		if i, ok := exactInt(v); ok {
			return i, ""
		}
		if f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f) || f < math.MinInt64 || f >= math.MaxInt64 {
			return nil, fmt.Sprintf("must be an integer, got %v", v)
		}
		return int64(f), ""
	case "FLOAT":
		f, ok := number(v)
		if !ok || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, "must be a number, got " + describe(v)
		}
		return f, ""
	case "STRING_LIST":
		switch l := v.(type) {
		case []string:
			return slices.Clone(l), ""
		case []any:
			out := make([]string, len(l))
			for i, x := range l {
				s, ok := x.(string)
				if !ok {
					return nil, fmt.Sprintf("must be a list of strings; item %d is %s", i, describe(x))
				}
				out[i] = s
			}
			return out, ""
		}
		return nil, "must be a list of strings, got " + describe(v)
	}
	return nil, fmt.Sprintf("unknown type %q", typ)
}

// exactInt returns Go integers as they are, without a trip through float64.
func exactInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint:
		return int64(n), n <= math.MaxInt64
	case uint64:
		return int64(n), n <= math.MaxInt64
	}
	return 0, false
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	if i, ok := exactInt(v); ok {
		return float64(i), true
	}
	switch n := v.(type) {
	case uint:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}

func describe(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any, []string:
		return "a list"
	case map[string]any:
		return "an object"
	}
	if _, ok := number(v); ok {
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// params lexes a query and returns the $parameters it uses: a $ in a comment or a string is
// text, not a parameter. The lexer is the one the read-only guard uses, so both read the query
// alike.
func params(q string) ([]cypherlex.Token, error) {
	toks, err := cypherlex.Lex(q)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, errEmpty
	}
	return cypherlex.Parameters(toks), nil
}

var errEmpty = errors.New("empty query")
