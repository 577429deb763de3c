package neo4j_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/gtd"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// The concurrency promises of curation and of the GTD import, each tested by forcing its race
// rather than hoping for it. forceRace runs the first side, a shipped write, until the store's
// test hook pauses it inside its transaction with its change made and its locks held; starts
// the second side; polls SHOW TRANSACTIONS until the second is blocked by the first's
// transaction (see waitingFor); and only then lets the first commit. Every run takes the same
// interleaving: the second side reads, checks and tries to lock while the first holds its
// locks, which is where an implementation that checks before it locks goes wrong.
//
// Each race is also run against a control: a deliberately broken implementation of one side
// (it checks what it read before it takes its lock, or the schema lacks the constraint the
// promise rests on), through the same harness and the same checks, which must report the fault.

// outcome is what one side of a race answered.
type outcome struct {
	val any
	err error
}

// raced is what forceRace saw.
type raced struct {
	first, second outcome
	// waited: the second side was seen blocked by the first's transaction, in statement blocked.
	waited  bool
	blocked string
}

// side is one side of a race: a write through the store, or a control's broken one.
type side func(ctx context.Context) (any, error)

// notForced is the fault every check reports first when the second side never waited for the
// first: the two ran one after the other, and the race was not tested.
const notForced = "the second side did not wait for the first"

// forceRace runs first until the store's hook pauses it at op, then second until it is seen
// waiting for first's transaction (or has finished: it did not wait), then releases first, and
// returns both answers. Nothing is timed: every step waits for a state it polls. The deadline
// only stops a hung test.
func forceRace(t *testing.T, db *neo4j.DB, d driver.DriverWithContext, op string, first, second side) raced {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	paused, release := make(chan struct{}), make(chan struct{})
	var armed atomic.Bool
	armed.Store(true)
	// Only the first call to reach op pauses: the first side's (the second side starts once the
	// first is paused, and reaches op, if at all, after the first has been released).
	reset := neo4j.SetInTxHookForTest(db, func(hctx context.Context, at string) error {
		if at != op || !armed.CompareAndSwap(true, false) {
			return nil
		}
		close(paused)
		select {
		case <-release:
			return nil
		case <-hctx.Done():
			return hctx.Err()
		}
	})
	defer reset()
	var once sync.Once
	letGo := func() { once.Do(func() { close(release) }) }
	defer letGo() // a failing test never leaves the first side's locks held

	firstDone, secondDone := make(chan outcome, 1), make(chan outcome, 1)
	go func() {
		v, err := first(ctx)
		firstDone <- outcome{v, err}
	}()
	select {
	case <-paused:
	case o := <-firstDone:
		t.Fatalf("the first side answered (%v, %v) without reaching %s", o.val, o.err, op)
	case <-ctx.Done():
		t.Fatalf("the first side never reached %s", op)
	}
	held := openTransactions(t, d)
	if len(held) != 1 {
		t.Fatalf("open transactions while the first side is paused: %v, want only its own", held)
	}

	var r raced
	go func() {
		v, err := second(ctx)
		secondDone <- outcome{v, err}
	}()
	secondFinished := false
	poll := time.NewTicker(5 * time.Millisecond)
	defer poll.Stop()
	for !r.waited && !secondFinished {
		select {
		case r.second = <-secondDone:
			secondFinished = true
		case <-poll.C:
			r.blocked, r.waited = waitingFor(t, d, held[0])
		case <-ctx.Done():
			t.Fatal("the second side neither waited for the first nor finished")
		}
	}
	letGo()
	for _, ch := range []struct {
		out  *outcome
		done chan outcome
		skip bool
	}{{&r.first, firstDone, false}, {&r.second, secondDone, secondFinished}} {
		if ch.skip {
			continue
		}
		select {
		case *ch.out = <-ch.done:
		case <-ctx.Done():
			t.Fatal("a side never finished after the first was released")
		}
	}
	if r.waited {
		t.Logf("the second side waited in: %s", oneLineQuery(r.blocked))
	}
	return r
}

// openTransactions lists the ids of the transactions open on the server, but for the one that
// lists them.
func openTransactions(t *testing.T, d driver.DriverWithContext) []string {
	t.Helper()
	res, err := driver.ExecuteQuery(context.Background(), d, `
		SHOW TRANSACTIONS YIELD transactionId, currentQuery
		WHERE NOT trim(currentQuery) STARTS WITH 'SHOW TRANSACTIONS'
		RETURN transactionId`, nil, driver.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, rec := range res.Records {
		ids = append(ids, rec.Values[0].(string))
	}
	return ids
}

// waitingFor reports whether the second side is seen waiting for the transaction holder, and
// the statement it waits in: a transaction blocked by the holder (its status reads "Blocked by:
// [neo4j-transaction-12, …]"), or a control's transaction at its commit ("Closing"). Neo4j takes
// the locks of a relationship's deletion only at commit, where SHOW TRANSACTIONS names no
// blocker; a transaction at its commit has made all its reads and checks, while the holder's
// change was uncommitted, which is the interleaving the race needs. Only the controls'
// transactions (marked by their metadata) are taken at their commit: a shipped write must be
// seen blocked, since an import commits other transactions before the one that races.
func waitingFor(t *testing.T, d driver.DriverWithContext, holder string) (string, bool) {
	t.Helper()
	res, err := driver.ExecuteQuery(context.Background(), d, `
		SHOW TRANSACTIONS YIELD status, currentQuery, metaData
		WHERE status STARTS WITH 'Blocked by' OR (status = 'Closing' AND metaData.race = 'control')
		RETURN status, currentQuery`, nil, driver.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range res.Records {
		status, query := rec.Values[0].(string), rec.Values[1].(string)
		if status == "Closing" {
			return "(its commit)", true
		}
		list := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(status, "Blocked by:"), " ["), "]")
		for _, id := range strings.Split(list, ",") {
			if strings.TrimSpace(id) == holder {
				return query, true
			}
		}
	}
	return "", false
}

