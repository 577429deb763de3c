package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/incidentgraph/incidentgraph"
)

// IncidentFeatures is what similarity compares of one incident: what the graph says about it,
// already filtered by the store.
type IncidentFeatures struct {
	Incident *incidentgraph.Entity // its attack, target and weapon types, suicide and date
	// Perpetrators are the ids of those who claimed, carried out or were attributed it.
	Perpetrators []string
	// Network holds, for each perpetrator, the groups within two affiliation hops of it in
	// either direction: its parent groups, its affiliates and its sibling provinces.
	Network map[string][]string
	// VenueKinds are the placeTypes of the sites it occurred at (VENUE, AIRPORT, BUILDING...).
	VenueKinds []string
	// Places are every place it occurred at or in, and every place containing those.
	Places []Place
}

// Place is one place an incident occurred at or in, with how specific it is.
type Place struct {
	ID    string
	Level PlaceLevel
}

// PlaceLevel says how specific a place is: sharing a site says more than sharing a country.
type PlaceLevel int

// Place levels, least specific first.
const (
	LevelOther PlaceLevel = iota
	LevelCountry
	LevelRegion
	LevelCity
	LevelDistrict
	LevelSite
)

// PlaceLevelOf maps an entity's kind and placeType to its level.
func PlaceLevelOf(kind incidentgraph.Kind, placeType string) PlaceLevel {
	if kind == incidentgraph.KindCountry {
		return LevelCountry
	}
	switch placeType {
	case "VENUE", "AIRPORT", "BUILDING":
		return LevelSite
	case "DISTRICT":
		return LevelDistrict
	case "CITY":
		return LevelCity
	case "REGION", "HISTORICAL_REGION":
		return LevelRegion
	}
	return LevelOther
}

// Weights of the similarity reasons. A candidate's score is the sum of the weights of its
// reasons divided by the target's own maximum: the score the target would get against an
// identical incident. So 1 means alike in every respect the target has, and a feature the
// target lacks (an unknown weapon, no suicide attacker) neither helps nor hurts.
//
//	reason                  weight   when
//	SAME_PERPETRATOR        3        a perpetrator in common (once, however many)
//	AFFILIATED_PERPETRATOR  2        otherwise, a perpetrator of one in the other's perpetrators' network
//	ATTACK_TYPE             1.5      each GTD attack type in common
//	TARGET_TYPE             1        each GTD target type in common
//	WEAPON_TYPE             1        each GTD weapon type in common
//	VENUE_KIND              1.5      each kind of site in common (VENUE, AIRPORT, BUILDING...)
//	SUICIDE                 1        both suicide attacks
//	SEASON                  0.5      both began in the same (meteorological, northern) season
//	SHARED_PLACE            1.5 site, 1.25 district, 1 city, 0.75 region, 0.5 country:
//	                                 the most specific place in common only (once)
//
// GTD's "Unknown" and "Other" codes are not in common: they say nothing about either incident.
// The perpetrator links, their network and the places come from the graph's assertions, not
// from curators' RESEMBLES or PRECEDENT_OF judgements.
const (
	WeightSamePerpetrator       = 3.0
	WeightAffiliatedPerpetrator = 2.0
	WeightAttackType            = 1.5
	WeightTargetType            = 1.0
	WeightWeaponType            = 1.0
	WeightVenueKind             = 1.5
	WeightSuicide               = 1.0
	WeightSeason                = 0.5
)

// placeWeights are the SHARED_PLACE weights by level.
var placeWeights = map[PlaceLevel]float64{
	LevelSite: 1.5, LevelDistrict: 1.25, LevelCity: 1, LevelRegion: 0.75, LevelCountry: 0.5,
}

