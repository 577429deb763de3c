package seed

import (
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	ig "github.com/incidentgraph/incidentgraph"
)

// Keys every entity may have, and the keys of each kind.
var (
	commonKeys = []string{"id", "kind", "name", "aliases", "description", "sources"}
	kindKeys   = map[ig.Kind][]string{
		ig.KindOrganization: {"orgType", "gtdName", "founded", "dissolved"},
		ig.KindCountry:      {"iso2"},
		ig.KindPerson:       {"role", "nationality", "anonymous"},
		ig.KindPlace:        {"placeType", "countryCode", "latitude", "longitude", "geoPrecision"},
		ig.KindIncident:     {"date", "endDate", "attackTypes", "targetTypes", "weaponTypes", "suicide", "outcome", "gtdEventId", "summary"},
		ig.KindEvent:        {"eventType", "date", "endDate", "summary"},
		ig.KindSource:       {"publisher", "published", "url", "sourceType", "accessed"},
		ig.KindGroup:        {},
	}
	relKeys = []string{"id", "from", "type", "to", "status", "confidence", "assertedBy", "sources",
		"quote", "basis", "validFrom", "validTo", "assertedOn", "note"}
	figKeys = []string{"id", "subject", "metric", "value", "qualifier", "population", "asOf", "status",
		"confidence", "assertedBy", "sources", "quote", "note"}
)

var gtdEventIDRE = regexp.MustCompile(`^[0-9]{12}$`)

// entityRec is an entity and where its id was written.
type entityRec struct {
	e       *ig.Entity
	at      pos
	sources []ref
}

// ref is a reference to an entity, resolved once every file has been read.
type ref struct {
	id string
	at pos
}

// provenance is what relationships and figures share.
type provenance struct {
	assertedBy ref
	sources    []ref
}

type relRec struct {
	r        *ig.Relationship
	at       pos // the item, or its id when set
	from, to ref
	info     ig.RelTypeInfo
	typeOK   bool
	prov     provenance
}

type figRec struct {
	f       *ig.Figure
	at      pos
	subject ref
	prov    provenance
}

// entityKeyProblem says why key is not allowed on an entity of kind k ("" when it is). When the
// kind is unknown (a problem reported apart), any key of any kind passes.
func entityKeyProblem(key string, k ig.Kind) string {
	if slices.Contains(commonKeys, key) {
		return ""
	}
	var owners []ig.Kind
	all := slices.Clone(commonKeys)
	for _, kk := range ig.Kinds {
		if slices.Contains(kindKeys[kk], key) {
			owners = append(owners, kk)
		}
		if !k.Valid() || kk == k {
			all = append(all, kindKeys[kk]...)
		}
	}
	switch {
	case !k.Valid() && len(owners) > 0, slices.Contains(owners, k):
		return ""
	case len(owners) > 0:
		return "key " + key + " is not allowed on " + a(k) + " (only on " + orList(owners) + ")"
	case k.Valid():
		return "unknown key " + key + " for " + a(k) + hint(key, all)
	default:
		return "unknown key " + key + hint(key, all)
	}
}

// peekKind returns the kind an entity mapping declares, so that its keys can be checked.
func peekKind(m *yaml.Node) ig.Kind {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := deref(m.Content[i]), deref(m.Content[i+1])
		if k.Kind == yaml.ScalarNode && k.Value == "kind" && v.Kind == yaml.ScalarNode {
			return ig.Kind(strings.TrimSpace(v.Value))
		}
	}
	return ""
}

// a returns the kind with its article: "a PLACE", "an EVENT".
func a(k ig.Kind) string {
	if strings.ContainsRune("AEIOU", rune(k[0])) {
		return "an " + string(k)
	}
	return "a " + string(k)
}

