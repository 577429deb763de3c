package gtd

import (
	"slices"
	"strings"

	"github.com/incidentgraph/incidentgraph"
)

// The GTD's publisher (a seed organization) asserts everything an import writes, and the GTD
// itself is cited as a source beside the row's own citations.
const (
	Publisher = "start-consortium"
	DatasetID = "gtd-dataset"
)

// Mapper turns parsed rows into what the graph holds of them (see the package doc, "Mapping"):
// the ids, statuses, confidences, place chains and figures. Group and country names stay
// names (Names) until the store has resolved them; Map then builds the chunk's batches.
type Mapper struct {
	// Release is the GTD release the file comes from, when known: the dataset source's
	// publication date, and so the earliest day its assertions are known.
	Release incidentgraph.PartialDate
}

// GroupID is the id of the organization an import creates for a gname that names none.
func GroupID(gname string) string { return clip("gtd-group-" + incidentgraph.Slug(gname)) }

// CountryID is the id of the country an import creates for a country_txt that names none.
func CountryID(country string) string { return clip("gtd-country-" + incidentgraph.Slug(country)) }

// clip keeps ids within incidentgraph.MaxIDLength without ending on a dash.
func clip(id string) string {
	if len(id) > incidentgraph.MaxIDLength {
		id = strings.TrimRight(id[:incidentgraph.MaxIDLength], "-")
	}
	return id
}

func groupRef(gname string) incidentgraph.NameRef {
	return incidentgraph.NameRef{Kind: incidentgraph.KindOrganization, Name: gname, ID: GroupID(gname)}
}

func countryRef(country string) incidentgraph.NameRef {
	return incidentgraph.NameRef{Kind: incidentgraph.KindCountry, Name: country, ID: CountryID(country)}
}

// Dataset is the GTD's own source, which every link and figure of an import cites, and the
// id of its publisher, which asserts them.
func (m Mapper) Dataset() (*incidentgraph.Entity, string) {
	return &incidentgraph.Entity{ID: DatasetID, Kind: incidentgraph.KindSource, Name: "Global Terrorism Database",
		Publisher: "National Consortium for the Study of Terrorism and Responses to Terrorism (START), University of Maryland",
		Published: m.Release, URL: "https://www.start.umd.edu/gtd/", SourceType: "DATASET",
		Description: "The GTD data file the incidents were imported from."}, Publisher
}

// Names lists the group and country names of rows, each once, in the order they come.
func (m Mapper) Names(rows []*Incident) []incidentgraph.NameRef {
	seen := map[incidentgraph.NameRef]bool{}
	var out []incidentgraph.NameRef
	add := func(r incidentgraph.NameRef) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, inc := range rows {
		for _, p := range inc.Perpetrators {
			add(groupRef(p.GTDName))
		}
		add(countryRef(inc.Country))
	}
	return out
}

// Map builds what rows say, given what their names resolved to: a name found resolves to
// its entity; one not found to the entity Map creates for it (in Shared), under its
// NameRef.ID. Each entity, link and figure is in the answer once.
func (m Mapper) Map(rows []*Incident, found incidentgraph.Resolution) *incidentgraph.ImportBatch {
	b := &chunk{m: m, found: found, seen: map[string]bool{}, out: &incidentgraph.ImportBatch{}}
	for _, inc := range rows {
		b.incident(inc)
	}
	return b.out
}

// chunk collects one Map's answer.
type chunk struct {
	m     Mapper
	found incidentgraph.Resolution
	seen  map[string]bool // ids given so far: "e" entities, "r" links, "f" figures
	out   *incidentgraph.ImportBatch
}

func (c *chunk) once(key string) bool {
	if c.seen[key] {
		return false
	}
	c.seen[key] = true
	return true
}

func (c *chunk) entity(to *incidentgraph.Batch, e *incidentgraph.Entity) {
	if c.once("e" + e.ID) {
		to.Entities = append(to.Entities, e)
	}
}

