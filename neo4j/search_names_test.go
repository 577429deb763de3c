package neo4j_test

import (
	"context"
	"slices"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// searchNameCases are names researchers meet in Russian, Arabic, Persian, Pashto and French
// sources, what each must find first, and the name and language Search must say it matched.
var searchNameCases = []struct {
	text, want      string
	name, lang, how string
}{
	{"ИГИЛ", is, "ИГИЛ", "ru", "EXACT"},
	{"игил", is, "ИГИЛ", "ru", "EXACT"},
	{"Исламское государство", is, "Исламское государство", "ru", "EXACT"},
	{"داعش", is, "داعش", "ar", "EXACT"},
	{"الدولة الإسلامية", is, "الدولة الإسلامية", "ar", "EXACT"},
	{"État islamique", is, "État islamique", "fr", "EXACT"},
	{"Daech", is, "Daech", "fr", "EXACT"},
	{"Крокус Сити Холл", "crocus-city-hall", "Крокус Сити Холл", "ru", "EXACT"},
	{"طالبان", "taliban", "طالبان", "ps", "EXACT"},
	{"аэропорт Кабула", "hamid-karzai-international-airport", "аэропорт Кабула", "ru", "EXACT"},
	{"فرودگاه بین‌المللی حامد کرزی", "hamid-karzai-international-airport", "فرودگاه بین‌المللی حامد کرزی", "fa", "EXACT"},
	{"Kabul", "kabul", "Kabul", "", "EXACT"}, // the name itself: no language recorded
	// Folded: other spellings of the aliases.
	{"Etat islamique", is, "État islamique", "fr", "FOLDED"},
	{"الدوله الاسلاميه", is, "الدولة الإسلامية", "ar", "FOLDED"},
	{"الدَّوْلَةُ الإِسْلَامِيَّةُ", is, "الدولة الإسلامية", "ar", "FOLDED"},
	{"دَاعِش", is, "داعش", "ar", "FOLDED"},
	{"Теракт в Крокус Сити Холле", "moscow-concert-hall-attack-2024", "Теракт в «Крокус Сити Холле»", "ru", "FOLDED"},
	// Transliterated: a name the seed does not hold in that script.
	{"Пакистан", "pakistan", "Pakistan", "", "TRANSLITERATED"},
	{"Batacaln", "bataclan", "Bataclan", "", "TRANSLITERATED"}, // a typo the key forgives
	// A word of a name.
	{"Крокус", "crocus-city-hall", "Crocus City Hall", "", "WORD"},
	// One typo per script, in a consonant, which the key keeps.
	{"Исламское госудаство", is, "Исламское государство", "ru", "TYPO"},
	{"الدولة الإسلامبة", is, "الدولة الإسلامية", "ar", "TYPO"},
}

// TestSearchNamesInEveryLanguage searches for each name and checks the first hit and its
// match. The controls: the same store with the folding off does not find the vocalised Arabic
// spellings (so the folding, not the index, finds them), and an entity read by id carries no
// match (Search sets it, nothing else).
func TestSearchNamesInEveryLanguage(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	for _, tc := range searchNameCases {
		got, err := db.Search(ctx, tc.text, nil, 10)
		if err != nil {
			t.Fatalf("Search(%q): %v", tc.text, err)
		}
		if len(got) == 0 || got[0].ID != tc.want {
			t.Errorf("Search(%q) = %v, want %s first", tc.text, entityIDs(got), tc.want)
			continue
		}
		want := incidentgraph.NameMatch{Name: tc.name, Language: tc.lang, How: incidentgraph.NameMatchKind(tc.how)}
		if tc.lang != "" {
			want.Script = map[string]string{"ru": "Cyrl", "ar": "Arab", "fa": "Arab", "ps": "Arab", "fr": "Latn"}[tc.lang]
		}
		if m := got[0].Match; m == nil || *m != want {
			t.Errorf("Search(%q): match %+v, want %+v", tc.text, m, want)
		}
	}

	// Daech: the group's French alias ranks it above the coalition against Daesh, which the
	// search finds too (by the key of a word of its alias).
	got, err := db.Search(ctx, "Daech", nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	ids := entityIDs(got)
	if c := slices.Index(ids, "us-led-coalition-against-is"); c < 0 || slices.Index(ids, is) > c {
		t.Errorf("Search(Daech) = %v: want the group, then the coalition", ids)
	}

	plain := testdb.MustOpen(t)
	neo4j.WithoutSearchFoldingForTest(plain)
	for _, text := range []string{"الدَّوْلَةُ الإِسْلَامِيَّةُ", "دَاعِش"} {
		got, err := plain.Search(ctx, text, nil, 10)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(entityIDs(got), is) {
			t.Errorf("control: Search(%q) without folding = %v, which already finds %s", text, entityIDs(got), is)
		}
	}
	read, err := db.FindEntitiesByIDs(ctx, []string{is})
	if err != nil || len(read) != 1 {
		t.Fatalf("FindEntitiesByIDs: %v %v", read, err)
	}
	if read[0].Match != nil {
		t.Errorf("control: an entity read by id has a match: %+v", read[0].Match)
	}
}

// TestSeedNamesRoundTrip: the seed's aliases keep their language, script, sources and note
// through the store.
func TestSeedNamesRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	got, err := db.FindEntitiesByIDs(ctx, []string{is, "kabul", "pakistan"})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]*incidentgraph.Entity{}
	for _, e := range got {
		by[e.ID] = e
	}
	a := by[is].AliasDetail("داعش")
	if a.Language != "ar" || a.Script != "Arab" || !slices.Equal(a.SourceIDs, []string{"incidentgraph-curators-names"}) || a.Note == "" {
		t.Errorf("islamic-state's alias داعش read back as %+v", a)
	}
	if d := by[is].AliasDetail("ISIS"); !d.IsZero() {
		t.Errorf("a plain alias read back with detail: %+v", d)
	}
	if d := by["kabul"].AliasDetail("Кабул"); d.Language != "ru" || d.Script != "Cyrl" {
		t.Errorf("kabul's alias Кабул read back as %+v", d)
	}
	// An entity whose aliases have no detail stores none: no lists of empty strings.
	if len(by["pakistan"].AliasInfo) != 0 {
		t.Errorf("pakistan has alias detail %+v", by["pakistan"].AliasInfo)
	}
	rows := testdb.Read(t, `MATCH (n:Entity {id: 'pakistan'}) RETURN n.aliasLanguages IS NULL AS none`, nil)
	if none, _ := rows[0]["none"].(bool); !none {
		t.Errorf("pakistan has an aliasLanguages property")
	}
	// Analysts' read-only Cypher reads the lists beside aliases.
	res := runCypher(t, db, `MATCH (n:Organization {id: 'islamic-state'})
		UNWIND range(0, size(n.aliases) - 1) AS i
		WITH n, i WHERE n.aliasLanguages[i] = 'ar'
		RETURN n.aliases[i] AS name, n.aliasScripts[i] AS script, n.aliasSources[i] AS sources ORDER BY name`, nil, 0)
	var ar []string
	for _, row := range res.Rows {
		if row["script"] != "Arab" || row["sources"] != "incidentgraph-curators-names" {
			t.Errorf("Cypher row %v", row)
		}
		ar = append(ar, row["name"].(string))
	}
	if !slices.Contains(ar, "داعش") || !slices.Contains(ar, "الدولة الإسلامية") {
		t.Errorf("Cypher: the Arabic names of the group are %v", ar)
	}
}