// Similarity scores each candidate against target and returns those with a score above 0, by
// score (highest first), then by nearness in time to the target, then by id. names maps ids
// (perpetrators, places) to names for the descriptions; a missing name reads as its id.
// Candidates that are the target itself are skipped.
func Similarity(target IncidentFeatures, candidates []IncidentFeatures, names map[string]string) []*incidentgraph.SimilarIncident {
	best := total(compare(target, target, names))
	out := []*incidentgraph.SimilarIncident{}
	if best == 0 {
		return out
	}
	for _, c := range candidates {
		if c.Incident == nil || c.Incident.ID == target.Incident.ID {
			continue
		}
		reasons := compare(target, c, names)
		if len(reasons) == 0 {
			continue
		}
		out = append(out, &incidentgraph.SimilarIncident{
			Incident: c.Incident,
			Score:    math.Round(total(reasons)/best*1000) / 1000,
			Reasons:  reasons,
		})
	}
	slices.SortFunc(out, func(a, b *incidentgraph.SimilarIncident) int {
		return cmp.Or(
			cmp.Compare(b.Score, a.Score),
			cmp.Compare(daysApart(target.Incident.Date, a.Incident.Date), daysApart(target.Incident.Date, b.Incident.Date)),
			cmp.Compare(a.Incident.ID, b.Incident.ID))
	})
	return out
}

func total(rs []incidentgraph.SimilarityReason) float64 {
	var s float64
	for _, r := range rs {
		s += r.Weight
	}
	return s
}

// compare lists what a and b have in common, in the order of the weights table.
func compare(a, b IncidentFeatures, names map[string]string) []incidentgraph.SimilarityReason {
	name := func(id string) string {
		if n := names[id]; n != "" {
			return n
		}
		return id
	}
	var out []incidentgraph.SimilarityReason
	add := func(kind string, w float64, desc string, via ...string) {
		out = append(out, incidentgraph.SimilarityReason{Kind: kind, Description: desc, Weight: w, Via: nonNil(via)})
	}

	if same := intersect(a.Perpetrators, b.Perpetrators); len(same) > 0 {
		add(incidentgraph.ReasonSamePerpetrator, WeightSamePerpetrator,
			"both claimed by or attributed to "+joinNames(same, name), same...)
	} else if pa, pb, ok := affiliated(a, b); ok {
		add(incidentgraph.ReasonAffiliatedPerpetrator, WeightAffiliatedPerpetrator,
			fmt.Sprintf("claimed by or attributed to affiliated groups: %s and %s", name(pa), name(pb)), pa, pb)
	}
	ea, eb := a.Incident, b.Incident
	for _, t := range intersect(ea.AttackTypes, eb.AttackTypes) {
		if d, ok := attackTypes[t]; ok {
			add(incidentgraph.ReasonAttackType, WeightAttackType, "both "+d)
		}
	}
	for _, t := range intersect(ea.TargetTypes, eb.TargetTypes) {
		if d, ok := targetTypes[t]; ok {
			add(incidentgraph.ReasonTargetType, WeightTargetType, "both targeted "+d)
		}
	}
	for _, t := range intersect(ea.WeaponTypes, eb.WeaponTypes) {
		if d, ok := weaponTypes[t]; ok {
			add(incidentgraph.ReasonWeaponType, WeightWeaponType, "both used "+d)
		}
	}
	for _, k := range intersect(a.VenueKinds, b.VenueKinds) {
		add(incidentgraph.ReasonVenueKind, WeightVenueKind, "both at "+venueKind(k))
	}
	if ea.Suicide && eb.Suicide {
		add(incidentgraph.ReasonSuicide, WeightSuicide, "both suicide attacks")
	}
	if s := season(ea.Date); s != "" && s == season(eb.Date) {
		add(incidentgraph.ReasonSeason, WeightSeason, "both in "+s)
	}
	if p, ok := sharedPlace(a.Places, b.Places); ok {
		add(incidentgraph.ReasonSharedPlace, placeWeights[p.Level], "both in "+name(p.ID), p.ID)
	}
	return out
}

