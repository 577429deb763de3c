package neo4j_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// A curator's retraction takes an assertion out of every derived answer, not only out of plain
// reads: each answer below is asked before and after retracting seed links through the real
// curation path. The answer before is each check's control (the check sees the link while it
// stands), and the answers with includeRetracted, where the API has it, show the link is left out
// by the retraction and not lost.

const (
	kabulByISK   = "kabul-airport-bombing-2021--attributed-to--islamic-state-khorasan-province--associated-press"
	iskBranch    = "islamic-state-khorasan-province--branch-of--islamic-state--wikipedia"
	kabulAirport = "kabul-airport-bombing-2021--occurred-at--hamid-karzai-international-airport--associated-press"
	kabulGate    = "kabul-airport-bombing-2021--occurred-at--abbey-gate--wikipedia"
)

// derivedCheck is one derived answer and whether the link under test still counts in it.
type derivedCheck struct {
	name   string
	counts func() bool
}

// retract retracts each assertion as curator ann, naming its current version.
func retract(t *testing.T, db *neo4j.DB, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, err := db.RetractRelationship(context.Background(), curator("ann"), id, version(t, db, id), "test: not supported by the source"); err != nil {
			t.Fatalf("retract %s: %v", id, err)
		}
	}
}

// checkRetraction asks every check while the links stand (each must see them), retracts them,
// asks again (none may), then asks the checks that read retracted links on request (each must).
func checkRetraction(t *testing.T, db *neo4j.DB, ids []string, checks, withRetracted []derivedCheck) {
	t.Helper()
	for _, f := range retractionFaults(t, db, ids, checks, withRetracted) {
		t.Error(f)
	}
}

// retractionFaults is checkRetraction's oracle: it returns the checks that fail, one line each,
// so that a negative control can run it against a broken store and see them fail. A check that
// does not see the links before the retraction stops the test: its control failed.
func retractionFaults(t *testing.T, db *neo4j.DB, ids []string, checks, withRetracted []derivedCheck) []string {
	t.Helper()
	for _, c := range append(slices.Clone(checks), withRetracted...) {
		if !c.counts() {
			t.Fatalf("control: %s does not count the links before they are retracted", c.name)
		}
	}
	retract(t, db, ids...)
	var faults []string
	for _, c := range checks {
		if c.counts() {
			faults = append(faults, fmt.Sprintf("%s still counts the retracted links %v", c.name, ids))
		}
	}
	for _, c := range withRetracted {
		if !c.counts() {
			faults = append(faults, fmt.Sprintf("%s leaves the retracted links out though it asks for them", c.name))
		}
	}
	return faults
}

// mustFailEach is the negative control of a retraction test: against a store whose condition on
// retracted links is taken out, each of checks must fail (and nothing else).
func mustFailEach(t *testing.T, faults []string, checks []derivedCheck) {
	t.Helper()
	if len(faults) != len(checks) {
		t.Errorf("%d of %d checks fail with the condition taken out: %q", len(faults), len(checks), faults)
	}
	for _, c := range checks {
		if !slices.ContainsFunc(faults, func(f string) bool { return strings.HasPrefix(f, c.name+" still counts") }) {
			t.Errorf("%s passes with the condition taken out", c.name)
		}
	}
}

