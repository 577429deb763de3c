package stix

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/incidentgraph/incidentgraph"
)

// ReadOptions says how Read treats a bundle.
type ReadOptions struct {
	// SkipBad leaves the bad objects (and what depends on them) out and reads the rest, listing
	// them in Imported.Left; without it a bundle with one bad object is refused whole.
	SkipBad bool
	// Name is what the bundle is called (its file name): the title of the SOURCE that stands for
	// the bundle itself, when a relationship in it names no source.
	Name string
	// Progress, when set, is called after each object is read with how many are done of how many.
	Progress func(done, total int)
}

// Imported is what Read makes of a bundle: the batch to write and what it leaves out.
type Imported struct {
	BundleID string
	Objects  int // objects in the bundle
	Batch    *incidentgraph.Batch
	// NotHeld counts, by STIX type, the objects the graph has no place for (indicators, malware,
	// observed data, markings, opinions of other platforms ...), and the relationships left out
	// because an end is one of them.
	NotHeld map[string]int
	// Derived counts, by kind, the objects our export makes only for STIX (the extension
	// definition, the producer, the grouping, asserting parties and their links, opinions):
	// the graph's items they come from are read, and the next export makes them again.
	Derived map[string]int
	// Custom counts the custom properties (x_opencti_*, x_misp_* ...) of the objects read, by
	// name: the graph has no field for them.
	Custom map[string]int
	// Left lists, with SkipBad, each object left out and why, as a JSON path and a reason.
	Left []incidentgraph.Problem
	// Resolved counts the entities Resolve found in the graph, by kind.
	Resolved map[string]int

	// resolvable are the ids of the countries and organisations other producers' objects read
	// as: entities the graph may hold already under its own id (Resolve).
	resolvable []string
}

// Resolve reads the countries and organisations of other producers' objects as the graph's
// own entities where resolve finds one (Russia, not a second country RU; the Islamic State an
// OpenCTI intrusion-set names), and every relationship that names them with them. resolve
// returns the id of the entity the graph holds for an entity as read, or "" for none. The
// resolved entity stays in the batch under the graph's id, so the writer links to it and, as
// it is another origin's, keeps it as it is. Items of our export are never resolved: they
// carry their ids.
func (im *Imported) Resolve(resolve func(e *incidentgraph.Entity) (string, error)) error {
	rename := map[string]string{}
	for _, id := range im.resolvable {
		for _, e := range im.Batch.Entities {
			if e.ID != id {
				continue
			}
			to, err := resolve(e)
			if err != nil {
				return err
			}
			if to != "" && to != id {
				rename[id] = to
				if im.Resolved == nil {
					im.Resolved = map[string]int{}
				}
				im.Resolved[string(e.Kind)]++
			}
		}
	}
	if len(rename) == 0 {
		return nil
	}
	name := func(id string) string {
		if to, ok := rename[id]; ok {
			return to
		}
		return id
	}
	seen := map[string]bool{}
	b := im.Batch
	b.Entities = slices.DeleteFunc(b.Entities, func(e *incidentgraph.Entity) bool {
		e.ID = name(e.ID)
		dup := seen[e.ID] // two objects that stand for one entity: the first is written
		seen[e.ID] = true
		return dup
	})
	b.Relationships = slices.DeleteFunc(b.Relationships, func(r *incidentgraph.Relationship) bool {
		r.FromID, r.ToID, r.AssertedByID = name(r.FromID), name(r.ToID), name(r.AssertedByID)
		if r.FromID == r.ToID {
			im.NotHeld["relationship of an entity to itself once resolved"]++
			return true
		}
		return false
	})
	for _, f := range b.Figures {
		f.SubjectID, f.AssertedByID = name(f.SubjectID), name(f.AssertedByID)
	}
	return nil
}

// tlpMarkings are the TLP 1.0 marking definitions STIX 2.1 defines itself: a bundle may name
// them in object_marking_refs without holding them.
var tlpMarkings = []string{
	"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", // TLP:WHITE
	"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", // TLP:GREEN
	"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", // TLP:AMBER
	"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", // TLP:RED
}

