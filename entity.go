package incidentgraph

import "regexp"

// Kind says what an entity is. Kinds double as Neo4j labels, so the list is closed.
type Kind string

const (
	KindOrganization Kind = "ORGANIZATION"
	KindCountry      Kind = "COUNTRY"
	KindPerson       Kind = "PERSON"
	KindPlace        Kind = "PLACE"
	KindIncident     Kind = "INCIDENT"
	KindEvent        Kind = "EVENT"
	KindSource       Kind = "SOURCE"
	KindGroup        Kind = "GROUP"
)

// Kinds lists every kind, in the order the API documents them.
var Kinds = []Kind{KindOrganization, KindCountry, KindPerson, KindPlace, KindIncident, KindEvent, KindSource, KindGroup}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// IsActor reports whether entities of this kind can act: assert, claim, accuse, be targeted.
func (k Kind) IsActor() bool {
	return k == KindOrganization || k == KindCountry || k == KindPerson || k == KindGroup
}

// IDPattern is the form of every entity id: a readable, stable slug.
var IDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// MaxIDLength bounds ids, so that they stay readable in URLs and charts.
const MaxIDLength = 80

// ValidID reports whether id is a well-formed entity id.
func ValidID(id string) bool { return len(id) <= MaxIDLength && IDPattern.MatchString(id) }

// Entity is anything in the graph. Fields below the common ones apply to one kind each and are
// empty for the others; keeping one struct lets the store map any node in one place.
type Entity struct {
	ID      string
	Kind    Kind
	Name    string
	Aliases []string
	// AliasInfo is what is known about some of the aliases beyond their text (language,
	// script, sources, note), one entry per such alias, in the order of Aliases; an alias
	// without an entry has nothing known. It is keyed by the alias's text rather than kept
	// parallel to Aliases so that the many writers that set Aliases alone (imports, merges,
	// generators) cannot misalign it: AliasList and AliasDetail join the two.
	AliasInfo   []Alias
	Description string
	// SourceIDs are where the entity's own facts (names, dates, places, codes) come from. Its
	// relationships carry sources of their own.
	SourceIDs []string
	// Version counts the curators' writes of the entity (1 as loaded).
	Version int
	// Match is the name a search's text matched: set by Search on what it returns, nil
	// elsewhere. It is about the query, not the entity, and is never stored.
	Match *NameMatch

	// ORGANIZATION
	OrgType   string // MILITANT_GROUP, GOVERNMENT, …
	GTDName   string // the group's gname in the Global Terrorism Database
	Founded   PartialDate
	Dissolved PartialDate

	// COUNTRY
	ISO2 string

	// PERSON
	Role        string
	Nationality string // ISO 3166-1 alpha-2
	Anonymous   bool

	// PLACE
	PlaceType    string
	CountryCode  string
	Latitude     *float64
	Longitude    *float64
	GeoPrecision *int // GTD specificity, 1 exact … 5 unknown

	// INCIDENT and EVENT
	Date        PartialDate
	EndDate     PartialDate
	Summary     string
	AttackTypes []int // GTD codes 1–9
	TargetTypes []int // GTD codes 1–22
	WeaponTypes []int // GTD codes 1–13
	Suicide     bool
	Outcome     string // SUCCESSFUL, FAILED, FOILED
	GTDEventID  string
	EventType   string

	// SOURCE (Name is the title)
	Publisher  string
	Published  PartialDate
	URL        string
	SourceType string
	Accessed   PartialDate
}

// Closed vocabularies of the kind-specific fields.
var (
	OrgTypes    = []string{"MILITANT_GROUP", "GOVERNMENT", "GOVERNMENT_AGENCY", "DIPLOMATIC_MISSION", "MILITARY_COALITION", "MEDIA", "RESEARCH", "OTHER"}
	PlaceTypes  = []string{"CITY", "REGION", "HISTORICAL_REGION", "VENUE", "AIRPORT", "BUILDING", "DISTRICT"}
	Outcomes    = []string{"SUCCESSFUL", "FAILED", "FOILED"}
	EventTypes  = []string{"SECURITY_ALERT", "DETENTION", "STATEMENT", "CAMPAIGN", "MILITARY_OPERATION", "TERRITORIAL_CONTROL", "OTHER"}
	SourceTypes = []string{"NEWS", "GOVERNMENT", "REFERENCE", "DATASET", "ACADEMIC", "STATEMENT"}
)

// GTD code ranges (codebook: attacktype, targtype, weaptype).
const (
	MaxAttackType = 9
	MaxTargetType = 22
	MaxWeaponType = 13
)

// Page asks for one page of a list ordered by a stable key.
type Page struct {
	First int    // page size
	After string // opaque cursor from a previous page, or ""
}

// IncidentFilter selects incidents. Empty fields do not filter.
type IncidentFilter struct {
	Perpetrator   string
	MinConfidence int
	From, To      PartialDate
	Place         string
	AttackType    int
	TargetType    int
	// IncludeAffiliates widens Perpetrator to its affiliate network: the groups that are its
	// affiliates, branches or provinces or pledged allegiance to it (AffiliationTypes), down to
	// MaxAffiliationHops levels.
	IncludeAffiliates bool
	// TimeView: only perpetrator assertions known at KnownAt and holding at ValidAt count, and
	// only incidents that had begun by the end of KnownAt.
	TimeView TimeView
	// Near and Within keep the incidents on the map there (at most one of them): an incident is
	// where its own coordinates put it or, without them, at the places it occurred at.
	Near   *GeoNear
	Within *GeoBox
}

// OrganizationFilter selects organizations. Empty fields do not filter.
type OrganizationFilter struct {
	OrgTypes     []string
	NameContains string
	// AffiliateOf keeps the group's direct affiliates: a standing link of AffiliationTypes
	// points from each to it.
	AffiliateOf string
}

// EntityPage is one page of entities with the cursor of each.
type EntityPage struct {
	Entities    []*Entity
	Cursors     []string
	TotalCount  int
	HasNextPage bool
}
