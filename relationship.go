package incidentgraph

// Status is the status of an assertion.
type Status string

// Statuses lists the status vocabulary.
var Statuses = []Status{"CLAIMED", "CONFIRMED", "REPORTED", "ALLEGED", "SUSPECTED", "DISPUTED", "DENIED", "RETRACTED"}

// Valid reports whether s is in the vocabulary.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// MaxConfidence is the top of the STIX 2.1 confidence scale (0–100).
const MaxConfidence = 100

// ConfidenceLevel puts a confidence in words on the STIX None/Low/Med/High scale.
func ConfidenceLevel(c int) string {
	switch {
	case c <= 0:
		return "NONE"
	case c < 30:
		return "LOW"
	case c < 70:
		return "MEDIUM"
	default:
		return "HIGH"
	}
}

// LineStyle is how a link chart should draw an assertion, after i2 Analyst's Notebook's
// convention: confirmed links solid, tentative dashed, unconfirmed dotted. Allegations,
// disputes, denials and retractions are never drawn solid, however sure their asserter is.
func LineStyle(s Status, confidence int) string {
	switch {
	case s == "ALLEGED" || s == "DISPUTED" || s == "DENIED" || s == "RETRACTED":
		return "DOTTED"
	case s == "CONFIRMED" || confidence >= 70:
		return "SOLID"
	case confidence >= 30:
		return "DASHED"
	default:
		return "DOTTED"
	}
}

// Relationship is a typed, directed assertion between two entities, with its provenance. The
// ends, the asserting party and the sources are held by id so that a list of relationships costs
// one query, and the entities behind them one batched query more.
type Relationship struct {
	ID           string
	Type         RelType
	FromID       string
	ToID         string
	Status       Status
	Confidence   int
	AssertedByID string
	SourceIDs    []string
	Quote        string
	Basis        string
	ValidFrom    PartialDate
	ValidTo      PartialDate
	AssertedOn   PartialDate
	Note         string
	// Version counts the curators' writes of the assertion (1 as loaded); Retraction says who
	// retracted it, when and why (nil: standing as asserted).
	Version    int
	Retraction *Retraction
	// Origin is what wrote the assertion: seed, curation, gtd, stix. Set by the store.
	Origin string
	// FromNameAsGiven and ToNameAsGiven are the names an import gave the link's ends where it
	// resolved them to entities the graph already held ("Tehrik-i-Taliban Pakistan (TTP)" for
	// the seed's Tehrik-i-Taliban Pakistan): the trace a curator needs to check a resolution
	// and undo it. Empty for an end the import created, and for links no import wrote.
	FromNameAsGiven, ToNameAsGiven string
}

// DefaultRelationshipID is the id of an assertion when its file does not set one: one party
// asserts a given link once.
func DefaultRelationshipID(from string, t RelType, to, assertedBy string) string {
	return from + "--" + lower(string(t)) + "--" + to + "--" + assertedBy
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		} else if c == '_' {
			b[i] = '-'
		}
	}
	return string(b)
}

// RelationshipFilter selects relationships. Empty fields do not filter.
type RelationshipFilter struct {
	Types         []RelType
	Statuses      []Status
	MinConfidence int
	AssertedBy    string
	Direction     Direction
	// KnownAt keeps only what could be known on that date: assertions made by then (see
	// KnownFrom) on at least one source published by then.
	KnownAt PartialDate
	// ValidAt keeps only relationships that held in the world at some time on that date (or in
	// that month or year): see HeldDuring.
	ValidAt PartialDate
	// IncludeRetracted keeps assertions a curator has retracted; reads leave them out by default.
	IncludeRetracted bool
}

// Partial dates in the time view compare by their whole span:
//   - an assertion is known at a date when the last day it may have been made is no later
//     than the last day of the date asked about ("2024-03" is known at "2024-03-31" and at
//     "2024-03", not at "2024-03-23");
//   - a relationship held on a date when the span from the first day of its validFrom to the
//     last day of its validTo overlaps the date's span (valid from "2015" holds in "2015" and
//     on "2015-06-01", not in "2014").
//
// A relationship cannot hold before both its ends existed: an organisation's founded and
// dissolved dates bound the validity of its relationships.

// KnownFrom is the first day (YYYY-MM-DD) on which an assertion can be known: the last day of
// the span it was made in (assertedOn), and not before its earliest source was published. ""
// when neither is known: such an assertion is known at any date.
func KnownFrom(assertedOn PartialDate, sourcesPublished []PartialDate) string {
	earliest := ""
	for _, p := range sourcesPublished {
		if e := p.End(); e != "" && (earliest == "" || e < earliest) {
			earliest = e
		}
	}
	known := assertedOn.End()
	if earliest > known {
		known = earliest
	}
	return known
}

// Direction of a relationship seen from one of its ends.
type Direction string

const (
	Outgoing Direction = "OUTGOING"
	Incoming Direction = "INCOMING"
	Both     Direction = "BOTH"
)

// Figure is one report of a count about an incident or event, with its provenance. Reports are
// never overwritten: a revised toll is a new figure with a later AsOf.
type Figure struct {
	ID           string
	SubjectID    string
	Metric       string // KILLED, WOUNDED, …
	Value        int
	Qualifier    string // EXACT, AT_LEAST, ABOUT, AT_MOST
	Population   string
	AsOf         PartialDate
	Status       Status
	Confidence   int
	AssertedByID string
	SourceIDs    []string
	Quote        string
	Note         string
}

// Figure vocabularies.
var (
	FigureMetrics    = []string{"KILLED", "WOUNDED", "DETAINED", "HOSTAGES", "PERPETRATORS"}
	FigureQualifiers = []string{"EXACT", "AT_LEAST", "ABOUT", "AT_MOST"}
)

// DefaultFigureID is the id of a figure when its file does not set one.
func DefaultFigureID(f *Figure) string {
	id := f.SubjectID + "--" + lower(f.Metric)
	if f.Population != "" {
		id += "--" + Slug(f.Population)
	}
	return id + "--" + string(f.AsOf) + "--" + f.AssertedByID
}

// Slug turns free text into an id-shaped string ("U.S. service members" → "u-s-service-members").
func Slug(s string) string {
	out := make([]byte, 0, len(s))
	dash := false
	for _, c := range []byte(lower(s)) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			out = append(out, c)
			dash = false
		} else if !dash && len(out) > 0 {
			out = append(out, '-')
			dash = true
		}
	}
	if dash {
		out = out[:len(out)-1]
	}
	return string(out)
}

// Subgraph is a link chart: entities, each once, and the relationships among them.
type Subgraph struct {
	Nodes     []*Entity
	Edges     []*Relationship
	Truncated bool
}

// TimeView asks for the graph as known at a date and as it held at a date; zero fields do not
// filter.
type TimeView struct {
	KnownAt PartialDate
	ValidAt PartialDate
}
