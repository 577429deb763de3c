package neo4j

import (
	"fmt"

	"github.com/incidentgraph/incidentgraph"
)

// The rules an assertion (a relationship) must meet to count in an answer, each written once,
// as a Cypher condition on a relationship variable v. Queries compose them and never write a
// rule out themselves (TestRulesHaveOneHome checks that). Their parameters come from
// filterParams, or timeViewParams with $includeRetracted for reads without a filter; only
// variable names are spliced, never a value.
//
//	standing(v)       the asserting party neither denied nor retracted it (its status)
//	notRetracted(v)   no curator retracted it, unless $includeRetracted
//	knownBy(v)        made by $knownAt, on a source published by then (relationships, figures)
//	inTimeView(v)     knownBy AND possibly holding within [$validAtStart, $validAtEnd]
//	figureInTimeView  knownBy AND reported as of a day by the end of $validAtEnd (figures)
//	counts(v)         standing AND notRetracted AND inTimeView: what a derived answer (a
//	                  perpetrator, an affiliation) counts
//	relCondition(v)   a RelationshipFilter: its types, confidence, statuses and party, AND
//	                  notRetracted AND inTimeView (not standing: a denial is an answer when
//	                  the filter's statuses let it through)

// standing holds when v's asserting party has not denied or retracted it: the party's own word
// that the link does not hold. A curator's retraction is another rule (notRetracted).
func standing(v string) string {
	return fmt.Sprintf(`NOT %s.status IN ['DENIED', 'RETRACTED']`, v)
}

// notRetracted holds unless a curator retracted v, or always when $includeRetracted is true
// (reads whose API has no such argument pass false). Written as an OR with the parameter, and
// not as a bare `v.retractedAt IS NULL`: the bare form lowered the planner's estimate of the
// links that pass, and on some runs that tilted it from seeking the perpetrators' and
// candidates' ids to walking the whole id index (see TestHotQueriesUseIndexesAtScale), while
// this form is already in every plan that test checks.
func notRetracted(v string) string {
	return fmt.Sprintf(`($includeRetracted OR %s.retractedAt IS NULL)`, v)
}

// knownBy holds when v, a relationship or a figure, could be known on $knownAt: made by then, on
// a source published by then (the knownFrom that timeView derives at load). Null: every day.
func knownBy(v string) string {
	return fmt.Sprintf(`($knownAt IS NULL OR coalesce(%s.knownFrom, '') <= $knownAt)`, v)
}

// inTimeView holds when relationship v is knownBy $knownAt and may have held at some time
// within [$validAtStart, $validAtEnd] (its widest span, validFromStart–validToEnd, overlaps
// it). A null parameter does not filter.
func inTimeView(v string) string {
	return knownBy(v) + fmt.Sprintf(`
	AND ($validAtEnd IS NULL OR (coalesce(%[1]s.validFromStart, '') <= $validAtEnd
	                             AND coalesce(%[1]s.validToEnd, '9999') >= $validAtStart))`, v)
}

// figureInTimeView holds when figure v is knownBy $knownAt and was reported as of a day no later
// than the end of $validAtEnd (a figure holds from its date on).
func figureInTimeView(v string) string {
	return knownBy(v) + fmt.Sprintf(`
	AND ($validAtEnd IS NULL OR coalesce(%s.asOfStart, '') <= $validAtEnd)`, v)
}

// counts is what a link must meet for a derived answer to count it (a perpetrator of an
// incident, an affiliation in a network): standing, not retracted by a curator, in the time
// view. Denials and retractions never count, whatever a filter's statuses say.
func counts(v string) string {
	return standing(v) + `
	AND ` + notRetracted(v) + `
	AND ` + inTimeView(v)
}

// relCondition is what a relationship v must meet to pass a RelationshipFilter (filterParams):
// one of $types, at least $minConfidence, one of $statuses when some are named, asserted by
// $assertedBy when named, not retracted by a curator and in the time view.
func relCondition(v string) string {
	return fmt.Sprintf(`type(%[1]s) IN $types
	AND %[1]s.confidence >= $minConfidence
	AND (size($statuses) = 0 OR %[1]s.status IN $statuses)
	AND ($assertedBy IS NULL OR %[1]s.assertedBy = $assertedBy)
	AND `, v) + notRetracted(v) + `
	AND ` + inTimeView(v)
}

// relPredicate is relCondition of a relationship `r`, the variable most queries name. Only
// allow-listed types are ever followed, so a link that is not an assertion can never leak into
// an answer.
var relPredicate = relCondition("r")

// timeViewParams are the parameters of inTimeView (the names filterParams gives them too).
func timeViewParams(tv incidentgraph.TimeView) map[string]any {
	return map[string]any{"knownAt": nilIfEmpty(tv.KnownAt.End()),
		"validAtStart": nilIfEmpty(tv.ValidAt.Start()), "validAtEnd": nilIfEmpty(tv.ValidAt.End())}
}
