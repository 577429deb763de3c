package neo4j

import (
	"context"
	"slices"
	"strings"
	"unicode"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/names"
)

// labels maps each kind to its Neo4j label. Every entity node also carries :Entity, which holds
// the id constraint and the full-text index.
var labels = map[incidentgraph.Kind]string{
	incidentgraph.KindOrganization: "Organization",
	incidentgraph.KindCountry:      "Country",
	incidentgraph.KindPerson:       "Person",
	incidentgraph.KindPlace:        "Place",
	incidentgraph.KindIncident:     "Incident",
	incidentgraph.KindEvent:        "Event",
	incidentgraph.KindSource:       "Source",
	incidentgraph.KindGroup:        "Group",
}

// entityProps is the one place that turns an entity into node properties. Empty values are left
// out: Neo4j does not store nulls, and an absent property reads back as the zero value.
func entityProps(e *incidentgraph.Entity) map[string]any {
	p := map[string]any{"id": e.ID, "kind": string(e.Kind), "name": e.Name, "aliases": nonNil(e.Aliases)}
	str := func(k, v string) {
		if v != "" {
			p[k] = v
		}
	}
	date := func(k string, v incidentgraph.PartialDate) { str(k, string(v)) }
	ints := func(k string, v []int) {
		if len(v) > 0 {
			xs := make([]int64, len(v))
			for i, x := range v {
				xs[i] = int64(x)
			}
			p[k] = xs
		}
	}
	aliasProps(p, e)
	str("description", e.Description)
	if len(e.SourceIDs) > 0 {
		p["sources"] = e.SourceIDs
	}
	str("orgType", e.OrgType)
	str("gtdName", e.GTDName)
	date("founded", e.Founded)
	date("dissolved", e.Dissolved)
	str("iso2", e.ISO2)
	str("role", e.Role)
	str("nationality", e.Nationality)
	if e.Anonymous {
		p["anonymous"] = true
	}
	str("placeType", e.PlaceType)
	str("countryCode", e.CountryCode)
	if e.Latitude != nil {
		p["latitude"] = *e.Latitude
	}
	if e.Longitude != nil {
		p["longitude"] = *e.Longitude
	}
	if e.GeoPrecision != nil {
		p["geoPrecision"] = int64(*e.GeoPrecision)
	}
	date("date", e.Date)
	date("endDate", e.EndDate)
	if !e.Date.IsZero() {
		// dateStart/dateEnd make partial dates comparable: "2024-03" spans 03-01 … 03-31.
		p["dateStart"] = e.Date.Start()
		p["dateEnd"] = e.Date.End()
		if !e.EndDate.IsZero() {
			p["dateEnd"] = e.EndDate.End()
		}
	}
	str("summary", e.Summary)
	ints("attackTypes", e.AttackTypes)
	ints("targetTypes", e.TargetTypes)
	ints("weaponTypes", e.WeaponTypes)
	if e.Suicide {
		p["suicide"] = true
	}
	str("outcome", e.Outcome)
	str("gtdEventId", e.GTDEventID)
	str("eventType", e.EventType)
	str("publisher", e.Publisher)
	date("published", e.Published)
	str("url", e.URL)
	str("sourceType", e.SourceType)
	date("accessed", e.Accessed)
	return p
}

// entityFromProps is the one place that turns node properties back into an entity.
func entityFromProps(p map[string]any) *incidentgraph.Entity {
	e := &incidentgraph.Entity{
		ID:          str(p, "id"),
		Kind:        incidentgraph.Kind(str(p, "kind")),
		Name:        str(p, "name"),
		Aliases:     strs(p, "aliases"),
		Description: str(p, "description"),
		SourceIDs:   strs(p, "sources"),
		Version:     versionOf(p),
		OrgType:     str(p, "orgType"),
		GTDName:     str(p, "gtdName"),
		Founded:     incidentgraph.PartialDate(str(p, "founded")),
		Dissolved:   incidentgraph.PartialDate(str(p, "dissolved")),
		ISO2:        str(p, "iso2"),
		Role:        str(p, "role"),
		Nationality: str(p, "nationality"),
		Anonymous:   boolean(p, "anonymous"),
		PlaceType:   str(p, "placeType"),
		CountryCode: str(p, "countryCode"),
		Date:        incidentgraph.PartialDate(str(p, "date")),
		EndDate:     incidentgraph.PartialDate(str(p, "endDate")),
		Summary:     str(p, "summary"),
		AttackTypes: ints(p, "attackTypes"),
		TargetTypes: ints(p, "targetTypes"),
		WeaponTypes: ints(p, "weaponTypes"),
		Suicide:     boolean(p, "suicide"),
		Outcome:     str(p, "outcome"),
		GTDEventID:  str(p, "gtdEventId"),
		EventType:   str(p, "eventType"),
		Publisher:   str(p, "publisher"),
		Published:   incidentgraph.PartialDate(str(p, "published")),
		URL:         str(p, "url"),
		SourceType:  str(p, "sourceType"),
		Accessed:    incidentgraph.PartialDate(str(p, "accessed")),
	}
	aliasesFromProps(p, e)
	if v, ok := p["latitude"].(float64); ok {
		e.Latitude = &v
	}
	if v, ok := p["longitude"].(float64); ok {
		e.Longitude = &v
	}
	if v, ok := p["geoPrecision"].(int64); ok {
		n := int(v)
		e.GeoPrecision = &n
	}
	return e
}

