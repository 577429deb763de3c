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
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/graph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/seed"
	"github.com/incidentgraph/incidentgraph/server"
)

// injectionLeftOut are the fields with arguments that TestInjectionThroughEveryArgument does not
// reach, each with the reason. A new field with arguments is covered, or must be listed here.
var injectionLeftOut = map[string]string{}

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

// loadSchema returns the API's schema as the server serves it (every part of it).
func loadSchema(t *testing.T) *ast.Schema {
	t.Helper()
	return graph.NewExecutableSchema(graph.Config{}).Schema()
}

// injectionTargets walks the schema: every argument of Query's fields and of the entity types'
// fields that carries text (String, ID, enums as strings, dates, JSON), directly or as a field of
// an input object, becomes a target. The fields it cannot reach are returned.
func injectionTargets(t *testing.T) ([]injTarget, []string) {
	t.Helper()
	schema := loadSchema(t)
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

// Mutations: every text-carrying argument and input field of every mutation, with a curator's
// (or, for deletions, an admin's) token. The oracle is the graph itself, read back in full (see
// graphDump): a refused payload leaves the fingerprint unchanged; an accepted one changes only
// the items the write is about (its target, the target's audit entries, its idempotency
// record), and changes them exactly as the same write with a harmless control value does, the
// payload standing where the control value stood (so it was stored verbatim, as a value).

// injectionAcceptedIDs are id fields that take any text today, each with why. The payload must
// still be stored verbatim, as a value, and nothing else written (writeFaults).
var injectionAcceptedIDs = map[string]string{}

// mutRecipe says how to make a valid call of one mutation: base returns its variables (with
// fresh ids where it creates something; n is unique per call) and the ids the write is about.
// field is the input field (or argument) a payload goes into, for recipes that depend on it.
type mutRecipe struct {
	role incidentgraph.Role
	base func(t *testing.T, m *mutFixture, field string, n int) (vars map[string]any, ids []string)
}

// entityBase is a valid CreateEntityInput of the kind that has field.
func entityBase(field, id string) map[string]any {
	kinds := map[string]string{"orgType": "ORGANIZATION", "gtdName": "ORGANIZATION", "founded": "ORGANIZATION", "dissolved": "ORGANIZATION",
		"iso2": "COUNTRY", "role": "PERSON", "nationality": "PERSON", "placeType": "PLACE", "countryCode": "PLACE",
		"date": "INCIDENT", "endDate": "INCIDENT", "summary": "INCIDENT", "outcome": "INCIDENT", "eventType": "EVENT",
		"publisher": "SOURCE", "published": "SOURCE", "url": "SOURCE", "sourceType": "SOURCE", "accessed": "SOURCE"}
	in := map[string]any{"id": id, "name": "Injection probe"}
	switch k := kinds[field]; k {
	case "COUNTRY":
		in["kind"], in["iso2"] = k, "ZZ"
	case "PERSON":
		in["kind"], in["role"] = k, "spokesman"
	case "PLACE":
		in["kind"], in["placeType"], in["countryCode"] = k, "CITY", "ZZ"
	case "INCIDENT":
		in["kind"], in["date"], in["endDate"], in["outcome"], in["summary"] = k, "2024-03-22", "2024-03-23", "SUCCESSFUL", "s"
	case "EVENT":
		in["kind"], in["eventType"], in["date"] = k, "STATEMENT", "2024-03-23"
	case "SOURCE":
		in["kind"], in["publisher"], in["published"], in["sourceType"], in["url"], in["accessed"] = k, "P", "2024-03-23", "NEWS", "https://example.org/a", "2024-03-24"
	default:
		in["kind"], in["orgType"], in["gtdName"], in["founded"], in["dissolved"] = "ORGANIZATION", "MILITANT_GROUP", "g", "2014", "2020"
	}
	in["description"], in["aliases"], in["sources"] = "d", []any{"a"}, []any{injSource}
	return in
}

const (
	injSource    = "ap-2024-03-23-moscow-attack-explainer"
	injPublisher = "associated-press"
	injIncident  = "moscow-concert-hall-attack-2024"
)

func relBase(id string) map[string]any {
	return map[string]any{"id": id, "from": "islamic-state-khorasan-province", "type": "AFFILIATE_OF", "to": "islamic-state",
		"status": "REPORTED", "confidence": 50, "assertedBy": injPublisher, "sources": []any{injSource},
		"quote": "q", "basis": "b", "validFrom": "2015", "validTo": "2024", "assertedOn": "2024-03-23", "note": "n"}
}

var mutRecipes = map[string]mutRecipe{
	"createEntity": {incidentgraph.RoleCurator, func(t *testing.T, m *mutFixture, field string, n int) (map[string]any, []string) {
		id := fmt.Sprintf("inj-e-%d", n)
		return map[string]any{"input": entityBase(field, id)}, []string{id}
	}},
	"updateEntity": {incidentgraph.RoleCurator, func(t *testing.T, m *mutFixture, field string, n int) (map[string]any, []string) {
		id := m.entity(t, field, n)
		in := entityBase(field, id)
		delete(in, "id")
		delete(in, "kind")
		in["name"] = "Updated probe"
		return map[string]any{"id": id, "version": m.version(t, id), "input": in}, []string{id}
	}},
	"addRelationship": {incidentgraph.RoleCurator, func(t *testing.T, m *mutFixture, field string, n int) (map[string]any, []string) {
		id := fmt.Sprintf("inj-r-%d", n)
		return map[string]any{"input": relBase(id)}, []string{id}
	}},
	"updateRelationship": {incidentgraph.RoleCurator, func(t *testing.T, m *mutFixture, field string, n int) (map[string]any, []string) {
		id := m.relationship(t, n)
		in := relBase("")
		for _, k := range []string{"id", "from", "type", "to", "assertedBy"} {
			delete(in, k)
		}
		in["confidence"] = 60
		return map[string]any{"id": id, "version": m.version(t, id), "input": in}, []string{id}
	}},
	"retractRelationship": {incidentgraph.RoleCurator, func(t *testing.T, m *mutFixture, field string, n int) (map[string]any, []string) {
		id := m.relationship(t, n)
		return map[string]any{"id": id, "version": m.version(t, id), "reason": "withdrawn"}, []string{id}
	}},
	"addSource": {incidentgraph.RoleCurator, func(t *testing.T, m *mutFixture, field string, n int) (map[string]any, []string) {
		id := fmt.Sprintf("inj-s-%d", n)
		return map[string]any{"input": map[string]any{"id": id, "title": "T", "publisher": "P", "published": "2024-03-23",
			"sourceType": "NEWS", "url": "https://example.org/s", "accessed": "2024-03-24"}}, []string{id}
	}},
	"addFigureReport": {incidentgraph.RoleCurator, func(t *testing.T, m *mutFixture, field string, n int) (map[string]any, []string) {
		id := fmt.Sprintf("inj-f-%d", n)
		return map[string]any{"input": map[string]any{"id": id, "subject": injIncident, "metric": "KILLED", "value": 1,
			"qualifier": "AT_LEAST", "population": "p", "asOf": "2024-03-23", "status": "REPORTED", "confidence": 50,
			"assertedBy": injPublisher, "sources": []any{injSource}, "quote": "q", "note": "n"}}, []string{id}
	}},
	"mergeEntities": {incidentgraph.RoleCurator, func(t *testing.T, m *mutFixture, field string, n int) (map[string]any, []string) {
		a, b := m.entity(t, "", n), m.entity(t, "", n+1)
		return map[string]any{"survivor": a, "survivorVersion": m.version(t, a), "duplicate": b, "duplicateVersion": m.version(t, b)}, []string{a, b}
	}},
	"deleteEntity": {incidentgraph.RoleAdmin, func(t *testing.T, m *mutFixture, field string, n int) (map[string]any, []string) {
		id := m.entity(t, "", n)
		return map[string]any{"id": id, "version": m.version(t, id), "reason": "a duplicate"}, []string{id}
	}},
	"deleteRelationship": {incidentgraph.RoleAdmin, func(t *testing.T, m *mutFixture, field string, n int) (map[string]any, []string) {
		id := m.relationship(t, n)
		return map[string]any{"id": id, "version": m.version(t, id), "reason": "a mistake"}, []string{id}
	}},
}

// mutTarget is one place a payload goes: a mutation, the argument or input field, whether it
// sits in the input object, and how to wrap the payload into its value.
type mutTarget struct {
	mutation, arg, field string // field "" when the argument itself carries the payload
	query                string
	wrap                 func(string) any
	free                 bool // free text (String, not an id, enum or date): any payload is accepted
}

func (m mutTarget) name() string {
	if m.field != "" {
		return "Mutation." + m.mutation + "(" + m.arg + "." + m.field + ")"
	}
	return "Mutation." + m.mutation + "(" + m.arg + ")"
}

// mutationTargets walks the schema's mutations: every argument that carries text, and every
// text field of an input-object argument, is a target. Mutations without a recipe are returned.
func mutationTargets(t *testing.T) ([]mutTarget, []string) {
	t.Helper()
	schema := loadSchema(t)
	var targets []mutTarget
	var missed []string
	for _, f := range schema.Mutation.Fields {
		if _, ok := mutRecipes[f.Name]; !ok {
			missed = append(missed, "Mutation."+f.Name)
			continue
		}
		var decls, args []string
		for _, a := range f.Arguments {
			decls = append(decls, "$"+a.Name+": "+a.Type.String())
			args = append(args, a.Name+": $"+a.Name)
		}
		sel := ""
		if def := schema.Types[f.Type.Name()]; def.Kind != ast.Scalar {
			sel = " { __typename id }"
		}
		q := "mutation(" + strings.Join(decls, ", ") + ") { " + f.Name + "(" + strings.Join(args, ", ") + ")" + sel + " }"
		free := func(ty *ast.Type) bool { return ty.Name() == "String" }
		for _, a := range f.Arguments {
			if injectable(schema, a.Type.Name()) {
				targets = append(targets, mutTarget{f.Name, a.Name, "", q, wrapFor(schema, a.Type), free(a.Type)})
				continue
			}
			if def := schema.Types[a.Type.Name()]; def.Kind == ast.InputObject {
				for _, in := range def.Fields {
					if injectable(schema, in.Type.Name()) {
						targets = append(targets, mutTarget{f.Name, a.Name, in.Name, q, wrapFor(schema, in.Type), free(in.Type)})
					}
				}
			}
		}
	}
	return targets, missed
}

// mutFixture is the real server over the real Neo4j with a curator's and an admin's token.
type mutFixture struct {
	db      *neo4j.DB
	ts      *httptest.Server
	logs    *syncBuffer
	secrets map[incidentgraph.Role]string
	kinds   map[string]string // updateEntity's entity per kind of field, made once
	rel     string            // updateRelationship's relationship, made once
	made    int
}

func newMutFixture(t *testing.T) *mutFixture {
	t.Helper()
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	t.Cleanup(func() { testdb.MustSeed(t, db) }) // the read-only tests of this package expect the seed
	ctx := context.Background()
	if err := db.EnsureCurationSchema(ctx); err != nil {
		t.Fatal(err)
	}
	// Every payload is sent, one after the other: the rate and in-flight limits are for clients.
	cfg := server.DefaultConfig()
	cfg.RatePerToken, cfg.RatePerAddress, cfg.MaxInFlight = 0, 0, 0
	svc := services(t, db, db)
	svc.Curation = db
	logs := &syncBuffer{}
	ts := httptest.NewServer(server.NewServer(zerolog.New(logs), cfg, svc))
	t.Cleanup(ts.Close)
	m := &mutFixture{db: db, ts: ts, logs: logs, secrets: map[incidentgraph.Role]string{}, kinds: map[string]string{}}
	for _, role := range []incidentgraph.Role{incidentgraph.RoleCurator, incidentgraph.RoleAdmin} {
		secret, err := db.CreateToken(ctx, "inj-"+string(role), role, nil)
		if err != nil {
			t.Fatal(err)
		}
		m.secrets[role] = secret
	}
	return m
}

func (m *mutFixture) send(t *testing.T, role incidentgraph.Role, query string, vars map[string]any) injAnswer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, m.ts.URL+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+m.secrets[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return injAnswer{resp.StatusCode, b}
}

// must sends a legitimate write that prepares a target; it must succeed.
func (m *mutFixture) must(t *testing.T, query string, vars map[string]any) {
	t.Helper()
	a := m.send(t, incidentgraph.RoleCurator, query, vars)
	if strings.Contains(string(a.body), `"errors"`) {
		t.Fatalf("preparing %s: %s", query, a.body)
	}
}

// entity makes an entity of the kind that has field: once per kind for field != "", a new one
// for every call otherwise (merges and deletions use theirs up).
func (m *mutFixture) entity(t *testing.T, field string, n int) string {
	t.Helper()
	key := string(entityBase(field, "")["kind"].(string))
	if id, ok := m.kinds[key]; ok && field != "" {
		return id
	}
	m.made++
	id := fmt.Sprintf("inj-p-%d-%d", n, m.made)
	m.must(t, `mutation($in: CreateEntityInput!) { createEntity(input: $in) { id } }`, map[string]any{"in": entityBase(field, id)})
	if field != "" {
		m.kinds[key] = id
	}
	return id
}

// relationship makes a new relationship for each retraction and deletion; updates share one.
func (m *mutFixture) relationship(t *testing.T, n int) string {
	t.Helper()
	m.made++
	id := fmt.Sprintf("inj-pr-%d-%d", n, m.made)
	m.must(t, `mutation($in: AddRelationshipInput!) { addRelationship(input: $in) { id } }`, map[string]any{"in": relBase(id)})
	return id
}

func (m *mutFixture) version(t *testing.T, id string) int {
	t.Helper()
	vs, err := m.db.Versions(context.Background(), []string{id})
	if err != nil {
		t.Fatal(err)
	}
	return vs[id]
}

// graphLine is one node or relationship as graphDump reads it: ["N", labels, properties] or
// ["R", type, from id, to id, properties].
type graphLine []any

// graphDump reads the whole graph as the service sees it (not through the analysts' Cypher,
// which refuses what the service keeps beside the graph: audit entries, idempotency records,
// redirects), label by label and page by page, as JSON lines. ApiToken nodes are left out (their
// hashes are random and no mutation writes one); the node and relationship counts from Neo4j's
// count store make sure no node or relationship is out of the dump's sight.
type graphDump struct {
	lines         map[string]int
	nodes, rels   int64
	nodeLinesSeen int64
}

func dumpGraph(t *testing.T, db *neo4j.DB) graphDump {
	t.Helper()
	run := func(q string, params map[string]any) []map[string]any {
		rows := testdb.Read(t, q, params)
		for _, r := range rows {
			for k, v := range r {
				r[k] = dumpValue(v)
			}
		}
		return rows
	}
	d := graphDump{lines: map[string]int{}}
	add := func(l graphLine) {
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		d.lines[string(b)]++
	}
	page := func(q string, each func(map[string]any)) {
		for skip := 0; ; skip += incidentgraph.MaxCypherRows {
			rows := run(q, map[string]any{"skip": skip, "n": incidentgraph.MaxCypherRows})
			for _, r := range rows {
				each(r)
			}
			if len(rows) < incidentgraph.MaxCypherRows {
				return
			}
		}
	}
	// One query: every label's nodes, each node under every label it has (the same multiset
	// before and after), then every relationship, then the counts, paged by element id.
	// The labels curation writes are named as well: db.labels() may not list a label yet in
	// the moment its first node is written.
	labels := []string{"Entity", "Figure", "AuditEntry", "Idempotency", "Redirect"}
	for _, r := range run(`CALL db.labels() YIELD label RETURN label ORDER BY label`, nil) {
		if label := r["label"].(string); label != "ApiToken" && !slices.Contains(labels, label) {
			labels = append(labels, label)
		}
	}
	var parts []string
	for _, label := range labels {
		parts = append(parts, "MATCH (n:`"+strings.ReplaceAll(label, "`", "``")+"`) RETURN 'N' AS k, elementId(n) AS e, labels(n) AS l, properties(n) AS p")
	}
	parts = append(parts, `MATCH (a)-[r]->(b) RETURN 'R' AS k, elementId(r) AS e, [type(r), a.id, b.id] AS l, properties(r) AS p`,
		`MATCH (n) RETURN 'C' AS k, 'nodes' AS e, count(n) AS l, null AS p`,
		`MATCH ()-[r]->() RETURN 'C' AS k, 'rels' AS e, count(r) AS l, null AS p`)
	seen := map[string]bool{}
	page("CALL { "+strings.Join(parts, " UNION ALL ")+" } RETURN k, e, l, p ORDER BY k, e SKIP $skip LIMIT $n", func(r map[string]any) {
		l, _ := r["l"].([]any)
		switch r["k"] {
		case "N":
			seen[r["e"].(string)] = true
			slices.SortFunc(l, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
			add(graphLine{"N", l, r["p"]})
		case "R":
			add(graphLine{"R", l[0], l[1], l[2], r["p"]})
		case "C":
			if r["e"] == "nodes" {
				d.nodes = r["l"].(int64)
			} else {
				d.rels = r["l"].(int64)
			}
		}
	})
	d.nodeLinesSeen = int64(len(seen))
	return d
}

// dumpValue writes the driver's temporal values as text, so that a dump line shows them
// (dbtype.Date and its kin marshal to {} as JSON).
func dumpValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case fmt.Stringer:
		return x.String()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = dumpValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = dumpValue(e)
		}
		return out
	}
	return v
}

