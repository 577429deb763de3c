package gtd_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/gtd"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
)

// The GTD mapping, tested as tables without a database: rows in, batches out. Each case lists
// what the batch must hold (mapFaults); the negative controls hand the same checks batches
// broken one way each, which they must catch.

const mapHeader = "eventid,iyear,imonth,iday,country_txt,provstate,city,gname,gname2,guncertain1,claimed,compclaim,doubtterr,nkill,nwound,related,scite1,scite2,scite3,attacktype1\n"

// parseRows reads CSV rows (under mapHeader) that must parse.
func parseRows(t *testing.T, rows ...string) []*gtd.Incident {
	t.Helper()
	return testdb.GTDRows(t, strings.NewReader(mapHeader+strings.Join(rows, "\n")+"\n"))
}

// wantRel is a link the batch must hold: its ends, type, status and confidence, and where it is.
type wantRel struct {
	shared             bool
	from, typ, to      string
	status             incidentgraph.Status
	confidence         int
	assertedOn, noteIn string
}

type wantFigure struct {
	subject, metric string
	value           int
	asOf            incidentgraph.PartialDate
}

type mapCase struct {
	name    string
	rows    []string
	release incidentgraph.PartialDate
	found   incidentgraph.Resolution
	// What the batch holds: shared and own entity ids (with their kind), links, figures.
	shared, own map[string]incidentgraph.Kind
	rels        []wantRel
	figures     []wantFigure
	subjects    []string
	names       []incidentgraph.NameRef
}

var (
	russia = incidentgraph.NameRef{Kind: incidentgraph.KindCountry, Name: "Russia", ID: "gtd-country-russia"}
	isil   = incidentgraph.NameRef{Kind: incidentgraph.KindOrganization, Name: "Islamic State of Iraq and the Levant (ISIL)", ID: "gtd-group-islamic-state-of-iraq-and-the-levant-isil"}
)

