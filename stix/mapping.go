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

// ObjectType is the STIX object an entity becomes (see the package documentation).
func ObjectType(e *incidentgraph.Entity) string {
	switch e.Kind {
	case incidentgraph.KindOrganization:
		if e.OrgType == "MILITANT_GROUP" {
			return TypeThreatActor
		}
		return TypeIdentity
	case incidentgraph.KindPerson, incidentgraph.KindGroup:
		return TypeIdentity
	case incidentgraph.KindCountry, incidentgraph.KindPlace:
		return TypeLocation
	case incidentgraph.KindIncident:
		return TypeIncident
	case incidentgraph.KindEvent:
		if e.EventType == "CAMPAIGN" {
			return TypeCampaign
		}
		return TypeIncident
	case incidentgraph.KindSource:
		return TypeReport
	default:
		return TypeIdentity // a kind this package does not know yet: identity_class unknown
	}
}

// identityClass is the identity_class of an entity that is an identity.
func identityClass(e *incidentgraph.Entity) string {
	switch e.Kind {
	case incidentgraph.KindPerson:
		return "individual"
	case incidentgraph.KindGroup:
		return "group"
	case incidentgraph.KindOrganization, incidentgraph.KindCountry:
		return "organization"
	default:
		return "unknown"
	}
}

// sectors are the industry sectors (industry-sector-ov) of an organisation or a state, where
// its type says; media, research and other organisations have none in the vocabulary.
func sectors(e *incidentgraph.Entity) []string {
	if e.Kind == incidentgraph.KindCountry {
		return []string{"government-national"}
	}
	switch e.OrgType {
	case "GOVERNMENT", "GOVERNMENT_AGENCY", "DIPLOMATIC_MISSION":
		return []string{"government-national"}
	case "MILITARY_COALITION":
		return []string{"defense"}
	}
	return nil
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
