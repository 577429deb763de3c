package analysis_test

import (
	"math"
	"slices"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/analysis"
)

var names = map[string]string{"is": "Islamic State", "isk": "IS-K", "krasnogorsk": "Krasnogorsk", "russia": "Russia"}

// moscowLike is a target with every feature: the target's own maximum is
// 3 (perpetrator) + 2×1.5 (attack types) + 2×1 (targets) + 2×1 (weapons) + 1.5 (venue)
// + 0.5 (season) + 1.5 (a shared site) = 13.5.
func moscowLike() analysis.IncidentFeatures {
	return analysis.IncidentFeatures{
		Incident: &incidentgraph.Entity{ID: "target", Kind: incidentgraph.KindIncident, Date: "2024-03-22",
			AttackTypes: []int{2, 7}, TargetTypes: []int{14, 1}, WeaponTypes: []int{5, 8}},
		Perpetrators: []string{"is"},
		Network:      map[string][]string{"is": {"isk", "iswap"}},
		VenueKinds:   []string{"VENUE"},
		Places: []analysis.Place{{ID: "crocus", Level: analysis.LevelSite}, {ID: "krasnogorsk", Level: analysis.LevelCity},
			{ID: "moscow-oblast", Level: analysis.LevelRegion}, {ID: "russia", Level: analysis.LevelCountry}},
	}
}

const targetMax = 13.5

// unlike shares nothing with moscowLike.
func unlike(id string) analysis.IncidentFeatures {
	return analysis.IncidentFeatures{
		Incident: &incidentgraph.Entity{ID: id, Kind: incidentgraph.KindIncident, Date: "2021-08-26", Suicide: true,
			AttackTypes: []int{3}, TargetTypes: []int{4}, WeaponTypes: []int{6}},
		Perpetrators: []string{"someone-else"},
		Network:      map[string][]string{},
		VenueKinds:   []string{"AIRPORT"},
		Places:       []analysis.Place{{ID: "kabul", Level: analysis.LevelCity}, {ID: "afghanistan", Level: analysis.LevelCountry}},
	}
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func TestIdenticalIncidentScoresOne(t *testing.T) {
	twin := moscowLike()
	twin.Incident = &incidentgraph.Entity{}
	*twin.Incident = *moscowLike().Incident
	twin.Incident.ID = "twin"
	got := analysis.Similarity(moscowLike(), []analysis.IncidentFeatures{twin, moscowLike()}, names)
	if len(got) != 1 || got[0].Incident.ID != "twin" {
		t.Fatalf("got %d results; want the twin only (the target itself is skipped)", len(got))
	}
	if got[0].Score != 1 {
		t.Errorf("twin scores %v, want 1", got[0].Score)
	}
	var sum float64
	for _, r := range got[0].Reasons {
		sum += r.Weight
	}
	if sum != targetMax {
		t.Errorf("twin's weights sum to %v, want %v", sum, targetMax)
	}
}

// Each feature, made shared on an incident that shares nothing, brings exactly its reason and
// weight; without it (the negative control) the incident scores 0 and is dropped.
func TestEachReasonAppearsExactlyWhenItsFeatureMatches(t *testing.T) {
	for _, tc := range []struct {
		kind   string
		weight float64
		desc   string
		via    []string
		share  func(*analysis.IncidentFeatures)
	}{
		{incidentgraph.ReasonSamePerpetrator, 3, "both claimed by or attributed to Islamic State", []string{"is"},
			func(c *analysis.IncidentFeatures) { c.Perpetrators = append(c.Perpetrators, "is") }},
		{incidentgraph.ReasonAffiliatedPerpetrator, 2, "claimed by or attributed to affiliated groups: Islamic State and IS-K", []string{"is", "isk"},
			func(c *analysis.IncidentFeatures) { c.Perpetrators = []string{"isk"} }},
		{incidentgraph.ReasonAttackType, 1.5, "both armed assaults", nil,
			func(c *analysis.IncidentFeatures) { c.Incident.AttackTypes = []int{3, 2} }},
		{incidentgraph.ReasonTargetType, 1, "both targeted private citizens and property", nil,
			func(c *analysis.IncidentFeatures) { c.Incident.TargetTypes = []int{14} }},
		{incidentgraph.ReasonWeaponType, 1, "both used firearms", nil,
			func(c *analysis.IncidentFeatures) { c.Incident.WeaponTypes = []int{5} }},
		{incidentgraph.ReasonVenueKind, 1.5, "both at a venue", nil,
			func(c *analysis.IncidentFeatures) { c.VenueKinds = []string{"VENUE"} }},
		{incidentgraph.ReasonSeason, 0.5, "both in spring", nil,
			func(c *analysis.IncidentFeatures) { c.Incident.Date = "2017-05-22" }},
		{incidentgraph.ReasonSharedPlace, 0.5, "both in Russia", []string{"russia"},
			func(c *analysis.IncidentFeatures) {
				c.Places = append(c.Places, analysis.Place{ID: "russia", Level: analysis.LevelCountry})
			}},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			if got := analysis.Similarity(moscowLike(), []analysis.IncidentFeatures{unlike("c")}, names); len(got) != 0 {
				t.Fatalf("control: an incident sharing nothing is ranked with %+v", got[0].Reasons)
			}
			c := unlike("c")
			tc.share(&c)
			got := analysis.Similarity(moscowLike(), []analysis.IncidentFeatures{c}, names)
			if len(got) != 1 {
				t.Fatalf("%d results, want 1", len(got))
			}
			rs := got[0].Reasons
			if len(rs) != 1 || rs[0].Kind != tc.kind || rs[0].Weight != tc.weight || rs[0].Description != tc.desc {
				t.Fatalf("reasons %+v, want one %s (%v, %q)", rs, tc.kind, tc.weight, tc.desc)
			}
			if !slices.Equal(rs[0].Via, tc.via) && !(len(tc.via) == 0 && len(rs[0].Via) == 0) {
				t.Errorf("via %v, want %v", rs[0].Via, tc.via)
			}
			if want := round3(tc.weight / targetMax); got[0].Score != want {
				t.Errorf("score %v, want %v", got[0].Score, want)
			}
		})
	}
}