func (c *chunk) rel(to *incidentgraph.Batch, r *incidentgraph.Relationship) {
	r.ID = incidentgraph.DefaultRelationshipID(r.FromID, r.Type, r.ToID, r.AssertedByID)
	if c.once("r" + r.ID) {
		to.Relationships = append(to.Relationships, r)
	}
}

// group returns the id a gname stands for, adding the organization Map creates for it when
// the store found none; given is the gname when the store resolved it to an entity made of
// another name (for the links to record), else "".
func (c *chunk) group(gname string) (id, given string) {
	ref := groupRef(gname)
	if id, ok := c.found[ref]; ok && id != ref.ID {
		return id, gname
	} else if ok {
		return id, "" // the entity an earlier chunk or import made of this very name
	}
	c.entity(&c.out.Shared, &incidentgraph.Entity{ID: ref.ID, Kind: incidentgraph.KindOrganization, Name: gname,
		OrgType: "MILITANT_GROUP", GTDName: gname, SourceIDs: []string{DatasetID}})
	return ref.ID, ""
}

// country returns the id a country_txt stands for, adding the country Map creates for it when
// the store found none; given as for group.
func (c *chunk) country(name string) (id, given string) {
	ref := countryRef(name)
	if id, ok := c.found[ref]; ok && id != ref.ID {
		return id, name
	} else if ok {
		return id, "" // the entity an earlier chunk or import made of this very name
	}
	c.entity(&c.out.Shared, &incidentgraph.Entity{ID: ref.ID, Kind: incidentgraph.KindCountry, Name: name, SourceIDs: []string{DatasetID}})
	return ref.ID, ""
}

// place returns the id of the most precise place of a row, adding the chain of places. Place
// ids hang off the country's id as resolved ("gtd-place-afghanistan-…" for the seed's
// Afghanistan), so every file naming the country by any of its names shares them. The
// LOCATED_IN links are shared by every row in the same place, so they are dated by the release
// alone (undated when it is not known: geography is known at any date).
func (c *chunk) place(inc *Incident) (id, given string) {
	country, given := c.country(inc.Country)
	at := country
	slug := strings.TrimPrefix(strings.TrimPrefix(country, "gtd-country-"), "gtd-")
	link := func(from, to string) {
		r := &incidentgraph.Relationship{Type: "LOCATED_IN", FromID: from, ToID: to, Status: "REPORTED", Confidence: 90,
			AssertedByID: Publisher, SourceIDs: []string{DatasetID}, AssertedOn: c.m.Release}
		if to == country {
			r.ToNameAsGiven = given
		}
		c.rel(&c.out.Shared, r)
	}
	prefix := "gtd-place-" + slug
	if inc.Province != "" {
		prefix += "-" + incidentgraph.Slug(inc.Province)
		id := clip(prefix)
		c.entity(&c.out.Shared, &incidentgraph.Entity{ID: id, Kind: incidentgraph.KindPlace, Name: inc.Province, PlaceType: "REGION", SourceIDs: []string{DatasetID}})
		link(id, at)
		at = id
	}
	if inc.City != "" {
		id := clip(prefix + "-" + incidentgraph.Slug(inc.City))
		c.entity(&c.out.Shared, &incidentgraph.Entity{ID: id, Kind: incidentgraph.KindPlace, Name: inc.City, PlaceType: "CITY", SourceIDs: []string{DatasetID}})
		link(id, at)
		at = id
	}
	if at != country {
		given = "" // the row happened in a place the import made, not in the country itself
	}
	return at, given
}

