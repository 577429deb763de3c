package neo4j_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

// TestCurationNamesWithLanguages: a curator creates an entity with names, reads them back with
// their language, script, sources and note, finds it by a name in another script with its
// match, and sees the detail in the audit trail; a plain update of the aliases keeps the
// detail of those that stay; merging carries the duplicate's detail to the survivor.
func TestCurationNamesWithLanguages(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	in := newOrg("test-names-front", "Test Names Front")
	in.Names = []incidentgraph.Alias{
		{Name: "TNF"},
		{Name: " Фронт тестовых имён ", Language: "ru", Script: "Cyrl", SourceIDs: []string{apArt}, Note: "Russian press"},
		{Name: "جبهة الأسماء", Language: "ar"},
	}
	in.NamesSet = true
	if _, err := db.CreateEntity(ctx, curator("ann"), in); err != nil {
		t.Fatal(err)
	}
	read := func(id string) *incidentgraph.Entity {
		t.Helper()
		es, err := db.FindEntitiesByIDs(ctx, []string{id})
		if err != nil || len(es) != 1 {
			t.Fatalf("FindEntitiesByIDs(%s): %v %v", id, es, err)
		}
		return es[0]
	}
	e := read("test-names-front")
	want := []incidentgraph.Alias{
		{Name: "TNF"},
		{Name: "Фронт тестовых имён", Language: "ru", Script: "Cyrl", SourceIDs: []string{apArt}, Note: "Russian press"},
		{Name: "جبهة الأسماء", Language: "ar"},
	}
	if got := e.AliasList(); !aliasesEqual(got, want) {
		t.Errorf("aliases read back as %+v, want %+v", got, want)
	}
	found, err := db.Search(ctx, "фронт тестовых имен", nil, 5)
	if err != nil || len(found) == 0 || found[0].ID != e.ID {
		t.Fatalf("Search: %v %v", entityIDs(found), err)
	}
	if m := found[0].Match; m == nil || m.Name != "Фронт тестовых имён" || m.Language != "ru" || m.How != incidentgraph.MatchFolded {
		t.Errorf("match %+v, want the Russian name, folded (ё)", m)
	}
	hs, err := db.History(ctx, []string{e.ID}, 10)
	if err != nil || len(hs[e.ID]) != 1 {
		t.Fatalf("history: %v %v", hs, err)
	}
	var after map[string]any
	if err := json.Unmarshal([]byte(hs[e.ID][0].After), &after); err != nil {
		t.Fatal(err)
	}
	if langs, _ := after["aliasLanguages"].([]any); len(langs) != 3 || langs[1] != "ru" {
		t.Errorf("the audit trail's after has aliasLanguages %v", after["aliasLanguages"])
	}

	// Plain aliases keep what is known of those that stay.
	if _, err := db.UpdateEntity(ctx, curator("ann"), e.ID, 1, &incidentgraph.EntityInput{
		Aliases: []string{"Фронт тестовых имён", "TNF-2"}, AliasesSet: true}); err != nil {
		t.Fatal(err)
	}
	e = read(e.ID)
	if got := e.AliasList(); !aliasesEqual(got, []incidentgraph.Alias{want[1], {Name: "TNF-2"}}) {
		t.Errorf("after a plain update: %+v", got)
	}

	// A merge carries the duplicate's detail.
	dup := newOrg("test-names-dup", "Test Names Duplicate")
	dup.Names, dup.NamesSet = []incidentgraph.Alias{{Name: "جبهة الاختبار", Language: "ar", Script: "Arab"}}, true
	if _, err := db.CreateEntity(ctx, curator("ann"), dup); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MergeEntities(ctx, curator("ann"), e.ID, "test-names-dup", 2, 1); err != nil {
		t.Fatal(err)
	}
	if d := read(e.ID).AliasDetail("جبهة الاختبار"); d.Language != "ar" || d.Script != "Arab" {
		t.Errorf("after the merge the duplicate's alias is %+v", d)
	}
}

