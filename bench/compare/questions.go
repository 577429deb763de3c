package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/incidentgraph/incidentgraph/names"
)

// params are the questions' arguments. They default to ids of the seed graph; a generated or
// imported graph passes its own by flag.
type params struct {
	Entity     string // entity by id with its one-hop relationships
	Group      string // incidents of a group and its affiliates
	From, To   string // the incidents' date range: first and last day (YYYY-MM-DD)
	Network    string // two-hop affiliate network around this group
	PathFrom   string // shortest path between two entities
	PathTo     string
	SearchText string // alias search, as a user types it
	Nested     string // the group at the top of the three-level nested query
	Timeline   string // the actor of a timeline, its affiliates included
	Common     []string
	Similar    string // the incident whose most similar incidents are asked
}

// seedParams are the questions' arguments on the seed graph: the flags' defaults, and the ids
// the GraphiQL example tabs ask about, so that the mixed cell's Library and floor rotation asks
// what the service's tabs ask.
func seedParams() params {
	return params{
		Entity: "islamic-state-khorasan-province", Group: "islamic-state", From: "2014-01-01", To: "2024-12-31",
		Network: "islamic-state", PathFrom: "kabul-airport-bombing-2021", PathTo: "moscow-concert-hall-attack-2024",
		SearchText: "Daesh", Nested: "islamic-state", Timeline: "islamic-state",
		Common:  []string{"paris-attacks-2015", "moscow-concert-hall-attack-2024"},
		Similar: "moscow-concert-hall-attack-2024",
	}
}

// question is one question asked three ways. Each side's answer is reduced by its normaliser to
// the same comparable text (sets of ids sorted, counts), so that the smoke check can say whether
// the three sides agree.
type question struct {
	Name string
	Desc string

	OursQuery string
	OursVars  map[string]any
	OursNorm  func(data map[string]any) (string, error)

	LibQuery string
	LibVars  map[string]any
	LibNorm  func(data map[string]any) (string, error)

	// Floor runs these statements (in order, in one read transaction) through the Go driver;
	// FloorNorm reads the records of each, as maps.
	Floor     []floorStatement
	FloorNorm func(results [][]map[string]any) (string, error)
	// FloorClient is the Go work the floor does on the records before it has the answer (nil:
	// none): the similar question's scoring, which the service also does in Go. The load runs
	// it on every request.
	FloorClient func(results [][]map[string]any) (any, error)
}

type floorStatement struct {
	Cypher string
	Params map[string]any
}

// relTypes that mean "perpetrated" and "occurred at" in the service's filter syntax.
const (
	perpTypes  = `[CLAIMED_RESPONSIBILITY_FOR, PERPETRATED, ATTRIBUTED_TO]`
	placeTypes = `[OCCURRED_IN, OCCURRED_AT]`
)

