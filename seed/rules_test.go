package seed

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	ig "github.com/incidentgraph/incidentgraph"
)

// The rules of an entity, a relationship or a figure live in the domain (ValidateEntity,
// ValidateRelationship, ValidateFigure). Each case below breaks one of them in a seed file and
// describes the same item as a Go value: the seed validator must report exactly what the domain
// function reports for that value (message and path), at the line of the key it is about.

// ruleCase is one broken rule: a one-item file built from a base item with keys overridden
// ("" leaves a key out; keys not in the base are appended), the same item as a Go value, and
// the key whose line the problem is at ("" for the item's line).
type ruleCase struct {
	name    string
	section string // entities, relationships or figures
	base    []string
	kv      []string
	at      string
	entity  func(*ig.Entity)
	rel     func(*ig.Relationship)
	fig     func(*ig.Figure)
}

var (
	orgBase     = []string{"id", "x", "kind", "ORGANIZATION", "name", "X", "orgType", "MILITANT_GROUP"}
	countryBase = []string{"id", "x", "kind", "COUNTRY", "name", "X", "iso2", "RU"}
	personBase  = []string{"id", "x", "kind", "PERSON", "name", "X"}
	placeBase   = []string{"id", "x", "kind", "PLACE", "name", "X", "placeType", "CITY"}
	incBase     = []string{"id", "x", "kind", "INCIDENT", "name", "X", "date", `"2024-03-22"`, "outcome", "SUCCESSFUL"}
	eventBase   = []string{"id", "x", "kind", "EVENT", "name", "X", "eventType", "DETENTION", "date", `"2024-03-23"`}
	sourceBase  = []string{"id", "x", "kind", "SOURCE", "name", "X", "publisher", "P", "published", `"2024-03-23"`, "sourceType", "NEWS"}
	relBase     = []string{"from", "attack-a", "type", "ATTRIBUTED_TO", "to", "group-a", "status", "SUSPECTED",
		"confidence", "70", "assertedBy", "country-a", "sources", "[src-a]"}
	figBase = []string{"subject", "attack-a", "metric", "KILLED", "value", "133", "asOf", `"2024-03-23"`,
		"status", "REPORTED", "confidence", "80", "assertedBy", "group-b", "sources", "[src-a]"}
)

// goEntity is the Go value of a base entity (the kind decides which).
func goEntity(k ig.Kind) *ig.Entity {
	e := &ig.Entity{ID: "x", Kind: k, Name: "X"}
	switch k {
	case ig.KindOrganization:
		e.OrgType = "MILITANT_GROUP"
	case ig.KindCountry:
		e.ISO2 = "RU"
	case ig.KindPlace:
		e.PlaceType = "CITY"
	case ig.KindIncident:
		e.Date, e.Outcome = "2024-03-22", "SUCCESSFUL"
	case ig.KindEvent:
		e.EventType, e.Date = "DETENTION", "2024-03-23"
	case ig.KindSource:
		e.Publisher, e.Published, e.SourceType = "P", "2024-03-23", "NEWS"
	}
	return e
}

func f64(v float64) *float64 { return &v }

func ent(name string, base []string, at string, change func(*ig.Entity), kv ...string) ruleCase {
	return ruleCase{name: name, section: "entities", base: base, kv: kv, at: at, entity: change}
}

func relCase(name, at string, change func(*ig.Relationship), kv ...string) ruleCase {
	return ruleCase{name: name, section: "relationships", base: relBase, kv: kv, at: at, rel: change}
}

func figCase(name, at string, change func(*ig.Figure), kv ...string) ruleCase {
	return ruleCase{name: name, section: "figures", base: figBase, kv: kv, at: at, fig: change}
}

