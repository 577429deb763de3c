package stix

import (
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

// The table of kinds reads back: an entity's object (and identity class) is read as its kind.
func TestKindsReadBothWays(t *testing.T) {
	for _, e := range []incidentgraph.Entity{
		{Kind: incidentgraph.KindOrganization, OrgType: "MILITANT_GROUP"},
		{Kind: incidentgraph.KindOrganization, OrgType: "GOVERNMENT"},
		{Kind: incidentgraph.KindOrganization, OrgType: "MILITARY_COALITION"},
		{Kind: incidentgraph.KindOrganization, OrgType: "MEDIA"},
		{Kind: incidentgraph.KindPerson},
		{Kind: incidentgraph.KindGroup},
		{Kind: incidentgraph.KindPlace},
		{Kind: incidentgraph.KindIncident},
		{Kind: incidentgraph.KindEvent, EventType: "CAMPAIGN"},
		{Kind: incidentgraph.KindSource},
	} {
		kind, subtype, ok := kindOf(ObjectType(&e), identityClass(&e))
		if kind == incidentgraph.KindOrganization && subtype == "" {
			subtype = orgTypeOf(sectors(&e))
		}
		want := e.OrgType + e.EventType
		if e.OrgType == "MEDIA" {
			want = "OTHER" // no sector says media: the type STIX cannot carry reads back as OTHER
		}
		if e.OrgType == "MILITARY_COALITION" || e.OrgType == "GOVERNMENT" {
			want = e.OrgType // the first type of its sector
		}
		if ObjectType(&e) == TypeLocation && kind == incidentgraph.KindCountry {
			kind = e.Kind // a location is a country or a place by what it says (foreignLocation)
		}
		if !ok || kind != e.Kind || subtype != want {
			t.Errorf("%s %s%s reads back as %s %s (%v)", e.Kind, e.OrgType, e.EventType, kind, subtype, ok)
		}
	}
	// What the table reads only one way: an event that is not a campaign is an incident, a
	// country a location (told from a place by what it says), other platforms' types.
	for _, c := range []struct {
		typ, class string
		want       incidentgraph.Kind
		ok         bool
	}{
		{"intrusion-set", "", incidentgraph.KindOrganization, true},
		{"grouping", "", incidentgraph.KindSource, true},
		{"identity", "system", incidentgraph.KindOrganization, true},
		{"indicator", "", "", false}, // control: a type the graph does not hold
		{"malware", "", "", false},
	} {
		if kind, _, ok := kindOf(c.typ, c.class); kind != c.want || ok != c.ok {
			t.Errorf("%s %s: %s %v, want %s %v", c.typ, c.class, kind, ok, c.want, c.ok)
		}
	}
}

// relationshipTypes reads back: a STIX type written between two objects reads as one of our
// types that the table maps to it, whenever the vocabulary allows one between the two kinds.
func TestRelationshipTypesReadBothWays(t *testing.T) {
	samples := map[incidentgraph.Kind][]incidentgraph.Entity{}
	for _, k := range incidentgraph.Kinds {
		samples[k] = []incidentgraph.Entity{{Kind: k}, {Kind: k, OrgType: "MILITANT_GROUP"}, {Kind: k, EventType: "CAMPAIGN"}}
	}
	checked := 0
	for _, v := range incidentgraph.Vocabulary {
		for _, from := range v.From {
			for _, to := range v.To {
				for _, fe := range samples[from] {
					for _, te := range samples[to] {
						rt := RelationshipType(v.Type, ObjectType(&fe), ObjectType(&te))
						got, exact := OurType(rt, from, to)
						if !exact || (relationshipTypes[got] != rt && got != "RELATED_TO") {
							t.Errorf("%s %s→%s is written %s and reads back as %s (exact %v)", v.Type, from, to, rt, got, exact)
						}
						checked++
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("nothing checked")
	}
	for _, c := range []struct {
		rt       string
		from, to incidentgraph.Kind
		want     incidentgraph.RelType
		exact    bool
	}{
		{"located-at", incidentgraph.KindOrganization, incidentgraph.KindPlace, "LOCATED_IN", true},
		{"located-at", incidentgraph.KindCountry, incidentgraph.KindPlace, "OPERATES_IN", true},
		{"targets", incidentgraph.KindOrganization, incidentgraph.KindPlace, "TARGETED", true},
		{"attributed-to", incidentgraph.KindIncident, incidentgraph.KindOrganization, "ATTRIBUTED_TO", true},
		{"originates-from", incidentgraph.KindOrganization, incidentgraph.KindCountry, "ORIGINATED_FROM", true},
		{"duplicate-of", incidentgraph.KindIncident, incidentgraph.KindIncident, "DUPLICATE_OF", true},
		{"related-to", incidentgraph.KindOrganization, incidentgraph.KindOrganization, "RELATED_TO", true},
		// Controls: a type with no counterpart, and one whose counterpart cannot link the kinds.
		{"uses", incidentgraph.KindOrganization, incidentgraph.KindOrganization, "RELATED_TO", false},
		{"attributed-to", incidentgraph.KindOrganization, incidentgraph.KindOrganization, "RELATED_TO", false},
		{"located-at", incidentgraph.KindIncident, incidentgraph.KindPlace, "RELATED_TO", false},
	} {
		if got, exact := OurType(c.rt, c.from, c.to); got != c.want || exact != c.exact {
			t.Errorf("%s %s→%s: %s %v, want %s %v", c.rt, c.from, c.to, got, exact, c.want, c.exact)
		}
	}
}
