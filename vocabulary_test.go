package incidentgraph_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

// familyProblems lists what is wrong with the families of relationship types: a member that is
// not in the vocabulary or is named twice, an affiliation that is not organisational or cannot
// link one group to another, a perpetrator type that is organisational.
func familyProblems(affiliation, organizational, perpetrator []incidentgraph.RelType) []string {
	var out []string
	for name, fam := range map[string][]incidentgraph.RelType{"affiliation": affiliation, "organizational": organizational, "perpetrator": perpetrator} {
		for i, t := range fam {
			if _, ok := incidentgraph.LookupRelType(t); !ok {
				out = append(out, fmt.Sprintf("%s: %s is not in the vocabulary", name, t))
			}
			if slices.Contains(fam[:i], t) {
				out = append(out, fmt.Sprintf("%s: %s named twice", name, t))
			}
		}
	}
	for _, t := range affiliation {
		if !slices.Contains(organizational, t) {
			out = append(out, fmt.Sprintf("affiliation: %s is not organisational", t))
		}
		if info, _ := incidentgraph.LookupRelType(t); !info.Allows(incidentgraph.KindOrganization, incidentgraph.KindOrganization) {
			out = append(out, fmt.Sprintf("affiliation: %s cannot link one group to another", t))
		}
	}
	for _, t := range perpetrator {
		if slices.Contains(organizational, t) {
			out = append(out, fmt.Sprintf("perpetrator: %s is organisational", t))
		}
	}
	return out
}

// TestRelTypeFamilies: each family of relationship types is made of vocabulary types, once
// each; affiliations are organisational links between groups; perpetrator links are not
// organisational. Controls: families broken in each of those ways are caught by the same check.
func TestRelTypeFamilies(t *testing.T) {
	if p := familyProblems(incidentgraph.AffiliationTypes, incidentgraph.OrganizationalTypes, incidentgraph.PerpetratorTypes); len(p) > 0 {
		t.Errorf("the families: %v", p)
	}
	for _, tc := range []struct {
		name           string
		aff, org, perp []incidentgraph.RelType
	}{
		{"a type outside the vocabulary", []incidentgraph.RelType{"AFFILIATE_OF", "FRANCHISE_OF"}, incidentgraph.OrganizationalTypes, incidentgraph.PerpetratorTypes},
		{"a type named twice", incidentgraph.AffiliationTypes, append(slices.Clone(incidentgraph.OrganizationalTypes), "ENEMY_OF"), incidentgraph.PerpetratorTypes},
		{"an affiliation that is not organisational", []incidentgraph.RelType{"AFFILIATE_OF", "MEMBER_OF"}, incidentgraph.OrganizationalTypes, incidentgraph.PerpetratorTypes},
		{"an affiliation between other kinds", []incidentgraph.RelType{"AFFILIATE_OF", "LOCATED_IN"}, append(slices.Clone(incidentgraph.OrganizationalTypes), "LOCATED_IN"), incidentgraph.PerpetratorTypes},
		{"an organisational perpetrator", incidentgraph.AffiliationTypes, incidentgraph.OrganizationalTypes, []incidentgraph.RelType{"ATTRIBUTED_TO", "ALLIED_WITH"}},
	} {
		if p := familyProblems(tc.aff, tc.org, tc.perp); len(p) == 0 {
			t.Errorf("negative control %q: not caught", tc.name)
		}
	}
}
