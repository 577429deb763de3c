package stix

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/incidentgraph/incidentgraph"
)

// MediaType is the media type of a STIX 2.1 bundle.
const MediaType = "application/stix+json;version=2.1"

// SchemaURL is where the extension's JSON schema is published: extension.schema.json in this
// directory of the repository.
const SchemaURL = "https://github.com/incidentgraph/incidentgraph/blob/main/stix/extension.schema.json"

// ExtensionVersion is the version of the extension's schema.
const ExtensionVersion = "1.0.0"

// The ids of the two objects every bundle begins with, the same in every bundle.
var (
	ExtensionID = ID(TypeExtension, "extension-definition:incidentgraph")
	ProducerID  = ID(TypeIdentity, "producer:incidentgraph")
)

// Graph is what a bundle is made of: a subgraph, the entities it cites and its figures.
type Graph struct {
	// Name names the export (e.g. incidentgraph-neighborhood-islamic-state): the grouping's name.
	Name string
	// Nodes and Edges are the subgraph: entities each once, relationships each once with both
	// ends among Nodes (an edge whose end is missing is refused).
	Nodes     []*incidentgraph.Entity
	Edges     []*incidentgraph.Relationship
	Truncated bool
	// Named holds, by id, the entities the nodes, edges and figures cite that are not nodes:
	// asserting parties and sources. Those it lacks are cited by id in the extension only.
	Named map[string]*incidentgraph.Entity
	// Figures are the reported figures of the nodes, by subject id.
	Figures map[string][]*incidentgraph.Figure
}

