package neo4j_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

// TestAffiliatesAreOneFamily: every question that speaks of a group's affiliates follows the
// same types, incidentgraph.AffiliationTypes, and the affiliate network follows
// incidentgraph.OrganizationalTypes. For each organisational type T a new group links to a new
// anchor by T and carries out an incident of its own. Then the anchor's direct affiliates
// (organizations' affiliateOf), its incidents with affiliates and its timeline with affiliates
// hold that group (or its incident) exactly when T is an affiliation; its organisational network
// holds every one. The types outside the family (an offshoot, a splinter, an ally, an enemy …)
// are the negative controls: a question that followed them, or missed a pledge of allegiance,
// fails here.
func TestAffiliatesAreOneFamily(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	w := curator("ann")
	const anchor = "family-anchor"
	if _, err := db.CreateEntity(ctx, w, newOrg(anchor, "Family Anchor")); err != nil {
		t.Fatal(err)
	}
	group := func(typ incidentgraph.RelType) string {
		return "family-" + strings.ToLower(strings.ReplaceAll(string(typ), "_", "-"))
	}
	incident := func(typ incidentgraph.RelType) string { return group(typ) + "-attack" }
	kind := incidentgraph.KindIncident
	for _, typ := range incidentgraph.OrganizationalTypes {
		if _, err := db.CreateEntity(ctx, w, newOrg(group(typ), "Group by "+string(typ))); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateEntity(ctx, w, &incidentgraph.EntityInput{ID: ptr(incident(typ)), Kind: &kind,
			Name: ptr("Attack by " + string(typ)), Date: ptr(incidentgraph.PartialDate("2020-01-01")), Outcome: ptr("SUCCESSFUL"),
			SourceIDs: []string{apArt}, SourcesSet: true}); err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct {
			from, to string
			typ      incidentgraph.RelType
		}{{group(typ), anchor, typ}, {group(typ), incident(typ), "PERPETRATED"}} {
			if _, err := db.AddRelationship(ctx, w, &incidentgraph.RelationshipInput{FromID: ptr(r.from), ToID: ptr(r.to),
				Type: ptr(r.typ), Status: ptr(incidentgraph.Status("REPORTED")), Confidence: ptr(80),
				AssertedByID: ptr("associated-press"), SourceIDs: []string{apArt}, SourcesSet: true}); err != nil {
				t.Fatalf("%s -%s-> %s: %v", r.from, r.typ, r.to, err)
			}
		}
	}
	orgs, err := db.FindOrganizations(ctx, incidentgraph.OrganizationFilter{AffiliateOf: anchor}, incidentgraph.Page{First: incidentgraph.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	incidents, err := db.FindIncidents(ctx, incidentgraph.IncidentFilter{Perpetrator: anchor, IncludeAffiliates: true}, incidentgraph.Page{First: incidentgraph.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	timeline, err := db.Timeline(ctx, incidentgraph.TimelineFilter{Actor: anchor, IncludeAffiliates: true}, incidentgraph.Page{First: incidentgraph.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	var onTimeline []string
	for _, e := range timeline.Entries {
		onTimeline = append(onTimeline, e.Entity.ID)
	}
	network, err := db.AffiliateNetwork(ctx, anchor, 1, incidentgraph.RelationshipFilter{}, incidentgraph.MaxNeighborhoodNodes)
	if err != nil {
		t.Fatal(err)
	}
	var inNetwork []string
	for _, n := range network.Nodes {
		inNetwork = append(inNetwork, n.ID)
	}
	for _, typ := range incidentgraph.OrganizationalTypes {
		affiliate := slices.Contains(incidentgraph.AffiliationTypes, typ)
		for _, q := range []struct {
			question string
			ids      []string
			id       string
			want     bool
		}{
			{"organizations(affiliateOf)", entityIDs(orgs.Entities), group(typ), affiliate},
			{"incidents(includeAffiliates)", entityIDs(incidents.Entities), incident(typ), affiliate},
			{"timeline(includeAffiliates)", onTimeline, incident(typ), affiliate},
			{"affiliateNetwork", inNetwork, group(typ), true},
		} {
			if got := slices.Contains(q.ids, q.id); got != q.want {
				t.Errorf("%s of a group linked to it by %s holds %s: %v, want %v", q.question, typ, q.id, got, q.want)
			}
		}
	}
}