// The detail of the aliases is stored in lists parallel to aliases, one string per alias and
// "" where nothing is known, because Neo4j properties cannot hold maps; an alias's sources are
// one string of space-separated ids (ids have no spaces). Entities whose aliases have no detail
// have none of these lists.
const (
	propAliasLanguages = "aliasLanguages"
	propAliasScripts   = "aliasScripts"
	propAliasSources   = "aliasSources"
	propAliasNotes     = "aliasNotes"
)

func aliasProps(p map[string]any, e *incidentgraph.Entity) {
	if len(e.AliasInfo) == 0 {
		return
	}
	list := e.AliasList()
	langs, scripts, sources, notes := make([]string, len(list)), make([]string, len(list)), make([]string, len(list)), make([]string, len(list))
	for i, a := range list {
		langs[i], scripts[i], sources[i], notes[i] = a.Language, a.Script, strings.Join(a.SourceIDs, " "), a.Note
	}
	p[propAliasLanguages], p[propAliasScripts], p[propAliasSources], p[propAliasNotes] = langs, scripts, sources, notes
}

func aliasesFromProps(p map[string]any, e *incidentgraph.Entity) {
	langs, scripts, sources, notes := strs(p, propAliasLanguages), strs(p, propAliasScripts), strs(p, propAliasSources), strs(p, propAliasNotes)
	if len(langs)+len(scripts)+len(sources)+len(notes) == 0 {
		return
	}
	at := func(xs []string, i int) string {
		if i < len(xs) {
			return xs[i]
		}
		return ""
	}
	list := make([]incidentgraph.Alias, len(e.Aliases))
	for i, a := range e.Aliases {
		list[i] = incidentgraph.Alias{Name: a, Language: at(langs, i), Script: at(scripts, i),
			Note: at(notes, i)}
		if ids := strings.Fields(at(sources, i)); len(ids) > 0 {
			list[i].SourceIDs = ids
		}
	}
	aliases := e.Aliases
	e.SetAliases(list)
	e.Aliases = aliases // keep the list read, never nil
}

func str(p map[string]any, k string) string {
	s, _ := p[k].(string)
	return s
}

func boolean(p map[string]any, k string) bool {
	b, _ := p[k].(bool)
	return b
}