// affiliated finds a perpetrator of b in the network of one of a's perpetrators (the network
// runs both ways, so one direction is enough when both incidents come from the same store).
func affiliated(a, b IncidentFeatures) (string, string, bool) {
	for _, pa := range slices.Sorted(slices.Values(a.Perpetrators)) {
		for _, pb := range slices.Sorted(slices.Values(b.Perpetrators)) {
			if slices.Contains(a.Network[pa], pb) || slices.Contains(b.Network[pb], pa) {
				return pa, pb, true
			}
		}
	}
	return "", "", false
}

// sharedPlace is the most specific place both occurred at or in (by id among equals).
func sharedPlace(a, b []Place) (Place, bool) {
	var best Place
	found := false
	for _, p := range a {
		if placeWeights[p.Level] == 0 || !slices.ContainsFunc(b, func(q Place) bool { return q.ID == p.ID }) {
			continue
		}
		if !found || p.Level > best.Level || (p.Level == best.Level && p.ID < best.ID) {
			best, found = p, true
		}
	}
	return best, found
}

// season is the meteorological season (northern hemisphere) a date begins in; "" when the
// month is unknown.
func season(d incidentgraph.PartialDate) string {
	if len(d) < 7 {
		return ""
	}
	switch d[5:7] {
	case "12", "01", "02":
		return "winter"
	case "03", "04", "05":
		return "spring"
	case "06", "07", "08":
		return "summer"
	default:
		return "autumn"
	}
}

// daysApart is how far apart two dates begin, in days; unknown dates sort last.
func daysApart(a, b incidentgraph.PartialDate) int {
	ta, errA := time.Parse("2006-01-02", a.Start())
	tb, errB := time.Parse("2006-01-02", b.Start())
	if errA != nil || errB != nil {
		return math.MaxInt
	}
	d := int(ta.Sub(tb).Hours() / 24)
	if d < 0 {
		d = -d
	}
	return d
}

// intersect returns the elements of a that are also in b, each once, sorted.
func intersect[T cmp.Ordered](a, b []T) []T {
	var out []T
	for _, x := range a {
		if slices.Contains(b, x) && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

func joinNames(ids []string, name func(string) string) string {
	ns := make([]string, len(ids))
	for i, id := range ids {
		ns[i] = name(id)
	}
	if len(ns) == 1 {
		return ns[0]
	}
	return strings.Join(ns[:len(ns)-1], ", ") + " and " + ns[len(ns)-1]
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func venueKind(k string) string {
	switch k {
	case "AIRPORT":
		return "an airport"
	case "":
		return "a site"
	}
	return "a " + strings.ToLower(k)
}

// What the GTD codes (codebook: attacktype1, targtype1, weaptype1) mean, phrased for the
// descriptions. Unknown and Other are left out on purpose (see the weights table).
var (
	attackTypes = map[int]string{
		1: "assassinations", 2: "armed assaults", 3: "bombings", 4: "hijackings",
		5: "hostage-takings (barricade incidents)", 6: "hostage-takings (kidnappings)",
		7: "attacks on facilities or infrastructure", 8: "unarmed assaults",
	}
	targetTypes = map[int]string{
		1: "businesses", 2: "government", 3: "police", 4: "the military", 5: "abortion-related targets",
		6: "airports or aircraft", 7: "diplomatic targets", 8: "educational institutions",
		9: "food or water supply", 10: "journalists or media", 11: "maritime targets", 12: "NGOs",
		14: "private citizens and property", 15: "religious figures or institutions",
		16: "telecommunication", 17: "terrorists or non-state militias", 18: "tourists",
		19: "transportation", 21: "utilities", 22: "violent political parties",
	}
	weaponTypes = map[int]string{
		1: "biological weapons", 2: "chemical weapons", 3: "radiological weapons", 4: "nuclear weapons",
		5: "firearms", 6: "explosives", 7: "fake weapons", 8: "incendiary weapons", 9: "melee weapons",
		10: "vehicles", 11: "sabotage equipment",
	}
)
