package graph

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/rs/zerolog/hlog"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/graph/model"
)

// Curation resolvers: each checks the caller's role, maps the input to the domain and makes one
// call to the CurationService, which validates, checks versions and writes in one transaction.

// MaxHistory bounds `history`.
const MaxHistory = 100

// errNoCuration is a server wired without a curation service: the operator's mistake, not an
// outage, so it is masked as internal (UNAVAILABLE would open the fail-fast breaker).
var errNoCuration = errors.New("graph: the server has no curation service")

// write returns who writes (from the verified bearer token) once the role is checked.
func (r *Resolver) write(ctx context.Context, min incidentgraph.Role, key *string) (incidentgraph.Write, error) {
	if err := incidentgraph.Require(ctx, min); err != nil {
		return incidentgraph.Write{}, err
	}
	if r.Curation == nil {
		return incidentgraph.Write{}, errNoCuration
	}
	id := incidentgraph.IdentityFrom(ctx)
	w := incidentgraph.Write{Actor: id.Name, Role: id.Role}
	if rid, ok := hlog.IDFromCtx(ctx); ok {
		w.RequestID = rid.String()
	}
	if key != nil {
		w.IdempotencyKey = *key
	}
	return w, nil
}

// curationError gives the client the details of a refused write: the input path and every
// problem of invalid input, the current version of a stale one. The code and message stay the
// domain error's (see server.presentError).
func curationError(err error) error {
	if ie, ok := incidentgraph.AsInputError(err); ok {
		problems := make([]map[string]any, len(ie.Problems))
		for i, p := range ie.Problems {
			problems[i] = map[string]any{"field": p.Field, "message": p.Message}
		}
		return &gqlerror.Error{Message: ie.Error(), Err: err,
			Extensions: map[string]any{"field": ie.Problems[0].Field, "problems": problems}}
	}
	if ce, ok := incidentgraph.AsConflict(err); ok {
		return &gqlerror.Error{Message: ce.Error(), Err: err, Extensions: map[string]any{"currentVersion": ce.Current}}
	}
	return err
}

func kindp(k model.EntityKind) *incidentgraph.Kind {
	v := incidentgraph.Kind(k)
	return &v
}

func enump[T ~string](v *T) *string {
	if v == nil {
		return nil
	}
	s := string(*v)
	return &s
}

func orEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func fromNames(in []*model.NameInput) []incidentgraph.Alias {
	out := make([]incidentgraph.Alias, len(in))
	for i, n := range in {
		out[i] = incidentgraph.Alias{Name: n.Value, Language: orEmpty(n.Language), Script: orEmpty(n.Script),
			SourceIDs: n.Sources, Note: orEmpty(n.Note)}
	}
	return out
}

func fromCreateEntity(in model.CreateEntityInput) *incidentgraph.EntityInput {
	return &incidentgraph.EntityInput{
		ID: &in.ID, Kind: kindp(in.Kind), Name: &in.Name, Description: in.Description,
		Aliases: in.Aliases, AliasesSet: in.Aliases != nil, Names: fromNames(in.Names), NamesSet: in.Names != nil, SourceIDs: in.Sources, SourcesSet: in.Sources != nil,
		OrgType: enump(in.OrgType), GTDName: in.GtdName, Founded: in.Founded, Dissolved: in.Dissolved,
		ISO2: in.Iso2, Role: in.Role, Nationality: in.Nationality, Anonymous: in.Anonymous,
		PlaceType: enump(in.PlaceType), CountryCode: in.CountryCode, Latitude: in.Latitude, Longitude: in.Longitude,
		Date: in.Date, EndDate: in.EndDate, Summary: in.Summary,
		AttackTypes: in.AttackTypes, AttackSet: in.AttackTypes != nil, TargetTypes: in.TargetTypes, TargetSet: in.TargetTypes != nil,
		WeaponTypes: in.WeaponTypes, WeaponSet: in.WeaponTypes != nil, Suicide: in.Suicide, Outcome: enump(in.Outcome),
		EventType: enump(in.EventType), Publisher: in.Publisher, Published: in.Published, URL: in.URL,
		SourceType: enump(in.SourceType), Accessed: in.Accessed,
	}
}

