package neo4j

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
)

var _ incidentgraph.CurationService = (*DB)(nil)

// Bookkeeping properties of curated items. entityFromProps and relFromMap ignore them, so reads
// are unchanged; the loaders never write them (a load skips items of origin "curation").
const (
	propVersion = "version"
	propOrigin  = "origin"
	// propLoadedOrigin keeps where a curated item was first loaded from ("seed", "gtd").
	propLoadedOrigin = "loadedOrigin"
)

// curationSchema are the constraints curation relies on: a unique id per audit entry, one
// idempotency record per caller and key (two racing retries cannot both write), one
// redirect per merged-away id, and the merged-away groups' GTD names, by which a GTD import
// finds them (an index seek per name).
var curationSchema = []string{
	`CREATE CONSTRAINT audit_id IF NOT EXISTS FOR (a:AuditEntry) REQUIRE a.id IS UNIQUE`,
	`CREATE INDEX audit_target IF NOT EXISTS FOR (a:AuditEntry) ON (a.targetId)`,
	`CREATE INDEX audit_ts IF NOT EXISTS FOR (a:AuditEntry) ON (a.ts)`,
	`CREATE CONSTRAINT idempotency_key IF NOT EXISTS FOR (i:Idempotency) REQUIRE i.key IS UNIQUE`,
	`CREATE CONSTRAINT redirect_id IF NOT EXISTS FOR (r:Redirect) REQUIRE r.id IS UNIQUE`,
	`CREATE INDEX redirect_gtdname IF NOT EXISTS FOR (r:Redirect) ON (r.gtdName)`,
}

// EnsureCurationSchema creates the constraints and indexes of curation (idempotent). Run it at
// start, after EnsureSchema: schema changes cannot share a transaction with writes.
func (db *DB) EnsureCurationSchema(ctx context.Context) error {
	for _, stmt := range curationSchema {
		if _, err := driver.ExecuteQuery(ctx, db.driver, stmt, nil, driver.EagerResultTransformer,
			driver.ExecuteQueryWithDatabase(db.cfg.Database), driver.ExecuteQueryWithWritersRouting()); err != nil {
			return fmt.Errorf("neo4j curation schema: %w", classify(ctx, err))
		}
	}
	_, err := driver.ExecuteQuery(ctx, db.driver, `CALL db.awaitIndexes(300)`, nil, driver.EagerResultTransformer,
		driver.ExecuteQueryWithDatabase(db.cfg.Database), driver.ExecuteQueryWithWritersRouting())
	return classify(ctx, err)
}

// auditRec is what a write records about itself; curate adds who, when and how.
type auditRec struct {
	targetID, targetKind string
	version              int
	before, after        map[string]any // nil: nothing (before a create, after a delete)
	reason               string
}

// inTxHook runs the store's test hook, if any (see DB.inTx), inside a write's transaction after
// its change: its locks are held and nothing is committed. Tests pause one side of a race there
// until they see the other side wait for those locks.
func (db *DB) inTxHook(ctx context.Context, op string) error {
	if h := db.inTx.Load(); h != nil {
		return (*h)(ctx, op)
	}
	return nil
}

// versionInTx reads the version of an entity or relationship as tx sees it.
func versionInTx(ctx context.Context, tx driver.ManagedTransaction) func(id string) (int, error) {
	return func(id string) (int, error) {
		recs, err := records(ctx, tx, `MATCH (n:Entity {id: $id}) RETURN properties(n)`, map[string]any{"id": id})
		if err != nil {
			return 0, err
		}
		if len(recs) > 0 {
			return versionOf(recs[0].Values[0].(map[string]any)), nil
		}
		if recs, err = records(ctx, tx, relLookup, map[string]any{"id": id}); err != nil {
			return 0, err
		}
		if _, p := findRel(recs); p != nil {
			return versionOf(p), nil
		}
		return 0, nil
	}
}