func (r *reader) entity(file, path string, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		r.add(file, n.Line, "an entity must be a mapping of keys (id, kind, name, …), found %s", describe(n))
		return
	}
	kind := peekKind(n)
	o := r.object(file, path, n, func(key string) string { return entityKeyProblem(key, kind) })
	e := &ig.Entity{}
	rec := &entityRec{e: e, at: o.at("id")}

	e.ID = o.str("id")
	e.Kind = ig.Kind(o.str("kind"))
	e.Name = o.str("name")
	for _, a := range o.texts("aliases", false) {
		e.Aliases = append(e.Aliases, a.val)
	}
	e.Description = o.str("description")
	rec.sources = o.sourceRefs(false)
	for _, s := range rec.sources {
		e.SourceIDs = append(e.SourceIDs, s.id)
	}
	kindFields(o, e)
	// The rules of an entity are the domain's, as for curators' writes; the seed format adds
	// only the file and line of each problem.
	o.domain(r.rules.entity(e, path))

	if e.ID != "" {
		if first, dup := r.byID[e.ID]; dup {
			o.add(o.vals["id"], "duplicate id %s (first at %s)", e.ID, first.at)
		} else {
			r.byID[e.ID] = rec
		}
	}
	r.entities = append(r.entities, rec)
}

// kindFields reads the keys of the entity's kind.
func kindFields(o *obj, e *ig.Entity) {
	switch e.Kind {
	case ig.KindOrganization:
		e.OrgType = o.str("orgType")
		e.GTDName = o.str("gtdName")
		e.Founded = o.date("founded")
		e.Dissolved = o.date("dissolved")

	case ig.KindCountry:
		e.ISO2 = o.str("iso2")

	case ig.KindPerson:
		e.Role = o.str("role")
		e.Nationality = o.str("nationality")
		e.Anonymous = o.boolean("anonymous")

	case ig.KindPlace:
		e.PlaceType = o.str("placeType")
		e.CountryCode = o.str("countryCode")
		e.Latitude = o.number("latitude")
		e.Longitude = o.number("longitude")
		// geoPrecision and gtdEventId come from seed files and GTD rows only: curators do not
		// write them, so their rules live here.
		if g, ok := o.intIn("geoPrecision", 1, 5); ok {
			e.GeoPrecision = &g
		}

	case ig.KindIncident:
		e.Date = o.date("date")
		e.EndDate = o.date("endDate")
		e.AttackTypes = o.codes("attackTypes")
		e.TargetTypes = o.codes("targetTypes")
		e.WeaponTypes = o.codes("weaponTypes")
		e.Suicide = o.boolean("suicide")
		e.Outcome = o.str("outcome")
		if s := o.str("gtdEventId"); s != "" {
			if gtdEventIDRE.MatchString(s) {
				e.GTDEventID = s
			} else {
				o.add(o.vals["gtdEventId"], "gtdEventId %q must be 12 digits (GTD eventid, e.g. 201708260001)", s)
			}
		}
		e.Summary = o.str("summary")

	case ig.KindEvent:
		e.EventType = o.str("eventType")
		e.Date = o.date("date")
		e.EndDate = o.date("endDate")
		e.Summary = o.str("summary")

	case ig.KindSource:
		e.Publisher = o.str("publisher")
		e.Published = o.date("published")
		e.URL = o.str("url")
		e.SourceType = o.str("sourceType")
		e.Accessed = o.date("accessed")
	}
}

// keyCheck allows the keys of a relationship or a figure.
func keyCheck(what string, allowed []string) func(string) string {
	return func(key string) string {
		if slices.Contains(allowed, key) {
			return ""
		}
		return "unknown key " + key + " in a " + what + hint(key, allowed)
	}
}

func (o *obj) ref(key string) ref {
	return ref{id: o.str(key), at: o.at(key)}
}

// provenance reads what relationships and figures share: status, confidence, assertedBy,
// sources, quote and note.
func (o *obj) provenance(p *provenance) (status ig.Status, confidence int, quote, note string) {
	status = ig.Status(o.str("status"))
	confidence, _ = o.integer("confidence")
	p.assertedBy = o.ref("assertedBy")
	p.sources = o.sourceRefs(true)
	return status, confidence, o.str("quote"), o.str("note")
}

