package neo4j_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/patterns"
)

// withPatterns returns the seeded test database with the shipped patterns in use.
func withPatterns(t *testing.T) *neo4j.DB {
	t.Helper()
	db := seeded(t)
	ps, err := patterns.Read(patterns.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UsePatterns(context.Background(), ps); err != nil {
		t.Fatalf("shipped patterns refused: %v", err)
	}
	return db
}

func runPattern(t *testing.T, db *neo4j.DB, name string, args map[string]any) *incidentgraph.CypherResult {
	t.Helper()
	res, err := db.RunPattern(context.Background(), name, args, incidentgraph.MaxCypherRows)
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return res
}

// rowsOf renders the named columns of every row as "a|b|c", for comparing answers at a glance.
func rowsOf(res *incidentgraph.CypherResult, cols ...string) []string {
	out := make([]string, 0, len(res.Rows))
	for _, r := range res.Rows {
		vals := make([]string, len(cols))
		for i, c := range cols {
			vals[i] = fmt.Sprint(r[c])
		}
		out = append(out, strings.Join(vals, "|"))
	}
	return out
}

func graphHas(t *testing.T, res *incidentgraph.CypherResult, nodeIDs []string, edgeTypes []incidentgraph.RelType) {
	t.Helper()
	if res.Graph == nil {
		t.Fatal("no graph in the result")
	}
	var nodes []string
	for _, n := range res.Graph.Nodes {
		nodes = append(nodes, n.ID)
	}
	var types []incidentgraph.RelType
	for _, e := range res.Graph.Edges {
		types = append(types, e.Type)
	}
	for _, id := range nodeIDs {
		if !slices.Contains(nodes, id) {
			t.Errorf("graph lacks node %s: %v", id, nodes)
		}
	}
	for _, typ := range edgeTypes {
		if !slices.Contains(types, typ) {
			t.Errorf("graph lacks a %s edge: %v", typ, types)
		}
	}
}

func TestUsePatternsChecksEachPattern(t *testing.T) {
	db := withPatterns(t)
	ctx := context.Background()
	shipped, _ := patterns.Read(patterns.Embedded())
	var names []string
	for _, p := range db.Patterns() {
		names = append(names, p.Name)
	}
	if len(names) != len(shipped) || !slices.IsSorted(names) || !slices.Contains(names, "claimed-vs-attributed") {
		t.Fatalf("Patterns() = %v", names)
	}
	before, err := db.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}

	ok := &incidentgraph.Pattern{Name: "by-id", Description: "An entity.", Cypher: "MATCH (n:Entity {id: $id}) RETURN n",
		Params: []incidentgraph.PatternParam{{Name: "id", Type: "ID", Required: true}}}
	writes := &incidentgraph.Pattern{Name: "renames", Description: "Writes.", Cypher: "MATCH (n:Entity {id: $id}) SET n.name = 'x' RETURN n",
		Params: []incidentgraph.PatternParam{{Name: "id", Type: "ID", Required: true}}}
	undeclared := &incidentgraph.Pattern{Name: "undeclared", Description: "No declaration.", Cypher: "MATCH (n:Entity {id: $id}) RETURN n"}

	// Control: a well-formed read-only pattern is accepted.
	if err := db.UsePatterns(ctx, []*incidentgraph.Pattern{ok}); err != nil {
		t.Fatalf("control pattern refused: %v", err)
	}
	if got := db.Patterns(); len(got) != 1 || got[0].Name != "by-id" {
		t.Fatalf("Patterns() after control = %v", got)
	}
	for _, c := range []struct {
		p    *incidentgraph.Pattern
		want string
	}{
		{writes, "pattern renames: "},
		{undeclared, "pattern undeclared: $id is used but not declared"},
	} {
		err := db.UsePatterns(ctx, []*incidentgraph.Pattern{ok, c.p})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("UsePatterns(%s) = %v, want …%s…", c.p.Name, err, c.want)
		}
		// A refused set changes nothing: the earlier patterns stay in use.
		if got := db.Patterns(); len(got) != 1 || got[0].Name != "by-id" {
			t.Errorf("after refusing %s, Patterns() = %v", c.p.Name, got)
		}
	}
	if err := db.UsePatterns(ctx, []*incidentgraph.Pattern{writes}); incidentgraph.ErrorCode(err) != incidentgraph.ECYPHER {
		t.Errorf("a writing pattern: %v (%s), want %s", err, incidentgraph.ErrorCode(err), incidentgraph.ECYPHER)
	}
	after, err := db.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Error("checking a writing pattern changed the graph")
	}
}