// curate runs one curation write in one managed write transaction: the idempotency check, the
// change (work), its audit entries and the idempotency record. Any error rolls all of it back.
// request is what identifies the request for idempotency (the operation's arguments).
func curate[T any](ctx context.Context, db *DB, w incidentgraph.Write, op string, request any,
	work func(tx driver.ManagedTransaction) (T, []auditRec, error)) (T, error) {
	var zero T
	if err := incidentgraph.CheckIdempotencyKey(w.IdempotencyKey); err != nil {
		return zero, err
	}
	reqJSON, err := json.Marshal(map[string]any{"op": op, "request": request})
	if err != nil {
		return zero, err
	}
	sum := sha256.Sum256(reqJSON)
	reqHash := hex.EncodeToString(sum[:])
	idemKey := ""
	if w.IdempotencyKey != "" {
		// Keys are per caller: two curators' "1" are different keys.
		idemKey = w.Actor + "\x00" + w.IdempotencyKey
	}
	attempt := func() (T, error) {
		s := db.driver.NewSession(ctx, driver.SessionConfig{DatabaseName: db.cfg.Database, AccessMode: driver.AccessModeWrite})
		defer s.Close(context.Background())
		return driver.ExecuteWrite(ctx, s, func(tx driver.ManagedTransaction) (T, error) {
			if idemKey != "" {
				// MERGE on the unique key takes its lock first: a second request with the key
				// waits here until the first commits (then finds its answer) or rolls back (then
				// writes itself), before it reads or locks anything else.
				recs, err := records(ctx, tx, `MERGE (i:Idempotency {key: $key}) RETURN i.request AS request, i.response AS response`,
					map[string]any{"key": idemKey})
				if err != nil {
					return zero, err
				}
				if len(recs) > 0 && recs[0].Values[0] != nil {
					if recs[0].Values[0] != reqHash {
						return zero, incidentgraph.InvalidInput([]incidentgraph.Problem{{Field: "idempotencyKey",
							Message: fmt.Sprintf("idempotency key %q was used for a different request; use a new key for a new request", w.IdempotencyKey)}})
					}
					var first T
					if s, _ := recs[0].Values[1].(string); s != "" {
						if err := json.Unmarshal([]byte(s), &first); err != nil {
							return zero, err
						}
					}
					return first, nil
				}
			}
			out, audits, err := work(tx)
			if err != nil {
				return zero, err
			}
			if fault := db.fault.Load(); fault != nil {
				if err := (*fault)(op, versionInTx(ctx, tx)); err != nil {
					return zero, err
				}
			}
			if err := db.inTxHook(ctx, op); err != nil {
				return zero, err
			}
			if err := writeAudit(ctx, tx, w, op, audits); err != nil {
				return zero, err
			}
			if idemKey != "" {
				resp, err := json.Marshal(out)
				if err != nil {
					return zero, err
				}
				if _, err := tx.Run(ctx, `MATCH (i:Idempotency {key: $key})
					SET i.request = $request, i.response = $response, i.actor = $actor, i.operation = $op, i.at = datetime.transaction()`,
					map[string]any{"key": idemKey, "request": reqHash, "response": string(resp), "actor": w.Actor, "op": op}); err != nil {
					return zero, err
				}
			}
			return out, nil
		}, driver.WithTxTimeout(db.cfg.QueryTimeout))
	}
	out, err := attempt()
	var nerr *driver.Neo4jError
	if idemKey != "" && errors.As(lastAttempt(err), &nerr) && nerr.Code == "Neo.ClientError.Schema.ConstraintValidationFailed" {
		// Two first uses of a key racing to create it: the other committed first, so its
		// answer is there now.
		out, err = attempt()
	}
	if err != nil {
		return zero, classify(ctx, err)
	}
	return out, nil
}

// lockEntity takes the write lock on an entity and returns its properties and version. The
// lock comes first, so the version compared is the one no other write can change before this
// transaction ends (Neo4j does not re-check a WHERE after waiting for a lock).
func lockEntity(ctx context.Context, tx driver.ManagedTransaction, id string) (map[string]any, int, error) {
	recs, err := records(ctx, tx, `
		MATCH (n:Entity {id: $id}) SET n._lock = true
		RETURN properties(n) AS props`, map[string]any{"id": id})
	if err != nil || len(recs) == 0 {
		return nil, 0, err
	}
	p, _ := recs[0].Values[0].(map[string]any)
	if p["id"] == nil {
		// Removed (merged away, deleted) by the write this one waited for: Neo4j hands back
		// the node it had matched, without its properties. Not found, rather than an update
		// of an empty entity.
		return nil, 0, nil
	}
	delete(p, "_lock")
	return p, versionOf(p), nil
}

func versionOf(p map[string]any) int {
	if v, ok := p[propVersion].(int64); ok {
		return int(v)
	}
	return 1 // as loaded: version 1
}

// relTypeAlternatives is every allowed relationship type as one pattern alternative
// (A|B|C…), built from the allow-list only.
var relTypeAlternatives = func() string {
	var ts []string
	for _, t := range incidentgraph.RelTypes() {
		ts = append(ts, string(t))
	}
	return strings.Join(ts, "|")
}()

// relLookup finds a relationship by id with an index seek per allowed type (one unique
// constraint per type), never a scan: Neo4j plans a type alternative with an id predicate as a
// union of unique index seeks. It is written as one pattern rather than as a UNION of one
// MATCH per type because planning that took five to seven times as long (250 ms against 40 ms
// on an idle 2-core machine, seconds under load, for every writer at once after a restart or a
// replan). Writes then name the type (relMatch).
var relLookup = "MATCH ()-[r:" + relTypeAlternatives + "]->() WHERE r.id = $id\nRETURN " + relFields + " AS rel"

// relBatchLookup is relLookup for many ids at once ($ids), each by an index seek per type.
var relBatchLookup = "UNWIND $ids AS id\nMATCH ()-[r:" + relTypeAlternatives + "]->() WHERE r.id = id\nRETURN id, properties(r) AS props"

// relMatch matches the relationship $id of type t (from the allow-list) by its index.
func relMatch(t incidentgraph.RelType) (string, error) {
	if _, ok := incidentgraph.LookupRelType(t); !ok {
		return "", fmt.Errorf("relationship type %q is not in the vocabulary", t)
	}
	return "MATCH (:Entity)-[r:" + string(t) + " {id: $id}]->(:Entity)\n", nil
}

// findRel returns the relationship with that id and its properties, or nil.
func findRel(recs []*driver.Record) (*incidentgraph.Relationship, map[string]any) {
	if len(recs) == 0 {
		return nil, nil
	}
	m := recs[0].Values[0].(map[string]any)
	p, _ := m["props"].(map[string]any)
	delete(p, "_lock")
	return relFromMap(m), p
}

// lockRelationship takes the write lock on a relationship and returns it, its properties and
// its version (read after the lock); nil when there is none.
func lockRelationship(ctx context.Context, tx driver.ManagedTransaction, id string) (*incidentgraph.Relationship, map[string]any, error) {
	// A merge moves a relationship by deleting it and creating it anew under the same id: a
	// write that waited for the old one's lock gets it back without its properties, and looks
	// again, once, for the moved one.
	for attempt := 0; attempt < 2; attempt++ {
		recs, err := records(ctx, tx, relLookup, map[string]any{"id": id})
		if err != nil {
			return nil, nil, err
		}
		r, _ := findRel(recs)
		if r == nil {
			return nil, nil, nil
		}
		m, err := relMatch(r.Type)
		if err != nil {
			return nil, nil, err
		}
		if recs, err = records(ctx, tx, m+`SET r._lock = true RETURN `+relFields+` AS rel`, map[string]any{"id": id}); err != nil {
			return nil, nil, err
		}
		if r, p := findRel(recs); r != nil && p["id"] != nil {
			return r, p, nil
		}
	}
	return nil, nil, nil
}