func oneLineQuery(q string) string { return strings.Join(strings.Fields(q), " ") }

// expectFaults: the shipped code (want "") makes the harness report nothing; a control makes it
// report want.
func expectFaults(t *testing.T, faults []string, want string) {
	t.Helper()
	if want == "" {
		for _, f := range faults {
			t.Error(f)
		}
		return
	}
	for _, f := range faults {
		if strings.Contains(f, want) {
			t.Logf("the control is caught: %q", faults)
			return
		}
	}
	t.Errorf("the harness did not report %q for the control; it reported %q", want, faults)
}

// faults collects what a race's checks find.
type faults []string

func (fs *faults) add(format string, args ...any) { *fs = append(*fs, fmt.Sprintf(format, args...)) }

// forced starts a race's faults: the second side must have waited for the first.
func forced(r raced) *faults {
	fs := &faults{}
	if !r.waited {
		fs.add("%s (it answered %v, %v)", notForced, r.second.val, r.second.err)
	}
	return fs
}

// code is the error's code, "" for none.
func code(err error) string {
	if err == nil {
		return ""
	}
	return incidentgraph.ErrorCode(err)
}

// conflictAt reports whether err is a CONFLICT naming current as the current version.
func conflictAt(err error, current int) bool {
	c, ok := incidentgraph.AsConflict(err)
	return ok && c.Current == current
}

// raceFixture is an organization, its duplicate and the duplicate's pledge to the Islamic
// State (asserted by the AP, confidence 50), all at version 1: each race case writes its own.
type raceFixture struct{ survivor, dup, rel string }

func newRaceFixture(t *testing.T, db *neo4j.DB, tag string) raceFixture {
	t.Helper()
	ctx := context.Background()
	f := raceFixture{survivor: "race-" + tag, dup: "race-" + tag + "-dup"}
	for _, in := range []*incidentgraph.EntityInput{newOrg(f.survivor, "Race "+tag), newOrg(f.dup, "Race "+tag+" Duplicate")} {
		if _, err := db.CreateEntity(ctx, curator("ann"), in); err != nil {
			t.Fatal(err)
		}
	}
	rel, err := db.AddRelationship(ctx, curator("ann"), &incidentgraph.RelationshipInput{FromID: ptr(f.dup), ToID: ptr(is),
		Type: ptr(incidentgraph.RelType("PLEDGED_ALLEGIANCE_TO")), Status: ptr(incidentgraph.Status("REPORTED")), Confidence: ptr(50),
		AssertedByID: ptr("associated-press"), SourceIDs: []string{apArt}, SourcesSet: true})
	if err != nil {
		t.Fatal(err)
	}
	f.rel = rel.ID
	return f
}

// entityNow reads an entity as stored (nil when there is none).
func entityNow(t *testing.T, db *neo4j.DB, id string) *incidentgraph.Entity {
	t.Helper()
	es, err := db.FindEntitiesByIDs(context.Background(), []string{id})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) == 0 {
		return nil
	}
	return es[0]
}

