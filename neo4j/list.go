package neo4j

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/incidentgraph/incidentgraph"
)

// cursor is a position in a list ordered by (key, id). Keyset paging stays correct and cheap at
// GTD scale, where skipping N rows would not.
type cursor struct {
	Key string `json:"k"`
	ID  string `json:"i"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "after: not a cursor from this API")
	}
	return &c, nil
}

// page answers the total count and one page of a keyset-ordered list in one statement (one
// round trip, one snapshot, so the two agree). head, when not empty, is a clause computing the
// variables named in imports that match uses; match must bind `n`; key is the Cypher
// expression the list is ordered by (then by n.id). The page is cut before anything is
// collected: only its rows are read back.
func (db *DB) page(ctx context.Context, head, imports, match, key string, params map[string]any, p incidentgraph.Page) (*incidentgraph.EntityPage, error) {
	after, err := decodeCursor(p.After)
	if err != nil {
		return nil, err
	}
	params["first"] = p.First + 1 // one more tells whether a next page exists
	params["afterKey"], params["afterId"] = nil, nil
	if after != nil {
		params["afterKey"], params["afterId"] = after.Key, after.ID
	}
	res, err := db.read(ctx, head+`
		CALL (`+imports+`) {`+match+`
			RETURN count(n) AS total
		}
		CALL (`+imports+`) {`+match+`
			WITH n, `+key+` AS key
			WHERE $afterId IS NULL OR key > $afterKey OR (key = $afterKey AND n.id > $afterId)
			WITH n, key ORDER BY key, n.id
			LIMIT $first
			RETURN collect({n: properties(n), key: key}) AS rows
		}
		RETURN total, rows`, params)
	if err != nil {
		return nil, err
	}
	out := &incidentgraph.EntityPage{}
	if len(res.Records) == 0 {
		return out, nil
	}
	total, _ := res.Records[0].Get("total")
	n, _ := total.(int64)
	out.TotalCount = int(n)
	rows, _ := res.Records[0].Get("rows")
	for i, x := range rows.([]any) {
		if i == p.First {
			out.HasNextPage = true
			break
		}
		row, _ := x.(map[string]any)
		props, _ := row["n"].(map[string]any)
		e := entityFromProps(props)
		ks, _ := row["key"].(string)
		out.Entities = append(out.Entities, e)
		out.Cursors = append(out.Cursors, cursor{Key: ks, ID: e.ID}.encode())
	}
	return out, nil
}

// FindIncidents returns one page of incidents, oldest first.
func (db *DB) FindIncidents(ctx context.Context, f incidentgraph.IncidentFilter, p incidentgraph.Page) (*incidentgraph.EntityPage, error) {
	params := map[string]any{
		"perpetrator": nilIfEmpty(f.Perpetrator), "includeAffiliates": f.IncludeAffiliates, "minConfidence": f.MinConfidence,
		"from": nilIfEmpty(f.From.Start()), "to": nilIfEmpty(f.To.End()),
		"place": nilIfEmpty(f.Place), "attackType": nilIfZero(f.AttackType), "targetType": nilIfZero(f.TargetType),
		"includeRetracted": false, // incidents are filtered by standing links only
	}
	for k, v := range timeViewParams(f.TimeView) {
		params[k] = v
	}
	// A perpetrator is whoever claimed, carried out or was attributed the incident, by any
	// party's assertion that has not been denied or retracted. The perpetrator types never link
	// two incidents, so the pattern needs no direction: an ATTRIBUTED_TO touching an incident
	// starts there, a claim ends there.
	//
	// With a perpetrator, the incidents are found from the perpetrators' nodes (an index seek
	// and their links), never by reading every incident; the two shapes have two fixed texts, so
	// each keeps its cached plan. The seek is a hint, not left to the statistics: a few more
	// conditions on the links (the curator's retraction) were enough, on some runs, for the
	// planner to walk the whole id index instead, and the perpetrators are always a handful of
	// ids.
	//
	// On the map (near or within), without a perpetrator, the incidents are found from the
	// point indexes (placedStart); with one, its few incidents are tested (placedCond).
	if err := checkGeo(f.Near, f.Within); err != nil {
		return nil, err
	}
	geo := geoFilter(f.Near, f.Within, params)
	start := `
		MATCH (n:Incident)
		WHERE true`
	if geo != nil {
		start = placedStart("Incident", geo) + `
		WITH n
		WHERE true`
	}
	if f.Perpetrator != "" {
		start = `
		UNWIND perps AS perp
		MATCH (who:Entity {id: perp})-[r:` + typeAlternation(incidentgraph.PerpetratorTypes) + `]-(n:Incident)
		USING INDEX who:Entity(id)
		WHERE r.confidence >= $minConfidence AND ` + counts("r") + `
		WITH DISTINCT n
		WHERE true`
		if geo != nil {
			start += `
		  AND ` + placedCond(geo)
		}
	}
	head := `
		WITH CASE WHEN $perpetrator IS NULL THEN null
		          WHEN $includeAffiliates THEN [$perpetrator] + ` + affiliatesOf(`(:Entity {id: $perpetrator})`, `g.id`) + `
		          ELSE [$perpetrator] END AS perps`
	match := start + `
		  AND ($from IS NULL OR n.dateEnd >= $from)
		  AND ($to IS NULL OR n.dateStart <= $to)
		  AND ($knownAt IS NULL OR n.dateStart <= $knownAt)
		  AND ($attackType IS NULL OR $attackType IN n.attackTypes)
		  AND ($targetType IS NULL OR $targetType IN n.targetTypes)
		  AND ($place IS NULL
		       OR EXISTS { MATCH (n)-[o:OCCURRED_AT|OCCURRED_IN]->(:Entity)` + locatedIn + `(:Entity {id: $place})
		                   WHERE ` + notRetracted("o") + ` })`
	return db.page(ctx, head, "perps", match, "n.dateStart", params, p)
}

// locatedIn is the chain from a site up to the places that hold it (the site itself, then at
// most five LOCATED_IN links: venue, district, city, province, country), written to follow
// from a site node to a place node. Each link must stand (see notRetracted): a curator's
// retraction of a LOCATED_IN link cuts the chain there, so that it no longer places what lies
// below it. The condition sits inside the quantified pattern, where the planner tests it while
// expanding, as it did the bare `*0..5` (the plans still start from the same id seeks).
var locatedIn = `-[located:LOCATED_IN WHERE ` + notRetracted("located") + `]->{0,5}`

// locatedInReverse is locatedIn read from the place down to its sites.
var locatedInReverse = `<-[located:LOCATED_IN WHERE ` + notRetracted("located") + `]-{0,5}`

// affiliatesOf is a COLLECT subquery of `ret` for every group g in the affiliate network
// below anchor: its affiliates (incidentgraph.AffiliationTypes pointing to it), theirs in turn,
// down to MaxAffiliationHops levels, by links that count (see counts: neither denied nor
// retracted, by their party or a curator, and in the time view). The anchor itself is not
// included.
func affiliatesOf(anchor, ret string) string {
	// The hop bound is a constant of the domain; quantifier bounds cannot be parameters.
	return fmt.Sprintf(`COLLECT { MATCH (g:Entity)-[a:%s WHERE %s]->{1,%d}%s
		          RETURN DISTINCT %s }`, typeAlternation(incidentgraph.AffiliationTypes), counts("a"),
		incidentgraph.MaxAffiliationHops, anchor, ret)
}

// typeAlternation joins allow-listed relationship types for a pattern (A|B|C). Only the
// domain's own lists reach it, never client input.
func typeAlternation(ts []incidentgraph.RelType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, "|")
}

// FindOrganizations returns one page of organizations, by name. AffiliateOf keeps a group's
// direct affiliates: those with a link of incidentgraph.AffiliationTypes to it that stands and
// that no curator retracted (the first level of the network affiliatesOf walks).
func (db *DB) FindOrganizations(ctx context.Context, f incidentgraph.OrganizationFilter, p incidentgraph.Page) (*incidentgraph.EntityPage, error) {
	types := f.OrgTypes
	if types == nil {
		types = []string{}
	}
	params := map[string]any{
		"orgTypes": types, "text": nilIfEmpty(lowerTrim(f.NameContains)), "affiliateOf": nilIfEmpty(f.AffiliateOf),
		"includeRetracted": false, // an affiliate is one by a standing link
	}
	match := `
		MATCH (n:Organization)
		WHERE (size($orgTypes) = 0 OR n.orgType IN $orgTypes)
		  AND ($text IS NULL OR toLower(n.name) CONTAINS $text OR any(a IN n.aliases WHERE toLower(a) CONTAINS $text))
		  AND ($affiliateOf IS NULL
		       OR EXISTS { MATCH (n)-[r:` + typeAlternation(incidentgraph.AffiliationTypes) + `]->(:Entity {id: $affiliateOf})
		                   WHERE ` + standing("r") + ` AND ` + notRetracted("r") + ` })`
	return db.page(ctx, "", "", match, "toLower(n.name)", params, p)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nilIfZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}
