package neo4j_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

var reasonKinds = []string{
	incidentgraph.ReasonSamePerpetrator, incidentgraph.ReasonAffiliatedPerpetrator, incidentgraph.ReasonAttackType,
	incidentgraph.ReasonTargetType, incidentgraph.ReasonWeaponType, incidentgraph.ReasonVenueKind,
	incidentgraph.ReasonSuicide, incidentgraph.ReasonSeason, incidentgraph.ReasonSharedPlace,
}

func similar(t *testing.T, db *neo4j.DB, id string, f incidentgraph.RelationshipFilter) []*incidentgraph.SimilarIncident {
	t.Helper()
	got, err := db.SimilarIncidents(context.Background(), id, incidentgraph.MaxSimilarIncidents, f)
	if err != nil {
		t.Fatalf("similar to %s: %v", id, err)
	}
	return got
}

func findSimilar(got []*incidentgraph.SimilarIncident, id string) *incidentgraph.SimilarIncident {
	for _, s := range got {
		if s.Incident.ID == id {
			return s
		}
	}
	return nil
}

func reason(s *incidentgraph.SimilarIncident, kind string) *incidentgraph.SimilarityReason {
	if s == nil {
		return nil
	}
	for i := range s.Reasons {
		if s.Reasons[i].Kind == kind {
			return &s.Reasons[i]
		}
	}
	return nil
}

