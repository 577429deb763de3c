package neo4j

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
)

// WriteOptions say whose a batch is and how much of it the batch is.
type WriteOptions struct {
	// Origin owns what the batch writes: "seed", "gtd", "stix". An item of another origin (a
	// curator's, origin "curation", or another reader's) is left as it is.
	Origin string
	// Replace says the batch is everything of its origin: items of that origin the batch does
	// not hold are removed (the seed load).
	Replace bool
}

// writeSpec is what one write transaction does: the options, and the GTD import's leniency.
type writeSpec struct {
	WriteOptions
	// skipDangling leaves out a link or figure whose end is neither in the batch nor in the
	// graph instead of refusing the batch: a GTD row's RELATED_TO to a row of a later chunk,
	// which that chunk writes.
	skipDangling bool
	// redirects, when set, are the survivors of the merged-away ids the batch names, already
	// looked up in this transaction or in the import's preparation of the chunk.
	redirects map[string]survivor
}

// hookWriteBatch names the point at the end of a batch's transaction, before its commit, where
// the store's test hook runs (DB.inTxHook).
const hookWriteBatch = "writeBatch"

// WriteBatch writes a batch in one write transaction: all of it or, on any error, nothing.
//
//   - Entities are written by id. A new one gets origin opts.Origin; an existing one is
//     updated only when its origin is opts.Origin, else it is kept as it is (a curator's
//     correction, another reader's item).
//   - An id a curator merged away (a :Redirect) is not recreated: its survivor stands for it,
//     and relationships and figures naming it are written on the survivor, under their own ids
//     (those the merge kept when it moved them). A link the merge turned into a loop on the
//     survivor is left out, as the merge dropped it.
//   - Relationships are written by id and type (from the vocabulary), same origin rule. An end
//     that is neither in the batch nor in the graph refuses the batch, naming the link and
//     the end; so does a figure's subject.
//   - Figures are written by id, same origin rule.
//   - With opts.Replace, items of opts.Origin the batch does not hold are removed.
//
// Writing the same batch again changes nothing. Labels and relationship types come only from
// the allow-lists; everything else is a parameter.
func (db *DB) WriteBatch(ctx context.Context, b *incidentgraph.Batch, opts WriteOptions) (*incidentgraph.WriteStats, error) {
	if err := checkBatch(b, opts); err != nil {
		return nil, err
	}
	if err := db.EnsureSchema(ctx); err != nil {
		return nil, err
	}
	// Redirects are looked up by their unique id (an index seek).
	if err := db.EnsureCurationSchema(ctx); err != nil {
		return nil, err
	}
	var stats *incidentgraph.WriteStats
	err := db.writeTx(ctx, func(tx driver.ManagedTransaction) error {
		var err error
		if stats, _, err = writeBatchTx(ctx, tx, b, writeSpec{WriteOptions: opts}); err != nil {
			return err
		}
		return db.inTxHook(ctx, hookWriteBatch)
	})
	if err != nil {
		return nil, err
	}
	return stats, nil
}

// writeTx runs work in one managed write transaction with the store's write timeout.
func (db *DB) writeTx(ctx context.Context, work func(tx driver.ManagedTransaction) error) error {
	s := db.driver.NewSession(ctx, driver.SessionConfig{DatabaseName: db.cfg.Database, AccessMode: driver.AccessModeWrite})
	defer s.Close(context.Background())
	_, err := driver.ExecuteWrite(ctx, s, func(tx driver.ManagedTransaction) (bool, error) {
		return true, work(tx)
	}, driver.WithTxTimeout(db.cfg.WriteTimeout))
	if nerr := (*driver.Neo4jError)(nil); errors.As(err, &nerr) && nerr.Code == "Neo.ClientError.Schema.ConstraintValidationFailed" {
		// What the write created was not there when it looked: another writer created it
		// since. The constraint refused the duplicate and the transaction rolled back.
		return &codedError{incidentgraph.Errorf(incidentgraph.ECONFLICT,
			"an item this write was creating was created meanwhile by another writer; nothing was written: write again"), err}
	}
	return classify(ctx, err)
}

