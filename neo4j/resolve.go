package neo4j

import (
	"cmp"
	"context"
	"math"
	"regexp"
	"slices"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/names"
)

// Resolution of imported names (see the README, "One entity per real thing"). An import names
// groups, countries and places by the file's spelling; before it creates anything it looks for
// what the graph already holds of each, in any script:
//
//   - sure: the names are equal once folded (names.Fold: case, accents, Arabic letter forms,
//     ё), or equal once a trailing parenthesised acronym is stripped ("Tehrik-i-Taliban
//     Pakistan (TTP)" is the seed's Tehrik-i-Taliban Pakistan); for a place, besides, the same
//     place type and country and, where both have a position, within SamePlaceWithinKm. The
//     import links to the entity it found and records on each link the name it came in with.
//   - unsure: the names meet only through their transliteration keys (lossy), or only the
//     acronym is a name of the other, or same-named places lie farther apart. The import
//     creates its own entity and records the pair as a possible duplicate for curators.
//
// Candidates come from the full-text index entity_search, which holds every entity's search
// keys (searchkeys.go): one index lookup per key, then the comparison here, in Go, where the
// folding lives.

// candidate is an entity the graph holds that an imported name may stand for.
type candidate struct {
	id, name, origin, placeType string
	aliases                     []string
	lat, lon                    *float64
	countries                   []string // for places: the ids of the countries they lie in
}

// names are the candidate's name and aliases.
func (c candidate) names() []string { return append([]string{c.name}, c.aliases...) }

// rank orders candidates for a name: the seed's first, then the curators', then imports', each
// by id, so that a resolution does not depend on the order of the index's answer.
func (c candidate) rank() int {
	switch c.origin {
	case originSeed:
		return 0
	case "curation":
		return 1
	}
	return 2
}

// asciiKey is a key a Lucene query may hold bare: package names writes keys in lower-case ASCII
// letters and digits, and anything else is left out rather than escaped.
var asciiKey = regexp.MustCompile(`^[a-z0-9]+$`)

// candidatesPerKey bounds one key's index lookup: a key shared by more entities than this is no
// way to tell them apart anyway.
const candidatesPerKey = 50

// findCandidates returns the entities of kind whose search keys hold one of keys (by id).
func findCandidates(ctx context.Context, tx driver.ManagedTransaction, kind incidentgraph.Kind, keys []string) (map[string]candidate, error) {
	var qs []string
	for _, k := range keys {
		if asciiKey.MatchString(k) && !slices.Contains(qs, propSearchKeys+":"+k) {
			qs = append(qs, propSearchKeys+":"+k)
		}
	}
	out := map[string]candidate{}
	if len(qs) == 0 {
		return out, nil
	}
	countries := `[]`
	if kind == incidentgraph.KindPlace {
		// The countries a place lies in: through standing LOCATED_IN links, and by its code.
		countries = `COLLECT { MATCH (node)-[l:LOCATED_IN*1..3]->(c:Country) WHERE all(x IN l WHERE ` + standing("x") + ` AND ` + notRetracted("x") + `) RETURN c.id }
		           + COLLECT { MATCH (c:Country) WHERE node.countryCode IS NOT NULL AND c.iso2 = node.countryCode RETURN c.id }`
	}
	recs, err := records(ctx, tx, `
		UNWIND $qs AS q
		CALL (q) {
			CALL db.index.fulltext.queryNodes('entity_search', q, {limit: $per}) YIELD node
			WHERE node.kind = $kind
			RETURN node
		}
		WITH DISTINCT node
		RETURN node.id AS id, node.name AS name, coalesce(node.aliases, []) AS aliases, node.origin AS origin,
		       node.placeType AS placeType, node.latitude AS lat, node.longitude AS lon, `+countries+` AS countries`,
		map[string]any{"qs": qs, "per": candidatesPerKey, "kind": string(kind), "includeRetracted": false})
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		v := r.AsMap()
		c := candidate{id: str(v, "id"), name: str(v, "name"), aliases: strs(v, "aliases"),
			origin: str(v, "origin"), placeType: str(v, "placeType"), countries: strs(v, "countries")}
		if f, ok := v["lat"].(float64); ok {
			c.lat = &f
		}
		if f, ok := v["lon"].(float64); ok {
			c.lon = &f
		}
		out[c.id] = c
	}
	return out, nil
}