func ruleCases() []ruleCase {
	return []ruleCase{
		ent("id not valid", orgBase, "id", func(e *ig.Entity) { e.ID = "Islamic_State" }, "id", "Islamic_State"),
		ent("id too long", orgBase, "id", func(e *ig.Entity) { e.ID = strings.Repeat("a", ig.MaxIDLength+1) }, "id", strings.Repeat("a", ig.MaxIDLength+1)),
		ent("id missing", orgBase, "", func(e *ig.Entity) { e.ID = "" }, "id", ""),
		ent("kind missing", personBase, "", func(e *ig.Entity) { e.Kind = "" }, "kind", ""),
		ent("kind unknown", personBase, "kind", func(e *ig.Entity) { e.Kind = "HUMAN" }, "kind", "HUMAN"),
		ent("name missing", personBase, "", func(e *ig.Entity) { e.Name = "" }, "name", ""),
		ent("alias repeated", personBase, "aliases", func(e *ig.Entity) { e.Aliases = []string{"A", "b", "a"} }, "aliases", "[A, b, a]"),
		ent("entity source twice", personBase, "sources", func(e *ig.Entity) { e.SourceIDs = []string{"src-a", "src-a"} }, "sources", "[src-a, src-a]"),
		ent("orgType missing", orgBase, "", func(e *ig.Entity) { e.OrgType = "" }, "orgType", ""),
		ent("orgType unknown", orgBase, "orgType", func(e *ig.Entity) { e.OrgType = "TERRORISTS" }, "orgType", "TERRORISTS"),
		ent("dissolved before founded", orgBase, "dissolved", func(e *ig.Entity) { e.Founded, e.Dissolved = "2014", "2013-12" }, "founded", `"2014"`, "dissolved", `"2013-12"`),
		ent("iso2 missing", countryBase, "", func(e *ig.Entity) { e.ISO2 = "" }, "iso2", ""),
		ent("iso2 lowercase", countryBase, "iso2", func(e *ig.Entity) { e.ISO2 = "ru" }, "iso2", "ru"),
		ent("nationality a name", personBase, "nationality", func(e *ig.Entity) { e.Nationality = "Russian" }, "nationality", "Russian"),
		ent("placeType missing", placeBase, "", func(e *ig.Entity) { e.PlaceType = "" }, "placeType", ""),
		ent("placeType unknown", placeBase, "placeType", func(e *ig.Entity) { e.PlaceType = "TOWN" }, "placeType", "TOWN"),
		ent("countryCode", placeBase, "countryCode", func(e *ig.Entity) { e.CountryCode = "Rus" }, "countryCode", "Rus"),
		ent("latitude alone", placeBase, "latitude", func(e *ig.Entity) { e.Latitude = f64(55.8) }, "latitude", "55.8"),
		ent("longitude alone", placeBase, "", func(e *ig.Entity) { e.Longitude = f64(37.6) }, "longitude", "37.6"),
		ent("latitude out of range", placeBase, "latitude", func(e *ig.Entity) { e.Latitude, e.Longitude = f64(90.5), f64(37) }, "latitude", "90.5", "longitude", "37"),
		ent("longitude out of range", placeBase, "longitude", func(e *ig.Entity) { e.Latitude, e.Longitude = f64(55), f64(-180.01) }, "latitude", "55", "longitude", "-180.01"),
		ent("incident date missing", incBase, "", func(e *ig.Entity) { e.Date = "" }, "date", ""),
		ent("outcome missing", incBase, "", func(e *ig.Entity) { e.Outcome = "" }, "outcome", ""),
		ent("outcome unknown", incBase, "outcome", func(e *ig.Entity) { e.Outcome = "SUCCESS" }, "outcome", "SUCCESS"),
		ent("incident endDate before date", incBase, "endDate", func(e *ig.Entity) { e.EndDate = "2024-03-21" }, "endDate", `"2024-03-21"`),
		ent("attack code out of range", incBase, "attackTypes", func(e *ig.Entity) { e.AttackTypes = []int{3, ig.MaxAttackType + 1} }, "attackTypes", fmt.Sprintf("[3, %d]", ig.MaxAttackType+1)),
		ent("target code 0", incBase, "targetTypes", func(e *ig.Entity) { e.TargetTypes = []int{0} }, "targetTypes", "[0]"),
		ent("weapon code out of range", incBase, "weaponTypes", func(e *ig.Entity) { e.WeaponTypes = []int{ig.MaxWeaponType + 1} }, "weaponTypes", fmt.Sprintf("[%d]", ig.MaxWeaponType+1)),
		ent("code twice", incBase, "attackTypes", func(e *ig.Entity) { e.AttackTypes = []int{3, 3} }, "attackTypes", "[3, 3]"),
		ent("eventType missing", eventBase, "", func(e *ig.Entity) { e.EventType = "" }, "eventType", ""),
		ent("eventType unknown", eventBase, "eventType", func(e *ig.Entity) { e.EventType = "ARREST" }, "eventType", "ARREST"),
		ent("event date missing", eventBase, "", func(e *ig.Entity) { e.Date = "" }, "date", ""),
		ent("event endDate before date", eventBase, "endDate", func(e *ig.Entity) { e.Date, e.EndDate = "2024-04-01", "2024-03" }, "date", `"2024-04-01"`, "endDate", `"2024-03"`),
		ent("publisher missing", sourceBase, "", func(e *ig.Entity) { e.Publisher = "" }, "publisher", ""),
		ent("published missing", sourceBase, "", func(e *ig.Entity) { e.Published = "" }, "published", ""),
		ent("sourceType missing", sourceBase, "", func(e *ig.Entity) { e.SourceType = "" }, "sourceType", ""),
		ent("sourceType unknown", sourceBase, "sourceType", func(e *ig.Entity) { e.SourceType = "BLOG" }, "sourceType", "BLOG"),
		ent("url without a scheme", sourceBase, "url", func(e *ig.Entity) { e.URL = "apnews.com/article" }, "url", "apnews.com/article"),
		ent("url without a host", sourceBase, "url", func(e *ig.Entity) { e.URL = "https://" }, "url", `"https://"`),
		ent("url of another scheme", sourceBase, "url", func(e *ig.Entity) { e.URL = "ftp://example.org/a" }, "url", "ftp://example.org/a"),
		ent("accessed before published", sourceBase, "accessed", func(e *ig.Entity) { e.Accessed = "2024-03-22" }, "accessed", `"2024-03-22"`),

		relCase("from missing", "", func(r *ig.Relationship) { r.FromID = "" }, "from", ""),
		relCase("to missing", "", func(r *ig.Relationship) { r.ToID = "" }, "to", ""),
		relCase("type missing", "", func(r *ig.Relationship) { r.Type = "" }, "type", ""),
		relCase("status missing", "", func(r *ig.Relationship) { r.Status = "" }, "status", ""),
		relCase("assertedBy missing", "", func(r *ig.Relationship) { r.AssertedByID = "" }, "assertedBy", ""),
		relCase("sources missing", "", func(r *ig.Relationship) { r.SourceIDs = nil }, "sources", ""),
		relCase("type unknown", "type", func(r *ig.Relationship) { r.Type = "ATTRIBUTED" }, "type", "ATTRIBUTED"),
		relCase("self-loop", "to", func(r *ig.Relationship) { r.FromID, r.Type, r.ToID = "group-a", "ALLIED_WITH", "group-a" },
			"from", "group-a", "type", "ALLIED_WITH", "to", "group-a"),
		relCase("status unknown", "status", func(r *ig.Relationship) { r.Status = "PROBABLE" }, "status", "PROBABLE"),
		relCase("confidence above the top", "confidence", func(r *ig.Relationship) { r.Confidence = ig.MaxConfidence + 1 }, "confidence", fmt.Sprint(ig.MaxConfidence+1)),
		relCase("confidence negative", "confidence", func(r *ig.Relationship) { r.Confidence = -1 }, "confidence", "-1"),
		relCase("source twice", "sources", func(r *ig.Relationship) { r.SourceIDs = []string{"src-a", "src-a"} }, "sources", "[src-a, src-a]"),
		relCase("validTo before validFrom", "validTo", func(r *ig.Relationship) { r.ValidFrom, r.ValidTo = "2024-03", "2024-02-29" },
			"validFrom", `"2024-03"`, "validTo", `"2024-02-29"`),
		relCase("relationship id not valid", "id", func(r *ig.Relationship) { r.ID = "a---b" }, "id", "a---b"),

		figCase("subject missing", "", func(f *ig.Figure) { f.SubjectID = "" }, "subject", ""),
		figCase("metric missing", "", func(f *ig.Figure) { f.Metric = "" }, "metric", ""),
		figCase("asOf missing", "", func(f *ig.Figure) { f.AsOf = "" }, "asOf", ""),
		figCase("figure status missing", "", func(f *ig.Figure) { f.Status = "" }, "status", ""),
		figCase("figure assertedBy missing", "", func(f *ig.Figure) { f.AssertedByID = "" }, "assertedBy", ""),
		figCase("figure sources missing", "", func(f *ig.Figure) { f.SourceIDs = nil }, "sources", ""),
		figCase("metric unknown", "metric", func(f *ig.Figure) { f.Metric = "DEAD" }, "metric", "DEAD"),
		figCase("qualifier unknown", "qualifier", func(f *ig.Figure) { f.Qualifier = "OVER" }, "qualifier", "OVER"),
		figCase("figure status unknown", "status", func(f *ig.Figure) { f.Status = "OFFICIAL" }, "status", "OFFICIAL"),
		figCase("value negative", "value", func(f *ig.Figure) { f.Value = -1 }, "value", "-1"),
		figCase("figure confidence out of range", "confidence", func(f *ig.Figure) { f.Confidence = 1000 }, "confidence", "1000"),
		figCase("figure source twice", "sources", func(f *ig.Figure) { f.SourceIDs = []string{"src-a", "src-a"} }, "sources", "[src-a, src-a]"),
		figCase("figure id not valid", "id", func(f *ig.Figure) { f.ID = "Killed-133" }, "id", "Killed-133"),

		// The rules about the kinds of the entities an item names (base.yaml's).
		ent("entity source not a SOURCE", personBase, "sources", func(e *ig.Entity) { e.SourceIDs = []string{"src-a", "group-a"} }, "sources", "[src-a, group-a]"),
		relCase("from of a kind not allowed", "from", func(r *ig.Relationship) { r.FromID = "city-a" }, "from", "city-a"),
		relCase("to of a kind not allowed", "to", func(r *ig.Relationship) { r.ToID = "city-a" }, "to", "city-a"),
		relCase("assertedBy not an actor", "assertedBy", func(r *ig.Relationship) { r.AssertedByID = "src-a" }, "assertedBy", "src-a"),
		relCase("source not a SOURCE", "sources", func(r *ig.Relationship) { r.SourceIDs = []string{"person-a"} }, "sources", "[person-a]"),
		figCase("subject not an incident or event", "subject", func(f *ig.Figure) { f.SubjectID = "city-a" }, "subject", "city-a"),
		figCase("figure assertedBy not an actor", "assertedBy", func(f *ig.Figure) { f.AssertedByID = "attack-a" }, "assertedBy", "attack-a"),
	}
}

