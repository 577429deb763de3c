package neo4j

import "github.com/incidentgraph/incidentgraph"

// RuleFragmentsForTest are the rules of rules.go for the relationship variable v, by name, and
// their parameters as a filter of f's passes them (filterParams).
func RuleFragmentsForTest(v string, f incidentgraph.RelationshipFilter) (map[string]string, map[string]any) {
	return map[string]string{"standing": standing(v), "notRetracted": notRetracted(v), "knownBy": knownBy(v),
		"inTimeView": inTimeView(v), "figureInTimeView": figureInTimeView(v), "counts": counts(v),
		"relCondition": relCondition(v)}, filterParams(f)
}