// givenName is a name as an import met it, with the forms resolution compares.
type givenName struct {
	text    string
	folded  []string // the whole name folded and, when it ends in an acronym, the rest folded
	keys    []string // their transliteration keys
	acronym string   // the trailing acronym, folded ("" when none)
}

func newGivenName(text string) givenName {
	g := givenName{text: text}
	add := func(s string) {
		if f := names.Fold(s); f != "" && !slices.Contains(g.folded, f) {
			g.folded = append(g.folded, f)
			if k := names.Key(f); k != "" && !slices.Contains(g.keys, k) {
				g.keys = append(g.keys, k)
			}
		}
	}
	add(text)
	if base, acronym := names.StripAcronym(text); acronym != "" {
		add(base)
		g.acronym = names.Fold(acronym)
	}
	return g
}

// lookupKeys are the keys to look candidates up by: the keys, and the acronym (stored folded as
// one of the search keys of a name that ends in it, or of an alias that is one).
func (g givenName) lookupKeys() []string {
	out := slices.Clone(g.keys)
	if g.acronym != "" {
		out = append(out, g.acronym)
	}
	return out
}

// namesMeet is how a given name meets a candidate's names.
type namesMeet int

const (
	noMatch namesMeet = iota
	acronymMatch
	keyMatch
	foldedMatch
)

// match compares g with a candidate's names (each with its acronym stripped too).
func (g givenName) match(theirs []string) namesMeet {
	best := noMatch
	for _, n := range theirs {
		for _, t := range newGivenName(n).folded {
			if slices.Contains(g.folded, t) {
				return foldedMatch
			}
			if best < keyMatch && slices.Contains(g.keys, names.Key(t)) {
				best = keyMatch
			}
			if best < acronymMatch && g.acronym != "" && t == g.acronym {
				best = acronymMatch
			}
		}
	}
	return best
}

// duplicate is a possible duplicate an import records: the graph's entity, the import's own, why.
type duplicate struct {
	kind          incidentgraph.Kind
	first, second string
	reason        incidentgraph.DuplicateReason
	given         string
	distanceKm    *float64
}

// nameVerdict is what resolution made of one name: the entity it stands for (sure), or none and
// the candidates it may be (unsure).
type nameVerdict struct {
	id     string
	unsure []duplicate
}

// judgeNames compares a name with candidates of one kind: the best sure match, or the unsure
// ones. second is the id of the entity the import creates when nothing is sure.
func judgeNames(kind incidentgraph.Kind, g givenName, second string, cands []candidate) nameVerdict {
	var sure []candidate
	var v nameVerdict
	for _, c := range cands {
		switch g.match(c.names()) {
		case foldedMatch:
			sure = append(sure, c)
		case keyMatch:
			v.unsure = append(v.unsure, duplicate{kind: kind, first: c.id, second: second, reason: incidentgraph.DuplicateTransliteration, given: g.text})
		case acronymMatch:
			v.unsure = append(v.unsure, duplicate{kind: kind, first: c.id, second: second, reason: incidentgraph.DuplicateAcronym, given: g.text})
		}
	}
	if len(sure) > 0 {
		slices.SortFunc(sure, func(a, b candidate) int { return cmp.Or(cmp.Compare(a.rank(), b.rank()), cmp.Compare(a.id, b.id)) })
		return nameVerdict{id: sure[0].id}
	}
	return v
}

// placeRef is a place an import would create, as resolution needs it.
type placeRef struct {
	id, name, placeType, country string   // country: the id of the country it lies in
	lat, lon                     *float64 // where the rows put what happened there, if anywhere
}