var mapCases = []mapCase{
	{
		name:  "names resolved: the place chain hangs off the country as resolved, no group or country created",
		rows:  []string{`202403220001,2024,3,22,Russia,Moscow Oblast,Krasnogorsk,Islamic State of Iraq and the Levant (ISIL),,0,1,0,0,145,551,,"Report A",,,2`},
		found: incidentgraph.Resolution{russia: "russia", isil: "islamic-state"},
		shared: map[string]incidentgraph.Kind{
			"gtd-place-russia-moscow-oblast":             incidentgraph.KindPlace,
			"gtd-place-russia-moscow-oblast-krasnogorsk": incidentgraph.KindPlace,
		},
		own: map[string]incidentgraph.Kind{"gtd-202403220001": incidentgraph.KindIncident, gtd.CitationID("Report A"): incidentgraph.KindSource},
		rels: []wantRel{
			{shared: true, from: "gtd-place-russia-moscow-oblast", typ: "LOCATED_IN", to: "russia", status: "REPORTED", confidence: 90},
			{shared: true, from: "gtd-place-russia-moscow-oblast-krasnogorsk", typ: "LOCATED_IN", to: "gtd-place-russia-moscow-oblast", status: "REPORTED", confidence: 90},
			{from: "gtd-202403220001", typ: "OCCURRED_IN", to: "gtd-place-russia-moscow-oblast-krasnogorsk", status: "REPORTED", confidence: 90, assertedOn: "2024-03-22"},
			{from: "islamic-state", typ: "CLAIMED_RESPONSIBILITY_FOR", to: "gtd-202403220001", status: "CLAIMED", confidence: 80, assertedOn: "2024-03-22"},
		},
		figures:  []wantFigure{{"gtd-202403220001", "KILLED", 145, "2024-03-22"}, {"gtd-202403220001", "WOUNDED", 551, "2024-03-22"}},
		subjects: []string{"gtd-202403220001"},
		names:    []incidentgraph.NameRef{isil, russia},
	},
	{
		name:  "names not resolved: the group and country are created under their generated ids",
		rows:  []string{`199001010001,1990,1,0,Atlantis,,,Front for Tests,,1,0,0,0,,,,,,,3`},
		found: incidentgraph.Resolution{},
		shared: map[string]incidentgraph.Kind{
			"gtd-country-atlantis":      incidentgraph.KindCountry,
			"gtd-group-front-for-tests": incidentgraph.KindOrganization,
		},
		own: map[string]incidentgraph.Kind{"gtd-199001010001": incidentgraph.KindIncident},
		rels: []wantRel{
			{from: "gtd-199001010001", typ: "OCCURRED_IN", to: "gtd-country-atlantis", status: "REPORTED", confidence: 90, assertedOn: "1990-01"},
			{from: "gtd-group-front-for-tests", typ: "PERPETRATED", to: "gtd-199001010001", status: "SUSPECTED", confidence: 50, assertedOn: "1990-01"},
		},
		subjects: []string{"gtd-199001010001"},
		names: []incidentgraph.NameRef{{Kind: incidentgraph.KindOrganization, Name: "Front for Tests", ID: "gtd-group-front-for-tests"},
			{Kind: incidentgraph.KindCountry, Name: "Atlantis", ID: "gtd-country-atlantis"}},
	},
	{
		name:    "a release dates every assertion; related rows make one link, from the lower event id; Unknown is no perpetrator",
		release: "2025-06",
		rows: []string{
			`202108260001,2021,8,26,Afghanistan,Kabul,Kabul,Unknown,,0,0,0,0,-99,,202108260002,"Report B","Report B",,3`,
			`202108260002,2021,8,26,Afghanistan,Kabul,Kabul,Unknown,,0,0,0,0,3,,202108260001,"Report B",,,3`,
		},
		found: incidentgraph.Resolution{{Kind: incidentgraph.KindCountry, Name: "Afghanistan", ID: "gtd-country-afghanistan"}: "afghanistan"},
		shared: map[string]incidentgraph.Kind{
			"gtd-place-afghanistan-kabul":       incidentgraph.KindPlace,
			"gtd-place-afghanistan-kabul-kabul": incidentgraph.KindPlace,
		},
		own: map[string]incidentgraph.Kind{"gtd-202108260001": incidentgraph.KindIncident, "gtd-202108260002": incidentgraph.KindIncident,
			gtd.CitationID("Report B"): incidentgraph.KindSource},
		rels: []wantRel{
			{shared: true, from: "gtd-place-afghanistan-kabul", typ: "LOCATED_IN", to: "afghanistan", status: "REPORTED", confidence: 90, assertedOn: "2025-06"},
			{shared: true, from: "gtd-place-afghanistan-kabul-kabul", typ: "LOCATED_IN", to: "gtd-place-afghanistan-kabul", status: "REPORTED", confidence: 90, assertedOn: "2025-06"},
			{from: "gtd-202108260001", typ: "OCCURRED_IN", to: "gtd-place-afghanistan-kabul-kabul", status: "REPORTED", confidence: 90, assertedOn: "2025-06"},
			{from: "gtd-202108260002", typ: "OCCURRED_IN", to: "gtd-place-afghanistan-kabul-kabul", status: "REPORTED", confidence: 90, assertedOn: "2025-06"},
			{from: "gtd-202108260001", typ: "RELATED_TO", to: "gtd-202108260002", status: "REPORTED", confidence: 80, assertedOn: "2025-06", noteIn: "Related incidents"},
		},
		figures:  []wantFigure{{"gtd-202108260002", "KILLED", 3, "2021-08-26"}},
		subjects: []string{"gtd-202108260001", "gtd-202108260002"},
		names:    []incidentgraph.NameRef{{Kind: incidentgraph.KindCountry, Name: "Afghanistan", ID: "gtd-country-afghanistan"}},
	},
	{
		name:   "competing claims dispute every perpetrator, doubt lowers the confidence; each group has its own link",
		rows:   []string{`201501010001,2015,1,1,Russia,,,Islamic State of Iraq and the Levant (ISIL),Front for Tests,0,1,1,1,,,,,,,2`},
		found:  incidentgraph.Resolution{russia: "russia", isil: "islamic-state"},
		shared: map[string]incidentgraph.Kind{"gtd-group-front-for-tests": incidentgraph.KindOrganization},
		own:    map[string]incidentgraph.Kind{"gtd-201501010001": incidentgraph.KindIncident},
		rels: []wantRel{
			{from: "gtd-201501010001", typ: "OCCURRED_IN", to: "russia", status: "REPORTED", confidence: 90, assertedOn: "2015-01-01"},
			{from: "islamic-state", typ: "CLAIMED_RESPONSIBILITY_FOR", to: "gtd-201501010001", status: "DISPUTED", confidence: 20, assertedOn: "2015-01-01"},
			{from: "gtd-group-front-for-tests", typ: "PERPETRATED", to: "gtd-201501010001", status: "DISPUTED", confidence: 20, assertedOn: "2015-01-01"},
		},
		subjects: []string{"gtd-201501010001"},
		names:    []incidentgraph.NameRef{isil, {Kind: incidentgraph.KindOrganization, Name: "Front for Tests", ID: "gtd-group-front-for-tests"}, russia},
	},
}

