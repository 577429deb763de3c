package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/analysis"
)

// The analysts' questions (schema/analyst.graphqls) the Library can express only with @cypher
// fields: a timeline, common neighbours and similar incidents. The floor runs the store's own
// statements for them (queries/timeline.cypher, common_neighbors.cypher, similar.cypher) with
// the relationship filter's parameters at their unfiltered values, as the service passes them
// when a query gives no filter; the Library's fields run the same statements inside a CALL and
// shape the records into their GraphQL types (server.mjs).

// Page sizes of the analyst questions: those of the GraphiQL example tabs where they give one.
const (
	timelineFirst = 10
	commonFirst   = 20
	similarFirst  = 5
)

// unfiltered is the relationship filter's parameters when a query gives no filter (the store's
// filterParams of an empty filter), following these types.
func unfiltered(types []string) map[string]any {
	return map[string]any{"types": types, "statuses": []string{}, "minConfidence": 0, "assertedBy": nil,
		"includeRetracted": false, "knownAt": nil, "validAtStart": nil, "validAtEnd": nil}
}

// allRelTypes is every relationship type of the vocabulary: what an unfiltered query follows.
func allRelTypes() []string {
	var out []string
	for _, t := range incidentgraph.RelTypes() {
		out = append(out, string(t))
	}
	return out
}

// similarTypes are the types the store's SimilarIncidents sets as the filter's: the perpetrator
// links and the place links.
func similarTypes() []string {
	var out []string
	for _, t := range incidentgraph.PerpetratorTypes {
		out = append(out, string(t))
	}
	return append(out, "OCCURRED_AT", "OCCURRED_IN")
}

func withParams(base map[string]any, extra map[string]any) map[string]any {
	for k, v := range extra {
		base[k] = v
	}
	return base
}

// The selection the service and the Library both answer for a relationship of an analyst answer.
const analystRel = `id type direction status confidence other { id name } assertedBy { id name }`

func timelineQuestion(p params) question {
	return question{
		Name: "timeline",
		Desc: fmt.Sprintf("a group's timeline with its affiliates': the first %d incidents and events in date order, each with the links that tie it to the group, and the total count", timelineFirst),
		OursQuery: fmt.Sprintf(`query($a: ID!) { timeline(actor: $a, includeAffiliates: true, first: %d) {
				totalCount pageInfo { hasNextPage } nodes { entity { id } kind name date links { %s } } } }`, timelineFirst, analystRel),
		OursVars: map[string]any{"a": p.Timeline},
		OursNorm: func(d map[string]any) (string, error) {
			t := get(d, "timeline")
			if t == nil {
				return "", fmt.Errorf("no timeline in %s", brief(d))
			}
			var es []timelineEntry
			for _, n := range list(get(t, "nodes")) {
				es = append(es, timelineEntryJSON(n, id(get(n, "entity"))))
			}
			return fmtTimeline(get(t, "totalCount"), get(t, "pageInfo", "hasNextPage"), es), nil
		},
		LibQuery: fmt.Sprintf(`query($a: ID!) { timeline(actor: $a, includeAffiliates: true, first: %d) {
				totalCount hasNextPage entries { id kind name date links { %s } } } }`, timelineFirst, analystRel),
		LibVars: map[string]any{"a": p.Timeline},
		LibNorm: func(d map[string]any) (string, error) {
			t := get(d, "timeline")
			if t == nil {
				return "", fmt.Errorf("no timeline in %s", brief(d))
			}
			var es []timelineEntry
			for _, n := range list(get(t, "entries")) {
				es = append(es, timelineEntryJSON(n, id(n)))
			}
			return fmtTimeline(get(t, "totalCount"), get(t, "hasNextPage"), es), nil
		},
		Floor: []floorStatement{{Cypher: mustQuery("timeline"), Params: withParams(unfiltered(allRelTypes()), map[string]any{
			"actor": p.Timeline, "includeAffiliates": true, "place": nil, "from": nil, "to": nil, "first": timelineFirst,
			"afterStart": nil, "afterEnd": nil, "afterId": nil})}},
		FloorNorm: func(rs [][]map[string]any) (string, error) {
			if len(rs[0]) != 1 {
				return "", fmt.Errorf("timeline: %d rows", len(rs[0]))
			}
			entries := list(rs[0][0]["entries"])
			var es []timelineEntry
			for i, e := range entries {
				if i == timelineFirst {
					break
				}
				props, _ := get(e, "n").(map[string]any)
				te := timelineEntry{ID: str(props["id"]), Kind: str(props["kind"]), Date: str(props["date"]), Name: str(props["name"])}
				for _, l := range list(get(e, "links")) {
					te.Links = append(te.Links, floorRel(l, te.ID, false))
				}
				es = append(es, te)
			}
			return fmtTimeline(rs[0][0]["total"], len(entries) > timelineFirst, es), nil
		},
	}
}

