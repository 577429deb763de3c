package gtd_test

import (
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/gtd"
)

// TestMapperDatesRelatedLinks: without a release, a RELATED_TO link is dated by the later of its
// two incidents' event ids (YYYYMMDD, 00 for an unknown month or day): a whole date, a month,
// a year. The link goes from the lower id, whichever row names it. Each row names an incident
// outside the chunk, whose id alone gives the date.
func TestMapperDatesRelatedLinks(t *testing.T) {
	rows := parseRows(t,
		`202108260001,2021,8,26,Afghanistan,Kabul,Kabul,Unknown,,0,0,0,0,,,202108260009,,,,3`,
		`202100000001,2021,0,0,Afghanistan,Kabul,Kabul,Unknown,,0,0,0,0,,,202108000009,,,,3`,
		`202100000002,2021,0,0,Afghanistan,Kabul,Kabul,Unknown,,0,0,0,0,,,202100000009,,,,3`,
		`202108260005,2021,8,26,Afghanistan,Kabul,Kabul,Unknown,,0,0,0,0,,,202100000004,,,,3`,
	)
	b := gtd.Mapper{}.Map(rows, incidentgraph.Resolution{})
	want := map[[2]string]incidentgraph.PartialDate{
		{"gtd-202108260001", "gtd-202108260009"}: "2021-08-26",
		{"gtd-202100000001", "gtd-202108000009"}: "2021-08",
		{"gtd-202100000002", "gtd-202100000009"}: "2021",
		{"gtd-202100000004", "gtd-202108260005"}: "2021-08-26",
	}
	got := map[[2]string]incidentgraph.PartialDate{}
	for _, r := range b.Own.Relationships {
		if r.Type == "RELATED_TO" {
			got[[2]string{r.FromID, r.ToID}] = r.AssertedOn
		}
	}
	if len(got) != len(want) {
		t.Errorf("RELATED_TO links %v, want %v", got, want)
	}
	for k, d := range want {
		if got[k] != d {
			t.Errorf("%s RELATED_TO %s asserted on %q, want %q", k[0], k[1], got[k], d)
		}
	}
}

// TestMapperCountsRowsAndFigures: a chunk says how many rows it holds and the file's numbers of
// its first and last; a row with wounded and no killed gives its WOUNDED figure alone (an
// unknown count is no figure, and does not stop the next).
func TestMapperCountsRowsAndFigures(t *testing.T) {
	rows := parseRows(t,
		`202108260001,2021,8,26,Afghanistan,Kabul,Kabul,Unknown,,0,0,0,0,,7,,,,,3`,
		`202108260002,2021,8,26,Afghanistan,Kabul,Kabul,Unknown,,0,0,0,0,2,,,,,,3`,
		`202108260003,2021,8,26,Afghanistan,Kabul,Kabul,Unknown,,0,0,0,0,,,,,,,3`,
	)
	b := gtd.Mapper{}.Map(rows, incidentgraph.Resolution{})
	if b.Rows != 3 || b.FirstRow != rows[0].Row || b.LastRow != rows[2].Row || b.FirstRow == b.LastRow {
		t.Errorf("Rows %d, FirstRow %d, LastRow %d; want 3, %d, %d", b.Rows, b.FirstRow, b.LastRow, rows[0].Row, rows[2].Row)
	}
	got := map[string]int{}
	for _, f := range b.Own.Figures {
		got[f.SubjectID+" "+f.Metric] = f.Value
	}
	want := map[string]int{"gtd-202108260001 WOUNDED": 7, "gtd-202108260002 KILLED": 2}
	if len(got) != len(want) {
		t.Errorf("figures %v, want %v", got, want)
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("figure %s = %d (present %v), want %d", k, g, ok, v)
		}
	}
}