// entitiesByID returns the entities that exist among ids.
func entitiesByID(ctx context.Context, tx driver.ManagedTransaction, ids []string) (map[string]*incidentgraph.Entity, error) {
	recs, err := records(ctx, tx, `UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN properties(n)`, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*incidentgraph.Entity, len(recs))
	for _, r := range recs {
		e := entityFromProps(r.Values[0].(map[string]any))
		out[e.ID] = e
	}
	return out, nil
}

func kindsOf(es map[string]*incidentgraph.Entity) map[string]incidentgraph.Kind {
	out := make(map[string]incidentgraph.Kind, len(es))
	for id, e := range es {
		out[id] = e.Kind
	}
	return out
}

func notFound(what, id string) error {
	return incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no %s with id %s", what, id)
}

// bookkeeping returns the properties an item keeps across a curator's write: it becomes the
// curator's (origin), remembers where it was loaded from, and its version goes up by one.
func bookkeeping(old map[string]any, version int) map[string]any {
	b := map[string]any{propOrigin: incidentgraph.OriginCuration, propVersion: int64(version)}
	if o, _ := old[propOrigin].(string); o != "" && o != incidentgraph.OriginCuration {
		b[propLoadedOrigin] = o
	} else if lo, _ := old[propLoadedOrigin].(string); lo != "" {
		b[propLoadedOrigin] = lo
	}
	return b
}