func fromUpdateEntity(in model.UpdateEntityInput) *incidentgraph.EntityInput {
	return &incidentgraph.EntityInput{
		Name: in.Name, Description: in.Description,
		Aliases: in.Aliases, AliasesSet: in.Aliases != nil, Names: fromNames(in.Names), NamesSet: in.Names != nil, SourceIDs: in.Sources, SourcesSet: in.Sources != nil,
		OrgType: enump(in.OrgType), GTDName: in.GtdName, Founded: in.Founded, Dissolved: in.Dissolved,
		ISO2: in.Iso2, Role: in.Role, Nationality: in.Nationality, Anonymous: in.Anonymous,
		PlaceType: enump(in.PlaceType), CountryCode: in.CountryCode, Latitude: in.Latitude, Longitude: in.Longitude,
		Date: in.Date, EndDate: in.EndDate, Summary: in.Summary,
		AttackTypes: in.AttackTypes, AttackSet: in.AttackTypes != nil, TargetTypes: in.TargetTypes, TargetSet: in.TargetTypes != nil,
		WeaponTypes: in.WeaponTypes, WeaponSet: in.WeaponTypes != nil, Suicide: in.Suicide, Outcome: enump(in.Outcome),
		EventType: enump(in.EventType), Publisher: in.Publisher, Published: in.Published, URL: in.URL,
		SourceType: enump(in.SourceType), Accessed: in.Accessed,
	}
}

func (r *Resolver) createEntity(ctx context.Context, in model.CreateEntityInput, key *string) (model.Entity, error) {
	w, err := r.write(ctx, incidentgraph.RoleCurator, key)
	if err != nil {
		return nil, err
	}
	e, err := r.Curation.CreateEntity(ctx, w, fromCreateEntity(in))
	if err != nil {
		return nil, curationError(err)
	}
	return entityAt(e, 1), nil
}

func (r *Resolver) updateEntity(ctx context.Context, id string, version int, in model.UpdateEntityInput, key *string) (model.Entity, error) {
	w, err := r.write(ctx, incidentgraph.RoleCurator, key)
	if err != nil {
		return nil, err
	}
	e, err := r.Curation.UpdateEntity(ctx, w, id, version, fromUpdateEntity(in))
	if err != nil {
		return nil, curationError(err)
	}
	return entityAt(e, version+1), nil
}

func (r *Resolver) addSource(ctx context.Context, in model.AddSourceInput, key *string) (*model.Source, error) {
	w, err := r.write(ctx, incidentgraph.RoleCurator, key)
	if err != nil {
		return nil, err
	}
	kind := incidentgraph.KindSource
	e, err := r.Curation.CreateEntity(ctx, w, &incidentgraph.EntityInput{ID: &in.ID, Kind: &kind, Name: &in.Title,
		Publisher: &in.Publisher, Published: &in.Published, SourceType: enump(&in.SourceType), URL: in.URL, Accessed: in.Accessed})
	if err != nil {
		return nil, curationError(err)
	}
	s, _ := entityAt(e, 1).(*model.Source)
	return s, nil
}

func (r *Resolver) addRelationship(ctx context.Context, in model.AddRelationshipInput, key *string) (*model.Relationship, error) {
	w, err := r.write(ctx, incidentgraph.RoleCurator, key)
	if err != nil {
		return nil, err
	}
	t, st := incidentgraph.RelType(in.Type), incidentgraph.Status(in.Status)
	rel, err := r.Curation.AddRelationship(ctx, w, &incidentgraph.RelationshipInput{
		ID: in.ID, FromID: &in.From, ToID: &in.To, AssertedByID: &in.AssertedBy, Type: &t, Status: &st,
		Confidence: &in.Confidence, SourceIDs: in.Sources, SourcesSet: true, Quote: in.Quote, Basis: in.Basis, Note: in.Note,
		ValidFrom: in.ValidFrom, ValidTo: in.ValidTo, AssertedOn: in.AssertedOn})
	if err != nil {
		return nil, curationError(err)
	}
	out := toRelationship(rel, "")
	out.Version = 1
	return out, nil
}

func (r *Resolver) updateRelationship(ctx context.Context, id string, version int, in model.UpdateRelationshipInput, key *string) (*model.Relationship, error) {
	w, err := r.write(ctx, incidentgraph.RoleCurator, key)
	if err != nil {
		return nil, err
	}
	var st *incidentgraph.Status
	if in.Status != nil {
		s := incidentgraph.Status(*in.Status)
		st = &s
	}
	rel, err := r.Curation.UpdateRelationship(ctx, w, id, version, &incidentgraph.RelationshipInput{
		Status: st, Confidence: in.Confidence, SourceIDs: in.Sources, SourcesSet: in.Sources != nil,
		Quote: in.Quote, Basis: in.Basis, Note: in.Note, ValidFrom: in.ValidFrom, ValidTo: in.ValidTo, AssertedOn: in.AssertedOn})
	if err != nil {
		return nil, curationError(err)
	}
	out := toRelationship(rel, "")
	out.Version = version + 1
	return out, nil
}

