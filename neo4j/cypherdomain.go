package neo4j

import (
	"fmt"
	"slices"
	"strings"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/cypherlex"
)

// Analysts read the graph and nothing else. Beside the graph the store keeps API tokens' hashes,
// the audit trail, idempotency records, merge redirects and whatever later machinery adds; none of
// it is for analysts. So their Cypher is held to an allow-list, not a deny-list: a label or
// relationship type the domain does not define is refused at the text (checkDomainNames), again
// in the plan (checkPlan, against every label and type the database holds), and procedures that
// list labels, types or index hits show only the domain's (restrictProcedures). A label added
// tomorrow is refused without anyone remembering to list it.

// domainLabels are the node labels analysts may name: Entity, each kind's label and Figure.
var domainLabels = func() []string {
	out := []string{"Entity", "Figure"}
	for _, k := range incidentgraph.Kinds {
		out = append(out, labels[k])
	}
	slices.Sort(out)
	return out
}()

// domainTypes are the relationship types analysts may name: the vocabulary, nothing else.
var domainTypes = func() []string {
	out := make([]string, 0, len(incidentgraph.Vocabulary))
	for _, t := range incidentgraph.RelTypes() {
		out = append(out, string(t))
	}
	slices.Sort(out)
	return out
}()

// isDomainName reports whether name is one of the graph's labels or relationship types. A
// position in the text does not always tell a label from a type (x:Person in a list
// comprehension sits inside brackets too), and a label named as a type matches nothing, so one
// set serves both.
func isDomainName(name string) bool {
	_, isLabel := slices.BinarySearch(domainLabels, name)
	_, isType := slices.BinarySearch(domainTypes, name)
	return isLabel || isType
}

func refuseName(name string) error {
	return refuse("%s is not a label or relationship type of the graph: analysts' Cypher may name only %s and the relationship types of the vocabulary",
		name, strings.Join(domainLabels, ", "))
}

// bracket is one open (, [ or { while reading a query's tokens.
type bracket struct {
	open  string
	isMap bool // a map literal or map projection, whose "key:" colons are not labels
}

// checkDomainNames refuses any label or relationship type the text names outside the domain:
// after a colon in a pattern or label predicate (n:X, [r:X|Y], n:!X&(Y|Z)), and after IS
// (n IS X). Colons that separate a map's key from its value and the :: of type predicates are
// not labels. The label wildcard % is refused: it names every label, internal ones included.
func checkDomainNames(toks []cypherlex.Token) error {
	var stack []bracket
	at := func(i int) cypherlex.Token {
		if i < 0 || i >= len(toks) {
			return cypherlex.Token{Kind: -1}
		}
		return toks[i]
	}
	// closes[i] is the index of the ( that the ) at i closes, to tell CALL (x) { from a map.
	opened := map[int]int{}
	var parens []int
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.Is(cypherlex.Punct, "("), t.Is(cypherlex.Punct, "["):
			if t.Text == "(" {
				parens = append(parens, i)
			}
			stack = append(stack, bracket{open: t.Text})
			continue
		case t.Is(cypherlex.Punct, "{"):
			stack = append(stack, bracket{open: "{", isMap: !opensBlock(toks, i, opened)})
			continue
		case t.Is(cypherlex.Punct, ")"), t.Is(cypherlex.Punct, "]"), t.Is(cypherlex.Punct, "}"):
			if t.Text == ")" && len(parens) > 0 {
				opened[i] = parens[len(parens)-1]
				parens = parens[:len(parens)-1]
			}
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		start := -1
		switch {
		case t.Is(cypherlex.Punct, ":"):
			prev, next := at(i-1), at(i+1)
			if prev.Is(cypherlex.Punct, ":") || next.Is(cypherlex.Punct, ":") {
				continue // x IS :: INTEGER, a type predicate
			}
			if len(stack) > 0 && stack[len(stack)-1].isMap && (prev.Kind == cypherlex.Ident || prev.Kind == cypherlex.Quoted) &&
				(at(i-2).Is(cypherlex.Punct, "{") || at(i-2).Is(cypherlex.Punct, ",")) {
				continue // a map key
			}
			start = i + 1
		case t.Is(cypherlex.Ident, "IS") && !at(i-1).Is(cypherlex.Punct, ".") && !at(i-1).Is(cypherlex.Punct, "$"):
			next := at(i + 1)
			if next.Kind == cypherlex.Punct && next.Text != "(" && next.Text != "!" && next.Text != "%" {
				continue
			}
			if next.Kind == cypherlex.Ident {
				switch strings.ToUpper(next.Text) {
				case "NULL", "NOT", "NORMALIZED", "NFC", "NFD", "NFKC", "NFKD", "TYPED":
					continue
				}
			}
			start = i + 1
		default:
			continue
		}
		end, err := checkLabelExpression(toks, start)
		if err != nil {
			return err
		}
		i = end - 1
	}
	return nil
}

