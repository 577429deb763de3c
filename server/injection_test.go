package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/seed"
	"github.com/incidentgraph/incidentgraph/server"
)

// injectionLeftOut are the fields with arguments that TestInjectionThroughEveryArgument does not
// reach, each with the reason. A new field with arguments is covered, or must be listed here.
var injectionLeftOut = map[string]string{
	"Mutation.*": "writes: each mutation's input is to be added here with a curator token, the oracle being the fingerprint after the legitimate write",
}

// injectionPayloads reads testdata/injection.txt: one Go-quoted string a line, "TEXT" * N
// repeating TEXT, # starting a comment.
func injectionPayloads(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../testdata/injection.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		times := 1
		if i := strings.LastIndex(line, `" * `); i > 0 {
			if times, err = strconv.Atoi(line[i+4:]); err != nil {
				t.Fatalf("injection.txt:%d: %v", n, err)
			}
			line = line[:i+1]
		}
		s, err := strconv.Unquote(line)
		if err != nil {
			t.Fatalf("injection.txt:%d: %v", n, err)
		}
		out = append(out, strings.Repeat(s, times))
	}
	if len(out) < 20 {
		t.Fatalf("only %d payloads", len(out))
	}
	return out
}

// injTarget is one place a payload goes: an operation with a variable $v and how to wrap the
// payload into $v's value.
type injTarget struct {
	name  string
	query string
	wrap  func(string) any
	// id: the payload stands for an entity id, so the answer may name no entity that the
	// same question about an id that does not exist leaves out.
	id bool
}

// valid are literal values for the arguments a target needs besides the one it injects into.
var validArgs = map[string]string{
	"id": `"islamic-state"`, "from": `"kabul-airport-bombing-2021"`, "to": `"moscow-concert-hall-attack-2024"`,
	"ids": `["islamic-state", "islamic-state-khorasan-province"]`, "text": `"Islamic"`, "actor": `"islamic-state"`,
	"query": `"MATCH (n:Entity) RETURN n.id LIMIT 1"`, "name": `"claims-vs-attributions"`,
}

func literalFor(schema *ast.Schema, a *ast.ArgumentDefinition) string {
	if v, ok := validArgs[a.Name]; ok {
		return v
	}
	def := schema.Types[a.Type.Name()]
	lit := `"x"`
	switch {
	case def.Kind == ast.Enum:
		lit = def.EnumValues[0].Name
	case def.Kind == ast.InputObject:
		lit = "{}"
	case def.Name == "Int":
		lit = "1"
	case def.Name == "Float":
		lit = "1.0"
	case def.Name == "Boolean":
		lit = "false"
	case def.Name == "ID":
		lit = `"islamic-state"`
	case def.Name == "PartialDate":
		lit = `"2024"`
	}
	if a.Type.Elem != nil {
		lit = "[" + lit + "]"
	}
	return lit
}

// injectable reports whether a value of the named type can carry text.
func injectable(schema *ast.Schema, name string) bool {
	def := schema.Types[name]
	return def.Kind == ast.Enum || slices.Contains([]string{"String", "ID", "PartialDate", "JSON"}, name)
}

// carriesText reports whether a value of the named type can carry text, itself or in a field.
func carriesText(schema *ast.Schema, name string) bool {
	if injectable(schema, name) {
		return true
	}
	if def := schema.Types[name]; def.Kind == ast.InputObject {
		for _, f := range def.Fields {
			if injectable(schema, f.Type.Name()) {
				return true
			}
		}
	}
	return false
}

// wrapFor wraps a payload into a value of type ty (lists of it as deep as ty is).
func wrapFor(schema *ast.Schema, ty *ast.Type) func(string) any {
	if ty.Elem != nil {
		inner := wrapFor(schema, ty.Elem)
		return func(p string) any { return []any{inner(p)} }
	}
	if ty.NamedType == "JSON" {
		return func(p string) any { return map[string]any{"p": p, "id": p} }
	}
	return func(p string) any { return p }
}