// file writes the case's item, one key a line from line 2, and returns it with the line of
// the key at (2, the item's line, when at is "" or left out).
func (c ruleCase) file() (string, int) {
	over := map[string]string{}
	var order []string
	for i := 0; i+1 < len(c.kv); i += 2 {
		over[c.kv[i]] = c.kv[i+1]
		order = append(order, c.kv[i])
	}
	var keys, vals []string
	for i := 0; i+1 < len(c.base); i += 2 {
		k, v := c.base[i], c.base[i+1]
		if o, ok := over[k]; ok {
			v = o
		}
		keys, vals = append(keys, k), append(vals, v)
	}
	for _, k := range order {
		if !slices.Contains(keys, k) {
			keys, vals = append(keys, k), append(vals, over[k])
		}
	}
	var b strings.Builder
	b.WriteString(c.section + ":\n")
	prefix, line, atLine := "  - ", 1, 2
	for i, k := range keys {
		if vals[i] == "" {
			continue
		}
		line++
		fmt.Fprintf(&b, "%s%s: %s\n", prefix, k, vals[i])
		prefix = "    "
		if k == c.at {
			atLine = line
		}
	}
	return b.String(), atLine
}

// baseKinds is the kind of every entity of base.yaml.
var baseKinds = map[string]ig.Kind{"src-a": ig.KindSource, "src-b": ig.KindSource, "group-a": ig.KindOrganization,
	"group-b": ig.KindOrganization, "country-a": ig.KindCountry, "person-a": ig.KindPerson, "attack-a": ig.KindIncident,
	"city-a": ig.KindPlace, "event-a": ig.KindEvent}

