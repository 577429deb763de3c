package stix

import (
	"slices"
	"strings"

	"github.com/incidentgraph/incidentgraph"
)

// The STIX object types this package writes.
const (
	TypeThreatActor  = "threat-actor"
	TypeIdentity     = "identity"
	TypeLocation     = "location"
	TypeIncident     = "incident"
	TypeCampaign     = "campaign"
	TypeReport       = "report"
	TypeRelationship = "relationship"
	TypeOpinion      = "opinion"
	TypeGrouping     = "grouping"
	TypeExtension    = "extension-definition"
)

// objectKinds is the table of entities and STIX objects, read both ways: ObjectType reads it
// from an entity to the object it becomes (the first row of its kind whose subtype matches),
// kindOf from an object back to the entity it was made from (the first row of its type and
// identity class). A subtype is the orgType or eventType a row needs ("" for any other).
var objectKinds = []struct {
	kind    incidentgraph.Kind
	subtype string
	object  string
	class   string // identity_class, for identities
}{
	{incidentgraph.KindOrganization, "MILITANT_GROUP", TypeThreatActor, ""},
	{incidentgraph.KindOrganization, "", TypeIdentity, "organization"},
	{incidentgraph.KindPerson, "", TypeIdentity, "individual"},
	{incidentgraph.KindGroup, "", TypeIdentity, "group"},
	{incidentgraph.KindCountry, "", TypeLocation, ""}, // a location with a country and nothing finer
	{incidentgraph.KindPlace, "", TypeLocation, ""},
	{incidentgraph.KindIncident, "", TypeIncident, ""},
	{incidentgraph.KindEvent, "CAMPAIGN", TypeCampaign, ""},
	{incidentgraph.KindEvent, "", TypeIncident, ""}, // read back only through the extension
	{incidentgraph.KindSource, "", TypeReport, ""},
}

// foreignTypes are objects other platforms write for what this table holds under another type:
// OpenCTI and MISP write a militant group as an intrusion-set, and MISP an event as a grouping.
// They are read as the type they stand for; the export never writes them.
var foreignTypes = map[string]string{
	"intrusion-set": TypeThreatActor,
	TypeGrouping:    TypeReport,
}

// ObjectType is the STIX object an entity becomes (see the package documentation).
func ObjectType(e *incidentgraph.Entity) string {
	for _, row := range objectKinds {
		if row.kind == e.Kind && (row.subtype == "" || row.subtype == e.OrgType || row.subtype == e.EventType) {
			return row.object
		}
	}
	return TypeIdentity // a kind this package does not know yet: identity_class unknown
}

// kindOf is the kind and subtype of the entity an object of STIX type typ (and identity class,
// for identities) stands for, by the first row of objectKinds that matches; ok is false for an
// object the graph does not hold. A location is a COUNTRY or a PLACE by what it says
// (locationKind); an identity of another class (system, class, unknown) is an organisation.
func kindOf(typ, class string) (kind incidentgraph.Kind, subtype string, ok bool) {
	if t, foreign := foreignTypes[typ]; foreign {
		typ = t
	}
	if typ == TypeIdentity && class != "individual" && class != "group" {
		class = "organization"
	}
	for _, row := range objectKinds {
		if row.object == typ && (typ != TypeIdentity || row.class == class) {
			return row.kind, row.subtype, true
		}
	}
	return "", "", false
}

// identityClass is the identity_class of an entity that is an identity (the row of its kind),
// and "organization" for a state that asserts something.
func identityClass(e *incidentgraph.Entity) string {
	if e.Kind == incidentgraph.KindCountry {
		return "organization"
	}
	for _, row := range objectKinds {
		if row.kind == e.Kind && row.class != "" {
			return row.class
		}
	}
	return "unknown"
}

// orgSectors gives the industry sector (industry-sector-ov) of the organisation types that have
// one, read both ways: sectors from a type to its sector, orgTypeOf from a sector back to the
// first type that has it. Media, research and other organisations have none in the vocabulary.
var orgSectors = []struct{ orgType, sector string }{
	{"GOVERNMENT", "government-national"},
	{"GOVERNMENT_AGENCY", "government-national"},
	{"DIPLOMATIC_MISSION", "government-national"},
	{"MILITARY_COALITION", "defense"},
}

