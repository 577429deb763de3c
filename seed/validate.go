package seed

import (
	"fmt"
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
	o       *obj
	sources []ref
	// aliasSources are the sources of the aliases, each with its field (aliases[2].sources[0]).
	aliasSources []fieldRef
}

// fieldRef is a reference and the field it was written in.
type fieldRef struct {
	field string
	ref
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
	o        *obj
	from, to ref
	prov     provenance
}

type figRec struct {
	f       *ig.Figure
	at      pos
	o       *obj
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
	rec := &entityRec{e: e, at: o.at("id"), o: o}

	e.ID = o.str("id")
	e.Kind = ig.Kind(o.str("kind"))
	e.Name = o.str("name")
	var aliases []ig.Alias
	aliases, rec.aliasSources = o.aliases()
	e.SetAliases(aliases)
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

// aliasKeys are the keys of an alias written as a mapping.
var aliasKeys = []string{"name", "language", "script", "sources", "note"}

// aliases reads the list of aliases: each a plain name, or a mapping of the name and what is
// known of it (language, script, sources, note). The domain checks the values.
func (o *obj) aliases() ([]ig.Alias, []fieldRef) {
	var out []ig.Alias
	var refs []fieldRef
	for _, v := range o.list("aliases", false) {
		n := deref(v)
		switch {
		case n.Kind == yaml.MappingNode:
			field := fmt.Sprintf("aliases[%d]", len(out))
			a, rs, ok := o.aliasMapping(field, n)
			if !ok {
				o.bad[field] = true // reported: the domain need not judge it again
			}
			if a.Name == "" {
				continue
			}
			out, refs = append(out, a), append(refs, rs...)
		case n.Kind != yaml.ScalarNode:
			o.add(v, "each item of aliases must be a name or a mapping of name, language, script, sources and note, found %s", describe(n))
			continue
		case isNull(n) || strings.TrimSpace(n.Value) == "":
			o.add(v, "aliases has an empty item")
			continue
		default:
			out = append(out, ig.Alias{Name: strings.TrimSpace(n.Value)})
		}
		o.items["aliases"] = append(o.items["aliases"], v.Line)
	}
	return out, refs
}

// aliasMapping reads one alias written as a mapping at field (aliases[2]), noting the line of
// each value for the domain's problems; ok is false when a problem was reported.
func (o *obj) aliasMapping(field string, n *yaml.Node) (a ig.Alias, refs []fieldRef, ok bool) {
	ok = true
	vals := map[string]*yaml.Node{}
	o.r.eachField(o.file, n, func(key string, k, val *yaml.Node) {
		if !slices.Contains(aliasKeys, key) {
			o.r.add(o.file, k.Line, "unknown key %s in an alias%s", key, hint(key, aliasKeys))
			ok = false
			return
		}
		vals[key] = val
		o.lines[field+"."+key] = val.Line
	})
	// value returns the trimmed text of node, or reports it (what names it in the message).
	value := func(what string, node *yaml.Node) (string, bool) {
		s := deref(node)
		if s.Kind != yaml.ScalarNode || isNull(s) || strings.TrimSpace(s.Value) == "" {
			o.r.add(o.file, node.Line, "%s must be a single non-empty value, found %s", what, describe(s))
			ok = false
			return "", false
		}
		return strings.TrimSpace(s.Value), true
	}
	text := func(key string) string {
		if val, has := vals[key]; has {
			s, _ := value(field+"."+key, val)
			return s
		}
		return ""
	}
	if _, has := vals["name"]; !has {
		o.r.add(o.file, n.Line, "an alias written as a mapping needs its name (name: …)")
		ok = false
	}
	a.Name, a.Language, a.Script, a.Note = text("name"), text("language"), text("script"), text("note")
	sv, has := vals["sources"]
	if !has {
		return a, nil, ok
	}
	sl := deref(sv)
	if sl.Kind != yaml.SequenceNode {
		o.r.add(o.file, sv.Line, "%s.sources must be a list (e.g. [a, b]), found %s", field, describe(sl))
		return a, nil, false
	}
	for _, item := range sl.Content {
		id, good := value("each item of "+field+".sources", item)
		if !good {
			continue
		}
		sf := fmt.Sprintf("%s.sources[%d]", field, len(a.SourceIDs))
		o.lines[sf] = item.Line
		a.SourceIDs = append(a.SourceIDs, id)
		refs = append(refs, fieldRef{sf, ref{id, pos{o.file, item.Line}}})
	}
	return a, refs, ok
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
	rec := &relRec{r: rel, at: pos{file, n.Line}, o: o}

	rec.from, rec.to = o.ref("from"), o.ref("to")
	rel.FromID, rel.ToID = rec.from.id, rec.to.id
	rel.Type = ig.RelType(o.str("type"))
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

	if _, typeOK := ig.LookupRelType(rel.Type); !o.has("id") && typeOK && rel.FromID != "" && rel.ToID != "" && rel.AssertedByID != "" {
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
	rec := &figRec{f: f, at: pos{file, n.Line}, o: o}

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

// resolve checks what only all files together can tell: that every id an item names is an
// entity of some file (a rule of the seed format, with the closest id as a hint), the domain's
// rules about the kinds of the entities named (the ends of a relationship, the asserting party,
// sources, the subject of a figure), and duplicate relationship and figure ids. It fills in
// assertedOn.
func (r *reader) resolve() {
	kinds := map[string]ig.Kind{}
	for id, rec := range r.byID {
		if rec.e.Kind.Valid() {
			kinds[id] = rec.e.Kind
		}
		r.ids = append(r.ids, id)
	}
	slices.Sort(r.ids)
	sources := func(o *obj, refs []ref) {
		for i, s := range refs {
			r.known(o, fmt.Sprintf("sources[%d]", i), s)
		}
	}
	for _, rec := range r.entities {
		sources(rec.o, rec.sources)
		rec.o.domain(r.rules.sources(rec.e.SourceIDs, kinds, rec.o.path))
		for _, s := range rec.aliasSources {
			r.known(rec.o, s.field, s.ref)
		}
		rec.o.domain(r.rules.aliasSources(rec.e, kinds, rec.o.path))
	}

	relIDs := map[string]pos{}
	for _, rec := range r.rels {
		rel := rec.r
		r.known(rec.o, "from", rec.from)
		r.known(rec.o, "to", rec.to)
		r.known(rec.o, "assertedBy", rec.prov.assertedBy)
		sources(rec.o, rec.prov.sources)
		rec.o.domain(r.rules.references(rel, kinds, rec.o.path))
		if rel.AssertedOn.IsZero() {
			rel.AssertedOn = earliestPublished(r.sourcesOf(rel.SourceIDs))
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
		r.known(rec.o, "subject", rec.subject)
		r.known(rec.o, "assertedBy", rec.prov.assertedBy)
		sources(rec.o, rec.prov.sources)
		rec.o.domain(r.rules.figureReferences(rec.f, kinds, rec.o.path))
		if id := rec.f.ID; id != "" {
			if first, dup := figIDs[id]; dup {
				r.add(rec.at.file, rec.at.line, "duplicate figure id %s (first at %s): set id on one of them to keep two reports apart", id, first)
			} else {
				figIDs[id] = rec.at
			}
		}
	}
}

// known reports a reference to an id that no file defines, and marks the references the domain
// must not judge again: unknown ids, and entities whose own kind is wrong (reported already).
func (r *reader) known(o *obj, field string, x ref) {
	if x.id == "" {
		return // missing or empty: reported already
	}
	switch rec, ok := r.byID[x.id]; {
	case !ok:
		what := field
		if i := strings.LastIndex(field, "["); i >= 0 {
			what = field[:i]
		}
		r.add(x.at.file, x.at.line, "%s: no entity with id %s%s", what, x.id, hint(x.id, r.ids))
		o.bad[field] = true
	case !rec.e.Kind.Valid():
		o.bad[field] = true
	}
}

// sourcesOf returns the SOURCE entities among ids.
func (r *reader) sourcesOf(ids []string) []*ig.Entity {
	var out []*ig.Entity
	for _, id := range ids {
		if rec, ok := r.byID[id]; ok && rec.e.Kind == ig.KindSource {
			out = append(out, rec.e)
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
