package incidentgraph

// RelType is a relationship type. Types double as Neo4j relationship types, so they come only
// from Vocabulary: nothing a client sends is ever spliced into Cypher.
type RelType string

// RelTypeInfo describes one entry of the relationship vocabulary.
type RelTypeInfo struct {
	Type        RelType
	Description string
	From, To    []Kind
}

var (
	actors    = []Kind{KindOrganization, KindCountry, KindPerson, KindGroup}
	happening = []Kind{KindIncident, KindEvent}
	anyKind   = Kinds
	orgOnly   = []Kind{KindOrganization}
	orgState  = []Kind{KindOrganization, KindCountry}
	places    = []Kind{KindPlace, KindCountry}
)

func kinds(groups ...[]Kind) []Kind {
	var out []Kind
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// Vocabulary is the allow-list of relationship types: the field's vocabulary (Mapping Militant
// Organizations for group–group links, GTD and STIX for incident–actor links), each with the
// kinds of entity it may link. docs/seed-format.md shows the same table to curators.
var Vocabulary = []RelTypeInfo{
	{"AFFILIATE_OF", "A group is an affiliate or province of another.", orgOnly, orgOnly},
	{"BRANCH_OF", "A formal branch or sub-unit (an embassy of its state, a province of a group).", orgOnly, orgState},
	{"OFFSHOOT_OF", "Grew out of another group.", orgOnly, orgOnly},
	{"SPLINTER_OF", "Broke away from another group.", orgOnly, orgOnly},
	{"ALLIED_WITH", "Alliance or cooperation.", orgState, orgState},
	{"RIVAL_OF", "Competition short of open war.", orgState, orgState},
	{"ENEMY_OF", "Open hostility or war.", orgState, orgState},
	{"MERGED_INTO", "Merged into another group.", orgOnly, orgOnly},
	{"PLEDGED_ALLEGIANCE_TO", "A pledge of allegiance (bay'ah).", []Kind{KindOrganization, KindPerson}, []Kind{KindOrganization, KindPerson}},
	{"ORIGINATED_FROM", "Where or from whom a group drew its founders.", []Kind{KindOrganization, KindPerson}, []Kind{KindOrganization, KindCountry, KindPlace, KindGroup}},
	{"NAMED_AFTER", "A name taken from a place, person or group.", []Kind{KindOrganization, KindIncident, KindEvent}, []Kind{KindPlace, KindPerson, KindGroup, KindOrganization}},
	{"CLAIMED_RESPONSIBILITY_FOR", "The actor itself claims the attack.", actors, happening},
	{"ATTRIBUTED_TO", "A third party attributes the attack to the actor.", happening, actors},
	{"PERPETRATED", "The actor carried it out.", actors, happening},
	{"ACCUSED_OF", "The actor is accused (an allegation by assertedBy).", actors, happening},
	{"DENIED", "The actor denies involvement.", actors, happening},
	{"PRECEDENT_OF", "An earlier incident that prefigures a later one.", happening, happening},
	{"RESEMBLES", "Alike, on the basis given.", happening, happening},
	{"PART_OF", "A part of a larger whole.", []Kind{KindIncident, KindEvent, KindOrganization, KindPlace, KindGroup}, []Kind{KindIncident, KindEvent, KindOrganization, KindCountry, KindPlace, KindGroup}},
	{"RETALIATION_FOR", "Hypothesis: done in retaliation for another event.", happening, happening},
	{"DUPLICATE_OF", "Two records of the same thing.", anyKind, anyKind},
	{"OCCURRED_IN", "The city, region or country of an incident.", happening, places},
	{"OCCURRED_AT", "The exact site of an incident (venue, airport, building).", happening, []Kind{KindPlace}},
	{"LOCATED_IN", "A place inside a larger place.", []Kind{KindPlace, KindOrganization}, places},
	{"OPERATES_IN", "Where a group is active.", orgState, places},
	{"TARGETED", "Who or what an actor or attack targeted.", kinds(actors, happening), kinds(actors, []Kind{KindPlace})},
	{"MEMBER_OF", "Membership.", []Kind{KindPerson, KindOrganization}, orgState},
	{"LEADER_OF", "Leadership (a person of a group or state; a state of a coalition).", []Kind{KindPerson, KindCountry, KindOrganization}, orgState},
	{"STATED", "A public statement or assessment about something.", actors, anyKind},
	{"DETAINED", "Detention.", kinds(actors, []Kind{KindEvent}), []Kind{KindPerson, KindGroup}},
	{"ISSUED", "Issued an alert, statement or publication.", actors, []Kind{KindEvent, KindSource}},
	{"DISMISSED", "Publicly rejected a warning or statement.", actors, []Kind{KindEvent, KindSource, KindOrganization}},
	{"WARNED_OF", "A warning that preceded an incident.", kinds([]Kind{KindEvent, KindSource}, actors), happening},
	{"RESPONSE_TO", "An event that answered another (detentions after an attack).", happening, happening},
	{"PUBLISHED_BY", "Who published a source.", []Kind{KindSource}, []Kind{KindOrganization, KindCountry, KindPerson}},
	{"CITES", "One source cites another.", []Kind{KindSource}, []Kind{KindSource}},
	{"RELATED_TO", "A link none of the other types fits; the note says why.", anyKind, anyKind},
}

// The families of relationship types: each is defined here once, and the store's queries, the
// domain's bounds and the schema's descriptions name them. Every member is a type of the
// Vocabulary (TestRelTypeFamilies).
var (
	// AffiliationTypes make a group an affiliate of another: it is the other's affiliate or
	// province (AFFILIATE_OF), its formal branch (BRANCH_OF), or it pledged allegiance to it
	// (PLEDGED_ALLEGIANCE_TO, the bay'ah by which provinces join the Islamic State). They point
	// from the affiliate to the group. They are what "affiliates" means everywhere: a group's
	// direct affiliates (organizations' affiliateOf), and its affiliate network down to
	// MaxAffiliationHops levels (includeAffiliates of incidents and timelines, the affiliated
	// perpetrators of similar incidents). A group that grew out of another (OFFSHOOT_OF) or
	// broke away from it (SPLINTER_OF) is not its affiliate: the Islamic State grew out
	// of al-Qaida and became its rival, and their attacks are not each other's. Nor are allies.
	AffiliationTypes = []RelType{"AFFILIATE_OF", "BRANCH_OF", "PLEDGED_ALLEGIANCE_TO"}

	// OrganizationalTypes are the relationship types of an organisational network (the
	// affiliateNetwork question, centrality's AFFILIATE_NETWORK scope): the affiliations and
	// every other link between groups, states and people as organisations: offshoots,
	// splinters, alliances, rivalries, enmities, mergers and origins (ORIGINATED_FROM only when
	// it points to an organisation, a person or a group: a country of origin is geography).
	// AffiliationTypes are among them.
	OrganizationalTypes = []RelType{
		"AFFILIATE_OF", "BRANCH_OF", "OFFSHOOT_OF", "SPLINTER_OF", "ALLIED_WITH", "RIVAL_OF",
		"ENEMY_OF", "MERGED_INTO", "PLEDGED_ALLEGIANCE_TO", "ORIGINATED_FROM",
	}

	// PerpetratorTypes link an actor to an incident as its perpetrator, whoever asserts it: the
	// actor's own claim, a third party's attribution, or the record that it carried it out.
	PerpetratorTypes = []RelType{"CLAIMED_RESPONSIBILITY_FOR", "PERPETRATED", "ATTRIBUTED_TO"}
)

// RelTypes lists every allowed relationship type, in vocabulary order.
func RelTypes() []RelType {
	out := make([]RelType, len(Vocabulary))
	for i, v := range Vocabulary {
		out[i] = v.Type
	}
	return out
}

// LookupRelType returns the vocabulary entry of t.
func LookupRelType(t RelType) (RelTypeInfo, bool) {
	for _, v := range Vocabulary {
		if v.Type == t {
			return v, true
		}
	}
	return RelTypeInfo{}, false
}

// Allows reports whether a relationship of this type may point from an entity of kind from to
// one of kind to.
func (v RelTypeInfo) Allows(from, to Kind) bool {
	return containsKind(v.From, from) && containsKind(v.To, to)
}

func containsKind(ks []Kind, k Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}