func strs(p map[string]any, k string) []string {
	xs, _ := p[k].([]any)
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func ints(p map[string]any, k string) []int {
	xs, _ := p[k].([]any)
	out := make([]int, 0, len(xs))
	for _, x := range xs {
		if n, ok := x.(int64); ok {
			out = append(out, int(n))
		}
	}
	return out
}

func integer(p map[string]any, k string) int {
	n, _ := p[k].(int64)
	return int(n)
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// FindEntitiesByIDs returns the entities that exist among ids.
func (db *DB) FindEntitiesByIDs(ctx context.Context, ids []string) ([]*incidentgraph.Entity, error) {
	res, err := db.read(ctx, `
		MATCH (n:Entity) WHERE n.id IN $ids
		RETURN properties(n) AS n`, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	return entities(res.Records, "n"), nil
}

// Search finds entities by name or alias with the full-text index, in any script: the text is
// looked for as typed, folded and transliterated (searchkeys.go, package names). A match of the
// whole name or alias ranks first (as typed or folded), then a match of its transliteration key
// ("Daech", "داعش" and "ДАИШ" are all the key of "Daesh"), then Lucene's score, which favours
// short names that match.
func (db *DB) Search(ctx context.Context, text string, kinds []incidentgraph.Kind, limit int) ([]*incidentgraph.Entity, error) {
	found, err := db.search(ctx, db.searchQuery(text, false), text, kinds, limit)
	if err == nil && len(found) == 0 {
		// Nothing matched as typed: allow one typo per word ("Khorassan" finds Khorasan).
		found, err = db.search(ctx, db.searchQuery(text, true), text, kinds, limit)
	}
	for _, e := range found {
		e.Match = nameMatch(text, e)
	}
	return found, err
}

// matchKinds are the domain's words for names.MatchKind.
var matchKinds = map[names.MatchKind]incidentgraph.NameMatchKind{
	names.Exact:          incidentgraph.MatchExact,
	names.Folded:         incidentgraph.MatchFolded,
	names.Transliterated: incidentgraph.MatchTransliterated,
	names.Word:           incidentgraph.MatchWord,
	names.Typo:           incidentgraph.MatchTypo,
}

// nameMatch says which of e's names text matched and how, with the same package names the
// search used, so that a researcher who pasted "داعش" sees it found the Arabic alias of the
// Islamic State. It is nil when no name explains the hit.
func nameMatch(text string, e *incidentgraph.Entity) *incidentgraph.NameMatch {
	i, how := names.Best(text, append([]string{e.Name}, e.Aliases...))
	if how == names.NoMatch {
		return nil
	}
	if i == 0 {
		return &incidentgraph.NameMatch{Name: e.Name, How: matchKinds[how]}
	}
	a := e.AliasDetail(e.Aliases[i-1])
	return &incidentgraph.NameMatch{Name: a.Name, Language: a.Language, Script: a.Script, How: matchKinds[how]}
}

// minKeyLength is the shortest transliteration key a search looks up: shorter ones ("is", "k")
// are the start of too many others.
const minKeyLength = 3

// searchQuery is the Lucene query for text: its words as typed, or its folded words, or its key
// (a whole-name key, or the start of one), or the keys of its words, among the stored search
// keys.
func (db *DB) searchQuery(text string, fuzzy bool) string {
	var alts []string
	add := func(q string) {
		if q != "" && !slices.Contains(alts, "("+q+")") {
			alts = append(alts, "("+q+")")
		}
	}
	add(luceneQuery(text, fuzzy))
	if !db.noSearchFolding {
		add(luceneQuery(names.Fold(text), fuzzy))
		// Keys are ASCII letters and digits: nothing in them is Lucene syntax.
		if k := names.Key(text); len(k) >= minKeyLength {
			add(propSearchKeys + ":(" + k + " OR " + k + "*)")
		}
		if wk := luceneQuery(wordKeys(text), false); wk != "" {
			add(propSearchKeys + ":(" + wk + ")")
		}
	}
	return strings.Join(alts, " OR ")
}

func (db *DB) search(ctx context.Context, q, text string, kinds []incidentgraph.Kind, limit int) ([]*incidentgraph.Entity, error) {
	if q == "" {
		return []*incidentgraph.Entity{}, nil
	}
	ks := make([]string, len(kinds))
	for i, k := range kinds {
		ks[i] = string(k)
	}
	// The index ranks across all kinds; with a kind filter, look further down its list.
	candidates := limit * 5
	if len(ks) > 0 {
		candidates = limit * 50
	}
	folded, key := "", ""
	if !db.noSearchFolding {
		folded, key = names.Fold(text), names.Key(text)
	}
	res, err := db.read(ctx, `
		CALL db.index.fulltext.queryNodes('entity_search', $q, {limit: $candidates}) YIELD node, score
		WHERE size($kinds) = 0 OR node.kind IN $kinds
		WITH node, score +
		     CASE WHEN toLower(node.name) = $exact OR any(a IN node.aliases WHERE toLower(a) = $exact)
		               OR $folded IN coalesce(node.searchKeys, []) THEN 1000.0
		          WHEN size($key) >= $minKey AND $key IN coalesce(node.searchKeys, []) THEN 500.0
		          ELSE 0.0 END AS rank
		RETURN properties(node) AS n
		ORDER BY rank DESC, node.name, node.id
		LIMIT $limit`, map[string]any{
		"q": q, "kinds": ks, "exact": strings.ToLower(strings.TrimSpace(text)),
		"folded": folded, "key": key, "minKey": minKeyLength,
		"limit": limit, "candidates": candidates,
	})
	if err != nil {
		return nil, err
	}
	return entities(res.Records, "n"), nil
}

// luceneQuery turns what a user typed into a Lucene query that cannot fail to parse: every
// word is matched as a word or a word prefix (or, when fuzzy, within one edit for words of four
// letters or more), a word with punctuation as a quoted phrase, and all words must match. Lower
// case keeps AND/OR/NOT from acting as operators.
func luceneQuery(text string, fuzzy bool) string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return unicode.IsSpace(r)
	})
	var parts []string
	for _, w := range words {
		var phrase strings.Builder
		letters := 0
		tokenized := false
		for _, r := range w {
			if strings.ContainsRune(`+-&|!(){}[]^"~*?:\/`, r) {
				tokenized = true // a Lucene operator: never let it reach the parser bare
			}
			if r == '"' || r == '\\' {
				phrase.WriteByte('\\')
			}
			phrase.WriteRune(r)
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				letters++
			}
		}
		switch {
		case letters == 0:
			continue // punctuation alone matches nothing
		case tokenized:
			// "ISIS-K" is indexed as the words "isis" and "k": match them as a phrase.
			parts = append(parts, `"`+phrase.String()+`"`)
		case fuzzy && letters >= 4:
			parts = append(parts, w+"~1")
		default:
			parts = append(parts, "("+w+" OR "+w+"*)")
		}
	}
	return strings.Join(parts, " AND ")
}

func entityFromRecord(r *driver.Record, key string) *incidentgraph.Entity {
	v, _ := r.Get(key)
	p, _ := v.(map[string]any)
	return entityFromProps(p)
}

func entities(recs []*driver.Record, key string) []*incidentgraph.Entity {
	out := make([]*incidentgraph.Entity, 0, len(recs))
	for _, r := range recs {
		out = append(out, entityFromRecord(r, key))
	}
	return out
}

func lowerTrim(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