type timelineEntry struct {
	ID, Kind, Date, Name string
	Links                []string
}

func timelineEntryJSON(n any, entryID string) timelineEntry {
	te := timelineEntry{ID: entryID, Kind: str(get(n, "kind")), Date: str(get(n, "date")), Name: str(get(n, "name"))}
	for _, l := range list(get(n, "links")) {
		te.Links = append(te.Links, jsonRel(l))
	}
	return te
}

// fmtTimeline: the total, whether a next page exists, and the entries in order, each with its
// links in order (both orders are part of the answer).
func fmtTimeline(total, next any, es []timelineEntry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "total=%s next=%v\n", num(total), next)
	for _, e := range es {
		fmt.Fprintf(&b, "%s %s %s %q\n", e.Date, e.Kind, e.ID, e.Name)
		for _, l := range e.Links {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	return b.String()
}

// jsonRel is a relationship of a GraphQL answer (service or Library) as the answer check
// compares it.
func jsonRel(r any) string {
	var srcs []string
	for _, s := range list(get(r, "sources")) {
		srcs = append(srcs, id(s))
	}
	slices.Sort(srcs)
	return fmtRel(get(r, "type"), id(r), get(r, "direction"), get(r, "status"), get(r, "confidence"),
		id(get(r, "other")), id(get(r, "assertedBy")), srcs)
}

// floorRel is a relationship as the store's statements return it ({props, type, from, to}),
// seen from viewer as the service sees it (graph.toRelationship): outgoing to its end unless
// viewer is that end. withSources: the answer lists its sources.
func floorRel(r any, viewer string, withSources bool) string {
	props, _ := get(r, "props").(map[string]any)
	from, to := str(get(r, "from")), str(get(r, "to"))
	dir, other := "OUTGOING", to
	if to == viewer && from != viewer {
		dir, other = "INCOMING", from
	}
	var srcs []string
	if withSources {
		for _, s := range list(props["sources"]) {
			srcs = append(srcs, str(s))
		}
		slices.Sort(srcs)
	}
	return fmtRel(get(r, "type"), str(props["id"]), dir, props["status"], props["confidence"], other, str(props["assertedBy"]), srcs)
}

func fmtRel(typ any, rid string, dir, status, conf any, other, by string, sources []string) string {
	s := fmt.Sprintf("%v %s %v %v %s other=%s by=%s", typ, rid, dir, status, num(conf), other, by)
	if sources != nil {
		s += " sources=" + strings.Join(sources, ",")
	}
	return s
}

func str(v any) string { s, _ := v.(string); return s }

func commonQuestion(p params) question {
	rel := `id type direction status confidence assertedBy { id name } sources { id name }`
	return question{
		Name: "common",
		Desc: fmt.Sprintf("what %d entities have in common: the entities linked to each (%d at most), with every link's provenance", len(p.Common), commonFirst),
		OursQuery: fmt.Sprintf(`query($ids: [ID!]!) { commonNeighbors(ids: $ids, first: %d) {
				entity { id kind name } links { of { id name } relationships { %s } } } }`, commonFirst, rel),
		OursVars: map[string]any{"ids": p.Common},
		OursNorm: func(d map[string]any) (string, error) { return normCommonJSON(get(d, "commonNeighbors")) },
		LibQuery: fmt.Sprintf(`query($ids: [ID!]!) { commonNeighbors(ids: $ids, limit: %d) { neighbors {
				entity { id kind name } links { of { id name } relationships { %s } } } } }`, commonFirst, rel),
		LibVars: map[string]any{"ids": p.Common},
		LibNorm: func(d map[string]any) (string, error) { return normCommonJSON(get(d, "commonNeighbors", "neighbors")) },
		Floor: []floorStatement{{Cypher: mustQuery("common_neighbors"),
			Params: withParams(unfiltered(allRelTypes()), map[string]any{"ids": p.Common, "limit": commonFirst})}},
		FloorNorm: func(rs [][]map[string]any) (string, error) {
			if len(rs[0]) != 1 {
				return "", fmt.Errorf("common: %d rows", len(rs[0]))
			}
			var ns []commonNeighbor
			for _, x := range list(rs[0][0]["neighbors"]) {
				eid := id(get(x, "entity"))
				cn := commonNeighbor{ID: eid}
				for _, l := range list(get(x, "links")) {
					link := commonLink{Of: str(get(l, "of"))}
					for _, r := range list(get(l, "rels")) {
						link.Rels = append(link.Rels, floorRel(r, eid, true))
					}
					cn.Links = append(cn.Links, link)
				}
				// The store puts the links in the order of the ids asked, in Go.
				slices.SortStableFunc(cn.Links, func(a, b commonLink) int {
					return slices.Index(p.Common, a.Of) - slices.Index(p.Common, b.Of)
				})
				ns = append(ns, cn)
			}
			return fmtCommon(ns), nil
		},
	}
}

type commonLink struct {
	Of   string
	Rels []string
}

type commonNeighbor struct {
	ID    string
	Links []commonLink
}

func normCommonJSON(v any) (string, error) {
	if v == nil {
		return "", fmt.Errorf("no common neighbours list")
	}
	var ns []commonNeighbor
	for _, x := range list(v) {
		cn := commonNeighbor{ID: id(get(x, "entity"))}
		for _, l := range list(get(x, "links")) {
			link := commonLink{Of: id(get(l, "of"))}
			for _, r := range list(get(l, "relationships")) {
				// Direction and `other` are seen from the common neighbour: other is the entity
				// asked about, which the link names already.
				link.Rels = append(link.Rels, jsonRelFrom(r, link.Of))
			}
			cn.Links = append(cn.Links, link)
		}
		ns = append(ns, cn)
	}
	return fmtCommon(ns), nil
}

// jsonRelFrom is jsonRel for a selection without `other`, whose other end is known.
func jsonRelFrom(r any, other string) string {
	var srcs []string
	for _, s := range list(get(r, "sources")) {
		srcs = append(srcs, id(s))
	}
	slices.Sort(srcs)
	return fmtRel(get(r, "type"), id(r), get(r, "direction"), get(r, "status"), get(r, "confidence"), other, id(get(r, "assertedBy")), srcs)
}

// fmtCommon: the neighbours in rank order, each with its links in the order of the ids asked
// and their relationships strongest first.
func fmtCommon(ns []commonNeighbor) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d common neighbours\n", len(ns))
	for _, n := range ns {
		fmt.Fprintf(&b, "%s\n", n.ID)
		for _, l := range n.Links {
			fmt.Fprintf(&b, "  of %s\n", l.Of)
			for _, r := range l.Rels {
				fmt.Fprintf(&b, "    %s\n", r)
			}
		}
	}
	return b.String()
}