// graphChange is what a write changed: the lines it added and removed.
type graphChange struct {
	added, removed []graphLine
	nodes, rels    int64 // changes of the counts
	unseen         int64 // nodes the dump did not see (tokens), after minus before
}

func diffDumps(before, after graphDump) graphChange {
	var c graphChange
	for _, side := range []struct {
		from, to map[string]int
		into     *[]graphLine
	}{{before.lines, after.lines, &c.removed}, {after.lines, before.lines, &c.added}} {
		for l, n := range side.from {
			for range n - side.to[l] {
				var g graphLine
				_ = json.Unmarshal([]byte(l), &g)
				*side.into = append(*side.into, g)
			}
		}
	}
	c.nodes, c.rels = after.nodes-before.nodes, after.rels-before.rels
	c.unseen = (after.nodes - after.nodeLinesSeen) - (before.nodes - before.nodeLinesSeen)
	return c
}

func lineProps(l graphLine) map[string]any {
	p, _ := l[len(l)-1].(map[string]any)
	return p
}

func lineHasLabel(l graphLine, label string) bool {
	ls, _ := l[1].([]any)
	return l[0] == "N" && slices.Contains(ls, any(label))
}

// about reports whether a changed line belongs to a write about ids with idempotency key key:
// the items themselves, their relationships, audit entries and redirects, and the key's record.
func about(l graphLine, ids []string, key string) bool {
	p := lineProps(l)
	id, _ := p["id"].(string)
	if slices.Contains(ids, id) {
		return true
	}
	if l[0] == "R" {
		a, _ := l[2].(string)
		b, _ := l[3].(string)
		return slices.Contains(ids, a) || slices.Contains(ids, b)
	}
	if target, _ := p["targetId"].(string); lineHasLabel(l, "AuditEntry") && slices.Contains(ids, target) {
		return true
	}
	k, _ := p["key"].(string)
	return lineHasLabel(l, "Idempotency") && key != "" && strings.HasSuffix(k, "\x00"+key)
}

