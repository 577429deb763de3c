package neo4j

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/cypherlex"
)

// The lexical guard is the first of three layers that keep analysts' Cypher read-only (then
// EXPLAIN's statement type and plan, then a read transaction). It exists to refuse early, with a
// message that names the reason, and to stop what is read-only to Neo4j but still unwanted
// (LOAD CSV, USE, procedures and functions outside the allow-lists, dynamic labels).

// cypherProcedures are the procedures analysts may CALL: read-only, about the graph's own data,
// and each narrowed to the domain's rows (listingProcedures). db.schema.visualization is left
// out: its virtual nodes carry no Entity label, so the result mapping would return them as
// nulls. db.propertyKeys is left out: it lists the keys of every node, internal ones included,
// and no column says whose; db.schema.nodeTypeProperties answers the same question per label.
var cypherProcedures = func() map[string]bool {
	m := map[string]bool{}
	for name := range listingProcedures {
		m[name] = true
	}
	return m
}()

// cypherFunctionNamespaces are the namespaces of built-in functions that only compute values.
// Everything else namespaced (apoc.*, db.*, graph.*, plugins) is refused.
var cypherFunctionNamespaces = map[string]bool{
	"point": true, "date": true, "datetime": true, "localdatetime": true, "time": true,
	"localtime": true, "duration": true, "vector.similarity": true,
}

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

func refuse(format string, args ...any) error {
	return incidentgraph.Errorf(incidentgraph.ECYPHER, format, args...)
}

func invalid(format string, args ...any) error {
	return incidentgraph.Errorf(incidentgraph.EINVALID, format, args...)
}

// lexCypher splits a query into tokens (package cypherlex): text that is not well formed is a
// client's mistake, characters that could disguise a keyword are refused.
func lexCypher(q string) ([]cypherlex.Token, error) {
	toks, err := cypherlex.Lex(q)
	return toks, lexError(err)
}

// readCypher decodes the query's \uXXXX escapes as Neo4j does before it reads anything
// (cypherlex.Unescape) and splits the decoded text into tokens. The decoded text is the one to
// check and to run: it means to Neo4j what the query means.
func readCypher(q string) (string, []cypherlex.Token, error) {
	text, err := cypherlex.Unescape(q)
	if err != nil {
		return "", nil, lexError(err)
	}
	toks, err := lexCypher(text)
	return text, toks, err
}

func lexError(err error) error {
	var lerr *cypherlex.Error
	if errors.As(err, &lerr) {
		if lerr.Refused {
			return refuse("%s", lerr.Msg)
		}
		return invalid("%s", lerr.Msg)
	}
	return err
}

// checkTokens refuses what the query's text shows is not allowed.
func checkTokens(toks []cypherlex.Token) error {
	at := func(i int) cypherlex.Token {
		if i < 0 || i >= len(toks) {
			return cypherlex.Token{Kind: -1}
		}
		return toks[i]
	}
	if len(toks) == 0 {
		return invalid("the query is empty")
	}
	if first := toks[0]; first.Kind == cypherlex.Ident {
		switch strings.ToUpper(first.Text) {
		case "EXPLAIN", "PROFILE":
			return refuse("%s is not allowed: every query is explained and checked before it runs", strings.ToUpper(first.Text))
		case "CYPHER":
			return refuse("query options (CYPHER ...) are not allowed")
		}
	}
	for i, t := range toks {
		if t.Is(cypherlex.Punct, "$") && (at(i+1).Is(cypherlex.Punct, "(") || at(i+1).Kind == cypherlex.Ident && at(i+2).Is(cypherlex.Punct, "(")) {
			return refuse("dynamic labels and types ($(...)) are not allowed: name labels and types in the query")
		}
		if at(i-1).Is(cypherlex.Ident, "CALL") {
			continue // a procedure name, checked with CALL
		}
		// A backticked name that starts a call, or a dotted name (`apoc`.text.join(...)).
		if t.Kind == cypherlex.Quoted && (at(i+1).Is(cypherlex.Punct, "(") || at(i+1).Is(cypherlex.Punct, ".")) && !at(i-1).Is(cypherlex.Punct, ".") {
			if err := checkFunction(toks, i); err != nil {
				return err
			}
		}
		if t.Kind != cypherlex.Ident {
			continue
		}
		prev, next := at(i-1), at(i+1)
		// A property key, a parameter, a label, a map key or an alias is a name, not a keyword.
		if prev.Is(cypherlex.Punct, ".") || prev.Is(cypherlex.Punct, "$") || prev.Is(cypherlex.Punct, ":") || next.Is(cypherlex.Punct, ":") || prev.Is(cypherlex.Ident, "AS") {
			continue
		}
		word := strings.ToUpper(t.Text)
		switch {
		case word == "CREATE" && next.Kind == cypherlex.Ident && adminObjects[strings.ToUpper(next.Text)]:
			return refuse("administration and schema commands are not allowed (CREATE %s)", strings.ToUpper(next.Text))
		case writeClauses[word]:
			return refuse("writes are not allowed: the query would create or change data (%s)", word)
		case adminVerbs[word]:
			return refuse("administration and schema commands are not allowed (%s)", word)
		case word == "LOAD" && next.Is(cypherlex.Ident, "CSV"):
			return refuse("LOAD CSV is not allowed")
		case word == "USE":
			return refuse("USE is not allowed: queries run on the graph's own database")
		case word == "IN" && next.Is(cypherlex.Ident, "TRANSACTIONS"):
			return refuse("CALL { ... } IN TRANSACTIONS is not allowed")
		case word == "CALL" && (next.Kind == cypherlex.Ident || next.Kind == cypherlex.Quoted):
			name, j := dottedName(toks, i+1)
			if !cypherProcedures[strings.ToLower(name)] {
				return refuse("procedure %s is not in the allow-list", name)
			}
			// Standalone, Neo4j runs a call without parentheses too, its arguments taken from
			// the parameters of the same names; restrictProcedures narrows only calls that
			// have them, so CALL db.labels would list every label.
			if !at(j).Is(cypherlex.Punct, "(") {
				return refuse("procedure %s is called without parentheses: write CALL %s(...)", name, name)
			}
		case next.Is(cypherlex.Punct, "(") || next.Is(cypherlex.Punct, "."):
			if err := checkFunction(toks, i); err != nil {
				return err
			}
		}
	}
	// Names last, so that a write or a refused procedure is reported as such even when it also
	// names a label outside the graph (CREATE (n:X)).
	return checkDomainNames(toks)
}

// dottedName reads a.b.c starting at toks[i] and returns it with the index after it.
func dottedName(toks []cypherlex.Token, i int) (string, int) {
	parts := []string{toks[i].Text}
	i++
	for i+1 < len(toks) && toks[i].Is(cypherlex.Punct, ".") && (toks[i+1].Kind == cypherlex.Ident || toks[i+1].Kind == cypherlex.Quoted) {
		parts = append(parts, toks[i+1].Text)
		i += 2
	}
	return strings.Join(parts, "."), i
}

// checkFunction refuses a call of a namespaced function outside the allow-list. A name that is
// not followed by "(" is a property access (n.name), not a call.
func checkFunction(toks []cypherlex.Token, i int) error {
	name, j := dottedName(toks, i)
	if j >= len(toks) || !toks[j].Is(cypherlex.Punct, "(") {
		return nil
	}
	if toks[i].Kind == cypherlex.Quoted && !strings.Contains(name, ".") {
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
		if strings.HasPrefix(strings.ToLower(k), reservedParamPrefix) {
			return nil, invalid("parameter name %q is reserved: names starting with %s are the service's own", k, reservedParamPrefix)
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
