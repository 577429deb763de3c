package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/server"
	"github.com/incidentgraph/incidentgraph/web"
)

// exampleCheck says what one example query of GraphiQL (web/examples/) is for, from the data
// it returns over the seed graph. An example is matched by its operation name or its title, so
// that renaming one of the two does not lose the check.
type exampleCheck struct {
	operation, title string
	check            func(t *testing.T, data json.RawMessage)
}

var exampleChecks = []exampleCheck{
	{"WhoIsISKAffiliatedWith", "Who is IS-K affiliated with?", func(t *testing.T, raw json.RawMessage) {
		var data struct {
			Entity struct {
				ID            string
				Relationships []struct {
					Type   string
					Other  struct{ ID string }
					Status string
				}
			}
		}
		unmarshalExampleData(t, raw, &data)
		if data.Entity.ID != "islamic-state-khorasan-province" {
			t.Errorf("entity %q, want IS-K", data.Entity.ID)
		}
		found := false
		for _, r := range data.Entity.Relationships {
			if r.Other.ID == "islamic-state" && (r.Type == "AFFILIATE_OF" || r.Type == "BRANCH_OF") {
				found = true
			}
		}
		if !found {
			t.Errorf("IS-K is not an affiliate or branch of islamic-state: %+v", data.Entity.Relationships)
		}
	}},
	{"WhatLinksKabulAndMoscow", "What links the Kabul and Moscow attacks?", func(t *testing.T, raw json.RawMessage) {
		var data struct{ ShortestPath *chart }
		unmarshalExampleData(t, raw, &data)
		if data.ShortestPath == nil {
			t.Fatal("no path from Kabul to Moscow")
		}
		nodes := checkChart(t, *data.ShortestPath)
		for _, id := range []string{"kabul-airport-bombing-2021", "moscow-concert-hall-attack-2024", "islamic-state-khorasan-province"} {
			if !nodes[id] {
				t.Errorf("the path's nodes lack %s: %+v", id, data.ShortestPath.Nodes)
			}
		}
		if len(data.ShortestPath.Edges) == 0 || len(data.ShortestPath.Edges) != len(data.ShortestPath.Nodes)-1 {
			t.Errorf("a path of %d nodes has %d edges", len(data.ShortestPath.Nodes), len(data.ShortestPath.Edges))
		}
	}},
	{"WhichAttacksResembleMoscow", "Which attacks resemble the Moscow attack?", func(t *testing.T, raw json.RawMessage) {
		var data struct {
			Entity struct {
				Relationships []struct {
					Type  string
					Other struct{ ID string }
				}
			}
		}
		unmarshalExampleData(t, raw, &data)
		var others []string
		for _, r := range data.Entity.Relationships {
			if r.Type != "RESEMBLES" && r.Type != "PRECEDENT_OF" {
				t.Errorf("type filter let %s through", r.Type)
			}
			others = append(others, r.Other.ID)
		}
		for _, id := range []string{"paris-attacks-2015", "manchester-arena-bombing-2017"} {
			if !slices.Contains(others, id) {
				t.Errorf("the attacks that resemble Moscow lack %s: %v", id, others)
			}
		}
	}},
	{"ClaimedVersusAttributed", "What was claimed versus attributed?", func(t *testing.T, raw json.RawMessage) {
		var data struct {
			Entity struct {
				Relationships []struct {
					Type, Status string
					AssertedBy   struct{ ID string }
				}
			}
		}
		unmarshalExampleData(t, raw, &data)
		types, statuses := map[string]bool{}, map[string]bool{}
		for _, r := range data.Entity.Relationships {
			types[r.Type], statuses[r.Status] = true, true
			if r.AssertedBy.ID == "" {
				t.Errorf("%s with no asserting party", r.Type)
			}
		}
		for _, s := range []string{"CLAIMED", "ALLEGED", "DENIED"} {
			if !statuses[s] {
				t.Errorf("no %s assertion among %v", s, statuses)
			}
		}
		for _, ty := range []string{"CLAIMED_RESPONSIBILITY_FOR", "ATTRIBUTED_TO", "ACCUSED_OF", "DENIED"} {
			if !types[ty] {
				t.Errorf("no %s relationship among %v", ty, types)
			}
		}
	}},
	{"FindEntityByAnyName", "Find an entity by any name", func(t *testing.T, raw json.RawMessage) {
		var data struct {
			Search []struct {
				Typename string `json:"__typename"`
				ID       string
				Aliases  []string
			}
		}
		unmarshalExampleData(t, raw, &data)
		if len(data.Search) == 0 || data.Search[0].ID != "islamic-state" || data.Search[0].Typename != "Organization" {
			t.Errorf("search Daesh = %+v, want the Organization islamic-state first", data.Search)
		}
	}},
	{"HowManyDied", "How many died? (figures keep their history)", func(t *testing.T, raw json.RawMessage) {
		var data struct {
			Entity struct {
				Figures []struct {
					Value int
					AsOf  string
				}
			}
		}
		unmarshalExampleData(t, raw, &data)
		var values []int
		for _, f := range data.Entity.Figures {
			values = append(values, f.Value)
		}
		if !slices.Contains(values, 133) || !slices.Contains(values, 145) {
			t.Errorf("Moscow death tolls %v, want 133 and 145", values)
		}
		if i, j := slices.Index(values, 133), slices.Index(values, 145); i > j {
			t.Errorf("death tolls %v: the early count (133) should come before the revision (145)", values)
		}
	}},
	{"IncidentsAttributedToISK", "Incidents attributed to IS-K", func(t *testing.T, raw json.RawMessage) {
		var data struct {
			Incidents struct {
				TotalCount int
				Nodes      []struct{ ID string }
			}
		}
		unmarshalExampleData(t, raw, &data)
		var ids []string
		for _, n := range data.Incidents.Nodes {
			ids = append(ids, n.ID)
		}
		for _, id := range []string{"kabul-airport-bombing-2021", "moscow-concert-hall-attack-2024"} {
			if !slices.Contains(ids, id) {
				t.Errorf("incidents by IS-K %v lack %s", ids, id)
			}
		}
		if data.Incidents.TotalCount < len(ids) {
			t.Errorf("totalCount %d < %d incidents on the page", data.Incidents.TotalCount, len(ids))
		}
	}},
	{"LinkChartAroundISK", "Link chart around IS-K", func(t *testing.T, raw json.RawMessage) {
		var data struct{ Neighborhood chart }
		unmarshalExampleData(t, raw, &data)
		nodes := checkChart(t, data.Neighborhood) // nodes unique, edges unique with both ends present
		if !nodes["islamic-state-khorasan-province"] || !nodes["islamic-state"] {
			t.Errorf("the link chart around IS-K lacks IS-K or IS: %d nodes", len(nodes))
		}
		if len(data.Neighborhood.Edges) < len(data.Neighborhood.Nodes)-1 {
			t.Errorf("%d nodes joined by only %d edges", len(data.Neighborhood.Nodes), len(data.Neighborhood.Edges))
		}
	}},
	{"IslamicStateNetwork", "The Islamic State's affiliate network", func(t *testing.T, raw json.RawMessage) {
		var data struct{ AffiliateNetwork chart }
		unmarshalExampleData(t, raw, &data)
		nodes := checkChart(t, data.AffiliateNetwork)
		for _, id := range []string{iskID, "al-qaida", "tehrik-i-taliban-pakistan", "taliban"} {
			if !nodes[id] {
				t.Errorf("the network lacks %s: %v", id, nodeSet(data.AffiliateNetwork))
			}
		}
	}},
	{"PathsFromKabulToMoscow", "Every way Kabul connects to Moscow", func(t *testing.T, raw json.RawMessage) {
		var data struct {
			Paths []struct {
				Length int
				Nodes  []struct{ ID string }
			}
		}
		unmarshalExampleData(t, raw, &data)
		if len(data.Paths) < 2 {
			t.Fatalf("%d paths, want several", len(data.Paths))
		}
		for _, p := range data.Paths {
			if p.Nodes[0].ID != kabulID || p.Nodes[len(p.Nodes)-1].ID != moscowID || p.Length != len(p.Nodes)-1 {
				t.Errorf("path %+v does not run from Kabul to Moscow", p)
			}
		}
	}},
	{"CommonGroundParisMoscow", "What do the Paris and Moscow attacks have in common?", func(t *testing.T, raw json.RawMessage) {
		var data struct {
			CommonNeighbors []struct{ Entity struct{ ID string } }
		}
		unmarshalExampleData(t, raw, &data)
		if !slices.ContainsFunc(data.CommonNeighbors, func(c struct{ Entity struct{ ID string } }) bool { return c.Entity.ID == isID }) {
			t.Errorf("Paris and Moscow do not share the Islamic State: %+v", data.CommonNeighbors)
		}
	}},
	{"SimilarToMoscow", "Which incidents are most like the Moscow attack, and why?", func(t *testing.T, raw json.RawMessage) {
		var data struct {
			SimilarIncidents []struct {
				Incident struct{ ID string }
				Reasons  []struct{ Description string }
			}
		}
		unmarshalExampleData(t, raw, &data)
		var ids []string
		for _, s := range data.SimilarIncidents {
			ids = append(ids, s.Incident.ID)
			if len(s.Reasons) == 0 {
				t.Errorf("%s without reasons", s.Incident.ID)
			}
		}
		if !slices.Contains(ids, parisID) || !slices.Contains(ids, mancID) {
			t.Errorf("top three %v lack Paris or Manchester", ids)
		}
	}},
	{"IslamicStateTimeline", "Timeline: the Islamic State and its affiliates", func(t *testing.T, raw json.RawMessage) {
		var data struct {
			Timeline struct {
				Nodes []struct{ Date, Name string }
			}
		}
		unmarshalExampleData(t, raw, &data)
		for i := 1; i < len(data.Timeline.Nodes); i++ {
			if data.Timeline.Nodes[i-1].Date > data.Timeline.Nodes[i].Date && len(data.Timeline.Nodes[i].Date) == len(data.Timeline.Nodes[i-1].Date) {
				t.Errorf("out of date order: %+v", data.Timeline.Nodes)
			}
		}
		if len(data.Timeline.Nodes) < 4 {
			t.Errorf("%d entries, want the four attacks at least", len(data.Timeline.Nodes))
		}
	}},
	{"BrokersAroundISK", "Who are the hubs and brokers around IS-K?", func(t *testing.T, raw json.RawMessage) {
		var data struct {
			Centrality []struct{ BetweennessRank int }
		}
		unmarshalExampleData(t, raw, &data)
		for i, c := range data.Centrality {
			if c.BetweennessRank != i+1 {
				t.Errorf("ranks %+v", data.Centrality)
				break
			}
		}
	}},
	{"AsKnownOn23March2024", "What was known on 23 March 2024?", func(t *testing.T, raw json.RawMessage) {
		var data struct {
			Entity struct {
				Figures []struct{ Value int }
			}
			AffiliateNetwork chart
		}
		unmarshalExampleData(t, raw, &data)
		if len(data.Entity.Figures) != 1 || data.Entity.Figures[0].Value != 133 {
			t.Errorf("the toll known on 2024-03-23: %+v, want 133 alone", data.Entity.Figures)
		}
		if slices.Contains(nodeSet(data.AffiliateNetwork), iskID) {
			t.Error("IS-K in the Islamic State's network of 2014")
		}
	}},
	{"ClaimedButAttributedElsewhere", "Saved patterns: claimed by one, attributed to another", func(t *testing.T, raw json.RawMessage) {
		var data struct {
			Patterns   []struct{ Name string }
			RunPattern struct {
				Rows  []map[string]any
				Graph chart
			}
		}
		unmarshalExampleData(t, raw, &data)
		if len(data.Patterns) < 6 || len(data.RunPattern.Rows) == 0 || !checkChart(t, data.RunPattern.Graph)[moscowID] {
			t.Errorf("%d patterns, %d rows, chart %v", len(data.Patterns), len(data.RunPattern.Rows), nodeSet(data.RunPattern.Graph))
		}
	}},
	{"CurateAddRelationship", "Curate: add an assertion with its provenance (curators)", func(t *testing.T, raw json.RawMessage) {
		var data struct {
			AddRelationship struct {
				ID, Type, Status     string
				Confidence           int
				From, To, AssertedBy struct{ ID string }
				Sources              []struct{ ID string }
				Version              int
				History              []struct{ Operation, Actor string }
			}
		}
		unmarshalExampleData(t, raw, &data)
		r := data.AddRelationship
		if r.ID == "" || r.Type != "OPERATES_IN" || r.From.ID != "islamic-state-khorasan-province" || r.To.ID != "pakistan" {
			t.Errorf("added %+v, want IS-K OPERATES_IN pakistan", r)
		}
		if r.Status != "REPORTED" || r.Confidence != 70 || r.AssertedBy.ID != "wikipedia" || len(r.Sources) != 1 || r.Sources[0].ID != "wikipedia-islamic-state-khorasan-province" {
			t.Errorf("provenance %+v, want REPORTED 70 by wikipedia from its IS-K article", r)
		}
		if r.Version != 1 || len(r.History) != 1 || r.History[0].Operation != incidentgraph.OpAddRelationship || r.History[0].Actor != "examples-curator" {
			t.Errorf("version %d, history %+v: want version 1 and one addRelationship by examples-curator", r.Version, r.History)
		}
	}},
	{"ReadOnlyCypher", "Your own read-only Cypher (analysts)", func(t *testing.T, raw json.RawMessage) {
		var data struct {
			Cypher struct{ Rows []map[string]any }
		}
		unmarshalExampleData(t, raw, &data)
		var affiliates []any
		for _, r := range data.Cypher.Rows {
			affiliates = append(affiliates, r["affiliate"])
		}
		if !slices.Contains(affiliates, any("Islamic State Khorasan Province")) {
			t.Errorf("affiliates %v lack IS-K", affiliates)
		}
	}},
}