// checkBatch refuses, before any database work, a batch the writer cannot write: an origin
// that is not a reader's, an entity of no known kind, a relationship type outside the
// vocabulary, an item without an id, an id given twice.
func checkBatch(b *incidentgraph.Batch, opts WriteOptions) error {
	bad := func(format string, args ...any) error {
		return incidentgraph.Errorf(incidentgraph.EINVALID, "write: "+format, args...)
	}
	if opts.Origin == "" || opts.Origin == incidentgraph.OriginCuration {
		return bad("origin %q: a batch belongs to a reader (seed, gtd, stix …); curators write through curation", opts.Origin)
	}
	if b == nil {
		return bad("no batch")
	}
	seen := map[string]bool{}
	for _, e := range b.Entities {
		if e == nil || e.ID == "" {
			return bad("an entity without an id")
		}
		if _, ok := labels[e.Kind]; !ok {
			return bad("entity %q: unknown kind %q", e.ID, e.Kind)
		}
		if seen[e.ID] {
			return bad("entity %q: given twice", e.ID)
		}
		seen[e.ID] = true
	}
	clear(seen)
	for _, r := range b.Relationships {
		if r == nil || r.ID == "" {
			return bad("a relationship without an id")
		}
		if _, ok := incidentgraph.LookupRelType(r.Type); !ok {
			return bad("relationship %q: unknown type %q", r.ID, r.Type)
		}
		if r.FromID == "" || r.ToID == "" {
			return bad("relationship %q: an end without an id", r.ID)
		}
		if seen[r.ID] {
			return bad("relationship %q: given twice", r.ID)
		}
		seen[r.ID] = true
	}
	clear(seen)
	for _, f := range b.Figures {
		if f == nil || f.ID == "" {
			return bad("a figure without an id")
		}
		if f.SubjectID == "" {
			return bad("figure %q: no subject", f.ID)
		}
		if seen[f.ID] {
			return bad("figure %q: given twice", f.ID)
		}
		seen[f.ID] = true
	}
	return nil
}

// nodeState is what the graph holds of an entity a batch names.
type nodeState struct {
	origin                        string
	founded, dissolved, published incidentgraph.PartialDate
}

// Typed statement rows; params turns them into what the driver sends.
type (
	entityRow struct {
		id    string
		props map[string]any
	}
	relRow struct {
		id, from, to string
		typ          incidentgraph.RelType
		props        map[string]any
	}
	figureRow struct {
		id    string
		props map[string]any
	}
)

func (r entityRow) param() map[string]any { return map[string]any{"id": r.id, "props": r.props} }
func (r relRow) param() map[string]any {
	return map[string]any{"id": r.id, "from": r.from, "to": r.to, "props": r.props}
}
func (r figureRow) param() map[string]any { return map[string]any{"id": r.id, "props": r.props} }

func params[T interface{ param() map[string]any }](rows []T) []map[string]any {
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		out[i] = r.param()
	}
	return out
}

