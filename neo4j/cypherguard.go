package neo4j

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/incidentgraph/incidentgraph"
)

// The lexical guard is the first of three layers that keep analysts' Cypher read-only (then
// EXPLAIN's statement type and plan, then a read transaction). It exists to refuse early, with a
// message that names the reason, and to stop what is read-only to Neo4j but still unwanted
// (LOAD CSV, USE, procedures and functions outside the allow-lists, dynamic labels).

// cypherProcedures are the procedures analysts may CALL: read-only and about the graph's own
// data. db.schema.visualization is left out: its virtual nodes carry no Entity label, so the
// result mapping would return them as nulls.
var cypherProcedures = map[string]bool{
	"db.labels":                            true,
	"db.relationshiptypes":                 true,
	"db.propertykeys":                      true,
	"db.schema.nodetypeproperties":         true,
	"db.schema.reltypeproperties":          true,
	"db.index.fulltext.querynodes":         true,
	"db.index.fulltext.queryrelationships": true,
}

// cypherFunctionNamespaces are the namespaces of built-in functions that only compute values.
// Everything else namespaced (apoc.*, db.*, graph.*, plugins) is refused.
var cypherFunctionNamespaces = map[string]bool{
	"point": true, "date": true, "datetime": true, "localdatetime": true, "time": true,
	"localtime": true, "duration": true, "vector.similarity": true,
}

// internalLabel marks the nodes that hold API tokens' hashes: never readable through Cypher.
const internalLabel = "ApiToken"

var (
	// INSERT is GQL's CREATE; NODETACH DELETE is DELETE spelt out.
	writeClauses = map[string]bool{"CREATE": true, "INSERT": true, "MERGE": true, "SET": true, "DELETE": true,
		"DETACH": true, "NODETACH": true, "REMOVE": true, "FOREACH": true}
	adminVerbs = map[string]bool{"DROP": true, "ALTER": true, "SHOW": true, "START": true, "STOP": true,
		"GRANT": true, "DENY": true, "REVOKE": true, "TERMINATE": true, "RENAME": true, "ENABLE": true,
		"DEALLOCATE": true, "REALLOCATE": true, "DRYRUN": true}
	// adminObjects follow CREATE in schema and administration commands, not in data writes.
	adminObjects = map[string]bool{"USER": true, "ROLE": true, "DATABASE": true, "ALIAS": true,
		"INDEX": true, "CONSTRAINT": true, "PRIVILEGE": true, "SERVER": true, "OR": true,
		"COMPOSITE": true, "TEXT": true, "RANGE": true, "POINT": true, "FULLTEXT": true, "LOOKUP": true,
		"VECTOR": true, "BTREE": true}
)

type tokenKind int

const (
	tIdent  tokenKind = iota // unquoted identifier or keyword
	tQuoted                  // backticked identifier (text unescaped)
	tString
	tNumber
	tPunct
)

type token struct {
	kind tokenKind
	text string
	pos  int // byte offset in the query
}

func (t token) is(kind tokenKind, text string) bool {
	return t.kind == kind && (kind == tPunct && t.text == text || kind != tPunct && strings.EqualFold(t.text, text))
}

func refuse(format string, args ...any) error {
	return incidentgraph.Errorf(incidentgraph.ECYPHER, format, args...)
}

func invalid(format string, args ...any) error {
	return incidentgraph.Errorf(incidentgraph.EINVALID, format, args...)
}