// domainProblems is what the domain reports for the case's Go value, by itself and against
// the entities of base.yaml.
func (c ruleCase) domainProblems() []ig.Problem {
	path := c.section + "[0]"
	switch {
	case c.entity != nil:
		e := goEntity(ig.Kind(c.base[3]))
		c.entity(e)
		return append(ig.ValidateEntity(e, path), ig.CheckSources(e.SourceIDs, baseKinds, path)...)
	case c.rel != nil:
		r := &ig.Relationship{FromID: "attack-a", Type: "ATTRIBUTED_TO", ToID: "group-a", Status: "SUSPECTED",
			Confidence: 70, AssertedByID: "country-a", SourceIDs: []string{"src-a"}}
		c.rel(r)
		return append(ig.ValidateRelationship(r, path), ig.CheckReferences(r, baseKinds, path)...)
	default:
		f := &ig.Figure{SubjectID: "attack-a", Metric: "KILLED", Value: 133, Qualifier: "EXACT", AsOf: "2024-03-23",
			Status: "REPORTED", Confidence: 80, AssertedByID: "group-b", SourceIDs: []string{"src-a"}}
		c.fig(f)
		return append(ig.ValidateFigure(f, path), ig.CheckFigureReferences(f, baseKinds, path)...)
	}
}