// writeBatchTx writes b in tx (see WriteBatch) and returns what it did and the ids of the
// entities it created. The driver may run it more than once (it retries transient errors): it
// reads everything it decides on again each time.
func writeBatchTx(ctx context.Context, tx driver.ManagedTransaction, b *incidentgraph.Batch, spec writeSpec) (*incidentgraph.WriteStats, map[string]bool, error) {
	stats := &incidentgraph.WriteStats{}
	origin := spec.Origin

	// 1. What the graph holds of every id the batch names: redirects first, then the entities.
	named := namedIDs(b)
	merged := spec.redirects
	if merged == nil {
		var err error
		if merged, err = followRedirects(ctx, tx, named); err != nil {
			return nil, nil, err
		}
	}
	to := func(id string) string {
		if s, ok := merged[id]; ok {
			return s.id
		}
		return id
	}
	all := func(ids []string) []string {
		if len(merged) == 0 {
			return ids
		}
		out := make([]string, 0, len(ids))
		for _, id := range ids {
			if x := to(id); !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
		return out
	}
	lookup := make([]string, 0, len(named))
	for _, id := range named {
		if _, gone := merged[id]; !gone {
			lookup = append(lookup, id)
		}
	}
	state, err := entityStates(ctx, tx, lookup)
	if err != nil {
		return nil, nil, err
	}

	// 2. Entities: created, updated (ours), kept (another origin's) or redirected.
	inBatch := make(map[string]bool, len(b.Entities))
	for _, e := range b.Entities {
		inBatch[e.ID] = true
	}
	survivors := make(map[string]bool, len(merged))
	for _, s := range merged {
		survivors[s.id] = true
	}
	// What stands after the write: the batch's entities (but the merged-away) and the graph's,
	// but those of the origin a replacing write removes.
	exists := func(id string) bool {
		if inBatch[id] {
			_, gone := merged[id]
			return !gone
		}
		st, ok := state[id]
		if !ok {
			return survivors[id]
		}
		return !(spec.Replace && st.origin == origin)
	}
	created := map[string]bool{}
	var newEntities, oldEntities []*incidentgraph.Entity
	for _, e := range b.Entities {
		if _, gone := merged[e.ID]; gone {
			stats.EntitiesRedirected++
			continue
		}
		if len(merged) > 0 && len(e.SourceIDs) > 0 {
			c := *e
			c.SourceIDs = all(e.SourceIDs)
			e = &c
		}
		st, ok := state[e.ID]
		switch {
		case !ok:
			created[e.ID] = true
			newEntities = append(newEntities, e)
		case st.origin == origin:
			oldEntities = append(oldEntities, e)
		default:
			stats.EntitiesKept++
		}
	}

	// The dates that bound the batch's links and figures are their ends' as the graph will
	// hold them: the batch's for what it writes, the graph's for the rest (a curator's
	// correction, a survivor).
	tv := &timeView{published: map[string]incidentgraph.PartialDate{}, founded: map[string]incidentgraph.PartialDate{}, dissolved: map[string]incidentgraph.PartialDate{}}
	for id, st := range state {
		tv.published[id], tv.founded[id], tv.dissolved[id] = st.published, st.founded, st.dissolved
	}
	for _, s := range merged {
		if _, ok := state[s.id]; !ok {
			tv.published[s.id], tv.founded[s.id], tv.dissolved[s.id] = s.published, s.founded, s.dissolved
		}
	}
	for _, es := range [][]*incidentgraph.Entity{newEntities, oldEntities} {
		for _, e := range es {
			tv.published[e.ID], tv.founded[e.ID], tv.dissolved[e.ID] = "", e.Founded, e.Dissolved
			if e.Kind == incidentgraph.KindSource {
				tv.published[e.ID] = e.Published
			}
		}
	}

	// 3. Relationships and figures on the survivors; an end that will not stand refuses the
	// batch (or, for the import, leaves the link to a later chunk).
	var rels []relRow
	var dangling []string
	for _, r := range b.Relationships {
		m := *r
		m.FromID, m.ToID, m.AssertedByID, m.SourceIDs = to(r.FromID), to(r.ToID), to(r.AssertedByID), all(r.SourceIDs)
		if m.FromID == m.ToID && r.FromID != r.ToID {
			stats.Skipped++
			continue
		}
		if end := firstMissing(exists, m.FromID, m.ToID); end != "" {
			if spec.skipDangling {
				stats.Skipped++
				continue
			}
			dangling = append(dangling, fmt.Sprintf("relationship %q (%s): its end %q is neither in the batch nor in the graph", r.ID, r.Type, end))
			continue
		}
		p := relProps(&m)
		tv.relationship(&m, p)
		p["origin"] = origin
		rels = append(rels, relRow{id: m.ID, from: m.FromID, to: m.ToID, typ: m.Type, props: p})
	}
	if len(dangling) > 0 {
		return nil, nil, incidentgraph.Errorf(incidentgraph.EINVALID, "write: %s (%d of %d relationships have an end that does not exist)",
			dangling[0], len(dangling), len(b.Relationships))
	}
	var figs []figureRow
	for _, f := range b.Figures {
		m := *f
		m.SubjectID, m.AssertedByID, m.SourceIDs = to(f.SubjectID), to(f.AssertedByID), all(f.SourceIDs)
		if !exists(m.SubjectID) {
			if spec.skipDangling {
				stats.Skipped++
				continue
			}
			return nil, nil, incidentgraph.Errorf(incidentgraph.EINVALID, "write: figure %q: its subject %q is neither in the batch nor in the graph", f.ID, m.SubjectID)
		}
		p := figureProps(&m)
		tv.figure(&m, p)
		p["origin"] = origin
		figs = append(figs, figureRow{id: m.ID, props: p})
	}

	// 4. A replacing write first removes what of its origin the batch no longer holds.
	if spec.Replace {
		n, err := removeMissing(ctx, tx, b, rels, figs, origin)
		if err != nil {
			return nil, nil, err
		}
		stats.Removed = n
	}

	// 5. Write.
	if err := createEntities(ctx, tx, newEntities, origin); err != nil {
		return nil, nil, err
	}
	stats.EntitiesCreated = len(newEntities)
	if err := updateEntities(ctx, tx, oldEntities, origin, stats); err != nil {
		return nil, nil, err
	}
	if err := writeRelationships(ctx, tx, rels, created, origin, stats); err != nil {
		return nil, nil, err
	}
	if err := writeFigures(ctx, tx, figs, origin, stats); err != nil {
		return nil, nil, err
	}
	return stats, created, nil
}

func firstMissing(exists func(string) bool, ids ...string) string {
	for _, id := range ids {
		if !exists(id) {
			return id
		}
	}
	return ""
}

// namedIDs lists every id a batch writes or refers to, once.
func namedIDs(b *incidentgraph.Batch) []string {
	seen := map[string]bool{}
	var ids []string
	add := func(xs ...string) {
		for _, x := range xs {
			if x != "" && !seen[x] {
				seen[x] = true
				ids = append(ids, x)
			}
		}
	}
	for _, e := range b.Entities {
		add(e.ID)
		add(e.SourceIDs...)
	}
	for _, r := range b.Relationships {
		add(r.FromID, r.ToID, r.AssertedByID)
		add(r.SourceIDs...)
	}
	for _, f := range b.Figures {
		add(f.SubjectID, f.AssertedByID)
		add(f.SourceIDs...)
	}
	return ids
}

// entityStates reads the origin and dates of the entities with the given ids (an index seek
// each); ids not in the graph are not in the answer.
func entityStates(ctx context.Context, tx driver.ManagedTransaction, ids []string) (map[string]nodeState, error) {
	out := make(map[string]nodeState, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	recs, err := records(ctx, tx, `
		UNWIND $ids AS id
		MATCH (n:Entity {id: id})
		RETURN id, n.origin, n.founded, n.dissolved, n.published`, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	s := func(v any) string { x, _ := v.(string); return x }
	for _, r := range recs {
		out[s(r.Values[0])] = nodeState{origin: s(r.Values[1]), founded: incidentgraph.PartialDate(s(r.Values[2])),
			dissolved: incidentgraph.PartialDate(s(r.Values[3])), published: incidentgraph.PartialDate(s(r.Values[4]))}
	}
	return out, nil
}

// removeMissing removes the items of origin that the batch does not hold: entities by id,
// relationships by id, type and ends (one whose type or ends changed is removed and written
// anew), figures by id.
func removeMissing(ctx context.Context, tx driver.ManagedTransaction, b *incidentgraph.Batch, rels []relRow, figs []figureRow, origin string) (int, error) {
	ids := make([]string, 0, len(b.Entities))
	for _, e := range b.Entities {
		ids = append(ids, e.ID)
	}
	keys := make([]string, 0, len(rels))
	for _, r := range rels {
		keys = append(keys, relKey(r.id, string(r.typ), r.from, r.to))
	}
	figIDs := make([]string, 0, len(figs))
	for _, f := range figs {
		figIDs = append(figIDs, f.id)
	}
	removed := 0
	for _, st := range []struct {
		cypher string
		params map[string]any
	}{
		{`MATCH (n:Entity) WHERE n.origin = $origin AND NOT n.id IN $ids
		  DETACH DELETE n RETURN count(*)`, map[string]any{"origin": origin, "ids": ids}},
		{`MATCH (a:Entity)-[r]->(b:Entity)
		  WHERE r.origin = $origin AND NOT (r.id + '|' + type(r) + '|' + a.id + '|' + b.id) IN $keys
		  DELETE r RETURN count(*)`, map[string]any{"origin": origin, "keys": keys}},
		{`MATCH (f:Figure) WHERE f.origin = $origin AND NOT f.id IN $ids
		  DELETE f RETURN count(*)`, map[string]any{"origin": origin, "ids": figIDs}},
	} {
		n, err := single[int64](ctx, tx, st.cypher, st.params)
		if err != nil {
			return 0, err
		}
		removed += int(n)
	}
	return removed, nil
}

func relKey(id, typ, from, to string) string { return id + "|" + typ + "|" + from + "|" + to }

// byLabel groups entities by their label (from the allow-list) as statement rows, in a stable
// order, so that each statement has one text per label and its plan is reused.
func byLabel(es []*incidentgraph.Entity, origin string) ([]string, map[string][]entityRow) {
	groups := map[string][]entityRow{}
	var order []string
	for _, e := range es {
		label := labels[e.Kind] // checkBatch refused unknown kinds
		p := nodeProps(e)
		p["origin"] = origin
		if _, ok := groups[label]; !ok {
			order = append(order, label)
		}
		groups[label] = append(groups[label], entityRow{id: e.ID, props: p})
	}
	slices.Sort(order)
	return order, groups
}

// otherLabels lists the kind labels but label, as a label expression: n:A|B|C.
func otherLabels(label string, sep string) string {
	var others []string
	for _, k := range incidentgraph.Kinds {
		if l := labels[k]; l != label {
			others = append(others, l)
		}
	}
	return strings.Join(others, sep)
}

// createEntities creates entities known not to exist, one statement per label.
func createEntities(ctx context.Context, tx driver.ManagedTransaction, es []*incidentgraph.Entity, origin string) error {
	order, groups := byLabel(es, origin)
	for _, label := range order {
		if _, err := run(ctx, tx, `
			UNWIND $rows AS row
			CREATE (n:Entity:`+label+`)
			SET n = row.props`, map[string]any{"rows": params(groups[label])}); err != nil {
			return err
		}
	}
	return nil
}

// updateEntities rewrites existing entities of origin, one statement per label; one whose
// origin is another's by the time its lock is held is kept.
//
// The write lock on each entity is taken (SET _lock, removed at once) before its origin is
// read: Neo4j does not re-read a WHERE after waiting for a lock, so a curator's correction
// committed while the write waited would otherwise be partly overwritten (its origin set back
// to the reader's, so that the next write replaced the rest). Only what differs is written.
func updateEntities(ctx context.Context, tx driver.ManagedTransaction, es []*incidentgraph.Entity, origin string, stats *incidentgraph.WriteStats) error {
	order, groups := byLabel(es, origin)
	for _, label := range order {
		rows := groups[label]
		recs, err := records(ctx, tx, `
			UNWIND $rows AS row
			MATCH (n:Entity {id: row.id})
			SET n._lock = true
			REMOVE n._lock
			WITH n, row WHERE n.origin = $origin
			WITH n, row, (properties(n) <> row.props OR NOT n:`+label+` OR n:`+otherLabels(label, "|")+`) AS changed
			FOREACH (_ IN CASE WHEN changed THEN [1] ELSE [] END |
				SET n = row.props, n:`+label+`
				REMOVE n:`+otherLabels(label, ":")+`)
			RETURN count(n), count(CASE WHEN changed THEN 1 END)`, map[string]any{"rows": params(rows), "origin": origin})
		if err != nil {
			return err
		}
		mine, changed := twoCounts(recs)
		stats.EntitiesUpdated += changed
		stats.EntitiesUnchanged += mine - changed
		stats.EntitiesKept += len(rows) - mine
	}
	return nil
}

func twoCounts(recs []*driver.Record) (int, int) {
	if len(recs) == 0 {
		return 0, 0
	}
	a, _ := recs[0].Values[0].(int64)
	b, _ := recs[0].Values[1].(int64)
	return int(a), int(b)
}

// relKeys are the properties a relationship may have as written (relProps, the time view,
// origin). The statement that creates relationships names each (an absent one is null, which
// Neo4j does not store): from a map (SET r = row.props) Neo4j cannot tell which properties are
// set, and so, to keep them from the index seeks on the ends' ids, materializes every row of
// the chunk first (an Eager operator in the plan) before it creates the first link.
var relKeys = []string{"id", "status", "confidence", "assertedBy", "sources", "quote", "basis", "validFrom", "validTo",
	"assertedOn", "note", "knownFrom", "validFromStart", "validToEnd", "origin", "fromNameAsGiven", "toNameAsGiven"}

// missingRelKeys lists the properties of p the relationship-creating statement would not write.
func missingRelKeys(p map[string]any) []string {
	var out []string
	for k := range p {
		if !slices.Contains(relKeys, k) {
			out = append(out, k)
		}
	}
	return out
}

var relCreateProps = func() string {
	parts := make([]string, len(relKeys))
	for i, k := range relKeys {
		parts[i] = k + ": row.props." + k
	}
	return "{" + strings.Join(parts, ", ") + "}"
}()

// writeRelationships writes links, one statement per type (spliced after the vocabulary
// check) so that each has a stable text and plan. A link with an end created by this batch
// cannot exist yet and is created; the others are looked up by id (the type's unique index)
// and created, rewritten (ours, same ends), moved (ours, other ends: removed and created) or
// kept (another origin's).
func writeRelationships(ctx context.Context, tx driver.ManagedTransaction, rels []relRow, createdEnds map[string]bool, origin string, stats *incidentgraph.WriteStats) error {
	byType := map[incidentgraph.RelType][]relRow{}
	var order []incidentgraph.RelType
	for _, r := range rels {
		if _, ok := byType[r.typ]; !ok {
			order = append(order, r.typ)
		}
		byType[r.typ] = append(byType[r.typ], r)
	}
	slices.Sort(order)
	for _, t := range order {
		if _, ok := incidentgraph.LookupRelType(t); !ok { // checked by checkBatch; the splice relies on it
			return incidentgraph.Errorf(incidentgraph.EINTERNAL, "relationship type %q is not in the vocabulary", t)
		}
		var fresh, known []relRow
		for _, r := range byType[t] {
			if createdEnds[r.from] || createdEnds[r.to] {
				fresh = append(fresh, r)
			} else {
				known = append(known, r)
			}
		}
		var update, moved []relRow
		if len(known) > 0 {
			ids := make([]string, len(known))
			for i, r := range known {
				ids[i] = r.id
			}
			recs, err := records(ctx, tx, `
				UNWIND $ids AS id
				MATCH (a)-[r:`+string(t)+` {id: id}]->(b)
				RETURN id, r.origin, a.id, b.id`, map[string]any{"ids": ids})
			if err != nil {
				return err
			}
			type found struct{ origin, from, to string }
			there := make(map[string]found, len(recs))
			for _, rec := range recs {
				s := func(i int) string { x, _ := rec.Values[i].(string); return x }
				there[s(0)] = found{s(1), s(2), s(3)}
			}
			for _, r := range known {
				f, ok := there[r.id]
				switch {
				case !ok:
					fresh = append(fresh, r)
				case f.origin != origin:
					stats.RelationshipsKept++
				case f.from == r.from && f.to == r.to:
					update = append(update, r)
				default:
					moved = append(moved, r)
				}
			}
		}
		if len(moved) > 0 {
			ids := make([]string, len(moved))
			for i, r := range moved {
				ids[i] = r.id
			}
			if _, err := run(ctx, tx, `
				UNWIND $ids AS id
				MATCH ()-[r:`+string(t)+` {id: id}]->()
				WHERE r.origin = $origin
				DELETE r`, map[string]any{"ids": ids, "origin": origin}); err != nil {
				return err
			}
			fresh = append(fresh, moved...)
		}
		if len(fresh) > 0 {
			for _, r := range fresh {
				if missing := missingRelKeys(r.props); len(missing) > 0 {
					return incidentgraph.Errorf(incidentgraph.EINTERNAL, "relationship %q: properties %v are not among relKeys", r.id, missing)
				}
			}
			n, err := single[int64](ctx, tx, `
				UNWIND $rows AS row
				MATCH (a:Entity {id: row.from})
				MATCH (b:Entity {id: row.to})
				CREATE (a)-[r:`+string(t)+` `+relCreateProps+`]->(b)
				RETURN count(r)`, map[string]any{"rows": params(fresh)})
			if err != nil {
				return err
			}
			if int(n) != len(fresh) {
				return incidentgraph.Errorf(incidentgraph.ECONFLICT, "write: %d of %d %s relationships lost an end while being written (removed by another writer?): write again",
					len(fresh)-int(n), len(fresh), t)
			}
			stats.RelationshipsCreated += len(fresh)
		}
		if len(update) > 0 {
			// Locked before the origin is read again, as updateEntities does.
			recs, err := records(ctx, tx, `
				UNWIND $rows AS row
				MATCH ()-[r:`+string(t)+` {id: row.id}]->()
				SET r._lock = true
				REMOVE r._lock
				WITH r, row WHERE r.origin = $origin
				WITH r, row, properties(r) <> row.props AS changed
				FOREACH (_ IN CASE WHEN changed THEN [1] ELSE [] END | SET r = row.props)
				RETURN count(r), count(CASE WHEN changed THEN 1 END)`, map[string]any{"rows": params(update), "origin": origin})
			if err != nil {
				return err
			}
			mine, changed := twoCounts(recs)
			stats.RelationshipsUpdated += changed
			stats.RelationshipsUnchanged += mine - changed
			stats.RelationshipsKept += len(update) - mine
		}
	}
	return nil
}

// writeFigures writes figures by id: created, rewritten (ours) or kept (another origin's).
func writeFigures(ctx context.Context, tx driver.ManagedTransaction, figs []figureRow, origin string, stats *incidentgraph.WriteStats) error {
	if len(figs) == 0 {
		return nil
	}
	ids := make([]string, len(figs))
	for i, f := range figs {
		ids[i] = f.id
	}
	recs, err := records(ctx, tx, `UNWIND $ids AS id MATCH (f:Figure {id: id}) RETURN id, f.origin`, map[string]any{"ids": ids})
	if err != nil {
		return err
	}
	there := make(map[string]string, len(recs))
	for _, r := range recs {
		id, _ := r.Values[0].(string)
		o, _ := r.Values[1].(string)
		there[id] = o
	}
	var fresh, update []figureRow
	for _, f := range figs {
		o, ok := there[f.id]
		switch {
		case !ok:
			fresh = append(fresh, f)
		case o == origin:
			update = append(update, f)
		default:
			stats.FiguresKept++
		}
	}
	if len(fresh) > 0 {
		if _, err := run(ctx, tx, `
			UNWIND $rows AS row
			CREATE (f:Figure)
			SET f = row.props`, map[string]any{"rows": params(fresh)}); err != nil {
			return err
		}
		stats.FiguresCreated += len(fresh)
	}
	if len(update) > 0 {
		recs, err := records(ctx, tx, `
			UNWIND $rows AS row
			MATCH (f:Figure {id: row.id})
			SET f._lock = true
			REMOVE f._lock
			WITH f, row WHERE f.origin = $origin
			WITH f, row, properties(f) <> row.props AS changed
			FOREACH (_ IN CASE WHEN changed THEN [1] ELSE [] END | SET f = row.props)
			RETURN count(f), count(CASE WHEN changed THEN 1 END)`, map[string]any{"rows": params(update), "origin": origin})
		if err != nil {
			return err
		}
		mine, changed := twoCounts(recs)
		stats.FiguresUpdated += changed
		stats.FiguresUnchanged += mine - changed
		stats.FiguresKept += len(update) - mine
	}
	return nil
}

// run runs one write statement to its end and returns what it changed.
func run(ctx context.Context, tx driver.ManagedTransaction, cypher string, params map[string]any) (driver.Counters, error) {
	res, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	sum, err := res.Consume(ctx)
	if err != nil {
		return nil, err
	}
	return sum.Counters(), nil
}

// redirectHops bounds the merges in a row followRedirects follows. A merge points the
// redirects to its duplicate at its survivor, so every chain it leaves is one redirect long;
// a longer one comes from another writer, and a loop must not be followed for ever.
const redirectHops = 8

// redirectQuery follows the redirects of a list of ids: a unique-index seek per id, and one
// per further hop for the few that are redirected; the survivor's dates come along, since
// they bound the links written on it.
var redirectQuery = func() string {
	var q, to strings.Builder
	q.WriteString("UNWIND $ids AS id\nMATCH (r0:Redirect {id: id})\n")
	for i := 1; i <= redirectHops; i++ {
		fmt.Fprintf(&q, "OPTIONAL MATCH (r%d:Redirect {id: r%d.to})\n", i, i-1)
	}
	for i := redirectHops - 1; i >= 0; i-- {
		fmt.Fprintf(&to, "r%d.to", i)
		if i > 0 {
			to.WriteString(", ")
		}
	}
	fmt.Fprintf(&q, "WITH id, coalesce(%s) AS to, r%d IS NOT NULL AS tooLong\n", to.String(), redirectHops)
	q.WriteString("OPTIONAL MATCH (t:Entity {id: to})\nRETURN id, to, tooLong, t.founded, t.dissolved, t.published")
	return q.String()
}()

// survivor is the entity a merged-away id now stands for.
type survivor struct {
	id                            string
	founded, dissolved, published incidentgraph.PartialDate
}

// followRedirects returns the survivor of each id that curators merged away (through any
// chain of merges); ids that were not merged away are not in it.
func followRedirects(ctx context.Context, tx driver.ManagedTransaction, ids []string) (map[string]survivor, error) {
	out := map[string]survivor{}
	if len(ids) == 0 {
		return out, nil
	}
	recs, err := records(ctx, tx, redirectQuery, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	date := func(v any) incidentgraph.PartialDate {
		s, _ := v.(string)
		return incidentgraph.PartialDate(s)
	}
	for _, r := range recs {
		id, _ := r.Values[0].(string)
		to, _ := r.Values[1].(string)
		if long, _ := r.Values[2].(bool); long {
			return nil, incidentgraph.Errorf(incidentgraph.ECONFLICT,
				"%q was merged away through more than %d redirects (a loop?): point its redirect at the survivor, then write again", id, redirectHops)
		}
		if to == "" {
			continue
		}
		out[id] = survivor{id: to, founded: date(r.Values[3]), dissolved: date(r.Values[4]), published: date(r.Values[5])}
	}
	return out, nil
}