// lexCypher splits a query into tokens, dropping whitespace and comments. Outside string
// literals, comments and backticked names only ASCII is accepted: fullwidth letters, zero-width
// characters and homoglyphs can then never spell a keyword the later checks would miss, and a
// line comment ends at the first line break of any kind, so it can never hide code from this
// lexer that Neo4j would run.
func lexCypher(q string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(q) {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			i++
		case c == '/' && i+1 < len(q) && q[i+1] == '/':
			for i < len(q) && q[i] != '\n' && q[i] != '\r' {
				r, n := utf8.DecodeRuneInString(q[i:])
				if r == '\u2028' || r == '\u2029' || r == '\u0085' {
					break
				}
				i += n
			}
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			end := strings.Index(q[i+2:], "*/")
			if end < 0 {
				return nil, invalid("unterminated comment at offset %d", i)
			}
			i += 2 + end + 2
		case c == '\'' || c == '"':
			start := i
			i++
			for i < len(q) && q[i] != c {
				if q[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(q) {
				return nil, invalid("unterminated string at offset %d", start)
			}
			i++
			toks = append(toks, token{tString, q[start:i], start})
		case c == '`':
			start := i
			var name strings.Builder
			i++
			for {
				end := strings.IndexByte(q[i:], '`')
				if end < 0 {
					return nil, invalid("unterminated backticked name at offset %d", start)
				}
				name.WriteString(q[i : i+end])
				i += end + 1
				if i < len(q) && q[i] == '`' { // `` is an escaped backtick
					name.WriteByte('`')
					i++
					continue
				}
				break
			}
			toks = append(toks, token{tQuoted, name.String(), start})
		case isIdentStart(c):
			start := i
			for i < len(q) && (isIdentStart(q[i]) || isDigit(q[i])) {
				i++
			}
			toks = append(toks, token{tIdent, q[start:i], start})
		case isDigit(c):
			start := i
			for i < len(q) && (isIdentStart(q[i]) || isDigit(q[i]) || q[i] == '.' && i+1 < len(q) && isDigit(q[i+1])) {
				i++
			}
			toks = append(toks, token{tNumber, q[start:i], start})
		case c < 0x20 || c == 0x7f:
			return nil, refuse("control character U+%04X at offset %d is not allowed", c, i)
		case c < utf8.RuneSelf:
			toks = append(toks, token{tPunct, string(c), i})
			i++
		default:
			r, _ := utf8.DecodeRuneInString(q[i:])
			return nil, refuse("character U+%04X at offset %d is not allowed: outside strings, comments and backticked names a query must be ASCII", r, i)
		}
	}
	return toks, nil
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }

// checkTokens refuses what the query's text shows is not allowed.
func checkTokens(toks []token) error {
	at := func(i int) token {
		if i < 0 || i >= len(toks) {
			return token{kind: -1}
		}
		return toks[i]
	}
	if len(toks) == 0 {
		return invalid("the query is empty")
	}
	if first := toks[0]; first.kind == tIdent {
		switch strings.ToUpper(first.text) {
		case "EXPLAIN", "PROFILE":
			return refuse("%s is not allowed: every query is explained and checked before it runs", strings.ToUpper(first.text))
		case "CYPHER":
			return refuse("query options (CYPHER ...) are not allowed")
		}
	}
	for i, t := range toks {
		if (t.kind == tIdent || t.kind == tQuoted) && strings.EqualFold(t.text, internalLabel) {
			return refuse("%s is internal: it cannot be queried", internalLabel)
		}
		if t.is(tPunct, "$") && (at(i+1).is(tPunct, "(") || at(i+1).kind == tIdent && at(i+2).is(tPunct, "(")) {
			return refuse("dynamic labels and types ($(...)) are not allowed: name labels and types in the query")
		}
		if at(i-1).is(tIdent, "CALL") {
			continue // a procedure name, checked with CALL
		}
		if t.kind == tQuoted && at(i+1).is(tPunct, "(") && !at(i-1).is(tPunct, ".") {
			if err := checkFunction(toks, i); err != nil {
				return err
			}
		}
		if t.kind != tIdent {
			continue
		}
		prev, next := at(i-1), at(i+1)
		// A property key, a parameter, a label, a map key or an alias is a name, not a keyword.
		if prev.is(tPunct, ".") || prev.is(tPunct, "$") || prev.is(tPunct, ":") || next.is(tPunct, ":") || prev.is(tIdent, "AS") {
			continue
		}
		word := strings.ToUpper(t.text)
		switch {
		case word == "CREATE" && next.kind == tIdent && adminObjects[strings.ToUpper(next.text)]:
			return refuse("administration and schema commands are not allowed (CREATE %s)", strings.ToUpper(next.text))
		case writeClauses[word]:
			return refuse("writes are not allowed: the query would create or change data (%s)", word)
		case adminVerbs[word]:
			return refuse("administration and schema commands are not allowed (%s)", word)
		case word == "LOAD" && next.is(tIdent, "CSV"):
			return refuse("LOAD CSV is not allowed")
		case word == "USE":
			return refuse("USE is not allowed: queries run on the graph's own database")
		case word == "IN" && next.is(tIdent, "TRANSACTIONS"):
			return refuse("CALL { ... } IN TRANSACTIONS is not allowed")
		case word == "CALL" && (next.kind == tIdent || next.kind == tQuoted):
			name, _ := dottedName(toks, i+1)
			if !cypherProcedures[strings.ToLower(name)] {
				return refuse("procedure %s is not in the allow-list", name)
			}
		case next.is(tPunct, "(") || next.is(tPunct, "."):
			if err := checkFunction(toks, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// dottedName reads a.b.c starting at toks[i] and returns it with the index after it.
func dottedName(toks []token, i int) (string, int) {
	parts := []string{toks[i].text}
	i++
	for i+1 < len(toks) && toks[i].is(tPunct, ".") && (toks[i+1].kind == tIdent || toks[i+1].kind == tQuoted) {
		parts = append(parts, toks[i+1].text)
		i += 2
	}
	return strings.Join(parts, "."), i
}

// checkFunction refuses a call of a namespaced function outside the allow-list. A name that is
// not followed by "(" is a property access (n.name), not a call.
func checkFunction(toks []token, i int) error {
	name, j := dottedName(toks, i)
	if j >= len(toks) || !toks[j].is(tPunct, "(") {
		return nil
	}
	if toks[i].kind == tQuoted && !strings.Contains(name, ".") {
		return refuse("backticked function names are not allowed (%s)", name)
	}
	dot := strings.LastIndexByte(name, '.')
	if dot < 0 {
		return nil // built-in functions without a namespace only compute values
	}
	if !cypherFunctionNamespaces[strings.ToLower(name[:dot])] {
		return refuse("function %s is not in the allow-list", name)
	}
	return nil
}

var paramName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// maxParamDepth bounds the nesting of a parameter's lists and maps.
const maxParamDepth = 32

// checkInput validates a query and its parameters and returns the parameters as the driver
// should receive them.
func checkInput(query string, params map[string]any) (map[string]any, error) {
	if strings.TrimSpace(query) == "" {
		return nil, invalid("the query is empty")
	}
	if !utf8.ValidString(query) {
		return nil, invalid("the query is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(query); n > incidentgraph.MaxCypherLength {
		return nil, invalid("the query has %d characters; at most %d are allowed", n, incidentgraph.MaxCypherLength)
	}
	out := make(map[string]any, len(params))
	for k, v := range params {
		if !paramName.MatchString(k) {
			return nil, invalid("parameter name %q is not a valid identifier", k)
		}
		cv, err := paramValue(v, 0)
		if err != nil {
			return nil, invalid("parameter %s: %v", k, err)
		}
		out[k] = cv
	}
	return out, nil
}

// paramValue accepts JSON-like values only, so that a parameter is always data.
func paramValue(v any, depth int) (any, error) {
	if depth > maxParamDepth {
		return nil, fmt.Errorf("nested more than %d levels deep", maxParamDepth)
	}
	switch x := v.(type) {
	case nil, bool, int64, float64:
		if f, ok := x.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return nil, fmt.Errorf("not a finite number")
		}
		return x, nil
	case string:
		if !utf8.ValidString(x) {
			return nil, fmt.Errorf("not valid UTF-8")
		}
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case float32:
		return paramValue(float64(x), depth)
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
		f, err := x.Float64()
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", x)
		}
		return paramValue(f, depth)
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return paramValue(out, depth)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			ce, err := paramValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = ce
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ce, err := paramValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = ce
		}
		return out, nil
	}
	return nil, fmt.Errorf("a %T is not a JSON value", v)
}