func questions(p params) []question {
	lucene, exact := searchQuery(p.SearchText), strings.ToLower(strings.TrimSpace(p.SearchText))
	folded, key := names.Fold(p.SearchText), names.Key(p.SearchText)
	return []question{
		{
			Name: "entity",
			Desc: "an entity by id with its one-hop relationships, their other ends, asserting parties and sources",
			OursQuery: `query($id: ID!) { entity(id: $id) { id name relationships(first: 100) {
				id type direction status confidence other { id kind name } assertedBy { id name } sources { id name } } } }`,
			OursVars: map[string]any{"id": p.Entity},
			OursNorm: func(d map[string]any) (string, error) { return normRels(get(d, "entity", "relationships")) },
			LibQuery: `query($id: ID!) { entities(where: {id: {eq: $id}}) { id name relationships {
				id type direction status confidence other { id kind name } assertedBy { id name } sources { id name } } } }`,
			LibVars: map[string]any{"id": p.Entity},
			LibNorm: func(d map[string]any) (string, error) {
				es, _ := get(d, "entities").([]any)
				if len(es) != 1 {
					return "", fmt.Errorf("%d entities, want 1", len(es))
				}
				return normRels(get(es[0], "relationships"))
			},
			Floor: []floorStatement{{
				Cypher: "MATCH (this:Entity {id: $id})\n" + mustQuery("entity_relationships"),
				Params: map[string]any{"id": p.Entity},
			}},
			FloorNorm: func(rs [][]map[string]any) (string, error) { return normRels(column(rs[0], "rel")) },
		},
		{
			Name: "incidents",
			Desc: "a group's incidents with its affiliates' in a date range: first 50 and the total count",
			OursQuery: `query($g: ID!, $from: PartialDate, $to: PartialDate) {
				incidents(filter: {perpetrator: $g, includeAffiliates: true, from: $from, to: $to}, first: 50) {
					totalCount nodes { id name date } } }`,
			OursVars: map[string]any{"g": p.Group, "from": p.From, "to": p.To},
			OursNorm: func(d map[string]any) (string, error) {
				return normPage(get(d, "incidents", "totalCount"), get(d, "incidents", "nodes"))
			},
			LibQuery: `query($g: ID!, $from: String!, $to: String!) {
				groupIncidents(group: $g, from: $from, to: $to, first: 50) { id name date }
				groupIncidentsCount(group: $g, from: $from, to: $to) }`,
			LibVars: map[string]any{"g": p.Group, "from": p.From, "to": p.To},
			LibNorm: func(d map[string]any) (string, error) {
				return normPage(get(d, "groupIncidentsCount"), get(d, "groupIncidents"))
			},
			Floor: []floorStatement{
				{Cypher: mustQuery("incidents_count"), Params: map[string]any{"group": p.Group, "from": p.From, "to": p.To}},
				{Cypher: mustQuery("incidents_page"),
					Params: map[string]any{"group": p.Group, "from": p.From, "to": p.To, "first": 50}},
			},
			FloorNorm: func(rs [][]map[string]any) (string, error) {
				if len(rs[0]) != 1 {
					return "", fmt.Errorf("count: %d rows", len(rs[0]))
				}
				return normPage(rs[0][0]["total"], column(rs[1], "n"))
			},
		},
		{
			Name:      "network",
			Desc:      "a group's two-hop affiliate network",
			OursQuery: `query($id: ID!) { affiliateNetwork(id: $id, depth: 2) { nodes { id kind name } edges { id type source target status confidence } truncated } }`,
			OursVars:  map[string]any{"id": p.Network},
			OursNorm:  func(d map[string]any) (string, error) { return normChart(get(d, "affiliateNetwork"), false) },
			LibQuery:  `query($id: ID!) { affiliateNetwork(id: $id) { nodes { id kind name } edges { id type source target status confidence } truncated } }`,
			LibVars:   map[string]any{"id": p.Network},
			LibNorm:   func(d map[string]any) (string, error) { return normChart(get(d, "affiliateNetwork"), false) },
			Floor:     []floorStatement{{Cypher: mustQuery("network"), Params: map[string]any{"id": p.Network}}},
			FloorNorm: func(rs [][]map[string]any) (string, error) { return normChart(first(rs[0], "network"), false) },
		},
		{
			Name:      "path",
			Desc:      "a shortest path between two entities",
			OursQuery: `query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b, maxDepth: 6) { nodes { id kind name } edges { id type source target status confidence } } }`,
			OursVars:  map[string]any{"a": p.PathFrom, "b": p.PathTo},
			OursNorm:  func(d map[string]any) (string, error) { return normChart(get(d, "shortestPath"), true) },
			LibQuery:  `query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b) { nodes { id kind name } edges { id type source target status confidence } } }`,
			LibVars:   map[string]any{"a": p.PathFrom, "b": p.PathTo},
			LibNorm:   func(d map[string]any) (string, error) { return normChart(get(d, "shortestPath"), true) },
			Floor:     []floorStatement{{Cypher: mustQuery("path"), Params: map[string]any{"from": p.PathFrom, "to": p.PathTo}}},
			FloorNorm: func(rs [][]map[string]any) (string, error) { return normChart(first(rs[0], "path"), true) },
		},
		{
			Name:      "search",
			Desc:      "alias search, ten best matches",
			OursQuery: `query($t: String!) { search(text: $t, first: 10) { id kind name } }`,
			OursVars:  map[string]any{"t": p.SearchText},
			OursNorm:  func(d map[string]any) (string, error) { return normIDs(get(d, "search"), true) },
			LibQuery: `query($q: String!, $exact: String!, $folded: String!, $key: String!) {
				search(q: $q, exact: $exact, folded: $folded, key: $key, limit: 10) { id kind name } }`,
			LibVars: map[string]any{"q": lucene, "exact": exact, "folded": folded, "key": key},
			LibNorm: func(d map[string]any) (string, error) { return normIDs(get(d, "search"), true) },
			Floor: []floorStatement{{Cypher: mustQuery("search"),
				Params: map[string]any{"q": lucene, "exact": exact, "folded": folded, "key": key, "limit": 10}}},
			FloorNorm: func(rs [][]map[string]any) (string, error) { return normIDs(column(rs[0], "node"), true) },
		},
		{
			Name: "nested",
			// The service's complexity limit (20,000) caps the page sizes: 20 incidents, 5 places
			// each, 30 incidents at each place. The Library and the floor take the same caps per
			// field; where a level reaches its cap the sides may keep different items, so the
			// answer check needs a group below the caps.
			Desc: "three levels deep: a group's incidents (20), their places (5 each), the incidents at those places (30 each)",
			OursQuery: `query($id: ID!) { entity(id: $id) { id relationships(filter: {types: ` + perpTypes + `}, first: 20) {
				other { id kind relationships(filter: {types: ` + placeTypes + `, direction: OUTGOING}, first: 5) {
					other { id kind relationships(filter: {types: ` + placeTypes + `, direction: INCOMING}, first: 30) {
						other { id kind } } } } } } } }`,
			OursVars: map[string]any{"id": p.Nested},
			OursNorm: func(d map[string]any) (string, error) {
				var t tree
				for _, r := range list(get(d, "entity", "relationships")) {
					if get(r, "other", "kind") != "INCIDENT" {
						continue
					}
					t.add(1, get(r, "other", "id"))
					for _, r2 := range list(get(r, "other", "relationships")) {
						t.add(2, get(r2, "other", "id"))
						for _, r3 := range list(get(r2, "other", "relationships")) {
							if get(r3, "other", "kind") == "INCIDENT" {
								t.add(3, get(r3, "other", "id"))
							}
						}
					}
				}
				return t.String(), nil
			},
			LibQuery: `query($id: ID!) { organizations(where: {id: {eq: $id}}) { id
				perpetrated(limit: 20) { ...incident } claimed(limit: 20) { ...incident } attributed(limit: 20) { ...incident } } }
				fragment incident on Incident { id
					occurredIn(limit: 5) { id incidentsIn(limit: 30) { id } incidentsAt(limit: 30) { id } }
					occurredAt(limit: 5) { id incidentsIn(limit: 30) { id } incidentsAt(limit: 30) { id } } }`,
			LibVars: map[string]any{"id": p.Nested},
			LibNorm: func(d map[string]any) (string, error) {
				os := list(get(d, "organizations"))
				if len(os) != 1 {
					return "", fmt.Errorf("%d organizations, want 1", len(os))
				}
				var t tree
				for _, f := range []string{"perpetrated", "claimed", "attributed"} {
					for _, i := range list(get(os[0], f)) {
						t.add(1, get(i, "id"))
						for _, pf := range []string{"occurredIn", "occurredAt"} {
							for _, pl := range list(get(i, pf)) {
								t.add(2, get(pl, "id"))
								for _, jf := range []string{"incidentsIn", "incidentsAt"} {
									for _, j := range list(get(pl, jf)) {
										t.add(3, get(j, "id"))
									}
								}
							}
						}
					}
				}
				return t.String(), nil
			},
			Floor: []floorStatement{{Cypher: mustQuery("nested"), Params: map[string]any{"id": p.Nested}}},
			FloorNorm: func(rs [][]map[string]any) (string, error) {
				var t tree
				for _, i := range list(get(first(rs[0], "tree"), "incidents")) {
					t.add(1, get(i, "id"))
					for _, pl := range list(get(i, "places")) {
						t.add(2, get(pl, "id"))
						for _, j := range list(get(pl, "incidents")) {
							t.add(3, get(j, "id"))
						}
					}
				}
				return t.String(), nil
			},
		},
		timelineQuestion(p),
		commonQuestion(p),
		similarQuestion(p),
	}
}

