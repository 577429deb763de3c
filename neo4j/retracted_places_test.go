package neo4j_test

import (
	"context"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// A place filter follows LOCATED_IN chains up from an incident's site (a venue in a city, the
// city in a province, the province in a country). A curator's retraction of one LOCATED_IN link
// cuts every chain through it: what lies below no longer counts as in the place above. Each check
// sees the place reached through the link while it stands (its control), then not once it is
// retracted; a standing link to the same place, and includeRetracted where the API has it, still
// reach it.

const (
	kabulInAfghanistan = "kabul--located-in--afghanistan--wikipedia"
	moscowInRussia     = "moscow--located-in--russia--wikipedia"
)

func inTimelineAt(t *testing.T, db *neo4j.DB, place string, f incidentgraph.RelationshipFilter, id string) bool {
	t.Helper()
	_, found := timelineEntry(t, db, incidentgraph.TimelineFilter{Place: place, Rel: f}, id)
	return found
}

// TestRetractedLocatedInLinksLeaveThePlaceFilters: the Kabul bombing reaches Afghanistan only
// through Kabul's LOCATED_IN link (from its gate, its airport and the city alike: chains of one to
// three links that all end with it), and the Moscow synagogue plot reaches Russia only through
// Moscow's. With those two links retracted, neither incident is in its country for the incidents
// list, the timeline or similar incidents' shared places, while the Moscow concert hall attack,
// which occurred in Russia by a link of its own, still is.
//
// Negative control: the same checks against the store with the condition on the chains' links
// taken out (every link counts, as on the bare `*0..5` chain): each of the six must fail.
func TestRetractedLocatedInLinksLeaveThePlaceFilters(t *testing.T) {
	ids := []string{kabulInAfghanistan, moscowInRussia}
	db := curated(t)
	checks, standing := placeChecks(t, db)
	checkRetraction(t, db, ids, checks, standing)
	t.Run("negative control: the chains' condition taken out", func(t *testing.T) {
		curated(t)
		const link = "[located:LOCATED_IN WHERE ($includeRetracted OR located.retractedAt IS NULL)]"
		up := &sabotage{from: "-" + link + "->{0,5}", to: "-[:LOCATED_IN*0..5]->"}
		down := &sabotage{from: "<-" + link + "-{0,5}", to: "<-[:LOCATED_IN*0..5]-"}
		db := sabotagedStore(t, up, down)
		checks, standing := placeChecks(t, db)
		mustFailEach(t, retractionFaults(t, db, ids, checks, standing), checks)
		mustHaveApplied(t, up, down)
	})
}

// placeChecks are the place questions that reach Afghanistan and Russia through Kabul's and
// Moscow's LOCATED_IN links (retracted, they must not), and those that reach them otherwise or
// with includeRetracted (they still must).
func placeChecks(t *testing.T, db *neo4j.DB) (checks, standing []derivedCheck) {
	all := incidentgraph.RelationshipFilter{}
	withRetracted := incidentgraph.RelationshipFilter{IncludeRetracted: true}
	return []derivedCheck{
			{"incidents in Afghanistan", func() bool {
				return incidentsHave(t, db, incidentgraph.IncidentFilter{Place: "afghanistan"}, kabul)
			}},
			{"incidents in Russia", func() bool {
				return incidentsHave(t, db, incidentgraph.IncidentFilter{Place: "russia"}, synagoguePlot)
			}},
			{"timeline in Afghanistan", func() bool { return inTimelineAt(t, db, "afghanistan", all, kabul) }},
			{"timeline in Russia", func() bool { return inTimelineAt(t, db, "russia", all, synagoguePlot) }},
			// The target's places (the plot's sites, up to Russia) and a candidate's (the plot among
			// the concert hall attack's candidates) follow the same chains.
			{"similar incidents: the plot's places", func() bool {
				return similarReason(t, db, synagoguePlot, all, moscow, incidentgraph.ReasonSharedPlace, "russia")
			}},
			{"similar incidents: a candidate's places", func() bool {
				return similarReason(t, db, moscow, all, synagoguePlot, incidentgraph.ReasonSharedPlace, "russia")
			}},
		}, []derivedCheck{
			{"incidents in Kabul (a standing link)", func() bool {
				return incidentsHave(t, db, incidentgraph.IncidentFilter{Place: "kabul"}, kabul)
			}},
			{"incidents in Moscow (a standing link)", func() bool {
				return incidentsHave(t, db, incidentgraph.IncidentFilter{Place: "moscow"}, synagoguePlot)
			}},
			{"incidents in Russia by a direct link", func() bool {
				return incidentsHave(t, db, incidentgraph.IncidentFilter{Place: "russia"}, moscow)
			}},
			{"timeline in Afghanistan with includeRetracted", func() bool {
				return inTimelineAt(t, db, "afghanistan", withRetracted, kabul)
			}},
			{"timeline in Russia with includeRetracted", func() bool {
				return inTimelineAt(t, db, "russia", withRetracted, synagoguePlot)
			}},
			{"similar incidents with includeRetracted", func() bool {
				return similarReason(t, db, synagoguePlot, withRetracted, moscow, incidentgraph.ReasonSharedPlace, "russia") &&
					similarReason(t, db, moscow, withRetracted, synagoguePlot, incidentgraph.ReasonSharedPlace, "russia")
			}},
		}
}

// TestPlaceFilterPlansStartFromAnIndex EXPLAINs the statements behind the place-filtered
// questions (incidents of a perpetrator and timelines in a country, similar incidents, whose
// places follow the chains) on the seed graph and fails on a scan the seed graph's check
// refuses: the conditions on the chain's links are tested while expanding from the index seeks,
// not by scanning links. (Incidents filtered by a place alone read every incident, as they did
// with the bare `*0..5` chain: that list has no index to start from.) TestScanCheckCatchesAScan
// is the check's negative control.
func TestPlaceFilterPlansStartFromAnIndex(t *testing.T) {
	seeded(t)
	page := incidentgraph.Page{First: 20}
	checkPlansWith(t, testDriver(t), []question{
		{"incidents by perpetrator in a country", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.FindIncidents(ctx, incidentgraph.IncidentFilter{Perpetrator: is, IncludeAffiliates: true, Place: "russia"}, page)
			return err
		}},
		{"timeline in a country", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.Timeline(ctx, incidentgraph.TimelineFilter{Place: "russia"}, page)
			return err
		}},
		{"timeline of an actor in a country", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.Timeline(ctx, incidentgraph.TimelineFilter{Actor: is, IncludeAffiliates: true, Place: "russia"}, page)
			return err
		}},
		{"similar incidents", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.SimilarIncidents(ctx, synagoguePlot, 5, incidentgraph.RelationshipFilter{})
			return err
		}},
	}, seedScans)
}