// relNow reads a relationship as stored among the relationships of the entity at, retracted
// ones included (nil when there is none).
func relNow(t *testing.T, db *neo4j.DB, at, id string) *incidentgraph.Relationship {
	t.Helper()
	rels, err := db.FindRelationships(context.Background(), []string{at}, incidentgraph.RelationshipFilter{IncludeRetracted: true}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rels[at] {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func description(e *incidentgraph.Entity) string {
	if e == nil {
		return "(no entity)"
	}
	return e.Description
}

func confidence(r *incidentgraph.Relationship) int {
	if r == nil {
		return -1
	}
	return r.Confidence
}

// ops lists the operations of an item's history, oldest first.
func ops(t *testing.T, db *neo4j.DB, id string) []string {
	t.Helper()
	hs, err := db.History(context.Background(), []string{id}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range hs[id] {
		out = append(out, h.Operation)
	}
	return out
}

// The controls' broken implementations. Each reads and checks in one transaction, then writes
// what it decided in a second one, taking its locks only there: an implementation that checks
// before it locks. (Within one transaction, Neo4j sometimes ends such a race in a deadlock,
// since a relationship's deletion takes its locks only at commit, and the driver's retry of the
// aborted transaction then reads again and gets it right: a control in one transaction would
// be rescued by chance.) Their writing transactions carry the metadata waitingFor recognises.

// inWriteTx runs work in a managed write transaction; a control's writing one is marked.
func inWriteTx(ctx context.Context, d driver.DriverWithContext, mark bool, work func(tx driver.ManagedTransaction) (any, error)) (any, error) {
	s := d.NewSession(ctx, driver.SessionConfig{AccessMode: driver.AccessModeWrite})
	defer s.Close(context.Background())
	if !mark {
		return driver.ExecuteWrite(ctx, s, work)
	}
	return driver.ExecuteWrite(ctx, s, work, driver.WithTxMetadata(map[string]any{"race": "control"}))
}

func txRecords(ctx context.Context, tx driver.ManagedTransaction, cypher string, params map[string]any) ([]*driver.Record, error) {
	res, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	return res.Collect(ctx)
}

// checkThenWrite runs check in one transaction and, unless it fails, the statements it returns
// in a second.
func checkThenWrite(d driver.DriverWithContext, check func(ctx context.Context, tx driver.ManagedTransaction) ([]string, map[string]any, error)) side {
	return func(ctx context.Context) (any, error) {
		var stmts []string
		var params map[string]any
		if _, err := inWriteTx(ctx, d, false, func(tx driver.ManagedTransaction) (any, error) {
			var err error
			stmts, params, err = check(ctx, tx)
			return true, err
		}); err != nil {
			return nil, err
		}
		return inWriteTx(ctx, d, true, func(tx driver.ManagedTransaction) (any, error) {
			for _, stmt := range stmts {
				if _, err := txRecords(ctx, tx, stmt, params); err != nil {
					return nil, err
				}
			}
			return true, nil
		})
	}
}

func versionIn(p map[string]any) int {
	if v, ok := p["version"].(int64); ok {
		return int(v)
	}
	return 1
}

// checkThenLockUpdate updates an entity (rel false) or a relationship: it reads the item and
// compares its version, then writes the item back as read with set applied.
func checkThenLockUpdate(d driver.DriverWithContext, rel bool, id string, version int, set map[string]any) side {
	read, write := `MATCH (n:Entity {id: $id}) RETURN properties(n)`, `MATCH (n:Entity {id: $id}) SET n = $props`
	if rel {
		read, write = `MATCH ()-[r]->() WHERE r.id = $id RETURN properties(r)`, `MATCH ()-[r]->() WHERE r.id = $id SET r = $props`
	}
	return checkThenWrite(d, func(ctx context.Context, tx driver.ManagedTransaction) ([]string, map[string]any, error) {
		recs, err := txRecords(ctx, tx, read, map[string]any{"id": id})
		if err != nil {
			return nil, nil, err
		}
		if len(recs) == 0 {
			return nil, nil, incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no item with id %s", id)
		}
		p := recs[0].Values[0].(map[string]any)
		if v := versionIn(p); v != version {
			return nil, nil, incidentgraph.StaleVersion("item", id, version, v)
		}
		for k, v := range set {
			p[k] = v
		}
		p["version"], p["origin"] = int64(version+1), incidentgraph.OriginCuration
		return []string{write}, map[string]any{"id": id, "props": p}, nil
	})
}

// checkThenLockMerge merges dup into survivor: it reads both and the duplicate's relationships
// and compares the versions; then it locks both, recreates the relationships it read on the
// survivor, adds the duplicate's name to the survivor's aliases, removes the duplicate and
// points its redirect at the survivor.
func checkThenLockMerge(d driver.DriverWithContext, survivor, dup string, survivorVersion, dupVersion int) side {
	return checkThenWrite(d, func(ctx context.Context, tx driver.ManagedTransaction) ([]string, map[string]any, error) {
		recs, err := txRecords(ctx, tx, `UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN properties(n)`,
			map[string]any{"ids": []string{survivor, dup}})
		if err != nil {
			return nil, nil, err
		}
		props := map[string]map[string]any{}
		for _, r := range recs {
			p := r.Values[0].(map[string]any)
			props[p["id"].(string)] = p
		}
		for id, want := range map[string]int{survivor: survivorVersion, dup: dupVersion} {
			if props[id] == nil {
				return nil, nil, incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no entity with id %s", id)
			}
			if v := versionIn(props[id]); v != want {
				return nil, nil, incidentgraph.StaleVersion("entity", id, want, v)
			}
		}
		recs, err = txRecords(ctx, tx, `MATCH (x:Entity {id: $dup})-[r]-(:Entity)
			RETURN DISTINCT type(r), startNode(r).id, endNode(r).id, properties(r)`, map[string]any{"dup": dup})
		if err != nil {
			return nil, nil, err
		}
		var rows []map[string]any
		for _, r := range recs {
			from, to, p := r.Values[1].(string), r.Values[2].(string), r.Values[3].(map[string]any)
			if from == dup {
				from = survivor
			}
			if to == dup {
				to = survivor
			}
			p["version"] = int64(versionIn(p) + 1)
			rows = append(rows, map[string]any{"type": r.Values[0], "from": from, "to": to, "props": p})
		}
		s := props[survivor]
		aliases, _ := s["aliases"].([]any)
		s["aliases"] = append(aliases, props[dup]["name"])
		s["version"] = int64(survivorVersion + 1)
		return []string{
			`UNWIND $ids AS id MATCH (n:Entity {id: id}) SET n._lock = true`,
			`MATCH (:Entity {id: $dup})-[r]-(:Entity) DELETE r`,
			`UNWIND $rows AS row MATCH (a:Entity {id: row.from}) MATCH (b:Entity {id: row.to})
			 MERGE (a)-[r:$(row.type) {id: row.props.id}]->(b) SET r = row.props`,
			`MATCH (n:Entity {id: $survivor}) SET n = $props`,
			`OPTIONAL MATCH (n:Entity {id: $dup}) DETACH DELETE n`,
			`MERGE (r:Redirect {id: $dup}) SET r.to = $survivor`,
		}, map[string]any{"ids": []string{survivor, dup}, "dup": dup, "survivor": survivor, "rows": rows, "props": s}, nil
	})
}

// checkThenLockStatement runs one write statement whose WHERE reads the item before the SET
// waits for its lock: the import's own statements before they took the lock first.
func checkThenLockStatement(d driver.DriverWithContext, cypher string, params map[string]any) side {
	return func(ctx context.Context) (any, error) {
		return inWriteTx(ctx, d, true, func(tx driver.ManagedTransaction) (any, error) {
			_, err := txRecords(ctx, tx, cypher, params)
			return true, err
		})
	}
}

// checkThenDelete finds the links of an incident of origin gtd among ids, then deletes them.
func checkThenDelete(d driver.DriverWithContext, incident string, ids []string) side {
	return checkThenWrite(d, func(ctx context.Context, tx driver.ManagedTransaction) ([]string, map[string]any, error) {
		recs, err := txRecords(ctx, tx, `MATCH (:Entity {id: $id})-[r]-() WHERE r.origin = 'gtd' AND r.id IN $ids RETURN r.id`,
			map[string]any{"id": incident, "ids": ids})
		if err != nil {
			return nil, nil, err
		}
		var found []string
		for _, r := range recs {
			found = append(found, r.Values[0].(string))
		}
		return []string{`MATCH ()-[r]->() WHERE r.id IN $found DELETE r`}, map[string]any{"found": found}, nil
	})
}

func raceStore(t *testing.T) (*neo4j.DB, driver.DriverWithContext) {
	t.Helper()
	return curated(t), testDriver(t)
}

// Of two curators updating the same version of an item at once, exactly one wins: the one
// holding the lock; the other answers CONFLICT with the version the winner wrote.
func TestRaceTwoUpdatesOfOneVersion(t *testing.T) {
	db, d := raceStore(t)
	cases := []struct {
		name   string
		entity bool
		// second is the second curator's update, to confidence 11 or description "second".
		second func(f raceFixture) side
		fault  string
	}{
		{name: "relationship", second: func(f raceFixture) side {
			return func(ctx context.Context) (any, error) {
				return db.UpdateRelationship(ctx, curator("bob"), f.rel, 1, &incidentgraph.RelationshipInput{Confidence: ptr(11)})
			}
		}},
		{name: "relationship, control: check then lock", fault: "both updates won", second: func(f raceFixture) side {
			return checkThenLockUpdate(d, true, f.rel, 1, map[string]any{"confidence": int64(11)})
		}},
		{name: "entity", entity: true, second: func(f raceFixture) side {
			return func(ctx context.Context) (any, error) {
				return db.UpdateEntity(ctx, curator("bob"), f.survivor, 1, &incidentgraph.EntityInput{Description: ptr("second")})
			}
		}},
		{name: "entity, control: check then lock", entity: true, fault: "both updates won", second: func(f raceFixture) side {
			return checkThenLockUpdate(d, false, f.survivor, 1, map[string]any{"description": "second"})
		}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newRaceFixture(t, db, fmt.Sprintf("update-%d", i))
			op, target := incidentgraph.OpUpdateRelationship, f.rel
			first := side(func(ctx context.Context) (any, error) {
				return db.UpdateRelationship(ctx, curator("ann"), f.rel, 1, &incidentgraph.RelationshipInput{Confidence: ptr(10)})
			})
			if c.entity {
				op, target = incidentgraph.OpUpdateEntity, f.survivor
				first = func(ctx context.Context) (any, error) {
					return db.UpdateEntity(ctx, curator("ann"), f.survivor, 1, &incidentgraph.EntityInput{Description: ptr("first")})
				}
			}
			r := forceRace(t, db, d, op, first, c.second(f))
			fs := forced(r)
			if r.first.err != nil {
				fs.add("the first update: %v", r.first.err)
			}
			switch {
			case r.second.err == nil:
				fs.add("both updates won: the second overwrote the first without seeing it")
			case !conflictAt(r.second.err, 2):
				fs.add("the second update: %v, want CONFLICT with current version 2", r.second.err)
			}
			if c.entity {
				if e := entityNow(t, db, f.survivor); e == nil || e.Description != "first" {
					fs.add("stored description %q, want the first update's", description(e))
				}
			} else if rel := relNow(t, db, f.dup, f.rel); rel == nil || rel.Confidence != 10 {
				fs.add("stored confidence %d, want the first update's 10", confidence(rel))
			}
			if v := version(t, db, target); v != 2 {
				fs.add("version %d after the race, want 2", v)
			}
			if h := ops(t, db, target); len(h) != 2 { // the creation and one update
				fs.add("history %v, want the creation and one update", h)
			}
			expectFaults(t, *fs, c.fault)
		})
	}
}

// Two retries of one request with one idempotency key, the second sent while the first holds
// its transaction open: the uniqueness constraint on keys makes the second wait for the first,
// then answer what the first answered, writing nothing.
func TestRaceTwoRetriesWithOneKey(t *testing.T) {
	db, d := raceStore(t)
	ctx := context.Background()
	for i, c := range []struct {
		name string
		// noConstraint drops the constraint on idempotency keys for the run (the control).
		noConstraint bool
		fault        string
	}{
		{name: "shipped"},
		{name: "control: no uniqueness constraint on keys", noConstraint: true, fault: "the retry answered"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newRaceFixture(t, db, fmt.Sprintf("retry-%d", i))
			if c.noConstraint {
				if _, err := driver.ExecuteQuery(ctx, d, `DROP CONSTRAINT idempotency_key IF EXISTS`, nil, driver.EagerResultTransformer); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() {
					if err := db.EnsureCurationSchema(ctx); err != nil {
						t.Fatal(err)
					}
				})
			}
			w := curator("ann")
			w.IdempotencyKey = fmt.Sprintf("race-retry-%d", i)
			retry := side(func(ctx context.Context) (any, error) {
				return db.UpdateRelationship(ctx, w, f.rel, 1, &incidentgraph.RelationshipInput{Confidence: ptr(33)})
			})
			r := forceRace(t, db, d, incidentgraph.OpUpdateRelationship, retry, retry)
			fs := forced(r)
			if r.first.err != nil {
				fs.add("the first try: %v", r.first.err)
			}
			first, _ := r.first.val.(*incidentgraph.Relationship)
			again, _ := r.second.val.(*incidentgraph.Relationship)
			switch {
			case r.second.err != nil:
				fs.add("the retry answered %v, want the first try's answer", r.second.err)
			case first == nil || again == nil || again.ID != first.ID || again.Confidence != 33 || first.Confidence != 33:
				fs.add("the retry answered %+v, the first try %+v: want the same answer", again, first)
			}
			if v := version(t, db, f.rel); v != 2 {
				fs.add("version %d after a write and its retry, want 2 (one write)", v)
			}
			if h := ops(t, db, f.rel); len(h) != 2 {
				fs.add("history %v, want the creation and one update", h)
			}
			expectFaults(t, *fs, c.fault)
		})
	}
}

// A merge racing a change to its duplicate or to a relationship of its duplicate, each holding
// its transaction open while the other is sent: whichever holds the locks first wins, and the
// other is refused (CONFLICT, or NOT_FOUND for the merged-away duplicate) or, for a retraction
// of a relationship the merge moves, applied before the merge moves it. Nothing is lost.
func TestRaceMergeAndAnUpdateOfTheDuplicate(t *testing.T) {
	db, d := raceStore(t)
	merge := func(f raceFixture) side {
		return func(ctx context.Context) (any, error) {
			return db.MergeEntities(ctx, curator("ann"), f.survivor, f.dup, 1, 1)
		}
	}
	updateDup := func(f raceFixture) side {
		return func(ctx context.Context) (any, error) {
			return db.UpdateEntity(ctx, curator("bob"), f.dup, 1, &incidentgraph.EntityInput{Aliases: []string{"Race Alias"}, AliasesSet: true})
		}
	}
	updateRel := func(f raceFixture) side {
		return func(ctx context.Context) (any, error) {
			return db.UpdateRelationship(ctx, curator("bob"), f.rel, 1, &incidentgraph.RelationshipInput{Confidence: ptr(10)})
		}
	}
	// The checks, by which side was held.
	updateThenMerge := func(t *testing.T, f raceFixture, r raced) *faults {
		fs := forced(r)
		if r.first.err != nil {
			fs.add("the update of the duplicate: %v", r.first.err)
		}
		if r.second.err == nil {
			fs.add("both won: the merge took the duplicate as it was before the update, which is lost")
		} else if !conflictAt(r.second.err, 2) {
			fs.add("the merge: %v, want CONFLICT with the duplicate's current version 2", r.second.err)
		}
		if e := entityNow(t, db, f.dup); e == nil || !slicesContains(e.Aliases, "Race Alias") {
			fs.add("the duplicate after the race: %+v, want it kept with the update's alias", e)
		}
		if v := version(t, db, f.survivor); v != 1 {
			fs.add("the survivor's version %d, want 1 (not merged)", v)
		}
		return fs
	}
	mergeThenUpdate := func(t *testing.T, f raceFixture, r raced) *faults {
		fs := forced(r)
		if r.first.err != nil {
			fs.add("the merge: %v", r.first.err)
		}
		if r.second.err == nil {
			fs.add("both won: the update of the merged-away duplicate answered success")
		} else if code(r.second.err) != incidentgraph.ENOTFOUND {
			fs.add("the update of the merged-away duplicate: %v, want NOT_FOUND", r.second.err)
		}
		if e := entityNow(t, db, f.dup); e != nil {
			fs.add("the duplicate is back after the merge: %+v", e)
		}
		if h := ops(t, db, f.dup); slicesContains(h, incidentgraph.OpUpdateEntity) {
			fs.add("the duplicate's history %v records an update after its merge", h)
		}
		return fs
	}
	retractRel := func(f raceFixture) side {
		return func(ctx context.Context) (any, error) {
			return db.RetractRelationship(ctx, curator("bob"), f.rel, 1, "not in the source")
		}
	}
	retractRelThenMerge := func(t *testing.T, f raceFixture, r raced) *faults {
		fs := forced(r)
		if r.first.err != nil || r.second.err != nil {
			fs.add("the retraction: %v; the merge: %v; want both to succeed", r.first.err, r.second.err)
		}
		rs, err := db.Retractions(context.Background(), []string{f.rel})
		if err != nil {
			t.Fatal(err)
		}
		if rs[f.rel] == nil {
			fs.add("the moved relationship is not retracted: the retraction is lost")
		}
		if rel := relNow(t, db, f.survivor, f.rel); rel == nil || rel.FromID != f.survivor {
			fs.add("the relationship %+v, want it moved to the survivor", rel)
		}
		if v := version(t, db, f.rel); v != 3 {
			fs.add("the moved relationship's version %d, want 3 (retracted, then moved)", v)
		}
		return fs
	}
	mergeThenUpdateRel := func(t *testing.T, f raceFixture, r raced) *faults {
		fs := forced(r)
		if r.first.err != nil {
			fs.add("the merge: %v", r.first.err)
		}
		if r.second.err == nil {
			fs.add("both won: the update overwrote the relationship the merge had moved")
		} else if !conflictAt(r.second.err, 2) {
			fs.add("the update of the moved relationship: %v, want CONFLICT with current version 2", r.second.err)
		}
		if rel := relNow(t, db, f.survivor, f.rel); rel == nil || rel.Confidence != 50 || rel.FromID != f.survivor {
			fs.add("the moved relationship %+v, want it on the survivor with its confidence 50", rel)
		}
		return fs
	}
	cases := []struct {
		name          string
		op            string // where the first side is held
		first, second func(f raceFixture) side
		check         func(t *testing.T, f raceFixture, r raced) *faults
		fault         string
	}{
		{"update of the duplicate, then the merge", incidentgraph.OpUpdateEntity, updateDup, merge, updateThenMerge, ""},
		{"update of the duplicate, then the merge; control: the merge checks then locks", incidentgraph.OpUpdateEntity, updateDup,
			func(f raceFixture) side { return checkThenLockMerge(d, f.survivor, f.dup, 1, 1) }, updateThenMerge, "both won"},
		{"merge, then an update of the duplicate", incidentgraph.OpMergeEntities, merge, updateDup, mergeThenUpdate, ""},
		{"merge, then an update of the duplicate; control: the update checks then locks", incidentgraph.OpMergeEntities, merge,
			func(f raceFixture) side {
				return checkThenLockUpdate(d, false, f.dup, 1, map[string]any{"aliases": []string{"Race Alias"}})
			}, mergeThenUpdate, "both won"},
		{"retraction of the duplicate's relationship, then the merge", incidentgraph.OpRetractRelationship, retractRel, merge, retractRelThenMerge, ""},
		{"retraction of the duplicate's relationship, then the merge; control: the merge checks then locks", incidentgraph.OpRetractRelationship, retractRel,
			func(f raceFixture) side { return checkThenLockMerge(d, f.survivor, f.dup, 1, 1) }, retractRelThenMerge, "the retraction is lost"},
		{"merge, then an update of the duplicate's relationship", incidentgraph.OpMergeEntities, merge, updateRel, mergeThenUpdateRel, ""},
		{"merge, then an update of the duplicate's relationship; control: the update checks then locks", incidentgraph.OpMergeEntities, merge,
			func(f raceFixture) side {
				return checkThenLockUpdate(d, true, f.rel, 1, map[string]any{"confidence": int64(10)})
			}, mergeThenUpdateRel, "both won"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newRaceFixture(t, db, fmt.Sprintf("merge-update-%d", i))
			r := forceRace(t, db, d, c.op, c.first(f), c.second(f))
			expectFaults(t, *c.check(t, f, r), c.fault)
		})
	}
}

