package export

import (
	"strconv"
	"strings"

	"github.com/incidentgraph/incidentgraph"
)

// The attributes every format carries, in one table each for nodes and edges, so that the
// formats cannot drift apart: the same names (camelCase in JSON, GraphML and GEXF; the same
// words capitalised as CSV headers), the same types and the same values.

// attrType is an attribute's type, as GraphML's attr.type and GEXF's attribute type name it.
type attrType string

const (
	tString  attrType = "string"
	tInt     attrType = "int"
	tDouble  attrType = "double"
	tBoolean attrType = "boolean"
)

// listSep joins the items of a list attribute in the flat formats (GraphML, GEXF, CSV). Titles
// and quotes contain commas and semicolons; a vertical bar is rarer.
const listSep = " | "

type nodeAttr struct {
	name string
	typ  attrType
	// value returns the attribute's value as text (JSON writes ints, doubles and booleans as
	// such) and whether the node has it.
	value func(*incidentgraph.Entity) (string, bool)
	list  func(*incidentgraph.Entity) []string // list attributes: the items, for JSON
}

type edgeAttr struct {
	name  string
	typ   attrType
	value func(*incidentgraph.Relationship, *Document) (string, bool)
	list  func(*incidentgraph.Relationship, *Document) []string
}

func text(s string) (string, bool) { return s, s != "" }

func date(d incidentgraph.PartialDate) (string, bool) { return string(d), d != "" }

func float(p *float64) (string, bool) {
	if p == nil {
		return "", false
	}
	return strconv.FormatFloat(*p, 'f', -1, 64), true
}

func ofKind(e *incidentgraph.Entity, ks ...incidentgraph.Kind) bool {
	for _, k := range ks {
		if e.Kind == k {
			return true
		}
	}
	return false
}

// nodeAttrs come after id, label and kind, which every format has in a place of its own.
var nodeAttrs = []nodeAttr{
	{name: "name", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return text(e.Name) }},
	{name: "aliases", typ: tString,
		value: func(e *incidentgraph.Entity) (string, bool) { return text(strings.Join(e.Aliases, listSep)) },
		list:  func(e *incidentgraph.Entity) []string { return e.Aliases }},
	{name: "description", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return text(e.Description) }},
	{name: "orgType", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return text(e.OrgType) }},
	{name: "gtdName", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return text(e.GTDName) }},
	{name: "founded", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return date(e.Founded) }},
	{name: "dissolved", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return date(e.Dissolved) }},
	{name: "iso2", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return text(e.ISO2) }},
	{name: "role", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return text(e.Role) }},
	{name: "nationality", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return text(e.Nationality) }},
	{name: "anonymous", typ: tBoolean, value: func(e *incidentgraph.Entity) (string, bool) {
		return strconv.FormatBool(e.Anonymous), ofKind(e, incidentgraph.KindPerson)
	}},
	{name: "placeType", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return text(e.PlaceType) }},
	{name: "countryCode", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return text(e.CountryCode) }},
	{name: "latitude", typ: tDouble, value: func(e *incidentgraph.Entity) (string, bool) { return float(e.Latitude) }},
	{name: "longitude", typ: tDouble, value: func(e *incidentgraph.Entity) (string, bool) { return float(e.Longitude) }},
	{name: "date", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return date(e.Date) }},
	{name: "endDate", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return date(e.EndDate) }},
	{name: "summary", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return text(e.Summary) }},
	{name: "eventType", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return text(e.EventType) }},
	{name: "outcome", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return text(e.Outcome) }},
	{name: "suicide", typ: tBoolean, value: func(e *incidentgraph.Entity) (string, bool) {
		return strconv.FormatBool(e.Suicide), ofKind(e, incidentgraph.KindIncident)
	}},
	{name: "gtdEventId", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return text(e.GTDEventID) }},
	{name: "publisher", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return text(e.Publisher) }},
	{name: "published", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return date(e.Published) }},
	{name: "url", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return text(e.URL) }},
	{name: "sourceType", typ: tString, value: func(e *incidentgraph.Entity) (string, bool) { return text(e.SourceType) }},
}

