package seed

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// base is a valid file that the broken inputs below refer to. Lines of note: src-a 2, src-b 8,
// group-a 14, group-b 18, country-a 22, person-a 26, attack-a 29, city-a 34, event-a 38.
const base = `entities:
  - id: src-a
    kind: SOURCE
    name: Report A
    publisher: Agency
    published: "2024-03-23"
    sourceType: NEWS
  - id: src-b
    kind: SOURCE
    name: Report B
    publisher: Agency
    published: "2024-03"
    sourceType: NEWS
  - id: group-a
    kind: ORGANIZATION
    name: Group A
    orgType: MILITANT_GROUP
  - id: group-b
    kind: ORGANIZATION
    name: Group B
    orgType: MILITANT_GROUP
  - id: country-a
    kind: COUNTRY
    name: Country A
    iso2: RU
  - id: person-a
    kind: PERSON
    name: Person A
  - id: attack-a
    kind: INCIDENT
    name: Attack A
    date: "2024-03-22"
    outcome: SUCCESSFUL
  - id: city-a
    kind: PLACE
    name: City A
    placeType: CITY
  - id: event-a
    kind: EVENT
    name: Event A
    eventType: DETENTION
    date: "2024-03-23"
`

// rel returns a file with one relationship. Its keys are written one a line, in this order:
// from 2, type 3, to 4, status 5, confidence 6, assertedBy 7, sources 8; then extra, from line
// 9. kv overrides values ("key", "value"); an empty value leaves the key out.
func rel(extra string, kv ...string) string {
	return itemYAML("relationships", []string{
		"from", "attack-a",
		"type", "ATTRIBUTED_TO",
		"to", "group-a",
		"status", "SUSPECTED",
		"confidence", "70",
		"assertedBy", "country-a",
		"sources", "[src-a]",
	}, extra, kv)
}

// fig returns a file with one figure: subject 2, metric 3, value 4, asOf 5, status 6,
// confidence 7, assertedBy 8, sources 9; extra from line 10.
func fig(extra string, kv ...string) string {
	return itemYAML("figures", []string{
		"subject", "attack-a",
		"metric", "KILLED",
		"value", "133",
		"asOf", `"2024-03-23"`,
		"status", "REPORTED",
		"confidence", "80",
		"assertedBy", "group-b",
		"sources", "[src-a]",
	}, extra, kv)
}

func itemYAML(section string, defaults []string, extra string, kv []string) string {
	over := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		over[kv[i]] = kv[i+1]
	}
	var b strings.Builder
	b.WriteString(section + ":\n")
	prefix := "  - "
	for i := 0; i < len(defaults); i += 2 {
		k, v := defaults[i], defaults[i+1]
		if o, ok := over[k]; ok {
			v = o
		}
		if v == "" {
			continue
		}
		fmt.Fprintf(&b, "%s%s: %s\n", prefix, k, v)
		prefix = "    "
	}
	b.WriteString(extra)
	return b.String()
}

// want is one expected problem.
type want struct {
	file   string
	line   int
	reason string // a substring of the reason
}

// check reads files (with base.yaml added, unless files give it as "" to leave it out) and asserts that exactly
// the wanted problems are reported, in order, and that no dataset is returned.
func check(t *testing.T, files map[string]string, wants ...want) {
	t.Helper()
	fsys := fstest.MapFS{}
	if _, ok := files["base.yaml"]; !ok {
		fsys["base.yaml"] = &fstest.MapFile{Data: []byte(base)}
	}
	for name, src := range files {
		if src != "" || name != "base.yaml" {
			fsys[name] = &fstest.MapFile{Data: []byte(src)}
		}
	}
	ds, err := Read(fsys)
	if len(wants) == 0 {
		if err != nil {
			t.Fatalf("Read: unexpected problems:\n%v", err)
		}
		return
	}
	if ds != nil {
		t.Errorf("Read returned a dataset along with problems")
	}
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Read error = %v (%T), want Problems", err, err)
	}
	if len(ps) != len(wants) {
		t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(wants), ps)
	}
	for i, w := range wants {
		p := ps[i]
		if p.File != w.file || p.Line != w.line || !strings.Contains(p.Reason, w.reason) {
			t.Errorf("problem %d = %q\nwant        %s:%d: …%s…", i, p.String(), w.file, w.line, w.reason)
		}
	}
}