func (r *Resolver) retractRelationship(ctx context.Context, id string, version int, reason string, key *string) (*model.Relationship, error) {
	w, err := r.write(ctx, incidentgraph.RoleCurator, key)
	if err != nil {
		return nil, err
	}
	rel, err := r.Curation.RetractRelationship(ctx, w, id, version, reason)
	if err != nil {
		return nil, curationError(err)
	}
	out := toRelationship(rel, "")
	out.Version = version + 1
	return out, nil
}

func (r *Resolver) addFigureReport(ctx context.Context, in model.FigureReportInput, key *string) (*model.Figure, error) {
	w, err := r.write(ctx, incidentgraph.RoleCurator, key)
	if err != nil {
		return nil, err
	}
	f := &incidentgraph.Figure{SubjectID: in.Subject, Metric: string(in.Metric), Value: in.Value, AsOf: in.AsOf,
		Status: incidentgraph.Status(in.Status), Confidence: in.Confidence, AssertedByID: in.AssertedBy, SourceIDs: in.Sources}
	if in.ID != nil {
		f.ID = *in.ID
	}
	if in.Qualifier != nil {
		f.Qualifier = string(*in.Qualifier)
	}
	for _, x := range []struct {
		dst *string
		v   *string
	}{{&f.Population, in.Population}, {&f.Quote, in.Quote}, {&f.Note, in.Note}} {
		if x.v != nil {
			*x.dst = *x.v
		}
	}
	out, err := r.Curation.AddFigureReport(ctx, w, f)
	if err != nil {
		return nil, curationError(err)
	}
	return toFigure(out), nil
}

func (r *Resolver) mergeEntities(ctx context.Context, survivor string, survivorVersion int, duplicate string, duplicateVersion int, key *string) (model.Entity, error) {
	w, err := r.write(ctx, incidentgraph.RoleCurator, key)
	if err != nil {
		return nil, err
	}
	e, err := r.Curation.MergeEntities(ctx, w, survivor, duplicate, survivorVersion, duplicateVersion)
	if err != nil {
		return nil, curationError(err)
	}
	return entityAt(e, survivorVersion+1), nil
}

func (r *Resolver) deleteEntity(ctx context.Context, id string, version int, reason string, key *string) (bool, error) {
	w, err := r.write(ctx, incidentgraph.RoleAdmin, key)
	if err != nil {
		return false, err
	}
	ok, err := r.Curation.DeleteEntity(ctx, w, id, version, reason)
	return ok, curationError(err)
}

func (r *Resolver) deleteRelationship(ctx context.Context, id string, version int, reason string, key *string) (bool, error) {
	w, err := r.write(ctx, incidentgraph.RoleAdmin, key)
	if err != nil {
		return false, err
	}
	ok, err := r.Curation.DeleteRelationship(ctx, w, id, version, reason)
	return ok, curationError(err)
}

// entityAt is a written entity with the version this write gave it, so that the answer's
// `version` is the one this write produced (a later write may have moved on already). A
// replayed request (same idempotency key) answers the first write's answer, of the same version.
func entityAt(e *incidentgraph.Entity, version int) model.Entity {
	if e != nil {
		e.Version = version
	}
	return toEntity(e)
}

func (r *Resolver) history(ctx context.Context, id string, first *int) ([]*model.Change, error) {
	if r.Curation == nil {
		return []*model.Change{}, nil
	}
	n, err := bounded("first", first, MaxHistory, 1, MaxHistory)
	if err != nil {
		return nil, err
	}
	cs, err := loadersFrom(ctx).loadHistory(ctx, r.Curation, id, n)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Change, len(cs))
	for i, c := range cs {
		out[i] = toChange(c)
	}
	return out, nil
}

func toChange(c *incidentgraph.Change) *model.Change {
	js := func(s string) *model.JSON {
		if s == "" {
			return nil
		}
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return nil
		}
		return &model.JSON{Value: v}
	}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	return &model.Change{ID: c.ID, At: c.At.Format(time.RFC3339Nano), Actor: c.Actor, Role: string(c.Role),
		Operation: c.Operation, TargetID: c.TargetID, TargetKind: c.TargetKind, Version: c.Version,
		Before: js(c.Before), After: js(c.After), Reason: opt(c.Reason), RequestID: opt(c.RequestID), IdempotencyKey: opt(c.IdempotencyKey)}
}