// judgePlace compares a place with candidates: the nearest sure match (same name once folded,
// same type and country, within SamePlaceWithinKm where both have a position), or the unsure
// ones.
func judgePlace(p placeRef, cands []candidate) nameVerdict {
	g := newGivenName(p.name)
	type hit struct {
		c candidate
		d *float64
	}
	var sure []hit
	var v nameVerdict
	for _, c := range cands {
		if c.id == p.id || c.placeType != p.placeType || !slices.Contains(c.countries, p.country) {
			continue
		}
		d := distanceKm(p.lat, p.lon, c.lat, c.lon)
		near := d == nil || *d <= incidentgraph.SamePlaceWithinKm
		switch m := g.match(c.names()); {
		case m == foldedMatch && near:
			sure = append(sure, hit{c, d})
		case m == foldedMatch:
			v.unsure = append(v.unsure, duplicate{kind: incidentgraph.KindPlace, first: c.id, second: p.id, reason: incidentgraph.DuplicateFarApart, given: p.name, distanceKm: d})
		case m == keyMatch && near:
			v.unsure = append(v.unsure, duplicate{kind: incidentgraph.KindPlace, first: c.id, second: p.id, reason: incidentgraph.DuplicateTransliteration, given: p.name, distanceKm: d})
		}
	}
	if len(sure) > 0 {
		slices.SortFunc(sure, func(a, b hit) int {
			return cmp.Or(cmp.Compare(a.c.rank(), b.c.rank()), cmp.Compare(km(a.d), km(b.d)), cmp.Compare(a.c.id, b.c.id))
		})
		return nameVerdict{id: sure[0].c.id}
	}
	return v
}

// km is a distance for ordering: an unknown one after every known one.
func km(d *float64) float64 {
	if d == nil {
		return math.Inf(1)
	}
	return *d
}

// distanceKm is the great-circle distance between two positions (nil when either is unknown).
func distanceKm(lat1, lon1, lat2, lon2 *float64) *float64 {
	if lat1 == nil || lon1 == nil || lat2 == nil || lon2 == nil {
		return nil
	}
	const earthKm = 6371.0
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	dLat, dLon := rad(*lat2-*lat1), rad(*lon2-*lon1)
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(rad(*lat1))*math.Cos(rad(*lat2))*math.Sin(dLon/2)*math.Sin(dLon/2)
	d := 2 * earthKm * math.Asin(math.Min(1, math.Sqrt(a)))
	d = math.Round(d*10) / 10
	return &d
}

// resolveByKeys resolves names of one kind that exact lookups left over: one index lookup for
// all of them, then judgeNames. The answer maps each name to its verdict.
func resolveByKeys(ctx context.Context, tx driver.ManagedTransaction, kind incidentgraph.Kind, given map[string]string) (map[string]nameVerdict, error) {
	gs := make(map[string]givenName, len(given))
	var keys []string
	for name := range given {
		g := newGivenName(name)
		gs[name] = g
		keys = append(keys, g.lookupKeys()...)
	}
	slices.Sort(keys)
	cands, err := findCandidates(ctx, tx, kind, slices.Compact(keys))
	if err != nil {
		return nil, err
	}
	all := make([]candidate, 0, len(cands))
	for _, c := range cands {
		all = append(all, c)
	}
	out := make(map[string]nameVerdict, len(given))
	for name, second := range given {
		out[name] = judgeNames(kind, gs[name], second, all)
	}
	return out, nil
}