func mergeProps(maps ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// CreateEntity adds a new entity of origin "curation".
func (db *DB) CreateEntity(ctx context.Context, w incidentgraph.Write, in *incidentgraph.EntityInput) (*incidentgraph.Entity, error) {
	if ps := in.Check("input"); len(ps) > 0 {
		return nil, incidentgraph.InvalidInput(ps)
	}
	e := in.Apply(nil)
	if ps := incidentgraph.ValidateEntity(e, "input"); len(ps) > 0 {
		return nil, incidentgraph.InvalidInput(ps)
	}
	return curate(ctx, db, w, incidentgraph.OpCreateEntity, e, func(tx driver.ManagedTransaction) (*incidentgraph.Entity, []auditRec, error) {
		refs, err := entitiesByID(ctx, tx, append(append([]string{e.ID}, e.SourceIDs...), e.AliasSourceIDs()...))
		if err != nil {
			return nil, nil, err
		}
		if _, ok := refs[e.ID]; ok {
			return nil, nil, incidentgraph.InvalidInput([]incidentgraph.Problem{{Field: "input.id", Message: fmt.Sprintf("duplicate id %s: an entity with this id exists", e.ID)}})
		}
		// A merged-away id keeps answering its survivor: it is not free for a new entity.
		if to, err := single[string](ctx, tx, `OPTIONAL MATCH (r:Redirect {id: $id}) RETURN r.to`, map[string]any{"id": e.ID}); err != nil {
			return nil, nil, err
		} else if to != "" {
			return nil, nil, incidentgraph.InvalidInput([]incidentgraph.Problem{{Field: "input.id", Message: fmt.Sprintf("id %s was merged into %s and stands for it: choose another id", e.ID, to)}})
		}
		if ps := append(incidentgraph.CheckSources(e.SourceIDs, kindsOf(refs), "input"), incidentgraph.CheckAliasSources(e, kindsOf(refs), "input")...); len(ps) > 0 {
			return nil, nil, incidentgraph.InvalidInput(ps)
		}
		props := mergeProps(nodeProps(e), map[string]any{propOrigin: incidentgraph.OriginCuration, propVersion: int64(1)})
		if _, err := tx.Run(ctx, `CREATE (n:Entity) SET n = $props, n:$($label)`,
			map[string]any{"props": props, "label": labels[e.Kind]}); err != nil {
			return nil, nil, err
		}
		return e, []auditRec{{targetID: e.ID, targetKind: incidentgraph.TargetEntity, version: 1, after: entityProps(e)}}, nil
	})
}

// UpdateEntity changes an entity's fields. Its kind and id never change.
func (db *DB) UpdateEntity(ctx context.Context, w incidentgraph.Write, id string, version int, in *incidentgraph.EntityInput) (*incidentgraph.Entity, error) {
	if ps := in.Check("input"); len(ps) > 0 {
		return nil, incidentgraph.InvalidInput(ps)
	}
	if in.ID != nil && *in.ID != id {
		return nil, incidentgraph.InvalidInput([]incidentgraph.Problem{{Field: "input.id", Message: "an entity's id cannot change: create a new entity and merge"}})
	}
	return curate(ctx, db, w, incidentgraph.OpUpdateEntity, map[string]any{"id": id, "version": version, "input": in},
		func(tx driver.ManagedTransaction) (*incidentgraph.Entity, []auditRec, error) {
			old, current, err := lockEntity(ctx, tx, id)
			if err != nil {
				return nil, nil, err
			}
			if old == nil {
				return nil, nil, notFound("entity", id)
			}
			if current != version {
				return nil, nil, incidentgraph.StaleVersion("entity", id, version, current)
			}
			before := entityFromProps(old)
			if in.Kind != nil && *in.Kind != before.Kind {
				return nil, nil, incidentgraph.InvalidInput([]incidentgraph.Problem{{Field: "input.kind", Message: fmt.Sprintf("an entity's kind cannot change (%s is %s)", id, before.Kind)}})
			}
			e := in.Apply(before)
			if ps := incidentgraph.ValidateEntity(e, "input"); len(ps) > 0 {
				return nil, nil, incidentgraph.InvalidInput(ps)
			}
			refs, err := entitiesByID(ctx, tx, append(append([]string{}, e.SourceIDs...), e.AliasSourceIDs()...))
			if err != nil {
				return nil, nil, err
			}
			if ps := append(incidentgraph.CheckSources(e.SourceIDs, kindsOf(refs), "input"), incidentgraph.CheckAliasSources(e, kindsOf(refs), "input")...); len(ps) > 0 {
				return nil, nil, incidentgraph.InvalidInput(ps)
			}
			props := mergeProps(nodeProps(e), bookkeeping(old, current+1))
			if _, err := tx.Run(ctx, `MATCH (n:Entity {id: $id}) SET n = $props`, map[string]any{"id": id, "props": props}); err != nil {
				return nil, nil, err
			}
			if e.Founded != before.Founded || e.Dissolved != before.Dissolved || e.Published != before.Published {
				if err := rederive(ctx, tx, id, e.Published != before.Published); err != nil {
					return nil, nil, err
				}
			}
			return e, []auditRec{{targetID: id, targetKind: incidentgraph.TargetEntity, version: current + 1,
				before: entityProps(before), after: entityProps(e)}}, nil
		})
}

// rederive recomputes the time-view properties (timeview.go) of what depends on an entity's
// dates: its relationships (their ends' founding and dissolution bound them) and, for a source
// whose publication date changed, the assertions and figures citing it. Those are found by a
// scan of the sources lists (no index holds list members): a correction of a source's date is
// rare, and bounded by the transaction's time limit.
func rederive(ctx context.Context, tx driver.ManagedTransaction, id string, cited bool) error {
	q := `MATCH (n:Entity {id: $id})-[r]-(:Entity) RETURN DISTINCT elementId(r) AS eid, ` + relFields + ` AS rel`
	if cited {
		q = `CALL () {
			MATCH (n:Entity {id: $id})-[r]-(:Entity) RETURN r
			UNION
			MATCH (:Entity)-[r]->(:Entity) WHERE $id IN r.sources RETURN r
		}
		RETURN elementId(r) AS eid, ` + relFields + ` AS rel`
	}
	recs, err := records(ctx, tx, q, map[string]any{"id": id})
	if err != nil {
		return err
	}
	rels := make([]*incidentgraph.Relationship, len(recs))
	need := map[string]bool{}
	for i, rec := range recs {
		rels[i] = relFromMap(rec.Values[1].(map[string]any))
		for _, x := range relRefs(rels[i]) {
			need[x] = true
		}
	}
	var figs []*incidentgraph.Figure
	if cited {
		frecs, err := records(ctx, tx, `MATCH (f:Figure) WHERE $id IN f.sources RETURN properties(f)`, map[string]any{"id": id})
		if err != nil {
			return err
		}
		for _, rec := range frecs {
			f := figureFromProps(rec.Values[0].(map[string]any))
			figs = append(figs, f)
			for _, x := range f.SourceIDs {
				need[x] = true
			}
		}
	}
	ids := make([]string, 0, len(need))
	for x := range need {
		ids = append(ids, x)
	}
	refs, err := entitiesByID(ctx, tx, ids)
	if err != nil {
		return err
	}
	es := make([]*incidentgraph.Entity, 0, len(refs))
	for _, e := range refs {
		es = append(es, e)
	}
	tv := newTimeView(es)
	derived := func(p map[string]any, keys ...string) map[string]any {
		out := map[string]any{}
		for _, k := range keys {
			out[k] = p[k] // nil removes what no longer applies
		}
		return out
	}
	rows := make([]map[string]any, len(rels))
	for i, r := range rels {
		p := map[string]any{}
		tv.relationship(r, p)
		rows[i] = map[string]any{"eid": recs[i].Values[0], "props": derived(p, "knownFrom", "validFromStart", "validToEnd")}
	}
	if _, err := tx.Run(ctx, `UNWIND $rows AS row MATCH ()-[r]->() WHERE elementId(r) = row.eid SET r += row.props`,
		map[string]any{"rows": rows}); err != nil {
		return err
	}
	frows := make([]map[string]any, len(figs))
	for i, f := range figs {
		p := map[string]any{}
		tv.figure(f, p)
		frows[i] = map[string]any{"id": f.ID, "props": derived(p, "knownFrom")}
	}
	_, err = tx.Run(ctx, `UNWIND $rows AS row MATCH (f:Figure {id: row.id}) SET f += row.props`, map[string]any{"rows": frows})
	return err
}

// derivedRelProps computes the time-view properties of a relationship (see timeview.go) from
// its ends and sources as the graph holds them.
func derivedRelProps(r *incidentgraph.Relationship, refs map[string]*incidentgraph.Entity) map[string]any {
	es := make([]*incidentgraph.Entity, 0, len(refs))
	for _, e := range refs {
		es = append(es, e)
	}
	p := map[string]any{}
	newTimeView(es).relationship(r, p)
	return p
}

func relRefs(r *incidentgraph.Relationship) []string {
	return append([]string{r.FromID, r.ToID, r.AssertedByID}, r.SourceIDs...)
}

// AddRelationship adds an assertion of origin "curation". Without an id, it gets the seed's
// default id (one party asserts a given link once).
func (db *DB) AddRelationship(ctx context.Context, w incidentgraph.Write, in *incidentgraph.RelationshipInput) (*incidentgraph.Relationship, error) {
	r := in.Apply(nil)
	if ps := incidentgraph.ValidateRelationship(r, "input"); len(ps) > 0 {
		return nil, incidentgraph.InvalidInput(ps)
	}
	if r.ID == "" {
		r.ID = incidentgraph.DefaultRelationshipID(r.FromID, r.Type, r.ToID, r.AssertedByID)
	}
	return curate(ctx, db, w, incidentgraph.OpAddRelationship, r, func(tx driver.ManagedTransaction) (*incidentgraph.Relationship, []auditRec, error) {
		refs, err := entitiesByID(ctx, tx, relRefs(r))
		if err != nil {
			return nil, nil, err
		}
		if ps := incidentgraph.CheckReferences(r, kindsOf(refs), "input"); len(ps) > 0 {
			return nil, nil, incidentgraph.InvalidInput(ps)
		}
		if r.AssertedOn.IsZero() {
			r.AssertedOn = earliest(r.SourceIDs, refs)
		}
		if recs, err := records(ctx, tx, relLookup, map[string]any{"id": r.ID}); err != nil {
			return nil, nil, err
		} else if len(recs) > 0 {
			return nil, nil, incidentgraph.InvalidInput([]incidentgraph.Problem{{Field: "input.id",
				Message: fmt.Sprintf("duplicate relationship id %s: set id to keep two assertions apart", r.ID)}})
		}
		props := mergeProps(relProps(r), derivedRelProps(r, refs), map[string]any{propOrigin: incidentgraph.OriginCuration, propVersion: int64(1)})
		if _, err := tx.Run(ctx, `
			MATCH (a:Entity {id: $from}) MATCH (b:Entity {id: $to})
			CREATE (a)-[r:$($type)]->(b) SET r = $props`,
			map[string]any{"from": r.FromID, "to": r.ToID, "type": string(r.Type), "props": props}); err != nil {
			return nil, nil, err
		}
		return r, []auditRec{{targetID: r.ID, targetKind: incidentgraph.TargetRelationship, version: 1, after: relAudit(r)}}, nil
	})
}

// relAudit is a relationship as the audit log shows it: its properties with type and ends.
func relAudit(r *incidentgraph.Relationship) map[string]any {
	return mergeProps(relProps(r), map[string]any{"type": string(r.Type), "from": r.FromID, "to": r.ToID})
}

func earliest(sources []string, refs map[string]*incidentgraph.Entity) incidentgraph.PartialDate {
	var d incidentgraph.PartialDate
	for _, s := range sources {
		if e := refs[s]; e != nil && !e.Published.IsZero() {
			if d.IsZero() || e.Published.Start() < d.Start() {
				d = e.Published
			}
		}
	}
	return d
}

// UpdateRelationship changes an assertion's provenance (status, confidence, sources, …). Its
// type, ends and asserting party never change: those make another assertion.
func (db *DB) UpdateRelationship(ctx context.Context, w incidentgraph.Write, id string, version int, in *incidentgraph.RelationshipInput) (*incidentgraph.Relationship, error) {
	var ps []incidentgraph.Problem
	for _, f := range []struct {
		name string
		set  bool
	}{{"id", in.ID != nil}, {"type", in.Type != nil}, {"from", in.FromID != nil}, {"to", in.ToID != nil}, {"assertedBy", in.AssertedByID != nil}} {
		if f.set {
			ps = append(ps, incidentgraph.Problem{Field: "input." + f.name,
				Message: f.name + " cannot change: an assertion with another " + f.name + " is another assertion (retract this one and add it)"})
		}
	}
	if len(ps) > 0 {
		return nil, incidentgraph.InvalidInput(ps)
	}
	return curate(ctx, db, w, incidentgraph.OpUpdateRelationship, map[string]any{"id": id, "version": version, "input": in},
		func(tx driver.ManagedTransaction) (*incidentgraph.Relationship, []auditRec, error) {
			before, old, err := lockRelationship(ctx, tx, id)
			if err != nil {
				return nil, nil, err
			}
			if before == nil {
				return nil, nil, notFound("relationship", id)
			}
			current := versionOf(old)
			if current != version {
				return nil, nil, incidentgraph.StaleVersion("relationship", id, version, current)
			}
			r := in.Apply(before)
			if ps := incidentgraph.ValidateRelationship(r, "input"); len(ps) > 0 {
				return nil, nil, incidentgraph.InvalidInput(ps)
			}
			refs, err := entitiesByID(ctx, tx, relRefs(r))
			if err != nil {
				return nil, nil, err
			}
			if ps := incidentgraph.CheckReferences(r, kindsOf(refs), "input"); len(ps) > 0 {
				return nil, nil, incidentgraph.InvalidInput(ps)
			}
			keep := bookkeeping(old, current+1)
			for _, k := range []string{"retractedBy", "retractedAt", "retractionReason"} {
				if v, ok := old[k]; ok {
					keep[k] = v
				}
			}
			props := mergeProps(relProps(r), derivedRelProps(r, refs), keep)
			m, err := relMatch(r.Type)
			if err != nil {
				return nil, nil, err
			}
			if _, err := tx.Run(ctx, m+`SET r = $props`, map[string]any{"id": id, "props": props}); err != nil {
				return nil, nil, err
			}
			return r, []auditRec{{targetID: id, targetKind: incidentgraph.TargetRelationship, version: current + 1,
				before: relAudit(before), after: relAudit(r)}}, nil
		})
}

// RetractRelationship withdraws an assertion: it stays in the graph with who retracted it,
// when and why, and reads leave it out unless asked for retracted assertions.
func (db *DB) RetractRelationship(ctx context.Context, w incidentgraph.Write, id string, version int, reason string) (*incidentgraph.Relationship, error) {
	if err := incidentgraph.CheckReason(reason); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	return curate(ctx, db, w, incidentgraph.OpRetractRelationship, map[string]any{"id": id, "version": version, "reason": reason},
		func(tx driver.ManagedTransaction) (*incidentgraph.Relationship, []auditRec, error) {
			r, old, err := lockRelationship(ctx, tx, id)
			if err != nil {
				return nil, nil, err
			}
			if r == nil {
				return nil, nil, notFound("relationship", id)
			}
			current := versionOf(old)
			if current != version {
				return nil, nil, incidentgraph.StaleVersion("relationship", id, version, current)
			}
			if _, ok := old["retractedAt"]; ok {
				return nil, nil, incidentgraph.Errorf(incidentgraph.ECONFLICT, "relationship %s is retracted already", id)
			}
			m, err := relMatch(r.Type)
			if err != nil {
				return nil, nil, err
			}
			if _, err := tx.Run(ctx, m+`SET r += $keep, r.retractedBy = $by, r.retractedAt = datetime.transaction(),
				r.retractionReason = $reason REMOVE r._lock`,
				map[string]any{"id": id, "keep": bookkeeping(old, current+1), "by": w.Actor, "reason": reason}); err != nil {
				return nil, nil, err
			}
			return r, []auditRec{{targetID: id, targetKind: incidentgraph.TargetRelationship, version: current + 1,
				before: relAudit(r), after: mergeProps(relAudit(r), map[string]any{"retractedBy": w.Actor, "retractionReason": reason}), reason: reason}}, nil
		})
}

// AddFigureReport adds a figure of origin "curation" (a revised toll is a new report).
func (db *DB) AddFigureReport(ctx context.Context, w incidentgraph.Write, f *incidentgraph.Figure) (*incidentgraph.Figure, error) {
	if f.Qualifier == "" {
		f.Qualifier = "EXACT"
	}
	if ps := incidentgraph.ValidateFigure(f, "input"); len(ps) > 0 {
		return nil, incidentgraph.InvalidInput(ps)
	}
	if f.ID == "" {
		f.ID = incidentgraph.DefaultFigureID(f)
	}
	return curate(ctx, db, w, incidentgraph.OpAddFigureReport, f, func(tx driver.ManagedTransaction) (*incidentgraph.Figure, []auditRec, error) {
		refs, err := entitiesByID(ctx, tx, append([]string{f.SubjectID, f.AssertedByID}, f.SourceIDs...))
		if err != nil {
			return nil, nil, err
		}
		if ps := incidentgraph.CheckFigureReferences(f, kindsOf(refs), "input"); len(ps) > 0 {
			return nil, nil, incidentgraph.InvalidInput(ps)
		}
		if n, err := single[int64](ctx, tx, `MATCH (f:Figure {id: $id}) RETURN count(f)`, map[string]any{"id": f.ID}); err != nil {
			return nil, nil, err
		} else if n > 0 {
			return nil, nil, incidentgraph.InvalidInput([]incidentgraph.Problem{{Field: "input.id",
				Message: fmt.Sprintf("duplicate figure id %s: set id to keep two reports apart", f.ID)}})
		}
		es := make([]*incidentgraph.Entity, 0, len(refs))
		for _, e := range refs {
			es = append(es, e)
		}
		p := figureProps(f)
		newTimeView(es).figure(f, p)
		props := mergeProps(p, map[string]any{propOrigin: incidentgraph.OriginCuration, propVersion: int64(1)})
		if _, err := tx.Run(ctx, `CREATE (f:Figure) SET f = $props`, map[string]any{"props": props}); err != nil {
			return nil, nil, err
		}
		return f, []auditRec{{targetID: f.ID, targetKind: incidentgraph.TargetFigure, version: 1, after: figureProps(f)}}, nil
	})
}

// DeleteRelationship removes an assertion for good (admins only: the resolver checks the
// role). The audit entry keeps what it said.
func (db *DB) DeleteRelationship(ctx context.Context, w incidentgraph.Write, id string, version int, reason string) (bool, error) {
	if err := incidentgraph.CheckReason(reason); err != nil {
		return false, err
	}
	return curate(ctx, db, w, incidentgraph.OpDeleteRelationship, map[string]any{"id": id, "version": version, "reason": reason},
		func(tx driver.ManagedTransaction) (bool, []auditRec, error) {
			r, old, err := lockRelationship(ctx, tx, id)
			if err != nil {
				return false, nil, err
			}
			if r == nil {
				return false, nil, notFound("relationship", id)
			}
			if current := versionOf(old); current != version {
				return false, nil, incidentgraph.StaleVersion("relationship", id, version, current)
			}
			m, err := relMatch(r.Type)
			if err != nil {
				return false, nil, err
			}
			if _, err := tx.Run(ctx, m+`DELETE r`, map[string]any{"id": id}); err != nil {
				return false, nil, err
			}
			return true, []auditRec{{targetID: id, targetKind: incidentgraph.TargetRelationship, before: relAudit(r), reason: strings.TrimSpace(reason)}}, nil
		})
}

// DeleteEntity removes an entity and its relationships for good (admins only). The audit keeps
// the entity and each relationship removed with it.
func (db *DB) DeleteEntity(ctx context.Context, w incidentgraph.Write, id string, version int, reason string) (bool, error) {
	if err := incidentgraph.CheckReason(reason); err != nil {
		return false, err
	}
	return curate(ctx, db, w, incidentgraph.OpDeleteEntity, map[string]any{"id": id, "version": version, "reason": reason},
		func(tx driver.ManagedTransaction) (bool, []auditRec, error) {
			old, current, err := lockEntity(ctx, tx, id)
			if err != nil {
				return false, nil, err
			}
			if old == nil {
				return false, nil, notFound("entity", id)
			}
			if current != version {
				return false, nil, incidentgraph.StaleVersion("entity", id, version, current)
			}
			recs, err := records(ctx, tx, `MATCH (n:Entity {id: $id})-[r]-(:Entity) RETURN DISTINCT `+relFields+` AS rel`, map[string]any{"id": id})
			if err != nil {
				return false, nil, err
			}
			audits := []auditRec{{targetID: id, targetKind: incidentgraph.TargetEntity, before: entityProps(entityFromProps(old)), reason: strings.TrimSpace(reason)}}
			for _, rec := range recs {
				r := relFromMap(rec.Values[0].(map[string]any))
				audits = append(audits, auditRec{targetID: r.ID, targetKind: incidentgraph.TargetRelationship, before: relAudit(r), reason: "deleted with entity " + id})
			}
			if _, err := tx.Run(ctx, `MATCH (n:Entity {id: $id}) DETACH DELETE n`, map[string]any{"id": id}); err != nil {
				return false, nil, err
			}
			return true, audits, nil
		})
}

// MergeEntities moves the duplicate's relationships, aliases, sources and figures to the
// survivor and removes the duplicate, leaving a redirect so that its id resolves to the
// survivor. A relationship cannot change its ends in Neo4j: each is recreated with the same id,
// type and properties.
//
// The duplicate's gtdName stays on its redirect, not on the survivor (which keeps its own, and
// an entity has one): a GTD import resolves that name to the duplicate's id and follows the
// redirect, so the links it made under that id are found again on the survivor, not made anew.
func (db *DB) MergeEntities(ctx context.Context, w incidentgraph.Write, survivor, duplicate string, survivorVersion, duplicateVersion int) (*incidentgraph.Entity, error) {
	if survivor == duplicate {
		return nil, incidentgraph.InvalidInput([]incidentgraph.Problem{{Field: "duplicate", Message: "survivor and duplicate are the same entity"}})
	}
	req := map[string]any{"survivor": survivor, "duplicate": duplicate, "survivorVersion": survivorVersion, "duplicateVersion": duplicateVersion}
	return curate(ctx, db, w, incidentgraph.OpMergeEntities, req, func(tx driver.ManagedTransaction) (*incidentgraph.Entity, []auditRec, error) {
		sp, sv, err := lockEntity(ctx, tx, survivor)
		if err != nil {
			return nil, nil, err
		}
		dp, dv, err := lockEntity(ctx, tx, duplicate)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case sp == nil:
			return nil, nil, notFound("entity", survivor)
		case dp == nil:
			return nil, nil, notFound("entity", duplicate)
		case sv != survivorVersion:
			return nil, nil, incidentgraph.StaleVersion("entity", survivor, survivorVersion, sv)
		case dv != duplicateVersion:
			return nil, nil, incidentgraph.StaleVersion("entity", duplicate, duplicateVersion, dv)
		}
		s, d := entityFromProps(sp), entityFromProps(dp)
		if s.Kind != d.Kind {
			return nil, nil, incidentgraph.InvalidInput([]incidentgraph.Problem{{Field: "duplicate",
				Message: fmt.Sprintf("%s is %s and %s is %s: only entities of one kind merge", survivor, s.Kind, duplicate, d.Kind)}})
		}
		after := *s
		seen := map[string]bool{strings.ToLower(s.Name): true}
		for _, a := range s.Aliases {
			seen[strings.ToLower(a)] = true
		}
		// The duplicate's aliases come with what is known of them; its name becomes a bare alias.
		list := s.AliasList()
		for _, a := range append([]incidentgraph.Alias{{Name: d.Name}}, d.AliasList()...) {
			if !seen[strings.ToLower(a.Name)] {
				list = append(list, a)
				seen[strings.ToLower(a.Name)] = true
			}
		}
		after.SetAliases(list)
		after.Aliases = nonNil(after.Aliases)
		for _, src := range d.SourceIDs {
			if !contains(after.SourceIDs, src) {
				after.SourceIDs = append(after.SourceIDs, src)
			}
		}
		// Relationships of the duplicate, recreated on the survivor. A link between the two
		// would become a loop: it is dropped (and audited). Each is locked before it is read,
		// as the entities are: a retraction or update of one that commits while the merge
		// waits is then what the merge moves, instead of being lost under the copy read before.
		recs, err := records(ctx, tx, `MATCH (d:Entity {id: $dup})-[r]-(:Entity) SET r._lock = true
			RETURN DISTINCT `+relFields+` AS rel, properties(r) AS props`,
			map[string]any{"dup": duplicate})
		if err != nil {
			return nil, nil, err
		}
		audits := []auditRec{}
		var rows []map[string]any
		for _, rec := range recs {
			r := relFromMap(rec.Values[0].(map[string]any))
			props := rec.Values[1].(map[string]any)
			delete(props, "_lock")
			if _, ok := incidentgraph.LookupRelType(r.Type); !ok {
				return nil, nil, fmt.Errorf("relationship %s has type %s outside the vocabulary", r.ID, r.Type)
			}
			before := relAudit(r)
			moved := *r
			if moved.FromID == duplicate {
				moved.FromID = survivor
			}
			if moved.ToID == duplicate {
				moved.ToID = survivor
			}
			if moved.AssertedByID == duplicate {
				moved.AssertedByID = survivor
			}
			if moved.FromID == moved.ToID {
				audits = append(audits, auditRec{targetID: r.ID, targetKind: incidentgraph.TargetRelationship, before: before,
					reason: "a link between " + survivor + " and its duplicate " + duplicate + " dropped by the merge"})
				continue
			}
			v := versionOf(props) + 1
			props = mergeProps(props, bookkeeping(props, v))
			props["assertedBy"] = moved.AssertedByID
			rows = append(rows, map[string]any{"from": moved.FromID, "to": moved.ToID, "type": string(r.Type), "props": props})
			audits = append(audits, auditRec{targetID: r.ID, targetKind: incidentgraph.TargetRelationship, version: v, before: before, after: relAudit(&moved)})
		}
		// Assertions made by the duplicate elsewhere name it as a property: they follow too.
		if _, err := tx.Run(ctx, `MATCH (d:Entity {id: $dup})-[r]-(:Entity) DELETE r`, map[string]any{"dup": duplicate}); err != nil {
			return nil, nil, err
		}
		if _, err := tx.Run(ctx, `
			UNWIND $rows AS row
			MATCH (a:Entity {id: row.from}) MATCH (b:Entity {id: row.to})
			CREATE (a)-[r:$(row.type)]->(b) SET r = row.props`, map[string]any{"rows": rows}); err != nil {
			return nil, nil, err
		}
		if _, err := tx.Run(ctx, `
			MATCH (:Entity)-[r]->(:Entity) WHERE r.assertedBy = $dup
			SET r.loadedOrigin = CASE WHEN r.origin <> 'curation' THEN r.origin ELSE r.loadedOrigin END,
			    r.origin = 'curation', r.assertedBy = $survivor, r.version = coalesce(r.version, 1) + 1`,
			map[string]any{"dup": duplicate, "survivor": survivor}); err != nil {
			return nil, nil, err
		}
		if _, err := tx.Run(ctx, `
			MATCH (f:Figure) WHERE f.subject = $dup OR f.assertedBy = $dup
			SET f.loadedOrigin = CASE WHEN f.origin <> 'curation' THEN f.origin ELSE f.loadedOrigin END,
			    f.origin = 'curation', f.version = coalesce(f.version, 1) + 1,
			    f.subject = CASE WHEN f.subject = $dup THEN $survivor ELSE f.subject END,
			    f.assertedBy = CASE WHEN f.assertedBy = $dup THEN $survivor ELSE f.assertedBy END`,
			map[string]any{"dup": duplicate, "survivor": survivor}); err != nil {
			return nil, nil, err
		}
		props := mergeProps(nodeProps(&after), bookkeeping(sp, sv+1))
		if _, err := tx.Run(ctx, `
			MATCH (s:Entity {id: $survivor}) SET s = $props
			WITH s
			MATCH (d:Entity {id: $dup}) DETACH DELETE d
			WITH s
			OPTIONAL MATCH (old:Redirect {to: $dup}) SET old.to = $survivor
			WITH s
			CREATE (:Redirect {id: $dup, to: $survivor, at: datetime.transaction(), gtdName: $gtdName})`,
			map[string]any{"survivor": survivor, "dup": duplicate, "props": props, "gtdName": nilIfEmpty(d.GTDName)}); err != nil {
			return nil, nil, err
		}
		redirected := map[string]any{"mergedInto": survivor}
		if d.GTDName != "" {
			redirected["gtdName"] = d.GTDName
		}
		audits = append([]auditRec{
			{targetID: survivor, targetKind: incidentgraph.TargetEntity, version: sv + 1, before: entityProps(s), after: entityProps(&after),
				reason: "merged " + duplicate + " into it"},
			{targetID: duplicate, targetKind: incidentgraph.TargetEntity, before: entityProps(d), after: redirected},
		}, audits...)
		return &after, audits, nil
	})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// ResolveID returns the entity id that id stands for: the survivor of the merge that removed
// it, or id itself.
func (db *DB) ResolveID(ctx context.Context, id string) (string, error) {
	res, err := db.read(ctx, `OPTIONAL MATCH (r:Redirect {id: $id}) RETURN coalesce(r.to, $id)`, map[string]any{"id": id})
	if err != nil {
		return "", err
	}
	s, _ := res.Records[0].Values[0].(string)
	return s, nil
}

// Versions returns the version of each entity, relationship or figure id that exists. The API
// reads versions with the items themselves (read.go); this is for checks of the store's writes
// from outside it (tests, tools), which must not go through the read they check.
func (db *DB) Versions(ctx context.Context, ids []string) (map[string]int, error) {
	res, err := db.read(ctx, `
		UNWIND $ids AS id
		CALL (id) {
			OPTIONAL MATCH (n:Entity {id: id}) RETURN n.version AS v, n IS NOT NULL AS found
			UNION ALL
			OPTIONAL MATCH (f:Figure {id: id}) RETURN f.version AS v, f IS NOT NULL AS found
		}
		WITH id, v, found WHERE found
		RETURN id, coalesce(v, 1) AS version`, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, rec := range res.Records {
		out[rec.Values[0].(string)] = int(rec.Values[1].(int64))
	}
	var rest []string
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			rest = append(rest, id)
		}
	}
	if len(rest) == 0 {
		return out, nil
	}
	res, err = db.read(ctx, relBatchLookup, map[string]any{"ids": rest})
	if err != nil {
		return nil, err
	}
	for _, rec := range res.Records {
		out[rec.Values[0].(string)] = versionOf(rec.Values[1].(map[string]any))
	}
	return out, nil
}

// Retractions returns the retraction of each relationship id that has one, in one query. Like
// Versions, for checks of the store's writes from outside it; the API reads retractions with
// the relationships.
func (db *DB) Retractions(ctx context.Context, relIDs []string) (map[string]*incidentgraph.Retraction, error) {
	res, err := db.read(ctx, relBatchLookup, map[string]any{"ids": relIDs})
	if err != nil {
		return nil, err
	}
	out := map[string]*incidentgraph.Retraction{}
	for _, rec := range res.Records {
		if rt := retractionOf(rec.Values[1].(map[string]any)); rt != nil {
			out[rec.Values[0].(string)] = rt
		}
	}
	return out, nil
}