// mapFaults compares a batch with what a case wants of it: the same entities (by id and kind,
// shared or own), links, figures and subjects, nothing more; every item once; every link and
// figure asserted by the GTD's publisher and citing the GTD.
func mapFaults(c mapCase, names []incidentgraph.NameRef, b *incidentgraph.ImportBatch) []string {
	var faults []string
	bad := func(format string, args ...any) { faults = append(faults, fmt.Sprintf(format, args...)) }
	if !slices.Equal(names, c.names) {
		bad("names %v, want %v", names, c.names)
	}
	for _, side := range []struct {
		name string
		got  []*incidentgraph.Entity
		want map[string]incidentgraph.Kind
	}{{"shared", b.Shared.Entities, c.shared}, {"own", b.Own.Entities, c.own}} {
		got := map[string]incidentgraph.Kind{}
		for _, e := range side.got {
			if _, twice := got[e.ID]; twice {
				bad("%s entity %s given twice", side.name, e.ID)
			}
			got[e.ID] = e.Kind
		}
		if fmt.Sprint(got) != fmt.Sprint(side.want) {
			bad("%s entities %v, want %v", side.name, got, side.want)
		}
	}
	var rels []wantRel
	ids := map[string]bool{}
	for _, side := range []struct {
		shared bool
		rs     []*incidentgraph.Relationship
	}{{true, b.Shared.Relationships}, {false, b.Own.Relationships}} {
		for _, r := range side.rs {
			if ids[r.ID] {
				bad("link %s given twice", r.ID)
			}
			ids[r.ID] = true
			if r.ID != incidentgraph.DefaultRelationshipID(r.FromID, r.Type, r.ToID, r.AssertedByID) {
				bad("link %s: not its default id", r.ID)
			}
			if r.AssertedByID != gtd.Publisher || !slices.Contains(r.SourceIDs, gtd.DatasetID) {
				bad("link %s: asserted by %s on %v, want the GTD's publisher on the GTD", r.ID, r.AssertedByID, r.SourceIDs)
			}
			w := wantRel{shared: side.shared, from: r.FromID, typ: string(r.Type), to: r.ToID, status: r.Status, confidence: r.Confidence, assertedOn: string(r.AssertedOn)}
			if i := slices.IndexFunc(c.rels, func(x wantRel) bool { return x.from == r.FromID && x.typ == string(r.Type) && x.to == r.ToID }); i >= 0 && c.rels[i].noteIn != "" {
				if !strings.Contains(r.Note, c.rels[i].noteIn) {
					bad("link %s: note %q, want it to say %q", r.ID, r.Note, c.rels[i].noteIn)
				}
				w.noteIn = c.rels[i].noteIn
			}
			rels = append(rels, w)
		}
	}
	key := func(r wantRel) string { return fmt.Sprintf("%+v", r) }
	got, want := make([]string, 0, len(rels)), make([]string, 0, len(c.rels))
	for _, r := range rels {
		got = append(got, key(r))
	}
	for _, r := range c.rels {
		want = append(want, key(r))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		bad("links\n  %v\nwant\n  %v", got, want)
	}
	var figs []wantFigure
	for _, f := range b.Own.Figures {
		if f.ID != incidentgraph.DefaultFigureID(f) || f.Qualifier != "EXACT" || f.AssertedByID != gtd.Publisher || !slices.Contains(f.SourceIDs, gtd.DatasetID) {
			bad("figure %+v: want its default id, EXACT, by the GTD's publisher on the GTD", f)
		}
		figs = append(figs, wantFigure{f.SubjectID, f.Metric, f.Value, f.AsOf})
	}
	if fmt.Sprint(figs) != fmt.Sprint(c.figures) {
		bad("figures %v, want %v", figs, c.figures)
	}
	if len(b.Shared.Figures) > 0 {
		bad("shared figures %v", b.Shared.Figures)
	}
	if !slices.Equal(b.Subjects, c.subjects) {
		bad("subjects %v, want %v", b.Subjects, c.subjects)
	}
	if b.Rows != len(c.rows) {
		bad("%d rows, want %d", b.Rows, len(c.rows))
	}
	return faults
}