func TestSuicideCountsOnlyWhenBothAre(t *testing.T) {
	target := moscowLike()
	target.Incident.Suicide = true // its maximum is now 14.5
	both := unlike("both")
	got := analysis.Similarity(target, []analysis.IncidentFeatures{both}, names)
	if len(got) != 1 || len(got[0].Reasons) != 1 || got[0].Reasons[0].Kind != incidentgraph.ReasonSuicide ||
		got[0].Reasons[0].Description != "both suicide attacks" || got[0].Score != round3(1/14.5) {
		t.Fatalf("both suicide attacks: %+v", got)
	}
	// Negative controls: the candidate is not a suicide attack, or the target is not.
	notSuicide := unlike("not")
	notSuicide.Incident.Suicide = false
	if got := analysis.Similarity(target, []analysis.IncidentFeatures{notSuicide}, names); len(got) != 0 {
		t.Errorf("a non-suicide candidate shares SUICIDE: %+v", got[0].Reasons)
	}
	if got := analysis.Similarity(moscowLike(), []analysis.IncidentFeatures{both}, names); len(got) != 0 {
		t.Errorf("a non-suicide target shares SUICIDE: %+v", got[0].Reasons)
	}
}

func TestSamePerpetratorOutranksAffiliation(t *testing.T) {
	// A candidate claimed by IS and IS-K shares IS: one SAME_PERPETRATOR, no AFFILIATED as well.
	c := unlike("c")
	c.Perpetrators = []string{"isk", "is"}
	got := analysis.Similarity(moscowLike(), []analysis.IncidentFeatures{c}, names)
	if len(got) != 1 || len(got[0].Reasons) != 1 || got[0].Reasons[0].Kind != incidentgraph.ReasonSamePerpetrator {
		t.Fatalf("reasons %+v, want SAME_PERPETRATOR alone", got[0].Reasons)
	}
	// The network is read from either side: a candidate whose perpetrator lists the target's.
	d := unlike("d")
	d.Perpetrators = []string{"is-sahel"}
	d.Network = map[string][]string{"is-sahel": {"is"}}
	got = analysis.Similarity(moscowLike(), []analysis.IncidentFeatures{d}, names)
	if len(got) != 1 || got[0].Reasons[0].Kind != incidentgraph.ReasonAffiliatedPerpetrator {
		t.Fatalf("reasons %+v, want AFFILIATED_PERPETRATOR", got)
	}
}