// sectors are the industry sectors of an organisation or a state, where its type says.
func sectors(e *incidentgraph.Entity) []string {
	if e.Kind == incidentgraph.KindCountry {
		return []string{"government-national"}
	}
	for _, row := range orgSectors {
		if row.orgType == e.OrgType {
			return []string{row.sector}
		}
	}
	return nil
}

// orgTypeOf is the organisation type of an identity of class organization with these sectors:
// the first that orgSectors gives one of them, OTHER when none does.
func orgTypeOf(sectors []string) string {
	for _, row := range orgSectors {
		if slices.Contains(sectors, row.sector) {
			return row.orgType
		}
	}
	return "OTHER"
}

// suggested holds the relationships the STIX 2.1 specification suggests between the object
// types this package writes (source type → relationship type → target types), besides
// related-to, duplicate-of and derived-from, which it allows between any two. Incidents,
// locations and reports have none of their own.
var suggested = map[string]map[string][]string{
	TypeThreatActor: {
		"attributed-to": {TypeIdentity},
		"impersonates":  {TypeIdentity},
		"located-at":    {TypeLocation},
		"targets":       {TypeIdentity, TypeLocation},
	},
	TypeIdentity: {
		"located-at": {TypeLocation},
	},
	TypeCampaign: {
		"attributed-to":   {TypeThreatActor},
		"originates-from": {TypeLocation},
		"targets":         {TypeLocation, TypeIdentity},
	},
}

// commonTypes are the relationship types STIX allows between any two objects.
var commonTypes = []string{"related-to", "duplicate-of", "derived-from"}

// Suggested reports whether STIX 2.1 suggests a relationship of type rt from an object of type
// source to one of type target.
func Suggested(source, rt, target string) bool {
	return slices.Contains(commonTypes, rt) || slices.Contains(suggested[source][rt], target)
}

// relationshipTypes gives every type of the vocabulary the STIX relationship type it takes
// where STIX suggests it between the two objects (Suggested), related-to everywhere else.
// Every type of incidentgraph.Vocabulary is here (TestEveryVocabularyTypeIsMapped): a new type
// must be placed, never silently dropped.
var relationshipTypes = map[incidentgraph.RelType]string{
	"AFFILIATE_OF":               "related-to", // no STIX type links two actors as affiliates
	"BRANCH_OF":                  "related-to",
	"OFFSHOOT_OF":                "related-to",
	"SPLINTER_OF":                "related-to",
	"ALLIED_WITH":                "related-to",
	"RIVAL_OF":                   "related-to",
	"ENEMY_OF":                   "related-to",
	"MERGED_INTO":                "related-to",
	"PLEDGED_ALLEGIANCE_TO":      "related-to",
	"ORIGINATED_FROM":            "originates-from", // suggested only from a campaign, which never originates in our vocabulary
	"NAMED_AFTER":                "related-to",
	"CLAIMED_RESPONSIBILITY_FOR": "related-to",    // STIX has no actor → incident or campaign type
	"ATTRIBUTED_TO":              "attributed-to", // campaign → threat-actor; an incident has none
	"PERPETRATED":                "related-to",
	"ACCUSED_OF":                 "related-to",
	"DENIED":                     "related-to", // and an opinion strongly-disagree (opinions)
	"PRECEDENT_OF":               "related-to",
	"RESEMBLES":                  "related-to",
	"PART_OF":                    "related-to",
	"RETALIATION_FOR":            "related-to",
	"DUPLICATE_OF":               "duplicate-of",
	"OCCURRED_IN":                "related-to", // STIX suggests no located-at for incidents
	"OCCURRED_AT":                "related-to",
	"LOCATED_IN":                 "located-at", // an organisation's seat; place in place stays related-to
	"OPERATES_IN":                "located-at",
	"TARGETED":                   "targets", // from a threat actor or campaign to an identity or location
	"MEMBER_OF":                  "related-to",
	"LEADER_OF":                  "related-to",
	"STATED":                     "related-to",
	"DETAINED":                   "related-to",
	"ISSUED":                     "related-to",
	"DISMISSED":                  "related-to",
	"WARNED_OF":                  "related-to",
	"RESPONSE_TO":                "related-to",
	"PUBLISHED_BY":               "related-to",
	"CITES":                      "related-to",
	"RELATED_TO":                 "related-to",
}

// RelationshipType is the relationship_type of a relationship of type t from an object of STIX
// type source to one of type target: the type's STIX counterpart where STIX suggests it between
// these objects, related-to otherwise (and for a type not in the table).
func RelationshipType(t incidentgraph.RelType, source, target string) string {
	if rt, ok := relationshipTypes[t]; ok && Suggested(source, rt, target) {
		return rt
	}
	return "related-to"
}