type testCase struct {
	name  string
	files map[string]string
	wants []want
}

func runCases(t *testing.T, cases []testCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { check(t, c.files, c.wants...) })
	}
}

// one is a case with a single file t.yaml and one expected problem in it.
func one(name, src string, line int, reason string) testCase {
	return testCase{name, map[string]string{"t.yaml": src}, []want{{"t.yaml", line, reason}}}
}

func TestFileProblems(t *testing.T) {
	runCases(t, []testCase{
		one("syntax error", "entities:\n  - id: x\n    name: [unclosed\n", 2, "YAML syntax error: did not find expected ',' or ']'"),
		one("tab indentation", "entities:\n  - id: x\n\tkind: X\n", 2, "YAML syntax error: found a tab character"),
		one("empty file", "", 1, "empty file"),
		one("comments only", "# nothing yet\n", 1, "empty file"),
		one("top level is a list", "- id: x\n", 1, "expected a mapping with the keys entities, relationships or figures at the top level, found a list"),
		one("no known top-level key", "{}\n", 1, "no entities, relationships or figures in this file"),
		{"only unknown top-level keys", map[string]string{"t.yaml": "# note\nthings:\n  - a\n"}, []want{
			{"t.yaml", 2, "unknown top-level key things"},
			{"t.yaml", 2, "no entities, relationships or figures"},
		}},
		one("unknown top-level key with hint", "entities: []\nrelationship:\n  - from: a\n", 2, "unknown top-level key relationship (expected entities, relationships or figures) (did you mean relationships?)"),
		one("section not a list", "entities:\n  id: x\n", 2, "entities must be a list"),
		one("section is text", "figures: none\n", 1, `figures must be a list (items starting with "- "), found text "none"`),
		one("second document", "entities: []\n---\nfigures: []\n", 2, "a second YAML document"),
		one("repeated top-level key", "entities: []\nfigures: []\nentities: []\n", 3, "key entities repeated (first at line 1)"),
		one("repeated key in an item", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    name: Y\n", 5, "key name repeated (first at line 4)"),
		one("merge key", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    <<: {description: d}\n", 5, "merge keys (<<) are not supported"),
		one("unknown anchor", "entities:\n  - id: *nope\n", 0, "unknown anchor 'nope'"),
		{"yml extension", map[string]string{"t.yml": "entities: []\n"}, []want{{"t.yml", 0, "seed files must end in .yaml"}}},
		{"no seed files", map[string]string{"base.yaml": "", "README.md": "hi"}, []want{{".", 0, "no *.yaml seed files"}}},
	})
}

func TestEntityProblems(t *testing.T) {
	long := strings.Repeat("a", 81)
	runCases(t, []testCase{
		one("entity not a mapping", "entities:\n  - x\n", 2, "an entity must be a mapping"),
		one("entity source not a SOURCE", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    sources: [src-a, city-a]\n", 5, "sources: city-a is a PLACE, not a SOURCE"),
		one("entity source unknown", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    sources:\n      - src-a\n      - src-z\n", 7, "sources: no entity with id src-z"),
		one("entity source twice", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    sources: [src-a, src-a]\n", 5, "sources: src-a listed twice"),
		one("missing id", "entities:\n  - kind: GROUP\n    name: X\n", 2, "missing required key id"),
		one("missing kind", "entities:\n  - id: x\n    name: X\n", 2, "missing required key kind"),
		one("missing name", "entities:\n  - id: x\n    kind: GROUP\n", 2, "missing required key name"),
		one("name without value", "entities:\n  - id: x\n    kind: GROUP\n    name:\n", 4, "name has no value"),
		one("name empty", "entities:\n  - id: x\n    kind: GROUP\n    name: \"  \"\n", 4, "name is empty"),
		one("name is a list", "entities:\n  - id: x\n    kind: GROUP\n    name: [a, b]\n", 4, "name must be a single value, found a list"),
		one("id uppercase", "entities:\n  - id: Islamic-State\n    kind: GROUP\n    name: X\n", 2, `id "Islamic-State" is not a valid id`),
		one("id double hyphen", "entities:\n  - id: a--b\n    kind: GROUP\n    name: X\n", 2, `id "a--b" is not a valid id`),
		one("id too long", "entities:\n  - id: "+long+"\n    kind: GROUP\n    name: X\n", 2, "at most 80 characters"),
		{"duplicate id across files", map[string]string{"t.yaml": "# again\nentities:\n  - id: group-a\n    kind: GROUP\n    name: X\n"},
			[]want{{"t.yaml", 3, "duplicate id group-a (first at base.yaml:14)"}}},
		one("duplicate id in a file", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n  - id: x\n    kind: GROUP\n    name: Y\n", 5, "duplicate id x (first at t.yaml:2)"),
		one("unknown kind", "entities:\n  - id: x\n    kind: ORGANISATION\n    name: X\n", 3, "unknown kind ORGANISATION (one of ORGANIZATION, COUNTRY"),
		one("unknown key", "entities:\n  - id: x\n    kind: GROUP\n    nmae: X\n    name: X\n", 4, "unknown key nmae for a GROUP (did you mean name?)"),
		{"unknown key, unknown kind", map[string]string{"t.yaml": "entities:\n  - id: x\n    kind: BLOB\n    name: X\n    colour: red\n    iso2: RU\n"}, []want{
			{"t.yaml", 3, "unknown kind BLOB"},
			{"t.yaml", 5, "unknown key colour"}, // iso2 passes: the kind is unknown
		}},
		one("key of another kind", "entities:\n  - id: x\n    kind: PERSON\n    name: X\n    iso2: RU\n", 5, "key iso2 is not allowed on a PERSON (only on COUNTRY)"),
		one("date on a SOURCE", "entities:\n  - id: x\n    kind: SOURCE\n    name: X\n    publisher: P\n    published: \"2024\"\n    sourceType: NEWS\n    date: \"2024\"\n", 8, "key date is not allowed on a SOURCE (only on INCIDENT or EVENT)"),

		one("aliases not a list", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    aliases: Daesh\n", 5, `aliases must be a list (e.g. [a, b]), found text "Daesh"`),
		one("alias empty", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    aliases:\n      - A\n      - \"\"\n", 7, "aliases has an empty item"),
		one("alias a list", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    aliases:\n      - [a, b]\n", 6, "each item of aliases must be a name or a mapping of name, language, script, sources and note, found a list"),
		one("alias mapping, unknown key", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    aliases:\n      - name: Daech\n        lang: fr\n", 7, "unknown key lang in an alias (did you mean language?)"),
		one("alias mapping without name", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    aliases:\n      - {language: fr}\n", 6, "an alias written as a mapping needs its name"),
		one("alias language not BCP 47", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    aliases:\n      - name: Daech\n        language: french\n", 7, `alias "Daech": language "french" is not a BCP 47 language tag`),
		one("alias language not canonical", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    aliases:\n      - Daesh\n      - name: ДАИШ\n        script: Cyrl\n        language: RU\n", 9, `alias "ДАИШ": write the language "RU" as ru`),
		one("alias script unknown", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    aliases:\n      - {name: Daech, script: Latin}\n", 6, `alias "Daech": script "Latin" is not an ISO 15924 script code`),
		one("alias script not its letters", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    aliases:\n      - name: داعش\n        language: ar\n        script: Cyrl\n", 8, `alias "داعش" is not written in script Cyrl: its letter 'د' is Arabic`),
		one("alias source unknown", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    aliases:\n      - name: Daech\n        sources:\n          - src-a\n          - src-z\n", 9, "aliases[0].sources: no entity with id src-z"),
		one("alias source not a SOURCE", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    aliases:\n      - {name: Daech, sources: [city-a]}\n", 6, "sources: city-a is a PLACE, not a SOURCE"),
		one("alias note a list", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    aliases:\n      - name: Daech\n        note: [a]\n", 7, "aliases[0].note must be a single non-empty value, found a list"),
		one("alias mapping repeated", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    aliases:\n      - Daech\n      - {name: daech, language: fr}\n", 7, `alias "daech" repeated`),
		one("alias repeated ignoring case", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    aliases:\n      - ISIS-K\n      - ISKP\n      - isis-k\n", 8, `alias "isis-k" repeated`),
		one("description a mapping", "entities:\n  - id: x\n    kind: GROUP\n    name: X\n    description: {a: b}\n", 5, "description must be a single value, found a mapping"),

		one("organization without orgType", "entities:\n  - id: x\n    kind: ORGANIZATION\n    name: X\n", 2, "missing required key orgType (required for ORGANIZATION)"),
		one("unknown orgType", "entities:\n  - id: x\n    kind: ORGANIZATION\n    name: X\n    orgType: TERRORIST\n", 5, "unknown orgType TERRORIST (one of MILITANT_GROUP, GOVERNMENT"),
		one("founded not a date", "entities:\n  - id: x\n    kind: ORGANIZATION\n    name: X\n    orgType: OTHER\n    founded: \"2014-06-31\"\n", 6, `founded: date "2014-06-31" is not a real day`),
		one("dissolved before founded", "entities:\n  - id: x\n    kind: ORGANIZATION\n    name: X\n    orgType: OTHER\n    founded: \"2014\"\n    dissolved: \"2013-12\"\n", 7, "dissolved 2013-12 is before founded 2014"),

		one("country without iso2", "entities:\n  - id: x\n    kind: COUNTRY\n    name: X\n", 2, "missing required key iso2 (required for COUNTRY)"),
		one("iso2 lowercase", "entities:\n  - id: x\n    kind: COUNTRY\n    name: X\n    iso2: ru\n", 5, `iso2 "ru" must be two uppercase letters`),
		one("iso2 three letters", "entities:\n  - id: x\n    kind: COUNTRY\n    name: X\n    iso2: RUS\n", 5, `iso2 "RUS" must be two uppercase letters`),

		one("nationality a name", "entities:\n  - id: x\n    kind: PERSON\n    name: X\n    nationality: Russian\n", 5, `nationality "Russian" must be two uppercase letters`),
		one("anonymous not a boolean", "entities:\n  - id: x\n    kind: PERSON\n    name: X\n    anonymous: \"true\"\n", 5, `anonymous must be true or false, found text "true"`),

		one("place without placeType", "entities:\n  - id: x\n    kind: PLACE\n    name: X\n", 2, "missing required key placeType (required for PLACE)"),
		one("unknown placeType", "entities:\n  - id: x\n    kind: PLACE\n    name: X\n    placeType: TOWN\n", 5, "unknown placeType TOWN (one of CITY"),
		one("countryCode", "entities:\n  - id: x\n    kind: PLACE\n    name: X\n    placeType: CITY\n    countryCode: Rus\n", 6, `countryCode "Rus" must be two uppercase letters`),
		one("latitude out of range", "entities:\n  - id: x\n    kind: PLACE\n    name: X\n    placeType: CITY\n    latitude: 90.5\n    longitude: 37\n", 6, "latitude 90.5 is out of range -90 to 90"),
		one("longitude out of range", "entities:\n  - id: x\n    kind: PLACE\n    name: X\n    placeType: CITY\n    latitude: 55\n    longitude: -180.01\n", 7, "longitude -180.01 is out of range -180 to 180"),
		one("latitude not a number", "entities:\n  - id: x\n    kind: PLACE\n    name: X\n    placeType: CITY\n    latitude: \"55.8\"\n    longitude: 37\n", 6, `latitude must be a number, found text "55.8"`),
		one("latitude without longitude", "entities:\n  - id: x\n    kind: PLACE\n    name: X\n    placeType: CITY\n    latitude: 55.8\n", 6, "latitude and longitude go together"),
		one("geoPrecision 0", "entities:\n  - id: x\n    kind: PLACE\n    name: X\n    placeType: CITY\n    geoPrecision: 0\n", 6, "geoPrecision 0 is out of range 1–5"),
		one("geoPrecision 6", "entities:\n  - id: x\n    kind: PLACE\n    name: X\n    placeType: CITY\n    geoPrecision: 6\n", 6, "geoPrecision 6 is out of range 1–5"),
		one("geoPrecision fraction", "entities:\n  - id: x\n    kind: PLACE\n    name: X\n    placeType: CITY\n    geoPrecision: 1.5\n", 6, "geoPrecision must be a whole number, found the number 1.5"),

		one("incident without date", "entities:\n  - id: x\n    kind: INCIDENT\n    name: X\n    outcome: FAILED\n", 2, "missing required key date (required for INCIDENT)"),
		one("incident without outcome", "entities:\n  - id: x\n    kind: INCIDENT\n    name: X\n    date: \"2021\"\n", 2, "missing required key outcome (required for INCIDENT)"),
		one("unknown outcome", "entities:\n  - id: x\n    kind: INCIDENT\n    name: X\n    date: \"2021\"\n    outcome: SUCCESS\n", 6, "unknown outcome SUCCESS (one of SUCCESSFUL, FAILED, FOILED)"),
		one("date not a real month", "entities:\n  - id: x\n    kind: INCIDENT\n    name: X\n    date: \"2021-13\"\n    outcome: FAILED\n", 5, `date: date "2021-13" is not a real month`),
		one("date in words", "entities:\n  - id: x\n    kind: INCIDENT\n    name: X\n    date: 26 August 2021\n    outcome: FAILED\n", 5, "must be YYYY-MM-DD, YYYY-MM or YYYY"),
		{"endDate a month that holds date", map[string]string{"t.yaml": "entities:\n  - id: x\n    kind: INCIDENT\n    name: X\n    date: \"2021-08-26\"\n    endDate: \"2021-08\"\n    outcome: FAILED\n"}, nil},
		one("endDate before date", "entities:\n  - id: x\n    kind: INCIDENT\n    name: X\n    date: \"2021-08-26\"\n    endDate: \"2021-07\"\n    outcome: FAILED\n", 6, "endDate 2021-07 is before date 2021-08-26"),
		one("attack type too high", "entities:\n  - id: x\n    kind: INCIDENT\n    name: X\n    date: \"2021\"\n    outcome: FAILED\n    attackTypes: [3, 10]\n", 7, "attackTypes: code 10 is out of range 1–9"),
		one("target type 0", "entities:\n  - id: x\n    kind: INCIDENT\n    name: X\n    date: \"2021\"\n    outcome: FAILED\n    targetTypes:\n      - 0\n", 8, "targetTypes: code 0 is out of range 1–22"),
		one("weapon type too high", "entities:\n  - id: x\n    kind: INCIDENT\n    name: X\n    date: \"2021\"\n    outcome: FAILED\n    weaponTypes: [14]\n", 7, "weaponTypes: code 14 is out of range 1–13"),
		one("codes not a list", "entities:\n  - id: x\n    kind: INCIDENT\n    name: X\n    date: \"2021\"\n    outcome: FAILED\n    attackTypes: 3\n", 7, "attackTypes must be a list (e.g. [a, b]), found the whole number 3"),
		one("code not a number", "entities:\n  - id: x\n    kind: INCIDENT\n    name: X\n    date: \"2021\"\n    outcome: FAILED\n    attackTypes: [bombing]\n", 7, `each item of attackTypes must be a whole number, found text "bombing"`),
		one("code twice", "entities:\n  - id: x\n    kind: INCIDENT\n    name: X\n    date: \"2021\"\n    outcome: FAILED\n    attackTypes:\n      - 3\n      - 3\n", 9, "attackTypes: code 3 listed twice"),
		one("suicide not a boolean", "entities:\n  - id: x\n    kind: INCIDENT\n    name: X\n    date: \"2021\"\n    outcome: FAILED\n    suicide: 1\n", 7, "suicide must be true or false, found the whole number 1"),
		one("gtdEventId 11 digits", "entities:\n  - id: x\n    kind: INCIDENT\n    name: X\n    date: \"2021\"\n    outcome: FAILED\n    gtdEventId: \"20210826000\"\n", 7, `gtdEventId "20210826000" must be 12 digits`),

		one("event without eventType", "entities:\n  - id: x\n    kind: EVENT\n    name: X\n    date: \"2021\"\n", 2, "missing required key eventType (required for EVENT)"),
		one("event without date", "entities:\n  - id: x\n    kind: EVENT\n    name: X\n    eventType: OTHER\n", 2, "missing required key date (required for EVENT)"),
		one("unknown eventType", "entities:\n  - id: x\n    kind: EVENT\n    name: X\n    eventType: ARREST\n    date: \"2021\"\n", 5, "unknown eventType ARREST (one of SECURITY_ALERT"),
		one("event endDate before date", "entities:\n  - id: x\n    kind: EVENT\n    name: X\n    eventType: OTHER\n    date: \"2021-03\"\n    endDate: \"2021-02-28\"\n", 7, "endDate 2021-02-28 is before date 2021-03"),

		{"source without its required keys", map[string]string{"t.yaml": "entities:\n  - id: x\n    kind: SOURCE\n    name: X\n"}, []want{
			{"t.yaml", 2, "missing required key publisher (required for SOURCE)"},
			{"t.yaml", 2, "missing required key published (required for SOURCE)"},
			{"t.yaml", 2, "missing required key sourceType (required for SOURCE)"},
		}},
		one("unknown sourceType", "entities:\n  - id: x\n    kind: SOURCE\n    name: X\n    publisher: P\n    published: \"2024\"\n    sourceType: BLOG\n", 7, "unknown sourceType BLOG (one of NEWS"),
		one("published not a date", "entities:\n  - id: x\n    kind: SOURCE\n    name: X\n    publisher: P\n    published: \"2024-02-30\"\n    sourceType: NEWS\n", 6, `published: date "2024-02-30" is not a real day`),
		one("url not absolute", "entities:\n  - id: x\n    kind: SOURCE\n    name: X\n    publisher: P\n    published: \"2024\"\n    sourceType: NEWS\n    url: apnews.com/article\n", 8, `url "apnews.com/article" must be an absolute http or https URL`),
		one("accessed before published", "entities:\n  - id: x\n    kind: SOURCE\n    name: X\n    publisher: P\n    published: \"2024-03-23\"\n    sourceType: NEWS\n    accessed: \"2024-03-22\"\n", 8, "accessed 2024-03-22 is before published 2024-03-23"),
	})
}

func TestRelationshipProblems(t *testing.T) {
	required := []string{"from", "type", "to", "status", "confidence", "assertedBy", "sources"}
	var cases []testCase
	for _, k := range required {
		cases = append(cases, one("missing "+k, rel("", k, ""), 2, "missing required key "+k))
	}
	cases = append(cases,
		one("not a mapping", "relationships:\n  - attack-a ATTRIBUTED_TO group-a\n", 2, "a relationship must be a mapping"),
		one("unknown key", rel("    qoute: text\n"), 9, "unknown key qoute in a relationship (did you mean quote?)"),
		one("unknown type", rel("", "type", "ATTRIBUTED"), 3, "unknown relationship type ATTRIBUTED (did you mean ATTRIBUTED_TO?)"),
		one("type in lower case", rel("", "type", "attributed_to"), 3, "unknown relationship type attributed_to (did you mean ATTRIBUTED_TO?)"),
		one("type not close to any", rel("", "type", "LIKES"), 3, "unknown relationship type LIKES"),
		one("unknown from", rel("", "from", "attack-b"), 2, "from: no entity with id attack-b (did you mean attack-a?)"),
		one("unknown to", rel("", "to", "islamic-state"), 4, "to: no entity with id islamic-state"),
		one("unknown assertedBy", rel("", "assertedBy", "us"), 7, "assertedBy: no entity with id us"),
		one("from kind not allowed", rel("", "from", "city-a"), 2, "ATTRIBUTED_TO cannot point from city-a (PLACE): it points from INCIDENT or EVENT"),
		one("to kind not allowed", rel("", "to", "city-a"), 4, "ATTRIBUTED_TO cannot point to city-a (PLACE): it points to ORGANIZATION, COUNTRY, PERSON or GROUP"),
		testCase{"from and to swapped", map[string]string{"t.yaml": rel("", "from", "group-a", "to", "attack-a")}, []want{
			{"t.yaml", 2, "ATTRIBUTED_TO cannot point from group-a (ORGANIZATION): it points from INCIDENT or EVENT; are from and to swapped?"},
			{"t.yaml", 4, "ATTRIBUTED_TO cannot point to attack-a (INCIDENT): it points to ORGANIZATION, COUNTRY, PERSON or GROUP; are from and to swapped?"},
		}},
		one("self-loop", rel("", "from", "group-a", "type", "ALLIED_WITH", "to", "group-a"), 4, "from and to are the same entity group-a"),
		one("unknown status", rel("", "status", "PROBABLE"), 5, "unknown status PROBABLE (one of CLAIMED, CONFIRMED"),
		one("confidence above 100", rel("", "confidence", "101"), 6, "confidence 101 is out of range 0–100"),
		one("confidence negative", rel("", "confidence", "-1"), 6, "confidence -1 is out of range 0–100"),
		one("confidence fraction", rel("", "confidence", "0.7"), 6, "confidence must be a whole number, found the number 0.7"),
		one("confidence text", rel("", "confidence", "high"), 6, `confidence must be a whole number, found text "high"`),
		one("assertedBy not an actor", rel("", "assertedBy", "src-a"), 7, "assertedBy: src-a is a SOURCE; the asserting party is an ORGANIZATION, COUNTRY, PERSON or GROUP"),
		one("sources not a list", rel("", "sources", "src-a"), 8, `sources must be a list (e.g. [a, b]), found text "src-a"`),
		one("sources empty", rel("", "sources", "[]"), 8, "sources is an empty list"),
		one("source not a SOURCE", rel("", "sources", "[src-a, group-a]"), 8, "sources: group-a is an ORGANIZATION, not a SOURCE"),
		one("unknown source", rel("", "sources", "\n      - src-a\n      - src-c"), 10, "sources: no entity with id src-c (did you mean src-a?)"),
		one("source twice", rel("", "sources", "[src-a, src-a]"), 8, "sources: src-a listed twice"),
		one("validFrom not a date", rel("    validFrom: March 2024\n"), 9, "validFrom: date \"March 2024\" must be YYYY-MM-DD"),
		testCase{"validTo within the month of validFrom", map[string]string{"t.yaml": rel("    validFrom: \"2024-03-15\"\n    validTo: \"2024-03\"\n")}, nil},
		one("validTo before validFrom", rel("    validFrom: \"2024-03\"\n    validTo: \"2024-02-29\"\n"), 10, "validTo 2024-02-29 is before validFrom 2024-03"),
		one("assertedOn not a date", rel("    assertedOn: \"2024-3-23\"\n"), 9, "assertedOn: date \"2024-3-23\" must be YYYY-MM-DD"),
		one("id with underscore", rel("    id: us_attribution\n"), 9, `id "us_attribution" is not a valid relationship id`),
		one("id with three hyphens", rel("    id: a---b\n"), 9, `id "a---b" is not a valid relationship id`),
		one("id too long", rel("    id: "+strings.Repeat("a", 201)+"\n"), 9, "at most 200 characters"),
		testCase{"duplicate default id", map[string]string{
			"t.yaml": rel(""),
			"u.yaml": rel("", "status", "REPORTED", "confidence", "60"),
		}, []want{{"u.yaml", 2, "duplicate relationship id attack-a--attributed-to--group-a--country-a (first at t.yaml:2): set id on one of them to keep two assertions apart"}}},
		testCase{"duplicate explicit id", map[string]string{
			"t.yaml": rel("    id: the-claim\n"),
			"u.yaml": rel("    id: the-claim\n", "to", "group-b"),
		}, []want{{"u.yaml", 9, "duplicate relationship id the-claim (first at t.yaml:9)"}}},
	)
	runCases(t, cases)
}

func TestFigureProblems(t *testing.T) {
	required := []string{"subject", "metric", "value", "asOf", "status", "confidence", "assertedBy", "sources"}
	var cases []testCase
	for _, k := range required {
		cases = append(cases, one("missing "+k, fig("", k, ""), 2, "missing required key "+k))
	}
	cases = append(cases,
		one("not a mapping", "figures:\n  - 133 killed\n", 2, "a figure must be a mapping"),
		one("unknown key", fig("    populaton: Afghans\n"), 10, "unknown key populaton in a figure (did you mean population?)"),
		one("unknown subject", fig("", "subject", "attack-z"), 2, "subject: no entity with id attack-z"),
		one("subject not an incident or event", fig("", "subject", "city-a"), 2, "subject city-a is a PLACE: figures are about an INCIDENT or EVENT"),
		one("unknown metric", fig("", "metric", "DEAD"), 3, "unknown metric DEAD (one of KILLED, WOUNDED"),
		one("negative value", fig("", "value", "-1"), 4, "value -1 must not be negative"),
		one("value in words", fig("", "value", "dozens"), 4, `value must be a whole number, found text "dozens"`),
		one("asOf not a date", fig("", "asOf", "yesterday"), 5, `asOf: date "yesterday" must be YYYY-MM-DD`),
		one("unknown status", fig("", "status", "OFFICIAL"), 6, "unknown status OFFICIAL"),
		one("confidence out of range", fig("", "confidence", "1000"), 7, "confidence 1000 is out of range 0–100"),
		one("assertedBy not an actor", fig("", "assertedBy", "attack-a"), 8, "assertedBy: attack-a is an INCIDENT"),
		one("unknown assertedBy", fig("", "assertedBy", "nobody"), 8, "assertedBy: no entity with id nobody"),
		one("source not a SOURCE", fig("", "sources", "[person-a]"), 9, "sources: person-a is a PERSON, not a SOURCE"),
		one("sources empty", fig("", "sources", "[]"), 9, "sources is an empty list"),
		one("unknown qualifier", fig("    qualifier: OVER\n"), 10, "unknown qualifier OVER (one of EXACT, AT_LEAST, ABOUT, AT_MOST)"),
		one("population empty", fig("    population: \"\"\n"), 10, "population is empty"),
		one("id not valid", fig("    id: Killed-133\n"), 10, `id "Killed-133" is not a valid figure id`),
		testCase{"duplicate default id", map[string]string{
			"t.yaml": fig(""),
			"u.yaml": fig("", "value", "140"),
		}, []want{{"u.yaml", 2, "duplicate figure id attack-a--killed--2024-03-23--group-b (first at t.yaml:2)"}}},
		testCase{"same report for two populations", map[string]string{
			"t.yaml": fig("    population: U.S. service members\n"),
			"u.yaml": fig("    population: Afghans\n"),
		}, nil},
	)
	runCases(t, cases)
}