// curationPage checks that the caller has role min and that the service curates, and reads a
// page's arguments: what every paged read of the curation service begins with.
func (r *Resolver) curationPage(ctx context.Context, min incidentgraph.Role, first *int, after *string) (incidentgraph.Page, error) {
	if err := incidentgraph.Require(ctx, min); err != nil {
		return incidentgraph.Page{}, err
	}
	if r.Curation == nil {
		return incidentgraph.Page{}, errNoCuration
	}
	return pageArgs(first, after)
}

// cursorPageInfo is the pageInfo of a page with these cursors.
func cursorPageInfo(cursors []string, hasNext bool) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: hasNext}
	if n := len(cursors); n > 0 {
		info.EndCursor = &cursors[n-1]
	}
	return info
}

func (r *Resolver) auditLog(ctx context.Context, filter *model.AuditFilter, first *int, after *string) (*model.ChangeConnection, error) {
	page, err := r.curationPage(ctx, incidentgraph.RoleAdmin, first, after)
	if err != nil {
		return nil, err
	}
	var f incidentgraph.AuditFilter
	if filter != nil {
		if filter.Entity != nil {
			f.TargetID = *filter.Entity
		}
		if filter.Actor != nil {
			f.Actor = *filter.Actor
		}
		if filter.Operation != nil {
			if err := incidentgraph.CheckOperation(*filter.Operation); err != nil {
				return nil, invalid("filter.operation: %s", incidentgraph.ErrorMessage(err))
			}
			f.Operation = *filter.Operation
		}
		for _, t := range []struct {
			name string
			v    *string
			dst  **time.Time
		}{{"filter.from", filter.From, &f.From}, {"filter.to", filter.To, &f.To}} {
			if t.v == nil {
				continue
			}
			at, err := time.Parse(time.RFC3339Nano, *t.v)
			if err != nil {
				return nil, invalid("%s: %q is not an RFC 3339 instant (e.g. 2026-03-01T00:00:00Z)", t.name, *t.v)
			}
			*t.dst = &at
		}
	}
	res, err := r.Curation.AuditLog(ctx, f, page)
	if err != nil {
		return nil, err
	}
	conn := &model.ChangeConnection{Edges: make([]*model.ChangeEdge, len(res.Changes)), PageInfo: cursorPageInfo(res.Cursors, res.HasNextPage)}
	for i, c := range res.Changes {
		conn.Edges[i] = &model.ChangeEdge{Cursor: res.Cursors[i], Node: toChange(c)}
	}
	return conn, nil
}

func (r *Resolver) possibleDuplicates(ctx context.Context, kind *model.EntityKind, first *int, after *string) (*model.PossibleDuplicateConnection, error) {
	page, err := r.curationPage(ctx, incidentgraph.RoleCurator, first, after)
	if err != nil {
		return nil, err
	}
	var k incidentgraph.Kind
	if kind != nil {
		k = incidentgraph.Kind(*kind)
	}
	res, err := r.Curation.PossibleDuplicates(ctx, k, page)
	if err != nil {
		return nil, err
	}
	conn := &model.PossibleDuplicateConnection{Edges: make([]*model.PossibleDuplicateEdge, len(res.Pairs)),
		PageInfo: cursorPageInfo(res.Cursors, res.HasNextPage)}
	for i, d := range res.Pairs {
		node := &model.PossibleDuplicate{First: toEntity(d.First), Second: toEntity(d.Second), NameAsGiven: optString(d.NameAsGiven),
			DistanceKm: d.DistanceKm, SharedNeighbours: d.SharedNeighbours, RecordedBy: d.RecordedBy,
			RecordedAt: d.RecordedAt.UTC().Format(time.RFC3339Nano)}
		for _, reason := range d.Reasons {
			node.Reasons = append(node.Reasons, model.DuplicateReason(reason))
		}
		conn.Edges[i] = &model.PossibleDuplicateEdge{Cursor: res.Cursors[i], Node: node}
	}
	return conn, nil
}

// afterMerge answers entity(id:) for an id that no entity has: the survivor of the merge that
// removed it, or null.
func (r *Resolver) afterMerge(ctx context.Context, id string, err error) (model.Entity, error) {
	if err != nil || r.Curation == nil {
		return nil, err
	}
	to, err := r.Curation.ResolveID(ctx, id)
	if err != nil || to == id {
		return nil, err
	}
	es, err := loadersFrom(ctx).loadEntities(ctx, []string{to})
	if err != nil || es[0] == nil {
		return nil, err
	}
	return toEntity(es[0]), nil
}
