package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

// End-to-end tests of the analyst questions: each root field through the real HTTP server
// and the real Neo4j, with the answers the seed graph must give and the coded errors of bad
// arguments.

const (
	isID      = "islamic-state"
	iskID     = "islamic-state-khorasan-province"
	moscowID  = "moscow-concert-hall-attack-2024"
	kabulID   = "kabul-airport-bombing-2021"
	parisID   = "paris-attacks-2015"
	mancID    = "manchester-arena-bombing-2017"
	chartBody = `nodes { id kind name } edges { id type source target status confidence style assertedBy } truncated`
)

func (ts *testServer) postAs(t *testing.T, token, query string, vars map[string]any) *gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, ts.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, resp)
}

func nodeSet(c chart) []string {
	var ids []string
	for _, n := range c.Nodes {
		ids = append(ids, n.ID)
	}
	return ids
}

func TestAffiliateNetworkOverHTTP(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	q := `query($v: PartialDate) { affiliateNetwork(id: "islamic-state", depth: 2, validAt: $v) { ` + chartBody + ` } }`
	var now, in2014 struct{ AffiliateNetwork chart }
	mustData(t, ts.post(t, q, nil), &now)
	nodes := checkChart(t, now.AffiliateNetwork)
	for _, id := range []string{iskID, "islamic-state-west-africa-province", "al-qaida", "tehrik-i-taliban-pakistan", "taliban"} {
		if !nodes[id] {
			t.Errorf("the Islamic State's network lacks %s: %v", id, nodeSet(now.AffiliateNetwork))
		}
	}
	for _, n := range now.AffiliateNetwork.Nodes {
		if n.Kind == "PLACE" || n.Kind == "INCIDENT" {
			t.Errorf("the network holds %s %s", n.Kind, n.ID)
		}
	}
	mustData(t, ts.post(t, q, map[string]any{"v": "2014"}), &in2014)
	if slices.Contains(nodeSet(in2014.AffiliateNetwork), iskID) {
		t.Error("IS-K is in the Islamic State's network as it was in 2014")
	}
	if !slices.Contains(nodeSet(in2014.AffiliateNetwork), "al-qaida") {
		t.Error("the 2014 network lost al-Qaida too: the time view cut more than IS-K")
	}
}

func TestPathsOverHTTP(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	var data struct {
		Paths []struct {
			Length, WeakestConfidence int
			Nodes                     []struct{ ID string }
			Edges                     []struct {
				Source, Target string
				Confidence     int
			}
		}
	}
	mustData(t, ts.post(t, `{ paths(from: "`+kabulID+`", to: "`+moscowID+`", maxDepth: 4, first: 5) {
		length weakestConfidence nodes { id } edges { source target confidence } } }`, nil), &data)
	if len(data.Paths) < 2 {
		t.Fatalf("%d paths from Kabul to Moscow, want several", len(data.Paths))
	}
	seen := map[string]bool{}
	for i, p := range data.Paths {
		if p.Length != len(p.Edges) || len(p.Nodes) != len(p.Edges)+1 {
			t.Errorf("path %d: length %d, %d nodes, %d edges", i, p.Length, len(p.Nodes), len(p.Edges))
			continue
		}
		if p.Nodes[0].ID != kabulID || p.Nodes[len(p.Nodes)-1].ID != moscowID {
			t.Errorf("path %d runs %s → %s", i, p.Nodes[0].ID, p.Nodes[len(p.Nodes)-1].ID)
		}
		weakest := 100
		key := ""
		for j, e := range p.Edges {
			a, b := p.Nodes[j].ID, p.Nodes[j+1].ID
			if !(e.Source == a && e.Target == b) && !(e.Source == b && e.Target == a) {
				t.Errorf("path %d hop %d: edge %s→%s does not link %s and %s", i, j, e.Source, e.Target, a, b)
			}
			weakest = min(weakest, e.Confidence)
			key += a + ">"
		}
		if weakest != p.WeakestConfidence {
			t.Errorf("path %d: weakestConfidence %d, its edges say %d", i, p.WeakestConfidence, weakest)
		}
		if seen[key] {
			t.Errorf("path %d repeats an earlier path", i)
		}
		seen[key] = true
		if i > 0 {
			prev := data.Paths[i-1]
			if prev.Length > p.Length || (prev.Length == p.Length && prev.WeakestConfidence < p.WeakestConfidence) {
				t.Errorf("path %d (%d hops, weakest %d) ranks after path %d (%d hops, weakest %d)", i, p.Length, p.WeakestConfidence, i-1, prev.Length, prev.WeakestConfidence)
			}
		}
	}
}