// TestExampleQueriesAnswer runs every example query that GraphiQL opens with, as the files in
// web/examples/ hold them, against the real server over the seed graph: each one must answer
// without errors and with data, and answer the question it is there for.
func TestExampleQueriesAnswer(t *testing.T) {
	examples, err := web.Examples()
	if err != nil {
		t.Fatal(err)
	}
	if len(examples) == 0 {
		t.Fatal("web.Examples() is empty")
	}
	ctx := context.Background()
	db := seededDB(t)
	if err := db.EnsureCurationSchema(ctx); err != nil {
		t.Fatal(err)
	}
	// The curation tabs write: the seed graph is loaded again after them, for the read-only
	// tests of this package.
	t.Cleanup(func() { testdb.MustSeed(t, db) })
	svc := services(t, db, db)
	svc.Curation = db
	logs := &syncBuffer{}
	hs := httptest.NewServer(server.NewServer(zerolog.New(logs).With().Timestamp().Logger(), server.DefaultConfig(), svc))
	t.Cleanup(hs.Close)
	ts := &testServer{Server: hs, logs: logs}
	// The Cypher tab needs an analyst's token and the curation tabs a curator's, as their
	// comments tell GraphiQL users; the other tabs answer anyone, so they run without one.
	tokens := map[incidentgraph.Role]string{}
	for _, role := range []incidentgraph.Role{incidentgraph.RoleAnalyst, incidentgraph.RoleCurator} {
		secret, err := db.CreateToken(ctx, "examples-"+string(role), role, nil)
		if err != nil {
			t.Fatal(err)
		}
		tokens[role] = secret
		t.Cleanup(func() { _ = db.RevokeToken(context.Background(), "examples-"+string(role)) })
	}
	fingerprint := func(t *testing.T) string {
		t.Helper()
		fp, err := db.Fingerprint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return fp
	}
	checked := map[string]bool{}
	for _, ex := range examples {
		op := exampleOperationName(t, ex.Name, ex.Query)
		mutation := exampleIsMutation(t, ex.Name, ex.Query)
		t.Run(ex.Name, func(t *testing.T) {
			token := ""
			switch {
			case mutation:
				token = tokens[incidentgraph.RoleCurator]
			case strings.Contains(ex.Query, "cypher("):
				token = tokens[incidentgraph.RoleAnalyst]
			}
			before := fingerprint(t)
			r := ts.postAs(t, token, ex.Query, ex.Variables)
			var data map[string]json.RawMessage
			mustData(t, r, &data)
			if len(data) == 0 {
				t.Fatalf("no data: %s", r.Data)
			}
			for field, v := range data {
				if isEmptyJSONValue(v) {
					t.Errorf("%s is empty: %s", field, v)
				}
			}
			// A query writes nothing; a curation tab writes, and, sent again as a retry with
			// its idempotency key, returns the first answer and writes nothing more.
			after := fingerprint(t)
			switch {
			case !mutation && after != before:
				t.Errorf("the query changed the graph")
			case mutation && after == before:
				t.Errorf("the mutation wrote nothing")
			case mutation:
				again := ts.postAs(t, token, ex.Query, ex.Variables)
				if len(again.Errors) > 0 || string(again.Data) != string(r.Data) {
					t.Errorf("the retry answered %s %+v, not the first answer %s", again.Data, again.Errors, r.Data)
				}
				if fingerprint(t) != after {
					t.Errorf("the retry with the same idempotency key wrote again")
				}
			}
			i := slices.IndexFunc(exampleChecks, func(c exampleCheck) bool {
				return c.operation == op || c.title == ex.Title
			})
			if i < 0 {
				t.Logf("%s (%s): no check of its answer here beyond non-empty data", op, ex.Title)
				return
			}
			checked[exampleChecks[i].operation] = true
			exampleChecks[i].check(t, r.Data)
		})
	}
	for _, c := range exampleChecks {
		if !checked[c.operation] {
			t.Errorf("no example query %s (%q) in web/examples/", c.operation, c.title)
		}
	}
}

// exampleIsMutation reports whether an example's one operation is a mutation.
func exampleIsMutation(t *testing.T, name, query string) bool {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Name: name, Input: query})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return len(doc.Operations) == 1 && doc.Operations[0].Operation == ast.Mutation
}

// exampleOperationName returns the name of the one operation of an example query.
func exampleOperationName(t *testing.T, name, query string) string {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Name: name, Input: query})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(doc.Operations) != 1 || doc.Operations[0].Name == "" {
		t.Fatalf("%s: want one named operation, have %d", name, len(doc.Operations))
	}
	return doc.Operations[0].Name
}

func unmarshalExampleData(t *testing.T, raw json.RawMessage, into any) {
	t.Helper()
	if err := json.Unmarshal(raw, into); err != nil {
		t.Fatalf("data %s: %v", raw, err)
	}
}

// isEmptyJSONValue reports whether v is null, an empty list or an empty object.
func isEmptyJSONValue(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0, string(v) == "null":
		return true
	case v[0] == '[' || v[0] == '{':
		var x []any
		var m map[string]any
		if json.Unmarshal(v, &x) == nil {
			return len(x) == 0
		}
		return json.Unmarshal(v, &m) == nil && len(m) == 0
	}
	return false
}