// partyName is the asserting party's name, or its id when the graph does not hold it.
func partyName(r *incidentgraph.Relationship, d *Document) string {
	if e := d.Named[r.AssertedByID]; e != nil && e.Name != "" {
		return e.Name
	}
	return r.AssertedByID
}

// sourceText is a source as a reader cites it: "Title (Publisher, 2024-03-23) URL", with what
// is unknown left out, or its id when the graph does not hold it.
func sourceText(id string, d *Document) string {
	s := d.Named[id]
	if s == nil {
		return id
	}
	out := s.Name
	var in []string
	if s.Publisher != "" {
		in = append(in, s.Publisher)
	}
	if s.Published != "" {
		in = append(in, string(s.Published))
	}
	if len(in) > 0 {
		out += " (" + strings.Join(in, ", ") + ")"
	}
	if s.URL != "" {
		out += " " + s.URL
	}
	return out
}

func sourceTexts(r *incidentgraph.Relationship, d *Document) []string {
	out := make([]string, len(r.SourceIDs))
	for i, id := range r.SourceIDs {
		out[i] = sourceText(id, d)
	}
	return out
}

// edgeAttrs come after id, source and target. The provenance is all here: status, confidence,
// who asserts it, on which sources, the quote, when it held and when it was asserted.
var edgeAttrs = []edgeAttr{
	{name: "type", typ: tString, value: func(r *incidentgraph.Relationship, _ *Document) (string, bool) { return text(string(r.Type)) }},
	{name: "status", typ: tString, value: func(r *incidentgraph.Relationship, _ *Document) (string, bool) { return text(string(r.Status)) }},
	{name: "confidence", typ: tInt, value: func(r *incidentgraph.Relationship, _ *Document) (string, bool) {
		return strconv.Itoa(r.Confidence), true
	}},
	{name: "confidenceLevel", typ: tString, value: func(r *incidentgraph.Relationship, _ *Document) (string, bool) {
		return incidentgraph.ConfidenceLevel(r.Confidence), true
	}},
	{name: "style", typ: tString, value: func(r *incidentgraph.Relationship, _ *Document) (string, bool) {
		return incidentgraph.LineStyle(r.Status, r.Confidence), true
	}},
	{name: "assertedBy", typ: tString, value: func(r *incidentgraph.Relationship, d *Document) (string, bool) { return text(partyName(r, d)) }},
	{name: "assertedById", typ: tString, value: func(r *incidentgraph.Relationship, _ *Document) (string, bool) { return text(r.AssertedByID) }},
	{name: "sources", typ: tString,
		value: func(r *incidentgraph.Relationship, d *Document) (string, bool) {
			return text(strings.Join(sourceTexts(r, d), listSep))
		},
		list: sourceTexts},
	{name: "sourceIds", typ: tString,
		value: func(r *incidentgraph.Relationship, _ *Document) (string, bool) {
			return text(strings.Join(r.SourceIDs, listSep))
		},
		list: func(r *incidentgraph.Relationship, _ *Document) []string { return r.SourceIDs }},
	{name: "quote", typ: tString, value: func(r *incidentgraph.Relationship, _ *Document) (string, bool) { return text(r.Quote) }},
	{name: "basis", typ: tString, value: func(r *incidentgraph.Relationship, _ *Document) (string, bool) { return text(r.Basis) }},
	{name: "note", typ: tString, value: func(r *incidentgraph.Relationship, _ *Document) (string, bool) { return text(r.Note) }},
	{name: "validFrom", typ: tString, value: func(r *incidentgraph.Relationship, _ *Document) (string, bool) { return date(r.ValidFrom) }},
	{name: "validTo", typ: tString, value: func(r *incidentgraph.Relationship, _ *Document) (string, bool) { return date(r.ValidTo) }},
	{name: "assertedOn", typ: tString, value: func(r *incidentgraph.Relationship, _ *Document) (string, bool) { return date(r.AssertedOn) }},
}
