package incidentgraph

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Curation: the writes curators make between seed releases and imports. Every write is one
// transaction that checks the version the curator read, writes the change, bumps the version
// and records an audit entry; on any error nothing is written.

// OriginCuration marks what curators own. A seed load or a GTD import never writes or removes
// an item of this origin; an item a curator has changed becomes the curator's (see README,
// "Curation").
const OriginCuration = "curation"

// Curation operations, as the audit log names them.
const (
	OpCreateEntity        = "createEntity"
	OpUpdateEntity        = "updateEntity"
	OpAddRelationship     = "addRelationship"
	OpUpdateRelationship  = "updateRelationship"
	OpRetractRelationship = "retractRelationship"
	OpAddSource           = "addSource"
	OpAddFigureReport     = "addFigureReport"
	OpMergeEntities       = "mergeEntities"
	OpDeleteEntity        = "deleteEntity"
	OpDeleteRelationship  = "deleteRelationship"
)

// Operations lists every curation operation.
var Operations = []string{OpCreateEntity, OpUpdateEntity, OpAddRelationship, OpUpdateRelationship,
	OpRetractRelationship, OpAddSource, OpAddFigureReport, OpMergeEntities, OpDeleteEntity, OpDeleteRelationship}

// CheckOperation refuses a name that is not one of Operations (the audit log's filter), with
// the list of those that are.
func CheckOperation(op string) error {
	if slices.Contains(Operations, op) {
		return nil
	}
	return Errorf(EINVALID, "unknown operation %q (one of %s)", op, strings.Join(Operations, ", "))
}

// Target kinds of audit entries.
const (
	TargetEntity       = "ENTITY"
	TargetRelationship = "RELATIONSHIP"
	TargetFigure       = "FIGURE"
)

// MaxIdempotencyKeyLength bounds idempotency keys (a UUID is 36 characters).
const MaxIdempotencyKeyLength = 100

// MaxReasonLength bounds a retraction's or deletion's reason.
const MaxReasonLength = 2000

// Write says who writes and how a retry is recognised. The service fills it from the request.
type Write struct {
	Actor          string // the token's name
	Role           Role
	RequestID      string
	IdempotencyKey string // "" for none
}

// EntityInput is an entity as a curator writes it. On create, nil fields are empty; on update,
// nil fields keep their value and the others replace it (a list replaces the whole list).
type EntityInput struct {
	ID, Name, Description                        *string
	Kind                                         *Kind
	Aliases, SourceIDs                           []string
	OrgType, GTDName                             *string
	Founded, Dissolved                           *PartialDate
	ISO2, Role, Nationality                      *string
	PlaceType, CountryCode                       *string
	Date, EndDate                                *PartialDate
	Summary, Outcome, EventType                  *string
	Publisher, URL, SourceType                   *string
	Published, Accessed                          *PartialDate
	AttackTypes, TargetTypes, WeaponTypes        []int
	Latitude, Longitude                          *float64
	Suicide, Anonymous                           *bool
	AliasesSet, SourcesSet, AttackSet, TargetSet bool // the list was given (possibly empty)
	WeaponSet                                    bool
	// Names are the aliases with what is known about each (language, script, sources, note):
	// when NamesSet they replace the aliases and their detail. Aliases alone replace the
	// aliases and keep the detail of those that stay.
	Names    []Alias
	NamesSet bool
}

// Check reports what is wrong with the input as given, before it is applied to an entity:
// fields that exclude each other. prefix names the input ("input").
func (in *EntityInput) Check(prefix string) []Problem {
	if in.AliasesSet && in.NamesSet {
		return []Problem{{Field: prefix + ".names", Message: "give aliases or names, not both: names are the aliases with their languages, scripts, sources and notes"}}
	}
	return nil
}