func similarQuestion(p params) question {
	sel := `incident { id name date } score reasons { kind weight via { id name } }`
	q := question{
		Name:      "similar",
		Desc:      fmt.Sprintf("the %d incidents most similar to one, each with its score and the reasons for it", similarFirst),
		OursQuery: fmt.Sprintf(`query($id: ID!) { similarIncidents(id: $id, first: %d) { %s } }`, similarFirst, sel),
		OursVars:  map[string]any{"id": p.Similar},
		OursNorm:  func(d map[string]any) (string, error) { return normSimilarJSON(get(d, "similarIncidents")) },
		LibQuery:  fmt.Sprintf(`query($id: ID!) { similarIncidents(id: $id, first: %d) { items { %s } } }`, similarFirst, sel),
		LibVars:   map[string]any{"id": p.Similar},
		LibNorm:   func(d map[string]any) (string, error) { return normSimilarJSON(get(d, "similarIncidents", "items")) },
		Floor: []floorStatement{{Cypher: mustQuery("similar"), Params: withParams(unfiltered(similarTypes()),
			map[string]any{"id": p.Similar, "candidates": incidentgraph.SimilarityCandidates})}},
		FloorClient: func(rs [][]map[string]any) (any, error) { return scoreSimilar(rs, similarFirst) },
	}
	q.FloorNorm = func(rs [][]map[string]any) (string, error) {
		ranked, err := scoreSimilar(rs, similarFirst)
		if err != nil {
			return "", err
		}
		var items []similarItem
		for _, s := range ranked {
			it := similarItem{ID: s.Incident.ID, Score: s.Score}
			for _, r := range s.Reasons {
				it.Reasons = append(it.Reasons, fmtReason(r.Kind, r.Weight, r.Via))
			}
			items = append(items, it)
		}
		return fmtSimilar(items), nil
	}
	return q
}