func TestCommonNeighborsOverHTTP(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	q := `query($ids: [ID!]!) { commonNeighbors(ids: $ids) { entity { id } links { of { id } relationships { type assertedBy { id } sources { id } other { id } } } } }`
	for _, tc := range []struct {
		ids    []string
		shared string
	}{
		{[]string{parisID, moscowID}, isID},
		{[]string{kabulID, moscowID}, iskID},
	} {
		var data struct {
			CommonNeighbors []struct {
				Entity struct{ ID string }
				Links  []struct {
					Of            struct{ ID string }
					Relationships []struct {
						Type       string
						AssertedBy struct{ ID string }
						Sources    []struct{ ID string }
						Other      struct{ ID string }
					}
				}
			}
		}
		mustData(t, ts.post(t, q, map[string]any{"ids": tc.ids}), &data)
		var shared []string
		for _, c := range data.CommonNeighbors {
			shared = append(shared, c.Entity.ID)
			if len(c.Links) != len(tc.ids) {
				t.Errorf("%s: %d links, want one per id asked about", c.Entity.ID, len(c.Links))
			}
			for i, l := range c.Links {
				if i < len(tc.ids) && l.Of.ID != tc.ids[i] {
					t.Errorf("%s: link %d is of %s, want %s (the order asked)", c.Entity.ID, i, l.Of.ID, tc.ids[i])
				}
				if len(l.Relationships) == 0 {
					t.Errorf("%s: no relationship to %s", c.Entity.ID, l.Of.ID)
				}
				for _, r := range l.Relationships {
					if r.AssertedBy.ID == "" || len(r.Sources) == 0 || r.Other.ID != l.Of.ID {
						t.Errorf("%s–%s: %s without provenance or seen from the wrong end (other %s)", c.Entity.ID, l.Of.ID, r.Type, r.Other.ID)
					}
				}
			}
		}
		if !slices.Contains(shared, tc.shared) {
			t.Errorf("%v share %v, want %s among them", tc.ids, shared, tc.shared)
		}
	}
}

func TestSimilarIncidentsOverHTTP(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	var data struct {
		SimilarIncidents []struct {
			Incident struct{ ID string }
			Score    float64
			Reasons  []struct {
				Kind, Description string
				Weight            float64
			}
		}
	}
	mustData(t, ts.post(t, `{ similarIncidents(id: "`+moscowID+`", first: 3) { incident { id } score reasons { kind description weight } } }`, nil), &data)
	var top []string
	for i, s := range data.SimilarIncidents {
		top = append(top, s.Incident.ID)
		if s.Score <= 0 || s.Score > 1 || len(s.Reasons) == 0 {
			t.Errorf("%s: score %v with %d reasons", s.Incident.ID, s.Score, len(s.Reasons))
		}
		for _, r := range s.Reasons {
			if r.Description == "" || r.Weight <= 0 {
				t.Errorf("%s: reason %+v unexplained", s.Incident.ID, r)
			}
		}
		if i > 0 && data.SimilarIncidents[i-1].Score < s.Score {
			t.Errorf("ranked out of order: %v", top)
		}
	}
	for _, id := range []string{parisID, mancID} {
		if !slices.Contains(top, id) {
			t.Errorf("the Moscow attack's top three %v lack %s", top, id)
		}
	}
}