// opensBlock reports whether the { at i opens a subquery (CALL {, CALL (x) {, EXISTS {, COUNT {,
// COLLECT {) rather than a map.
func opensBlock(toks []cypherlex.Token, i int, opened map[int]int) bool {
	if i == 0 {
		return false
	}
	prev := toks[i-1]
	if prev.Kind == cypherlex.Ident {
		switch strings.ToUpper(prev.Text) {
		case "CALL", "EXISTS", "COUNT", "COLLECT":
			return true
		}
		return false
	}
	if prev.Is(cypherlex.Punct, ")") {
		if o, ok := opened[i-1]; ok && o > 0 && toks[o-1].Is(cypherlex.Ident, "CALL") {
			return true
		}
	}
	return false
}

// checkLabelExpression reads the label expression that starts at toks[i] (names joined by |, &,
// :, negated by !, grouped by parentheses) and returns the index after it.
func checkLabelExpression(toks []cypherlex.Token, i int) (int, error) {
	depth := 0
	expectName := true
	for ; i < len(toks); i++ {
		t := toks[i]
		switch {
		case expectName && (t.Kind == cypherlex.Ident || t.Kind == cypherlex.Quoted):
			if !isDomainName(t.Text) {
				return 0, refuseName(t.Text)
			}
			expectName = false
		case t.Is(cypherlex.Punct, "%"):
			return 0, refuse("the label wildcard %% is not allowed: name the graph's labels, e.g. (n:Entity)")
		case expectName && (t.Is(cypherlex.Punct, "!") || t.Is(cypherlex.Punct, "(")):
			if t.Text == "(" {
				depth++
			}
		case !expectName && (t.Is(cypherlex.Punct, "|") || t.Is(cypherlex.Punct, "&") || t.Is(cypherlex.Punct, ":")):
			expectName = true
		case !expectName && depth > 0 && t.Is(cypherlex.Punct, ")"):
			depth--
		default:
			return i, nil
		}
	}
	return i, nil
}

// A procedure that lists labels, types or index hits is narrowed to the domain's by a filter on
// one of its columns: guard is a Cypher predicate over that column's variable (%[1]s), with the
// domain's lists as parameters.
type listingProcedure struct {
	columns []string // every column the procedure yields, in order
	column  string   // the column the filter reads
	guard   string
}

// Parameters the filters read; client parameters may not use the prefix.
const (
	reservedParamPrefix = "incidentgraph_"
	paramDomainLabels   = reservedParamPrefix + "labels"
	paramDomainTypes    = reservedParamPrefix + "types"
	paramDomainTypeStrs = reservedParamPrefix + "type_strings"
	guardVariable       = reservedParamPrefix + "x"
)

var listingProcedures = map[string]listingProcedure{
	"db.labels":            {[]string{"label"}, "label", "%[1]s IN $" + paramDomainLabels},
	"db.relationshiptypes": {[]string{"relationshipType"}, "relationshipType", "%[1]s IN $" + paramDomainTypes},
	"db.schema.nodetypeproperties": {[]string{"nodeType", "nodeLabels", "propertyName", "propertyTypes", "mandatory"},
		"nodeLabels", "all(" + guardVariable + " IN %[1]s WHERE " + guardVariable + " IN $" + paramDomainLabels + ")"},
	"db.schema.reltypeproperties": {[]string{"relType", "propertyName", "propertyTypes", "mandatory"},
		"relType", "%[1]s IN $" + paramDomainTypeStrs},
	"db.index.fulltext.querynodes": {[]string{"node", "score"}, "node",
		"all(" + guardVariable + " IN labels(%[1]s) WHERE " + guardVariable + " IN $" + paramDomainLabels + ")"},
	"db.index.fulltext.queryrelationships": {[]string{"relationship", "score"}, "relationship", "type(%[1]s) IN $" + paramDomainTypes},
}