// ruleMismatch reads the case's file (beside base) with rs and says how what the reader reports
// differs from what the domain reports for the same item ("" when it does not).
func ruleMismatch(c ruleCase, rs rules) string {
	src, line := c.file()
	fsys := fstest.MapFS{"base.yaml": {Data: []byte(base)}, "t.yaml": {Data: []byte(src)}}
	want := c.domainProblems()
	if len(want) != 1 {
		return fmt.Sprintf("the case breaks %d domain rules, want 1: %v", len(want), want)
	}
	_, err := read(fsys, func(n string) string { return n }, rs)
	var got Problems
	if err != nil && !errors.As(err, &got) {
		return fmt.Sprintf("Read error = %v (%T), want Problems", err, err)
	}
	w := Problem{File: "t.yaml", Line: line, Path: want[0].Field, Reason: want[0].Message}
	if len(got) != 1 || got[0] != w {
		return fmt.Sprintf("problems =\n%#v\nwant\n%#v\nfile:\n%s", got, w, src)
	}
	return ""
}

// TestDomainRules: every rule of the domain, broken in a seed file, is reported with the
// domain's message and path, at the file and line of the key.
func TestDomainRules(t *testing.T) {
	for _, c := range ruleCases() {
		if m := ruleMismatch(c, domainRules()); m != "" {
			t.Errorf("%s: %s", c.name, m)
		}
	}
}

// TestDomainRulesCatchStrayValidators is the negative control of TestDomainRules: validators
// that write a rule out again instead of calling the domain, as the seed validator once did,
// fail the same table.
func TestDomainRulesCatchStrayValidators(t *testing.T) {
	without := func(ps []ig.Problem, field string) []ig.Problem {
		return slices.DeleteFunc(ps, func(p ig.Problem) bool { return strings.HasSuffix(p.Field, "."+field) })
	}
	// The URL rule as a prefix test: it lets "https://" through.
	prefixURL := domainRules()
	prefixURL.entity = func(e *ig.Entity, path string) []ig.Problem {
		ps := without(ig.ValidateEntity(e, path), "url")
		if e.URL != "" && !strings.HasPrefix(e.URL, "http://") && !strings.HasPrefix(e.URL, "https://") {
			ps = append(ps, ig.Problem{Field: path + ".url", Message: fmt.Sprintf("url %q must be an absolute http or https URL", e.URL)})
		}
		return ps
	}
	// The status rule with a copied message that has drifted from the domain's.
	copiedStatus := domainRules()
	copiedStatus.relationship = func(r *ig.Relationship, path string) []ig.Problem {
		ps := without(ig.ValidateRelationship(r, path), "status")
		if r.Status != "" && !r.Status.Valid() {
			ps = append(ps, ig.Problem{Field: path + ".status", Message: "unknown status " + string(r.Status)})
		}
		return ps
	}
	// A rule not checked at all.
	noCodes := domainRules()
	noCodes.entity = func(e *ig.Entity, path string) []ig.Problem {
		c := *e
		c.AttackTypes = nil
		return ig.ValidateEntity(&c, path)
	}
	// The rule about the kinds at the ends of a relationship written out again, as it once was.
	copiedEnds := domainRules()
	copiedEnds.references = func(r *ig.Relationship, kinds map[string]ig.Kind, path string) []ig.Problem {
		ps := slices.DeleteFunc(ig.CheckReferences(r, kinds, path), func(p ig.Problem) bool { return strings.Contains(p.Message, "cannot point") })
		if info, ok := ig.LookupRelType(r.Type); ok && kinds[r.FromID] != "" && !slices.Contains(info.From, kinds[r.FromID]) {
			ps = append(ps, ig.Problem{Field: path + ".from", Message: fmt.Sprintf("%s cannot point from %s (%s)", r.Type, r.FromID, kinds[r.FromID])})
		}
		return ps
	}
	for _, m := range []struct {
		name     string
		rs       rules
		caughtBy string // a case that must fail
	}{
		{"prefix url", prefixURL, "url without a host"},
		{"copied status", copiedStatus, "status unknown"},
		{"no attack codes", noCodes, "code twice"},
		{"copied ends", copiedEnds, "from of a kind not allowed"},
	} {
		i := slices.IndexFunc(ruleCases(), func(c ruleCase) bool { return c.name == m.caughtBy })
		if i < 0 {
			t.Fatalf("%s: no case %q", m.name, m.caughtBy)
		}
		if ruleMismatch(ruleCases()[i], m.rs) == "" {
			t.Errorf("%s: case %q passed a validator that does not call the domain", m.name, m.caughtBy)
		}
	}
}
