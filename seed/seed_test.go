package seed

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	ig "github.com/incidentgraph/incidentgraph"
)

func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return fsys
}

func mustRead(t *testing.T, files map[string]string) *ig.Dataset {
	t.Helper()
	ds, err := Read(mapFS(files))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return ds
}

// The relationships and figures are in a file read before the entities they refer to, and
// neither they nor the entities are in id order.
const minimalRels = `relationships:
  - id: claim-of-group-a
    from: group-a
    type: CLAIMED_RESPONSIBILITY_FOR
    to: attack-a
    status: CLAIMED
    confidence: 50
    assertedBy: group-a
    sources:
      - src-a
    basis: none
    validFrom: "2024-03"
    validTo: "2024-03-31"
    assertedOn: "2024-03-22"
    note: unverified
  - from: attack-a
    type: ATTRIBUTED_TO
    to: group-a
    status: SUSPECTED
    confidence: 70
    assertedBy: country-a
    sources: [src-a, src-b]
    quote: "believed to be behind the attack"
figures:
  - subject: attack-a
    metric: KILLED
    value: 133
    asOf: "2024-03-23"
    status: REPORTED
    confidence: 80
    assertedBy: group-b
    sources: [src-a]
  - subject: attack-a
    metric: WOUNDED
    value: 0
    qualifier: AT_LEAST
    population: U.S. service members
    asOf: "2024-03"
    status: REPORTED
    confidence: 60
    assertedBy: country-a
    sources: [src-b]
    quote: q
    note: n
`

const minimalEntities = `entities:
  - id: src-b
    kind: SOURCE
    name: Report B
    publisher: Agency
    published: "2024-03"
    sourceType: NEWS
  - id: src-a
    kind: SOURCE
    name: "Report A"
    aliases: ["A report"]
    description: >-
      A report
      in two lines.
    publisher: Agency
    published: "2024-03-23"
    url: https://example.org/a
    sourceType: NEWS
    accessed: "2024-04-01"
  - id: group-a
    kind: ORGANIZATION
    name: Group A
    aliases:
      - GA
      - Group-A
      - name: Группа А
        language: ru
        script: Cyrl
        sources: [src-b, src-a]
        note: as the Russian press writes it
      - {name: المجموعة أ, language: ar}
    orgType: MILITANT_GROUP
    gtdName: "Group A (GA)"
    founded: "2015-01"
    dissolved: "2020"
  - id: group-b
    kind: ORGANIZATION
    name: Group B
    orgType: MEDIA
  - id: country-a
    kind: COUNTRY
    name: Country A
    iso2: RU
  - id: person-a
    kind: PERSON
    name: Person A
    role: analyst
    nationality: PK
    anonymous: true
  - id: city-a
    kind: PLACE
    name: City A
    placeType: CITY
    countryCode: RU
    latitude: 55.82
    longitude: -37
    geoPrecision: 1
  - id: attack-a
    sources: [src-b, src-a]
    kind: INCIDENT
    name: Attack A
    date: 2024-03-22
    endDate: "2024-03-23"
    attackTypes: [2, 7]
    targetTypes: [14]
    weaponTypes: [5, 8]
    suicide: false
    outcome: SUCCESSFUL
    gtdEventId: "202403220001"
    summary: Gunmen attacked.
  - id: event-a
    kind: EVENT
    name: Event A
    eventType: DETENTION
    date: "2024-03"
    endDate: "2024-03-23"
    summary: Detentions.
  - id: people-a
    kind: GROUP
    name: People A
`