func TestTimelineOverHTTP(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	type page struct {
		Timeline struct {
			TotalCount int
			Nodes      []struct {
				Entity struct{ ID string }
				Date   string
				Links  []struct{ Type string }
			}
			PageInfo struct {
				HasNextPage bool
				EndCursor   *string
			}
		}
	}
	q := `query($after: String, $aff: Boolean) { timeline(actor: "islamic-state", includeAffiliates: $aff, first: 2, after: $after) {
		totalCount nodes { entity { id } date links { type } } pageInfo { hasNextPage endCursor } } }`
	var ids []string
	var after any
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("the timeline does not end")
		}
		var p page
		mustData(t, ts.post(t, q, map[string]any{"after": after, "aff": true}), &p)
		for _, n := range p.Timeline.Nodes {
			ids = append(ids, n.Entity.ID)
			if len(n.Links) == 0 {
				t.Errorf("%s: nothing links it to the actor", n.Entity.ID)
			}
		}
		if !p.Timeline.PageInfo.HasNextPage {
			if len(ids) != p.Timeline.TotalCount {
				t.Errorf("walked %d entries, totalCount %d", len(ids), p.Timeline.TotalCount)
			}
			break
		}
		after = *p.Timeline.PageInfo.EndCursor
	}
	for _, id := range []string{kabulID, parisID, mancID, moscowID} {
		if !slices.Contains(ids, id) {
			t.Errorf("the timeline of the Islamic State with affiliates lacks %s: %v", id, ids)
		}
	}
	if slices.Index(ids, parisID) > slices.Index(ids, mancID) || slices.Index(ids, kabulID) > slices.Index(ids, moscowID) {
		t.Errorf("not in date order: %v", ids)
	}
	var direct page
	mustData(t, ts.post(t, q, map[string]any{"aff": false}), &direct)
	if direct.Timeline.TotalCount >= len(ids) {
		t.Errorf("without affiliates the timeline has %d entries, with them %d: includeAffiliates added nothing", direct.Timeline.TotalCount, len(ids))
	}
}

func TestCentralityOverHTTP(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	var data struct {
		Centrality []struct {
			Entity                      struct{ ID string }
			Degree                      int
			Betweenness                 float64
			DegreeRank, BetweennessRank int
		}
	}
	mustData(t, ts.post(t, `{ centrality(id: "`+iskID+`", depth: 2, first: 5) { entity { id } degree betweenness degreeRank betweennessRank } }`, nil), &data)
	if len(data.Centrality) == 0 {
		t.Fatal("no scores")
	}
	for i, c := range data.Centrality {
		if c.BetweennessRank != i+1 {
			t.Errorf("%s is %d-th by betweenness, ranked %d", c.Entity.ID, i+1, c.BetweennessRank)
		}
		if c.Betweenness < 0 || c.Betweenness > 1 || c.Degree < 1 {
			t.Errorf("%s: degree %d, betweenness %v", c.Entity.ID, c.Degree, c.Betweenness)
		}
		if i > 0 && data.Centrality[i-1].Betweenness < c.Betweenness {
			t.Error("not ranked by betweenness")
		}
	}
	var byDegree struct {
		Centrality []struct{ Degree, DegreeRank int }
	}
	mustData(t, ts.post(t, `{ centrality(id: "`+iskID+`", orderBy: DEGREE, first: 5) { degree degreeRank } }`, nil), &byDegree)
	for i, c := range byDegree.Centrality {
		if c.DegreeRank != i+1 || (i > 0 && byDegree.Centrality[i-1].Degree < c.Degree) {
			t.Errorf("orderBy DEGREE: %+v", byDegree.Centrality)
			break
		}
	}
}

func TestIncidentsOfAnAffiliateNetworkOverHTTP(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	q := `query($aff: Boolean) { incidents(filter: {perpetrator: "islamic-state", includeAffiliates: $aff}) { nodes { id } } }`
	ids := func(aff bool) []string {
		var data struct {
			Incidents struct{ Nodes []struct{ ID string } }
		}
		mustData(t, ts.post(t, q, map[string]any{"aff": aff}), &data)
		var out []string
		for _, n := range data.Incidents.Nodes {
			out = append(out, n.ID)
		}
		return out
	}
	with, without := ids(true), ids(false)
	for _, id := range []string{kabulID, parisID, mancID, moscowID} {
		if !slices.Contains(with, id) {
			t.Errorf("incidents of the Islamic State with affiliates %v lack %s", with, id)
		}
	}
	if slices.Contains(without, kabulID) {
		t.Errorf("without affiliates the Islamic State's incidents %v hold Kabul (an IS-K attack)", without)
	}
}

func TestTimeViewOverHTTP(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	q := `query($k: PartialDate) { entity(id: "` + moscowID + `") { ... on Incident { figures(metric: KILLED, knownAt: $k) { value } } } }`
	tolls := func(k any) []int {
		var data struct {
			Entity struct{ Figures []struct{ Value int } }
		}
		mustData(t, ts.post(t, q, map[string]any{"k": k}), &data)
		out := []int{}
		for _, f := range data.Entity.Figures {
			out = append(out, f.Value)
		}
		return out
	}
	if got := tolls("2024-03-23"); !slices.Equal(got, []int{133}) {
		t.Errorf("Moscow toll known on 2024-03-23 = %v, want [133]", got)
	}
	if got := tolls(nil); !slices.Equal(got, []int{133, 145}) {
		t.Errorf("Moscow toll known now = %v, want [133 145]", got)
	}
	if r := ts.post(t, q, map[string]any{"k": "2024-13"}); r.code() != incidentgraph.EINVALID {
		t.Errorf("knownAt 2024-13: code %q, want BAD_USER_INPUT", r.code())
	}
}

