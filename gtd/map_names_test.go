package gtd_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/gtd"
)

// givenNames lists a batch's links with the names as given they record, as "from -TYPE-> to
// [from as given | to as given]", sorted.
func givenNames(b *incidentgraph.ImportBatch) []string {
	var out []string
	for _, rs := range [][]*incidentgraph.Relationship{b.Shared.Relationships, b.Own.Relationships} {
		for _, r := range rs {
			out = append(out, fmt.Sprintf("%s -%s-> %s [%s|%s]", r.FromID, r.Type, r.ToID, r.FromNameAsGiven, r.ToNameAsGiven))
		}
	}
	slices.Sort(out)
	return out
}

// TestMapperRecordsNamesAsGiven: a link to a group or country the store resolved to an entity
// made of another name records the name the row gave it; a link to one the import made of this
// very name (its generated id), to one it creates, or to a place records none.
func TestMapperRecordsNamesAsGiven(t *testing.T) {
	ttp := incidentgraph.NameRef{Kind: incidentgraph.KindOrganization, Name: "Tehrik-i-Taliban Pakistan (TTP)", ID: gtd.GroupID("Tehrik-i-Taliban Pakistan (TTP)")}
	front := incidentgraph.NameRef{Kind: incidentgraph.KindOrganization, Name: "Front for Tests", ID: gtd.GroupID("Front for Tests")}
	pakistan := incidentgraph.NameRef{Kind: incidentgraph.KindCountry, Name: "Pakistan", ID: gtd.CountryID("Pakistan")}
	rows := parseRows(t,
		// In the country itself: the OCCURRED_IN link reaches the resolved country.
		`201412160001,2014,12,16,Pakistan,,,Tehrik-i-Taliban Pakistan (TTP),Front for Tests,0,0,0,0,,,,,,,2`,
		// In a city: the country's name is recorded on the province's LOCATED_IN only.
		`201412170001,2014,12,17,Pakistan,Khyber Pakhtunkhwa,Peshawar,Unknown,,0,0,0,0,,,,,,,2`,
		// A group and country the store found nothing for.
		`201412180001,2014,12,18,Atlantis,,,Other Front,,0,0,0,0,,,,,,,2`,
	)
	found := incidentgraph.Resolution{ttp: "tehrik-i-taliban-pakistan", pakistan: "pakistan", front: front.ID}
	got := givenNames(gtd.Mapper{}.Map(rows, found))
	want := []string{
		"gtd-201412160001 -OCCURRED_IN-> pakistan [|Pakistan]",
		"gtd-201412170001 -OCCURRED_IN-> gtd-place-pakistan-khyber-pakhtunkhwa-peshawar [|]",
		"gtd-201412180001 -OCCURRED_IN-> gtd-country-atlantis [|]",
		"gtd-group-front-for-tests -PERPETRATED-> gtd-201412160001 [|]",
		"gtd-group-other-front -PERPETRATED-> gtd-201412180001 [|]",
		"gtd-place-pakistan-khyber-pakhtunkhwa -LOCATED_IN-> pakistan [|Pakistan]",
		"gtd-place-pakistan-khyber-pakhtunkhwa-peshawar -LOCATED_IN-> gtd-place-pakistan-khyber-pakhtunkhwa [|]",
		"tehrik-i-taliban-pakistan -PERPETRATED-> gtd-201412160001 [Tehrik-i-Taliban Pakistan (TTP)|]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("links and names as given:\n%v\nwant\n%v", got, want)
	}
}
