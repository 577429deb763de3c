package incidentgraph_test

import (
	"strings"
	"testing"

	ig "github.com/incidentgraph/incidentgraph"
)

func validRel() *ig.Relationship {
	return &ig.Relationship{FromID: "islamic-state-khorasan-province", ToID: "islamic-state", Type: "AFFILIATE_OF",
		Status: "REPORTED", Confidence: 90, AssertedByID: "associated-press", SourceIDs: []string{"ap"}}
}

func TestCurationValidatorsUseTheSeedMessagesAtInputPaths(t *testing.T) {
	kinds := map[string]ig.Kind{"islamic-state-khorasan-province": ig.KindOrganization, "islamic-state": ig.KindOrganization,
		"associated-press": ig.KindOrganization, "ap": ig.KindSource, "moscow": ig.KindIncident}
	if ps := append(ig.ValidateRelationship(validRel(), "input"), ig.CheckReferences(validRel(), kinds, "input")...); len(ps) != 0 {
		t.Fatalf("a valid relationship has problems: %v", ps)
	}
	cases := []struct {
		mod          func(*ig.Relationship)
		field, start string
	}{
		{func(r *ig.Relationship) { r.Confidence = -1 }, "input.confidence", "confidence -1 is out of range 0–100"},
		{func(r *ig.Relationship) { r.SourceIDs = nil }, "input.sources", "missing required key sources"},
		{func(r *ig.Relationship) { r.SourceIDs = []string{"ap", "ap"} }, "input.sources[1]", "sources: ap listed twice"},
		{func(r *ig.Relationship) { r.ValidFrom, r.ValidTo = "2020", "2019" }, "input.validTo", "validTo 2019 is before validFrom 2020"},
		{func(r *ig.Relationship) { r.ID = "Not An Id" }, "input.id", `id "Not An Id" is not a valid relationship id`},
		{func(r *ig.Relationship) { r.ToID = "moscow" }, "input.to", "AFFILIATE_OF cannot point to moscow (INCIDENT): it points to ORGANIZATION"},
		{func(r *ig.Relationship) { r.AssertedByID = "ap" }, "input.assertedBy", "assertedBy: ap is a SOURCE; the asserting party is"},
		{func(r *ig.Relationship) { r.FromID = "nobody" }, "input.from", "from: no entity with id nobody"},
	}
	for _, c := range cases {
		r := validRel()
		c.mod(r)
		ps := append(ig.ValidateRelationship(r, "input"), ig.CheckReferences(r, kinds, "input")...)
		found := false
		for _, p := range ps {
			found = found || (p.Field == c.field && strings.HasPrefix(p.Message, c.start))
		}
		if !found {
			t.Errorf("%s: problems %v, want %s starting %q", c.field, ps, c.field, c.start)
		}
	}
	e := &ig.Entity{ID: "x", Kind: ig.KindIncident, Name: "X", Date: "2024-03", EndDate: "2024-02", Outcome: "WON", AttackTypes: []int{10}}
	got := map[string]string{}
	for _, p := range ig.ValidateEntity(e, "input") {
		got[p.Field] = p.Message
	}
	want := map[string]string{"input.endDate": "endDate 2024-02 is before date 2024-03", "input.outcome": "unknown outcome WON (one of SUCCESSFUL, FAILED, FOILED)",
		"input.attackTypes[0]": "attackTypes: code 10 is out of range 1–9"}
	for f, m := range want {
		if got[f] != m {
			t.Errorf("%s: %q, want %q (all: %v)", f, got[f], m, got)
		}
	}
}

// FuzzValidateRelationship: whatever a client sends, the validators answer (never panic), and
// every problem names a field under the input path.
func FuzzValidateRelationship(f *testing.F) {
	f.Add("islamic-state-khorasan-province", "AFFILIATE_OF", "islamic-state", "REPORTED", 90, "ap", "", "2015", "2016")
	f.Add("", "", "", "", -5, "", "Bad--", "2016-13", "x")
	f.Add("a", "RELATED_TO", "a", "RETRACTED", 101, "a", "a--b", "", "")
	f.Fuzz(func(t *testing.T, from, typ, to, status string, confidence int, source, id, validFrom, validTo string) {
		r := &ig.Relationship{ID: id, FromID: from, ToID: to, Type: ig.RelType(typ), Status: ig.Status(status), Confidence: confidence,
			AssertedByID: source, SourceIDs: []string{source}, ValidFrom: ig.PartialDate(validFrom), ValidTo: ig.PartialDate(validTo)}
		kinds := map[string]ig.Kind{from: ig.KindOrganization, source: ig.KindSource}
		for _, p := range append(ig.ValidateRelationship(r, "input"), ig.CheckReferences(r, kinds, "input")...) {
			if !strings.HasPrefix(p.Field, "input.") || p.Message == "" {
				t.Fatalf("problem %+v", p)
			}
		}
	})
}
