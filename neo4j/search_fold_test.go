package neo4j_test

import (
	"context"
	"slices"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// searchFoldCases are names pasted as researchers meet them, in other scripts or spellings
// than the seed writes them, and what each must find (first: rank first). The seed holds the
// usual Russian, Arabic, Persian and French names as aliases (TestSearchNamesInEveryLanguage):
// these are the spellings it does not hold, which only folding or transliteration reach.
var searchFoldCases = []struct {
	text, want string
	first      bool
}{
	{"دَاعِش", is, true}, // Arabic with its vowel signs: folded to the alias داعش
	{"الدَّوْلَةُ الإِسْلَامِيَّةُ", is, true}, // fully vocalised: folded to the alias الدولة الإسلامية
	{"كَابُل", "kabul", true},                  // vowel signs
	{"Пакистан", "pakistan", true},             // Cyrillic: the key of Pakistan
	{"پاکستان", "pakistan", true},              // Persian and Urdu, likewise
	{"Москва", "moscow", true},                 // Moskva, the key of Moscow
	{"Красногорск", "krasnogorsk", true},
	{"Хорасан", "khorasan", false}, // the region (IS-K has Russian aliases with the word)
}

// TestSearchFoldsScripts looks for each name through the store's Search: found (and first where
// asked) by the folded and transliterated keys every entity stores. The control runs the same
// names through the same store with the folding off (the search as typed, as it was before
// keys): each case must then fail, so it is the folding that finds them.
func TestSearchFoldsScripts(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	plain := testdb.MustOpen(t)
	neo4j.WithoutSearchFoldingForTest(plain)
	for _, tc := range searchFoldCases {
		ok := func(db *neo4j.DB) (bool, []string) {
			t.Helper()
			got, err := db.Search(ctx, tc.text, nil, 10)
			if err != nil {
				t.Fatalf("Search(%q): %v", tc.text, err)
			}
			ids := entityIDs(got)
			if tc.first {
				return len(ids) > 0 && ids[0] == tc.want, ids
			}
			return slices.Contains(ids, tc.want), ids
		}
		if found, ids := ok(db); !found {
			t.Errorf("Search(%q) = %v, want %s (first: %v)", tc.text, ids, tc.want, tc.first)
		}
		if found, ids := ok(plain); found {
			t.Errorf("control: Search(%q) without folding = %v, which already finds %s: the case does not test the folding", tc.text, ids, tc.want)
		}
	}
}

// TestSearchKeysAreWrittenAndBackfilled: every entity of the seed carries search keys of the
// current version once loaded, and an entity written before keys existed (its keys removed
// by hand) gets them again from EnsureSchema. The control is the removal itself: while the
// keys are gone the Urdu name of Pakistan is not found. (The French spelling Daech once ranked
// the coalition against the group above the group while the keys were gone; it is an alias of
// the group now, which ranks it first with or without keys.)
func TestSearchKeysAreWrittenAndBackfilled(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	count := func(cypher string) int64 {
		t.Helper()
		n, _ := testdb.Read(t, cypher, nil)[0]["n"].(int64)
		return n
	}
	if n := count(`MATCH (n:Entity) WHERE n.searchKeys IS NULL OR size(n.searchKeys) = 0 RETURN count(n) AS n`); n != 0 {
		t.Fatalf("%d entities of the seed have no search keys", n)
	}
	if _, err := driver.ExecuteQuery(ctx, testdb.Driver(t), `MATCH (n:Entity) REMOVE n.searchKeys, n.searchKeysVersion`, nil,
		driver.EagerResultTransformer); err != nil {
		t.Fatal(err)
	}
	// The seed holds داعش as an alias now: the Urdu name of Pakistan, which it does not hold,
	// is found only through the key of Pakistan.
	if got, _ := db.Search(ctx, "پاکستان", nil, 10); slices.Contains(entityIDs(got), "pakistan") {
		t.Fatalf("control: with the keys removed, the Urdu name still finds pakistan")
	}
	if err := db.EnsureSchema(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(`MATCH (n:Entity) WHERE n.searchKeys IS NULL RETURN count(n) AS n`); n != 0 {
		t.Errorf("%d entities have no search keys after EnsureSchema", n)
	}
	if got, _ := db.Search(ctx, "پاکستان", nil, 10); !slices.Contains(entityIDs(got), "pakistan") {
		t.Errorf("after the backfill the Urdu name does not find pakistan: %v", entityIDs(got))
	}
	if got, _ := db.Search(ctx, "Daesch", nil, 10); len(got) == 0 || got[0].ID != is {
		t.Errorf("after the backfill Daesch = %v, want %s first", entityIDs(got), is)
	}
}