func TestRunPatternRefusesUnknownNamesAndBadArguments(t *testing.T) {
	db := withPatterns(t)
	ctx := context.Background()
	_, err := db.RunPattern(ctx, "no-such-pattern", nil, 10)
	if incidentgraph.ErrorCode(err) != incidentgraph.ENOTFOUND || incidentgraph.ErrorMessage(err) != "no pattern named \"no-such-pattern\"; see `patterns`" {
		t.Errorf("unknown pattern: %v (%s)", err, incidentgraph.ErrorCode(err))
	}
	for _, args := range []map[string]any{
		{},                          // party is required
		{"party": "Not An Id"},      // not an id
		{"party": "russia", "x": 1}, // undeclared
		{"party": "russia", "minConfidence": 1.5},
	} {
		_, err := db.RunPattern(ctx, "asserted-by", args, 10)
		if incidentgraph.ErrorCode(err) != incidentgraph.EINVALID || !strings.Contains(err.Error(), "pattern asserted-by") {
			t.Errorf("asserted-by %v: %v (%s)", args, err, incidentgraph.ErrorCode(err))
		}
	}
	// Control: the same pattern with good arguments answers.
	if res := runPattern(t, db, "asserted-by", map[string]any{"party": "russia"}); len(res.Rows) == 0 {
		t.Error("asserted-by russia: no rows")
	}
}

