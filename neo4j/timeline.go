package neo4j

import (
	"context"
	"encoding/base64"
	"encoding/json"

	"github.com/incidentgraph/incidentgraph"
)

// timelineCursor is a position in a timeline, ordered by (dateStart, dateEnd, id).
type timelineCursor struct {
	Start string `json:"s"`
	End   string `json:"e"`
	ID    string `json:"i"`
}

func (c timelineCursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeTimelineCursor(s string) (*timelineCursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c timelineCursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" || c.Start == "" || c.End == "" {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "after: not a timeline cursor from this API")
	}
	return &c, nil
}

// timelineMatch binds every entry `n` of a timeline. It expects `actors` (the actor and, with
// includeAffiliates, its network) and `place` to be bound.
//
// With an actor, the entries are found from the actors' nodes (an index seek for the actor, its
// links), never by walking every dated incident and event to test each for a link: a timeline of
// one group costs what the group's links cost, whatever the graph's size. The two shapes have
// two fixed texts, so each keeps its cached plan.
//
// On the map (geo, from geoFilter; nil when not), without an actor, the entries are found from
// the point indexes (placedStart); with one, the actor's entries are tested (placedCond).
func timelineMatch(withActor bool, geo func(v string) string) string {
	start := `
		MATCH (n:Incident|Event)
		WHERE n.dateStart IS NOT NULL`
	if geo != nil {
		start = placedStart("Incident|Event", geo) + `
		WITH n
		WHERE n.dateStart IS NOT NULL`
	}
	if withActor {
		start = `
		UNWIND actors AS a
		MATCH (a)-[r]-(n:Incident|Event)
		WHERE ` + relPredicate + `
		WITH DISTINCT n
		WHERE n.dateStart IS NOT NULL`
		if geo != nil {
			start += `
		  AND ` + placedCond(geo)
		}
	}
	return start + `
		  AND ($from IS NULL OR n.dateEnd >= $from)
		  AND ($to IS NULL OR n.dateStart <= $to)
		  AND ($knownAt IS NULL OR n.dateStart <= $knownAt)
		  AND ($place IS NULL
		       OR EXISTS { MATCH (n)-[o:OCCURRED_AT|OCCURRED_IN]->(:Entity)` + locatedIn + `(place)
		                   WHERE ` + notRetracted("o") + ` })`
}

// Timeline returns one page of incidents and events in date order: by the first day they may
// have begun (dateStart), then the last day they may have ended (dateEnd), then id. A date
// known only to the month sorts by its first day, so "2024-03" comes before "2024-03-07",
// and a day comes before the month that starts on it ("2024-03-01" before "2024-03"). Entries
// with no date at all cannot be placed and are left out.
//
// The count, the page and the checks that actor and place exist are one query, so they agree.
func (db *DB) Timeline(ctx context.Context, f incidentgraph.TimelineFilter, p incidentgraph.Page) (*incidentgraph.TimelinePage, error) {
	if p.First < 1 || p.First > incidentgraph.MaxPageSize {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "first must be between 1 and %d", incidentgraph.MaxPageSize)
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.From.Start() > f.To.End() {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "from (%s) is after to (%s)", f.From, f.To)
	}
	after, err := decodeTimelineCursor(p.After)
	if err != nil {
		return nil, err
	}
	params := filterParams(f.Rel)
	params["actor"], params["place"] = nilIfEmpty(f.Actor), nilIfEmpty(f.Place)
	params["includeAffiliates"] = f.IncludeAffiliates
	params["from"], params["to"] = nilIfEmpty(f.From.Start()), nilIfEmpty(f.To.End())
	params["first"] = p.First + 1 // one more tells whether a next page exists
	params["afterStart"], params["afterEnd"], params["afterId"] = nil, nil, nil
	if after != nil {
		params["afterStart"], params["afterEnd"], params["afterId"] = after.Start, after.End, after.ID
	}
	if err := checkGeo(f.Near, f.Within); err != nil {
		return nil, err
	}
	match := timelineMatch(f.Actor != "", geoFilter(f.Near, f.Within, params))
	res, err := db.read(ctx, `
		OPTIONAL MATCH (actor:Entity {id: $actor})
		OPTIONAL MATCH (place:Entity {id: $place})
		WITH actor, place,
		     CASE WHEN actor IS NULL THEN []
		          WHEN $includeAffiliates THEN [actor] + `+affiliatesOf(`(actor)`, `g`)+`
		          ELSE [actor] END AS actors
		CALL (place, actors) {
			`+match+`
			RETURN count(n) AS total
		}
		CALL (place, actors) {
			`+match+`
			  AND ($afterId IS NULL OR n.dateStart > $afterStart
			       OR (n.dateStart = $afterStart AND (n.dateEnd > $afterEnd
			           OR (n.dateEnd = $afterEnd AND n.id > $afterId))))
			WITH n ORDER BY n.dateStart, n.dateEnd, n.id LIMIT $first
			RETURN collect({n: properties(n), links: COLLECT {
				MATCH (n)-[r]-(a:Entity) WHERE a IN actors AND `+relPredicate+`
				WITH r ORDER BY r.confidence DESC, type(r), r.id
				RETURN `+relFields+` }}) AS entries
		}
		RETURN actor IS NOT NULL AS hasActor, place IS NOT NULL AS hasPlace, place.kind AS placeKind, total, entries`, params)
	if err != nil {
		return nil, err
	}
	m := res.Records[0].AsMap()
	switch placeKind, _ := m["placeKind"].(string); {
	case f.Actor != "" && m["hasActor"] != true:
		return nil, incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no entity with id %q", f.Actor)
	case f.Place != "" && m["hasPlace"] != true:
		return nil, incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no entity with id %q", f.Place)
	case f.Place != "" && placeKind != string(incidentgraph.KindPlace) && placeKind != string(incidentgraph.KindCountry):
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "place %q is a %s, not a place or country", f.Place, placeKind)
	}
	out := &incidentgraph.TimelinePage{Entries: []*incidentgraph.TimelineEntry{}, Cursors: []string{}}
	total, _ := m["total"].(int64)
	out.TotalCount = int(total)
	entries, _ := m["entries"].([]any)
	for i, x := range entries {
		if i == p.First {
			out.HasNextPage = true
			break
		}
		em := x.(map[string]any)
		props, _ := em["n"].(map[string]any)
		e := &incidentgraph.TimelineEntry{Entity: entityFromProps(props), Links: []*incidentgraph.Relationship{}}
		links, _ := em["links"].([]any)
		for _, l := range links {
			e.Links = append(e.Links, relFromMap(l.(map[string]any)))
		}
		out.Entries = append(out.Entries, e)
		out.Cursors = append(out.Cursors, timelineCursor{Start: str(props, "dateStart"), End: str(props, "dateEnd"), ID: e.Entity.ID}.encode())
	}
	return out, nil
}
