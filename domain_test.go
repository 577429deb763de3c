package incidentgraph_test

import (
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

func TestPartialDates(t *testing.T) {
	for _, tc := range []struct{ in, start, end string }{
		{"2024-03-22", "2024-03-22", "2024-03-22"},
		{"2024-03", "2024-03-01", "2024-03-31"},
		{"2024-02", "2024-02-01", "2024-02-29"},
		{"2023-02", "2023-02-01", "2023-02-28"},
		{"2021", "2021-01-01", "2021-12-31"},
	} {
		d, err := incidentgraph.ParsePartialDate(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if d.Start() != tc.start || d.End() != tc.end {
			t.Errorf("%s spans %s … %s, want %s … %s", tc.in, d.Start(), d.End(), tc.start, tc.end)
		}
	}
	for _, bad := range []string{"", "24", "2024-3", "2024-13", "2024-02-30", "2024/03/22", "22 March 2024", "2024-03-22T00:00"} {
		if _, err := incidentgraph.ParsePartialDate(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestConfidenceLevels(t *testing.T) {
	for c, want := range map[int]string{0: "NONE", 1: "LOW", 29: "LOW", 30: "MEDIUM", 69: "MEDIUM", 70: "HIGH", 100: "HIGH"} {
		if got := incidentgraph.ConfidenceLevel(c); got != want {
			t.Errorf("ConfidenceLevel(%d) = %s, want %s", c, got, want)
		}
	}
}

func TestIDs(t *testing.T) {
	for id, ok := range map[string]bool{
		"islamic-state": true, "kabul-airport-bombing-2021": true, "a": true,
		"Islamic-State": false, "islamic_state": false, "-x": false, "x-": false, "a--b": false, "": false,
	} {
		if incidentgraph.ValidID(id) != ok {
			t.Errorf("ValidID(%q) = %v", id, !ok)
		}
	}
	if got := incidentgraph.DefaultRelationshipID("moscow", "ATTRIBUTED_TO", "isk", "us"); got != "moscow--attributed-to--isk--us" {
		t.Errorf("DefaultRelationshipID = %s", got)
	}
	if got := incidentgraph.Slug("U.S. service members"); got != "u-s-service-members" {
		t.Errorf("Slug = %s", got)
	}
}

func TestVocabularyIsConsistent(t *testing.T) {
	seen := map[incidentgraph.RelType]bool{}
	for _, v := range incidentgraph.Vocabulary {
		if seen[v.Type] {
			t.Errorf("%s listed twice", v.Type)
		}
		seen[v.Type] = true
		if v.Description == "" || len(v.From) == 0 || len(v.To) == 0 {
			t.Errorf("%s: incomplete entry %+v", v.Type, v)
		}
		for _, k := range append(append([]incidentgraph.Kind{}, v.From...), v.To...) {
			if !k.Valid() {
				t.Errorf("%s: unknown kind %s", v.Type, k)
			}
		}
	}
	at, _ := incidentgraph.LookupRelType("ATTRIBUTED_TO")
	if !at.Allows(incidentgraph.KindIncident, incidentgraph.KindOrganization) || at.Allows(incidentgraph.KindOrganization, incidentgraph.KindIncident) {
		t.Error("ATTRIBUTED_TO must point from an incident to an actor, not back")
	}
	if _, ok := incidentgraph.LookupRelType("DROP"); ok {
		t.Error("unknown type found")
	}
}

func TestLineStyles(t *testing.T) {
	for _, tc := range []struct {
		status incidentgraph.Status
		conf   int
		want   string
	}{
		{"CONFIRMED", 40, "SOLID"},
		{"REPORTED", 90, "SOLID"},
		{"SUSPECTED", 65, "DASHED"},
		{"CLAIMED", 30, "DASHED"},
		{"REPORTED", 29, "DOTTED"},
		{"ALLEGED", 95, "DOTTED"},
		{"DENIED", 75, "DOTTED"},
		{"RETRACTED", 100, "DOTTED"},
	} {
		if got := incidentgraph.LineStyle(tc.status, tc.conf); got != tc.want {
			t.Errorf("LineStyle(%s, %d) = %s, want %s", tc.status, tc.conf, got, tc.want)
		}
	}
}

func TestKnownFrom(t *testing.T) {
	pd := func(s ...string) []incidentgraph.PartialDate {
		out := make([]incidentgraph.PartialDate, len(s))
		for i, x := range s {
			out[i] = incidentgraph.PartialDate(x)
		}
		return out
	}
	for _, tc := range []struct {
		on      incidentgraph.PartialDate
		sources []incidentgraph.PartialDate
		want    string
	}{
		{"2024-03-23", pd("2024-03-23"), "2024-03-23"},
		{"2024-03", pd("2024-03-23"), "2024-03-31"},                  // the whole month may pass first
		{"2021-08-26", pd("2025-06-01"), "2025-06-01"},               // no source yet
		{"2021-08-26", pd("2025-06-01", "2021-08-27"), "2021-08-27"}, // the earliest source counts
		{"", pd("2021"), "2021-12-31"},
		{"", nil, ""},
	} {
		if got := incidentgraph.KnownFrom(tc.on, tc.sources); got != tc.want {
			t.Errorf("KnownFrom(%q, %v) = %q, want %q", tc.on, tc.sources, got, tc.want)
		}
	}
}