func TestShippedPatternsAnswer(t *testing.T) {
	db := withPatterns(t)

	t.Run("claimed-vs-attributed", func(t *testing.T) {
		res := runPattern(t, db, "claimed-vs-attributed", nil)
		got := rowsOf(res, "incident", "claimant", "attributedTo", "attributedBy", "attributionStatus", "attributionConfidence")
		want := []string{moscow + "|" + is + "|" + isk + "|us-official-anonymous|SUSPECTED|65"}
		if !slices.Equal(got, want) {
			t.Errorf("rows = %v, want %v", got, want)
		}
		graphHas(t, res, []string{moscow, is, isk}, []incidentgraph.RelType{"CLAIMED_RESPONSIBILITY_FOR", "ATTRIBUTED_TO"})
		// Controls: a threshold above the U.S. official's 65, or an incident IS claimed that no
		// one attributes elsewhere (Paris), leaves nothing.
		if rows := runPattern(t, db, "claimed-vs-attributed", map[string]any{"minConfidence": 66}).Rows; len(rows) != 0 {
			t.Errorf("minConfidence 66: %d rows", len(rows))
		}
		if rows := runPattern(t, db, "claimed-vs-attributed", map[string]any{"incident": "paris-attacks-2015"}).Rows; len(rows) != 0 {
			t.Errorf("Paris: %d rows", len(rows))
		}
		if rows := runPattern(t, db, "claimed-vs-attributed", map[string]any{"incident": moscow}).Rows; len(rows) != 1 {
			t.Errorf("Moscow: %d rows, want 1", len(rows))
		}
	})

	t.Run("affiliates-attacking-in-country", func(t *testing.T) {
		res := runPattern(t, db, "affiliates-attacking-in-country", map[string]any{"country": "russia"})
		got := rowsOf(res, "group", "affiliate", "incident", "tieType", "tieConfidence")
		want := []string{
			is + "|" + isk + "|" + moscow + "|ATTRIBUTED_TO|65",
			is + "|" + isk + "|moscow-synagogue-plot-2024|ATTRIBUTED_TO|60",
		}
		if !slices.Equal(got, want) {
			t.Errorf("russia: rows = %v, want %v", got, want)
		}
		graphHas(t, res, []string{is, isk, moscow, "russia"}, []incidentgraph.RelType{"ATTRIBUTED_TO", "OCCURRED_IN"})
		if got := rowsOf(runPattern(t, db, "affiliates-attacking-in-country", map[string]any{"country": "afghanistan"}), "group", "affiliate", "incident"); !slices.Equal(got, []string{is + "|" + isk + "|" + kabul}) {
			t.Errorf("afghanistan: %v", got)
		}
		if got := rowsOf(runPattern(t, db, "affiliates-attacking-in-country", map[string]any{"country": "russia", "minConfidence": 61}), "incident"); !slices.Equal(got, []string{moscow}) {
			t.Errorf("russia, minConfidence 61: %v", got)
		}
		// France saw an IS attack (Paris, claimed by IS itself), but none by an affiliate.
		if rows := runPattern(t, db, "affiliates-attacking-in-country", map[string]any{"country": "france"}).Rows; len(rows) != 0 {
			t.Errorf("france: %v", rowsOf(&incidentgraph.CypherResult{Rows: rows}, "incident"))
		}
		claims := rowsOf(runPattern(t, db, "asserted-by", map[string]any{"party": is}), "type", "to")
		if !slices.Contains(claims, "CLAIMED_RESPONSIBILITY_FOR|paris-attacks-2015") {
			t.Errorf("control: IS's claim of Paris missing from %v", claims)
		}
	})

	t.Run("network-attacks-at-venue-kind", func(t *testing.T) {
		res := runPattern(t, db, "network-attacks-at-venue-kind", map[string]any{"group": is})
		got := rowsOf(res, "incident", "siteId", "actor", "tieType", "tieAssertedBy")
		want := []string{
			moscow + "|crocus-city-hall|" + is + "|CLAIMED_RESPONSIBILITY_FOR|" + is,
			moscow + "|crocus-city-hall|" + is + "|ATTRIBUTED_TO|united-states",
			moscow + "|crocus-city-hall|" + isk + "|ATTRIBUTED_TO|us-official-anonymous",
			moscow + "|crocus-city-hall|" + is + "|ATTRIBUTED_TO|olivier-guitta",
			"manchester-arena-bombing-2017|manchester-arena|" + is + "|CLAIMED_RESPONSIBILITY_FOR|" + is,
			"paris-attacks-2015|bataclan|" + is + "|CLAIMED_RESPONSIBILITY_FOR|" + is,
		}
		if !slices.Equal(got, want) {
			t.Errorf("IS at venues:\n got %v\nwant %v", got, want)
		}
		graphHas(t, res, []string{is, isk, moscow, "crocus-city-hall", "bataclan"}, []incidentgraph.RelType{"OCCURRED_AT", "AFFILIATE_OF"})
		// The network reaches down to IS-K's airport attack; IS-K's own network does not reach
		// up to its parent's claims (Paris, Manchester).
		if got := rowsOf(runPattern(t, db, "network-attacks-at-venue-kind", map[string]any{"group": is, "placeType": "AIRPORT"}), "incident", "actor"); !slices.Equal(got, []string{kabul + "|" + isk}) {
			t.Errorf("IS at airports: %v", got)
		}
		if got := rowsOf(runPattern(t, db, "network-attacks-at-venue-kind", map[string]any{"group": isk}), "incident", "actor"); !slices.Equal(got, []string{moscow + "|" + isk}) {
			t.Errorf("IS-K at venues: %v", got)
		}
		if rows := runPattern(t, db, "network-attacks-at-venue-kind", map[string]any{"group": "taliban"}).Rows; len(rows) != 0 {
			t.Errorf("Taliban at venues: %d rows", len(rows))
		}
	})

	t.Run("contradicting-assertions", func(t *testing.T) {
		res := runPattern(t, db, "contradicting-assertions", map[string]any{"incident": moscow})
		got := rowsOf(res, "conflict", "actor", "assertion", "assertedBy", "otherActor", "otherAssertion", "otherAssertedBy")
		for _, w := range []string{
			"DENIAL|ukraine|ACCUSED_OF|russia|ukraine|DENIED|ukraine-foreign-ministry",
			"DIFFERENT_PERPETRATOR|" + is + "|CLAIMED_RESPONSIBILITY_FOR|" + is + "|ukraine|ACCUSED_OF|russia",
			"DIFFERENT_PERPETRATOR|" + isk + "|ATTRIBUTED_TO|us-official-anonymous|russia|ACCUSED_OF|ukraine-foreign-ministry",
		} {
			if !slices.Contains(got, w) {
				t.Errorf("missing %s in %v", w, got)
			}
		}
		// IS and its affiliate IS-K are both blamed, yet do not contradict each other.
		for _, r := range res.Rows {
			pair := []string{fmt.Sprint(r["actor"]), fmt.Sprint(r["otherActor"])}
			if slices.Contains(pair, is) && slices.Contains(pair, isk) {
				t.Errorf("IS and IS-K paired as contradicting: %v", r)
			}
		}
		graphHas(t, res, []string{moscow, "ukraine", is}, []incidentgraph.RelType{"ACCUSED_OF", "DENIED", "CLAIMED_RESPONSIBILITY_FOR"})
		// Controls: Kabul has one attribution and nothing against it; the accusations against
		// Ukraine and Russia are 10 sure, so a threshold of 11 leaves no conflict anywhere.
		if rows := runPattern(t, db, "contradicting-assertions", map[string]any{"incident": kabul}).Rows; len(rows) != 0 {
			t.Errorf("Kabul: %d rows", len(rows))
		}
		if rows := runPattern(t, db, "contradicting-assertions", map[string]any{"minConfidence": 11}).Rows; len(rows) != 0 {
			t.Errorf("minConfidence 11: %v", rowsOf(&incidentgraph.CypherResult{Rows: rows}, "actor", "otherActor"))
		}
	})

	t.Run("allegations-later-denied", func(t *testing.T) {
		res := runPattern(t, db, "allegations-later-denied", nil)
		got := rowsOf(res, "accused", "target", "allegationType", "allegedBy", "allegedOn", "denialType", "deniedBy", "deniedOn")
		want := []string{"ukraine|" + moscow + "|ACCUSED_OF|russia|2024-03-23|DENIED|ukraine-foreign-ministry|2024-03-23"}
		if !slices.Equal(got, want) {
			t.Errorf("rows = %v, want %v", got, want)
		}
		graphHas(t, res, []string{"ukraine", moscow}, []incidentgraph.RelType{"ACCUSED_OF", "DENIED"})
		// Control: Ukraine's counter-allegation against Russia is an allegation too, but
		// undenied, so it is not listed.
		alleged := rowsOf(runPattern(t, db, "asserted-by", map[string]any{"party": "ukraine-foreign-ministry", "status": "ALLEGED"}), "from", "type", "to")
		if !slices.Equal(alleged, []string{"russia|ACCUSED_OF|" + moscow}) {
			t.Errorf("control: Ukraine's allegations = %v", alleged)
		}
		if n := len(runPattern(t, db, "allegations-later-denied", map[string]any{"since": "2024-03"}).Rows); n != 1 {
			t.Errorf("since 2024-03: %d rows, want 1", n)
		}
		if n := len(runPattern(t, db, "allegations-later-denied", map[string]any{"since": "2024-04"}).Rows); n != 0 {
			t.Errorf("since 2024-04: %d rows, want 0", n)
		}
	})

	t.Run("asserted-by", func(t *testing.T) {
		res := runPattern(t, db, "asserted-by", map[string]any{"party": "us-official-anonymous"})
		got := rowsOf(res, "from", "type", "to", "status", "confidence", "sources")
		want := []string{moscow + "|ATTRIBUTED_TO|" + isk + "|SUSPECTED|65|[" + apArt + "]"}
		if !slices.Equal(got, want) {
			t.Errorf("rows = %v, want %v", got, want)
		}
		if titles := fmt.Sprint(res.Rows[0]["sourceTitles"]); !strings.Contains(titles, "Moscow concert hall attack") {
			t.Errorf("sourceTitles = %s", titles)
		}
		graphHas(t, res, []string{moscow, isk}, []incidentgraph.RelType{"ATTRIBUTED_TO"})
		// Control: the United States attributes the same attack to IS, not to IS-K.
		if got := rowsOf(runPattern(t, db, "asserted-by", map[string]any{"party": "united-states"}), "type", "to", "status"); !slices.Equal(got, []string{"ATTRIBUTED_TO|" + is + "|CONFIRMED"}) {
			t.Errorf("united-states: %v", got)
		}
		if n := len(runPattern(t, db, "asserted-by", map[string]any{"party": "russia", "status": "ALLEGED"}).Rows); n != 2 {
			t.Errorf("russia ALLEGED: %d rows, want 2", n)
		}
		if n := len(runPattern(t, db, "asserted-by", map[string]any{"party": "russia", "status": "DENIED"}).Rows); n != 0 {
			t.Errorf("russia DENIED: %d rows, want 0", n)
		}
		if n := len(runPattern(t, db, "asserted-by", map[string]any{"party": "russia", "minConfidence": 11}).Rows); n != 1 {
			t.Errorf("russia minConfidence 11: %d rows, want 1 (the detainees, 45)", n)
		}
	})
}