func TestReadMinimalDataset(t *testing.T) {
	ds := mustRead(t, map[string]string{"a-links.yaml": minimalRels, "b-entities.yaml": minimalEntities})

	var ids []string
	byID := map[string]*ig.Entity{}
	for _, e := range ds.Entities {
		ids = append(ids, e.ID)
		byID[e.ID] = e
	}
	wantIDs := []string{"attack-a", "city-a", "country-a", "event-a", "group-a", "group-b", "people-a", "person-a", "src-a", "src-b"}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("entity ids = %v, want %v (sorted)", ids, wantIDs)
	}

	lat, lon, prec := 55.82, -37.0, 1
	wantEntities := map[string]*ig.Entity{
		"src-a": {ID: "src-a", Kind: ig.KindSource, Name: "Report A", Aliases: []string{"A report"},
			Description: "A report in two lines.", Publisher: "Agency", Published: "2024-03-23",
			URL: "https://example.org/a", SourceType: "NEWS", Accessed: "2024-04-01"},
		"group-a": {ID: "group-a", Kind: ig.KindOrganization, Name: "Group A", Aliases: []string{"GA", "Group-A", "Группа А", "المجموعة أ"},
			AliasInfo: []ig.Alias{
				{Name: "Группа А", Language: "ru", Script: "Cyrl", SourceIDs: []string{"src-b", "src-a"}, Note: "as the Russian press writes it"},
				{Name: "المجموعة أ", Language: "ar"}},
			OrgType: "MILITANT_GROUP", GTDName: "Group A (GA)", Founded: "2015-01", Dissolved: "2020"},
		"country-a": {ID: "country-a", Kind: ig.KindCountry, Name: "Country A", ISO2: "RU"},
		"person-a":  {ID: "person-a", Kind: ig.KindPerson, Name: "Person A", Role: "analyst", Nationality: "PK", Anonymous: true},
		"city-a": {ID: "city-a", Kind: ig.KindPlace, Name: "City A", PlaceType: "CITY", CountryCode: "RU",
			Latitude: &lat, Longitude: &lon, GeoPrecision: &prec},
		"attack-a": {ID: "attack-a", Kind: ig.KindIncident, Name: "Attack A", Date: "2024-03-22", EndDate: "2024-03-23",
			AttackTypes: []int{2, 7}, TargetTypes: []int{14}, WeaponTypes: []int{5, 8}, Outcome: "SUCCESSFUL",
			GTDEventID: "202403220001", Summary: "Gunmen attacked.", SourceIDs: []string{"src-b", "src-a"}},
		"event-a": {ID: "event-a", Kind: ig.KindEvent, Name: "Event A", EventType: "DETENTION", Date: "2024-03",
			EndDate: "2024-03-23", Summary: "Detentions."},
		"people-a": {ID: "people-a", Kind: ig.KindGroup, Name: "People A"},
	}
	for id, want := range wantEntities {
		if got := byID[id]; !reflect.DeepEqual(got, want) {
			t.Errorf("entity %s =\n%+v\nwant\n%+v", id, got, want)
		}
	}

	wantRels := []*ig.Relationship{
		{ID: "attack-a--attributed-to--group-a--country-a", Type: "ATTRIBUTED_TO", FromID: "attack-a", ToID: "group-a",
			Status: "SUSPECTED", Confidence: 70, AssertedByID: "country-a", SourceIDs: []string{"src-a", "src-b"},
			Quote:      "believed to be behind the attack",
			AssertedOn: "2024-03"}, // the earliest publication of its sources: src-b, March 2024
		{ID: "claim-of-group-a", Type: "CLAIMED_RESPONSIBILITY_FOR", FromID: "group-a", ToID: "attack-a",
			Status: "CLAIMED", Confidence: 50, AssertedByID: "group-a", SourceIDs: []string{"src-a"},
			Basis: "none", ValidFrom: "2024-03", ValidTo: "2024-03-31", AssertedOn: "2024-03-22", Note: "unverified"},
	}
	if !reflect.DeepEqual(ds.Relationships, wantRels) {
		t.Errorf("relationships =\n%s\nwant\n%s", dump(ds.Relationships), dump(wantRels))
	}

	wantFigs := []*ig.Figure{
		{ID: "attack-a--wounded--u-s-service-members--2024-03--country-a", SubjectID: "attack-a", Metric: "WOUNDED",
			Value: 0, Qualifier: "AT_LEAST", Population: "U.S. service members", AsOf: "2024-03", Status: "REPORTED",
			Confidence: 60, AssertedByID: "country-a", SourceIDs: []string{"src-b"}, Quote: "q", Note: "n"},
		{ID: "attack-a--killed--2024-03-23--group-b", SubjectID: "attack-a", Metric: "KILLED", Value: 133,
			Qualifier: "EXACT", AsOf: "2024-03-23", Status: "REPORTED", Confidence: 80, AssertedByID: "group-b",
			SourceIDs: []string{"src-a"}},
	}
	if !reflect.DeepEqual(ds.Figures, wantFigs) {
		t.Errorf("figures (by subject, then asOf) =\n%s\nwant\n%s", dump(ds.Figures), dump(wantFigs))
	}
}

func dump[T any](xs []*T) string {
	var b strings.Builder
	for _, x := range xs {
		fmt.Fprintf(&b, "%+v\n", *x)
	}
	return b.String()
}

