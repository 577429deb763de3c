package incidentgraph_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

func orgWith(aliases []string, info ...incidentgraph.Alias) *incidentgraph.Entity {
	return &incidentgraph.Entity{ID: "x", Kind: incidentgraph.KindOrganization, Name: "X", OrgType: "MILITANT_GROUP",
		Aliases: aliases, AliasInfo: info}
}

// TestAliasValidation: each rule about an alias's language, script, sources and note refuses
// its bad value at the alias's field; the controls are the good values beside them, which pass.
func TestAliasValidation(t *testing.T) {
	good := []incidentgraph.Alias{
		{Name: "ИГИЛ", Language: "ru", Script: "Cyrl"},
		{Name: "داعش", Language: "ar", Script: "Arab", SourceIDs: []string{"s1", "s2"}, Note: "acronym"},
		{Name: "فرودگاه بین‌المللی حامد کرزی", Language: "fa", Script: "Arab"}, // a zero-width non-joiner is no letter
		{Name: "ISIS-K", Language: "en", Script: "Latn"},
		{Name: "Ісламська держава", Language: "uk"},
		{Name: "Taliban 2", Language: "ps-AF"},
		{Name: "ⵜⴰⵎⴰⵣⵉⵖⵜ", Script: "Tfng"},
		{Name: "Yue", Script: "Zinh"}, // a script outside the table is accepted unchecked
	}
	for _, a := range good {
		if ps := incidentgraph.ValidateEntity(orgWith([]string{"Z", a.Name}, a), "input"); len(ps) > 0 {
			t.Errorf("control: %+v refused: %v", a, ps)
		}
	}
	bad := []struct {
		alias       incidentgraph.Alias
		field, want string
	}{
		{incidentgraph.Alias{Name: "ИГИЛ", Language: "russian"}, "input.aliases[1].language", "is not a BCP 47 language tag"},
		{incidentgraph.Alias{Name: "ИГИЛ", Language: "RU"}, "input.aliases[1].language", `write the language "RU" as ru`},
		{incidentgraph.Alias{Name: "ИГИЛ", Language: "und"}, "input.aliases[1].language", "says nothing"},
		{incidentgraph.Alias{Name: "ИГИЛ", Script: "Cyrillic"}, "input.aliases[1].script", "is not an ISO 15924 script code"},
		{incidentgraph.Alias{Name: "ИГИЛ", Script: "cyrl"}, "input.aliases[1].script", `write the script "cyrl" as Cyrl`},
		{incidentgraph.Alias{Name: "ИГИЛ", Script: "Latn"}, "input.aliases[1].script", `alias "ИГИЛ" is not written in script Latn: its letter 'И' is Cyrillic`},
		{incidentgraph.Alias{Name: "ИГИЛ-K", Script: "Cyrl"}, "input.aliases[1].script", "its letter 'K' is Latin"},
		{incidentgraph.Alias{Name: "داعش", Script: "Cyrl"}, "input.aliases[1].script", "is Arabic"},
		{incidentgraph.Alias{Name: "ИГИЛ", SourceIDs: []string{"s", "s"}}, "input.aliases[1].sources[1]", "s listed twice"},
		{incidentgraph.Alias{Name: "ИГИЛ", Note: strings.Repeat("n", incidentgraph.MaxAliasNoteLength+1)}, "input.aliases[1].note", "at most 500"},
	}
	for _, b := range bad {
		ps := incidentgraph.ValidateEntity(orgWith([]string{"Z", b.alias.Name}, b.alias), "input")
		if len(ps) != 1 || ps[0].Field != b.field || !strings.Contains(ps[0].Message, b.want) {
			t.Errorf("%+v: problems %v, want one at %s: …%s…", b.alias, ps, b.field, b.want)
		}
	}
	// Detail for a name that is not an alias, or given twice.
	if ps := incidentgraph.ValidateEntity(orgWith([]string{"A"}, incidentgraph.Alias{Name: "B", Language: "fr"}), "input"); len(ps) != 1 || !strings.Contains(ps[0].Message, "not an alias") {
		t.Errorf("detail of a non-alias: %v", ps)
	}
	if ps := incidentgraph.ValidateEntity(orgWith([]string{"A"}, incidentgraph.Alias{Name: "A", Language: "fr"}, incidentgraph.Alias{Name: "A", Language: "en"}), "input"); len(ps) != 1 || !strings.Contains(ps[0].Message, "given twice") {
		t.Errorf("detail given twice: %v", ps)
	}
}