var (
	typeRE      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*[a-z0-9]$`)
	stixIDRE    = regexp.MustCompile(`^([a-z0-9][a-z0-9-]*[a-z0-9])--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	iso2RE      = regexp.MustCompile(`^[A-Z]{2}$`)
	timestampRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$`)
)

// timestampProps are the timestamp properties of the objects this package reads.
var timestampProps = []string{"created", "modified", "first_seen", "last_seen", "published", "start_time", "stop_time"}

// required are the properties STIX 2.1 requires of the objects the graph holds, besides type,
// spec_version, id, created and modified (a location's place is checked on its own).
var required = map[string][]string{
	TypeThreatActor:  {"name"},
	"intrusion-set":  {"name"},
	TypeIdentity:     {"name"},
	TypeIncident:     {"name"},
	TypeCampaign:     {"name"},
	TypeReport:       {"name", "published", "object_refs"},
	TypeGrouping:     {"context", "object_refs"},
	TypeRelationship: {"relationship_type", "source_ref", "target_ref"},
}

// held says whether the graph has a place for objects of STIX type typ.
func held(typ string) bool {
	_, ok := required[typ]
	return ok || typ == TypeLocation
}

// Read reads a STIX 2.1 bundle: one written by this package, by OpenCTI, by MISP or by any
// producer, into the entities, relationships and figures it holds.
//
// Objects made from our items carry the extension, which restores each item whole (our ids,
// statuses, quotes, bases, partial dates, figures and their history). Other objects map back
// through the same tables the export uses (objectKinds, orgSectors, relationshipTypes); each
// relationship keeps its provenance: created_by_ref is its asserting party, its external
// references are its sources, with the reports that contain it, or, when nothing gives it a
// source, the bundle itself (one SOURCE for the bundle); its confidence is kept. Their ids are
// made from their STIX ids, so that reading a bundle again writes the same items.
//
// A bundle with a bad object (not STIX 2.1, a required property missing, a bad id or timestamp,
// a reference to an object it does not hold, an item the graph's rules refuse) is refused
// whole with an InputError listing every problem by JSON path, unless opts.SkipBad.
func Read(data []byte, opts ReadOptions) (*Imported, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return nil, invalid("$", "not JSON: "+err.Error())
	}
	if dec.More() {
		return nil, invalid("$", "not JSON: more than one value")
	}
	bundle, ok := top.(map[string]any)
	if !ok {
		return nil, invalid("$", "not a STIX bundle: a JSON object is required")
	}
	var ps []incidentgraph.Problem
	if t, _ := bundle["type"].(string); t != "bundle" {
		ps = append(ps, incidentgraph.Problem{Field: "$.type", Message: fmt.Sprintf("not a STIX bundle: type %s, want bundle", show(bundle["type"]))})
	}
	id, _ := bundle["id"].(string)
	if m := stixIDRE.FindStringSubmatch(id); m == nil || m[1] != "bundle" {
		ps = append(ps, incidentgraph.Problem{Field: "$.id", Message: fmt.Sprintf("%s is not a bundle id (bundle--UUID)", show(bundle["id"]))})
	}
	if v, ok := bundle["spec_version"]; ok {
		// STIX 2.0 bundles had a spec_version; 2.1 moved it to the objects.
		ps = append(ps, incidentgraph.Problem{Field: "$.spec_version", Message: fmt.Sprintf("a STIX %s bundle: only STIX 2.1 is read", show(v))})
	}
	raw, hasObjects := bundle["objects"]
	list, isList := raw.([]any)
	if hasObjects && !isList {
		ps = append(ps, incidentgraph.Problem{Field: "$.objects", Message: "objects must be a list"})
	}
	if len(ps) > 0 {
		return nil, incidentgraph.InvalidInput(ps)
	}
	r := &reader{opts: opts, bundleID: id, objects: list, byID: map[string]int{}, bad: map[int][]string{},
		entityOf: map[string]string{}, entities: map[string]*incidentgraph.Entity{}, origin: map[string]int{},
		out: &Imported{BundleID: id, Objects: len(list), Batch: &incidentgraph.Batch{}, NotHeld: map[string]int{},
			Derived: map[string]int{}, Custom: map[string]int{}}}
	return r.read()
}

// invalid is a bundle refused for one problem.
func invalid(path, reason string) error {
	return incidentgraph.InvalidInput([]incidentgraph.Problem{{Field: path, Message: reason}})
}

// show quotes a JSON value for a message.
func show(v any) string {
	if v == nil {
		return "(none)"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

type reader struct {
	opts     ReadOptions
	bundleID string
	objects  []any
	out      *Imported

	byID map[string]int   // STIX id → index of the version read (the latest modified)
	bad  map[int][]string // index → reasons, as "path: reason" relative to the object
	// entityOf names the entity each object that is (or stands for) one reads as, by STIX id.
	entityOf map[string]string
	entities map[string]*incidentgraph.Entity // by our id, in the batch
	origin   map[string]int                   // our id of an entity, relationship or figure → index of its object
	order    []string                         // entity ids in the order read
	rels     []*incidentgraph.Relationship
	figures  []*incidentgraph.Figure
	// containers holds, by STIX id, the reports and groupings (as entity ids) whose object_refs
	// name it: sources of what they contain.
	containers map[string][]string
	// creatorOf holds, by STIX id of a report or grouping, its created_by_ref.
	creatorOf map[string]string
}

func (r *reader) obj(i int) map[string]any { o, _ := r.objects[i].(map[string]any); return o }

func path(i int) string { return fmt.Sprintf("$.objects[%d]", i) }

func (r *reader) fail(i int, rel, format string, args ...any) {
	r.bad[i] = append(r.bad[i], rel+": "+fmt.Sprintf(format, args...))
}

func str(o map[string]any, k string) string { s, _ := o[k].(string); return s }

func strList(o map[string]any, k string) []string {
	var out []string
	l, _ := o[k].([]any)
	for _, v := range l {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func (r *reader) read() (*Imported, error) {
	r.check()
	r.mapObjects()
	r.validate()
	if len(r.bad) > 0 && !r.opts.SkipBad {
		return nil, incidentgraph.InvalidInput(r.problems())
	}
	r.leaveOut()
	b := r.out.Batch
	for _, id := range r.order {
		if e := r.entities[id]; e != nil {
			b.Entities = append(b.Entities, e)
		}
	}
	b.Relationships, b.Figures = r.rels, r.figures
	return r.out, nil
}

// problems lists every bad object's problems by path, in bundle order.
func (r *reader) problems() []incidentgraph.Problem {
	idx := make([]int, 0, len(r.bad))
	for i := range r.bad {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	var out []incidentgraph.Problem
	for _, i := range idx {
		for _, reason := range r.bad[i] {
			rel, msg, _ := strings.Cut(reason, ": ")
			out = append(out, incidentgraph.Problem{Field: path(i) + rel, Message: msg})
		}
	}
	return out
}

// check checks every object by itself and every reference between them: what STIX requires.
func (r *reader) check() {
	modified := map[string]string{}
	for i, v := range r.objects {
		o, ok := v.(map[string]any)
		if !ok {
			r.fail(i, "", "an object is required, not %s", show(v))
			continue
		}
		typ := str(o, "type")
		if !typeRE.MatchString(typ) {
			r.fail(i, ".type", "%s is not a STIX type", show(o["type"]))
			continue
		}
		id := str(o, "id")
		if m := stixIDRE.FindStringSubmatch(id); m == nil || m[1] != typ {
			r.fail(i, ".id", "%s is not an id of a %s (%s--UUID)", show(o["id"]), typ, typ)
			continue
		}
		// SDOs and SROs have created; cyber observables (no created) need no spec_version.
		_, sdo := o["created"]
		if sdo || held(typ) {
			if sv := str(o, "spec_version"); sv != SpecVersion {
				if sv == "" {
					r.fail(i, ".spec_version", "missing: a STIX 2.1 object has spec_version 2.1 (STIX 2.0 objects have none)")
				} else {
					r.fail(i, ".spec_version", "%s: only STIX 2.1 is read", show(o["spec_version"]))
				}
			}
			for _, k := range []string{"created", "modified"} {
				// A marking definition is never versioned: it has no modified.
				if _, ok := o[k]; !ok && !(k == "modified" && typ == "marking-definition") {
					r.fail(i, "."+k, "missing required property %s", k)
				}
			}
		}
		for _, k := range timestampProps {
			if v, ok := o[k]; ok {
				if s, _ := v.(string); !validTimestamp(s) {
					r.fail(i, "."+k, "%s is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z, UTC)", show(v))
				}
			}
		}
		if c, m := str(o, "created"), str(o, "modified"); validTimestamp(c) && validTimestamp(m) && later(c, m) {
			r.fail(i, ".modified", "%s is before created %s", m, c)
		}
		for _, k := range required[typ] {
			if v, ok := o[k]; !ok || v == "" {
				r.fail(i, "."+k, "missing required property %s of a %s", k, typ)
			}
		}
		if typ == TypeLocation && o["region"] == nil && o["country"] == nil && (o["latitude"] == nil || o["longitude"] == nil) {
			r.fail(i, "", "a location requires region, country, or latitude and longitude")
		}
		if c, ok := o["confidence"]; ok {
			if n, isNum := c.(json.Number); !isNum || !isInt(n, 0, 100) {
				r.fail(i, ".confidence", "%s is not a confidence (an integer 0–100)", show(c))
			}
		}
		if j, dup := r.byID[id]; dup {
			// A bundle may hold several versions of an object: the latest is read.
			m := str(o, "modified")
			switch {
			case m == modified[id]:
				r.fail(i, ".id", "%s is also $.objects[%d], with the same modified", id, j)
				continue
			case later(m, modified[id]):
				r.out.NotHeld["older version of an object in the bundle"]++
			default:
				r.out.NotHeld["older version of an object in the bundle"]++
				continue
			}
		}
		r.byID[id] = i
		modified[id] = str(o, "modified")
	}
	// References: every *_ref and *_refs names an object of the bundle (TLP markings aside).
	for i, v := range r.objects {
		o, ok := v.(map[string]any)
		if !ok {
			continue
		}
		for _, k := range sortedKeys(o) {
			switch {
			case strings.HasSuffix(k, "_ref"):
				r.resolves(i, "."+k, o[k], k == "created_by_ref")
			case strings.HasSuffix(k, "_refs"):
				l, ok := o[k].([]any)
				if !ok || len(l) == 0 {
					r.fail(i, "."+k, "a non-empty list of references is required")
					continue
				}
				for j, ref := range l {
					r.resolves(i, fmt.Sprintf(".%s[%d]", k, j), ref, false)
				}
			}
		}
	}
}

// resolves checks that ref names an object of the bundle (an identity, for created_by_ref).
func (r *reader) resolves(i int, rel string, ref any, identity bool) {
	s, _ := ref.(string)
	m := stixIDRE.FindStringSubmatch(s)
	switch {
	case m == nil:
		r.fail(i, rel, "%s is not a STIX id", show(ref))
	case slices.Contains(tlpMarkings, s):
	case r.byIDAny(s) < 0:
		r.fail(i, rel, "refers to %s which is not in the bundle", s)
	case identity && m[1] != TypeIdentity:
		r.fail(i, rel, "refers to %s: created_by_ref names an identity", s)
	}
}

// byIDAny is the index of the object with id s, or -1.
func (r *reader) byIDAny(s string) int {
	if j, ok := r.byID[s]; ok {
		return j
	}
	return -1
}

func validTimestamp(s string) bool {
	if !timestampRE.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// later says whether timestamp a is after b.
func later(a, b string) bool {
	ta, _ := time.Parse(time.RFC3339Nano, a)
	tb, _ := time.Parse(time.RFC3339Nano, b)
	return ta.After(tb)
}

func isInt(n json.Number, lo, hi int64) bool {
	v, err := n.Int64()
	return err == nil && v >= lo && v <= hi
}

func sortedKeys(o map[string]any) []string {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// day is the date of a STIX timestamp (YYYY-MM-DD), "" for none.
func day(ts string) incidentgraph.PartialDate {
	if len(ts) < 10 {
		return ""
	}
	return incidentgraph.PartialDate(ts[:10])
}

// LocalID is the id of the graph's item made from a STIX object that is not one of ours: its
// STIX id with one hyphen between type and UUID (intrusion-set-4e8f...), so that reading the
// bundle again names the same item.
func LocalID(stixID string) string { return strings.ToLower(strings.Replace(stixID, "--", "-", 1)) }

// mapObjects reads each object that is good so far into the batch: entities first (the
// relationships' ends and parties), then relationships.
func (r *reader) mapObjects() {
	r.containers, r.creatorOf = map[string][]string{}, map[string]string{}
	total := len(r.objects)
	done := 0
	step := func() {
		done++
		if r.opts.Progress != nil {
			r.opts.Progress(done, total)
		}
	}
	var relIdx []int
	for i := range r.objects {
		o := r.obj(i)
		typ := str(o, "type")
		switch {
		case o == nil || len(r.bad[i]) > 0 || r.byID[str(o, "id")] != i:
			step() // bad, or an older version of an object, counted already
		case typ == TypeRelationship:
			relIdx = append(relIdx, i) // read once every entity is
		default:
			r.object(i, o, typ)
			step()
		}
	}
	// Reports and groupings are sources of what they contain: known once every entity is.
	for i := range r.objects {
		o := r.obj(i)
		t := str(o, "type")
		if o == nil || len(r.bad[i]) > 0 || (t != TypeReport && t != TypeGrouping) || ourExtension(o) != nil {
			continue
		}
		src := r.entityOf[str(o, "id")]
		if src == "" {
			continue
		}
		for _, ref := range strList(o, "object_refs") {
			if !slices.Contains(r.containers[ref], src) {
				r.containers[ref] = append(r.containers[ref], src)
			}
		}
		r.creatorOf[src] = str(o, "created_by_ref")
	}
	// Entities cite the reports that contain them.
	for _, id := range r.order {
		e := r.entities[id]
		if e == nil {
			continue
		}
		if i, ok := r.origin[id]; ok && ourExtension(r.obj(i)) == nil && r.entityOf[str(r.obj(i), "id")] == id {
			for _, src := range r.containers[str(r.obj(i), "id")] {
				if src != e.ID && !slices.Contains(e.SourceIDs, src) {
					e.SourceIDs = append(e.SourceIDs, src)
				}
			}
		}
	}
	for _, i := range relIdx {
		r.relationship(i, r.obj(i))
		step()
	}
}

// ourExtension is the object's property-extension of ours, or nil.
func ourExtension(o map[string]any) map[string]any {
	exts, _ := o["extensions"].(map[string]any)
	x, _ := exts[ExtensionID].(map[string]any)
	return x
}

// object reads an object that is not a relationship.
func (r *reader) object(i int, o map[string]any, typ string) {
	id := str(o, "id")
	switch id {
	case ExtensionID:
		r.out.Derived["extension-definition"]++
		return
	case ProducerID:
		r.out.Derived["producer"]++
		return
	}
	if x := ourExtension(o); x != nil {
		r.ourObject(i, o, typ, x)
		return
	}
	if !held(typ) || typ == TypeRelationship {
		r.out.NotHeld[typ]++
		return
	}
	r.customs(o)
	e := r.foreignEntity(i, o, typ)
	if e == nil {
		return
	}
	r.add(i, id, e)
}

// customs counts the custom properties the graph has no field for.
func (r *reader) customs(o map[string]any) {
	for k := range o {
		if strings.HasPrefix(k, "x_") {
			r.out.Custom[k]++
		}
	}
}

// add puts an entity in the batch for the object at i. Two objects that read as the same
// entity (our id in the external references of two) are one entity: the first is kept.
func (r *reader) add(i int, stixID string, e *incidentgraph.Entity) {
	r.entityOf[stixID] = e.ID
	if r.entities[e.ID] != nil {
		if j := r.origin[e.ID]; j != i {
			r.fail(i, "", "reads as the entity %s, as $.objects[%d] does", e.ID, j)
		}
		return
	}
	r.entities[e.ID] = e
	r.origin[e.ID] = i
	r.order = append(r.order, e.ID)
}

// extAlias is what the extension says of one alias beyond its text.
type extAlias struct {
	Name      string   `json:"name"`
	Language  string   `json:"language"`
	Script    string   `json:"script"`
	SourceIDs []string `json:"source_ids"`
	Note      string   `json:"note"`
}

// extItem is our property-extension, as stix/extension.schema.json defines it.
type extItem struct {
	ExtensionType    string      `json:"extension_type"`
	ID               string      `json:"id"`
	Kind             string      `json:"kind"`
	Version          int         `json:"version"`
	Description      string      `json:"description"`
	Aliases          []string    `json:"aliases"`
	AliasDetails     []extAlias  `json:"alias_details"`
	SourceIDs        []string    `json:"source_ids"`
	OrgType          string      `json:"org_type"`
	GTDName          string      `json:"gtd_name"`
	Founded          string      `json:"founded"`
	Dissolved        string      `json:"dissolved"`
	ISO2             string      `json:"iso2"`
	Role             string      `json:"role"`
	Nationality      string      `json:"nationality"`
	Anonymous        bool        `json:"anonymous"`
	PlaceType        string      `json:"place_type"`
	CountryCode      string      `json:"country_code"`
	Latitude         *float64    `json:"latitude"`
	Longitude        *float64    `json:"longitude"`
	GeoPrecision     *int        `json:"geo_precision"`
	RegionFrom       string      `json:"region_from"`
	Date             string      `json:"date"`
	EndDate          string      `json:"end_date"`
	Summary          string      `json:"summary"`
	AttackTypes      []int       `json:"attack_types"`
	TargetTypes      []int       `json:"target_types"`
	WeaponTypes      []int       `json:"weapon_types"`
	Suicide          bool        `json:"suicide"`
	Outcome          string      `json:"outcome"`
	GTDEventID       string      `json:"gtd_event_id"`
	EventType        string      `json:"event_type"`
	Figures          []extFigure `json:"figures"`
	Publisher        string      `json:"publisher"`
	Published        string      `json:"published"`
	URL              string      `json:"url"`
	SourceType       string      `json:"source_type"`
	Accessed         string      `json:"accessed"`
	Type             string      `json:"type"`
	Status           string      `json:"status"`
	AssertedBy       string      `json:"asserted_by"`
	Quote            string      `json:"quote"`
	Basis            string      `json:"basis"`
	Note             string      `json:"note"`
	ValidFrom        string      `json:"valid_from"`
	ValidTo          string      `json:"valid_to"`
	AssertedOn       string      `json:"asserted_on"`
	RetractedBy      string      `json:"retracted_by"`
	RetractedAt      string      `json:"retracted_at"`
	RetractionReason string      `json:"retraction_reason"`
	Derived          string      `json:"derived"`
	Item             string      `json:"item"`
	Truncated        bool        `json:"truncated"`
}

type extFigure struct {
	ID            string   `json:"id"`
	Metric        string   `json:"metric"`
	Value         int      `json:"value"`
	Qualifier     string   `json:"qualifier"`
	Population    string   `json:"population"`
	AsOf          string   `json:"as_of"`
	Status        string   `json:"status"`
	Confidence    int      `json:"confidence"`
	AssertedBy    string   `json:"asserted_by"`
	AssertedByRef string   `json:"asserted_by_ref"`
	SourceIDs     []string `json:"source_ids"`
	Quote         string   `json:"quote"`
	Note          string   `json:"note"`
}

// extensionPath is the JSON path of our extension within an object.
var extensionPath = `.extensions["` + ExtensionID + `"]`

// decodeExtension reads our extension strictly: a property the schema does not have would be
// lost on the way in, so it is a problem, not ignored.
func (r *reader) decodeExtension(i int, x map[string]any) (*extItem, bool) {
	raw, _ := json.Marshal(x)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var e extItem
	if err := dec.Decode(&e); err != nil {
		r.fail(i, extensionPath, "does not match the extension's schema: %s", jsonReason(err))
		return nil, false
	}
	if e.ExtensionType != "property-extension" {
		r.fail(i, extensionPath+".extension_type", "%s, want property-extension", show(x["extension_type"]))
		return nil, false
	}
	ok := true
	for _, d := range []struct{ key, v string }{{"founded", e.Founded}, {"dissolved", e.Dissolved}, {"date", e.Date},
		{"end_date", e.EndDate}, {"published", e.Published}, {"accessed", e.Accessed}, {"valid_from", e.ValidFrom},
		{"valid_to", e.ValidTo}, {"asserted_on", e.AssertedOn}} {
		if _, err := incidentgraph.ParsePartialDate(d.v); d.v != "" && err != nil {
			r.fail(i, extensionPath+"."+d.key, "%s is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", d.v)
			ok = false
		}
	}
	for j, f := range e.Figures {
		if _, err := incidentgraph.ParsePartialDate(f.AsOf); f.AsOf != "" && err != nil {
			r.fail(i, fmt.Sprintf("%s.figures[%d].as_of", extensionPath, j), "%s is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", f.AsOf)
			ok = false
		}
	}
	return &e, ok
}

// jsonReason is a decoding error without Go's type names.
func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s must be %s, not a JSON %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"):
		return "an integer"
	case strings.HasPrefix(k, "float"):
		return "a number"
	case k == "bool":
		return "true or false"
	case k == "slice":
		return "a list"
	}
	return "a " + k
}

// ourObject restores one of our entities from the extension (and its name), or counts a
// derived object.
func (r *reader) ourObject(i int, o map[string]any, typ string, x map[string]any) {
	ext, ok := r.decodeExtension(i, x)
	if !ok {
		return
	}
	party := ext.Derived == "asserting-party" && ext.ID != ""
	if ext.Derived != "" && !party {
		r.out.Derived[ext.Derived]++
		if ext.Derived == "asserting-party" && ext.Item != "" {
			// The identity a militant group or a state asserts through stands for it.
			r.entityOf[str(o, "id")] = ext.Item
		}
		return
	}
	if ext.ID == "" || ext.Kind == "" {
		r.fail(i, extensionPath, "an item's extension requires id and kind")
		return
	}
	e := &incidentgraph.Entity{ID: ext.ID, Kind: incidentgraph.Kind(ext.Kind), Name: str(o, "name"), Aliases: ext.Aliases,
		Description: ext.Description, SourceIDs: ext.SourceIDs, Version: ext.Version, OrgType: ext.OrgType, GTDName: ext.GTDName,
		Founded: incidentgraph.PartialDate(ext.Founded), Dissolved: incidentgraph.PartialDate(ext.Dissolved), ISO2: ext.ISO2,
		Role: ext.Role, Nationality: ext.Nationality, Anonymous: ext.Anonymous, PlaceType: ext.PlaceType, CountryCode: ext.CountryCode,
		Latitude: ext.Latitude, Longitude: ext.Longitude, GeoPrecision: ext.GeoPrecision, Date: incidentgraph.PartialDate(ext.Date),
		EndDate: incidentgraph.PartialDate(ext.EndDate), Summary: ext.Summary, AttackTypes: ext.AttackTypes, TargetTypes: ext.TargetTypes,
		WeaponTypes: ext.WeaponTypes, Suicide: ext.Suicide, Outcome: ext.Outcome, GTDEventID: ext.GTDEventID, EventType: ext.EventType,
		Publisher: ext.Publisher, Published: incidentgraph.PartialDate(ext.Published), URL: ext.URL, SourceType: ext.SourceType,
		Accessed: incidentgraph.PartialDate(ext.Accessed)}
	for _, a := range ext.AliasDetails {
		e.AliasInfo = append(e.AliasInfo, incidentgraph.Alias{Name: a.Name, Language: a.Language, Script: a.Script,
			SourceIDs: a.SourceIDs, Note: a.Note})
	}
	if party {
		// The identity of a party that is not a node of the export carries the item whole:
		// the entity is read from it, and the identity is made again on export.
		r.out.Derived[ext.Derived]++
	} else if want := ObjectType(e); want != typ {
		r.fail(i, ".type", "%s, but the extension's %s %s is written as a %s", typ, e.Kind, e.ID, want)
		return
	}
	if e.Name == e.ID {
		// The export writes an item with no name under its id (label); the graph's rules
		// require a name, so the id it was written as is kept as the name.
		e.Name = ext.ID
	}
	for _, f := range ext.Figures {
		fig := &incidentgraph.Figure{ID: f.ID, SubjectID: e.ID, Metric: f.Metric, Value: f.Value, Qualifier: f.Qualifier,
			Population: f.Population, AsOf: incidentgraph.PartialDate(f.AsOf), Status: incidentgraph.Status(f.Status),
			Confidence: f.Confidence, AssertedByID: f.AssertedBy, SourceIDs: f.SourceIDs, Quote: f.Quote, Note: f.Note}
		r.figures = append(r.figures, fig)
		r.origin["figure:"+fig.ID] = i
	}
	r.add(i, str(o, "id"), e)
}

// foreignEntity reads an object another producer wrote through the tables the export uses.
func (r *reader) foreignEntity(i int, o map[string]any, typ string) *incidentgraph.Entity {
	kind, subtype, _ := kindOf(typ, str(o, "identity_class"))
	e := &incidentgraph.Entity{ID: LocalID(str(o, "id")), Kind: kind, Name: str(o, "name"), Description: str(o, "description")}
	if ours := r.ourReference(o); ours != "" {
		e.ID = ours
	} else if kind == incidentgraph.KindOrganization || typ == TypeLocation {
		defer func() {
			if e.Kind == incidentgraph.KindOrganization || e.Kind == incidentgraph.KindCountry {
				r.out.resolvable = append(r.out.resolvable, e.ID)
			}
		}()
	}
	seen := map[string]bool{strings.ToLower(e.Name): true}
	for _, a := range strList(o, "aliases") {
		if k := strings.ToLower(strings.TrimSpace(a)); k != "" && !seen[k] {
			seen[k] = true
			e.Aliases = append(e.Aliases, a)
		}
	}
	created := day(str(o, "created"))
	switch kind {
	case incidentgraph.KindOrganization:
		e.OrgType = subtype
		if e.OrgType == "" {
			e.OrgType = orgTypeOf(strList(o, "sectors"))
		}
	case incidentgraph.KindPerson:
		if roles := strList(o, "roles"); len(roles) > 0 {
			e.Role = roles[0]
		}
	case incidentgraph.KindCountry, incidentgraph.KindPlace:
		r.foreignLocation(o, e)
	case incidentgraph.KindIncident:
		// STIX records an incident that took place; it says nothing of an outcome, and the
		// graph's incidents need one: SUCCESSFUL, as the GTD codes an attack that happened.
		e.Date, e.Outcome = firstOr(day(str(o, "first_seen")), created), "SUCCESSFUL"
		if end := day(str(o, "last_seen")); end > e.Date {
			e.EndDate = end
		}
	case incidentgraph.KindEvent:
		e.EventType = subtype
		e.Date = firstOr(day(str(o, "first_seen")), created)
		if end := day(str(o, "last_seen")); end > e.Date {
			e.EndDate = end
		}
	case incidentgraph.KindSource:
		e.Published, e.SourceType = created, "DATASET" // a grouping: a platform's event
		if typ == TypeReport {
			e.Published, e.SourceType = day(str(o, "published")), "REFERENCE"
		}
		e.Publisher = r.creatorName(o)
		for _, ref := range r.externalReferences(o) {
			if u := str(ref, "url"); e.URL == "" && incidentgraph.AbsoluteHTTPURL(u) {
				e.URL = u
			}
		}
		if e.Name == "" { // a grouping's name is optional
			e.Name = "STIX grouping " + str(o, "id")
		}
	}
	if kind != incidentgraph.KindSource {
		// A report's own references are where it is published (its URL), not its sources.
		e.SourceIDs = r.referenceSources(i, o)
	}
	if kind == incidentgraph.KindIncident {
		for _, ref := range r.externalReferences(o) {
			if str(ref, "source_name") == "gtd" {
				e.GTDEventID = str(ref, "external_id")
			}
		}
	}
	return e
}

func firstOr(a, b incidentgraph.PartialDate) incidentgraph.PartialDate {
	if a != "" {
		return a
	}
	return b
}

// creatorName is the name of the identity that created o, "unknown" when it names none.
func (r *reader) creatorName(o map[string]any) string {
	if j := r.byIDAny(str(o, "created_by_ref")); j >= 0 {
		if n := str(r.obj(j), "name"); n != "" {
			return n
		}
	}
	return "unknown"
}

// foreignLocation reads a location as a COUNTRY (a country and nothing finer, or OpenCTI's
// x_opencti_location_type Country) or a PLACE.
func (r *reader) foreignLocation(o map[string]any, e *incidentgraph.Entity) {
	country := strings.ToUpper(str(o, "country"))
	if !iso2RE.MatchString(country) {
		country = ""
	}
	lt := str(o, "x_opencti_location_type")
	finer := o["city"] != nil || o["latitude"] != nil || o["region"] != nil || o["street_address"] != nil || o["administrative_area"] != nil
	if country != "" && (lt == "Country" || (lt == "" && !finer)) {
		e.Kind, e.ISO2 = incidentgraph.KindCountry, country
		return
	}
	e.Kind, e.CountryCode, e.PlaceType = incidentgraph.KindPlace, country, "REGION"
	if o["city"] != nil || lt == "City" {
		e.PlaceType = "CITY"
	}
	lat, latOK := o["latitude"].(json.Number)
	lon, lonOK := o["longitude"].(json.Number)
	if latOK && lonOK {
		la, _ := lat.Float64()
		lo, _ := lon.Float64()
		e.Latitude, e.Longitude = &la, &lo
		if p, ok := o["precision"].(json.Number); ok {
			m, _ := p.Float64()
			for s := 1; s <= 5; s++ {
				if pm, _ := precisionMetres(s); pm == m {
					e.GeoPrecision = &s
					break
				}
			}
		}
	}
}

// ourReference is our id in the object's external references (source_name incidentgraph), when
// it is a valid one: an object another platform re-exports from ours reads back as our item.
func (r *reader) ourReference(o map[string]any) string {
	for _, ref := range r.externalReferences(o) {
		if str(ref, "source_name") == "incidentgraph" && incidentgraph.ValidID(str(ref, "external_id")) {
			return str(ref, "external_id")
		}
	}
	return ""
}

func (r *reader) externalReferences(o map[string]any) []map[string]any {
	var out []map[string]any
	l, _ := o["external_references"].([]any)
	for _, v := range l {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// referenceSources turns the object's external references into SOURCE entities (each once per
// bundle, by what it says) and returns their ids. Our own id and the GTD's are identifiers,
// not sources.
func (r *reader) referenceSources(i int, o map[string]any) []string {
	var ids []string
	l, _ := o["external_references"].([]any)
	for j, v := range l {
		ref, ok := v.(map[string]any)
		name := str(ref, "source_name")
		if !ok || name == "" {
			r.fail(i, fmt.Sprintf(".external_references[%d].source_name", j), "missing required property source_name")
			continue
		}
		if name == "incidentgraph" || name == "gtd" {
			continue
		}
		desc, ext, url := str(ref, "description"), str(ref, "external_id"), str(ref, "url")
		sum := sha256.Sum256([]byte(name + "\x00" + url + "\x00" + ext + "\x00" + desc))
		id := "reference-" + hex.EncodeToString(sum[:8])
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
		if r.entities[id] != nil {
			continue
		}
		title := desc
		if title == "" {
			title = strings.TrimSpace(name + " " + ext)
		}
		s := &incidentgraph.Entity{ID: id, Kind: incidentgraph.KindSource, Name: title, Publisher: name,
			// A reference has no date of its own: the date it was cited on is when it was
			// known at the latest.
			Published: day(str(o, "created")), SourceType: "REFERENCE"}
		if incidentgraph.AbsoluteHTTPURL(url) {
			s.URL = url
		}
		r.entities[id] = s
		r.origin[id] = i
		r.order = append(r.order, id)
	}
	return ids
}

// relationship reads a relationship: ours from the extension, another producer's with its
// provenance.
func (r *reader) relationship(i int, o map[string]any) {
	for _, k := range []string{"source_ref", "target_ref", "created_by_ref"} {
		if j := r.byIDAny(str(o, k)); j >= 0 && len(r.bad[j]) > 0 {
			r.fail(i, "."+k, "refers to $.objects[%d], which is bad", j)
			return
		}
	}
	from, to := r.entityOf[str(o, "source_ref")], r.entityOf[str(o, "target_ref")]
	x := ourExtension(o)
	if x != nil {
		ext, ok := r.decodeExtension(i, x)
		if !ok {
			return
		}
		if ext.Derived != "" {
			r.out.Derived[ext.Derived]++
			return
		}
		if from == "" || to == "" {
			r.fail(i, "", "an end of the relationship is not an entity of the bundle")
			return
		}
		rel := &incidentgraph.Relationship{ID: ext.ID, Type: incidentgraph.RelType(ext.Type), FromID: from, ToID: to,
			Status: incidentgraph.Status(ext.Status), Confidence: confidence(o), AssertedByID: ext.AssertedBy,
			SourceIDs: ext.SourceIDs, Quote: ext.Quote, Basis: ext.Basis, Note: ext.Note,
			ValidFrom: incidentgraph.PartialDate(ext.ValidFrom), ValidTo: incidentgraph.PartialDate(ext.ValidTo),
			AssertedOn: incidentgraph.PartialDate(ext.AssertedOn), Version: ext.Version}
		if ext.RetractedBy != "" || ext.RetractedAt != "" {
			at, err := time.Parse(time.RFC3339Nano, ext.RetractedAt)
			if err != nil {
				r.fail(i, extensionPath+".retracted_at", "%s is not a timestamp", show(ext.RetractedAt))
				return
			}
			rel.Retraction = &incidentgraph.Retraction{By: ext.RetractedBy, At: at.UTC(), Reason: ext.RetractionReason}
		}
		if rel.ID == "" {
			r.fail(i, extensionPath, "a relationship's extension requires id")
			return
		}
		r.addRel(i, rel)
		return
	}
	r.customs(o)
	if from == "" || to == "" {
		// An end the graph does not hold (an indicator, malware, an observable).
		var ends []string
		for _, ref := range []string{str(o, "source_ref"), str(o, "target_ref")} {
			if r.entityOf[ref] == "" {
				t, _, _ := strings.Cut(ref, "--")
				ends = append(ends, t)
			}
		}
		r.out.NotHeld["relationship with "+strings.Join(ends, " and ")]++
		return
	}
	fromKind, toKind := r.entities[from].Kind, r.entities[to].Kind
	rt := str(o, "relationship_type")
	t, exact := OurType(rt, fromKind, toKind)
	rel := &incidentgraph.Relationship{ID: LocalID(str(o, "id")), Type: t, FromID: from, ToID: to, Status: "REPORTED",
		Confidence: confidence(o), Note: str(o, "description"), ValidFrom: day(str(o, "start_time")),
		ValidTo: day(str(o, "stop_time")), AssertedOn: day(str(o, "created"))}
	if ours := r.ourReference(o); ours != "" {
		rel.ID = ours
	}
	if !exact {
		rel.Note = strings.TrimSpace(rel.Note + " (STIX relationship_type " + rt + ")")
	}
	if v, _ := o["revoked"].(bool); v {
		rel.Status = "RETRACTED"
	}
	// Provenance: the party that created it, else the creator of a report that contains it,
	// else an unnamed author of the bundle; its references and containing reports as sources,
	// else the bundle itself.
	id := str(o, "id")
	rel.AssertedByID = r.entityOf[str(o, "created_by_ref")]
	for _, src := range r.containers[id] {
		if rel.AssertedByID == "" {
			rel.AssertedByID = r.entityOf[r.creatorOf[src]]
		}
	}
	if rel.AssertedByID == "" {
		rel.AssertedByID = r.bundleAuthor()
	}
	rel.SourceIDs = r.referenceSources(i, o)
	for _, src := range r.containers[id] {
		if !slices.Contains(rel.SourceIDs, src) {
			rel.SourceIDs = append(rel.SourceIDs, src)
		}
	}
	if len(rel.SourceIDs) == 0 {
		rel.SourceIDs = []string{r.bundleSource()}
	}
	r.addRel(i, rel)
}

func (r *reader) addRel(i int, rel *incidentgraph.Relationship) {
	if j, dup := r.origin["relationship:"+rel.ID]; dup {
		r.fail(i, "", "reads as the relationship %s, as $.objects[%d] does", rel.ID, j)
		return
	}
	r.origin["relationship:"+rel.ID] = i
	r.rels = append(r.rels, rel)
}

func confidence(o map[string]any) int {
	n, _ := o["confidence"].(json.Number)
	v, _ := n.Int64()
	return int(v)
}

// bundleUUID is the bundle id's UUID, lower case.
func (r *reader) bundleUUID() string {
	return strings.ToLower(strings.TrimPrefix(r.bundleID, "bundle--"))
}

// bundleSource is the SOURCE that stands for the bundle: the source of what names none.
func (r *reader) bundleSource() string {
	id := "stix-bundle-" + r.bundleUUID()
	if r.entities[id] == nil {
		name := r.opts.Name
		if name == "" {
			name = r.bundleID
		}
		published := incidentgraph.PartialDate("")
		for i := range r.objects {
			if d := day(str(r.obj(i), "modified")); d > published {
				published = d
			}
		}
		if published == "" {
			published = day(timestamp(Epoch))
		}
		r.entities[id] = &incidentgraph.Entity{ID: id, Kind: incidentgraph.KindSource, Name: "STIX bundle " + name,
			Description: "The STIX 2.1 bundle " + r.bundleID + ", imported: the source of the relationships in it that name none.",
			Publisher:   "STIX bundle " + r.bundleID, Published: published, SourceType: "DATASET"}
		r.order = append(r.order, id)
	}
	return id
}

// bundleAuthor is the party that asserts what the bundle says when nothing in it names who
// does: an organisation that stands for the bundle's unnamed author.
func (r *reader) bundleAuthor() string {
	id := "stix-bundle-" + r.bundleUUID() + "-author"
	if r.entities[id] == nil {
		r.entities[id] = &incidentgraph.Entity{ID: id, Kind: incidentgraph.KindOrganization, OrgType: "OTHER",
			Name:        "Unnamed author of STIX bundle " + r.bundleID,
			Description: "The bundle names no creator for some of its relationships: they are asserted by whoever wrote it."}
		r.order = append(r.order, id)
	}
	return id
}

// validate checks the batch with the graph's own rules, each problem on the object it comes
// from. References to items the bundle does not hold (a party or source our export cites by
// id only) are left to the writer, which finds them in the graph or refuses the batch, and so
// are the keys a curator must give that an item of our export lacks (it lacked them in the
// graph: an importer wrote it).
func (r *reader) validate() {
	kinds := map[string]incidentgraph.Kind{}
	for id, e := range r.entities {
		kinds[id] = e.Kind
	}
	report := func(i int, what string, ps []incidentgraph.Problem) {
		for _, p := range ps {
			if strings.Contains(p.Message, ": no entity with id ") {
				continue
			}
			if strings.HasPrefix(p.Message, "missing required key ") && ourExtension(r.obj(i)) != nil {
				// An item our export wrote is read back as the graph held it, and the graph's
				// importers write items with less than a curator must give (a GTD citation has
				// no publisher or date): what is missing was missing in the graph too.
				continue
			}
			field := p.Field
			if _, rest, ok := strings.Cut(field, "."); ok {
				field = rest
			}
			r.fail(i, "", "%s: %s: %s", what, field, p.Message)
		}
	}
	for _, id := range r.order {
		e := r.entities[id]
		i, ok := r.origin[id]
		if !ok {
			continue // the bundle's own source and author, made here
		}
		report(i, fmt.Sprintf("the %s %s it reads as", e.Kind, e.ID), incidentgraph.ValidateEntity(e, "e"))
	}
	for _, rel := range r.rels {
		i := r.origin["relationship:"+rel.ID]
		what := fmt.Sprintf("the relationship %s it reads as", rel.ID)
		report(i, what, incidentgraph.ValidateRelationship(rel, "r"))
		report(i, what, incidentgraph.CheckReferences(rel, kinds, "r"))
	}
	for _, f := range r.figures {
		i := r.origin["figure:"+f.ID]
		what := fmt.Sprintf("the figure %s", f.ID)
		report(i, what, incidentgraph.ValidateFigure(f, "f"))
		report(i, what, incidentgraph.CheckFigureReferences(f, kinds, "f"))
	}
}

// leaveOut removes the bad objects' items and, until nothing changes, what depends on them:
// relationships whose end or party is left out, and left-out sources from the lists that cite
// them (a relationship left with none cites the bundle).
func (r *reader) leaveOut() {
	if len(r.bad) == 0 {
		return
	}
	left := map[int]bool{}
	gone := map[string]bool{} // entity ids
	for i := range r.bad {
		left[i] = true
	}
	for changed := true; changed; {
		changed = false
		for id, e := range r.entities {
			if i, ok := r.origin[id]; ok && left[i] && !gone[e.ID] {
				gone[e.ID] = true
				changed = true
			}
		}
		for _, rel := range r.rels {
			i := r.origin["relationship:"+rel.ID]
			if left[i] {
				continue
			}
			for _, end := range []string{rel.FromID, rel.ToID, rel.AssertedByID} {
				if gone[end] {
					r.fail(i, "", "left out with %s, which it depends on", end)
					left[i] = true
					changed = true
					break
				}
			}
		}
	}
	keep := func(ids []string) []string {
		return slices.DeleteFunc(slices.Clone(ids), func(s string) bool { return gone[s] })
	}
	for id := range gone {
		delete(r.entities, id)
	}
	r.rels = slices.DeleteFunc(r.rels, func(rel *incidentgraph.Relationship) bool { return left[r.origin["relationship:"+rel.ID]] })
	for _, rel := range r.rels {
		if rel.SourceIDs = keep(rel.SourceIDs); len(rel.SourceIDs) == 0 {
			rel.SourceIDs = []string{r.bundleSource()}
		}
	}
	r.figures = slices.DeleteFunc(r.figures, func(f *incidentgraph.Figure) bool {
		return left[r.origin["figure:"+f.ID]] || gone[f.SubjectID] || gone[f.AssertedByID]
	})
	for _, f := range r.figures {
		f.SourceIDs = keep(f.SourceIDs)
	}
	for _, e := range r.entities {
		e.SourceIDs = keep(e.SourceIDs)
	}
	r.out.Left = r.problems()
}