// sourceRefs reads the list of source ids; required says whether an empty list is a problem
// (a missing one is the domain's to report).
func (o *obj) sourceRefs(required bool) []ref {
	var out []ref
	for _, s := range o.texts("sources", required) {
		out = append(out, ref{s.val, pos{o.file, s.line}})
	}
	return out
}

func (r *reader) relationship(file, path string, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		r.add(file, n.Line, "a relationship must be a mapping of keys (from, type, to, …), found %s", describe(n))
		return
	}
	o := r.object(file, path, n, keyCheck("relationship", relKeys))
	// The domain cannot tell a confidence of 0 from none; a seed file must write it.
	o.require("", "confidence")
	rel := &ig.Relationship{}
	rec := &relRec{r: rel, at: pos{file, n.Line}}

	rec.from, rec.to = o.ref("from"), o.ref("to")
	rel.FromID, rel.ToID = rec.from.id, rec.to.id
	rel.Type = ig.RelType(o.str("type"))
	rec.info, rec.typeOK = ig.LookupRelType(rel.Type)
	rel.Status, rel.Confidence, rel.Quote, rel.Note = o.provenance(&rec.prov)
	rel.AssertedByID = rec.prov.assertedBy.id
	for _, s := range rec.prov.sources {
		rel.SourceIDs = append(rel.SourceIDs, s.id)
	}
	rel.Basis = o.str("basis")
	rel.ValidFrom = o.date("validFrom")
	rel.ValidTo = o.date("validTo")
	rel.AssertedOn = o.date("assertedOn")
	if o.has("id") {
		rec.at = o.at("id")
		rel.ID = o.str("id")
	}
	o.domain(r.rules.relationship(rel, path))

	if !o.has("id") && rec.typeOK && rel.FromID != "" && rel.ToID != "" && rel.AssertedByID != "" {
		rel.ID = ig.DefaultRelationshipID(rel.FromID, rel.Type, rel.ToID, rel.AssertedByID)
	}
	r.rels = append(r.rels, rec)
}

func (r *reader) figure(file, path string, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		r.add(file, n.Line, "a figure must be a mapping of keys (subject, metric, value, …), found %s", describe(n))
		return
	}
	o := r.object(file, path, n, keyCheck("figure", figKeys))
	// The domain cannot tell a value or confidence of 0 from none; a seed file must write them.
	o.require("", "value", "confidence")
	f := &ig.Figure{Qualifier: "EXACT"}
	rec := &figRec{f: f, at: pos{file, n.Line}}

	rec.subject = o.ref("subject")
	f.SubjectID = rec.subject.id
	f.Metric = o.str("metric")
	f.Value, _ = o.integer("value")
	if o.has("qualifier") {
		f.Qualifier = o.str("qualifier")
	}
	f.Population = o.str("population")
	f.AsOf = o.date("asOf")
	f.Status, f.Confidence, f.Quote, f.Note = o.provenance(&rec.prov)
	f.AssertedByID = rec.prov.assertedBy.id
	for _, s := range rec.prov.sources {
		f.SourceIDs = append(f.SourceIDs, s.id)
	}
	if o.has("id") {
		rec.at = o.at("id")
		f.ID = o.str("id")
	}
	o.domain(r.rules.figure(f, path))

	if !o.has("id") && f.SubjectID != "" && f.Metric != "" && !f.AsOf.IsZero() && f.AssertedByID != "" {
		f.ID = ig.DefaultFigureID(f)
	}
	r.figs = append(r.figs, rec)
}