func aliasesEqual(a, b []incidentgraph.Alias) bool {
	return slices.EqualFunc(a, b, func(x, y incidentgraph.Alias) bool {
		return x.Name == y.Name && x.Language == y.Language && x.Script == y.Script && x.Note == y.Note &&
			slices.Equal(x.SourceIDs, y.SourceIDs)
	})
}

// TestCurationRefusesBadNames: a language or script that does not parse or does not fit, a
// source that is not a SOURCE, and aliases given with names are refused as INVALID with the
// field, and nothing is written. The control: the same input with the bad value removed is
// written.
func TestCurationRefusesBadNames(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	cases := []struct {
		name    string
		alias   incidentgraph.Alias
		aliases bool // give aliases too
		field   string
		msg     string
	}{
		{"language", incidentgraph.Alias{Name: "ИГИЛ-2", Language: "russian"}, false, "input.aliases[0].language", "is not a BCP 47 language tag"},
		{"language case", incidentgraph.Alias{Name: "ИГИЛ-2", Language: "RU"}, false, "input.aliases[0].language", `write the language "RU" as ru`},
		{"script", incidentgraph.Alias{Name: "ИГИЛ-2", Script: "Cyrillic"}, false, "input.aliases[0].script", "is not an ISO 15924 script code"},
		{"script of other letters", incidentgraph.Alias{Name: "ИГИЛ-2", Script: "Latn"}, false, "input.aliases[0].script", "is not written in script Latn"},
		{"source not a SOURCE", incidentgraph.Alias{Name: "ИГИЛ-2", SourceIDs: []string{is}}, false, "input.aliases[0].sources[0]", "is an ORGANIZATION, not a SOURCE"},
		{"source unknown", incidentgraph.Alias{Name: "ИГИЛ-2", SourceIDs: []string{"no-such-source"}}, false, "input.aliases[0].sources[0]", "no entity with id no-such-source"},
		{"aliases and names", incidentgraph.Alias{Name: "ИГИЛ-2"}, true, "input.names", "give aliases or names, not both"},
	}
	before := fingerprint(t, db)
	for _, tc := range cases {
		in := newOrg("test-bad-names", "Test Bad Names")
		in.Names, in.NamesSet = []incidentgraph.Alias{tc.alias}, true
		if tc.aliases {
			in.Aliases, in.AliasesSet = []string{"X"}, true
		}
		_, err := db.CreateEntity(ctx, curator("ann"), in)
		mustCode(t, err, incidentgraph.EINVALID)
		ie, ok := incidentgraph.AsInputError(err)
		if !ok || ie.Problems[0].Field != tc.field || !strings.Contains(ie.Problems[0].Message, tc.msg) {
			t.Errorf("%s: error %v (problems %+v), want %s: …%s…", tc.name, err, ie, tc.field, tc.msg)
		}
		// The same refusal on an update of an existing entity.
		_, err = db.UpdateEntity(ctx, curator("ann"), "taliban", version(t, db, "taliban"),
			&incidentgraph.EntityInput{Names: []incidentgraph.Alias{tc.alias}, NamesSet: true, Aliases: in.Aliases, AliasesSet: tc.aliases})
		mustCode(t, err, incidentgraph.EINVALID)
	}
	if after := fingerprint(t, db); after != before {
		t.Errorf("refused writes changed the graph")
	}
	// Control: the good alias is written.
	in := newOrg("test-bad-names", "Test Bad Names")
	in.Names, in.NamesSet = []incidentgraph.Alias{{Name: "ИГИЛ-2", Language: "ru", Script: "Cyrl", SourceIDs: []string{apArt}}}, true
	if _, err := db.CreateEntity(ctx, curator("ann"), in); err != nil {
		t.Fatalf("control: %v", err)
	}
	if after := fingerprint(t, db); after == before {
		t.Errorf("control: the good write did not change the fingerprint")
	}
}