// injectionTargets walks the schema: every argument of Query's fields and of the entity types'
// fields that carries text (String, ID, enums as strings, dates, JSON), directly or as a field of
// an input object, becomes a target. The fields it cannot reach are returned.
func injectionTargets(t *testing.T) ([]injTarget, []string) {
	t.Helper()
	src, err := os.ReadFile("../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(src)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	ds, err := seed.Read(seed.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	// An entity of each kind, to reach the fields of each entity type.
	idOfType := map[string]string{}
	for _, e := range ds.Entities {
		k := string(e.Kind)
		name := k[:1] + strings.ToLower(k[1:])
		if _, ok := idOfType[name]; !ok {
			idOfType[name] = e.ID
		}
	}
	var targets []injTarget
	var missed []string
	add := func(owner string, f *ast.FieldDefinition, frame func(call string) string) {
		sel := ""
		if def := schema.Types[f.Type.Name()]; def.Kind != ast.Scalar && def.Kind != ast.Enum {
			sel = " { __typename }"
		}
		for _, a := range f.Arguments {
			// The other arguments it needs, with valid values.
			others := func() string {
				var parts []string
				for _, o := range f.Arguments {
					if o != a && o.Type.NonNull && o.DefaultValue == nil {
						parts = append(parts, o.Name+": "+literalFor(schema, o))
					}
				}
				return strings.Join(parts, ", ")
			}()
			call := func() string {
				args := "" + a.Name + ": $v"
				if others != "" {
					args += ", " + others
				}
				return f.Name + "(" + args + ")" + sel
			}()
			q := "query($v: " + a.Type.String() + ") { " + frame(call) + " }"
			name := owner + "." + f.Name + "(" + a.Name
			if injectable(schema, a.Type.Name()) {
				targets = append(targets, injTarget{name + ")", q, wrapFor(schema, a.Type), a.Type.Name() == "ID"})
				continue
			}
			if def := schema.Types[a.Type.Name()]; def.Kind == ast.InputObject {
				for _, in := range def.Fields {
					if !injectable(schema, in.Type.Name()) {
						continue
					}
					inner := wrapFor(schema, in.Type)
					key := in.Name
					targets = append(targets, injTarget{name + "." + key + ")", q, func(p string) any {
						return map[string]any{key: inner(p)}
					}, in.Type.Name() == "ID" || key == "assertedBy"})
				}
			}
		}
	}
	for _, f := range schema.Query.Fields {
		if !strings.HasPrefix(f.Name, "__") {
			add("Query", f, func(call string) string { return call })
		}
	}
	for _, def := range schema.Types {
		if def.Kind != ast.Object || def == schema.Query || def == schema.Mutation || strings.HasPrefix(def.Name, "__") {
			continue
		}
		for _, f := range def.Fields {
			if len(f.Arguments) == 0 {
				continue
			}
			id, ok := idOfType[def.Name]
			if !ok {
				for _, a := range f.Arguments {
					if carriesText(schema, a.Type.Name()) {
						missed = append(missed, def.Name+"."+f.Name)
					}
				}
				continue
			}
			add(def.Name, f, func(call string) string {
				return fmt.Sprintf(`entity(id: %q) { ... on %s { %s } }`, id, def.Name, call)
			})
		}
	}
	if schema.Mutation != nil && len(schema.Mutation.Fields) > 0 {
		missed = append(missed, "Mutation.*")
	}
	slices.Sort(missed)
	slices.SortFunc(targets, func(a, b injTarget) int { return strings.Compare(a.name, b.name) })
	return targets, slices.Compact(missed)
}

// injAnswer is what came back for one payload.
type injAnswer struct {
	status int
	body   []byte
}

// injectionFaults is the oracle for one answer: no 5xx, every error coded and not INTERNAL, no
// secret in the body, and for an id the answer names no entity that the control answer (the
// same question about an id that does not exist) does not.
func injectionFaults(a, control injAnswer, id bool, secret string) []string {
	var faults []string
	if a.status >= 500 {
		faults = append(faults, fmt.Sprintf("status %d", a.status))
	}
	if secret != "" && strings.Contains(string(a.body), secret) {
		faults = append(faults, "the answer holds a token's secret")
	}
	var r struct {
		Data   any `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(a.body, &r); err != nil {
		return append(faults, fmt.Sprintf("body %.200q is not JSON: %v", a.body, err))
	}
	for _, e := range r.Errors {
		if code, _ := e.Extensions["code"].(string); code == "" || code == incidentgraph.EINTERNAL {
			faults = append(faults, fmt.Sprintf("error %q has code %q", e.Message, code))
		}
	}
	if id {
		var c struct{ Data any }
		_ = json.Unmarshal(control.body, &c)
		known := map[string]bool{}
		collectIDs(c.Data, known)
		got := map[string]bool{}
		collectIDs(r.Data, got)
		for x := range got {
			if !known[x] {
				faults = append(faults, fmt.Sprintf("the answer names %q, which the same question about an unknown id does not", x))
			}
		}
	}
	return faults
}

// collectIDs gathers the values of every "id" key in a decoded JSON answer.
func collectIDs(v any, into map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, y := range x {
			if s, ok := y.(string); ok && k == "id" {
				into[s] = true
			}
			collectIDs(y, into)
		}
	case []any:
		for _, y := range x {
			collectIDs(y, into)
		}
	}
}

// TestInjectionThroughEveryArgument sends every payload of testdata/injection.txt through every
// text argument of the read API (found by walking the schema), as a variable, with an admin's
// token so that every field runs, and through every GET /export parameter, over real HTTP to the
// real Neo4j. Each answer passes injectionFaults, and the graph's fingerprint is unchanged at the
// end (its own negative control is neo4j's TestFingerprintSeesEveryChange).
func TestInjectionThroughEveryArgument(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	secret, err := db.CreateToken(ctx, "injection-admin", incidentgraph.RoleAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.RevokeToken(context.Background(), "injection-admin") })
	// Every payload is sent, one after the other: the rate and in-flight limits are for clients.
	logs := &syncBuffer{}
	cfg := server.DefaultConfig()
	cfg.RatePerToken, cfg.RatePerAddress, cfg.MaxInFlight = 0, 0, 0
	if err := db.EnsureCurationSchema(ctx); err != nil {
		t.Fatal(err)
	}
	svc := services(t, db, db)
	svc.Curation = db // the audit log and histories are read through it
	ts := httptest.NewServer(server.NewServer(zerolog.New(logs), cfg, svc))
	t.Cleanup(ts.Close)
	payloads := injectionPayloads(t)
	targets, missed := injectionTargets(t)
	for _, m := range missed {
		if _, ok := injectionLeftOut[m]; !ok {
			t.Errorf("%s has arguments the injection test cannot reach: cover it or list it in injectionLeftOut with a reason", m)
		}
	}
	before, err := db.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	send := func(query string, vars map[string]any) injAnswer {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/graphql", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return injAnswer{resp.StatusCode, b}
	}
	sent := 0
	for _, tg := range targets {
		control := send(tg.query, map[string]any{"v": tg.wrap("no-such-entity-zz")})
		for _, p := range payloads {
			a := send(tg.query, map[string]any{"v": tg.wrap(p)})
			sent++
			for _, fault := range injectionFaults(a, control, tg.id, secret) {
				t.Errorf("%s with %.60q: %s: %.300s", tg.name, p, fault, a.body)
				if t.Failed() && testing.Verbose() {
					for _, l := range strings.Split(logs.String(), "\n") {
						if !strings.Contains(l, `"level":"info"`) {
							t.Log(l)
						}
					}
					t.FailNow()
				}
			}
		}
	}
	// GET /export: each parameter in turn, the others valid.
	for _, param := range []string{"of", "format", "id", "from", "to", "depth", "limit", "first", "types", "statuses", "knownAt", "validAt", "minConfidence", "assertedBy"} {
		for _, p := range payloads {
			q := url.Values{"of": {"neighborhood"}, "id": {"islamic-state"}, "format": {"json"}}
			q.Set(param, p)
			req, _ := http.NewRequest(http.MethodGet, ts.URL+"/export?"+q.Encode(), nil)
			req.Header.Set("Authorization", "Bearer "+secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			sent++
			if resp.StatusCode >= 500 || strings.Contains(string(b), secret) {
				t.Errorf("GET /export %s=%.60q: status %d, %.200s", param, p, resp.StatusCode, b)
			}
			if resp.StatusCode >= 400 && !strings.Contains(string(b), `"code"`) || strings.Contains(string(b), incidentgraph.EINTERNAL) {
				t.Errorf("GET /export %s=%.60q: status %d without a specific code: %.200s", param, p, resp.StatusCode, b)
			}
		}
	}
	after, err := db.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("the graph changed during the injection run")
	}
	t.Logf("%d targets found in the schema, %d payloads, %d requests; left out: %v", len(targets), len(payloads), sent, missed)
}

// TestInjectionOracleFindsFaults is the negative control of injectionFaults: answers that leak,
// fail as internal errors or go uncoded are faulted; a coded refusal and an empty answer are not.
func TestInjectionOracleFindsFaults(t *testing.T) {
	control := injAnswer{200, []byte(`{"data":{"entity":null}}`)}
	for _, tc := range []struct {
		name string
		a    injAnswer
		want string
	}{
		{"5xx", injAnswer{502, []byte(`{}`)}, "status 502"},
		{"internal", injAnswer{200, []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)}, `code "INTERNAL"`},
		{"uncoded", injAnswer{200, []byte(`{"errors":[{"message":"boom"}]}`)}, `code ""`},
		{"leak", injAnswer{200, []byte(`{"data":{"entity":{"id":"islamic-state"}}}`)}, `names "islamic-state"`},
		{"secret", injAnswer{200, []byte(`{"data":{"x":"s3cret"}}`)}, "secret"},
		{"not json", injAnswer{400, []byte(`oops`)}, "not JSON"},
	} {
		faults := injectionFaults(tc.a, control, true, "s3cret")
		if !strings.Contains(strings.Join(faults, "\n"), tc.want) {
			t.Errorf("%s: faults %q, want one saying %q", tc.name, faults, tc.want)
		}
	}
	for _, ok := range []injAnswer{control, {200, []byte(`{"errors":[{"message":"id: bad","extensions":{"code":"BAD_USER_INPUT"}}],"data":null}`)}} {
		if faults := injectionFaults(ok, control, true, "s3cret"); len(faults) > 0 {
			t.Errorf("%s faulted: %q", ok.body, faults)
		}
	}
}
