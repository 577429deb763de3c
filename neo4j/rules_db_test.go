package neo4j_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// ruleCase is one assertion (the properties the loader and curation give a relationship), the
// filter it is read with, and the rules it fails; it passes every other.
type ruleCase struct {
	name   string
	props  map[string]any
	filter incidentgraph.RelationshipFilter
	fails  []string
}

var ruleCases = []ruleCase{
	{"a plain report", nil, incidentgraph.RelationshipFilter{}, nil},
	{"denied by its party", map[string]any{"status": "DENIED"}, incidentgraph.RelationshipFilter{}, []string{"standing", "counts"}},
	{"retracted by its party", map[string]any{"status": "RETRACTED"}, incidentgraph.RelationshipFilter{}, []string{"standing", "counts"}},
	{"disputed", map[string]any{"status": "DISPUTED"}, incidentgraph.RelationshipFilter{}, nil},
	{"retracted by a curator", map[string]any{"retractedAt": "2025-01-01T00:00:00Z"}, incidentgraph.RelationshipFilter{},
		[]string{"notRetracted", "counts", "relCondition"}},
	{"retracted by a curator, retractions asked for", map[string]any{"retractedAt": "2025-01-01T00:00:00Z"},
		incidentgraph.RelationshipFilter{IncludeRetracted: true}, nil},
	{"made the day after knownAt", map[string]any{"knownFrom": "2024-03-24"}, incidentgraph.RelationshipFilter{KnownAt: "2024-03-23"},
		[]string{"knownBy", "inTimeView", "figureInTimeView", "counts", "relCondition"}},
	{"made on knownAt", map[string]any{"knownFrom": "2024-03-23"}, incidentgraph.RelationshipFilter{KnownAt: "2024-03-23"}, nil},
	{"made in the month knownAt ends", map[string]any{"knownFrom": "2024-03-31"}, incidentgraph.RelationshipFilter{KnownAt: "2024-03"}, nil},
	{"never dated", nil, incidentgraph.RelationshipFilter{KnownAt: "2024-03-23", ValidAt: "2014"}, nil},
	{"began after validAt", map[string]any{"validFromStart": "2015-01-01"}, incidentgraph.RelationshipFilter{ValidAt: "2014"},
		[]string{"inTimeView", "counts", "relCondition"}},
	{"began within validAt", map[string]any{"validFromStart": "2014-12-31"}, incidentgraph.RelationshipFilter{ValidAt: "2014"}, nil},
	{"ended before validAt", map[string]any{"validToEnd": "2013-12-31"}, incidentgraph.RelationshipFilter{ValidAt: "2014"},
		[]string{"inTimeView", "counts", "relCondition"}},
	{"ended within validAt", map[string]any{"validToEnd": "2014-01-01"}, incidentgraph.RelationshipFilter{ValidAt: "2014"}, nil},
	{"a figure as of after validAt", map[string]any{"asOfStart": "2015-01-01"}, incidentgraph.RelationshipFilter{ValidAt: "2014"},
		[]string{"figureInTimeView"}},
	{"a figure as of the last day of validAt", map[string]any{"asOfStart": "2014-12-31"}, incidentgraph.RelationshipFilter{ValidAt: "2014"}, nil},
	{"below the filter's confidence", nil, incidentgraph.RelationshipFilter{MinConfidence: 81}, []string{"relCondition"}},
	{"at the filter's confidence", nil, incidentgraph.RelationshipFilter{MinConfidence: 80}, nil},
	{"a status the filter does not name", nil, incidentgraph.RelationshipFilter{Statuses: []incidentgraph.Status{"CONFIRMED"}}, []string{"relCondition"}},
	{"a denial the filter names", map[string]any{"status": "DENIED"}, incidentgraph.RelationshipFilter{Statuses: []incidentgraph.Status{"DENIED"}},
		[]string{"standing", "counts"}},
	{"another party's", nil, incidentgraph.RelationshipFilter{AssertedBy: "someone-else"}, []string{"relCondition"}},
	{"a type the filter does not name", nil, incidentgraph.RelationshipFilter{Types: []incidentgraph.RelType{"ALLIED_WITH"}}, []string{"relCondition"}},
}

