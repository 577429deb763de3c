package server_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

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
	db := seededDB(t)
	ts := newTestServer(t, db, db)
	checked := map[string]bool{}
	for _, ex := range examples {
		op := exampleOperationName(t, ex.Name, ex.Query)
		t.Run(ex.Name, func(t *testing.T) {
			r := ts.post(t, ex.Query, ex.Variables)
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
