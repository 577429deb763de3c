package seed

import (
	"strings"

	"github.com/incidentgraph/incidentgraph"
)

// hint returns " (did you mean X?)" for the candidate closest to s, or "" when none is close.
func hint(s string, candidates []string) string { return incidentgraph.DidYouMean(s, candidates) }

// closest is incidentgraph.Closest.
func closest(s string, candidates []string) string { return incidentgraph.Closest(s, candidates) }

// orList writes kinds as "A, B or C".
func orList(kinds []incidentgraph.Kind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	if len(s) == len(incidentgraph.Kinds) {
		return "any kind"
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