// TestEntityInputNames: names replace the aliases and their detail; plain aliases keep the
// detail of those that stay; both together are refused by Check.
func TestEntityInputNames(t *testing.T) {
	e := orgWith([]string{"A", "B"}, incidentgraph.Alias{Name: "B", Language: "fr"})
	in := &incidentgraph.EntityInput{Names: []incidentgraph.Alias{{Name: " C ", Language: " ru "}, {Name: "D"}}, NamesSet: true}
	got := in.Apply(e)
	if !slices.Equal(got.Aliases, []string{"C", "D"}) || len(got.AliasInfo) != 1 || (got.AliasInfo[0].Name != "C" || got.AliasInfo[0].Language != "ru") {
		t.Errorf("names applied: %+v %+v", got.Aliases, got.AliasInfo)
	}
	if len(e.AliasInfo) != 1 || e.AliasInfo[0].Name != "B" {
		t.Errorf("Apply changed the entity it was given: %+v", e.AliasInfo)
	}
	plain := &incidentgraph.EntityInput{Aliases: []string{"B", "E"}, AliasesSet: true}
	got = plain.Apply(e)
	if !slices.Equal(got.Aliases, []string{"B", "E"}) || len(got.AliasInfo) != 1 || got.AliasInfo[0].Language != "fr" {
		t.Errorf("plain aliases applied: %+v %+v", got.Aliases, got.AliasInfo)
	}
	got = (&incidentgraph.EntityInput{Aliases: []string{"A"}, AliasesSet: true}).Apply(e)
	if len(got.AliasInfo) != 0 {
		t.Errorf("the detail of a dropped alias stayed: %+v", got.AliasInfo)
	}
	both := &incidentgraph.EntityInput{Aliases: []string{"A"}, AliasesSet: true, Names: []incidentgraph.Alias{{Name: "A"}}, NamesSet: true}
	if ps := both.Check("input"); len(ps) != 1 || ps[0].Field != "input.names" {
		t.Errorf("aliases and names: %v", ps)
	}
	if ps := in.Check("input"); len(ps) != 0 {
		t.Errorf("control: names alone: %v", ps)
	}
}

// TestAliasValidationGoesOn: a detail that names no alias, or an alias described twice, is
// reported and the details after it are still checked; a note of exactly the longest length
// passes and one byte more is refused.
func TestAliasValidationGoesOn(t *testing.T) {
	badLanguage := incidentgraph.Alias{Name: "A", Language: "RU"}
	for name, info := range map[string][]incidentgraph.Alias{
		"after a detail of no alias":     {{Name: "nobody", Language: "fr"}, badLanguage},
		"after an alias described twice": {{Name: "B", Language: "fr"}, {Name: "B", Language: "en"}, badLanguage},
	} {
		ps := incidentgraph.ValidateEntity(orgWith([]string{"A", "B"}, info...), "input")
		if len(ps) != 2 || ps[1].Field != "input.aliases[0].language" {
			t.Errorf("%s: problems %v, want two, the second at input.aliases[0].language", name, ps)
		}
	}
	note := strings.Repeat("n", incidentgraph.MaxAliasNoteLength)
	if ps := incidentgraph.ValidateEntity(orgWith([]string{"A"}, incidentgraph.Alias{Name: "A", Note: note}), "input"); len(ps) > 0 {
		t.Errorf("a note of %d bytes: %v", len(note), ps)
	}
	if ps := incidentgraph.ValidateEntity(orgWith([]string{"A"}, incidentgraph.Alias{Name: "A", Note: note + "n"}), "input"); len(ps) != 1 {
		t.Errorf("a note of %d bytes: %v, want one problem", len(note)+1, ps)
	}
}