func incidentsHave(t *testing.T, db *neo4j.DB, f incidentgraph.IncidentFilter, id string) bool {
	t.Helper()
	page, err := db.FindIncidents(context.Background(), f, incidentgraph.Page{First: incidentgraph.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(page.Entities, func(e *incidentgraph.Entity) bool { return e.ID == id })
}

// timelineEntry returns the links of the timeline entry id, and whether id is in the timeline.
func timelineEntry(t *testing.T, db *neo4j.DB, f incidentgraph.TimelineFilter, id string) ([]*incidentgraph.Relationship, bool) {
	t.Helper()
	page, err := db.Timeline(context.Background(), f, incidentgraph.Page{First: incidentgraph.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Entries {
		if e.Entity.ID == id {
			return e.Links, true
		}
	}
	return nil, false
}

// timelineLinks returns the links of the timeline entry id (none when id is not in it).
func timelineLinks(t *testing.T, db *neo4j.DB, f incidentgraph.TimelineFilter, id string) []*incidentgraph.Relationship {
	t.Helper()
	links, _ := timelineEntry(t, db, f, id)
	return links
}

func hasRel(rels []*incidentgraph.Relationship, id string) bool {
	return slices.ContainsFunc(rels, func(r *incidentgraph.Relationship) bool { return r.ID == id })
}

// similarReason tells whether the incidents similar to id hold candidate with a reason of kind
// that names all of via.
func similarReason(t *testing.T, db *neo4j.DB, id string, f incidentgraph.RelationshipFilter, candidate, kind string, via ...string) bool {
	t.Helper()
	ss, err := db.SimilarIncidents(context.Background(), id, incidentgraph.MaxSimilarIncidents, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		if s.Incident.ID != candidate {
			continue
		}
		for _, r := range s.Reasons {
			if r.Kind == kind && !slices.ContainsFunc(via, func(v string) bool { return !slices.Contains(r.Via, v) }) {
				return true
			}
		}
	}
	return false
}

// TestRetractedPerpetratorLinkLeavesDerivedAnswers: the Kabul bombing's one perpetrator link
// (IS-K, by the AP) retracted, Kabul is no longer IS-K's incident, nor the Islamic State's
// through its affiliate, nor on IS-K's timeline, nor similar to other IS-K incidents for a
// shared perpetrator.
func TestRetractedPerpetratorLinkLeavesDerivedAnswers(t *testing.T) {
	db := curated(t)
	withRetracted := incidentgraph.RelationshipFilter{IncludeRetracted: true}
	checkRetraction(t, db, []string{kabulByISK}, []derivedCheck{
		{"incidents by perpetrator", func() bool {
			return incidentsHave(t, db, incidentgraph.IncidentFilter{Perpetrator: isk}, kabul)
		}},
		{"incidents by perpetrator with affiliates", func() bool {
			return incidentsHave(t, db, incidentgraph.IncidentFilter{Perpetrator: is, IncludeAffiliates: true}, kabul)
		}},
		{"timeline of the perpetrator", func() bool {
			return hasRel(timelineLinks(t, db, incidentgraph.TimelineFilter{Actor: isk}, kabul), kabulByISK)
		}},
		{"timeline with affiliates", func() bool {
			return hasRel(timelineLinks(t, db, incidentgraph.TimelineFilter{Actor: is, IncludeAffiliates: true}, kabul), kabulByISK)
		}},
		{"similar incidents (same perpetrator)", func() bool {
			return similarReason(t, db, synagoguePlot, incidentgraph.RelationshipFilter{}, kabul, incidentgraph.ReasonSamePerpetrator, isk)
		}},
		{"similar incidents (affiliated perpetrator)", func() bool {
			return similarReason(t, db, parisAttacks, incidentgraph.RelationshipFilter{}, kabul, incidentgraph.ReasonAffiliatedPerpetrator, is, isk)
		}},
	}, []derivedCheck{
		{"timeline with includeRetracted", func() bool {
			return hasRel(timelineLinks(t, db, incidentgraph.TimelineFilter{Actor: isk, Rel: withRetracted}, kabul), kabulByISK)
		}},
		{"similar incidents with includeRetracted", func() bool {
			return similarReason(t, db, synagoguePlot, withRetracted, kabul, incidentgraph.ReasonSamePerpetrator, isk)
		}},
	})
}

// TestRetractedAffiliateLinksLeaveDerivedAnswers: with both of IS-K's affiliation assertions
// towards the Islamic State retracted (AFFILIATE_OF by the AP, BRANCH_OF by Wikipedia), IS-K
// is no longer in the Islamic State's affiliate network: not in its organisations, its
// incidents with affiliates, its timeline with affiliates, its network chart, nor in the
// affiliation that made IS-K's incidents resemble the Islamic State's.
func TestRetractedAffiliateLinksLeaveDerivedAnswers(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	withRetracted := incidentgraph.RelationshipFilter{IncludeRetracted: true}
	network := func(f incidentgraph.RelationshipFilter) bool {
		g, err := db.AffiliateNetwork(ctx, is, 1, f, incidentgraph.MaxNeighborhoodNodes)
		if err != nil {
			t.Fatal(err)
		}
		return hasRel(g.Edges, iskAffiliate) && hasRel(g.Edges, iskBranch)
	}
	checkRetraction(t, db, []string{iskAffiliate, iskBranch}, []derivedCheck{
		{"organisations affiliated", func() bool {
			page, err := db.FindOrganizations(ctx, incidentgraph.OrganizationFilter{AffiliateOf: is}, incidentgraph.Page{First: incidentgraph.MaxPageSize})
			if err != nil {
				t.Fatal(err)
			}
			return slices.ContainsFunc(page.Entities, func(e *incidentgraph.Entity) bool { return e.ID == isk })
		}},
		{"incidents with affiliates", func() bool {
			return incidentsHave(t, db, incidentgraph.IncidentFilter{Perpetrator: is, IncludeAffiliates: true}, kabul)
		}},
		{"incidents with affiliates (another)", func() bool {
			return incidentsHave(t, db, incidentgraph.IncidentFilter{Perpetrator: is, IncludeAffiliates: true}, synagoguePlot)
		}},
		{"timeline with affiliates", func() bool {
			return hasRel(timelineLinks(t, db, incidentgraph.TimelineFilter{Actor: is, IncludeAffiliates: true}, kabul), kabulByISK)
		}},
		{"affiliate network", func() bool { return network(incidentgraph.RelationshipFilter{}) }},
		{"similar incidents (affiliated perpetrator)", func() bool {
			return similarReason(t, db, parisAttacks, incidentgraph.RelationshipFilter{}, kabul, incidentgraph.ReasonAffiliatedPerpetrator, is, isk)
		}},
	}, []derivedCheck{
		{"timeline with affiliates and includeRetracted", func() bool {
			return hasRel(timelineLinks(t, db, incidentgraph.TimelineFilter{Actor: is, IncludeAffiliates: true, Rel: withRetracted}, kabul), kabulByISK)
		}},
		{"affiliate network with includeRetracted", func() bool { return network(withRetracted) }},
		{"similar incidents with includeRetracted", func() bool {
			return similarReason(t, db, parisAttacks, withRetracted, kabul, incidentgraph.ReasonAffiliatedPerpetrator, is, isk)
		}},
	})
	// The retraction takes out IS-K, not the network: the Islamic State's other provinces stay.
	if !incidentsHave(t, db, incidentgraph.IncidentFilter{Perpetrator: is, IncludeAffiliates: true}, parisAttacks) {
		t.Error("the Islamic State's own incident left its incidents with the affiliates' retraction")
	}
}

// TestRetractedPlaceLinksLeaveThePlaceFilter: with the Kabul bombing's two OCCURRED_AT links
// retracted (the airport, Abbey Gate), it no longer occurred at the airport for the incidents
// list or the timeline, yet still in Kabul, by the OCCURRED_IN link that stands.
func TestRetractedPlaceLinksLeaveThePlaceFilter(t *testing.T) {
	db := curated(t)
	const airport = "hamid-karzai-international-airport"
	inTimeline := func(place string, f incidentgraph.RelationshipFilter) bool {
		_, found := timelineEntry(t, db, incidentgraph.TimelineFilter{Place: place, Rel: f}, kabul)
		return found
	}
	checkRetraction(t, db, []string{kabulAirport, kabulGate}, []derivedCheck{
		{"incidents at the place", func() bool {
			return incidentsHave(t, db, incidentgraph.IncidentFilter{Place: airport}, kabul)
		}},
		{"timeline at the place", func() bool { return inTimeline(airport, incidentgraph.RelationshipFilter{}) }},
	}, []derivedCheck{
		{"incidents in the city (a standing link)", func() bool {
			return incidentsHave(t, db, incidentgraph.IncidentFilter{Place: "kabul"}, kabul)
		}},
		{"timeline at the place with includeRetracted", func() bool {
			return inTimeline(airport, incidentgraph.RelationshipFilter{IncludeRetracted: true})
		}},
	})
}