// Write writes g as one STIX 2.1 bundle, indented JSON ending in a newline.
func Write(w io.Writer, g *Graph) error {
	b, err := Bundle(g)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// Bundle returns g as one STIX 2.1 bundle, indented JSON ending in a newline.
func Bundle(g *Graph) ([]byte, error) {
	b, err := newBuilder(g)
	if err != nil {
		return nil, err
	}
	b.build()
	objects, err := marshal(b.objects)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(objects)
	bundle := newObject().set("type", "bundle").
		set("id", ID("bundle", "bundle:"+hex.EncodeToString(sum[:]))).
		set("objects", b.objects)
	compact, err := marshal(bundle)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

type builder struct {
	g       *Graph
	nodes   map[string]*incidentgraph.Entity
	order   []*incidentgraph.Entity       // nodes by id
	edges   []*incidentgraph.Relationship // by id
	objects []*object
	// cites holds, for each source id, the STIX ids of the objects that cite it, in the order
	// they are written, each once.
	cites map[string][]string
	// parties holds the identity each asserting party is named by, by entity id.
	parties map[string]string
}

func newBuilder(g *Graph) (*builder, error) {
	b := &builder{g: g, nodes: map[string]*incidentgraph.Entity{}, cites: map[string][]string{}, parties: map[string]string{}}
	for _, n := range g.Nodes {
		if _, dup := b.nodes[n.ID]; !dup {
			b.nodes[n.ID] = n
			b.order = append(b.order, n)
		}
	}
	slices.SortFunc(b.order, func(x, y *incidentgraph.Entity) int { return cmp.Compare(x.ID, y.ID) })
	seen := map[string]bool{}
	for _, e := range g.Edges {
		if seen[e.ID] {
			continue
		}
		if b.nodes[e.FromID] == nil || b.nodes[e.ToID] == nil {
			return nil, fmt.Errorf("stix: relationship %s: its ends %s and %s are not both among the nodes", e.ID, e.FromID, e.ToID)
		}
		seen[e.ID] = true
		b.edges = append(b.edges, e)
	}
	slices.SortFunc(b.edges, func(x, y *incidentgraph.Relationship) int { return cmp.Compare(x.ID, y.ID) })
	return b, nil
}

// entity is an entity of the graph by id: a node, or one Named holds.
func (b *builder) entity(id string) *incidentgraph.Entity {
	if e := b.nodes[id]; e != nil {
		return e
	}
	return b.g.Named[id]
}

func entityRef(e *incidentgraph.Entity) string { return ID(ObjectType(e), e.ID) }

func relRef(r *incidentgraph.Relationship) string { return ID(TypeRelationship, r.ID) }

// party is the identity that names the asserting party id, or "" when the graph does not hold
// it. An entity that is an identity names itself; a threat actor, a location or anything else
// is named by an identity made for it (partyObjects).
func (b *builder) party(id string) string {
	e := b.entity(id)
	if e == nil {
		return ""
	}
	if ref, ok := b.parties[id]; ok {
		return ref
	}
	ref := ID(TypeIdentity, "identity:"+e.ID)
	if ObjectType(e) == TypeIdentity {
		ref = entityRef(e)
	}
	b.parties[id] = ref
	return ref
}

func (b *builder) cite(sourceIDs []string, ref string) {
	for _, s := range sourceIDs {
		if !slices.Contains(b.cites[s], ref) {
			b.cites[s] = append(b.cites[s], ref)
		}
	}
}

// figures are a node's figures, oldest first, then by id.
func (b *builder) figures(id string) []*incidentgraph.Figure {
	fs := slices.Clone(b.g.Figures[id])
	slices.SortStableFunc(fs, func(x, y *incidentgraph.Figure) int {
		return cmp.Or(cmp.Compare(x.AsOf.Start(), y.AsOf.Start()), cmp.Compare(x.ID, y.ID))
	})
	return fs
}

func (b *builder) build() {
	// First who cites what and who asserts what: reports list their citers, and the
	// asserting parties are written after the relationships that name them.
	for _, n := range b.order {
		ref := entityRef(n)
		b.cite(n.SourceIDs, ref)
		b.cite(n.AliasSourceIDs(), ref)
		for _, f := range b.figures(n.ID) {
			b.cite(f.SourceIDs, ref)
			b.party(f.AssertedByID)
		}
	}
	for _, e := range b.edges {
		b.cite(e.SourceIDs, relRef(e))
		b.party(e.AssertedByID)
	}

	b.objects = append(b.objects, extensionDefinition(), producer())
	if len(b.order) > 0 {
		b.objects = append(b.objects, b.grouping())
	}
	for _, n := range b.order {
		b.objects = append(b.objects, b.entityObject(n))
	}
	for _, e := range b.edges {
		b.objects = append(b.objects, b.relationship(e))
	}
	b.objects = append(b.objects, b.partyObjects()...)
	var cited []string
	for id := range b.cites {
		if e := b.g.Named[id]; e != nil && e.Kind == incidentgraph.KindSource && b.nodes[id] == nil {
			cited = append(cited, id)
		}
	}
	slices.Sort(cited)
	for _, id := range cited {
		b.objects = append(b.objects, b.entityObject(b.g.Named[id]))
	}
	b.objects = append(b.objects, b.opinions()...)
}

// common starts an object with the members every STIX object has.
func common(typ, id, createdBy string, version int) *object {
	return newObject().set("type", typ).set("spec_version", SpecVersion).set("id", id).
		set("created_by_ref", createdBy).set("created", timestamp(Epoch)).set("modified", modified(version))
}

func extensionDefinition() *object {
	return common(TypeExtension, ExtensionID, ProducerID, 1).
		set("name", "incidentgraph assertions").
		set("description", "What the incident graph holds that STIX 2.1 has no property for: the item's own id, kind and "+
			"version; an assertion's type, status (CLAIMED, CONFIRMED, REPORTED, ALLEGED, SUSPECTED, DISPUTED, DENIED, "+
			"RETRACTED), asserting party, quote, basis, note, partial dates and sources in order; GTD codes; and "+
			"casualty and other figures with their history and provenance.").
		set("schema", SchemaURL).
		set("version", ExtensionVersion).
		set("extension_types", []string{"property-extension"})
}

func producer() *object {
	return common(TypeIdentity, ProducerID, "", 1).
		set("name", "incidentgraph").
		set("description", "The incident graph: the curated graph of militant groups, attacks and the evidence "+
			"that links them. It authors the objects made from the graph's entities; each relationship is "+
			"created by the party that asserts it.").
		set("identity_class", "system")
}

// extension starts the members of our property-extension.
func extension() *object { return newObject().set("extension_type", "property-extension") }

func withExtension(o, x *object) *object {
	return o.set("extensions", newObject().set(ExtensionID, x))
}

func (b *builder) grouping() *object {
	var refs []string
	for _, n := range b.order {
		refs = append(refs, entityRef(n))
	}
	for _, e := range b.edges {
		refs = append(refs, relRef(e))
	}
	sum := sha256.Sum256([]byte(b.g.Name + "\n" + strings.Join(refs, "\n")))
	o := common(TypeGrouping, ID(TypeGrouping, "export:"+hex.EncodeToString(sum[:])), ProducerID, 1).
		set("name", b.g.Name).
		set("description", "The subgraph this bundle exports: its entities and relationships. The other objects "+
			"(asserting parties, sources' reports, opinions) are what they cite.").
		set("context", "unspecified").
		set("object_refs", refs)
	return withExtension(o, extension().set("derived", "export").set("truncated", b.g.Truncated))
}

func description(e *incidentgraph.Entity) string {
	if e.Description != "" {
		return e.Description
	}
	return e.Summary
}

func (b *builder) entityObject(e *incidentgraph.Entity) *object {
	typ := ObjectType(e)
	o := common(typ, entityRef(e), ProducerID, e.Version).set("name", label(e)).set("description", description(e))
	x := b.entityExtension(e)
	switch typ {
	case TypeThreatActor:
		o.set("threat_actor_types", []string{"terrorist"}).set("aliases", e.Aliases)
		first, last := dayStart(e.Founded.Start()), dayEnd(e.Dissolved.End())
		o.set("first_seen", first)
		if last != "" && last > first {
			o.set("last_seen", last)
		}
	case TypeIdentity:
		o.set("identity_class", identityClass(e)).set("sectors", sectors(e))
		if e.Role != "" {
			o.set("roles", []string{e.Role})
		}
	case TypeLocation:
		b.location(o, x, e)
	case TypeCampaign:
		o.set("aliases", e.Aliases)
		first, last := dayStart(e.Date.Start()), dayEnd(e.EndDate.End())
		o.set("first_seen", first)
		if last != "" && last > first {
			o.set("last_seen", last)
		}
	case TypeReport:
		published := dayStart(e.Published.Start())
		if published == "" {
			published = timestamp(Epoch)
		}
		o.set("published", published).set("object_refs", b.reportRefs(e))
	}
	refs := []any{ourReference(e.ID)}
	if e.GTDEventID != "" {
		refs = append(refs, newObject().set("source_name", "gtd").set("external_id", e.GTDEventID).
			set("description", "Global Terrorism Database event id"))
	}
	if typ == TypeReport {
		refs = append(refs, sourceReference(e))
	}
	sources := slices.Clone(e.SourceIDs)
	for _, f := range b.figures(e.ID) {
		sources = append(sources, f.SourceIDs...)
	}
	o.set("external_references", append(refs, b.sourceReferences(sources)...))
	return withExtension(o, x)
}

func label(e *incidentgraph.Entity) string {
	if e.Name != "" {
		return e.Name
	}
	return e.ID
}

// reportRefs are the objects a source's report covers: those that cite it, or, for a source
// that is a node and cited by nothing, the relationships it is an end of, or at the last the
// report itself (STIX requires at least one).
func (b *builder) reportRefs(e *incidentgraph.Entity) []string {
	if refs := b.cites[e.ID]; len(refs) > 0 {
		return refs
	}
	var refs []string
	for _, r := range b.edges {
		if r.FromID == e.ID || r.ToID == e.ID {
			refs = append(refs, relRef(r))
		}
	}
	if len(refs) == 0 {
		refs = []string{entityRef(e)}
	}
	return refs
}

// ourReference names the item in the incident graph, as ATT&CK's references name techniques.
func ourReference(id string) *object {
	return newObject().set("source_name", "incidentgraph").set("external_id", id)
}

// sourceReference cites a source as a reader would: its publisher, title, date and URL.
func sourceReference(s *incidentgraph.Entity) *object {
	name := s.Publisher
	if name == "" {
		name = label(s)
	}
	desc := label(s)
	if s.Published != "" {
		desc += " (" + string(s.Published) + ")"
	}
	return newObject().set("source_name", name).set("description", desc).set("url", s.URL)
}

// sourceReferences are the external references of the sources the graph holds among ids, each
// once, in order.
func (b *builder) sourceReferences(ids []string) []any {
	var out []any
	var seen []string
	for _, id := range ids {
		s := b.entity(id)
		if s == nil || s.Kind != incidentgraph.KindSource || slices.Contains(seen, id) {
			continue
		}
		seen = append(seen, id)
		out = append(out, sourceReference(s))
	}
	return out
}

func (b *builder) entityExtension(e *incidentgraph.Entity) *object {
	x := extension().set("id", e.ID).set("kind", string(e.Kind))
	if e.Version > 0 {
		x.set("version", e.Version)
	}
	x.set("description", e.Description).set("aliases", e.Aliases).set("source_ids", e.SourceIDs)
	// What is known of the aliases beyond their text (language, script, sources, note): STIX's
	// aliases are bare strings, and its language-content objects hold one name per language.
	var details []any
	for _, a := range e.AliasList() {
		if !a.IsZero() {
			details = append(details, newObject().set("name", a.Name).set("language", a.Language).set("script", a.Script).
				set("source_ids", a.SourceIDs).set("note", a.Note))
		}
	}
	if len(details) > 0 {
		x.set("alias_details", details)
	}
	switch e.Kind {
	case incidentgraph.KindOrganization:
		x.set("org_type", e.OrgType).set("gtd_name", e.GTDName).set("founded", string(e.Founded)).set("dissolved", string(e.Dissolved))
	case incidentgraph.KindCountry:
		x.set("iso2", e.ISO2)
	case incidentgraph.KindPerson:
		x.set("role", e.Role).set("nationality", e.Nationality).set("anonymous", e.Anonymous)
	case incidentgraph.KindPlace:
		x.set("place_type", e.PlaceType).set("country_code", e.CountryCode)
		if e.Latitude != nil && e.Longitude != nil {
			x.set("latitude", *e.Latitude).set("longitude", *e.Longitude)
		}
		if e.GeoPrecision != nil {
			x.set("geo_precision", *e.GeoPrecision)
		}
	case incidentgraph.KindIncident, incidentgraph.KindEvent:
		x.set("date", string(e.Date)).set("end_date", string(e.EndDate)).set("summary", e.Summary)
		if e.Kind == incidentgraph.KindIncident {
			x.set("attack_types", e.AttackTypes).set("target_types", e.TargetTypes).set("weapon_types", e.WeaponTypes).
				set("suicide", e.Suicide).set("outcome", e.Outcome).set("gtd_event_id", e.GTDEventID)
		} else {
			x.set("event_type", e.EventType)
		}
		var figures []any
		for _, f := range b.figures(e.ID) {
			figures = append(figures, b.figure(f))
		}
		x.set("figures", figures)
	case incidentgraph.KindSource:
		x.set("publisher", e.Publisher).set("published", string(e.Published)).set("url", e.URL).
			set("source_type", e.SourceType).set("accessed", string(e.Accessed))
	}
	return x
}

func (b *builder) figure(f *incidentgraph.Figure) *object {
	return newObject().set("id", f.ID).set("metric", f.Metric).set("value", f.Value).set("qualifier", f.Qualifier).
		set("population", f.Population).set("as_of", string(f.AsOf)).set("status", string(f.Status)).
		set("confidence", f.Confidence).set("asserted_by", f.AssertedByID).set("asserted_by_ref", b.party(f.AssertedByID)).
		set("source_ids", f.SourceIDs).set("quote", f.Quote).set("note", f.Note)
}

// location fills a location's place: country, coordinates, city, or a region (see the package
// documentation), and says in the extension where a region came from.
func (b *builder) location(o, x *object, e *incidentgraph.Entity) {
	if e.Kind == incidentgraph.KindCountry {
		o.set("country", strings.ToUpper(e.ISO2))
		return
	}
	o.set("country", strings.ToUpper(e.CountryCode))
	if e.Latitude != nil && e.Longitude != nil {
		o.set("latitude", *e.Latitude).set("longitude", *e.Longitude)
		if e.GeoPrecision != nil {
			if m, ok := precisionMetres(*e.GeoPrecision); ok {
				o.set("precision", m)
			}
		}
	}
	if e.PlaceType == "CITY" {
		o.set("city", label(e))
	}
	if o.get("country") != nil || o.get("latitude") != nil {
		return
	}
	region, from := "", ""
	for _, name := range append([]string{e.Name}, e.Aliases...) {
		if region = regionOf(name); region != "" {
			from = "name"
			break
		}
	}
	if region == "" {
		if country, r := b.container(e.ID); country != "" {
			o.set("country", country)
			x.set("region_from", "containment")
			return
		} else if r != "" {
			region, from = r, "containment"
		}
	}
	if region == "" {
		if region = regionInText(e.Description); region != "" {
			from = "description"
		}
	}
	if region == "" {
		// Nothing says where it is, and STIX requires a place: the whole Earth, said honestly
		// (any point is within half the circumference of 0,0), rather than a made-up region.
		o.set("latitude", 0.0).set("longitude", 0.0).set("precision", 20_037_509.0)
		x.set("region_from", "unknown")
		return
	}
	o.set("region", region)
	x.set("region_from", from)
}

// container is the country (ISO code) or region of the first place or country, by relationship
// id, that the place lies in (LOCATED_IN, PART_OF) within the bundle.
func (b *builder) container(id string) (country, region string) {
	for _, r := range b.edges {
		if r.FromID != id || (r.Type != "LOCATED_IN" && r.Type != "PART_OF") {
			continue
		}
		c := b.nodes[r.ToID]
		switch {
		case c.Kind == incidentgraph.KindCountry && c.ISO2 != "":
			return strings.ToUpper(c.ISO2), ""
		case c.Kind == incidentgraph.KindPlace && c.CountryCode != "":
			return strings.ToUpper(c.CountryCode), ""
		case c.Kind == incidentgraph.KindPlace && regionOf(c.Name) != "":
			return "", regionOf(c.Name)
		}
	}
	return "", ""
}

func (b *builder) relationship(r *incidentgraph.Relationship) *object {
	from, to := b.nodes[r.FromID], b.nodes[r.ToID]
	o := common(TypeRelationship, relRef(r), b.party(r.AssertedByID), r.Version)
	if r.Status == "RETRACTED" || r.Retraction != nil {
		o.set("revoked", true)
	}
	desc := string(r.Type) + " (" + string(r.Status) + ")"
	if r.Quote != "" {
		desc += `: "` + r.Quote + `"`
	}
	o.set("relationship_type", RelationshipType(r.Type, ObjectType(from), ObjectType(to))).
		set("description", desc).
		set("source_ref", entityRef(from)).set("target_ref", entityRef(to))
	start, stop := dayStart(r.ValidFrom.Start()), dayEnd(r.ValidTo.End())
	o.set("start_time", start)
	if stop != "" && stop > start {
		o.set("stop_time", stop)
	}
	o.set("confidence", r.Confidence).
		set("external_references", append([]any{ourReference(r.ID)}, b.sourceReferences(r.SourceIDs)...))
	x := extension().set("id", r.ID).set("type", string(r.Type)).set("status", string(r.Status))
	if r.Version > 0 {
		x.set("version", r.Version)
	}
	x.set("asserted_by", r.AssertedByID).set("source_ids", r.SourceIDs).set("quote", r.Quote).set("basis", r.Basis).
		set("note", r.Note).set("valid_from", string(r.ValidFrom)).set("valid_to", string(r.ValidTo)).
		set("asserted_on", string(r.AssertedOn))
	if rt := r.Retraction; rt != nil {
		x.set("retracted_by", rt.By).set("retracted_at", timestamp(rt.At)).set("retraction_reason", rt.Reason)
	}
	return withExtension(o, x)
}

// partyObjects are the identities of the asserting parties that no node gives, by entity id:
// an identity entity that is not a node as it is, and for a threat actor, a location or any
// other entity an identity made for it, linked to its node when it is one.
func (b *builder) partyObjects() []*object {
	ids := make([]string, 0, len(b.parties))
	for id := range b.parties {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []*object
	for _, id := range ids {
		e := b.entity(id)
		if ObjectType(e) == TypeIdentity {
			if b.nodes[id] == nil {
				out = append(out, b.entityObject(e))
			}
			continue
		}
		ref := b.parties[id]
		o := common(TypeIdentity, ref, ProducerID, 1).
			set("name", label(e)).
			set("description", label(e)+" as the party that asserts what its relationships say.").
			set("identity_class", identityClass(e)).set("sectors", sectors(e)).
			set("external_references", []any{ourReference(e.ID)})
		node := b.nodes[id]
		x := extension()
		if node == nil {
			// No node gives the party: this identity is the only object it is in, so it carries
			// the item whole (as a node's object would) to read back without loss.
			x = b.entityExtension(e)
		}
		out = append(out, withExtension(o, x.set("derived", "asserting-party").set("item", e.ID)))
		if node == nil {
			continue
		}
		// The STIX-suggested link between the actor and its identity: the identity behind a
		// threat actor, the state at its territory.
		src, rt, tgt := entityRef(node), "related-to", ref
		switch ObjectType(node) {
		case TypeThreatActor:
			rt = "attributed-to"
		case TypeLocation:
			src, rt, tgt = ref, "located-at", entityRef(node)
		}
		link := common(TypeRelationship, ID(TypeRelationship, "asserting-party:"+e.ID), ProducerID, 1).
			set("relationship_type", rt).
			set("description", "Links "+label(e)+" to the identity that names it as an asserting party.").
			set("source_ref", src).set("target_ref", tgt)
		out = append(out, withExtension(link, extension().set("derived", "asserting-party-link").set("item", e.ID)))
	}
	return out
}

// opinions are the denials' strong disagreements with the relationships that assert the
// denied involvement, and the disputes of disputed assertions.
func (b *builder) opinions() []*object {
	var out []*object
	for _, d := range b.edges {
		if d.Type != "DENIED" {
			continue
		}
		var refs []string
		for _, r := range b.edges {
			if (slices.Contains(involvement, r.Type) && r.FromID == d.FromID && r.ToID == d.ToID) ||
				(r.Type == "ATTRIBUTED_TO" && r.FromID == d.ToID && r.ToID == d.FromID) {
				refs = append(refs, relRef(r))
			}
		}
		if len(refs) == 0 {
			continue
		}
		explanation := d.Quote
		if explanation == "" {
			explanation = label(b.nodes[d.FromID]) + " denies involvement in " + label(b.nodes[d.ToID]) + "."
		}
		o := common(TypeOpinion, ID(TypeOpinion, "denial:"+d.ID), b.party(d.AssertedByID), d.Version).
			set("explanation", explanation).
			set("opinion", "strongly-disagree").
			set("object_refs", refs).
			set("external_references", append([]any{ourReference(d.ID)}, b.sourceReferences(d.SourceIDs)...))
		out = append(out, withExtension(o, extension().set("derived", "denial").set("item", d.ID)))
	}
	for _, r := range b.edges {
		if r.Status != "DISPUTED" {
			continue
		}
		explanation := "Disputed."
		if r.Note != "" {
			explanation += " " + r.Note
		}
		o := common(TypeOpinion, ID(TypeOpinion, "dispute:"+r.ID), "", r.Version).
			set("explanation", explanation).
			set("opinion", "disagree").
			set("object_refs", []string{relRef(r)}).
			set("external_references", append([]any{ourReference(r.ID)}, b.sourceReferences(r.SourceIDs)...))
		out = append(out, withExtension(o, extension().set("derived", "dispute").set("item", r.ID)))
	}
	return out
}
