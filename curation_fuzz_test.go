package incidentgraph_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	ig "github.com/incidentgraph/incidentgraph"
)

// valid makes s what the API can receive: GraphQL strings arrive through a JSON decoder, which
// replaces invalid UTF-8 with U+FFFD, so a validator never sees broken encoding from a client.
func valid(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// checkProblems fails on a problem that does not name a field under the input path or says
// nothing: whatever a client sends, the answer points at what to fix.
func checkProblems(t *testing.T, ps []ig.Problem) {
	t.Helper()
	for _, p := range ps {
		if !strings.HasPrefix(p.Field, "input") || p.Message == "" || !utf8.ValidString(p.Message) {
			t.Fatalf("problem %+v", p)
		}
	}
}

// FuzzValidateEntity: the validator of createEntity, updateEntity and addSource answers any
// entity a client can send (never panics), with problems at input paths; a valid one passes.
func FuzzValidateEntity(f *testing.F) {
	f.Add("islamic-state-khorasan-province", "ORGANIZATION", "Islamic State Khorasan Province", "ISKP", "MILITANT_GROUP", "2015-01", "", "", "", "")
	f.Add("kabul-airport-bombing-2021", "INCIDENT", "Kabul airport bombing", "", "", "", "", "2021-08-26", "AF", "SUCCESSFUL")
	f.Add("Bad--Id", "NOPE", "", "\x00", "", "2016-13", "1999", "x", "ZZZ", "MAYBE")
	f.Add("a", "PERSON", " ", "a", "", "", "", "", "ru", "")
	f.Fuzz(func(t *testing.T, id, kind, name, alias, orgType, founded, dissolved, date, country, outcome string) {
		id, kind, name, alias, orgType, founded, dissolved, date, country, outcome = valid(id), valid(kind), valid(name),
			valid(alias), valid(orgType), valid(founded), valid(dissolved), valid(date), valid(country), valid(outcome)
		e := &ig.Entity{ID: id, Kind: ig.Kind(kind), Name: name, Aliases: []string{alias}, OrgType: orgType,
			Founded: ig.PartialDate(founded), Dissolved: ig.PartialDate(dissolved), Date: ig.PartialDate(date),
			CountryCode: country, Nationality: country, ISO2: country, Outcome: outcome}
		checkProblems(t, ig.ValidateEntity(e, "input"))
	})
}

// FuzzValidateFigure: the validator of addFigureReport, likewise.
func FuzzValidateFigure(f *testing.F) {
	f.Add("moscow-concert-hall-attack-2024", "KILLED", 145, "EXACT", "2024-03-26", "REPORTED", 90, "russia", "ap")
	f.Add("", "EATEN", -1, "ROUGHLY", "2024-02-30", "", 200, "", "")
	f.Fuzz(func(t *testing.T, subject, metric string, value int, qualifier, asOf, status string, confidence int, by, source string) {
		subject, metric, qualifier, asOf, status, by, source = valid(subject), valid(metric), valid(qualifier), valid(asOf),
			valid(status), valid(by), valid(source)
		fig := &ig.Figure{SubjectID: subject, Metric: metric, Value: value, Qualifier: qualifier, AsOf: ig.PartialDate(asOf),
			Status: ig.Status(status), Confidence: confidence, AssertedByID: by, SourceIDs: []string{source}}
		checkProblems(t, ig.ValidateFigure(fig, "input"))
	})
}

// TestFuzzOraclesRefuse is the fuzz targets' control: inputs that are wrong in known ways get
// problems (so a validator that answered nothing would be caught), and a valid one gets none.
func TestFuzzOraclesRefuse(t *testing.T) {
	if ps := ig.ValidateEntity(&ig.Entity{ID: "Bad--Id", Kind: "NOPE"}, "input"); len(ps) == 0 {
		t.Error("an entity with a bad id and kind passed")
	}
	if ps := ig.ValidateFigure(&ig.Figure{Metric: "EATEN", Value: -1}, "input"); len(ps) == 0 {
		t.Error("a figure with a bad metric and value passed")
	}
	fig := &ig.Figure{ID: "*", SubjectID: "moscow-concert-hall-attack-2024", Metric: "KILLED", Value: 145, AsOf: "2024-03-26",
		Status: "REPORTED", Confidence: 90, AssertedByID: "russia", SourceIDs: []string{"ap"}}
	if ps := ig.ValidateFigure(fig, "input"); len(ps) != 1 || ps[0].Field != "input.id" {
		t.Errorf("a figure with the id %q: %v, want one problem at input.id", fig.ID, ps)
	}
	fig.ID = ig.DefaultFigureID(fig)
	if ps := ig.ValidateFigure(fig, "input"); len(ps) != 0 {
		t.Errorf("a figure with its default id %q has problems: %v", fig.ID, ps)
	}
	ok := &ig.Entity{ID: "test-front", Kind: ig.KindOrganization, Name: "Test Front", OrgType: "MILITANT_GROUP"}
	if ps := ig.ValidateEntity(ok, "input"); len(ps) != 0 {
		t.Errorf("a valid entity has problems: %v", ps)
	}
}