// domainParams are the lists the filters read.
func domainParams() map[string]any {
	strs := make([]any, len(domainTypes))
	types := make([]any, len(domainTypes))
	for i, t := range domainTypes {
		types[i] = t
		strs[i] = ":`" + t + "`" // db.schema.relTypeProperties names a type as :`TYPE`
	}
	ls := make([]any, len(domainLabels))
	for i, l := range domainLabels {
		ls[i] = l
	}
	return map[string]any{paramDomainLabels: ls, paramDomainTypes: types, paramDomainTypeStrs: strs}
}

// clauseWords end a YIELD's WHERE condition at the top level.
var clauseWords = map[string]bool{"RETURN": true, "WITH": true, "MATCH": true, "OPTIONAL": true, "UNWIND": true,
	"CALL": true, "UNION": true, "ORDER": true, "SKIP": true, "OFFSET": true, "LIMIT": true, "FINISH": true,
	"FILTER": true, "LET": true}

// restrictProcedures rewrites every call of a listing procedure so that it yields only the
// domain's rows: CALL db.labels() becomes CALL db.labels() YIELD label WHERE label IN
// $incidentgraph_labels; an existing YIELD keeps its items and aliases (the filtered column is
// added under a reserved name when the query does not yield it), an existing WHERE is kept, in
// parentheses, after the filter. Calls inside another call's arguments or WHERE are rewritten
// too: what they list would otherwise reach the client, if only in an error message. It reports
// whether anything was rewritten; the text is unchanged otherwise, so error positions stay the
// client's.
func restrictProcedures(query string, toks []cypherlex.Token) (string, bool) {
	type edit struct {
		from, to int // byte range of the query replaced
		text     string
	}
	var edits []edit
	for i := 0; i+1 < len(toks); i++ {
		if !toks[i].Is(cypherlex.Ident, "CALL") || (toks[i+1].Kind != cypherlex.Ident && toks[i+1].Kind != cypherlex.Quoted) {
			continue
		}
		name, j := dottedName(toks, i+1)
		proc, ok := listingProcedures[strings.ToLower(name)]
		if !ok || j >= len(toks) || !toks[j].Is(cypherlex.Punct, "(") {
			continue
		}
		// Skip the arguments.
		depth := 0
		for ; j < len(toks); j++ {
			if toks[j].Is(cypherlex.Punct, "(") || toks[j].Is(cypherlex.Punct, "[") || toks[j].Is(cypherlex.Punct, "{") {
				depth++
			} else if toks[j].Is(cypherlex.Punct, ")") || toks[j].Is(cypherlex.Punct, "]") || toks[j].Is(cypherlex.Punct, "}") {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		if j >= len(toks) {
			continue // unbalanced: Neo4j reports the syntax error on the text as sent
		}
		afterArgs := toks[j].Pos + 1
		j++
		// A standalone call cannot filter: it becomes CALL ... YIELD ... WHERE ... RETURN, with
		// the columns the client would have seen.
		standalone := func(k int) bool { return k >= len(toks) || toks[k].Is(cypherlex.Ident, "UNION") }
		if j >= len(toks) || !toks[j].Is(cypherlex.Ident, "YIELD") {
			text := " YIELD " + strings.Join(proc.columns, ", ") + " WHERE " + fmt.Sprintf(proc.guard, proc.column)
			if standalone(j) {
				text += " RETURN " + strings.Join(proc.columns, ", ")
			}
			edits = append(edits, edit{afterArgs, afterArgs, text})
			continue
		}
		// YIELD items: *, or name [AS alias] separated by commas.
		j++
		variable := ""
		var visible []string // the variables the client's YIELD binds
		itemsEnd := -1       // byte offset after the last item
		if j < len(toks) && toks[j].Is(cypherlex.Punct, "*") {
			edits = append(edits, edit{toks[j].Pos, toks[j].Pos + 1, strings.Join(proc.columns, ", ")})
			variable = proc.column
			visible = proc.columns
			itemsEnd = toks[j].Pos + 1
			j++
		} else {
			for j < len(toks) && (toks[j].Kind == cypherlex.Ident || toks[j].Kind == cypherlex.Quoted) {
				col, v := toks[j].Text, toks[j].Text
				itemsEnd = toks[j].Pos + tokenLen(query, toks[j])
				j++
				if j+1 < len(toks) && toks[j].Is(cypherlex.Ident, "AS") {
					v = toks[j+1].Text
					itemsEnd = toks[j+1].Pos + tokenLen(query, toks[j+1])
					j += 2
				}
				if col == proc.column {
					variable = v
				}
				visible = append(visible, quoteName(v))
				if j < len(toks) && toks[j].Is(cypherlex.Punct, ",") {
					j++
					continue
				}
				break
			}
		}
		if itemsEnd < 0 {
			continue // YIELD with no items: a syntax error Neo4j reports
		}
		if variable == "" {
			variable = guardVariable + "_" + proc.column
			edits = append(edits, edit{itemsEnd, itemsEnd, ", " + proc.column + " AS " + variable})
		}
		filter := fmt.Sprintf(proc.guard, quoteName(variable))
		if j < len(toks) && toks[j].Is(cypherlex.Ident, "WHERE") {
			condStart := j + 1
			k, depth := condStart, 0
			for ; k < len(toks); k++ {
				t := toks[k]
				if t.Is(cypherlex.Punct, "(") || t.Is(cypherlex.Punct, "[") || t.Is(cypherlex.Punct, "{") {
					depth++
				} else if t.Is(cypherlex.Punct, ")") || t.Is(cypherlex.Punct, "]") || t.Is(cypherlex.Punct, "}") {
					if depth == 0 {
						break
					}
					depth--
				} else if depth == 0 && t.Kind == cypherlex.Ident && clauseWords[strings.ToUpper(t.Text)] && !toks[k-1].Is(cypherlex.Punct, ".") &&
					!toks[k-1].Is(cypherlex.Ident, "STARTS") && !toks[k-1].Is(cypherlex.Ident, "ENDS") {
					break
				}
			}
			if condStart >= k {
				continue // WHERE with no condition: a syntax error Neo4j reports
			}
			condFrom := toks[condStart].Pos
			condTo := toks[k-1].Pos + tokenLen(query, toks[k-1])
			edits = append(edits, edit{condFrom, condFrom, filter + " AND ("}, edit{condTo, condTo, ")"})
			j = k
		} else {
			edits = append(edits, edit{itemsEnd, itemsEnd, " WHERE " + filter})
		}
		if standalone(j) {
			end := len(query)
			if j < len(toks) {
				end = toks[j].Pos
			}
			edits = append(edits, edit{end, end, " RETURN " + strings.Join(visible, ", ") + " "})
		}
	}
	if len(edits) == 0 {
		return query, false
	}
	// A call inside another's arguments or WHERE comes later in the loop, earlier in the text.
	slices.SortStableFunc(edits, func(a, b edit) int { return a.from - b.from })
	var b strings.Builder
	last := 0
	for _, e := range edits {
		b.WriteString(query[last:e.from])
		b.WriteString(e.text)
		last = e.to
	}
	b.WriteString(query[last:])
	return b.String(), true
}

// tokenLen is the length in bytes of the token's text as written in the query (a backticked
// name's Text is unescaped, so it is measured from the query itself).
func tokenLen(query string, t cypherlex.Token) int {
	if t.Kind != cypherlex.Quoted {
		return len(t.Text)
	}
	for k := t.Pos + 1; k < len(query); k++ {
		if query[k] == '`' {
			if k+1 < len(query) && query[k+1] == '`' {
				k++
				continue
			}
			return k + 1 - t.Pos
		}
	}
	return len(query) - t.Pos
}

// quoteName writes a variable as Cypher reads it back.
func quoteName(v string) string {
	for _, c := range v {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "`" + strings.ReplaceAll(v, "`", "``") + "`"
		}
	}
	return v
}