// searchQuery is the Lucene query the service's search builds from what a user types
// (neo4j.DB.searchQuery): the words as typed, or folded, or the text's transliteration key
// (whole, or the start of one, among the stored search keys), or the keys of its words.
func searchQuery(text string) string {
	var alts []string
	add := func(q string) {
		if q != "" && !slices.Contains(alts, "("+q+")") {
			alts = append(alts, "("+q+")")
		}
	}
	add(luceneQuery(text))
	add(luceneQuery(names.Fold(text)))
	if k := names.Key(text); len(k) >= minSearchKey {
		add("searchKeys:(" + k + " OR " + k + "*)")
	}
	var wk []string
	for _, w := range strings.Fields(names.Fold(text)) {
		if k := names.Key(w); k != "" {
			wk = append(wk, k)
		}
	}
	if q := luceneQuery(strings.Join(wk, " ")); q != "" {
		add("searchKeys:(" + q + ")")
	}
	return strings.Join(alts, " OR ")
}

// minSearchKey is the shortest key the service looks up (neo4j's minKeyLength).
const minSearchKey = 3

// luceneQuery builds the full-text query the service builds from what a user types: each word
// or a word it begins, all words required; a word with Lucene operators in it ("ISIS-K") as a
// quoted phrase. (The service also retries with one typo forgiven when nothing matches; the
// benchmark's search text should match as typed.)
func luceneQuery(text string) string {
	var parts []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), unicode.IsSpace) {
		if !strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
			continue // punctuation alone matches nothing
		}
		if strings.ContainsAny(w, `+-&|!(){}[]^"~*?:\/`) {
			parts = append(parts, `"`+strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(w)+`"`)
			continue
		}
		parts = append(parts, "("+w+" OR "+w+"*)")
	}
	return strings.Join(parts, " AND ")
}

