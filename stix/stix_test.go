package stix_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/stix"
)

func ptr[T any](v T) *T { return &v }

// fixture is a small graph with every kind, a claim, an attribution, an accusation and its
// denial, a dispute, a retraction, figures with history, and sources cited once and several
// times: the Moscow attack in miniature.
func fixture() *stix.Graph {
	ap := &incidentgraph.Entity{ID: "ap-explainer", Kind: incidentgraph.KindSource, Name: "What we know", Publisher: "The Associated Press",
		Published: "2024-03-23", SourceType: "NEWS", URL: "https://apnews.com/x", Version: 1}
	wiki := &incidentgraph.Entity{ID: "wiki-crocus", Kind: incidentgraph.KindSource, Name: "Crocus City Hall attack", Publisher: "Wikipedia",
		Published: "2025-06", Accessed: "2025-06-01", SourceType: "REFERENCE", Version: 1}
	nodes := []*incidentgraph.Entity{
		{ID: "islamic-state", Kind: incidentgraph.KindOrganization, Name: "Islamic State", Aliases: []string{"ISIS", "Daesh", "داعش"},
			AliasInfo: []incidentgraph.Alias{{Name: "داعش", Language: "ar", Script: "Arab", SourceIDs: []string{"wiki-crocus"}, Note: "the Arabic acronym"}},
			OrgType:   "MILITANT_GROUP", GTDName: "Islamic State of Iraq and the Levant (ISIL)", Founded: "1999", Version: 3,
			SourceIDs: []string{"ap-explainer"}},
		{ID: "russia", Kind: incidentgraph.KindCountry, Name: "Russia", ISO2: "RU", Version: 1},
		{ID: "ukraine", Kind: incidentgraph.KindCountry, Name: "Ukraine", ISO2: "UA", Version: 1},
		{ID: "moscow-attack", Kind: incidentgraph.KindIncident, Name: "Moscow concert hall attack", Date: "2024-03-22",
			Summary: "Gunmen attacked a concert hall.", AttackTypes: []int{2, 7}, Outcome: "SUCCESSFUL", Suicide: false, Version: 1,
			GTDEventID: "202403220001", SourceIDs: []string{"ap-explainer", "wiki-crocus"}},
		{ID: "crocus-city-hall", Kind: incidentgraph.KindPlace, Name: "Crocus City Hall", PlaceType: "VENUE", CountryCode: "RU",
			Latitude: ptr(55.82583), Longitude: ptr(37.38861), GeoPrecision: ptr(1), Version: 1},
		{ID: "olivier-guitta", Kind: incidentgraph.KindPerson, Name: "Olivier Guitta", Role: "analyst", Nationality: "FR", Version: 1},
		{ID: "yazidis", Kind: incidentgraph.KindGroup, Name: "Yazidis", Version: 1},
		{ID: "yazidi-genocide", Kind: incidentgraph.KindEvent, Name: "Genocide of Yazidis", EventType: "CAMPAIGN", Date: "2014-08",
			EndDate: "2017", Version: 1},
		{ID: "detentions", Kind: incidentgraph.KindEvent, Name: "Detentions", EventType: "DETENTION", Date: "2024-03-23", Version: 1},
		ap,
	}
	rel := func(from string, t incidentgraph.RelType, to string, status incidentgraph.Status, conf int, by string, sources ...string) *incidentgraph.Relationship {
		return &incidentgraph.Relationship{ID: incidentgraph.DefaultRelationshipID(from, t, to, by), Type: t, FromID: from, ToID: to,
			Status: status, Confidence: conf, AssertedByID: by, SourceIDs: sources, Version: 1}
	}
	claim := rel("islamic-state", "CLAIMED_RESPONSIBILITY_FOR", "moscow-attack", "CLAIMED", 85, "islamic-state", "ap-explainer")
	claim.Quote = "the Islamic State group claimed responsibility"
	accused := rel("ukraine", "ACCUSED_OF", "moscow-attack", "ALLEGED", 10, "russia", "ap-explainer")
	denied := rel("ukraine", "DENIED", "moscow-attack", "DENIED", 75, "ukraine", "ap-explainer")
	denied.Quote = "vehemently denied any involvement"
	attributed := rel("moscow-attack", "ATTRIBUTED_TO", "islamic-state", "CONFIRMED", 85, "olivier-guitta", "ap-explainer", "wiki-crocus")
	attributed.Version = 2
	disputed := rel("yazidi-genocide", "TARGETED", "yazidis", "DISPUTED", 40, "olivier-guitta", "wiki-crocus")
	disputed.Note = "numbers contested"
	retracted := rel("detentions", "RESPONSE_TO", "moscow-attack", "RETRACTED", 30, "russia", "ap-explainer")
	operates := rel("islamic-state", "OPERATES_IN", "russia", "REPORTED", 70, "olivier-guitta", "ap-explainer")
	operates.ValidFrom, operates.ValidTo = "2015", "2015"
	occurred := rel("moscow-attack", "OCCURRED_AT", "crocus-city-hall", "REPORTED", 95, "olivier-guitta", "ap-explainer")
	published := rel("ap-explainer", "PUBLISHED_BY", "olivier-guitta", "REPORTED", 50, "olivier-guitta", "ap-explainer")
	published.Basis, published.AssertedOn = "a test", "2024-03"
	return &stix.Graph{
		Name:  "incidentgraph-neighborhood-moscow-attack",
		Nodes: nodes,
		Edges: []*incidentgraph.Relationship{claim, accused, denied, attributed, disputed, retracted, operates, occurred, published},
		Named: map[string]*incidentgraph.Entity{"wiki-crocus": wiki},
		Figures: map[string][]*incidentgraph.Figure{"moscow-attack": {
			{ID: "killed-145", SubjectID: "moscow-attack", Metric: "KILLED", Value: 145, Qualifier: "EXACT", AsOf: "2024-06",
				Status: "REPORTED", Confidence: 80, AssertedByID: "olivier-guitta", SourceIDs: []string{"wiki-crocus"}},
			{ID: "killed-133", SubjectID: "moscow-attack", Metric: "KILLED", Value: 133, Qualifier: "AT_LEAST", AsOf: "2024-03-23",
				Status: "REPORTED", Confidence: 85, AssertedByID: "russia", SourceIDs: []string{"ap-explainer"}, Quote: "at least 133"},
		}},
	}
}