// summary is a ranking as text, to compare two rankings whole.
func summary(got []*incidentgraph.SimilarIncident) string {
	var b strings.Builder
	for _, s := range got {
		fmt.Fprintf(&b, "%s %.3f", s.Incident.ID, s.Score)
		for _, r := range s.Reasons {
			fmt.Fprintf(&b, " [%s %v %q %v]", r.Kind, r.Weight, r.Description, r.Via)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestIncidentsSimilarToTheMoscowAttack(t *testing.T) {
	db := seeded(t)
	got := similar(t, db, moscow, incidentgraph.RelationshipFilter{})
	if len(got) < 3 {
		t.Fatalf("%d similar incidents:\n%s", len(got), summary(got))
	}
	var top []string
	for i, s := range got {
		if i < 3 {
			top = append(top, s.Incident.ID)
		}
		if s.Incident.ID == moscow || s.Incident.Kind != incidentgraph.KindIncident {
			t.Errorf("ranked %s (%s)", s.Incident.ID, s.Incident.Kind)
		}
		if s.Score <= 0 || s.Score > 1 || (i > 0 && got[i-1].Score < s.Score) {
			t.Errorf("score %v of %s out of range or order", s.Score, s.Incident.ID)
		}
		for _, r := range s.Reasons {
			if !slices.Contains(reasonKinds, r.Kind) || r.Weight <= 0 || r.Description == "" {
				t.Errorf("%s: reason %+v", s.Incident.ID, r)
			}
		}
	}
	if !slices.Contains(top, parisAttacks) || !slices.Contains(top, manchesterBombing) {
		t.Fatalf("top three %v, want Paris and Manchester among them:\n%s", top, summary(got))
	}

	p, m, k := findSimilar(got, parisAttacks), findSimilar(got, manchesterBombing), findSimilar(got, kabul)
	if r := reason(p, incidentgraph.ReasonSamePerpetrator); r == nil || !slices.Equal(r.Via, []string{is}) || !strings.Contains(r.Description, "Islamic State") {
		t.Errorf("Paris: same perpetrator %+v, want IS", r)
	}
	if r := reason(p, incidentgraph.ReasonAttackType); r == nil || r.Description != "both armed assaults" {
		t.Errorf("Paris: attack type %+v, want armed assaults", r)
	}
	// Both at a concert venue; Kabul (at an airport) is the negative control.
	for _, s := range []*incidentgraph.SimilarIncident{p, m} {
		if r := reason(s, incidentgraph.ReasonVenueKind); r == nil || r.Description != "both at a venue" {
			t.Errorf("%s: venue kind %+v, want both at a venue", s.Incident.ID, r)
		}
	}
	if reason(k, incidentgraph.ReasonVenueKind) != nil {
		t.Errorf("Kabul shares a venue kind: %+v", k.Reasons)
	}
	// Spring: Manchester (22 May) yes, Paris (13 November) no.
	if r := reason(m, incidentgraph.ReasonSeason); r == nil || r.Description != "both in spring" {
		t.Errorf("Manchester: season %+v, want spring", r)
	}
	if reason(p, incidentgraph.ReasonSeason) != nil {
		t.Errorf("Paris shares a season with March")
	}
	// IS-K, suspected by a U.S. official, links the Moscow attack to Kabul and to the plot; the
	// plot also happened in Russia.
	if r := reason(k, incidentgraph.ReasonSamePerpetrator); r == nil || !slices.Equal(r.Via, []string{isk}) {
		t.Errorf("Kabul: same perpetrator %+v, want IS-K", r)
	}
	if r := reason(findSimilar(got, "moscow-synagogue-plot-2024"), incidentgraph.ReasonSharedPlace); r == nil || !slices.Equal(r.Via, []string{"russia"}) {
		t.Errorf("synagogue plot: shared place %+v, want Russia", r)
	}

	// The store cuts the ranking at first.
	two, err := db.SimilarIncidents(context.Background(), moscow, 2, incidentgraph.RelationshipFilter{})
	if err != nil || len(two) != 2 || two[0].Incident.ID != got[0].Incident.ID {
		t.Errorf("first 2: %d results (%v)", len(two), err)
	}
}

// The incidents kept are whole entities, as the entity reads give them (summary, aliases,
// sources…): the candidates are scored on a few properties, and the kept ones are read again.
func TestSimilarIncidentsAreWholeEntities(t *testing.T) {
	db := seeded(t)
	got := similar(t, db, moscow, incidentgraph.RelationshipFilter{})
	if len(got) == 0 {
		t.Fatal("no similar incident")
	}
	ids := make([]string, len(got))
	for i, s := range got {
		ids[i] = s.Incident.ID
	}
	whole, err := db.FindEntitiesByIDs(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*incidentgraph.Entity{}
	for _, e := range whole {
		byID[e.ID] = e
	}
	summaries := 0
	for _, s := range got {
		if w := byID[s.Incident.ID]; !reflect.DeepEqual(s.Incident, w) {
			t.Errorf("%s is not the whole entity:\n got %+v\nwant %+v", s.Incident.ID, s.Incident, w)
		}
		if s.Incident.Summary != "" {
			summaries++
		}
	}
	if summaries == 0 {
		t.Error("no similar incident has a summary: the check could not tell a partial entity from a whole one")
	}
	// The control: an incident as the candidates carry it (what is scored, no summary,
	// aliases or sources) fails the same comparison with its whole entity.
	for _, w := range whole {
		scored := &incidentgraph.Entity{ID: w.ID, Kind: w.Kind, Name: w.Name, Date: w.Date,
			AttackTypes: w.AttackTypes, TargetTypes: w.TargetTypes, WeaponTypes: w.WeaponTypes, Suicide: w.Suicide}
		if reflect.DeepEqual(scored, w) {
			t.Errorf("negative control: %s as scored equals its whole entity, so the check could not see the second read left out", w.ID)
		}
	}
}

// TestSimilarIncidentsWaitTheirTurn: when as many questions as Config.Scorings allows are
// fetching and scoring candidates, the next one waits and queries nothing; a request that ends
// while it waits gets the coded error of a request that ends mid-query; once a turn is free it
// is answered. The sign that it waited is its error's cause. The control is the same ended
// request with a turn free: it reaches the query, and its error does not say it waited.
func TestSimilarIncidentsWaitTheirTurn(t *testing.T) {
	db := seeded(t)
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	const waited = "while it waited for one of the"

	giveBack := neo4j.HoldScoringsForTest(db)
	_, err := db.SimilarIncidents(ended, moscow, 3, incidentgraph.RelationshipFilter{})
	if incidentgraph.ErrorCode(err) != incidentgraph.ECANCELED || err == nil || !strings.Contains(err.Error(), waited) {
		t.Errorf("with every turn taken: %v; want %s, having waited for a turn", err, incidentgraph.ECANCELED)
	}
	giveBack()

	_, err = db.SimilarIncidents(ended, moscow, 3, incidentgraph.RelationshipFilter{})
	if incidentgraph.ErrorCode(err) != incidentgraph.ECANCELED {
		t.Errorf("with a turn free, an ended request: %v; want %s from the query", err, incidentgraph.ECANCELED)
	}
	if err != nil && strings.Contains(err.Error(), waited) {
		t.Errorf("control: an ended request with a turn free says it waited (%v), so the check cannot tell waiting from querying", err)
	}
	if got := similar(t, db, moscow, incidentgraph.RelationshipFilter{}); len(got) == 0 {
		t.Error("no similar incident once the turns are given back")
	}
}

func TestSimilarityAffiliatedPerpetrators(t *testing.T) {
	db := seeded(t)
	// Kabul is IS-K's, Manchester IS's: affiliated, not the same.
	got := similar(t, db, kabul, incidentgraph.RelationshipFilter{})
	m := findSimilar(got, manchesterBombing)
	if r := reason(m, incidentgraph.ReasonAffiliatedPerpetrator); r == nil || !slices.Equal(r.Via, []string{isk, is}) {
		t.Fatalf("Kabul–Manchester: affiliated %+v, want IS-K and IS:\n%s", r, summary(got))
	}
	if reason(m, incidentgraph.ReasonSamePerpetrator) != nil {
		t.Error("Kabul–Manchester: same perpetrator")
	}
	if r := reason(m, incidentgraph.ReasonSuicide); r == nil {
		t.Error("Kabul–Manchester: both suicide bombings, no SUICIDE reason")
	}
}

// Similarity comes from the graph's features: the curators' RESEMBLES and PRECEDENT_OF links
// can go without changing a thing, while retracting one claim changes the ranking.
func TestSimilarityComesFromFeaturesNotCuratorsLinks(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	ds := testdb.MustSeed(t, db)
	before := summary(similar(t, db, moscow, incidentgraph.RelationshipFilter{}))

	without := *ds
	without.Relationships = nil
	dropped := 0
	for _, r := range ds.Relationships {
		if r.Type == "RESEMBLES" || r.Type == "PRECEDENT_OF" {
			dropped++
			continue
		}
		without.Relationships = append(without.Relationships, r)
	}
	if dropped < 2 {
		t.Fatalf("the seed has %d curators' links; the test needs them", dropped)
	}
	if _, err := db.Load(ctx, &without); err != nil {
		t.Fatal(err)
	}
	if after := summary(similar(t, db, moscow, incidentgraph.RelationshipFilter{})); after != before {
		t.Errorf("dropping RESEMBLES and PRECEDENT_OF changed the ranking:\n%s\nthen:\n%s", before, after)
	}

	retracted := without
	retracted.Relationships = slices.Clone(without.Relationships)
	for i, r := range retracted.Relationships {
		if r.Type == "CLAIMED_RESPONSIBILITY_FOR" && r.FromID == is && r.ToID == parisAttacks {
			changed := *r
			changed.Status = "RETRACTED"
			retracted.Relationships[i] = &changed
		}
	}
	if _, err := db.Load(ctx, &retracted); err != nil {
		t.Fatal(err)
	}
	got := similar(t, db, moscow, incidentgraph.RelationshipFilter{})
	p := findSimilar(got, parisAttacks)
	if p == nil || reason(p, incidentgraph.ReasonSamePerpetrator) != nil || reason(p, incidentgraph.ReasonAffiliatedPerpetrator) != nil {
		t.Fatalf("a retracted claim still counts:\n%s", summary(got))
	}
	if was := strings.SplitN(before, "\n", 2)[0]; !strings.HasPrefix(was, parisAttacks) || got[0].Incident.ID == parisAttacks {
		t.Errorf("Paris first before (%q) and after the retraction (%s)", was, got[0].Incident.ID)
	}
}

func TestSimilarityFilterSelectsTheAssertions(t *testing.T) {
	db := seeded(t)
	// IS's claim of Manchester is at 45: below 50 it does not count.
	all := findSimilar(similar(t, db, moscow, incidentgraph.RelationshipFilter{}), manchesterBombing)
	strong := findSimilar(similar(t, db, moscow, incidentgraph.RelationshipFilter{MinConfidence: 50}), manchesterBombing)
	if reason(all, incidentgraph.ReasonSamePerpetrator) == nil {
		t.Fatal("control: Manchester shares no perpetrator without a filter")
	}
	if strong == nil || reason(strong, incidentgraph.ReasonSamePerpetrator) != nil || strong.Score >= all.Score {
		t.Errorf("minConfidence 50: Manchester %+v, want it without its 45%% claim and lower", strong)
	}
	// Known at 23 March 2024: the seed's only source for IS's claim of Paris is from 2025.
	p := findSimilar(similar(t, db, moscow, incidentgraph.RelationshipFilter{KnownAt: "2024-03-23"}), parisAttacks)
	if p != nil && reason(p, incidentgraph.ReasonSamePerpetrator) != nil {
		t.Errorf("known at 2024-03-23: Paris shares a perpetrator: %+v", p.Reasons)
	}
}

func TestSimilarIncidentsErrors(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	for _, tc := range []struct {
		id    string
		first int
		code  string
	}{
		{moscow, 0, incidentgraph.EINVALID},
		{moscow, incidentgraph.MaxSimilarIncidents + 1, incidentgraph.EINVALID},
		{"no-such-incident", 5, incidentgraph.ENOTFOUND},
		{is, 5, incidentgraph.EINVALID},
		{"us-embassy-moscow-alert-2024-03-07", 5, incidentgraph.EINVALID}, // an event, not an incident
	} {
		if _, err := db.SimilarIncidents(ctx, tc.id, tc.first, incidentgraph.RelationshipFilter{}); incidentgraph.ErrorCode(err) != tc.code {
			t.Errorf("%s, first %d: %v, want %s", tc.id, tc.first, err, tc.code)
		}
	}
}