func TestMapperTable(t *testing.T) {
	for _, c := range mapCases {
		t.Run(c.name, func(t *testing.T) {
			rows := parseRows(t, c.rows...)
			m := gtd.Mapper{Release: c.release}
			for _, f := range mapFaults(c, m.Names(rows), m.Map(rows, c.found)) {
				t.Error(f)
			}
		})
	}
}

// The negative controls: each breaks the right batch of the first cases one way; the checks
// must catch every one.
func TestMapperTableCatchesBrokenBatches(t *testing.T) {
	breakers := map[string]func(b *incidentgraph.ImportBatch){
		"a place id made from the country's name, not its resolved id": func(b *incidentgraph.ImportBatch) {
			b.Shared.Entities[0].ID = "gtd-place-gtd-country-russia-moscow-oblast"
		},
		"a claim's status lost": func(b *incidentgraph.ImportBatch) {
			for _, r := range b.Own.Relationships {
				if r.Type == "CLAIMED_RESPONSIBILITY_FOR" {
					r.Status = "REPORTED"
				}
			}
		},
		"a confidence changed": func(b *incidentgraph.ImportBatch) { b.Shared.Relationships[0].Confidence = 80 },
		"a figure dropped":     func(b *incidentgraph.ImportBatch) { b.Own.Figures = b.Own.Figures[:1] },
		"a figure as of the release, not the incident": func(b *incidentgraph.ImportBatch) {
			b.Own.Figures[0].AsOf = "2025"
		},
		"a resolved group created anyway": func(b *incidentgraph.ImportBatch) {
			b.Shared.Entities = append(b.Shared.Entities, &incidentgraph.Entity{ID: isil.ID, Kind: incidentgraph.KindOrganization})
		},
		"an entity given twice": func(b *incidentgraph.ImportBatch) { b.Own.Entities = append(b.Own.Entities, b.Own.Entities[0]) },
		"a link not citing the GTD": func(b *incidentgraph.ImportBatch) {
			b.Own.Relationships[0].SourceIDs = b.Own.Relationships[0].SourceIDs[1:]
		},
		"the perpetrator's link from the generated id": func(b *incidentgraph.ImportBatch) {
			for _, r := range b.Own.Relationships {
				if r.FromID == "islamic-state" {
					r.FromID = isil.ID
				}
			}
		},
		"a subject lost": func(b *incidentgraph.ImportBatch) { b.Subjects = nil },
	}
	c := mapCases[0]
	for name, breakIt := range breakers {
		rows := parseRows(t, c.rows...)
		m := gtd.Mapper{}
		b := m.Map(rows, c.found)
		if faults := mapFaults(c, m.Names(rows), b); len(faults) > 0 {
			t.Fatalf("the right batch fails the checks: %v", faults)
		}
		breakIt(b)
		if faults := mapFaults(c, m.Names(rows), b); len(faults) == 0 {
			t.Errorf("%s: the checks pass", name)
		}
	}
	// And a case whose rows are mapped by an older release's rules: the names' order changed.
	rows := parseRows(t, c.rows...)
	names := gtd.Mapper{}.Names(rows)
	slices.Reverse(names)
	if len(mapFaults(c, names, gtd.Mapper{}.Map(rows, c.found))) == 0 {
		t.Error("names out of order pass the checks")
	}
}
