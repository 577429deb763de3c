package incidentgraph

import "time"

// SamePlaceWithinKm is how near two same-named places of one kind and country must be, where
// both have coordinates, for an import to take them for one place. A city's incidents are
// geocoded anywhere within it (Kabul's airport is 5 km from its centre, its outskirts 15): a
// bound of a few kilometres would split a city, and same-named towns of one country are
// rarely nearer than this.
const SamePlaceWithinKm = 25.0

// DuplicateReason says why an import took two entities for possibly one real thing without
// being sure enough to resolve one to the other.
type DuplicateReason string

const (
	// DuplicateTransliteration: their names meet only through transliteration keys (package
	// names), which are lossy: Gaza and Giza share one.
	DuplicateTransliteration DuplicateReason = "TRANSLITERATION"
	// DuplicateAcronym: only the acronym of the imported name ("TTP" of "Tehrik-e Taliban
	// (TTP)") is a name of the other, and acronyms are reused.
	DuplicateAcronym DuplicateReason = "ACRONYM"
	// DuplicateFarApart: places of one name, kind and country farther apart than
	// SamePlaceWithinKm: two towns of one name, or one badly geocoded.
	DuplicateFarApart DuplicateReason = "FAR_APART"
)

// PossibleDuplicate is a pair of entities of one kind that may be one real thing. An import that
// could not tell created the second beside the first and recorded the pair; curators settle it
// with MergeEntities (the pair then drops out: one of its entities is gone) or leave both.
type PossibleDuplicate struct {
	First  *Entity // the entity the graph held
	Second *Entity // the one the import created beside it
	// Reasons say why the pair is listed; NameAsGiven is the name the import met.
	Reasons     []DuplicateReason
	NameAsGiven string
	// DistanceKm is how far apart the import found them, where both had a position.
	DistanceKm *float64
	// SharedNeighbours counts the entities both are linked to (standing links): evidence for
	// one thing, or of two things in one place.
	SharedNeighbours int
	// RecordedBy is the origin of the import that recorded the pair (gtd, stix); RecordedAt
	// when.
	RecordedBy string
	RecordedAt time.Time
}

// DuplicatePage is one page of possible duplicates.
type DuplicatePage struct {
	Pairs       []*PossibleDuplicate
	Cursors     []string
	HasNextPage bool
}