func TestReadIsDeterministic(t *testing.T) {
	files := map[string]string{"a-links.yaml": minimalRels, "b-entities.yaml": minimalEntities}
	first := mustRead(t, files)
	for range 5 {
		if again := mustRead(t, files); !reflect.DeepEqual(first, again) {
			t.Fatal("two reads of the same files differ")
		}
	}
	// The order of the files does not change the result, only their content does.
	swapped := mustRead(t, map[string]string{"a-entities.yaml": minimalEntities, "b-links.yaml": minimalRels})
	if !reflect.DeepEqual(first, swapped) {
		t.Error("reading the same items from differently named files changes the dataset")
	}
}

func TestReadAcceptsYAMLAnchors(t *testing.T) {
	ds := mustRead(t, map[string]string{"t.yaml": base + `relationships:
  - from: attack-a
    type: ATTRIBUTED_TO
    to: group-a
    status: SUSPECTED
    confidence: 70
    assertedBy: country-a
    sources: &both [src-a, src-b]
  - from: attack-a
    type: ATTRIBUTED_TO
    to: group-b
    status: SUSPECTED
    confidence: 70
    assertedBy: country-a
    sources: *both
`})
	for _, r := range ds.Relationships {
		if !slices.Equal(r.SourceIDs, []string{"src-a", "src-b"}) {
			t.Errorf("%s: sources = %v", r.ID, r.SourceIDs)
		}
	}
}

func TestReadCollectsAllProblems(t *testing.T) {
	ds, err := Read(mapFS(map[string]string{
		"a.yaml": "entities:\n  - id: x\n    kind: COUNTRY\n    name: X\n    iso2: xx\n",
		"b.yaml": "entities:\n  - id: y\n    kind: PERSON\n    name: Y\n\n    anonymous: 1\n",
		"c.yaml": "entities:\n  - id: z\n    kind: GROUP\n    name: Z\n",
	}))
	if ds != nil {
		t.Error("a dataset was returned along with problems")
	}
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want Problems", err)
	}
	want := Problems{
		{File: "a.yaml", Line: 5, Path: "entities[0].iso2", Reason: `iso2 "xx" must be two uppercase letters (ISO 3166-1 alpha-2, e.g. RU)`},
		{File: "b.yaml", Line: 6, Reason: "anonymous must be true or false, found the whole number 1"},
	}
	if !reflect.DeepEqual(ps, want) {
		t.Errorf("problems =\n%v\nwant\n%v", ps, want)
	}
}

func TestProblemsAreSortedByFileAndLine(t *testing.T) {
	// Reference problems are found after every file is read; they are still listed in order.
	_, err := Read(mapFS(map[string]string{
		"a.yaml": rel("", "to", "nobody"),
		"b.yaml": base + "  - id: Bad\n    kind: GROUP\n    name: Bad\n",
	}))
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want Problems", err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, fmt.Sprintf("%s:%d", p.File, p.Line))
	}
	if want := []string{"a.yaml:4", "b.yaml:43"}; !slices.Equal(got, want) {
		t.Errorf("problems at %v, want %v:\n%v", got, want, ps)
	}
}

func TestProblemsError(t *testing.T) {
	if got, want := (Problem{File: "a.yaml", Line: 3, Reason: "bad"}).String(), "a.yaml:3: bad"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := (Problem{File: "a.yml", Line: 0, Reason: "bad"}).String(), "a.yml: bad"; got != want {
		t.Errorf("String() without a line = %q, want %q", got, want)
	}
	two := Problems{{File: "a.yaml", Line: 1, Reason: "one"}, {File: "b.yaml", Line: 2, Reason: "two"}}
	if got, want := two.Error(), "a.yaml:1: one\nb.yaml:2: two"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}

	var many Problems
	for i := range MaxListed + 10 {
		many = append(many, Problem{File: "f.yaml", Line: i + 1, Reason: "bad"})
	}
	lines := strings.Split(many.Error(), "\n")
	if len(lines) != MaxListed+1 {
		t.Fatalf("Error() has %d lines, want %d", len(lines), MaxListed+1)
	}
	if lines[MaxListed-1] != fmt.Sprintf("f.yaml:%d: bad", MaxListed) || lines[MaxListed] != "… and 10 more" {
		t.Errorf("Error() ends %q, %q", lines[MaxListed-1], lines[MaxListed])
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("base.yaml", base)
	write("notes.txt", "not a seed file")
	ds, err := ReadDir(dir)
	if err != nil {
		t.Fatalf("ReadDir: %v", err)
	}
	if len(ds.Entities) != 9 {
		t.Errorf("%d entities, want 9", len(ds.Entities))
	}

	write("t.yaml", "entities:\n  - id: x\n    kind: GROUP\n")
	_, err = ReadDir(dir)
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 1 {
		t.Fatalf("err = %v, want one problem", err)
	}
	if want := (Problem{File: filepath.Join(dir, "t.yaml"), Line: 2, Path: "entities[0].name", Reason: "missing required key name"}); ps[0] != want {
		t.Errorf("problem = %v, want %v", ps[0], want)
	}
}