// Apply returns e with the input's fields over it (a copy; e may be nil for a new entity).
func (in *EntityInput) Apply(e *Entity) *Entity {
	out := &Entity{}
	if e != nil {
		c := *e
		out = &c
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	date := func(dst *PartialDate, v *PartialDate) {
		if v != nil {
			*dst = *v
		}
	}
	set(&out.ID, in.ID)
	if in.Kind != nil {
		out.Kind = *in.Kind
	}
	set(&out.Name, in.Name)
	set(&out.Description, in.Description)
	switch {
	case in.NamesSet:
		list := make([]Alias, len(in.Names))
		for i, a := range in.Names {
			list[i] = Alias{Name: strings.TrimSpace(a.Name), Language: strings.TrimSpace(a.Language),
				Script: strings.TrimSpace(a.Script), SourceIDs: slices.Clone(a.SourceIDs), Note: strings.TrimSpace(a.Note)}
		}
		out.SetAliases(list)
	case in.AliasesSet:
		out.Aliases = slices.Clone(in.Aliases)
		out.PruneAliasInfo()
	}
	if in.SourcesSet {
		out.SourceIDs = slices.Clone(in.SourceIDs)
	}
	set(&out.OrgType, in.OrgType)
	set(&out.GTDName, in.GTDName)
	date(&out.Founded, in.Founded)
	date(&out.Dissolved, in.Dissolved)
	set(&out.ISO2, in.ISO2)
	set(&out.Role, in.Role)
	set(&out.Nationality, in.Nationality)
	set(&out.PlaceType, in.PlaceType)
	set(&out.CountryCode, in.CountryCode)
	date(&out.Date, in.Date)
	date(&out.EndDate, in.EndDate)
	set(&out.Summary, in.Summary)
	set(&out.Outcome, in.Outcome)
	set(&out.EventType, in.EventType)
	set(&out.Publisher, in.Publisher)
	set(&out.URL, in.URL)
	set(&out.SourceType, in.SourceType)
	date(&out.Published, in.Published)
	date(&out.Accessed, in.Accessed)
	if in.AttackSet {
		out.AttackTypes = slices.Clone(in.AttackTypes)
	}
	if in.TargetSet {
		out.TargetTypes = slices.Clone(in.TargetTypes)
	}
	if in.WeaponSet {
		out.WeaponTypes = slices.Clone(in.WeaponTypes)
	}
	if in.Latitude != nil {
		v := *in.Latitude
		out.Latitude = &v
	}
	if in.Longitude != nil {
		v := *in.Longitude
		out.Longitude = &v
	}
	if in.Suicide != nil {
		out.Suicide = *in.Suicide
	}
	if in.Anonymous != nil {
		out.Anonymous = *in.Anonymous
	}
	return out
}

// RelationshipInput is a relationship as a curator writes it; on update, nil fields keep their
// value (the type and the ends of an assertion never change: retract it and add another).
type RelationshipInput struct {
	ID, FromID, ToID, AssertedByID *string
	Type                           *RelType
	Status                         *Status
	Confidence                     *int
	SourceIDs                      []string
	SourcesSet                     bool
	Quote, Basis, Note             *string
	ValidFrom, ValidTo, AssertedOn *PartialDate
}

// Apply returns r with the input's fields over it (a copy; r may be nil for a new one).
func (in *RelationshipInput) Apply(r *Relationship) *Relationship {
	out := &Relationship{}
	if r != nil {
		c := *r
		out = &c
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&out.ID, in.ID)
	set(&out.FromID, in.FromID)
	set(&out.ToID, in.ToID)
	set(&out.AssertedByID, in.AssertedByID)
	if in.Type != nil {
		out.Type = *in.Type
	}
	if in.Status != nil {
		out.Status = *in.Status
	}
	if in.Confidence != nil {
		out.Confidence = *in.Confidence
	}
	if in.SourcesSet {
		out.SourceIDs = slices.Clone(in.SourceIDs)
	}
	set(&out.Quote, in.Quote)
	set(&out.Basis, in.Basis)
	set(&out.Note, in.Note)
	for _, d := range []struct {
		dst *PartialDate
		v   *PartialDate
	}{{&out.ValidFrom, in.ValidFrom}, {&out.ValidTo, in.ValidTo}, {&out.AssertedOn, in.AssertedOn}} {
		if d.v != nil {
			*d.dst = *d.v
		}
	}
	return out
}

// Retraction says who withdrew an assertion, when and why. A retracted assertion stays in the
// graph and in its history; reads leave it out unless asked for it.
type Retraction struct {
	By     string
	At     time.Time
	Reason string
}

// Change is one entry of the audit trail: one write, by whom, when, and the values before and
// after it (JSON; "" where there was nothing: before a create, after a delete).
type Change struct {
	ID             string
	At             time.Time
	Actor          string
	Role           Role
	Operation      string
	TargetID       string
	TargetKind     string
	Version        int // the target's version after the write (0 when it was deleted)
	Before, After  string
	Reason         string
	RequestID      string
	IdempotencyKey string
}

// AuditFilter selects audit entries. Empty fields do not filter.
type AuditFilter struct {
	TargetID  string // entries about this entity or relationship
	Actor     string
	Operation string
	From, To  *time.Time // From inclusive, To exclusive
}

// ChangePage is one page of the audit log, newest first.
type ChangePage struct {
	Changes     []*Change
	Cursors     []string
	HasNextPage bool
}

// Versioned is a write's answer: what it wrote and the version it has now.
type Versioned[T any] struct {
	Item    T
	Version int
}

// CurationService writes the graph on curators' behalf. Every method is one transaction; a
// stale version is a CONFLICT (with the current version in the error's details); a repeated
// idempotency key returns the first answer and writes nothing.
type CurationService interface {
	CreateEntity(ctx context.Context, w Write, in *EntityInput) (*Entity, error)
	UpdateEntity(ctx context.Context, w Write, id string, version int, in *EntityInput) (*Entity, error)
	AddRelationship(ctx context.Context, w Write, in *RelationshipInput) (*Relationship, error)
	UpdateRelationship(ctx context.Context, w Write, id string, version int, in *RelationshipInput) (*Relationship, error)
	RetractRelationship(ctx context.Context, w Write, id string, version int, reason string) (*Relationship, error)
	AddFigureReport(ctx context.Context, w Write, f *Figure) (*Figure, error)
	MergeEntities(ctx context.Context, w Write, survivor, duplicate string, survivorVersion, duplicateVersion int) (*Entity, error)
	DeleteEntity(ctx context.Context, w Write, id string, version int, reason string) (bool, error)
	DeleteRelationship(ctx context.Context, w Write, id string, version int, reason string) (bool, error)

	// History returns the changes to each item, oldest first (at most limit each).
	History(ctx context.Context, ids []string, limit int) (map[string][]*Change, error)
	// AuditLog returns one page of the audit log, newest first.
	AuditLog(ctx context.Context, f AuditFilter, p Page) (*ChangePage, error)
	// ResolveID returns the id an entity id now stands for: the survivor of a merge, or id.
	ResolveID(ctx context.Context, id string) (string, error)
	// PossibleDuplicates returns one page of the pairs imports recorded as possibly one real
	// thing (of one kind; every kind when kind is ""), both of whose entities still stand.
	PossibleDuplicates(ctx context.Context, kind Kind, p Page) (*DuplicatePage, error)
}

// Problem is one thing wrong with an input: the path it is about (e.g. "input.confidence", or
// "entities[3].aliases[1]" in a seed file) and the message. The rules below are the only home
// of these checks and messages: curators' writes and the seed validator (which adds the file
// and line) both call them.
type Problem struct {
	Field   string
	Message string
}

// InputError is a BAD_USER_INPUT with the problems of each field.
type InputError struct {
	Err      *Error
	Problems []Problem
}

func (e *InputError) Error() string { return e.Err.Message }
func (e *InputError) Unwrap() error { return e.Err }

// InvalidInput returns an InputError for problems (at least one): its message is the first
// problem's, prefixed with its field.
func InvalidInput(problems []Problem) error {
	p := problems[0]
	msg := p.Field + ": " + p.Message
	if len(problems) > 1 {
		msg += fmt.Sprintf(" (and %d more problems)", len(problems)-1)
	}
	return &InputError{Err: Errorf(EINVALID, "%s", msg), Problems: problems}
}

// ConflictError is a CONFLICT about a stale version: Current is the version stored now.
type ConflictError struct {
	Err     *Error
	Current int
}

func (e *ConflictError) Error() string { return e.Err.Message }
func (e *ConflictError) Unwrap() error { return e.Err }

// StaleVersion returns the CONFLICT of an update that read version but found current.
func StaleVersion(what, id string, version, current int) error {
	return &ConflictError{Err: Errorf(ECONFLICT, "%s %s has changed: you read version %d, it is at version %d now; read it again and reapply your change", what, id, version, current), Current: current}
}

// AsInputError and AsConflict find the detailed errors behind err.
func AsInputError(err error) (*InputError, bool) {
	var e *InputError
	ok := errors.As(err, &e)
	return e, ok
}

// AsConflict returns the stale-version details of err, if it is one.
func AsConflict(err error) (*ConflictError, bool) {
	var e *ConflictError
	ok := errors.As(err, &e)
	return e, ok
}

// problems collects input problems with the input path they are at.
type problems struct {
	prefix string
	list   []Problem
}

func (p *problems) add(field, format string, args ...any) {
	p.list = append(p.list, Problem{Field: p.prefix + "." + field, Message: fmt.Sprintf(format, args...)})
}

var iso2RE = regexp.MustCompile(`^[A-Z]{2}$`)

// ValidateEntity checks an entity by itself, for curators' writes and seed files alike; prefix
// names the input ("input", "entities[3]"). References (sources) are checked against the graph
// by the store, and across files by the seed validator.
func ValidateEntity(e *Entity, prefix string) []Problem {
	p := &problems{prefix: prefix}
	if e.ID == "" {
		p.add("id", "missing required key id")
	} else if !ValidID(e.ID) {
		p.add("id", "id %q is not a valid id: lowercase letters and digits joined by single hyphens (e.g. islamic-state), at most %d characters", e.ID, MaxIDLength)
	}
	switch {
	case e.Kind == "":
		p.add("kind", "missing required key kind")
	case !e.Kind.Valid():
		names := make([]string, len(Kinds))
		for i, k := range Kinds {
			names[i] = string(k)
		}
		p.add("kind", "unknown kind %s (one of %s)", e.Kind, strings.Join(names, ", "))
	}
	if e.Name == "" {
		p.add("name", "missing required key name")
	}
	validateAliases(p, e)
	dupSources(p, "sources", e.SourceIDs)
	req := func(field, v string) {
		if v == "" {
			p.add(field, "missing required key %s (required for %s)", field, e.Kind)
		}
	}
	enum := func(field, v string, allowed []string) {
		if v != "" && !slices.Contains(allowed, v) {
			p.add(field, "unknown %s %s (one of %s)", field, v, strings.Join(allowed, ", "))
		}
	}
	notBefore := func(key string, d PartialDate, earlierKey string, earlier PartialDate) {
		if !d.IsZero() && !earlier.IsZero() && d.End() < earlier.Start() {
			p.add(key, "%s %s is before %s %s", key, d, earlierKey, earlier)
		}
	}
	iso := func(field, v string) {
		if v != "" && !iso2RE.MatchString(v) {
			p.add(field, "%s %q must be two uppercase letters (ISO 3166-1 alpha-2, e.g. RU)", field, v)
		}
	}
	codes := func(field string, cs []int, hi int) {
		seen := map[int]bool{}
		for i, c := range cs {
			switch {
			case c < 1 || c > hi:
				p.add(fmt.Sprintf("%s[%d]", field, i), "%s: code %d is out of range 1–%d", field, c, hi)
			case seen[c]:
				p.add(fmt.Sprintf("%s[%d]", field, i), "%s: code %d listed twice", field, c)
			}
			seen[c] = true
		}
	}
	switch e.Kind {
	case KindOrganization:
		req("orgType", e.OrgType)
		enum("orgType", e.OrgType, OrgTypes)
		notBefore("dissolved", e.Dissolved, "founded", e.Founded)
	case KindCountry:
		req("iso2", e.ISO2)
		iso("iso2", e.ISO2)
	case KindPerson:
		iso("nationality", e.Nationality)
	case KindPlace:
		req("placeType", e.PlaceType)
		enum("placeType", e.PlaceType, PlaceTypes)
		iso("countryCode", e.CountryCode)
		if (e.Latitude == nil) != (e.Longitude == nil) {
			p.add("latitude", "latitude and longitude go together: give both or neither")
		}
		if e.Latitude != nil && (*e.Latitude < -90 || *e.Latitude > 90) {
			p.add("latitude", "latitude %v is out of range -90 to 90", *e.Latitude)
		}
		if e.Longitude != nil && (*e.Longitude < -180 || *e.Longitude > 180) {
			p.add("longitude", "longitude %v is out of range -180 to 180", *e.Longitude)
		}
	case KindIncident:
		req("date", string(e.Date))
		req("outcome", e.Outcome)
		enum("outcome", e.Outcome, Outcomes)
		notBefore("endDate", e.EndDate, "date", e.Date)
		codes("attackTypes", e.AttackTypes, MaxAttackType)
		codes("targetTypes", e.TargetTypes, MaxTargetType)
		codes("weaponTypes", e.WeaponTypes, MaxWeaponType)
	case KindEvent:
		req("eventType", e.EventType)
		req("date", string(e.Date))
		enum("eventType", e.EventType, EventTypes)
		notBefore("endDate", e.EndDate, "date", e.Date)
	case KindSource:
		req("publisher", e.Publisher)
		req("published", string(e.Published))
		req("sourceType", e.SourceType)
		enum("sourceType", e.SourceType, SourceTypes)
		if e.URL != "" && !AbsoluteHTTPURL(e.URL) {
			p.add("url", "url %q must be an absolute http or https URL", e.URL)
		}
		notBefore("accessed", e.Accessed, "published", e.Published)
	}
	return p.list
}

// AbsoluteHTTPURL says whether s is a URL a reader can follow: it parses, its scheme is http or
// https (in any case, as URLs allow) and it names a host. "https://" alone or "https:/x" is not.
func AbsoluteHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func dupSources(p *problems, field string, ids []string) {
	seen := map[string]bool{}
	for i, s := range ids {
		if seen[s] {
			p.add(fmt.Sprintf("%s[%d]", field, i), "sources: %s listed twice", s)
		}
		seen[s] = true
	}
}

func checkStatus(p *problems, s Status) {
	if s != "" && !s.Valid() {
		names := make([]string, len(Statuses))
		for i, v := range Statuses {
			names[i] = string(v)
		}
		p.add("status", "unknown status %s (one of %s)", s, strings.Join(names, ", "))
	}
}

var assertionIDRE = regexp.MustCompile(`^[a-z0-9]+(-{1,2}[a-z0-9]+)*$`)

// MaxAssertionIDLength bounds the ids of relationships and figures (as the seed's).
const MaxAssertionIDLength = 200

// ValidateRelationship checks what a relationship says by itself, for curators' writes and seed
// files alike; CheckReferences checks its ends, asserter and sources against the graph.
func ValidateRelationship(r *Relationship, prefix string) []Problem {
	p := &problems{prefix: prefix}
	for _, f := range []struct{ key, v string }{{"from", r.FromID}, {"to", r.ToID}, {"assertedBy", r.AssertedByID}, {"type", string(r.Type)}, {"status", string(r.Status)}} {
		if f.v == "" {
			p.add(f.key, "missing required key %s", f.key)
		}
	}
	if r.Type != "" {
		if _, ok := LookupRelType(r.Type); !ok {
			types := make([]string, len(Vocabulary))
			for i, v := range Vocabulary {
				types[i] = string(v.Type)
			}
			p.add("type", "unknown relationship type %s%s", r.Type, DidYouMean(string(r.Type), types))
		}
	}
	if r.FromID != "" && r.FromID == r.ToID {
		p.add("to", "from and to are the same entity %s: a relationship links two entities", r.ToID)
	}
	checkStatus(p, r.Status)
	if r.Confidence < 0 || r.Confidence > MaxConfidence {
		p.add("confidence", "confidence %d is out of range 0–%d", r.Confidence, MaxConfidence)
	}
	if len(r.SourceIDs) == 0 {
		p.add("sources", "missing required key sources")
	}
	dupSources(p, "sources", r.SourceIDs)
	if !r.ValidTo.IsZero() && !r.ValidFrom.IsZero() && r.ValidTo.End() < r.ValidFrom.Start() {
		p.add("validTo", "validTo %s is before validFrom %s", r.ValidTo, r.ValidFrom)
	}
	if r.ID != "" && (len(r.ID) > MaxAssertionIDLength || !assertionIDRE.MatchString(r.ID)) {
		p.add("id", "id %q is not a valid relationship id: lowercase letters and digits joined by - or --, at most %d characters", r.ID, MaxAssertionIDLength)
	}
	return p.list
}

// ValidateFigure checks a figure report by itself, for curators' writes and seed files alike.
func ValidateFigure(f *Figure, prefix string) []Problem {
	p := &problems{prefix: prefix}
	for _, x := range []struct{ key, v string }{{"subject", f.SubjectID}, {"metric", f.Metric}, {"asOf", string(f.AsOf)}, {"status", string(f.Status)}, {"assertedBy", f.AssertedByID}} {
		if x.v == "" {
			p.add(x.key, "missing required key %s", x.key)
		}
	}
	if f.Metric != "" && !slices.Contains(FigureMetrics, f.Metric) {
		p.add("metric", "unknown metric %s (one of %s)", f.Metric, strings.Join(FigureMetrics, ", "))
	}
	if f.Qualifier != "" && !slices.Contains(FigureQualifiers, f.Qualifier) {
		p.add("qualifier", "unknown qualifier %s (one of %s)", f.Qualifier, strings.Join(FigureQualifiers, ", "))
	}
	checkStatus(p, f.Status)
	if f.Value < 0 {
		p.add("value", "value %d must not be negative", f.Value)
	}
	if f.Confidence < 0 || f.Confidence > MaxConfidence {
		p.add("confidence", "confidence %d is out of range 0–%d", f.Confidence, MaxConfidence)
	}
	if len(f.SourceIDs) == 0 {
		p.add("sources", "missing required key sources")
	}
	dupSources(p, "sources", f.SourceIDs)
	if f.ID != "" && (len(f.ID) > MaxAssertionIDLength || !assertionIDRE.MatchString(f.ID)) {
		p.add("id", "id %q is not a valid figure id: lowercase letters and digits joined by - or --, at most %d characters", f.ID, MaxAssertionIDLength)
	}
	return p.list
}

// CheckReferences checks a relationship's ends, asserter and sources against the kinds of the
// entities they name (kinds holds the ids that exist), with the seed validator's messages.
func CheckReferences(r *Relationship, kinds map[string]Kind, prefix string) []Problem {
	p := &problems{prefix: prefix}
	look := func(field, id string) (Kind, bool) {
		k, ok := kinds[id]
		if !ok && id != "" {
			p.add(field, "%s: no entity with id %s", strings.SplitN(field, "[", 2)[0], id)
		}
		return k, ok
	}
	from, fromOK := look("from", r.FromID)
	to, toOK := look("to", r.ToID)
	if info, ok := LookupRelType(r.Type); ok && fromOK && toOK {
		swapped := ""
		if info.Allows(to, from) {
			swapped = "; are from and to swapped?"
		}
		if !slices.Contains(info.From, from) {
			p.add("from", "%s cannot point from %s (%s): it points from %s%s", info.Type, r.FromID, from, kindList(info.From), swapped)
		}
		if !slices.Contains(info.To, to) {
			p.add("to", "%s cannot point to %s (%s): it points to %s%s", info.Type, r.ToID, to, kindList(info.To), swapped)
		}
	}
	checkProvenance(p, r.AssertedByID, r.SourceIDs, kinds, look)
	return p.list
}

// CheckFigureReferences checks a figure's subject, asserter and sources against the graph.
func CheckFigureReferences(f *Figure, kinds map[string]Kind, prefix string) []Problem {
	p := &problems{prefix: prefix}
	look := func(field, id string) (Kind, bool) {
		k, ok := kinds[id]
		if !ok && id != "" {
			p.add(field, "%s: no entity with id %s", strings.SplitN(field, "[", 2)[0], id)
		}
		return k, ok
	}
	if k, ok := look("subject", f.SubjectID); ok && k != KindIncident && k != KindEvent {
		p.add("subject", "subject %s is %s: figures are about an INCIDENT or EVENT", f.SubjectID, article(k))
	}
	checkProvenance(p, f.AssertedByID, f.SourceIDs, kinds, look)
	return p.list
}

// CheckSources checks that every id names a SOURCE entity.
func CheckSources(ids []string, kinds map[string]Kind, prefix string) []Problem {
	p := &problems{prefix: prefix}
	for i, s := range ids {
		field := fmt.Sprintf("sources[%d]", i)
		if k, ok := kinds[s]; !ok {
			p.add(field, "sources: no entity with id %s", s)
		} else if k != KindSource {
			p.add(field, "sources: %s is %s, not a SOURCE", s, article(k))
		}
	}
	return p.list
}

func checkProvenance(p *problems, assertedBy string, sources []string, kinds map[string]Kind, look func(string, string) (Kind, bool)) {
	if k, ok := look("assertedBy", assertedBy); ok && !k.IsActor() {
		p.add("assertedBy", "assertedBy: %s is %s; the asserting party is an ORGANIZATION, COUNTRY, PERSON or GROUP (for a publication, its publisher)", assertedBy, article(k))
	}
	for i, s := range sources {
		field := fmt.Sprintf("sources[%d]", i)
		if k, ok := look(field, s); ok && k != KindSource {
			p.add(field, "sources: %s is %s, not a SOURCE", s, article(k))
		}
	}
}

func article(k Kind) string {
	if k != "" && strings.ContainsRune("AEIOU", rune(k[0])) {
		return "an " + string(k)
	}
	return "a " + string(k)
}

func kindList(ks []Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	if len(ks) == len(Kinds) {
		return "any kind"
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// CheckIdempotencyKey and CheckReason bound the free-text arguments of mutations. A key's
// limit is in characters, as documented, not bytes: a key of 100 accented letters is allowed.
func CheckIdempotencyKey(key string) error {
	if utf8.RuneCountInString(key) > MaxIdempotencyKeyLength {
		return InvalidInput([]Problem{{Field: "idempotencyKey", Message: fmt.Sprintf("idempotencyKey is longer than %d characters", MaxIdempotencyKeyLength)}})
	}
	return nil
}

// CheckReason bounds a reason and requires one.
func CheckReason(reason string) error {
	switch r := strings.TrimSpace(reason); {
	case r == "":
		return InvalidInput([]Problem{{Field: "reason", Message: "reason is empty: say why"}})
	case len(r) > MaxReasonLength:
		return InvalidInput([]Problem{{Field: "reason", Message: fmt.Sprintf("reason is longer than %d characters", MaxReasonLength)}})
	}
	return nil
}