func TestPatternsOverHTTP(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	var data struct {
		Patterns []struct {
			Name, Description string
			Parameters        []struct{ Name, Type string }
		}
		RunPattern struct {
			Columns   []string
			Rows      []map[string]any
			Graph     chart
			Truncated bool
		}
	}
	mustData(t, ts.post(t, `{ patterns { name description parameters { name type } }
		runPattern(name: "claimed-vs-attributed") { columns rows graph { `+chartBody+` } truncated } }`, nil), &data)
	if len(data.Patterns) < 6 {
		t.Errorf("%d saved patterns, want at least 6", len(data.Patterns))
	}
	if len(data.RunPattern.Rows) == 0 || len(data.RunPattern.Columns) == 0 {
		t.Fatalf("claimed-vs-attributed answered nothing: %+v", data.RunPattern)
	}
	nodes := checkChart(t, data.RunPattern.Graph)
	if !nodes[moscowID] {
		t.Errorf("claimed-vs-attributed's chart lacks the Moscow attack: %v", nodeSet(data.RunPattern.Graph))
	}
	for _, tc := range []struct{ query, code string }{
		{`{ runPattern(name: "no-such-pattern") { columns } }`, incidentgraph.ENOTFOUND},
		{`{ runPattern(name: "claimed-vs-attributed", params: {minConfidence: "high"}) { columns } }`, incidentgraph.EINVALID},
		{`{ runPattern(name: "claimed-vs-attributed", params: {nonsense: 1}) { columns } }`, incidentgraph.EINVALID},
		{`{ runPattern(name: "claimed-vs-attributed", params: [1, 2]) { columns } }`, incidentgraph.EINVALID},
		{`{ runPattern(name: "claimed-vs-attributed", limit: 0) { columns } }`, incidentgraph.EINVALID},
	} {
		if r := ts.post(t, tc.query, nil); r.code() != tc.code {
			t.Errorf("%s: code %q, want %s (%+v)", tc.query, r.code(), tc.code, r.Errors)
		}
	}
}

func TestCypherOverHTTP(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	ctx := context.Background()
	secret, err := db.CreateToken(ctx, "e2e-analyst", incidentgraph.RoleAnalyst, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.RevokeToken(context.Background(), "e2e-analyst") })
	q := `query($q: String!, $p: JSON) { cypher(query: $q, params: $p) { columns rows graph { ` + chartBody + ` } truncated } }`
	read := map[string]any{"q": "MATCH (a:Organization)-[r:AFFILIATE_OF]->(g:Organization {id: $g}) RETURN a.id AS affiliate, r", "p": map[string]any{"g": isID}}
	var data struct {
		Cypher struct {
			Columns []string
			Rows    []map[string]any
			Graph   chart
		}
	}
	mustData(t, ts.postAs(t, secret, q, read), &data)
	var affiliates []any
	for _, row := range data.Cypher.Rows {
		affiliates = append(affiliates, row["affiliate"])
	}
	if !slices.Contains(affiliates, any(iskID)) || !slices.Equal(data.Cypher.Columns, []string{"affiliate", "r"}) {
		t.Errorf("columns %v, affiliates %v; want IS-K among them", data.Cypher.Columns, affiliates)
	}
	if nodes := checkChart(t, data.Cypher.Graph); !nodes[iskID] || !nodes[isID] {
		t.Errorf("the chart of the returned relationships lacks their ends: %v", nodeSet(data.Cypher.Graph))
	}
	before, err := db.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		token, query, code string
	}{
		{"", "MATCH (n:Entity) RETURN n.id LIMIT 1", incidentgraph.EUNAUTHENTICATED},
		{secret, "MATCH (n:Entity) DETACH DELETE n", incidentgraph.ECYPHER},
		{secret, "CREATE (:Entity {id: 'x'})", incidentgraph.ECYPHER},
		{secret, "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l", incidentgraph.ECYPHER},
		{secret, "MATCH (n:Entity RETURN n", incidentgraph.EINVALID},
	} {
		r := ts.postAs(t, tc.token, q, map[string]any{"q": tc.query})
		if r.code() != tc.code {
			t.Errorf("%q: code %q, want %s (%+v)", tc.query, r.code(), tc.code, r.Errors)
		}
	}
	after, err := db.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Error("a refused Cypher query changed the graph")
	}
}

