package server_test

import (
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

// TestNamesAndMatchOverHTTP: search answers each entity's names with their language and script
// and says which name the text matched; entity(id:) has no match; a curator creates an entity
// with names and reads them back, and a bad language is refused with its code and field and
// writes nothing.
func TestNamesAndMatchOverHTTP(t *testing.T) {
	f := newCurationFixture(t)
	type name struct {
		Value            string
		Language, Script *string
		Note             *string
		Primary          bool
		Sources          []struct{ ID string }
	}
	type match struct {
		Name     string
		Language *string
		Script   *string
		How      string
	}
	var data struct {
		Search []struct {
			ID    string
			Names []name
			Match *match
		}
	}
	mustData(t, f.as(t, incidentgraph.RoleAnalyst, `query($t: String!) { search(text: $t, first: 3) { id names { value language script note primary sources { id } } match { name language script how } } }`,
		map[string]any{"t": "داعش"}), &data)
	if len(data.Search) == 0 || data.Search[0].ID != "islamic-state" {
		t.Fatalf("search داعش = %+v", data.Search)
	}
	hit := data.Search[0]
	if m := hit.Match; m == nil || m.Name != "داعش" || m.Language == nil || *m.Language != "ar" || m.Script == nil || *m.Script != "Arab" || m.How != "EXACT" {
		t.Errorf("match = %+v", hit.Match)
	}
	if len(hit.Names) == 0 || !hit.Names[0].Primary || hit.Names[0].Value != "Islamic State group" || hit.Names[0].Language != nil {
		t.Errorf("first name = %+v, want the primary name without a language", hit.Names)
	}
	var ru *name
	for i, n := range hit.Names {
		if n.Value == "ИГИЛ" {
			ru = &hit.Names[i]
		}
	}
	if ru == nil || ru.Primary || ru.Language == nil || *ru.Language != "ru" || *ru.Script != "Cyrl" || ru.Note == nil ||
		len(ru.Sources) != 1 || ru.Sources[0].ID != "incidentgraph-curators-names" {
		t.Errorf("ИГИЛ = %+v", ru)
	}

	var one struct {
		Entity struct {
			ID    string
			Match *match
		}
	}
	mustData(t, f.as(t, incidentgraph.RoleAnalyst, `{ entity(id: "islamic-state") { id match { name how } } }`, nil), &one)
	if one.Entity.Match != nil {
		t.Errorf("entity(id:) has a match: %+v", one.Entity.Match)
	}

	// Curation: names with languages in, names with languages out.
	before := f.fingerprint(t)
	const create = `mutation($names: [NameInput!], $aliases: [String!]) { createEntity(input: {id: "test-names", kind: ORGANIZATION, name: "Test Names", orgType: MILITANT_GROUP, aliases: $aliases, names: $names}) { id names { value language script note primary sources { id } } } }`
	bad := []struct {
		vars  map[string]any
		field string
	}{
		{map[string]any{"names": []any{map[string]any{"value": "Тест", "language": "Russian"}}}, "input.aliases[0].language"},
		{map[string]any{"names": []any{map[string]any{"value": "Тест", "script": "Arab"}}}, "input.aliases[0].script"},
		{map[string]any{"names": []any{map[string]any{"value": "Тест"}}, "aliases": []any{"T"}}, "input.names"},
	}
	for _, b := range bad {
		r := f.as(t, incidentgraph.RoleCurator, create, b.vars)
		if r.code() != incidentgraph.EINVALID || r.Errors[0].Extensions["field"] != b.field {
			t.Errorf("%v: errors %+v, want %s on %s", b.vars, r.Errors, incidentgraph.EINVALID, b.field)
		}
	}
	if f.fingerprint(t) != before {
		t.Fatal("a refused createEntity wrote")
	}
	var created struct {
		CreateEntity struct {
			ID    string
			Names []name
		}
	}
	mustData(t, f.as(t, incidentgraph.RoleCurator, create, map[string]any{"names": []any{
		map[string]any{"value": "TN"},
		map[string]any{"value": "Тестовые имена", "language": "ru", "script": "Cyrl", "note": "n",
			"sources": []any{"ap-2024-03-23-moscow-attack-explainer"}},
	}}), &created)
	ns := created.CreateEntity.Names
	if len(ns) != 3 || !ns[0].Primary || ns[1].Value != "TN" || ns[1].Language != nil ||
		ns[2].Value != "Тестовые имена" || *ns[2].Language != "ru" || *ns[2].Script != "Cyrl" || *ns[2].Note != "n" ||
		len(ns[2].Sources) != 1 || ns[2].Sources[0].ID != "ap-2024-03-23-moscow-attack-explainer" {
		t.Errorf("created names = %+v", ns)
	}
	var found struct {
		Search []struct {
			ID    string
			Match *match
		}
	}
	mustData(t, f.as(t, incidentgraph.RoleAnalyst, `{ search(text: "тестовые имена") { id match { name language how } } }`, nil), &found)
	if len(found.Search) == 0 || found.Search[0].ID != "test-names" || found.Search[0].Match == nil || found.Search[0].Match.How != "EXACT" ||
		*found.Search[0].Match.Language != "ru" {
		t.Errorf("search тестовые имена = %+v", found.Search)
	}
}