func TestClosest(t *testing.T) {
	cands := []string{"ATTRIBUTED_TO", "AFFILIATE_OF", "CLAIMED_RESPONSIBILITY_FOR", "name", "aliases"}
	for _, c := range []struct{ in, want string }{
		{"attributed_to", "ATTRIBUTED_TO"},
		{"ATTRIBUTED", "ATTRIBUTED_TO"},
		{"AFILIATE_OF", "AFFILIATE_OF"},
		{"CLAIMED", "CLAIMED_RESPONSIBILITY_FOR"},
		{"nmae", "name"},
		{"alias", "aliases"},
		{"xyz", ""},
		{"BOMBED", ""},
	} {
		if got := closest(c.in, cands); got != c.want {
			t.Errorf("closest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestEmbedded reads the seed graph shipped with the binary.
func TestEmbedded(t *testing.T) {
	ds, err := Read(Embedded())
	if err != nil {
		t.Fatalf("the embedded seed data has problems:\n%v", err)
	}
	byID := map[string]*ig.Entity{}
	for _, e := range ds.Entities {
		byID[e.ID] = e
	}
	for _, id := range []string{"islamic-state", "islamic-state-khorasan-province", "moscow-concert-hall-attack-2024", "kabul-airport-bombing-2021"} {
		if byID[id] == nil {
			t.Errorf("no entity %s", id)
		}
	}
	hasAliases := func(id string, aliases ...string) {
		e := byID[id]
		if e == nil {
			return
		}
		for _, a := range aliases {
			if !slices.Contains(e.Aliases, a) {
				t.Errorf("%s: no alias %q in %q", id, a, e.Aliases)
			}
		}
	}
	hasAliases("islamic-state", "Daesh")
	hasAliases("islamic-state-khorasan-province", "ISKP", "ISIS-K")
	if e := byID["moscow-concert-hall-attack-2024"]; e != nil && e.Kind != ig.KindIncident {
		t.Errorf("moscow-concert-hall-attack-2024 is %s, want INCIDENT", e.Kind)
	}
	if e := byID["kabul-airport-bombing-2021"]; e != nil && e.Kind != ig.KindIncident {
		t.Errorf("kabul-airport-bombing-2021 is %s, want INCIDENT", e.Kind)
	}

	// Incidents, events and organizations carry their own facts (dates, names, GTD codes), so
	// each must say where they come from.
	for _, e := range ds.Entities {
		switch e.Kind {
		case ig.KindIncident, ig.KindEvent, ig.KindOrganization:
		default:
			continue
		}
		if len(e.SourceIDs) == 0 {
			t.Errorf("%s %s: no sources", e.Kind, e.ID)
		}
		for _, s := range e.SourceIDs {
			if src := byID[s]; src == nil || src.Kind != ig.KindSource {
				t.Errorf("%s %s: source %s is not a SOURCE entity", e.Kind, e.ID, s)
			}
		}
	}

	if len(ds.Relationships) == 0 {
		t.Fatal("no relationships")
	}
	for _, r := range ds.Relationships {
		if len(r.SourceIDs) == 0 || !r.Status.Valid() || r.AssertedByID == "" {
			t.Errorf("relationship %s: sources %v, status %q, assertedBy %q", r.ID, r.SourceIDs, r.Status, r.AssertedByID)
		}
		if r.AssertedOn.IsZero() {
			t.Errorf("relationship %s: no assertedOn", r.ID)
		}
		for _, s := range r.SourceIDs {
			if e := byID[s]; e == nil || e.Kind != ig.KindSource {
				t.Errorf("relationship %s: source %s is not a SOURCE entity", r.ID, s)
			}
		}
	}
}