// MappedType is the STIX counterpart of t in the table, and whether t is in it.
func MappedType(t incidentgraph.RelType) (string, bool) {
	rt, ok := relationshipTypes[t]
	return rt, ok
}

// OurType is the relationship type a STIX relationship_type rt reads back as, between entities
// of kinds from and to, when the bundle does not carry our type in the extension: the first
// type of the vocabulary that relationshipTypes maps to rt and that may link those kinds
// (located-at is LOCATED_IN, or OPERATES_IN from a state). related-to, which most of our types
// become, reads back as RELATED_TO: which of them it was travels only in the extension. A type
// with no counterpart (uses, impersonates, ...), or one whose counterpart cannot link these
// kinds, is RELATED_TO too, and exact is false: the caller keeps the STIX type in the note.
func OurType(rt string, from, to incidentgraph.Kind) (t incidentgraph.RelType, exact bool) {
	if rt == "related-to" {
		return "RELATED_TO", true
	}
	for _, v := range incidentgraph.Vocabulary {
		if relationshipTypes[v.Type] == rt && slices.Contains(v.From, from) && slices.Contains(v.To, to) {
			return v.Type, true
		}
	}
	return "RELATED_TO", false
}

// involvement are the relationship types that say an actor took part in an incident or event,
// pointing from the actor; ATTRIBUTED_TO says it pointing from the incident. A denial is an
// opinion on the relationships of these types about the same actor and incident.
var involvement = []incidentgraph.RelType{"CLAIMED_RESPONSIBILITY_FOR", "PERPETRATED", "ACCUSED_OF"}

// precisionMetres turns a GTD specificity (1 the place itself … 5 only the country known) into
// STIX's precision in metres: a radius the coordinates are within, taken generously (the
// coordinates of a code-1 place are those of its town at worst).
func precisionMetres(specificity int) (float64, bool) {
	switch specificity {
	case 1:
		return 10_000, true
	case 2:
		return 25_000, true
	case 3:
		return 50_000, true
	case 4:
		return 250_000, true
	case 5:
		return 1_000_000, true
	}
	return 0, false
}

// regions is STIX's region vocabulary (region-ov, the UN M49 regions).
var regions = []string{
	"africa", "eastern-africa", "middle-africa", "northern-africa", "southern-africa", "western-africa",
	"americas", "latin-america-caribbean", "south-america", "caribbean", "central-america", "northern-america",
	"asia", "central-asia", "eastern-asia", "southern-asia", "south-eastern-asia", "western-asia",
	"europe", "eastern-europe", "northern-europe", "southern-europe", "western-europe",
	"oceania", "australia-new-zealand", "melanesia", "micronesia", "polynesia", "antarctica",
}

// regionNames are the usual English names of regions that are not region-ov's words.
var regionNames = map[string]string{
	"west-africa": "western-africa", "east-africa": "eastern-africa", "north-africa": "northern-africa",
	"central-africa": "middle-africa", "sub-saharan-africa": "africa", "sahel": "africa",
	"east-asia": "eastern-asia", "far-east": "eastern-asia", "south-asia": "southern-asia",
	"southeast-asia": "south-eastern-asia", "south-east-asia": "south-eastern-asia",
	"middle-east": "western-asia", "near-east": "western-asia",
	"north-america": "northern-america", "latin-america": "latin-america-caribbean",
	"east-europe": "eastern-europe", "west-europe": "western-europe",
}

// regionOf finds a region-ov word for a name ("West Africa", "Central Asia").
func regionOf(name string) string {
	s := slug(name)
	if slices.Contains(regions, s) {
		return s
	}
	return regionNames[s]
}

// regionInText finds the first region a text names, by its region-ov word or usual name, in
// the order the text names them.
func regionInText(text string) string {
	s := "-" + slug(text) + "-"
	best, bestPhrase, at := "", "", len(s)
	check := func(phrase, region string) {
		i := strings.Index(s, "-"+phrase+"-")
		// The first named wins; of two starting at the same word, the longer phrase.
		if i >= 0 && (i < at || (i == at && len(phrase) > len(bestPhrase))) {
			best, bestPhrase, at = region, phrase, i
		}
	}
	for _, r := range regions {
		check(r, r)
	}
	for name, r := range regionNames {
		check(name, r)
	}
	return best
}