func TestSharedPlaceIsTheMostSpecific(t *testing.T) {
	c := unlike("c")
	c.Places = []analysis.Place{{ID: "russia", Level: analysis.LevelCountry}, {ID: "krasnogorsk", Level: analysis.LevelCity},
		{ID: "moscow-oblast", Level: analysis.LevelRegion}}
	got := analysis.Similarity(moscowLike(), []analysis.IncidentFeatures{c}, names)
	if len(got) != 1 || len(got[0].Reasons) != 1 {
		t.Fatalf("got %+v, want one reason", got)
	}
	if r := got[0].Reasons[0]; r.Description != "both in Krasnogorsk" || r.Weight != 1 || !slices.Equal(r.Via, []string{"krasnogorsk"}) {
		t.Errorf("shared place %+v, want Krasnogorsk (a city, 1)", r)
	}
	// Unknown names read as ids.
	c.Places = []analysis.Place{{ID: "moscow-oblast", Level: analysis.LevelRegion}}
	got = analysis.Similarity(moscowLike(), []analysis.IncidentFeatures{c}, names)
	if r := got[0].Reasons[0]; r.Description != "both in moscow-oblast" || r.Weight != 0.75 {
		t.Errorf("shared region %+v, want moscow-oblast at 0.75", r)
	}
}

func TestUnknownAndOtherCodesAreNotInCommon(t *testing.T) {
	c := unlike("c")
	target := moscowLike()
	target.Incident.AttackTypes = append(target.Incident.AttackTypes, 9)
	target.Incident.TargetTypes = append(target.Incident.TargetTypes, 20, 13)
	target.Incident.WeaponTypes = append(target.Incident.WeaponTypes, 13, 12)
	c.Incident.AttackTypes, c.Incident.TargetTypes, c.Incident.WeaponTypes = []int{9}, []int{20, 13}, []int{13, 12}
	if got := analysis.Similarity(target, []analysis.IncidentFeatures{c}, names); len(got) != 0 {
		t.Errorf("unknown/other codes matched: %+v", got[0].Reasons)
	}
	// Control: a real code in common does match.
	c.Incident.WeaponTypes = []int{5}
	if got := analysis.Similarity(target, []analysis.IncidentFeatures{c}, names); len(got) != 1 {
		t.Error("a shared real weapon code did not match")
	}
}

func TestRankingByScoreThenNearnessThenID(t *testing.T) {
	mk := func(id string, date incidentgraph.PartialDate, perp string) analysis.IncidentFeatures {
		c := unlike(id)
		c.Incident.Date = date
		c.Perpetrators = []string{perp}
		return c
	}
	// All score 3/13.5 except "strong", which also shares an attack type. "b-near" and
	// "a-near" are as near in time; "far" is further. (August: no season in common.)
	strong := mk("strong", "1990-08-01", "is")
	strong.Incident.AttackTypes = []int{2}
	got := analysis.Similarity(moscowLike(), []analysis.IncidentFeatures{
		mk("far", "2000-08-01", "is"), mk("b-near", "2023-08-01", "is"), strong, mk("a-near", "2023-08-01", "is"),
	}, names)
	var ids []string
	for _, s := range got {
		ids = append(ids, s.Incident.ID)
	}
	if want := []string{"strong", "a-near", "b-near", "far"}; !slices.Equal(ids, want) {
		t.Errorf("order %v, want %v", ids, want)
	}
}

func TestTargetWithNoFeaturesRanksNothing(t *testing.T) {
	bare := analysis.IncidentFeatures{Incident: &incidentgraph.Entity{ID: "bare"}}
	if got := analysis.Similarity(bare, []analysis.IncidentFeatures{moscowLike()}, names); len(got) != 0 {
		t.Errorf("a featureless target ranked %d incidents", len(got))
	}
}