// Every analyst question answers a bad argument with BAD_USER_INPUT and an unknown start with
// NOT_FOUND, naming what was wrong.
func TestAnalystQuestionsRejectBadArguments(t *testing.T) {
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	for _, tc := range []struct{ query, code string }{
		{`{ affiliateNetwork(id: "no-such-group") { truncated } }`, incidentgraph.ENOTFOUND},
		{`{ affiliateNetwork(id: "islamic-state", depth: 5) { truncated } }`, incidentgraph.EINVALID},
		{`{ affiliateNetwork(id: "islamic-state", depth: 0) { truncated } }`, incidentgraph.EINVALID},
		{`{ affiliateNetwork(id: "moscow", limit: 0) { truncated } }`, incidentgraph.EINVALID},
		{`{ affiliateNetwork(id: "Not An Id") { truncated } }`, incidentgraph.EINVALID},
		{`{ affiliateNetwork(id: "moscow-concert-hall-attack-2024") { truncated } }`, incidentgraph.EINVALID},
		{`{ paths(from: "kabul-airport-bombing-2021", to: "no-such-thing") { length } }`, incidentgraph.ENOTFOUND},
		{`{ paths(from: "no-such-thing", to: "kabul-airport-bombing-2021") { length } }`, incidentgraph.ENOTFOUND},
		{`{ paths(from: "kabul-airport-bombing-2021", to: "moscow-concert-hall-attack-2024", maxDepth: 7) { length } }`, incidentgraph.EINVALID},
		{`{ paths(from: "kabul-airport-bombing-2021", to: "moscow-concert-hall-attack-2024", first: 21) { length } }`, incidentgraph.EINVALID},
		{`{ paths(from: "kabul-airport-bombing-2021", to: "moscow-concert-hall-attack-2024", filter: {minConfidence: 101}) { length } }`, incidentgraph.EINVALID},
		{`{ commonNeighbors(ids: ["paris-attacks-2015"]) { entity { id } } }`, incidentgraph.EINVALID},
		{`{ commonNeighbors(ids: ["a","b","c","d","e","f","g","h","i","j","k"]) { entity { id } } }`, incidentgraph.EINVALID},
		{`{ commonNeighbors(ids: ["paris-attacks-2015", "no-such-thing"]) { entity { id } } }`, incidentgraph.ENOTFOUND},
		{`{ similarIncidents(id: "no-such-attack") { score } }`, incidentgraph.ENOTFOUND},
		{`{ similarIncidents(id: "islamic-state") { score } }`, incidentgraph.EINVALID},
		{`{ similarIncidents(id: "moscow-concert-hall-attack-2024", first: 51) { score } }`, incidentgraph.EINVALID},
		{`{ timeline(actor: "no-such-actor") { totalCount } }`, incidentgraph.ENOTFOUND},
		{`{ timeline(place: "no-such-place") { totalCount } }`, incidentgraph.ENOTFOUND},
		{`{ timeline(includeAffiliates: true) { totalCount } }`, incidentgraph.EINVALID},
		{`{ timeline(from: "2024", to: "2023") { totalCount } }`, incidentgraph.EINVALID},
		{`{ timeline(after: "not-a-cursor") { totalCount } }`, incidentgraph.EINVALID},
		{`{ timeline(first: 101) { totalCount } }`, incidentgraph.EINVALID},
		{`{ centrality(id: "no-such-thing") { degree } }`, incidentgraph.ENOTFOUND},
		{`{ centrality(id: "islamic-state", depth: 4) { degree } }`, incidentgraph.EINVALID},
		{`{ centrality(id: "islamic-state", first: 0) { degree } }`, incidentgraph.EINVALID},
		{`{ incidents(filter: {includeAffiliates: true}) { totalCount } }`, incidentgraph.EINVALID},
		{`{ neighborhood(id: "islamic-state", validAt: "2014-02-30") { truncated } }`, incidentgraph.EINVALID},
	} {
		r := ts.post(t, tc.query, nil)
		if r.code() != tc.code {
			t.Errorf("%s: code %q, want %s (%+v)", tc.query, r.code(), tc.code, r.Errors)
			continue
		}
		if r.Errors[0].Message == "" || r.Errors[0].Message == "internal error" {
			t.Errorf("%s: message %q says nothing", tc.query, r.Errors[0].Message)
		}
	}
}
