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
// place with it, then the rest, each tier nearest in time first. A second reads the whole
// entities of the `first` kept: the candidates carry only what is scored (scoredProps), so that
// a request holds 2,000 small maps, not 2,000 incidents with their names, aliases and keys.
//
// Every tier starts from an index, so the query's work does not grow with the graph: the
// first from the kin's ids (a hint: with the links' conditions the planner sometimes preferred
// walking the whole id index to seeking a few ids), the second from the places' ids (walking down to the incidents
// there), the last from the incident_date index on either side of the incident's dateStart.
// The last takes the nearest SimilarityCandidates later (or same-day) and earlier incidents in
// date order, ties by id; in days from the target that order is the tier's own (near, id), so
// the tier's answer is what ordering every incident would give. An incident without a date
// cannot be placed in time and reaches the candidates through the first two tiers only (nor,
// when the incident itself has no date, does the last tier offer any).
func (db *DB) SimilarIncidents(ctx context.Context, id string, first int, f incidentgraph.RelationshipFilter) ([]*incidentgraph.SimilarIncident, error) {
	if first < 1 || first > incidentgraph.MaxSimilarIncidents {
		return nil, incidentgraph.Errorf(incidentgraph.EINVALID, "first must be between 1 and %d", incidentgraph.MaxSimilarIncidents)
	}
	release, err := db.scoring.Await(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	f.Types = append(slices.Clone(incidentgraph.PerpetratorTypes), "OCCURRED_AT", "OCCURRED_IN")
	params := filterParams(f)
	params["id"] = id
	params["candidates"] = incidentgraph.SimilarityCandidates
	perp := typeAlternation(incidentgraph.PerpetratorTypes)
	linkedPerp := standing("r") + ` AND ` + relPredicate
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
			     COLLECT { MATCH (t)-[r:OCCURRED_AT|OCCURRED_IN]->(:Entity)`+locatedIn+`(pl:Entity) WHERE `+relPredicate+`
			               RETURN DISTINCT pl.id } AS sites
			CALL (t, kin, sites) {
				MATCH (k:Entity)-[r:`+perp+`]-(c:Incident) USING INDEX k:Entity(id) WHERE k.id IN kin AND c <> t AND `+linkedPerp+`
				WITH DISTINCT t, c
				RETURN c, 0 AS tier, `+near+` AS near ORDER BY near, c.id LIMIT $candidates
				UNION ALL
				UNWIND sites AS site
				MATCH (pl:Entity {id: site})`+locatedInReverse+`(:Entity)<-[r:OCCURRED_AT|OCCURRED_IN]-(c:Incident)
				WHERE c <> t AND `+relPredicate+`
				WITH DISTINCT t, c
				RETURN c, 1 AS tier, `+near+` AS near ORDER BY near, c.id LIMIT $candidates
				UNION ALL
				CALL (t) {
					MATCH (c:Incident) WHERE c.dateStart >= t.dateStart AND c <> t
					RETURN c ORDER BY c.dateStart, c.id LIMIT $candidates
					UNION ALL
					MATCH (c:Incident) WHERE c.dateStart < t.dateStart
					RETURN c ORDER BY c.dateStart DESC, c.id LIMIT $candidates
				}
				RETURN c, 2 AS tier, `+near+` AS near ORDER BY near, c.id LIMIT $candidates
			}
			WITH c, min(tier) AS tier, min(near) AS near
			ORDER BY tier, near, c.id LIMIT $candidates
			RETURN collect(`+incidentFeatures("c")+`) AS candidates
		}
		CALL (target, candidates) {
			UNWIND [target] + candidates AS f
			UNWIND f.perpetrators AS perp
			WITH DISTINCT perp.id AS id
			MATCH (p:Entity {id: id})
			RETURN collect({id: id, network: COLLECT {
				MATCH (p)-[a:`+typeAlternation(incidentgraph.AffiliationTypes)+` WHERE `+affiliationLink+`]-{1,2}(g:Entity)
				WHERE g <> p RETURN DISTINCT g.id }}) AS networks
		}
		RETURN t IS NOT NULL AS found, t.kind AS kind, target, candidates, networks`, params)
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
	networks := map[string][]string{}
	nets, _ := m["networks"].([]any)
	for _, n := range nets {
		nm, _ := n.(map[string]any)
		networks[str(nm, "id")] = strs(nm, "network")
	}
	target := featuresFromMap(m["target"], names, networks)
	var candidates []analysis.IncidentFeatures
	list, _ := m["candidates"].([]any)
	for _, c := range list {
		candidates = append(candidates, featuresFromMap(c, names, networks))
	}
	ranked := analysis.Similarity(target, candidates, names)
	if len(ranked) > first {
		ranked = slices.Clone(ranked[:first])
	}
	// The candidates are scored, and nothing refers to them any more: the next question may
	// fetch its own while the few kept are read whole.
	release()
	if len(ranked) == 0 {
		return ranked, nil
	}
	ids := make([]string, len(ranked))
	for i, s := range ranked {
		ids[i] = s.Incident.ID
	}
	whole, err := db.FindEntitiesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*incidentgraph.Entity, len(whole))
	for _, e := range whole {
		byID[e.ID] = e
	}
	for _, s := range ranked {
		// One deleted between the two reads keeps what was scored of it.
		if e, ok := byID[s.Incident.ID]; ok {
			s.Incident = e
		}
	}
	return ranked, nil
}

// scoredProps is what similarity reads of an incident itself (analysis.Similarity): its id,
// kind and name, its date (the season, the distance in time; dateStart, its first day, orders
// the Library's Cypher scoring in the benchmark, which shares this statement) and its GTD codes.
const scoredProps = `.id, .kind, .name, .date, .dateStart, .attackTypes, .targetTypes, .weaponTypes, .suicide`

// affiliationLink is what an affiliation `a` in a perpetrator's network must meet: it counts
// (neither denied nor retracted, by its party or, unless f asks for them, by a curator, and in
// the time view).
var affiliationLink = counts("a")

// incidentFeatures is a map of what similarity compares of incident v (see
// analysis.IncidentFeatures), with the names of the perpetrators and places for the reasons.
// The perpetrators' networks are fetched once per perpetrator, after the candidates: a busy
// group perpetrates hundreds of the candidates, and walking its network for each was most of
// the query's work on a generated graph.
func incidentFeatures(v string) string {
	return fmt.Sprintf(`{
		incident: %[1]s {`+scoredProps+`},
		perpetrators: COLLECT {
			MATCH (%[1]s)-[r:%[2]s]-(p:Entity) WHERE %[5]s AND %[3]s
			WITH DISTINCT p
			RETURN {id: p.id, name: p.name} },
		venueKinds: COLLECT {
			MATCH (%[1]s)-[r:OCCURRED_AT]->(s:Place) WHERE s.placeType IS NOT NULL AND %[3]s
			RETURN DISTINCT s.placeType },
		places: COLLECT {
			MATCH (%[1]s)-[r:OCCURRED_AT|OCCURRED_IN]->(:Entity)%[4]s(pl:Entity) WHERE %[3]s
			WITH DISTINCT pl
			RETURN {id: pl.id, name: pl.name, kind: pl.kind, placeType: pl.placeType} }
	}`, v, typeAlternation(incidentgraph.PerpetratorTypes), relPredicate, locatedIn, standing("r"))
}

func featuresFromMap(x any, names map[string]string, networks map[string][]string) analysis.IncidentFeatures {
	m, _ := x.(map[string]any)
	props, _ := m["incident"].(map[string]any)
	out := analysis.IncidentFeatures{Incident: entityFromProps(props), Network: map[string][]string{}}
	perps, _ := m["perpetrators"].([]any)
	for _, p := range perps {
		pm := p.(map[string]any)
		id := str(pm, "id")
		names[id] = str(pm, "name")
		out.Perpetrators = append(out.Perpetrators, id)
		out.Network[id] = networks[id]
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