// patternHas tells whether the pattern's answer to args holds a row whose named columns render
// as row (see rowsOf).
func patternHas(t *testing.T, db *neo4j.DB, name string, args map[string]any, cols []string, row string) bool {
	t.Helper()
	return slices.Contains(rowsOf(runPattern(t, db, name, args), cols...), row)
}

// withRetractedArgs returns args with includeRetracted set.
func withRetractedArgs(args map[string]any) map[string]any {
	out := map[string]any{"includeRetracted": true}
	for k, v := range args {
		out[k] = v
	}
	return out
}

// patternCheck is a row a pattern answers while the links under test stand; checkPatterns makes
// of each a check without includeRetracted (the row must go with the retraction) and one with it
// (the row must stay).
type patternCheck struct {
	pattern string
	args    map[string]any
	cols    []string
	row     string
}

func checkPatterns(t *testing.T, db *neo4j.DB, ids []string, pcs []patternCheck, extra ...derivedCheck) {
	t.Helper()
	checks, withRetracted := patternChecks(t, db, pcs, extra...)
	checkRetraction(t, db, ids, checks, withRetracted)
}

// patternChecks makes the checks of pcs, and extra, for checkRetraction.
func patternChecks(t *testing.T, db *neo4j.DB, pcs []patternCheck, extra ...derivedCheck) (checks, withRetracted []derivedCheck) {
	for _, pc := range pcs {
		checks = append(checks, derivedCheck{pc.pattern + " " + pc.row, func() bool {
			return patternHas(t, db, pc.pattern, pc.args, pc.cols, pc.row)
		}})
		withRetracted = append(withRetracted, derivedCheck{pc.pattern + " with includeRetracted " + pc.row, func() bool {
			return patternHas(t, db, pc.pattern, withRetractedArgs(pc.args), pc.cols, pc.row)
		}})
	}
	return append(checks, extra...), withRetracted
}

