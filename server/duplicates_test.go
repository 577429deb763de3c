package server_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// importResolutionFile imports testdata/gtd/resolution.csv (the GTD's spellings of the seed's
// groups and places, and names resolution cannot be sure of) into the fixture's graph.
func importResolutionFile(t *testing.T, db *neo4j.DB) {
	t.Helper()
	testdb.MustImportGTDFile(t, db, "../testdata/gtd/resolution.csv")
}

const duplicatesQ = `query($kind: EntityKind, $first: Int, $after: String) {
  possibleDuplicates(kind: $kind, first: $first, after: $after) {
    edges { cursor node {
      first { id name } second { id name ... on Place { countryCode } }
      reasons nameAsGiven distanceKm sharedNeighbours recordedBy recordedAt } }
    pageInfo { hasNextPage endCursor } } }`

type duplicatesAnswer struct {
	PossibleDuplicates struct {
		Edges []struct {
			Cursor string
			Node   struct {
				First, Second    struct{ ID, Name string }
				Reasons          []string
				NameAsGiven      *string
				DistanceKm       *float64
				SharedNeighbours *int
				RecordedBy       string
				RecordedAt       string
			}
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
}

func (a duplicatesAnswer) pairs() []string {
	var out []string
	for _, e := range a.PossibleDuplicates.Edges {
		out = append(out, fmt.Sprintf("%s/%s %v", e.Node.First.ID, e.Node.Second.ID, e.Node.Reasons))
	}
	return out
}

// TestPossibleDuplicatesOverHTTP: after an import, curators page through the pairs it could not
// settle, with their evidence; readers and analysts may not; a merge settles a pair; links
// record the names the import resolved.
func TestPossibleDuplicatesOverHTTP(t *testing.T) {
	f := newCurationFixture(t)
	importResolutionFile(t, f.db)

	for _, role := range []incidentgraph.Role{"", incidentgraph.RoleReader, incidentgraph.RoleAnalyst, incidentgraph.RoleAdmin} {
		r := f.as(t, role, duplicatesQ, nil)
		want := ""
		switch {
		case role == "":
			want = incidentgraph.EUNAUTHENTICATED
		case !role.AtLeast(incidentgraph.RoleCurator):
			want = incidentgraph.EFORBIDDEN
		}
		if r.code() != want {
			t.Errorf("possibleDuplicates as %q: code %q (%s), want %q", role, r.code(), r.Data, want)
		}
	}

	var all duplicatesAnswer
	mustData(t, f.as(t, incidentgraph.RoleCurator, duplicatesQ, nil), &all)
	want := []string{
		"krasnogorsk/gtd-place-russia-udmurt-republic-krasnogorsk [FAR_APART]",
		"taliban/gtd-group-taleban [TRANSLITERATION]",
	}
	if got := all.pairs(); !slices.Equal(got, want) {
		t.Fatalf("pairs %v, want %v", got, want)
	}
	k := all.PossibleDuplicates.Edges[0].Node
	if k.DistanceKm == nil || *k.DistanceKm < 800 || *k.DistanceKm > 1100 || k.NameAsGiven == nil || *k.NameAsGiven != "Krasnogorsk" ||
		k.RecordedBy != "gtd" || k.RecordedAt == "" || k.SharedNeighbours == nil {
		t.Errorf("Krasnogorsk's evidence: %+v", k)
	}
	if tb := all.PossibleDuplicates.Edges[1].Node; tb.DistanceKm != nil || tb.NameAsGiven == nil || *tb.NameAsGiven != "Taleban" {
		t.Errorf("Taleban's evidence: %+v", tb)
	}

	// One kind; pages.
	var orgs duplicatesAnswer
	mustData(t, f.as(t, incidentgraph.RoleCurator, duplicatesQ, map[string]any{"kind": "ORGANIZATION"}), &orgs)
	if got := orgs.pairs(); !slices.Equal(got, want[1:]) {
		t.Errorf("organizations' pairs %v", got)
	}
	var p1, p2 duplicatesAnswer
	mustData(t, f.as(t, incidentgraph.RoleCurator, duplicatesQ, map[string]any{"first": 1}), &p1)
	if !p1.PossibleDuplicates.PageInfo.HasNextPage || p1.PossibleDuplicates.PageInfo.EndCursor == nil {
		t.Fatalf("first page: %+v", p1)
	}
	mustData(t, f.as(t, incidentgraph.RoleCurator, duplicatesQ, map[string]any{"first": 1, "after": *p1.PossibleDuplicates.PageInfo.EndCursor}), &p2)
	if got := append(p1.pairs(), p2.pairs()...); !slices.Equal(got, want) || p2.PossibleDuplicates.PageInfo.HasNextPage {
		t.Errorf("two pages: %v (more: %v)", got, p2.PossibleDuplicates.PageInfo.HasNextPage)
	}
	for _, vars := range []map[string]any{{"after": "not-a-cursor"}, {"first": 0}, {"first": 101}, {"kind": "PLANET"}} {
		if r := f.as(t, incidentgraph.RoleCurator, duplicatesQ, vars); r.code() == "" || r.code() == incidentgraph.EINTERNAL || r.status >= 500 {
			t.Errorf("%v: code %q, status %d; want a client error", vars, r.code(), r.status)
		}
	}

	// The resolved link says what the file called the group.
	var ttp struct {
		Entity struct {
			Relationships []struct {
				Origin          *string
				FromNameAsGiven *string
				ToNameAsGiven   *string
				Other           struct{ ID string }
			}
		}
	}
	mustData(t, f.as(t, incidentgraph.RoleReader, `{ entity(id: "tehrik-i-taliban-pakistan") {
		relationships(filter: {direction: OUTGOING}) { origin fromNameAsGiven toNameAsGiven other { id } } } }`, nil), &ttp)
	found := false
	for _, r := range ttp.Entity.Relationships {
		if r.Other.ID == "gtd-201412160001" {
			found = true
			if r.Origin == nil || *r.Origin != "gtd" || r.FromNameAsGiven == nil || *r.FromNameAsGiven != "Tehrik-i-Taliban Pakistan (TTP)" || r.ToNameAsGiven != nil {
				t.Errorf("the imported link: origin %v, from as %v, to as %v", r.Origin, r.FromNameAsGiven, r.ToNameAsGiven)
			}
		} else if r.FromNameAsGiven != nil {
			t.Errorf("link to %s: fromNameAsGiven %q on a link no import resolved", r.Other.ID, *r.FromNameAsGiven)
		}
	}
	if !found {
		t.Errorf("the seed's Tehrik-i-Taliban Pakistan has no link to the imported incident: %+v", ttp)
	}

	// A merge settles the Taleban pair.
	mustData(t, f.as(t, incidentgraph.RoleCurator, `mutation { mergeEntities(survivor: "taliban", survivorVersion: 1, duplicate: "gtd-group-taleban", duplicateVersion: 1) { id } }`, nil), &struct{}{})
	var after duplicatesAnswer
	mustData(t, f.as(t, incidentgraph.RoleCurator, duplicatesQ, nil), &after)
	if got := after.pairs(); !slices.Equal(got, want[:1]) {
		t.Errorf("after the merge: %v, want %v", got, want[:1])
	}
}
