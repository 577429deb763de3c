package neo4j

import (
	"context"
	"fmt"
	"slices"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/analysis"
)

// SimilarIncidents ranks other incidents by what the graph says they have in common with id:
// perpetrators and their affiliate networks, GTD attack, target and weapon types, suicide
// attackers, season, the kind of site and the places (see analysis.Similarity for the weights).
// Curators' RESEMBLES and PRECEDENT_OF links play no part: similarity comes from features.
//
// f's statuses, minimum confidence, asserting party and time view select the perpetrator and
// place assertions that count (denied or retracted perpetrator links never do); its types and
// direction do not apply, since similarity follows fixed link types.
//
// One query fetches the features of the incident and of at most SimilarityCandidates others:
// first those linked to a perpetrator of it or a group in their networks, then those sharing a
// place with it, then the rest, each tier nearest in time first.
func (db *DB) SimilarIncidents(ctx context.Context, id string, first int, f incidentgraph.RelationshipFilter) ([]*incidentgraph.SimilarIncident, error) {
	if first < 1 || first > incidentgraph.MaxSimilarIncidents {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "first must be between 1 and %d", incidentgraph.MaxSimilarIncidents)
	}
	f.Types = append(slices.Clone(incidentgraph.PerpetratorTypes), "OCCURRED_AT", "OCCURRED_IN")
	params := filterParams(f)
	params["id"] = id
	params["candidates"] = incidentgraph.SimilarityCandidates
	perp := typeAlternation(incidentgraph.PerpetratorTypes)
	linkedPerp := `NOT r.status IN ['DENIED', 'RETRACTED'] AND ` + relPredicate
	near := `coalesce(abs(duration.inDays(date(t.dateStart), date(c.dateStart)).days), 1000000000)`
	res, err := db.read(ctx, `
		OPTIONAL MATCH (t:Entity {id: $id})
		OPTIONAL CALL (t) {
			WITH t WHERE t:Incident
			RETURN `+incidentFeatures("t")+` AS target
		}
		CALL (t) {
			WITH t WHERE t:Incident
			WITH t,
			     COLLECT { MATCH (t)-[r:`+perp+`]-(p:Entity) WHERE `+linkedPerp+`
			               RETURN p.id AS id
			               UNION
			               MATCH (t)-[r:`+perp+`]-(:Entity)-[a:`+typeAlternation(incidentgraph.AffiliationTypes)+` WHERE `+affiliationLink+`]-{1,2}(g:Entity)
			               WHERE `+linkedPerp+`
			               RETURN g.id AS id } AS kin,
			     COLLECT { MATCH (t)-[r:OCCURRED_AT|OCCURRED_IN]->(:Entity)-[:LOCATED_IN*0..5]->(pl:Entity) WHERE `+relPredicate+`
			               RETURN DISTINCT pl.id } AS sites
			CALL (t, kin, sites) {
				MATCH (k:Entity)-[r:`+perp+`]-(c:Incident) WHERE k.id IN kin AND c <> t AND `+linkedPerp+`
				WITH DISTINCT t, c
				RETURN c, 0 AS tier, `+near+` AS near ORDER BY near, c.id LIMIT $candidates
				UNION ALL
				MATCH (c:Incident)-[r:OCCURRED_AT|OCCURRED_IN]->(:Entity)-[:LOCATED_IN*0..5]->(pl:Entity)
				WHERE pl.id IN sites AND c <> t AND `+relPredicate+`
				WITH DISTINCT t, c
				RETURN c, 1 AS tier, `+near+` AS near ORDER BY near, c.id LIMIT $candidates
				UNION ALL
				MATCH (c:Incident) WHERE c <> t
				RETURN c, 2 AS tier, `+near+` AS near ORDER BY near, c.id LIMIT $candidates
			}
			WITH c, min(tier) AS tier, min(near) AS near
			ORDER BY tier, near, c.id LIMIT $candidates
			RETURN collect(`+incidentFeatures("c")+`) AS candidates
		}
		RETURN t IS NOT NULL AS found, t.kind AS kind, target, candidates`, params)
	if err != nil {
		return nil, err
	}
	m := res.Records[0].AsMap()
	switch kind, _ := m["kind"].(string); {
	case m["found"] != true:
		return nil, incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no entity with id %q", id)
	case kind != string(incidentgraph.KindIncident):
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "%q is a %s, not an incident", id, kind)
	}
	names := map[string]string{}
	target := featuresFromMap(m["target"], names)
	var candidates []analysis.IncidentFeatures
	list, _ := m["candidates"].([]any)
	for _, c := range list {
		candidates = append(candidates, featuresFromMap(c, names))
	}
	ranked := analysis.Similarity(target, candidates, names)
	if len(ranked) > first {
		ranked = ranked[:first]
	}
	return ranked, nil
}

// affiliationLink is what an affiliation `a` in a perpetrator's network must meet: neither
// denied nor retracted, and in the time view.
var affiliationLink = `NOT a.status IN ['DENIED', 'RETRACTED'] AND ` + inTimeView("a")

// incidentFeatures is a map of what similarity compares of incident v (see
// analysis.IncidentFeatures), with the names of the perpetrators and places for the reasons.
func incidentFeatures(v string) string {
	return fmt.Sprintf(`{
		incident: properties(%[1]s),
		perpetrators: COLLECT {
			MATCH (%[1]s)-[r:%[2]s]-(p:Entity) WHERE NOT r.status IN ['DENIED', 'RETRACTED'] AND %[3]s
			WITH DISTINCT p
			RETURN {id: p.id, name: p.name, network: COLLECT {
				MATCH (p)-[a:%[4]s WHERE %[5]s]-{1,2}(g:Entity) WHERE g <> p RETURN DISTINCT g.id }} },
		venueKinds: COLLECT {
			MATCH (%[1]s)-[r:OCCURRED_AT]->(s:Place) WHERE s.placeType IS NOT NULL AND %[3]s
			RETURN DISTINCT s.placeType },
		places: COLLECT {
			MATCH (%[1]s)-[r:OCCURRED_AT|OCCURRED_IN]->(:Entity)-[:LOCATED_IN*0..5]->(pl:Entity) WHERE %[3]s
			WITH DISTINCT pl
			RETURN {id: pl.id, name: pl.name, kind: pl.kind, placeType: pl.placeType} }
	}`, v, typeAlternation(incidentgraph.PerpetratorTypes), relPredicate,
		typeAlternation(incidentgraph.AffiliationTypes), affiliationLink)
}

func featuresFromMap(x any, names map[string]string) analysis.IncidentFeatures {
	m, _ := x.(map[string]any)
	props, _ := m["incident"].(map[string]any)
	out := analysis.IncidentFeatures{Incident: entityFromProps(props), Network: map[string][]string{}}
	perps, _ := m["perpetrators"].([]any)
	for _, p := range perps {
		pm := p.(map[string]any)
		id := str(pm, "id")
		names[id] = str(pm, "name")
		out.Perpetrators = append(out.Perpetrators, id)
		out.Network[id] = strs(pm, "network")
	}
	out.VenueKinds = strs(m, "venueKinds")
	places, _ := m["places"].([]any)
	for _, p := range places {
		pm := p.(map[string]any)
		id := str(pm, "id")
		names[id] = str(pm, "name")
		out.Places = append(out.Places, analysis.Place{ID: id,
			Level: analysis.PlaceLevelOf(incidentgraph.Kind(str(pm, "kind")), str(pm, "placeType"))})
	}
	return out
}