// curatedWithPatterns is the seeded test database ready for curation, with the shipped
// patterns in use.
func curatedWithPatterns(t *testing.T) *neo4j.DB {
	t.Helper()
	db := withPatterns(t)
	if err := db.EnsureCurationSchema(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

const (
	moscowByISK     = moscow + "--attributed-to--" + isk + "--us-official-anonymous"
	ukraineAccused  = "ukraine--accused-of--" + moscow + "--russia"
	moscowAtCrocus  = moscow + "--occurred-at--crocus-city-hall--wikipedia"
	contradictsCols = "conflict|actor|assertion|assertedBy|otherActor|otherAssertion|otherAssertedBy"
)

// TestPatternsLeaveRetractedAssertionsOut: a curator's retraction takes an assertion out of every
// saved pattern that matched it, as it does out of every other read; includeRetracted brings it
// back. Each row below is asked while the link stands (the control), then after the retraction.
//
// Negative control: the same checks against the store with every pattern's condition on
// retracted assertions defeated ($includeRetracted OR ... made true): each of the 14 must fail.
func TestPatternsLeaveRetractedAssertionsOut(t *testing.T) {
	for _, c := range patternRetractions {
		t.Run(c.name, func(t *testing.T) {
			db := curatedWithPatterns(t)
			c.run(t, db, func(ids []string, pcs []patternCheck, extra ...derivedCheck) bool {
				checkPatterns(t, db, ids, pcs, extra...)
				return true
			})
		})
	}
	t.Run("negative control: the conditions defeated", func(t *testing.T) {
		defeated := &sabotage{from: "$includeRetracted OR", to: "true OR $includeRetracted OR"}
		total := 0
		for _, c := range patternRetractions {
			t.Run(c.name, func(t *testing.T) {
				curated(t)
				db := sabotagedStore(t, defeated)
				ps, err := patterns.Read(patterns.Embedded())
				if err != nil {
					t.Fatal(err)
				}
				if err := db.UsePatterns(context.Background(), ps); err != nil {
					t.Fatal(err)
				}
				c.run(t, db, func(ids []string, pcs []patternCheck, extra ...derivedCheck) bool {
					checks, withRetracted := patternChecks(t, db, pcs, extra...)
					mustFailEach(t, retractionFaults(t, db, ids, checks, withRetracted), checks)
					total += len(checks)
					return false // what the case checks further is about the shipped patterns
				})
			})
		}
		if total != 14 {
			t.Errorf("%d checks, want 14", total)
		}
		mustHaveApplied(t, defeated)
	})
}

// patternRetraction is one case of TestPatternsLeaveRetractedAssertionsOut: run hands its
// links and rows to check, and goes on with further checks of the shipped store only if check
// says so.
type patternRetraction struct {
	name string
	run  func(t *testing.T, db *neo4j.DB, check func(ids []string, pcs []patternCheck, extra ...derivedCheck) bool)
}

var patternRetractions = []patternRetraction{
	{"an attribution", func(t *testing.T, db *neo4j.DB, check func(ids []string, pcs []patternCheck, extra ...derivedCheck) bool) {
		// The anonymous U.S. official's attribution of the Moscow attack to IS-K.
		contradicts := strings.Split(contradictsCols, "|")
		if !check([]string{moscowByISK}, []patternCheck{
			{"claimed-vs-attributed", nil, []string{"incident", "claimant", "attributedTo", "attributedBy"},
				moscow + "|" + is + "|" + isk + "|us-official-anonymous"},
			{"contradicting-assertions", map[string]any{"incident": moscow}, contradicts,
				"DIFFERENT_PERPETRATOR|" + isk + "|ATTRIBUTED_TO|us-official-anonymous|russia|ACCUSED_OF|ukraine-foreign-ministry"},
			{"asserted-by", map[string]any{"party": "us-official-anonymous"}, []string{"from", "type", "to"},
				moscow + "|ATTRIBUTED_TO|" + isk},
			{"affiliates-attacking-in-country", map[string]any{"country": "russia"}, []string{"group", "affiliate", "incident", "tieType"},
				is + "|" + isk + "|" + moscow + "|ATTRIBUTED_TO"},
			{"network-attacks-at-venue-kind", map[string]any{"group": is}, []string{"incident", "actor", "tieType", "tieAssertedBy"},
				moscow + "|" + isk + "|ATTRIBUTED_TO|us-official-anonymous"},
		}) {
			return
		}
		// The other assertions about the attack stay: the U.S. attribution to IS, IS's own claim.
		if !patternHas(t, db, "asserted-by", map[string]any{"party": "united-states"}, []string{"type", "to"}, "ATTRIBUTED_TO|"+is) ||
			!patternHas(t, db, "network-attacks-at-venue-kind", map[string]any{"group": is}, []string{"incident", "actor", "tieType"}, moscow+"|"+is+"|CLAIMED_RESPONSIBILITY_FOR") {
			t.Error("retracting one attribution took other assertions about the attack out")
		}
	}},

	{"an allegation", func(t *testing.T, db *neo4j.DB, check func(ids []string, pcs []patternCheck, extra ...derivedCheck) bool) {
		// Russia's allegation that Ukraine was behind the Moscow attack, which Ukraine denied.
		contradicts := strings.Split(contradictsCols, "|")
		check([]string{ukraineAccused}, []patternCheck{
			{"allegations-later-denied", nil, []string{"accused", "target", "allegedBy", "deniedBy"},
				"ukraine|" + moscow + "|russia|ukraine-foreign-ministry"},
			{"contradicting-assertions", map[string]any{"incident": moscow}, contradicts,
				"DENIAL|ukraine|ACCUSED_OF|russia|ukraine|DENIED|ukraine-foreign-ministry"},
			{"contradicting-assertions", map[string]any{"incident": moscow}, contradicts,
				"DIFFERENT_PERPETRATOR|" + is + "|CLAIMED_RESPONSIBILITY_FOR|" + is + "|ukraine|ACCUSED_OF|russia"},
			{"asserted-by", map[string]any{"party": "russia", "status": "ALLEGED"}, []string{"from", "type", "to"},
				"ukraine|ACCUSED_OF|" + moscow},
		})
	}},

	{"the links that place an attack", func(t *testing.T, db *neo4j.DB, check func(ids []string, pcs []patternCheck, extra ...derivedCheck) bool) {
		// Kabul in Afghanistan (the last link of every chain from the bombing's sites up to the
		// country) and the Moscow attack at Crocus City Hall.
		if !check([]string{kabulInAfghanistan, moscowAtCrocus}, []patternCheck{
			{"affiliates-attacking-in-country", map[string]any{"country": "afghanistan"}, []string{"group", "affiliate", "incident"},
				is + "|" + isk + "|" + kabul},
			{"network-attacks-at-venue-kind", map[string]any{"group": is}, []string{"incident", "siteId", "actor", "tieAssertedBy"},
				moscow + "|crocus-city-hall|" + is + "|united-states"},
		}) {
			return
		}
		// Moscow is still in Russia by a link of its own (OCCURRED_IN russia).
		if !patternHas(t, db, "affiliates-attacking-in-country", map[string]any{"country": "russia"}, []string{"incident"}, moscow) {
			t.Error("the Moscow attack left Russia with its venue link")
		}
	}},

	{"an affiliation", func(t *testing.T, db *neo4j.DB, check func(ids []string, pcs []patternCheck, extra ...derivedCheck) bool) {
		// Both of IS-K's affiliation assertions towards the Islamic State: IS-K is no longer in its
		// network, and, no longer one of its affiliates, its attribution and the Islamic State's
		// claim of the same attack now contradict each other.
		apart := func(args map[string]any) bool {
			for _, r := range runPattern(t, db, "contradicting-assertions", args).Rows {
				pair := []string{fmt.Sprint(r["actor"]), fmt.Sprint(r["otherActor"])}
				if slices.Contains(pair, is) && slices.Contains(pair, isk) {
					return false
				}
			}
			return true
		}
		if !check([]string{iskAffiliate, iskBranch}, []patternCheck{
			{"affiliates-attacking-in-country", map[string]any{"country": "russia"}, []string{"group", "affiliate", "incident"},
				is + "|" + isk + "|" + moscow},
			{"network-attacks-at-venue-kind", map[string]any{"group": is, "placeType": "AIRPORT"}, []string{"incident", "actor"},
				kabul + "|" + isk},
		}, derivedCheck{"contradicting-assertions keeps IS and IS-K apart", func() bool {
			return apart(map[string]any{"incident": moscow})
		}}) {
			return
		}
		if !apart(map[string]any{"incident": moscow, "includeRetracted": true}) {
			t.Error("contradicting-assertions with includeRetracted pairs IS and IS-K")
		}
	}},
}