func (c *chunk) incident(inc *Incident) {
	out := c.out
	if out.FirstRow == 0 {
		out.FirstRow = inc.Row
	}
	out.LastRow = inc.Row
	out.Rows++
	e := *inc.Entity
	e.Latitude, e.Longitude, e.GeoPrecision = inc.Latitude, inc.Longitude, inc.Specificity
	e.SourceIDs = []string{DatasetID}
	sources := []string{DatasetID}
	for _, text := range inc.Citations {
		id := CitationID(text)
		// A row may cite one text twice (scite1 and scite3): a source is listed once.
		if !slices.Contains(sources, id) {
			sources = append(sources, id)
		}
		c.entity(&out.Own, &incidentgraph.Entity{ID: id, Kind: incidentgraph.KindSource, Name: text, SourceType: "NEWS"})
	}
	if c.once("e" + e.ID) {
		out.Own.Entities = append(out.Own.Entities, &e)
		out.Subjects = append(out.Subjects, e.ID)
	}
	// Assertions are made no earlier than the incident; a release date, when given, is later.
	on := c.m.assertedOn(e.Date)

	where, given := c.place(inc)
	c.rel(&out.Own, &incidentgraph.Relationship{Type: "OCCURRED_IN", FromID: e.ID, ToID: where, ToNameAsGiven: given, Status: "REPORTED",
		Confidence: 90, AssertedByID: Publisher, SourceIDs: sources, AssertedOn: on})
	for _, p := range inc.Perpetrators {
		group, given := c.group(p.GTDName)
		c.rel(&out.Own, &incidentgraph.Relationship{Type: p.Type, FromID: group, FromNameAsGiven: given, ToID: e.ID, Status: p.Status,
			Confidence: p.Confidence, AssertedByID: Publisher, SourceIDs: sources, AssertedOn: on, Note: p.Note})
	}
	for _, other := range inc.Related {
		// Both rows of a pair name the same link, so nothing in it may depend on which row
		// wrote it last: it is dated by the later incident's event id.
		from, to := e.ID, "gtd-"+other
		if to < from {
			from, to = to, from
		}
		c.rel(&out.Own, &incidentgraph.Relationship{Type: "RELATED_TO", FromID: from, ToID: to, Status: "REPORTED", Confidence: 80,
			AssertedByID: Publisher, SourceIDs: []string{DatasetID}, AssertedOn: c.m.assertedOn(eventDate(to)),
			Note: "Related incidents in the GTD (related): parts of one attack or of one series."})
	}
	for _, f := range []struct {
		metric string
		v      *int
	}{{"KILLED", inc.Killed}, {"WOUNDED", inc.Wounded}} {
		if f.v == nil {
			continue
		}
		fig := &incidentgraph.Figure{SubjectID: e.ID, Metric: f.metric, Value: *f.v, Qualifier: "EXACT", AsOf: e.Date,
			Status: "REPORTED", Confidence: 80, AssertedByID: Publisher, SourceIDs: sources}
		fig.ID = incidentgraph.DefaultFigureID(fig)
		if c.once("f" + fig.ID) {
			out.Own.Figures = append(out.Own.Figures, fig)
		}
	}
}

// assertedOn dates the GTD's assertions about an incident of the given date: the release when
// known (the GTD codes incidents after the fact), else the incident's date, the earliest day
// the assertion can have been made.
func (m Mapper) assertedOn(date incidentgraph.PartialDate) incidentgraph.PartialDate {
	if !m.Release.IsZero() {
		return m.Release
	}
	return date
}

// eventDate reads the date in an incident id "gtd-YYYYMMDDnnnn" (00 for an unknown month or
// day, as in the GTD).
func eventDate(id string) incidentgraph.PartialDate {
	e := strings.TrimPrefix(id, "gtd-")
	if len(e) < 8 {
		return ""
	}
	s := e[:4]
	if e[4:6] != "00" {
		s += "-" + e[4:6]
		if e[6:8] != "00" {
			s += "-" + e[6:8]
		}
	}
	d, err := incidentgraph.ParsePartialDate(s)
	if err != nil {
		d, _ = incidentgraph.ParsePartialDate(e[:4])
	}
	return d
}
