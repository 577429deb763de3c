package neo4j

import (
	"slices"
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

// Every property a relationship may be written with is named in the creating statement:
// a relationship with every field set, bounded by dated ends and a dated source, as the
// writer builds it. Negative control: a property relProps does not give is caught.
func TestRelKeysNameEveryProperty(t *testing.T) {
	r := &incidentgraph.Relationship{ID: "x", Type: "AFFILIATE_OF", FromID: "a", ToID: "b", Status: "REPORTED", Confidence: 50,
		AssertedByID: "p", SourceIDs: []string{"s"}, Quote: "q", Basis: "b", ValidFrom: "2001", ValidTo: "2002", AssertedOn: "2003", Note: "n"}
	tv := &timeView{published: map[string]incidentgraph.PartialDate{"s": "2004"},
		founded: map[string]incidentgraph.PartialDate{"a": "2000"}, dissolved: map[string]incidentgraph.PartialDate{"b": "2010"}}
	p := relProps(r)
	tv.relationship(r, p)
	p["origin"] = "stix"
	for _, k := range []string{"quote", "basis", "validFrom", "validTo", "assertedOn", "note", "knownFrom", "validFromStart", "validToEnd"} {
		if _, ok := p[k]; !ok {
			t.Fatalf("the relationship does not set %s: the check would not see it", k)
		}
	}
	if missing := missingRelKeys(p); len(missing) > 0 {
		t.Errorf("relKeys lacks %v", missing)
	}
	p["addedLater"] = true
	if missing := missingRelKeys(p); !slices.Equal(missing, []string{"addedLater"}) {
		t.Errorf("negative control: a property not in relKeys gives %v", missing)
	}
}