// scoreSimilar is what the store does with the records of similar.cypher: the features of the
// incident and its candidates, scored by analysis.Similarity, the first few kept.
func scoreSimilar(rs [][]map[string]any, first int) ([]*incidentgraph.SimilarIncident, error) {
	if len(rs) == 0 || len(rs[0]) != 1 {
		return nil, fmt.Errorf("similar: want one row")
	}
	m := rs[0][0]
	if m["found"] != true || m["kind"] != string(incidentgraph.KindIncident) {
		return nil, fmt.Errorf("similar: not an incident (%v, %v)", m["found"], m["kind"])
	}
	names := map[string]string{}
	networks := map[string][]string{}
	for _, n := range list(m["networks"]) {
		var net []string
		for _, g := range list(get(n, "network")) {
			net = append(net, str(g))
		}
		networks[str(get(n, "id"))] = net
	}
	target := similarFeatures(m["target"], names, networks)
	var cands []analysis.IncidentFeatures
	for _, c := range list(m["candidates"]) {
		cands = append(cands, similarFeatures(c, names, networks))
	}
	ranked := analysis.Similarity(target, cands, names)
	return ranked[:min(first, len(ranked))], nil
}

// similarFeatures reads one incident's features as the store does (neo4j featuresFromMap).
func similarFeatures(x any, names map[string]string, networks map[string][]string) analysis.IncidentFeatures {
	props, _ := get(x, "incident").(map[string]any)
	ints := func(k string) []int {
		var out []int
		for _, v := range list(props[k]) {
			if n, ok := v.(int64); ok {
				out = append(out, int(n))
			}
		}
		return out
	}
	suicide, _ := props["suicide"].(bool)
	e := &incidentgraph.Entity{ID: str(props["id"]), Kind: incidentgraph.Kind(str(props["kind"])), Name: str(props["name"]),
		Date: incidentgraph.PartialDate(str(props["date"])), AttackTypes: ints("attackTypes"), TargetTypes: ints("targetTypes"),
		WeaponTypes: ints("weaponTypes"), Suicide: suicide}
	out := analysis.IncidentFeatures{Incident: e, Network: map[string][]string{}}
	for _, p := range list(get(x, "perpetrators")) {
		pid := str(get(p, "id"))
		names[pid] = str(get(p, "name"))
		out.Perpetrators = append(out.Perpetrators, pid)
		out.Network[pid] = networks[pid]
	}
	for _, v := range list(get(x, "venueKinds")) {
		out.VenueKinds = append(out.VenueKinds, str(v))
	}
	for _, p := range list(get(x, "places")) {
		pid := str(get(p, "id"))
		names[pid] = str(get(p, "name"))
		out.Places = append(out.Places, analysis.Place{ID: pid,
			Level: analysis.PlaceLevelOf(incidentgraph.Kind(str(get(p, "kind"))), str(get(p, "placeType")))})
	}
	return out
}

type similarItem struct {
	ID      string
	Score   float64
	Reasons []string
}

func normSimilarJSON(v any) (string, error) {
	if v == nil {
		return "", fmt.Errorf("no similar incidents list")
	}
	var items []similarItem
	for _, x := range list(v) {
		score, _ := get(x, "score").(float64)
		it := similarItem{ID: id(get(x, "incident")), Score: score}
		for _, r := range list(get(x, "reasons")) {
			var via []string
			for _, e := range list(get(r, "via")) {
				via = append(via, id(e))
			}
			w, _ := get(r, "weight").(float64)
			it.Reasons = append(it.Reasons, fmtReason(str(get(r, "kind")), w, via))
		}
		items = append(items, it)
	}
	return fmtSimilar(items), nil
}

func fmtReason(kind string, weight float64, via []string) string {
	return fmt.Sprintf("%s %.2f via=%s", kind, weight, strings.Join(via, ","))
}

// fmtSimilar: the incidents in rank order with their scores and reasons (heaviest first, as
// ranked); the reasons' descriptions are not compared.
func fmtSimilar(items []similarItem) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d similar incidents\n", len(items))
	for _, it := range items {
		fmt.Fprintf(&b, "%s %.3f\n", it.ID, it.Score)
		for _, r := range it.Reasons {
			fmt.Fprintf(&b, "  %s\n", r)
		}
	}
	return b.String()
}