// Two curators merging the same pair at once, or the same two entities each into the other:
// one merge wins, the other is refused (the duplicate is gone, or the survivor's version
// moved on), and the duplicate's relationships are moved once.
func TestRaceTwoMergesOfOnePair(t *testing.T) {
	db, d := raceStore(t)
	for i, c := range []struct {
		name     string
		reversed bool // the second merge merges the survivor into the duplicate
		control  bool // the second merge checks then locks
		fault    string
	}{
		{name: "the same pair"},
		{name: "the same pair; control: the second checks then locks", control: true, fault: "both merges won"},
		{name: "each into the other", reversed: true},
		{name: "each into the other; control: the second checks then locks", reversed: true, control: true, fault: "both merges won"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newRaceFixture(t, db, fmt.Sprintf("merges-%d", i))
			first := side(func(ctx context.Context) (any, error) {
				return db.MergeEntities(ctx, curator("ann"), f.survivor, f.dup, 1, 1)
			})
			s, dup := f.survivor, f.dup
			if c.reversed {
				s, dup = dup, s
			}
			second := side(func(ctx context.Context) (any, error) {
				return db.MergeEntities(ctx, curator("bob"), s, dup, 1, 1)
			})
			if c.control {
				second = checkThenLockMerge(d, s, dup, 1, 1)
			}
			r := forceRace(t, db, d, incidentgraph.OpMergeEntities, first, second)
			fs := forced(r)
			if r.first.err != nil {
				fs.add("the first merge: %v", r.first.err)
			}
			if r.second.err == nil {
				fs.add("both merges won")
			} else if c := code(r.second.err); c != incidentgraph.ENOTFOUND && c != incidentgraph.ECONFLICT {
				fs.add("the second merge: %v, want NOT_FOUND or CONFLICT", r.second.err)
			}
			if e := entityNow(t, db, f.survivor); e == nil {
				fs.add("the survivor %s is gone", f.survivor)
			}
			if e := entityNow(t, db, f.dup); e != nil {
				fs.add("the duplicate %s is still there", f.dup)
			}
			if v := version(t, db, f.survivor); v != 2 {
				fs.add("the survivor's version %d, want 2 (one merge)", v)
			}
			if rel := relNow(t, db, f.survivor, f.rel); rel == nil || rel.FromID != f.survivor {
				fs.add("the duplicate's relationship %+v, want it moved to the survivor", rel)
			}
			moved := 0
			rels, err := db.FindRelationships(context.Background(), []string{f.survivor}, incidentgraph.RelationshipFilter{IncludeRetracted: true}, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, rel := range rels[f.survivor] {
				if rel.ID == f.rel {
					moved++
				}
			}
			if moved != 1 {
				fs.add("the moved relationship is on the survivor %d times, want once", moved)
			}
			expectFaults(t, *fs, c.fault)
		})
	}
}