var timeLike = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d`)

// volatile are properties that differ between two runs of the same write (ids of audit
// entries, times, request ids and hashes, the stored answer), that count writes (version), or
// that are derived from the written value rather than stored as given (an entity's search
// keys, which the neo4j package's own tests check against its name and aliases).
var volatile = map[string]bool{"version": true, "at": true, "ts": true, "requestId": true, "request": true, "response": true, "before": true, "after": true, "searchKeys": true}

// normalise puts placeholders where a write's own values stand: the value v (payload or control
// value) as <V>, the ids it is about as <ID i>, times as <TIME>; audit entries lose their ids.
func normalise(l graphLine, ids []string, v string) string {
	var walk func(x any) any
	walk = func(x any) any {
		switch y := x.(type) {
		case string:
			// ids first: an id the write makes from the payload is the write's own id.
			if i := slices.Index(ids, y); i >= 0 {
				return fmt.Sprintf("<ID %d>", i)
			}
			switch {
			case y == v || y == strings.TrimSpace(v):
				return "<V>"
			case strings.HasSuffix(y, "\x00"+v):
				return strings.TrimSuffix(y, v) + "<V>"
			case timeLike.MatchString(y):
				return "<TIME>"
			}
			for i, id := range ids { // e.g. a merge's reason "merged <ID 1> into it"
				if len(id) > 3 {
					y = strings.ReplaceAll(y, id, fmt.Sprintf("<ID %d>", i))
				}
			}
			return y
		case []any:
			out := make([]any, len(y))
			for i, z := range y {
				out[i] = walk(z)
			}
			return out
		case map[string]any:
			out := map[string]any{}
			for k, z := range y {
				if volatile[k] || (k == "id" && y["targetId"] != nil) {
					out[k] = "<VOLATILE>"
					continue
				}
				out[k] = walk(z)
			}
			return out
		}
		return x
	}
	b, _ := json.Marshal(walk([]any(l)))
	return string(b)
}

// mutationWrite is one write as the oracle sees it: what changed, the ids it is about, its
// idempotency key and the value that went into the injected field.
type mutationWrite struct {
	change graphChange
	ids    []string
	key    string
	value  string
}

// writeFaults is the oracle of an accepted write w: everything it changed belongs to the items
// it is about, no node escaped the dump, and it added exactly what the control write c added,
// with w's value where c's value stood.
func writeFaults(w, c mutationWrite) []string {
	var faults []string
	for _, side := range []struct {
		what  string
		lines []graphLine
	}{{"added", w.change.added}, {"removed", w.change.removed}} {
		for _, l := range side.lines {
			if !about(l, w.ids, w.key) {
				faults = append(faults, fmt.Sprintf("%s %.300s, which the write is not about (%v)", side.what, lineJSON(l), w.ids))
			}
		}
	}
	if w.change.unseen != 0 {
		faults = append(faults, fmt.Sprintf("%d nodes changed out of the dump's sight", w.change.unseen))
	}
	norm := func(mw mutationWrite) []string {
		var out []string
		for _, l := range mw.change.added {
			out = append(out, normalise(l, mw.ids, mw.value))
		}
		slices.Sort(out)
		return out
	}
	if got, want := norm(w), norm(c); !slices.Equal(got, want) {
		faults = append(faults, fmt.Sprintf("it added\n  %s\nwhere the control write added\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  ")))
	}
	if len(w.change.removed) != len(c.change.removed) || w.change.nodes != c.change.nodes || w.change.rels != c.change.rels {
		faults = append(faults, fmt.Sprintf("it removed %d lines and changed the counts by %d nodes, %d relationships; the control write %d, %d, %d",
			len(w.change.removed), w.change.nodes, w.change.rels, len(c.change.removed), c.change.nodes, c.change.rels))
	}
	return faults
}

func lineJSON(l graphLine) string {
	b, _ := json.Marshal(l)
	return string(b)
}

// setArg puts value where the target's payload goes and returns what stood there before.
func setArg(vars map[string]any, tg mutTarget, value any) any {
	if tg.field == "" {
		old := vars[tg.arg]
		vars[tg.arg] = value
		return old
	}
	in := vars[tg.arg].(map[string]any)
	old := in[tg.field]
	in[tg.field] = value
	return old
}

// sent returns the string a payload arrives as: JSON carries invalid UTF-8 as U+FFFD.
func sent(p string) string {
	b, _ := json.Marshal(p)
	var s string
	_ = json.Unmarshal(b, &s)
	return s
}

// TestInjectionThroughEveryMutationInput sends payloads of testdata/injection.txt through every
// text argument and input field of every mutation (found by walking the schema), as a curator
// (an admin for deletions) over real HTTP to the real Neo4j. To stay fast it samples: each field
// gets perField payloads, taken in turn from the corpus, so that every payload goes to several
// fields. Every answer passes injectionFaults and names no entity but the write's own; a refused
// payload leaves the fingerprint unchanged; an accepted one (free text: names, quotes, notes,
// reasons, keys) passes writeFaults against the recipe's own write (the control) with the
// payload where the recipe's value stood.
func TestInjectionThroughEveryMutationInput(t *testing.T) {
	m := newMutFixture(t)
	ctx := context.Background()
	payloads := injectionPayloads(t)
	targets, missed := mutationTargets(t)
	for _, name := range missed {
		t.Errorf("%s has no recipe in mutRecipes: the injection test cannot reach it", name)
	}
	const perField = 1
	fingerprint := func() string {
		fp, err := m.db.Fingerprint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return fp
	}
	n := 0
	// call makes one write of tg's mutation, with value in tg's place unless value is nil, and
	// returns the answer, the write as the oracle sees it (dumped when dump is set) and whether
	// the graph changed. old is the recipe's own value in tg's place.
	call := func(tg mutTarget, value *string, key string, dump bool) (a injAnswer, w mutationWrite, old string, changed bool) {
		n++
		r := mutRecipes[tg.mutation]
		vars, ids := r.base(t, m, tg.field, n)
		var was any
		if value != nil {
			was = setArg(vars, tg, tg.wrap(*value))
		} else {
			was = setArg(vars, tg, nil)
			setArg(vars, tg, was)
		}
		if xs, ok := was.([]any); ok && len(xs) > 0 {
			was = xs[0]
		}
		if was != nil {
			old = fmt.Sprint(was)
		}
		w = mutationWrite{ids: ids, value: old}
		if value != nil {
			w.value = sent(*value)
			if i := slices.Index(ids, old); i >= 0 && old != "" {
				ids[i] = strings.TrimSpace(w.value) // the payload is the id of what the write makes
			}
		}
		if key != "" {
			vars["idempotencyKey"] = key
			w.key = key
		}
		// A write that may be accepted is seen through the dump (which sees every change of a
		// node or relationship: what it cannot read, the count store counts), one that should
		// be refused through the fingerprint, which is cheaper.
		if dump {
			before := dumpGraph(t, m.db)
			a = m.send(t, r.role, tg.query, vars)
			w.change = diffDumps(before, dumpGraph(t, m.db))
			c := w.change
			return a, w, old, len(c.added)+len(c.removed) > 0 || c.nodes != 0 || c.rels != 0 || c.unseen != 0
		}
		fp := fingerprint()
		a = m.send(t, r.role, tg.query, vars)
		return a, w, old, fingerprint() != fp
	}
	// The control writes: the recipe's own, one per mutation and kind of entity (and one with an
	// idempotency key), shared by the fields it has.
	controls := map[string]mutationWrite{}
	control := func(tg mutTarget) mutationWrite {
		isKey := tg.arg == "idempotencyKey"
		ck := fmt.Sprint(tg.mutation, "/", entityBase(tg.field, "")["kind"], "/", isKey)
		c, ok := controls[ck]
		if !ok {
			key := ""
			if isKey {
				key = fmt.Sprintf("control key %d", n)
			}
			var a injAnswer
			var changed bool
			if a, c, _, changed = call(tg, nil, key, true); strings.Contains(string(a.body), `"errors"`) || !changed {
				t.Fatalf("%s: the control write failed: %s", tg.name(), a.body)
			}
			if c.change.unseen != 0 {
				t.Fatalf("%s: the control write changed %d nodes the dump cannot see", tg.name(), c.change.unseen)
			}
			if isKey {
				c.value = key
			}
			controls[ck] = c
		}
		return c
	}
	secrets := []string{m.secrets[incidentgraph.RoleCurator], m.secrets[incidentgraph.RoleAdmin]}
	sentN, accepted := 0, 0
	for i, tg := range targets {
		isKey := tg.arg == "idempotencyKey"
		for j := range perField {
			p := payloads[(i*perField+j)%len(payloads)]
			key := ""
			if isKey {
				key = sent(p)
			}
			a, w, old, changed := call(tg, &p, "", tg.free || isKey || injectionAcceptedIDs[tg.name()] != "")
			if isKey {
				w.key, w.value = key, key
			}
			sentN++
			faults := injectionFaults(a, injAnswer{}, false, "")
			for _, s := range secrets {
				if strings.Contains(string(a.body), s) {
					faults = append(faults, "the answer holds a token's secret")
				}
			}
			var r struct{ Data any }
			_ = json.Unmarshal(a.body, &r)
			got := map[string]bool{}
			collectIDs(r.Data, got)
			for id := range got {
				if !slices.Contains(w.ids, id) {
					faults = append(faults, fmt.Sprintf("the answer names %q, which the write is not about", id))
				}
			}
			refused := strings.Contains(string(a.body), `"errors"`)
			switch {
			case refused && changed:
				faults = append(faults, "the write was refused, yet the graph changed")
			case !refused && !changed:
				faults = append(faults, "the write was accepted, yet the graph did not change")
			case !refused && !(tg.free || isKey) && injectionAcceptedIDs[tg.name()] == "":
				faults = append(faults, "a payload was accepted as an id, enum or date")
			case !refused:
				accepted++
				c := control(tg)
				if !isKey {
					c.value = old // the recipe's value stood where the payload stands
				}
				faults = append(faults, writeFaults(w, c)...)
			}
			for _, f := range faults {
				t.Errorf("%s with %.60q: %s\n  answer: %.300s", tg.name(), p, f, a.body)
			}
		}
	}
	t.Logf("%d targets in the mutations, %d payloads sent (%d accepted and stored), %d per field, %d control writes", len(targets), sentN, accepted, perField, len(controls))
}

// TestInjectionMutationOracleFindsUnexpectedWrites is the negative control of writeFaults, on the real
// graph: a legitimate write passes it, and the same write with something more (a change to
// another entity, a second change to its own target, a token no dump can read) or with a value
// other than the one sent stored does not.
func TestInjectionMutationOracleFindsUnexpectedWrites(t *testing.T) {
	m := newMutFixture(t)
	n := 0
	const create = `mutation($in: CreateEntityInput!) { createEntity(input: $in) { id } }`
	const update = `mutation($id: ID!, $v: Int!, $in: UpdateEntityInput!) { updateEntity(id: $id, version: $v, input: $in) { id } }`
	write := func(desc string, extra func(id string)) mutationWrite {
		n++
		id := fmt.Sprintf("inj-nc-%d", n)
		in := entityBase("description", id)
		in["description"] = desc
		before := dumpGraph(t, m.db)
		m.must(t, create, map[string]any{"in": in})
		if extra != nil {
			extra(id)
		}
		return mutationWrite{change: diffDumps(before, dumpGraph(t, m.db)), ids: []string{id}, value: desc}
	}
	control := write("control text", nil)
	if faults := writeFaults(write("x'}) MATCH (n) DETACH DELETE n //", nil), control); len(faults) > 0 {
		t.Errorf("a legitimate write is faulted: %q", faults)
	}
	for _, tc := range []struct {
		name  string
		w     mutationWrite
		fault string
	}{
		{"another entity changed", write("payload", func(string) {
			m.must(t, update, map[string]any{"id": "islamic-state", "v": m.version(t, "islamic-state"), "in": map[string]any{"description": "tampered"}})
		}), "which the write is not about"},
		{"its own target changed twice", write("payload", func(id string) {
			m.must(t, update, map[string]any{"id": id, "v": m.version(t, id), "in": map[string]any{"name": "tampered"}})
		}), "where the control write added"},
		{"a node out of the dump's sight", write("payload", func(id string) {
			if _, err := m.db.CreateToken(context.Background(), "inj-nc-"+id, incidentgraph.RoleReader, nil); err != nil {
				t.Fatal(err)
			}
		}), "out of the dump's sight"},
		{"a value other than the one sent", func() mutationWrite {
			w := write("what was stored", nil)
			w.value = "what was sent"
			return w
		}(), "where the control write added"},
	} {
		faults := writeFaults(tc.w, control)
		if !strings.Contains(strings.Join(faults, "\n"), tc.fault) {
			t.Errorf("%s: faults %q, want one saying %q", tc.name, faults, tc.fault)
		}
	}
}
