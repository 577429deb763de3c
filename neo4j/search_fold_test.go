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
// than the seed writes them, and what each must find (first: rank first).
var searchFoldCases = []struct {
	text, want string
	first      bool
}{
	{"داعش", is, true},  // Arabic: the key of the alias Daesh
	{"ДАИШ", is, true},  // Cyrillic, likewise
	{"Даиш", is, true},  // and in lower case
	{"Крокус", "crocus-city-hall", false},
	{"Кабул", "kabul", true},
	{"كابل", "kabul", true},
	{"Хорасан", "khorasan", false},
	{"Хорасан", isk, false}, // by the key of a word of its name
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
// keys are gone the Arabic name is not found, and the French spelling ranks the coalition
// against the group above the group.
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
	if got, _ := db.Search(ctx, "داعش", nil, 10); slices.Contains(entityIDs(got), is) {
		t.Fatalf("control: with the keys removed, the Arabic name still finds %s", is)
	}
	// The French spelling: one typo from Daesh, it finds the group without keys, but behind the
	// coalition against it; the key of Daesh ranks the group first.
	if got, _ := db.Search(ctx, "Daech", nil, 10); len(got) == 0 || got[0].ID == is {
		t.Fatalf("control: with the keys removed, Daech = %v: want the group found, not first", entityIDs(got))
	}
	if err := db.EnsureSchema(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(`MATCH (n:Entity) WHERE n.searchKeys IS NULL RETURN count(n) AS n`); n != 0 {
		t.Errorf("%d entities have no search keys after EnsureSchema", n)
	}
	if got, _ := db.Search(ctx, "داعش", nil, 10); !slices.Contains(entityIDs(got), is) {
		t.Errorf("after the backfill the Arabic name does not find %s: %v", is, entityIDs(got))
	}
	if got, _ := db.Search(ctx, "Daech", nil, 10); len(got) == 0 || got[0].ID != is {
		t.Errorf("after the backfill Daech = %v, want %s first", entityIDs(got), is)
	}
}