// resolve checks what only all files together can tell: references, the kinds at the ends of
// each relationship, and duplicate relationship and figure ids. It fills in assertedOn.
func (r *reader) resolve() {
	for _, rec := range r.entities {
		rec.e.SourceIDs = nil
		for _, s := range r.checkSources(rec.sources) {
			rec.e.SourceIDs = append(rec.e.SourceIDs, s.ID)
		}
	}
	relIDs := map[string]pos{}
	for _, rec := range r.rels {
		rel := rec.r
		from, to := r.lookup("from", rec.from), r.lookup("to", rec.to)
		if rec.typeOK && from != nil && to != nil && from.Kind.Valid() && to.Kind.Valid() {
			info := rec.info
			fromOK, toOK := slices.Contains(info.From, from.Kind), slices.Contains(info.To, to.Kind)
			swapped := ""
			if info.Allows(to.Kind, from.Kind) {
				swapped = "; are from and to swapped?"
			}
			if !fromOK {
				r.add(rec.from.at.file, rec.from.at.line, "%s cannot point from %s (%s): it points from %s%s",
					info.Type, from.ID, from.Kind, orList(info.From), swapped)
			}
			if !toOK {
				r.add(rec.to.at.file, rec.to.at.line, "%s cannot point to %s (%s): it points to %s%s",
					info.Type, to.ID, to.Kind, orList(info.To), swapped)
			}
		}
		sources := r.checkProvenance(&rec.prov)
		if rel.AssertedOn.IsZero() {
			rel.AssertedOn = earliestPublished(sources)
		}
		if rel.ID != "" {
			if first, dup := relIDs[rel.ID]; dup {
				r.add(rec.at.file, rec.at.line, "duplicate relationship id %s (first at %s): set id on one of them to keep two assertions apart", rel.ID, first)
			} else {
				relIDs[rel.ID] = rec.at
			}
		}
	}

	figIDs := map[string]pos{}
	for _, rec := range r.figs {
		if s := r.lookup("subject", rec.subject); s != nil && s.Kind.Valid() && s.Kind != ig.KindIncident && s.Kind != ig.KindEvent {
			r.add(rec.subject.at.file, rec.subject.at.line, "subject %s is %s: figures are about an INCIDENT or EVENT", s.ID, a(s.Kind))
		}
		r.checkProvenance(&rec.prov)
		if id := rec.f.ID; id != "" {
			if first, dup := figIDs[id]; dup {
				r.add(rec.at.file, rec.at.line, "duplicate figure id %s (first at %s): set id on one of them to keep two reports apart", id, first)
			} else {
				figIDs[id] = rec.at
			}
		}
	}
}

// lookup returns the entity ref names, reporting an unknown id; what names the key.
func (r *reader) lookup(what string, x ref) *ig.Entity {
	if x.id == "" {
		return nil // missing or empty: reported already
	}
	if rec, ok := r.byID[x.id]; ok {
		return rec.e
	}
	ids := make([]string, 0, len(r.byID))
	for id := range r.byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	r.add(x.at.file, x.at.line, "%s: no entity with id %s%s", what, x.id, hint(x.id, ids))
	return nil
}

// checkProvenance checks the asserting party and the sources, and returns the sources.
func (r *reader) checkProvenance(p *provenance) []*ig.Entity {
	if asserter := r.lookup("assertedBy", p.assertedBy); asserter != nil && asserter.Kind.Valid() && !asserter.Kind.IsActor() {
		r.add(p.assertedBy.at.file, p.assertedBy.at.line,
			"assertedBy: %s is %s; the asserting party is an ORGANIZATION, COUNTRY, PERSON or GROUP (for a publication, its publisher)", asserter.ID, a(asserter.Kind))
	}
	return r.checkSources(p.sources)
}

// checkSources checks that every reference is to a SOURCE entity, and returns those entities.
func (r *reader) checkSources(refs []ref) []*ig.Entity {
	var out []*ig.Entity
	for _, s := range refs {
		e := r.lookup("sources", s)
		switch {
		case e == nil || !e.Kind.Valid():
		case e.Kind != ig.KindSource:
			r.add(s.at.file, s.at.line, "sources: %s is %s, not a SOURCE", e.ID, a(e.Kind))
		default:
			out = append(out, e)
		}
	}
	return out
}

// earliestPublished returns the earliest publication date of sources ("" if none has one).
func earliestPublished(sources []*ig.Entity) ig.PartialDate {
	var d ig.PartialDate
	for _, s := range sources {
		p := s.Published
		if p.IsZero() {
			continue
		}
		if d.IsZero() || p.Start() < d.Start() || (p.Start() == d.Start() && p.End() < d.End()) {
			d = p
		}
	}
	return d
}
