package incidentgraph_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

func fields(ps []incidentgraph.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, strings.TrimPrefix(p.Field, "input."))
	}
	return out
}

// TestValidateEntityEdges: each rule of ValidateEntity at its edge, the accepted side beside the
// refused one; every case starts from an entity with no problem.
func TestValidateEntityEdges(t *testing.T) {
	org := func(change func(*incidentgraph.Entity)) *incidentgraph.Entity {
		e := &incidentgraph.Entity{ID: "g", Kind: incidentgraph.KindOrganization, Name: "G", OrgType: "MILITANT_GROUP"}
		change(e)
		return e
	}
	country := func(iso string) *incidentgraph.Entity {
		return &incidentgraph.Entity{ID: "c", Kind: incidentgraph.KindCountry, Name: "C", ISO2: iso}
	}
	person := func(nat string) *incidentgraph.Entity {
		return &incidentgraph.Entity{ID: "p", Kind: incidentgraph.KindPerson, Name: "P", Nationality: nat}
	}
	source := func(url string) *incidentgraph.Entity {
		return &incidentgraph.Entity{ID: "s", Kind: incidentgraph.KindSource, Name: "S", Publisher: "AP", Published: "2024-03-23",
			SourceType: "NEWS", URL: url}
	}
	incident := func(codes ...int) *incidentgraph.Entity {
		return &incidentgraph.Entity{ID: "i", Kind: incidentgraph.KindIncident, Name: "I", Date: "2024-03-22", Outcome: "SUCCESSFUL",
			AttackTypes: codes}
	}
	for _, tc := range []struct {
		name string
		e    *incidentgraph.Entity
		want []string
	}{
		{"an organisation", org(func(*incidentgraph.Entity) {}), nil},
		{"dissolved the day it was founded", org(func(e *incidentgraph.Entity) { e.Founded, e.Dissolved = "2014-06-29", "2014-06-29" }), nil},
		{"dissolved the day before", org(func(e *incidentgraph.Entity) { e.Founded, e.Dissolved = "2014-06-29", "2014-06-28" }), []string{"dissolved"}},
		{"founded, not dissolved", org(func(e *incidentgraph.Entity) { e.Founded = "2014-06-29" }), nil},
		{"dissolved, founded unknown", org(func(e *incidentgraph.Entity) { e.Dissolved = "2019-03-23" }), nil},
		{"an id of the longest length", org(func(e *incidentgraph.Entity) { e.ID = strings.Repeat("a", incidentgraph.MaxIDLength) }), nil},
		{"an id one longer", org(func(e *incidentgraph.Entity) { e.ID = strings.Repeat("a", incidentgraph.MaxIDLength+1) }), []string{"id"}},
		{"an unknown kind", org(func(e *incidentgraph.Entity) { e.Kind = "ORGANISATION" }), []string{"kind"}},
		{"a country", country("RU"), nil},
		{"a country without iso2", country(""), []string{"iso2"}},
		{"a country with a lowercase iso2", country("ru"), []string{"iso2"}},
		{"a person of unknown nationality", person(""), nil},
		{"a person", person("AF"), nil},
		{"a bad nationality", person("Afghan"), []string{"nationality"}},
		{"attack codes at the edges", incident(1, incidentgraph.MaxAttackType), nil},
		{"attack code 0", incident(0), []string{"attackTypes[0]"}},
		{"attack code past the last", incident(2, incidentgraph.MaxAttackType+1), []string{"attackTypes[1]"}},
		{"attack code twice", incident(3, 1, 3), []string{"attackTypes[2]"}},
		{"a source with a url", source("https://apnews.com/article/x"), nil},
		{"a url whose scheme is in capitals", source("HTTPS://apnews.com/article/x"), nil},
		{"a url of plain http", source("http://example.org"), nil},
		{"a url without a host", source("https://"), []string{"url"}},
		{"a url without a scheme", source("apnews.com/article/x"), []string{"url"}},
		{"a url of another scheme", source("ftp://example.org/a"), []string{"url"}},
		{"a url that does not parse", source("https://exa mple.org/%zz"), []string{"url"}},
	} {
		if got := fields(incidentgraph.ValidateEntity(tc.e, "input")); !slices.Equal(got, tc.want) {
			t.Errorf("%s: problems in %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, k := range incidentgraph.Kinds {
		if !k.Valid() {
			t.Errorf("kind %s is not valid", k)
		}
	}
}

// TestValidateRelationshipEdges: each rule of ValidateRelationship at its edge.
func TestValidateRelationshipEdges(t *testing.T) {
	rel := func(change func(*incidentgraph.Relationship)) *incidentgraph.Relationship {
		r := &incidentgraph.Relationship{FromID: "isk", ToID: "is", AssertedByID: "ap", Type: "AFFILIATE_OF", Status: "REPORTED",
			Confidence: 50, SourceIDs: []string{"s"}}
		change(r)
		return r
	}
	for _, tc := range []struct {
		name string
		r    *incidentgraph.Relationship
		want []string
	}{
		{"a relationship", rel(func(*incidentgraph.Relationship) {}), nil},
		{"an unknown type", rel(func(r *incidentgraph.Relationship) { r.Type = "FRIEND_OF" }), []string{"type"}},
		{"a loop", rel(func(r *incidentgraph.Relationship) { r.ToID = "isk" }), []string{"to"}},
		{"an unknown status", rel(func(r *incidentgraph.Relationship) { r.Status = "RUMOURED" }), []string{"status"}},
		{"confidence 0", rel(func(r *incidentgraph.Relationship) { r.Confidence = 0 }), nil},
		{"confidence 100", rel(func(r *incidentgraph.Relationship) { r.Confidence = 100 }), nil},
		{"confidence -1", rel(func(r *incidentgraph.Relationship) { r.Confidence = -1 }), []string{"confidence"}},
		{"confidence 101", rel(func(r *incidentgraph.Relationship) { r.Confidence = 101 }), []string{"confidence"}},
		{"valid for one day", rel(func(r *incidentgraph.Relationship) { r.ValidFrom, r.ValidTo = "2021-08-26", "2021-08-26" }), nil},
		{"valid to the day before", rel(func(r *incidentgraph.Relationship) { r.ValidFrom, r.ValidTo = "2021-08-26", "2021-08-25" }), []string{"validTo"}},
		{"valid from, no end", rel(func(r *incidentgraph.Relationship) { r.ValidFrom = "2021-08-26" }), nil},
		{"valid to, no start", rel(func(r *incidentgraph.Relationship) { r.ValidTo = "2021-08-26" }), nil},
		{"an id of the longest length", rel(func(r *incidentgraph.Relationship) { r.ID = strings.Repeat("a", incidentgraph.MaxAssertionIDLength) }), nil},
		{"an id one longer", rel(func(r *incidentgraph.Relationship) { r.ID = strings.Repeat("a", incidentgraph.MaxAssertionIDLength+1) }), []string{"id"}},
	} {
		if got := fields(incidentgraph.ValidateRelationship(tc.r, "input")); !slices.Equal(got, tc.want) {
			t.Errorf("%s: problems in %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, s := range incidentgraph.Statuses {
		if !s.Valid() {
			t.Errorf("status %s is not valid", s)
		}
	}
}

// TestValidateFigureEdges: each rule of ValidateFigure at its edge.
func TestValidateFigureEdges(t *testing.T) {
	fig := func(change func(*incidentgraph.Figure)) *incidentgraph.Figure {
		f := &incidentgraph.Figure{SubjectID: "x", Metric: "KILLED", AsOf: "2024-03-23", Status: "REPORTED", AssertedByID: "ap",
			Value: 133, Confidence: 50, SourceIDs: []string{"s"}}
		change(f)
		return f
	}
	for _, tc := range []struct {
		name string
		f    *incidentgraph.Figure
		want []string
	}{
		{"a figure", fig(func(*incidentgraph.Figure) {}), nil},
		{"an unknown metric", fig(func(f *incidentgraph.Figure) { f.Metric = "INJURED" }), []string{"metric"}},
		{"an unknown status", fig(func(f *incidentgraph.Figure) { f.Status = "OFFICIAL" }), []string{"status"}},
		{"value 0", fig(func(f *incidentgraph.Figure) { f.Value = 0 }), nil},
		{"value -1", fig(func(f *incidentgraph.Figure) { f.Value = -1 }), []string{"value"}},
		{"confidence 0", fig(func(f *incidentgraph.Figure) { f.Confidence = 0 }), nil},
		{"confidence 100", fig(func(f *incidentgraph.Figure) { f.Confidence = 100 }), nil},
		{"confidence -1", fig(func(f *incidentgraph.Figure) { f.Confidence = -1 }), []string{"confidence"}},
		{"confidence 101", fig(func(f *incidentgraph.Figure) { f.Confidence = 101 }), []string{"confidence"}},
		{"an id of the longest length", fig(func(f *incidentgraph.Figure) { f.ID = strings.Repeat("a", incidentgraph.MaxAssertionIDLength) }), nil},
		{"an id one longer", fig(func(f *incidentgraph.Figure) { f.ID = strings.Repeat("a", incidentgraph.MaxAssertionIDLength+1) }), []string{"id"}},
	} {
		if got := fields(incidentgraph.ValidateFigure(tc.f, "input")); !slices.Equal(got, tc.want) {
			t.Errorf("%s: problems in %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestReferencesNameKindsWithTheirArticle: a source that is not a SOURCE is named with "an"
// before a vowel and "a" otherwise.
func TestReferencesNameKindsWithTheirArticle(t *testing.T) {
	r := &incidentgraph.Relationship{FromID: "isk", ToID: "is", AssertedByID: "ap", Type: "AFFILIATE_OF", Status: "REPORTED",
		Confidence: 50, SourceIDs: []string{"is", "moscow"}}
	kinds := map[string]incidentgraph.Kind{"isk": incidentgraph.KindOrganization, "is": incidentgraph.KindOrganization,
		"ap": incidentgraph.KindOrganization, "moscow": incidentgraph.KindPlace}
	var msgs []string
	for _, p := range incidentgraph.CheckReferences(r, kinds, "") {
		msgs = append(msgs, p.Message)
	}
	want := []string{"sources: is is an ORGANIZATION, not a SOURCE", "sources: moscow is a PLACE, not a SOURCE"}
	if !slices.Equal(msgs, want) {
		t.Errorf("problems %q, want %q", msgs, want)
	}
}

// TestSlugAndKnownFrom: Slug keeps a–z and 0–9 (the letters at both ends of the alphabet
// included), lowercases A–Z and never starts or ends with a dash; KnownFrom takes the earliest
// source, and assertedOn when it is later.
func TestSlugAndKnownFrom(t *testing.T) {
	for in, want := range map[string]string{"az09": "az09", "AZ": "az", "-a-": "a", "  U.S. forces  ": "u-s-forces", "@[`{/:": ""} {
		if got := incidentgraph.Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
	for _, tc := range []struct {
		on      incidentgraph.PartialDate
		sources []incidentgraph.PartialDate
		want    string
	}{
		{"", nil, ""},
		{"2024-03-22", nil, "2024-03-22"},
		{"", []incidentgraph.PartialDate{"2024-03-25", "2024-03-23", "", "2024-03-24"}, "2024-03-23"},
		{"2024-03", []incidentgraph.PartialDate{"2024-03-23"}, "2024-03-31"},
		{"2024-03-22", []incidentgraph.PartialDate{"2024-03-23"}, "2024-03-23"},
		{"2024-03-23", []incidentgraph.PartialDate{"2024-03-23"}, "2024-03-23"},
	} {
		if got := incidentgraph.KnownFrom(tc.on, tc.sources); got != tc.want {
			t.Errorf("KnownFrom(%q, %q) = %q, want %q", tc.on, tc.sources, got, tc.want)
		}
	}
}

// TestVocabularyAllowsBothEnds: a type allows a pair only when both ends are of its kinds.
func TestVocabularyAllowsBothEnds(t *testing.T) {
	info, ok := incidentgraph.LookupRelType("AFFILIATE_OF")
	if !ok {
		t.Fatal("AFFILIATE_OF is not in the vocabulary")
	}
	org, place := incidentgraph.KindOrganization, incidentgraph.KindPlace
	if !info.Allows(org, org) || info.Allows(org, place) || info.Allows(place, org) {
		t.Errorf("AFFILIATE_OF allows org→org %v, org→place %v, place→org %v; want true, false, false",
			info.Allows(org, org), info.Allows(org, place), info.Allows(place, org))
	}
}