// get walks a decoded JSON value (or a driver record map) by keys; nil where anything is missing.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func list(v any) []any { xs, _ := v.([]any); return xs }

func column(rows []map[string]any, key string) []any {
	out := make([]any, 0, len(rows))
	for _, r := range rows {
		out = append(out, r[key])
	}
	return out
}

func first(rows []map[string]any, key string) any {
	if len(rows) == 0 {
		return nil
	}
	return rows[0][key]
}

func id(v any) string { s, _ := get(v, "id").(string); return s }

// normRels: every relationship as type, id, direction, other end, asserting party and sources,
// sorted; order among equally strong relationships is not part of the answer.
func normRels(v any) (string, error) {
	rels := list(v)
	if rels == nil {
		return "", fmt.Errorf("no relationships list in %s", brief(v))
	}
	lines := make([]string, 0, len(rels))
	for _, r := range rels {
		var srcs []string
		for _, s := range list(get(r, "sources")) {
			srcs = append(srcs, id(s))
		}
		slices.Sort(srcs)
		lines = append(lines, fmt.Sprintf("%v %v %v %v other=%s by=%s sources=%s", get(r, "type"), id(r),
			get(r, "direction"), num(get(r, "confidence")), id(get(r, "other")), id(get(r, "assertedBy")), strings.Join(srcs, ",")))
	}
	slices.Sort(lines)
	return fmt.Sprintf("%d relationships\n%s", len(lines), strings.Join(lines, "\n")), nil
}

// normPage: the total and the page's ids in order (the order is part of the answer).
func normPage(total, nodes any) (string, error) {
	ns := list(nodes)
	if ns == nil && nodes == nil {
		return "", fmt.Errorf("no page")
	}
	ids := make([]string, len(ns))
	for i, n := range ns {
		ids[i] = id(n)
	}
	return fmt.Sprintf("total=%v page=%s", num(total), strings.Join(ids, ",")), nil
}

// normChart: a subgraph's node and edge ids as sets; for a path only its length and ends count,
// since several paths can be equally short.
func normChart(v any, path bool) (string, error) {
	if v == nil {
		return "none", nil
	}
	nodes, edges := list(get(v, "nodes")), list(get(v, "edges"))
	if path {
		if len(nodes) == 0 {
			return "", fmt.Errorf("path without nodes")
		}
		return fmt.Sprintf("hops=%d from=%s to=%s", len(edges), id(nodes[0]), id(nodes[len(nodes)-1])), nil
	}
	var ns, es []string
	for _, n := range nodes {
		ns = append(ns, id(n))
	}
	for _, e := range edges {
		es = append(es, fmt.Sprintf("%v %s %v->%v", get(e, "type"), id(e), get(e, "source"), get(e, "target")))
	}
	slices.Sort(ns)
	slices.Sort(es)
	return fmt.Sprintf("%d nodes: %s\n%d edges:\n%s", len(ns), strings.Join(ns, ","), len(es), strings.Join(es, "\n")), nil
}

func normIDs(v any, ordered bool) (string, error) {
	xs := list(v)
	if xs == nil && v == nil {
		return "", fmt.Errorf("no list")
	}
	ids := make([]string, len(xs))
	for i, x := range xs {
		ids[i] = id(x)
	}
	if !ordered {
		slices.Sort(ids)
	}
	return strings.Join(ids, ","), nil
}

// tree collects the distinct ids seen at each level of the nested question.
type tree struct{ levels [4]map[string]bool }

func (t *tree) add(level int, v any) {
	s, _ := v.(string)
	if t.levels[level] == nil {
		t.levels[level] = map[string]bool{}
	}
	t.levels[level][s] = true
}

func (t *tree) String() string {
	var b strings.Builder
	for l := 1; l <= 3; l++ {
		ids := make([]string, 0, len(t.levels[l]))
		for s := range t.levels[l] {
			ids = append(ids, s)
		}
		slices.Sort(ids)
		fmt.Fprintf(&b, "level %d (%d): %s\n", l, len(ids), strings.Join(ids, ","))
	}
	return b.String()
}

// num prints JSON numbers (float64) and driver integers (int64) alike.
func num(v any) string {
	switch n := v.(type) {
	case float64:
		return fmt.Sprintf("%d", int64(n))
	case int64:
		return fmt.Sprintf("%d", n)
	}
	return fmt.Sprint(v)
}

func brief(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 300 {
		b = append(b[:300], "…"...)
	}
	return string(b)
}