// brokenRules are plausible mistakes in the rules, each with the rule it breaks: the negative
// controls of TestRuleFragmentsOnAssertions, run through the same harness.
var brokenRules = map[string]struct{ rule, cond string }{
	"only denials stand down":          {"standing", `NOT r.status IN ['DENIED']`},
	"a bare retraction test":           {"notRetracted", `r.retractedAt IS NULL`},
	"known strictly before":            {"knownBy", `($knownAt IS NULL OR coalesce(r.knownFrom, '') < $knownAt)`},
	"validAt without the end of links": {"inTimeView", `($validAtEnd IS NULL OR coalesce(r.validFromStart, '') <= $validAtEnd)`},
	"counts without standing":          {"counts", `($includeRetracted OR r.retractedAt IS NULL)`},
	"a filter that ignores the party":  {"relCondition", `type(r) IN $types AND r.confidence >= $minConfidence AND (size($statuses) = 0 OR r.status IN $statuses)`},
}

// evalRules creates each case's assertion in a transaction that is rolled back, and returns, per
// case, the names of the conditions it fails.
func evalRules(t *testing.T, conds map[string]string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	s := testdb.Driver(t).NewSession(ctx, driver.SessionConfig{AccessMode: driver.AccessModeWrite, DatabaseName: testdb.Config(t).Database})
	defer s.Close(ctx)
	tx, err := s.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	names := slices.Sorted(maps.Keys(conds))
	var ret []string
	for _, n := range names {
		ret = append(ret, "("+conds[n]+") AS `"+n+"`")
	}
	out := map[string][]string{}
	for _, c := range ruleCases {
		_, params := neo4j.RuleFragmentsForTest("r", c.filter)
		props := map[string]any{"status": "REPORTED", "confidence": 80, "assertedBy": "the-party"}
		maps.Copy(props, c.props)
		params["props"] = props
		res, err := tx.Run(ctx, "CREATE (:RuleCase)-[r:RELATED_TO]->(:RuleCase) SET r = $props WITH r RETURN "+strings.Join(ret, ", "), params)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		rec, err := res.Single(ctx)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		fails := []string{}
		for i, n := range names {
			if rec.Values[i] != true {
				fails = append(fails, n)
			}
		}
		out[c.name] = fails
	}
	return out
}

// TestRuleFragmentsOnAssertions: each rule of rules.go, and each composition, passes and fails
// the assertions it documents: denials, retractions by the party and by a curator, the edges of
// knownAt and validAt, the filter's own terms. Controls: plausible mistakes in each rule, run
// through the same harness, fail at least one case.
func TestRuleFragmentsOnAssertions(t *testing.T) {
	testdb.MustOpen(t)
	conds, _ := neo4j.RuleFragmentsForTest("r", incidentgraph.RelationshipFilter{})
	for name, b := range brokenRules {
		conds["broken: "+name] = b.cond
	}
	got := evalRules(t, conds)
	for _, c := range ruleCases {
		var fails []string
		for _, f := range got[c.name] {
			if !strings.HasPrefix(f, "broken: ") {
				fails = append(fails, f)
			}
		}
		want := slices.Sorted(slices.Values(c.fails))
		if want == nil {
			want = []string{}
		}
		if fails == nil {
			fails = []string{}
		}
		if !slices.Equal(fails, want) {
			t.Errorf("%s: fails %v, want %v", c.name, fails, want)
		}
	}
	for name, b := range brokenRules {
		caught := false
		for _, c := range ruleCases {
			if slices.Contains(got[c.name], "broken: "+name) != slices.Contains(c.fails, b.rule) {
				caught = true
			}
		}
		if !caught {
			t.Errorf("negative control %q: the cases do not tell it from %s", name, b.rule)
		}
	}
}