func slicesContains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// A GTD import racing a curator's change to an incident it writes, each holding its
// transaction open while the other is sent. The import never undoes the curator's change (a
// correction, a retraction, an updated link), and a curator's change made on top of an import
// keeps what the import wrote.
func TestRaceGTDImportAndACurator(t *testing.T) {
	db, d := raceStore(t)
	ctx := context.Background()
	all := sample(t)
	mustImport(t, db, all, neo4j.ImportOptions{})
	// Incidents with one perpetrator link and a death toll, one per case: each case's first
	// write finds its incident as the import left it.
	pool := []string{"201903150001", "201903160001", "201705220001", "202001150001", "201906010001", "201612190001",
		"201410220001", "199504190001"}
	rowOf := func(t *testing.T, event string) *gtd.Incident {
		t.Helper()
		for _, inc := range all {
			if inc.EventID == event {
				c := *inc
				e := *inc.Entity
				c.Entity = &e
				return &c
			}
		}
		t.Fatalf("no row %s in the sample", event)
		return nil
	}
	importRow := func(row *gtd.Incident) side {
		return func(ctx context.Context) (any, error) {
			return db.ImportGTD(ctx, slices.Values([]*gtd.Incident{row}), neo4j.ImportOptions{})
		}
	}
	// perpetrator is the incident's one perpetrator link.
	perpetrator := func(t *testing.T, incident string) *incidentgraph.Relationship {
		t.Helper()
		rels, err := db.FindRelationships(ctx, []string{incident}, incidentgraph.RelationshipFilter{IncludeRetracted: true}, 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []*incidentgraph.Relationship
		for _, r := range rels[incident] {
			if r.ToID == incident && r.Type != "RELATED_TO" {
				out = append(out, r)
			}
		}
		if len(out) != 1 {
			t.Fatalf("perpetrator links of %s: %+v, want one", incident, out)
		}
		return out[0]
	}
	killed := func(t *testing.T, incident string) []int {
		t.Helper()
		figs, err := db.FindFigures(ctx, []string{incident}, incidentgraph.TimeView{})
		if err != nil {
			t.Fatal(err)
		}
		var out []int
		for _, f := range figs[incident] {
			if f.Metric == "KILLED" {
				out = append(out, f.Value)
			}
		}
		return out
	}
	const corrected = "Corrected by a curator."

	type env struct {
		incident string
		row      *gtd.Incident // the row as the race's import writes it
		link     *incidentgraph.Relationship
		toll     int // the death toll the race's import writes
	}
	both := func(r raced) *faults {
		fs := forced(r)
		if r.first.err != nil || r.second.err != nil {
			fs.add("first: %v; second: %v; want both to succeed", r.first.err, r.second.err)
		}
		return fs
	}
	tollWritten := func(t *testing.T, fs *faults, e env) {
		if k := killed(t, e.incident); !slices.Equal(k, []int{e.toll}) {
			fs.add("death tolls %v, want the import's %d: the import did not write", k, e.toll)
		}
	}
	// importedAgain imports the race's row once more, alone: what the race left must still be
	// the curators' (an item the race gave back to the import is overwritten now).
	importedAgain := func(t *testing.T, e env) {
		mustImport(t, db, []*gtd.Incident{e.row}, neo4j.ImportOptions{})
	}
	correctThenImport := func(t *testing.T, e env, r raced) *faults {
		fs := both(r)
		if got := entityNow(t, db, e.incident); got == nil || got.Summary != corrected {
			fs.add("the incident's summary %q after the import, want the curator's correction: the import overwrote it", summaryOf(got))
		}
		tollWritten(t, fs, e)
		importedAgain(t, e)
		if got := entityNow(t, db, e.incident); got == nil || got.Summary != corrected {
			fs.add("the incident's summary %q after one more import, want the curator's correction: the race gave the incident back to the import", summaryOf(got))
		}
		return fs
	}
	importThenCorrect := func(t *testing.T, e env, r raced) *faults {
		fs := both(r)
		got := entityNow(t, db, e.incident)
		if got == nil || got.Summary != corrected {
			fs.add("the incident's summary %q, want the curator's correction", summaryOf(got))
		}
		if got == nil || got.Name != e.row.Entity.Name {
			fs.add("the incident's name %q, want the import's %q: the import's change was lost", nameOf(got), e.row.Entity.Name)
		}
		return fs
	}
	retractThenImport := func(t *testing.T, e env, r raced) *faults {
		fs := both(r)
		rs, err := db.Retractions(ctx, []string{e.link.ID})
		if err != nil {
			t.Fatal(err)
		}
		if rs[e.link.ID] == nil {
			fs.add("the retracted link %s is gone after the import: the import deleted the curator's retraction", e.link.ID)
		}
		rels, err := db.FindRelationships(ctx, []string{e.incident}, incidentgraph.RelationshipFilter{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(rels[e.incident], func(r *incidentgraph.Relationship) bool {
			return r.ToID == e.incident && r.Type == "PERPETRATED" && r.FromID != e.link.FromID
		}) {
			fs.add("the import did not link the incident to its new perpetrator")
		}
		return fs
	}
	updateLinkThenImport := func(t *testing.T, e env, r raced) *faults {
		fs := both(r)
		if l := relNow(t, db, e.incident, e.link.ID); l == nil || l.Confidence != 11 {
			fs.add("the link's confidence %d after the import, want the curator's 11: the import overwrote it", confidence(l))
		}
		if v := version(t, db, e.link.ID); v != 2 {
			fs.add("the link's version %d, want 2", v)
		}
		tollWritten(t, fs, e)
		importedAgain(t, e)
		if l := relNow(t, db, e.incident, e.link.ID); l == nil || l.Confidence != 11 {
			fs.add("the link's confidence %d after one more import, want the curator's 11: the race gave the link back to the import", confidence(l))
		}
		return fs
	}
	correct := func(e env) side {
		return func(ctx context.Context) (any, error) {
			return db.UpdateEntity(ctx, curator("ann"), e.incident, 1, &incidentgraph.EntityInput{Summary: ptr(corrected)})
		}
	}
	cases := []struct {
		name string
		// change makes the row the race's import writes; nil: the toll changes.
		change        func(row *gtd.Incident)
		op            string // where the first side is held
		first, second func(e env) side
		check         func(t *testing.T, e env, r raced) *faults
		fault         string
	}{
		{name: "a correction of the incident, then the import", op: incidentgraph.OpUpdateEntity,
			first: correct, second: func(e env) side { return importRow(e.row) }, check: correctThenImport},
		{name: "a correction of the incident, then the import; control: the import checks the origin before it locks", op: incidentgraph.OpUpdateEntity,
			first: correct, second: func(e env) side {
				return checkThenLockStatement(d, `MERGE (n:Entity {id: $id}) ON CREATE SET n.origin = 'gtd'
					WITH n WHERE n.origin = 'gtd' SET n.summary = $summary`, map[string]any{"id": e.incident, "summary": e.row.Entity.Summary})
			}, check: correctThenImport, fault: "the import overwrote it"},
		{name: "the import of a changed row, then a correction of its incident", op: neo4j.HookImportChunk,
			change: func(row *gtd.Incident) { row.Entity.Name += " (revised)" },
			first:  func(e env) side { return importRow(e.row) }, second: correct, check: importThenCorrect},
		{name: "the import of a changed row, then a correction; control: the correction checks then locks", op: neo4j.HookImportChunk,
			change: func(row *gtd.Incident) { row.Entity.Name += " (revised)" },
			first:  func(e env) side { return importRow(e.row) },
			second: func(e env) side {
				return checkThenLockUpdate(d, false, e.incident, 1, map[string]any{"summary": corrected})
			}, check: importThenCorrect, fault: "the import's change was lost"},
		{name: "a retraction of the perpetrator link, then the import of a row naming another perpetrator", op: incidentgraph.OpRetractRelationship,
			change: newPerpetrator,
			first: func(e env) side {
				return func(ctx context.Context) (any, error) {
					return db.RetractRelationship(ctx, curator("ann"), e.link.ID, 1, "misattributed")
				}
			}, second: func(e env) side { return importRow(e.row) }, check: retractThenImport},
		{name: "a retraction of the perpetrator link, then the import; control: the import decides what to delete, then deletes", op: incidentgraph.OpRetractRelationship,
			change: newPerpetrator,
			first: func(e env) side {
				return func(ctx context.Context) (any, error) {
					return db.RetractRelationship(ctx, curator("ann"), e.link.ID, 1, "misattributed")
				}
			}, second: func(e env) side {
				return checkThenDelete(d, e.incident, []string{e.link.ID})
			}, check: retractThenImport, fault: "the import deleted the curator's retraction"},
		{name: "an update of the perpetrator link, then the import", op: incidentgraph.OpUpdateRelationship,
			first: func(e env) side {
				return func(ctx context.Context) (any, error) {
					return db.UpdateRelationship(ctx, curator("ann"), e.link.ID, 1, &incidentgraph.RelationshipInput{Confidence: ptr(11)})
				}
			}, second: func(e env) side { return importRow(e.row) }, check: updateLinkThenImport},
		{name: "an update of the perpetrator link, then the import; control: the import checks the origin before it locks", op: incidentgraph.OpUpdateRelationship,
			first: func(e env) side {
				return func(ctx context.Context) (any, error) {
					return db.UpdateRelationship(ctx, curator("ann"), e.link.ID, 1, &incidentgraph.RelationshipInput{Confidence: ptr(11)})
				}
			}, second: func(e env) side {
				return checkThenLockStatement(d, `MATCH ()-[r]->() WHERE r.id = $link WITH r WHERE r.origin = 'gtd' SET r.confidence = $confidence`,
					map[string]any{"link": e.link.ID, "confidence": int64(e.link.Confidence)})
			}, check: updateLinkThenImport, fault: "the import overwrote it"},
	}
	if len(cases) > len(pool) {
		t.Fatalf("%d cases, %d incidents", len(cases), len(pool))
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := env{incident: "gtd-" + pool[i], row: rowOf(t, pool[i])}
			e.link = perpetrator(t, e.incident)
			if c.change != nil {
				c.change(e.row)
			}
			// The toll changes too, so that the import's writing shows.
			if e.row.Killed == nil {
				t.Fatalf("row %s has no death toll", pool[i])
			}
			e.toll = *e.row.Killed + 1
			e.row.Killed = &e.toll
			r := forceRace(t, db, d, c.op, c.first(e), c.second(e))
			expectFaults(t, *c.check(t, e, r), c.fault)
		})
	}
}

// newPerpetrator makes a row name another perpetrator than its own.
func newPerpetrator(row *gtd.Incident) {
	row.Perpetrators = []gtd.Perpetrator{{GTDName: "Boko Haram", Type: "PERPETRATED", Status: "SUSPECTED", Confidence: 50}}
}

func summaryOf(e *incidentgraph.Entity) string {
	if e == nil {
		return "(no entity)"
	}
	return e.Summary
}

func nameOf(e *incidentgraph.Entity) string {
	if e == nil {
		return "(no entity)"
	}
	return e.Name
}
