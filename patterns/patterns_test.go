package patterns_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/patterns"
)

func TestShippedPatternsParse(t *testing.T) {
	ps, err := patterns.Read(patterns.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 6 {
		t.Fatalf("%d patterns shipped, want at least 6", len(ps))
	}
	for i, p := range ps {
		if i > 0 && ps[i-1].Name >= p.Name {
			t.Errorf("not sorted by name: %s before %s", ps[i-1].Name, p.Name)
		}
		if p.Description == "" || p.Cypher == "" || strings.HasPrefix(p.Cypher, "//") {
			t.Errorf("%s: description %q, query starts %.20q", p.Name, p.Description, p.Cypher)
		}
		if err := patterns.Check(p); err != nil {
			t.Error(err)
		}
	}
	cva := find(t, ps, "claimed-vs-attributed")
	want := []incidentgraph.PatternParam{
		{Name: "minConfidence", Type: "INT", Description: "Only attributions at least this sure (0–100).", Default: int64(0)},
		{Name: "incident", Type: "ID", Description: "Only this incident."},
		{Name: "includeRetracted", Type: "BOOLEAN", Default: false,
			Description: "Also count assertions a curator retracted (left out by default: a retracted assertion is no longer asserted)."},
	}
	if len(cva.Params) != len(want) {
		t.Fatalf("claimed-vs-attributed params = %+v", cva.Params)
	}
	for i := range want {
		if cva.Params[i] != want[i] {
			t.Errorf("param %d = %+v, want %+v", i, cva.Params[i], want[i])
		}
	}
	if p := find(t, ps, "asserted-by"); !p.Params[0].Required || p.Params[0].Name != "party" {
		t.Errorf("asserted-by's party should be required: %+v", p.Params[0])
	}
}

// TestShippedPatternsLeaveRetractedOut: every shipped pattern declares includeRetracted, off by
// default, and says so in its description, so that a curator's retraction takes an assertion out
// of every saved pattern unless the analyst asks for it (what each does with it is checked
// against the real graph in neo4j's TestPatternsLeaveRetractedAssertionsOut). Read checks that
// the declared parameter is used in the query.
func TestShippedPatternsLeaveRetractedOut(t *testing.T) {
	ps, err := patterns.Read(patterns.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		i := slices.IndexFunc(p.Params, func(pp incidentgraph.PatternParam) bool { return pp.Name == "includeRetracted" })
		if i < 0 {
			t.Errorf("%s: no includeRetracted parameter", p.Name)
			continue
		}
		if pp := p.Params[i]; pp.Type != "BOOLEAN" || pp.Required || pp.Default != false {
			t.Errorf("%s: includeRetracted is %+v, want an optional BOOLEAN, false by default", p.Name, pp)
		}
		if !strings.Contains(p.Description, "includeRetracted") || !strings.Contains(p.Description, "retracted") {
			t.Errorf("%s: the description does not say retracted assertions are left out: %q", p.Name, p.Description)
		}
		if !strings.Contains(p.Cypher, "$includeRetracted OR") {
			t.Errorf("%s: no condition on $includeRetracted", p.Name)
		}
	}
}

func find(t *testing.T, ps []*incidentgraph.Pattern, name string) *incidentgraph.Pattern {
	t.Helper()
	for _, p := range ps {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no pattern %s", name)
	return nil
}

const goodHeader = "// name: p\n// description: A pattern.\n"

func TestReadRejectsMalformedFiles(t *testing.T) {
	// Control: the minimal file the cases below break one rule of is accepted.
	good := goodHeader + "// param: id ID \"An id.\"\nMATCH (n:Entity {id: $id}) RETURN n\n"
	if ps, err := patterns.Read(fstest.MapFS{"p.cypher": {Data: []byte(good)}}); err != nil || len(ps) != 1 || ps[0].Cypher != "MATCH (n:Entity {id: $id}) RETURN n" {
		t.Fatalf("good file: %v, %+v", err, ps)
	}
	for _, c := range []struct{ file, src, want string }{
		{"p.cypher", goodHeader + "// colour: red\nRETURN 1", "p.cypher:3: unknown header key \"colour\""},
		{"p.cypher", goodHeader + "// just words\nRETURN 1", "p.cypher:3: header line is not `key: value`"},
		{"p.cypher", goodHeader + "// param: x NUMBER \"X.\"\nRETURN $x", "p.cypher:3: parameter x: unknown type \"NUMBER\""},
		{"p.cypher", goodHeader + "// param: x INT \"X.\"\n// param: x STRING \"Again.\"\nRETURN $x", "p.cypher:4: parameter \"x\" declared twice (first on line 3)"},
		{"p.cypher", goodHeader + "// param: x INT = 1.5 \"X.\"\nRETURN $x", "p.cypher:3: parameter x: bad default: must be an integer"},
		{"p.cypher", goodHeader + "// param: x INT = \"one\" \"X.\"\nRETURN $x", "p.cypher:3: parameter x: bad default: must be an integer"},
		{"p.cypher", goodHeader + "// param: x DATE = \"2024-13\" \"X.\"\nRETURN $x", "p.cypher:3: parameter x: bad default: date \"2024-13\" is not a real month"},
		{"p.cypher", goodHeader + "// param: x ID = \"Not An Id\" \"X.\"\nRETURN $x", "p.cypher:3: parameter x: bad default: \"Not An Id\" is not a valid entity id"},
		{"p.cypher", goodHeader + "// param: x INT? = 1 \"X.\"\nRETURN $x", "p.cypher:3: parameter x: both ? and a default"},
		{"p.cypher", goodHeader + "// param: x INT = 1\nRETURN $x", "p.cypher:3: parameter x: description missing"},
		{"p.cypher", goodHeader + "// param: x-y INT \"X.\"\nRETURN 1", "p.cypher:3: parameter name \"x-y\" is not an identifier"},
		{"p.cypher", "// description: A pattern.\nRETURN 1", "p.cypher:1: missing `// name:` header line"},
		{"p.cypher", "// name: p\nRETURN 1", "p.cypher:1: missing `// description:` header line"},
		{"p.cypher", "// name: q\n// description: D.\nRETURN 1", "p.cypher:1: name \"q\" differs from the file name \"p\""},
		{"Bad_Name.cypher", "// name: Bad_Name\n// description: D.\nRETURN 1", "Bad_Name.cypher:1: name \"Bad_Name\" is not a lowercase slug"},
		{"p.cypher", goodHeader + "\n  // only a comment\n", "p.cypher:3: empty query after the header"},
		{"p.cypher", goodHeader + "MATCH (n:Entity)\nWHERE n.id = $id\nRETURN n", "p.cypher:4: $id is used but not declared"},
		{"p.cypher", goodHeader + "// param: id ID \"An id.\"\nMATCH (n:Entity {id: 'x'}) RETURN n", "p.cypher:3: parameter \"id\" is declared but never used"},
		// A $name in a comment, a string or a backquoted name is not a use.
		{"p.cypher", goodHeader + "// param: id ID \"An id.\"\nMATCH (n:Entity) // n.id = $id\nWHERE n.name = '$id' OR n.x = \"$id\" OR n.`$id` = 1\n/* $id */ RETURN n", "p.cypher:3: parameter \"id\" is declared but never used"},
	} {
		_, err := patterns.Read(fstest.MapFS{c.file: {Data: []byte(c.src)}})
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q:\n got %v\nwant %s…", c.src, err, c.want)
		}
	}
}

func TestReadReportsEveryBadFile(t *testing.T) {
	_, err := patterns.Read(fstest.MapFS{
		"a.cypher": {Data: []byte("// name: a\nRETURN 1")},
		"b.cypher": {Data: []byte(goodHeader + "RETURN 1")},
		"c.cypher": {Data: []byte("// name: c\n// description: C.\nRETURN 1")},
	})
	if err == nil || !strings.Contains(err.Error(), "a.cypher:1:") || !strings.Contains(err.Error(), "b.cypher:1:") || strings.Contains(err.Error(), "c.cypher") {
		t.Errorf("got %v, want a.cypher and b.cypher reported and c.cypher not", err)
	}
}

func TestParamForms(t *testing.T) {
	src := goodHeader + `// param: s STRING = "a \"quoted\" word" "S."
// param: l STRING_LIST = ["a", "b"] "L."
// param: f FLOAT = 0.5 "F."
// param: b BOOLEAN = true "B."
// param: o DATE? "O."
// param: r INT "R."
RETURN $s, $l, $f, $b, $o, $r, $` + "`s`"
	ps, err := patterns.Read(fstest.MapFS{"p.cypher": {Data: []byte(src)}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(ps[0].Params)
	want := `[{"Name":"s","Type":"STRING","Description":"S.","Required":false,"Default":"a \"quoted\" word"},` +
		`{"Name":"l","Type":"STRING_LIST","Description":"L.","Required":false,"Default":["a","b"]},` +
		`{"Name":"f","Type":"FLOAT","Description":"F.","Required":false,"Default":0.5},` +
		`{"Name":"b","Type":"BOOLEAN","Description":"B.","Required":false,"Default":true},` +
		`{"Name":"o","Type":"DATE","Description":"O.","Required":false,"Default":null},` +
		`{"Name":"r","Type":"INT","Description":"R.","Required":true,"Default":null}]`
	if string(got) != want {
		t.Errorf("params\n got %s\nwant %s", got, want)
	}
}

func TestBind(t *testing.T) {
	p := &incidentgraph.Pattern{Name: "p", Params: []incidentgraph.PatternParam{
		{Name: "id", Type: "ID", Required: true},
		{Name: "min", Type: "INT", Default: int64(10)},
		{Name: "ratio", Type: "FLOAT"},
		{Name: "on", Type: "DATE"},
		{Name: "flag", Type: "BOOLEAN"},
		{Name: "names", Type: "STRING_LIST"},
		{Name: "text", Type: "STRING"},
	}}
	got, err := patterns.Bind(p, map[string]any{"id": "islamic-state"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": "islamic-state", "min": int64(10), "ratio": nil, "on": nil, "flag": nil, "names": nil, "text": nil}
	if a, b := jsonOf(got), jsonOf(want); a != b || len(got) != len(want) {
		t.Errorf("defaults: got %s, want %s", a, b)
	}
	if got["min"] != int64(10) {
		t.Errorf("min = %T %v, want int64 10", got["min"], got["min"])
	}

	got, err = patterns.Bind(p, map[string]any{
		"id": "isk", "min": json.Number("65"), "ratio": 2, "on": "2024-03", "flag": true,
		"names": []any{"a", "b"}, "text": "$x",
	})
	if err != nil {
		t.Fatal(err)
	}
	if got["min"] != int64(65) || got["ratio"] != float64(2) || got["on"] != "2024-03" || got["flag"] != true || got["text"] != "$x" {
		t.Errorf("converted: %#v", got)
	}
	if l, ok := got["names"].([]string); !ok || len(l) != 2 || l[1] != "b" {
		t.Errorf("names = %#v", got["names"])
	}
	for _, n := range []any{float64(65), int64(65), int(65), json.Number("65.0"), float32(65)} {
		got, err := patterns.Bind(p, map[string]any{"id": "x", "min": n})
		if err != nil || got["min"] != int64(65) {
			t.Errorf("min %T %v: %v, %v", n, n, got["min"], err)
		}
	}

	for _, c := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{}, `pattern p needs parameter "id" (ID)`},
		{map[string]any{"id": nil}, `pattern p needs parameter "id" (ID)`},
		{map[string]any{"id": "x", "colour": "red"}, `pattern p has no parameter "colour"; it takes parameters id, min, ratio, on, flag, names, text`},
		{map[string]any{"id": "Not An Id"}, `pattern p, parameter "id": "Not An Id" is not a valid entity id`},
		{map[string]any{"id": 7}, `pattern p, parameter "id": must be an entity id (a string), got a number`},
		{map[string]any{"id": "x", "min": 6.5}, `pattern p, parameter "min": must be an integer, got 6.5`},
		{map[string]any{"id": "x", "min": json.Number("6.5")}, `pattern p, parameter "min": must be an integer, got 6.5`},
		{map[string]any{"id": "x", "min": "6"}, `pattern p, parameter "min": must be an integer, got a string`},
		{map[string]any{"id": "x", "min": 1e19}, `pattern p, parameter "min": must be an integer`},
		{map[string]any{"id": "x", "ratio": "0.5"}, `pattern p, parameter "ratio": must be a number, got a string`},
		{map[string]any{"id": "x", "on": "2024-02-30"}, `pattern p, parameter "on": date "2024-02-30" is not a real day`},
		{map[string]any{"id": "x", "on": "March 2024"}, `pattern p, parameter "on": date "March 2024" must be YYYY-MM-DD, YYYY-MM or YYYY`},
		{map[string]any{"id": "x", "flag": "true"}, `pattern p, parameter "flag": must be true or false, got a string`},
		{map[string]any{"id": "x", "names": []any{"a", 1}}, `pattern p, parameter "names": must be a list of strings; item 1 is a number`},
		{map[string]any{"id": "x", "names": "a"}, `pattern p, parameter "names": must be a list of strings, got a string`},
		{map[string]any{"id": "x", "text": []any{"a"}}, `pattern p, parameter "text": must be a string, got a list`},
	} {
		_, err := patterns.Bind(p, c.args)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || incidentgraph.ErrorCode(err) != incidentgraph.EINVALID {
			t.Errorf("%v:\n got %v (%s)\nwant %s…", c.args, err, incidentgraph.ErrorCode(err), c.want)
		}
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestCheckRefusesWhatAFileCouldNotDeclare(t *testing.T) {
	ok := &incidentgraph.Pattern{Name: "p", Description: "D.", Cypher: "MATCH (n:Entity {id: $id}) RETURN n",
		Params: []incidentgraph.PatternParam{{Name: "id", Type: "ID", Required: true}}}
	if err := patterns.Check(ok); err != nil {
		t.Fatalf("control: %v", err)
	}
	for _, c := range []struct {
		mutate func(p *incidentgraph.Pattern)
		want   string
	}{
		{func(p *incidentgraph.Pattern) { p.Params = nil }, "$id is used but not declared"},
		{func(p *incidentgraph.Pattern) { p.Cypher = "MATCH (n:Entity) RETURN n" }, `parameter "id" is declared but never used`},
		{func(p *incidentgraph.Pattern) { p.Name = "P!" }, "is not a lowercase slug"},
		{func(p *incidentgraph.Pattern) { p.Params[0].Type = "NODE" }, `bad or duplicate parameter "id"`},
		{func(p *incidentgraph.Pattern) { p.Description = " " }, "no description"},
	} {
		p := *ok
		p.Params = append([]incidentgraph.PatternParam(nil), ok.Params...)
		c.mutate(&p)
		if err := patterns.Check(&p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want …%s…", err, c.want)
		}
	}
}