// resolvePlaces resolves the places an import would create: the verdict of each by its id.
func resolvePlaces(ctx context.Context, tx driver.ManagedTransaction, places []placeRef) (map[string]nameVerdict, error) {
	out := make(map[string]nameVerdict, len(places))
	if len(places) == 0 {
		return out, nil
	}
	var keys, ids []string
	for _, p := range places {
		keys = append(keys, newGivenName(p.name).keys...)
		ids = append(ids, p.id)
	}
	// A place an earlier import created stays what it is: its links are there already.
	existing, err := records(ctx, tx, `UNWIND $ids AS id MATCH (p:Entity {id: id}) RETURN p.id AS id`, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	there := map[string]bool{}
	for _, r := range existing {
		there[str(r.AsMap(), "id")] = true
	}
	slices.Sort(keys)
	cands, err := findCandidates(ctx, tx, incidentgraph.KindPlace, slices.Compact(keys))
	if err != nil {
		return nil, err
	}
	all := make([]candidate, 0, len(cands))
	for _, c := range cands {
		all = append(all, c)
	}
	for _, p := range places {
		if there[p.id] {
			out[p.id] = nameVerdict{}
			continue
		}
		out[p.id] = judgePlace(p, all)
	}
	return out, nil
}

// recordDuplicates stores possible duplicates, once per pair: a pair recorded before keeps its
// first record. The records are machinery beside the graph (label PossibleDuplicate), read
// through PossibleDuplicates, never through analysts' Cypher (cypherdomain.go).
func recordDuplicates(ctx context.Context, tx driver.ManagedTransaction, dups []duplicate, origin string) error {
	if len(dups) == 0 {
		return nil
	}
	rows := make([]map[string]any, 0, len(dups))
	for _, d := range dups {
		row := map[string]any{"key": d.first + "\x00" + d.second, "kind": string(d.kind), "first": d.first, "second": d.second,
			"reason": string(d.reason), "given": d.given, "distance": nil}
		if d.distanceKm != nil {
			row["distance"] = *d.distanceKm
		}
		rows = append(rows, row)
	}
	_, err := records(ctx, tx, `
		UNWIND $rows AS d
		MERGE (p:PossibleDuplicate {key: d.key})
		ON CREATE SET p.kind = d.kind, p.first = d.first, p.second = d.second, p.reasons = [d.reason],
		              p.nameAsGiven = d.given, p.distanceKm = d.distance, p.origin = $origin, p.at = datetime()
		ON MATCH SET p.reasons = CASE WHEN d.reason IN p.reasons THEN p.reasons ELSE p.reasons + d.reason END`,
		map[string]any{"rows": rows, "origin": origin})
	return err
}

// PossibleDuplicates lists the recorded pairs both of whose entities still stand, by key
// (first id, then second), one page at a time; a merge settles a pair by removing one of them.
func (db *DB) PossibleDuplicates(ctx context.Context, kind incidentgraph.Kind, p incidentgraph.Page) (*incidentgraph.DuplicatePage, error) {
	after := ""
	if c, err := decodeCursor(p.After); err != nil {
		return nil, err
	} else if c != nil {
		after = c.Key
	}
	res, err := db.read(ctx, `
		MATCH (d:PossibleDuplicate)
		WHERE ($kind = '' OR d.kind = $kind) AND d.key > $after
		MATCH (a:Entity {id: d.first}), (b:Entity {id: d.second})
		WITH d, a, b ORDER BY d.key LIMIT $limit
		RETURN d.key AS key, properties(a) AS a, properties(b) AS b, d.reasons AS reasons, d.nameAsGiven AS given,
		       d.distanceKm AS distance, d.origin AS origin, d.at AS at,
		       COUNT { MATCH (a)-[r1]-(n:Entity)-[r2]-(b)
		               WHERE n <> a AND n <> b AND `+standing("r1")+` AND `+standing("r2")+`
		                 AND `+notRetracted("r1")+` AND `+notRetracted("r2")+` } AS shared`,
		map[string]any{"kind": string(kind), "after": after, "limit": p.First + 1, "includeRetracted": false})
	if err != nil {
		return nil, err
	}
	out := &incidentgraph.DuplicatePage{Pairs: []*incidentgraph.PossibleDuplicate{}}
	for i, r := range res.Records {
		if i == p.First {
			out.HasNextPage = true
			break
		}
		v := r.AsMap()
		d := &incidentgraph.PossibleDuplicate{
			First: entityFromProps(asMap(v["a"])), Second: entityFromProps(asMap(v["b"])),
			NameAsGiven: str(v, "given"), RecordedBy: str(v, "origin"),
			SharedNeighbours: integer(v, "shared"), RecordedAt: toTime(v["at"]),
		}
		for _, s := range strs(v, "reasons") {
			d.Reasons = append(d.Reasons, incidentgraph.DuplicateReason(s))
		}
		if f, ok := v["distance"].(float64); ok {
			d.DistanceKm = &f
		}
		out.Pairs = append(out.Pairs, d)
		out.Cursors = append(out.Cursors, cursor{Key: str(v, "key"), ID: d.Second.ID}.encode())
	}
	return out, nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