type bundle struct {
	Type    string           `json:"type"`
	ID      string           `json:"id"`
	Objects []map[string]any `json:"objects"`
}

func decode(t *testing.T, b []byte) *bundle {
	t.Helper()
	var out bundle
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return &out
}

func mustBundle(t *testing.T, g *stix.Graph) []byte {
	t.Helper()
	b, err := stix.Bundle(g)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *bundle) byID(id string) map[string]any {
	for _, o := range b.Objects {
		if o["id"] == id {
			return o
		}
	}
	return nil
}

func ext(o map[string]any) map[string]any {
	exts, _ := o["extensions"].(map[string]any)
	x, _ := exts[stix.ExtensionID].(map[string]any)
	return x
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// danglingRefs lists the references (*_ref, *_refs, at any depth) that name no object of the
// bundle: STIX consumers resolve them within the bundle.
func danglingRefs(b *bundle) []string {
	ids := map[string]bool{}
	for _, o := range b.Objects {
		ids[o["id"].(string)] = true
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, v := range x {
				switch {
				case strings.HasSuffix(k, "_ref"):
					if s, _ := v.(string); !ids[s] {
						out = append(out, k+"="+s)
					}
				case strings.HasSuffix(k, "_refs"):
					for _, s := range strs(v) {
						if !ids[s] {
							out = append(out, k+"="+s)
						}
					}
				default:
					walk(v)
				}
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		}
	}
	for _, o := range b.Objects {
		walk(o)
	}
	return out
}

func TestNamespace(t *testing.T) {
	if got := uuid.NewSHA1(uuid.NameSpaceURL, []byte(stix.NamespaceURL)); got != stix.Namespace {
		t.Errorf("Namespace %s, but UUIDv5 of %s is %s", stix.Namespace, stix.NamespaceURL, got)
	}
	id := stix.ID("threat-actor", "islamic-state")
	u, err := uuid.Parse(strings.TrimPrefix(id, "threat-actor--"))
	if err != nil || u.Version() != 5 {
		t.Errorf("%s: version %v, %v", id, u.Version(), err)
	}
	// The reserved namespace of cyber observables is forbidden to producers.
	if stix.Namespace == uuid.MustParse("00abedb4-aa42-466c-9c01-fed23315a9b7") {
		t.Error("Namespace is STIX's reserved one")
	}
}

func TestObjectTypes(t *testing.T) {
	for _, c := range []struct {
		e    incidentgraph.Entity
		want string
	}{
		{incidentgraph.Entity{Kind: incidentgraph.KindOrganization, OrgType: "MILITANT_GROUP"}, "threat-actor"},
		{incidentgraph.Entity{Kind: incidentgraph.KindOrganization, OrgType: "GOVERNMENT"}, "identity"}, // control
		{incidentgraph.Entity{Kind: incidentgraph.KindOrganization, OrgType: "MEDIA"}, "identity"},
		{incidentgraph.Entity{Kind: incidentgraph.KindGroup}, "identity"},
		{incidentgraph.Entity{Kind: incidentgraph.KindPerson}, "identity"},
		{incidentgraph.Entity{Kind: incidentgraph.KindCountry}, "location"},
		{incidentgraph.Entity{Kind: incidentgraph.KindPlace}, "location"},
		{incidentgraph.Entity{Kind: incidentgraph.KindIncident}, "incident"},
		{incidentgraph.Entity{Kind: incidentgraph.KindEvent, EventType: "CAMPAIGN"}, "campaign"},
		{incidentgraph.Entity{Kind: incidentgraph.KindEvent, EventType: "DETENTION"}, "incident"}, // control
		{incidentgraph.Entity{Kind: incidentgraph.KindSource}, "report"},
	} {
		if got := stix.ObjectType(&c.e); got != c.want {
			t.Errorf("%s %s%s: %s, want %s", c.e.Kind, c.e.OrgType, c.e.EventType, got, c.want)
		}
	}
	for _, k := range incidentgraph.Kinds {
		if stix.ObjectType(&incidentgraph.Entity{Kind: k}) == "" {
			t.Errorf("kind %s has no object", k)
		}
	}
}

// objectTypes are the STIX objects an entity of kind k can become.
func objectTypes(k incidentgraph.Kind) []string {
	var out []string
	for _, e := range []incidentgraph.Entity{{Kind: k}, {Kind: k, OrgType: "MILITANT_GROUP"}, {Kind: k, EventType: "CAMPAIGN"}} {
		if t := stix.ObjectType(&e); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func TestEveryVocabularyTypeIsMapped(t *testing.T) {
	for _, v := range incidentgraph.Vocabulary {
		rt, ok := stix.MappedType(v.Type)
		if !ok {
			t.Errorf("%s has no STIX relationship type", v.Type)
			continue
		}
		// Between every pair of objects its ends can be, the type written is one STIX suggests.
		for _, from := range v.From {
			for _, to := range v.To {
				for _, st := range objectTypes(from) {
					for _, tt := range objectTypes(to) {
						got := stix.RelationshipType(v.Type, st, tt)
						if !stix.Suggested(st, got, tt) || (got != rt && got != "related-to") {
							t.Errorf("%s %s→%s: %s", v.Type, st, tt, got)
						}
					}
				}
			}
		}
	}
	// Controls: a type outside the vocabulary is not in the table and becomes related-to, and
	// the spec's table refuses what it does not suggest.
	if _, ok := stix.MappedType("INVENTED"); ok {
		t.Error("INVENTED is mapped")
	}
	if got := stix.RelationshipType("INVENTED", "threat-actor", "location"); got != "related-to" {
		t.Errorf("INVENTED: %s", got)
	}
	if stix.Suggested("incident", "attributed-to", "threat-actor") || !stix.Suggested("campaign", "attributed-to", "threat-actor") {
		t.Error("Suggested does not follow the specification's table")
	}
}

func TestRelationshipTypes(t *testing.T) {
	for _, c := range []struct {
		t              incidentgraph.RelType
		source, target string
		want           string
	}{
		{"OPERATES_IN", "threat-actor", "location", "located-at"},
		{"OPERATES_IN", "location", "location", "related-to"}, // a country's operations: locations have none
		{"LOCATED_IN", "identity", "location", "located-at"},
		{"LOCATED_IN", "location", "location", "related-to"},
		{"TARGETED", "threat-actor", "location", "targets"},
		{"TARGETED", "campaign", "identity", "targets"},
		{"TARGETED", "incident", "identity", "related-to"},
		{"TARGETED", "threat-actor", "threat-actor", "related-to"},
		{"ATTRIBUTED_TO", "campaign", "threat-actor", "attributed-to"},
		{"ATTRIBUTED_TO", "incident", "threat-actor", "related-to"},
		{"ATTRIBUTED_TO", "campaign", "identity", "related-to"},
		{"DUPLICATE_OF", "incident", "incident", "duplicate-of"},
		{"CLAIMED_RESPONSIBILITY_FOR", "threat-actor", "incident", "related-to"},
		{"AFFILIATE_OF", "threat-actor", "threat-actor", "related-to"},
	} {
		if got := stix.RelationshipType(c.t, c.source, c.target); got != c.want {
			t.Errorf("%s %s→%s: %s, want %s", c.t, c.source, c.target, got, c.want)
		}
	}
}

func TestBundleIsDeterministic(t *testing.T) {
	a := mustBundle(t, fixture())
	if !bytes.Equal(a, mustBundle(t, fixture())) {
		t.Fatal("the same graph gives different bundles")
	}
	// Order of the input does not matter.
	g := fixture()
	slices.Reverse(g.Nodes)
	slices.Reverse(g.Edges)
	if !bytes.Equal(a, mustBundle(t, g)) {
		t.Error("the same graph in another order gives another bundle")
	}
	// Control: a changed confidence changes the bytes, and the bundle's id.
	g = fixture()
	g.Edges[0].Confidence = 84
	b := mustBundle(t, g)
	if bytes.Equal(a, b) || decode(t, a).ID == decode(t, b).ID {
		t.Error("a changed graph gives the same bundle or bundle id")
	}
}

func TestIDsAndTimestamps(t *testing.T) {
	g := fixture()
	b := decode(t, mustBundle(t, g))
	if b.Type != "bundle" || !strings.HasPrefix(b.ID, "bundle--") {
		t.Fatalf("bundle %s %s", b.Type, b.ID)
	}
	is := b.byID(stix.ID("threat-actor", "islamic-state"))
	if is == nil {
		t.Fatal("no threat-actor with the UUIDv5 of islamic-state")
	}
	if is["created"] != "1970-01-01T00:00:00.000Z" || is["modified"] != "1970-01-01T00:00:02.000Z" {
		t.Errorf("version 3: created %v modified %v", is["created"], is["modified"])
	}
	attributed := b.byID(stix.ID("relationship", g.Edges[3].ID))
	if attributed == nil || attributed["modified"] != "1970-01-01T00:00:01.000Z" {
		t.Errorf("version 2 relationship: %v", attributed)
	}
	seen := map[string]bool{}
	for _, o := range b.Objects {
		id := o["id"].(string)
		if seen[id] {
			t.Errorf("%s twice", id)
		}
		seen[id] = true
		if o["spec_version"] != "2.1" || o["created"] != "1970-01-01T00:00:00.000Z" {
			t.Errorf("%s: spec_version %v created %v", id, o["spec_version"], o["created"])
		}
	}
	if d := danglingRefs(b); len(d) > 0 {
		t.Errorf("references to nothing: %v", d)
	}
	// Control: the reference check finds a reference to a missing object.
	b.Objects = slices.DeleteFunc(b.Objects, func(o map[string]any) bool { return o["id"] == stix.ID("location", "russia") })
	if len(danglingRefs(b)) == 0 {
		t.Error("danglingRefs misses a missing location")
	}
}

func TestObjectsCarryTheMapping(t *testing.T) {
	g := fixture()
	b := decode(t, mustBundle(t, g))
	is := b.byID(stix.ID("threat-actor", "islamic-state"))
	if !reflect.DeepEqual(is["threat_actor_types"], []any{"terrorist"}) || is["first_seen"] != "1999-01-01T00:00:00.000Z" ||
		!reflect.DeepEqual(is["aliases"], []any{"ISIS", "Daesh", "داعش"}) {
		t.Errorf("threat actor: %v", is)
	}
	for id, want := range map[string]map[string]any{
		stix.ID("location", "russia"):           {"country": "RU"},
		stix.ID("location", "crocus-city-hall"): {"country": "RU", "latitude": 55.82583, "precision": 10000.0},
		stix.ID("identity", "olivier-guitta"):   {"identity_class": "individual", "roles": []any{"analyst"}},
		stix.ID("identity", "yazidis"):          {"identity_class": "group"},
		stix.ID("campaign", "yazidi-genocide"):  {"first_seen": "2014-08-01T00:00:00.000Z", "last_seen": "2017-12-31T23:59:59.999Z"},
		stix.ID("incident", "detentions"):       {"name": "Detentions"},
		stix.ID("incident", "moscow-attack"):    {"description": "Gunmen attacked a concert hall."},
		stix.ID("report", "ap-explainer"):       {"published": "2024-03-23T00:00:00.000Z"},
		stix.ID("report", "wiki-crocus"):        {"published": "2025-06-01T00:00:00.000Z"},
	} {
		o := b.byID(id)
		if o == nil {
			t.Errorf("no %s", id)
			continue
		}
		for k, v := range want {
			if !reflect.DeepEqual(o[k], v) {
				t.Errorf("%s: %s %v, want %v", id, k, o[k], v)
			}
		}
	}
	if x := ext(b.byID(stix.ID("incident", "detentions"))); x["event_type"] != "DETENTION" || x["kind"] != "EVENT" {
		t.Errorf("event's extension: %v", x)
	}

	rel := func(i int) map[string]any { return b.byID(stix.ID("relationship", g.Edges[i].ID)) }
	claim := rel(0)
	isParty := stix.ID("identity", "identity:islamic-state")
	if claim["created_by_ref"] != isParty || claim["relationship_type"] != "related-to" || claim["confidence"] != 85.0 {
		t.Errorf("claim: %v", claim)
	}
	if x := ext(claim); x["type"] != "CLAIMED_RESPONSIBILITY_FOR" || x["status"] != "CLAIMED" || x["quote"] == nil {
		t.Errorf("claim's extension: %v", x)
	}
	// The asserting group's identity, and its link to the threat actor.
	if p := b.byID(isParty); p == nil || ext(p)["derived"] != "asserting-party" {
		t.Errorf("no identity for the Islamic State as a party: %v", p)
	}
	link := b.byID(stix.ID("relationship", "asserting-party:islamic-state"))
	if link == nil || link["relationship_type"] != "attributed-to" || link["source_ref"] != stix.ID("threat-actor", "islamic-state") || link["target_ref"] != isParty {
		t.Errorf("link: %v", link)
	}
	// A country asserts through an identity located at it; a person through itself.
	if l := b.byID(stix.ID("relationship", "asserting-party:russia")); l == nil || l["relationship_type"] != "located-at" ||
		l["target_ref"] != stix.ID("location", "russia") {
		t.Errorf("russia's link: %v", l)
	}
	if rel(3)["created_by_ref"] != stix.ID("identity", "olivier-guitta") {
		t.Errorf("a person's assertion: %v", rel(3)["created_by_ref"])
	}
	operates := rel(6)
	if operates["relationship_type"] != "located-at" || operates["start_time"] != "2015-01-01T00:00:00.000Z" || operates["stop_time"] != "2015-12-31T23:59:59.999Z" {
		t.Errorf("operates: %v", operates)
	}
	if rel(5)["revoked"] != true || rel(0)["revoked"] != nil {
		t.Errorf("retracted %v, claim %v", rel(5)["revoked"], rel(0)["revoked"])
	}

	// The denial disagrees with the accusation; the dispute with the disputed assertion.
	denial := b.byID(stix.ID("opinion", "denial:"+g.Edges[2].ID))
	if denial == nil || denial["opinion"] != "strongly-disagree" || denial["created_by_ref"] != stix.ID("identity", "identity:ukraine") ||
		!reflect.DeepEqual(strs(denial["object_refs"]), []string{stix.ID("relationship", g.Edges[1].ID)}) {
		t.Errorf("denial: %v", denial)
	}
	dispute := b.byID(stix.ID("opinion", "dispute:"+g.Edges[4].ID))
	if dispute == nil || dispute["opinion"] != "disagree" || dispute["created_by_ref"] != nil {
		t.Errorf("dispute: %v", dispute)
	}
	// Control: without the accusation there is nothing to disagree with, so no opinion.
	g2 := fixture()
	g2.Edges = slices.Delete(g2.Edges, 1, 2)
	if decode(t, mustBundle(t, g2)).byID(stix.ID("opinion", "denial:"+g.Edges[2].ID)) != nil {
		t.Error("a denial opinion with nothing to disagree with")
	}

	// Sources: a report per cited source, listing its citers; external references on them.
	wiki := b.byID(stix.ID("report", "wiki-crocus"))
	// (The threat actor cites it for one of its aliases.)
	wantRefs := []string{stix.ID("threat-actor", "islamic-state"), stix.ID("incident", "moscow-attack"),
		stix.ID("relationship", g.Edges[3].ID), stix.ID("relationship", g.Edges[4].ID)}
	if got := strs(wiki["object_refs"]); !reflect.DeepEqual(got, wantRefs) {
		t.Errorf("wiki report covers %v, want %v", got, wantRefs)
	}
	var names []string
	for _, r := range b.byID(stix.ID("incident", "moscow-attack"))["external_references"].([]any) {
		names = append(names, r.(map[string]any)["source_name"].(string))
	}
	if !reflect.DeepEqual(names, []string{"incidentgraph", "gtd", "The Associated Press", "Wikipedia"}) {
		t.Errorf("incident's references: %v", names)
	}
	// The grouping holds exactly the subgraph.
	grouping := b.Objects[2]
	if grouping["type"] != "grouping" || len(strs(grouping["object_refs"])) != len(g.Nodes)+len(g.Edges) {
		t.Errorf("grouping: %v", grouping)
	}
}

func TestLocationsAlwaysHaveAPlace(t *testing.T) {
	place := func(id, name string, mod func(*incidentgraph.Entity)) *incidentgraph.Entity {
		e := &incidentgraph.Entity{ID: id, Kind: incidentgraph.KindPlace, Name: name, PlaceType: "REGION"}
		if mod != nil {
			mod(e)
		}
		return e
	}
	inside := place("inner", "Inner district", nil)
	town := place("town", "Town", func(e *incidentgraph.Entity) { e.CountryCode = "af" })
	g := &stix.Graph{Name: "x", Nodes: []*incidentgraph.Entity{
		place("west-africa", "West Africa", nil),
		place("far-east", "Far East", func(e *incidentgraph.Entity) { e.Aliases = []string{"East Asia"} }),
		place("khorasan", "Khorasan", func(e *incidentgraph.Entity) {
			e.Description = "covering parts of present-day Iran, Afghanistan and Central Asia"
		}),
		place("nowhere", "Nowhere", nil),
		place("somewhere", "Somewhere", func(e *incidentgraph.Entity) { e.Latitude, e.Longitude = ptr(1.5), ptr(2.5) }),
		inside, town,
	}, Edges: []*incidentgraph.Relationship{{ID: "in", Type: "LOCATED_IN", FromID: "inner", ToID: "town", Status: "REPORTED"}}}
	b := decode(t, mustBundle(t, g))
	for id, want := range map[string][3]any{ // region, country, region_from
		"west-africa": {"western-africa", nil, "name"},
		"far-east":    {"eastern-asia", nil, "name"},
		"khorasan":    {"central-asia", nil, "description"},
		"inner":       {nil, "AF", "containment"},
		"town":        {nil, "AF", nil},
		"somewhere":   {nil, nil, nil},
		"nowhere":     {nil, nil, "unknown"},
	} {
		o := b.byID(stix.ID("location", id))
		if o["region"] != want[0] || o["country"] != want[1] || ext(o)["region_from"] != want[2] {
			t.Errorf("%s: region %v country %v from %v, want %v", id, o["region"], o["country"], ext(o)["region_from"], want)
		}
		if o["region"] == nil && o["country"] == nil && o["latitude"] == nil {
			t.Errorf("%s has no region, country or coordinates", id)
		}
	}
	if o := b.byID(stix.ID("location", "nowhere")); o["precision"] != 20_037_509.0 {
		t.Errorf("nowhere: precision %v", o["precision"])
	}
}

func TestAnEdgeWithoutItsEndsIsRefused(t *testing.T) {
	g := fixture()
	g.Nodes = slices.DeleteFunc(g.Nodes, func(e *incidentgraph.Entity) bool { return e.ID == "crocus-city-hall" })
	if _, err := stix.Bundle(g); err == nil || !strings.Contains(err.Error(), "crocus-city-hall") {
		t.Errorf("err %v", err)
	}
}

// readBack rebuilds the graph's items from a bundle, as an import will: each entity and
// relationship from its name and the extension alone.
func readBack(t *testing.T, b *bundle) (map[string]*incidentgraph.Entity, map[string]*incidentgraph.Relationship, map[string][]*incidentgraph.Figure) {
	t.Helper()
	entities := map[string]*incidentgraph.Entity{}
	rels := map[string]*incidentgraph.Relationship{}
	figures := map[string][]*incidentgraph.Figure{}
	byRef := map[string]string{}
	for _, o := range b.Objects {
		x := ext(o)
		if x == nil || x["derived"] != nil || x["id"] == nil {
			continue
		}
		byRef[o["id"].(string)] = x["id"].(string)
	}
	for _, o := range b.Objects {
		x := ext(o)
		if x == nil || x["derived"] != nil || x["id"] == nil {
			continue
		}
		raw, _ := json.Marshal(x)
		if o["type"] == "relationship" {
			var r struct {
				ID, Type, Status, AssertedBy, Quote, Basis, Note, ValidFrom, ValidTo, AssertedOn string
				Version                                                                          int
				SourceIDs                                                                        []string
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatal(err)
			}
			var extra map[string]any
			_ = json.Unmarshal(raw, &extra)
			pick := func(k string) string { s, _ := extra[k].(string); return s }
			var sources []string
			if extra["source_ids"] != nil {
				sources = strs(extra["source_ids"])
			}
			rels[r.ID] = &incidentgraph.Relationship{ID: r.ID, Type: incidentgraph.RelType(r.Type), Status: incidentgraph.Status(r.Status),
				FromID: byRef[o["source_ref"].(string)], ToID: byRef[o["target_ref"].(string)], Confidence: int(o["confidence"].(float64)),
				AssertedByID: pick("asserted_by"), SourceIDs: sources, Quote: r.Quote, Basis: r.Basis, Note: r.Note,
				ValidFrom: incidentgraph.PartialDate(pick("valid_from")), ValidTo: incidentgraph.PartialDate(pick("valid_to")),
				AssertedOn: incidentgraph.PartialDate(pick("asserted_on")), Version: r.Version}
			continue
		}
		var e struct {
			ID, Kind, Description, OrgType, GTDName, Founded, Dissolved, ISO2, Role, Nationality string
			PlaceType, CountryCode, Date, EndDate, Summary, Outcome, GTDEventID, EventType       string
			Publisher, Published, URL, SourceType, Accessed                                      string
			Anonymous, Suicide                                                                   bool
			Latitude, Longitude                                                                  *float64
			GeoPrecision                                                                         *int
			Version                                                                              int
			Aliases, SourceIDs                                                                   []string
			AttackTypes, TargetTypes, WeaponTypes                                                []int
			Figures                                                                              []map[string]any
			AliasDetails                                                                         []struct {
				Name, Language, Script, Note string
				SourceIDs                    []string `json:"source_ids"`
			}
		}
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		// The extension's snake_case names to the struct's.
		renamed := map[string]any{}
		for k, v := range m {
			renamed[strings.ReplaceAll(strings.NewReplacer("gtd_", "gtd", "iso2", "iso2", "_ids", "ids").Replace(k), "_", "")] = v
		}
		raw, _ = json.Marshal(renamed)
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		entities[e.ID] = &incidentgraph.Entity{ID: e.ID, Kind: incidentgraph.Kind(e.Kind), Name: o["name"].(string), Aliases: e.Aliases,
			Description: e.Description, SourceIDs: e.SourceIDs, Version: e.Version, OrgType: e.OrgType, GTDName: e.GTDName,
			Founded: incidentgraph.PartialDate(e.Founded), Dissolved: incidentgraph.PartialDate(e.Dissolved), ISO2: e.ISO2, Role: e.Role,
			Nationality: e.Nationality, Anonymous: e.Anonymous, PlaceType: e.PlaceType, CountryCode: e.CountryCode, Latitude: e.Latitude,
			Longitude: e.Longitude, GeoPrecision: e.GeoPrecision, Date: incidentgraph.PartialDate(e.Date), EndDate: incidentgraph.PartialDate(e.EndDate),
			Summary: e.Summary, AttackTypes: e.AttackTypes, TargetTypes: e.TargetTypes, WeaponTypes: e.WeaponTypes, Suicide: e.Suicide,
			Outcome: e.Outcome, GTDEventID: e.GTDEventID, EventType: e.EventType, Publisher: e.Publisher,
			Published: incidentgraph.PartialDate(e.Published), URL: e.URL, SourceType: e.SourceType, Accessed: incidentgraph.PartialDate(e.Accessed)}
		for _, a := range e.AliasDetails {
			entities[e.ID].AliasInfo = append(entities[e.ID].AliasInfo, incidentgraph.Alias{Name: a.Name, Language: a.Language,
				Script: a.Script, SourceIDs: a.SourceIDs, Note: a.Note})
		}
		for _, f := range e.Figures {
			s := func(k string) string { v, _ := f[k].(string); return v }
			n := func(k string) int { v, _ := f[k].(float64); return int(v) }
			var sources []string
			if f["source_ids"] != nil {
				sources = strs(f["source_ids"])
			}
			figures[e.ID] = append(figures[e.ID], &incidentgraph.Figure{ID: s("id"), SubjectID: e.ID, Metric: s("metric"), Value: n("value"),
				Qualifier: s("qualifier"), Population: s("population"), AsOf: incidentgraph.PartialDate(s("as_of")),
				Status: incidentgraph.Status(s("status")), Confidence: n("confidence"), AssertedByID: s("asserted_by"),
				SourceIDs: sources, Quote: s("quote"), Note: s("note")})
		}
	}
	return entities, rels, figures
}

func TestBundleReadsBackWithoutLoss(t *testing.T) {
	g := fixture()
	raw := mustBundle(t, g)
	entities, rels, figures := readBack(t, decode(t, raw))
	want := map[string]*incidentgraph.Entity{}
	for _, e := range append(slices.Clone(g.Nodes), g.Named["wiki-crocus"]) {
		want[e.ID] = e
	}
	if err := sameItems(entities, want); err != nil {
		t.Error(err)
	}
	wantRels := map[string]*incidentgraph.Relationship{}
	for _, r := range g.Edges {
		wantRels[r.ID] = r
	}
	if err := sameItems(rels, wantRels); err != nil {
		t.Error(err)
	}
	wantFigures := slices.Clone(g.Figures["moscow-attack"])
	slices.Reverse(wantFigures) // oldest first
	if !reflect.DeepEqual(figures["moscow-attack"], wantFigures) {
		t.Errorf("figures read back %v, want %v", figures["moscow-attack"], wantFigures)
	}
	// Control: a bundle that loses a quote does not read back the same.
	lossy := decode(t, raw)
	delete(ext(lossy.byID(stix.ID("relationship", g.Edges[2].ID))), "quote")
	_, rels, _ = readBack(t, lossy)
	if sameItems(rels, wantRels) == nil {
		t.Error("readBack misses a lost quote")
	}
}

func sameItems[T any](got, want map[string]T) error {
	for id, w := range want {
		if !reflect.DeepEqual(got[id], w) {
			return fmt.Errorf("%s read back as\n%+v\nwant\n%+v", id, got[id], w)
		}
	}
	if len(got) != len(want) {
		return fmt.Errorf("%d items read back, want %d", len(got), len(want))
	}
	return nil
}
