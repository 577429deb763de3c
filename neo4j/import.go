package neo4j

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
)

// originGTD marks what a GTD import owns. An import writes and updates only items of this
// origin: an entity it resolves to (a seed group or country) is linked to, never changed, and
// a seed load, which removes only origin "seed", leaves these in place.
const originGTD = "gtd"

// ImportOptions tune an import.
type ImportOptions struct {
	// BatchSize is how many rows each transaction writes (default 1,000).
	BatchSize int
	// Release is the GTD release the file comes from, when known: the dataset source's
	// publication date, and so the earliest day its assertions are known (ImportGTD hands it
	// to the GTD's mapping).
	Release incidentgraph.PartialDate
	// Progress, when set, is called after each committed chunk with the rows committed so far
	// (from one goroutine).
	Progress func(rows int)
	// ExactNames resolves names as given alone (gtdName, name, alias or code, ignoring case):
	// no folding, no acronym stripped, no place resolved to another's, no possible duplicate
	// recorded. For measuring what resolution does, or a file whose names must stay apart.
	ExactNames bool
}

// ImportStats sums up an import.
type ImportStats struct {
	Rows, Incidents                int
	GroupsCreated, GroupsResolved  int // distinct names of organizations: new ones, existing ones
	Places, Sources                int // place and source entities written
	PlacesResolved                 int // places named that resolved to places the graph held
	PossibleDuplicates             int // pairs recorded for curators (possibleDuplicates)
	Relationships, Figures, Chunks int
}

// Mapper is what the store needs of a reader of large files (gtd.Mapper for GTD rows): the
// names a chunk of rows holds, and, once the store has resolved them, what the rows say.
type Mapper[R any] interface {
	Names(rows []R) []incidentgraph.NameRef
	Map(rows []R, found incidentgraph.Resolution) *incidentgraph.ImportBatch
	// Dataset is the file's own source, which the rows cite, and the id of its publisher,
	// which must be in the graph already (the seed).
	Dataset() (source *incidentgraph.Entity, publisher string)
}

// Import writes rows in chunks of opts.BatchSize, one write transaction per chunk, so that an
// interrupted import (ctx cancelled: it stops between chunks) leaves whole chunks and a rerun
// completes it. The store resolves the chunk's names (m.Names) and m maps the rows; everything
// is written by the one writer (writeBatchTx) as origin gtd, so importing the same rows again
// changes nothing, and a changed row updates its incident and replaces its links and figures.
// What curators merged away is never recreated: whatever a row names is written through the
// merges' redirects, on the survivors.
//
// What rows share (groups and countries the import creates, places and their LOCATED_IN links)
// is written once, before the first chunk that names it, by the goroutine reading the rows,
// which prepares the next chunk while another goroutine writes the last one (incidents, their
// sources, links and figures), so chunks only link to what is already committed.
//
// One writer, not several: a RELATED_TO link between rows of two chunks in flight at once would
// be lost (neither transaction sees the other's incident), and two writers deadlock on shared
// places and groups; measured, two were no faster (Neo4j applies commits one at a time).
func Import[R any](ctx context.Context, db *DB, rows iter.Seq[R], m Mapper[R], opts ImportOptions) (*ImportStats, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if err := db.EnsureSchema(ctx); err != nil {
		return nil, err
	}
	// The redirects of merged-away ids are looked up by their unique id (an index seek).
	if err := db.EnsureCurationSchema(ctx); err != nil {
		return nil, err
	}
	im := &importer[R]{db: db, m: m, opts: opts, stats: &ImportStats{}, found: incidentgraph.Resolution{}, written: map[string]bool{}, places: map[string]string{}}
	if err := im.writeDataset(ctx); err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
			cancel() // the writer and the reader stop before their next chunk
		}
	}
	jobs := make(chan *prepared)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for p := range jobs {
			if err := im.writeChunk(wctx, p); err != nil {
				fail(err)
			}
		}
	}()
	send := func(rows []R) bool {
		p, err := im.prepare(wctx, rows)
		if err != nil {
			fail(err)
			return false
		}
		select {
		case jobs <- p:
			return true
		case <-wctx.Done():
			return false
		}
	}
	chunk := make([]R, 0, opts.BatchSize)
	ok := true
	for row := range rows {
		chunk = append(chunk, row)
		if len(chunk) == opts.BatchSize {
			if ok = send(chunk); !ok {
				break
			}
			chunk = make([]R, 0, opts.BatchSize)
		}
	}
	if ok && len(chunk) > 0 {
		send(chunk)
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		// Interrupted: whatever a chunk in flight reported (a retry cut short), the cause is
		// the caller's.
		firstErr = err
	}
	return im.stats, firstErr
}

type importer[R any] struct {
	db    *DB
	m     Mapper[R]
	opts  ImportOptions
	mu    sync.Mutex // guards stats, which both goroutines add to
	stats *ImportStats
	// Only the goroutine reading the rows uses what follows.
	// Names resolved (or created) so far, kept across chunks.
	found incidentgraph.Resolution
	// Ids of the shared items (places, LOCATED_IN links: "r" and the id) this import has
	// committed.
	written map[string]bool
	// places maps the id of each place the rows named to the graph's place it resolved to
	// ("" when it resolved to none), kept across chunks.
	places map[string]string
}

// newPlaces lists the places of a mapped chunk that no earlier chunk resolved: each with its
// name, type, the country it lies in (up the chunk's LOCATED_IN links) and a position (that
// of the chunk's first incident there that has one).
func (im *importer[R]) newPlaces(b *incidentgraph.ImportBatch) []placeRef {
	up := map[string]string{}
	for _, r := range b.Shared.Relationships {
		if r.Type == "LOCATED_IN" {
			up[r.FromID] = r.ToID
		}
	}
	incidents := map[string]*incidentgraph.Entity{}
	for _, e := range b.Own.Entities {
		incidents[e.ID] = e
	}
	at := map[string]*incidentgraph.Entity{}
	for _, r := range b.Own.Relationships {
		if e := incidents[r.FromID]; r.Type == "OCCURRED_IN" && e != nil && e.Latitude != nil && e.Longitude != nil && at[r.ToID] == nil {
			at[r.ToID] = e
		}
	}
	var out []placeRef
	for _, e := range b.Shared.Entities {
		if _, seen := im.places[e.ID]; seen || e.Kind != incidentgraph.KindPlace {
			continue
		}
		country := up[e.ID]
		for hops := 0; hops < 3 && up[country] != ""; hops++ {
			country = up[country]
		}
		p := placeRef{id: e.ID, name: e.Name, placeType: e.PlaceType, country: country}
		if i := at[e.ID]; i != nil {
			p.lat, p.lon = i.Latitude, i.Longitude
		}
		out = append(out, p)
	}
	return out
}

// redirectPlaces adds to merged the places of b that resolved (in this chunk or an earlier
// one) and records on each link the name the rows gave the place.
func (im *importer[R]) redirectPlaces(b *incidentgraph.ImportBatch, now map[string]nameVerdict, merged map[string]survivor) {
	name := map[string]string{}
	for _, e := range b.Shared.Entities {
		if e.Kind != incidentgraph.KindPlace {
			continue
		}
		id := im.places[e.ID]
		if v, ok := now[e.ID]; ok {
			id = v.id
		}
		if _, gone := merged[e.ID]; id == "" || gone {
			continue
		}
		merged[e.ID] = survivor{id: id}
		name[e.ID] = e.Name
	}
	if len(name) == 0 {
		return
	}
	for _, rs := range [][]*incidentgraph.Relationship{b.Shared.Relationships, b.Own.Relationships} {
		for _, r := range rs {
			if n, ok := name[r.FromID]; ok {
				r.FromNameAsGiven = n
			}
			if n, ok := name[r.ToID]; ok {
				r.ToNameAsGiven = n
			}
		}
	}
}

// prepared is a chunk ready for the writing goroutine: its batches, and the survivors of the
// ids it names that curators merged away, looked up once for both of its transactions.
type prepared struct {
	b      *incidentgraph.ImportBatch
	merged map[string]survivor
}

func (im *importer[R]) write(ctx context.Context, work func(tx driver.ManagedTransaction) error) error {
	if err := im.db.writeTx(ctx, work); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return nil
}

// writeDataset makes sure the file's own source exists (and that its publisher does: the
// import needs the seed loaded first). A curator may have merged either into another entity:
// the survivor then stands for it.
func (im *importer[R]) writeDataset(ctx context.Context) error {
	src, publisher := im.m.Dataset()
	return im.write(ctx, func(tx driver.ManagedTransaction) error {
		merged, err := followRedirects(ctx, tx, []string{publisher, src.ID})
		if err != nil {
			return err
		}
		if s, ok := merged[publisher]; ok {
			publisher = s.id
		}
		n, err := single[int64](ctx, tx, `MATCH (o:Entity {id: $id}) RETURN count(o)`, map[string]any{"id": publisher})
		if err != nil {
			return err
		}
		if n == 0 {
			return incidentgraph.Errorf(incidentgraph.ECONFLICT, "the data set's publisher %q is not in the graph: load the seed first", publisher)
		}
		_, _, err = writeBatchTx(ctx, tx, &incidentgraph.Batch{Entities: []*incidentgraph.Entity{src}},
			writeSpec{WriteOptions: WriteOptions{Origin: originGTD}, redirects: merged})
		return err
	})
}

// prepare resolves the names of a chunk not seen before, maps the rows, and writes in one
// transaction what they share with other chunks and this import has not written yet: new
// groups and countries, places and their LOCATED_IN links.
func (im *importer[R]) prepare(ctx context.Context, rows []R) (*prepared, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var fresh []incidentgraph.NameRef
	for _, ref := range im.m.Names(rows) {
		if _, ok := im.found[ref]; !ok {
			fresh = append(fresh, ref)
		}
	}
	var (
		p        *prepared
		resolved incidentgraph.Resolution
		places   map[string]nameVerdict
		dups     []duplicate
		shared   *incidentgraph.Batch
		ws       *incidentgraph.WriteStats
	)
	byKeys := !im.opts.ExactNames
	err := im.write(ctx, func(tx driver.ManagedTransaction) error {
		// The driver may retry this function: it starts from the same state every time.
		var err error
		if resolved, dups, err = resolve(ctx, tx, fresh, byKeys); err != nil {
			return err
		}
		found := make(incidentgraph.Resolution, len(im.found)+len(resolved))
		for k, v := range im.found {
			found[k] = v
		}
		for k, v := range resolved {
			found[k] = v
		}
		b := im.m.Map(rows, found)
		places = map[string]nameVerdict{}
		if byKeys {
			if places, err = resolvePlaces(ctx, tx, im.newPlaces(b)); err != nil {
				return err
			}
			for _, v := range places {
				dups = append(dups, v.unsure...)
			}
		}
		shared = &incidentgraph.Batch{}
		for _, e := range b.Shared.Entities {
			if !im.written[e.ID] {
				shared.Entities = append(shared.Entities, e)
			}
		}
		for _, r := range b.Shared.Relationships {
			if !im.written["r"+r.ID] {
				shared.Relationships = append(shared.Relationships, r)
			}
		}
		// What curators merged away stands for its survivor: one lookup of the chunk's ids.
		merged, err := followRedirects(ctx, tx, namedIDs(&incidentgraph.Batch{
			Entities:      append(shared.Entities[:len(shared.Entities):len(shared.Entities)], b.Own.Entities...),
			Relationships: append(shared.Relationships[:len(shared.Relationships):len(shared.Relationships)], b.Own.Relationships...),
			Figures:       b.Own.Figures}))
		if err != nil {
			return err
		}
		// A resolved place stands for the graph's entity as a merged-away id for its survivor:
		// the writer writes its links on that entity and does not create it.
		im.redirectPlaces(b, places, merged)
		p = &prepared{b: b, merged: merged}
		ws = &incidentgraph.WriteStats{}
		if len(shared.Entities) > 0 || len(shared.Relationships) > 0 {
			if ws, _, err = writeBatchTx(ctx, tx, shared, writeSpec{WriteOptions: WriteOptions{Origin: originGTD}, redirects: merged}); err != nil {
				return err
			}
		}
		return recordDuplicates(ctx, tx, dups, originGTD)
	})
	if err != nil {
		return nil, err
	}
	// Committed: remember what this chunk resolved and created, and count it.
	groupsCreated, groupsResolved := 0, 0
	for _, ref := range fresh {
		id, ok := resolved[ref]
		if !ok {
			id = ref.ID
		}
		im.found[ref] = id
		if ref.Kind == incidentgraph.KindOrganization {
			if ok {
				groupsResolved++
			} else {
				groupsCreated++
			}
		}
	}
	for id, v := range places {
		im.places[id] = v.id
	}
	placesCreated := 0
	for _, e := range shared.Entities {
		im.written[e.ID] = true
		if _, gone := p.merged[e.ID]; !gone && e.Kind == incidentgraph.KindPlace {
			placesCreated++
		}
	}
	placesResolved := 0
	for _, v := range places {
		if v.id != "" {
			placesResolved++
		}
	}
	for _, r := range shared.Relationships {
		im.written["r"+r.ID] = true
	}
	im.mu.Lock()
	im.stats.GroupsCreated += groupsCreated
	im.stats.GroupsResolved += groupsResolved
	im.stats.Places += placesCreated
	im.stats.PlacesResolved += placesResolved
	im.stats.PossibleDuplicates += len(dups)
	im.stats.Relationships += ws.RelationshipsCreated
	im.mu.Unlock()
	return p, nil
}

// hookImportChunk names the point at the end of a chunk's transaction, before its commit, where
// the store's test hook runs (DB.inTxHook).
const hookImportChunk = "importGTDChunk"

// writeChunk writes the rows' own items (incidents, their sources, links and figures) in one
// transaction through the writer; a link to an incident of a later chunk is left to that chunk,
// which names it too.
func (im *importer[R]) writeChunk(ctx context.Context, p *prepared) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b := p.b
	var ws *incidentgraph.WriteStats
	err := im.write(ctx, func(tx driver.ManagedTransaction) error {
		var (
			created map[string]bool
			err     error
		)
		ws, created, err = writeBatchTx(ctx, tx, &b.Own, writeSpec{WriteOptions: WriteOptions{Origin: originGTD}, skipDangling: true, redirects: p.merged})
		if err != nil {
			return err
		}
		// Incidents imported before may have links and figures the rows no longer give them.
		// (Only those: a write statement's index seek waits on an incident another writer is
		// creating, where the writer's own create fails at once with a conflict.)
		var existing []string
		for _, id := range b.Subjects {
			if _, gone := p.merged[id]; !gone && !created[id] {
				existing = append(existing, id)
			}
		}
		if err := replaceStale(ctx, tx, existing, b); err != nil {
			return err
		}
		return im.db.inTxHook(ctx, hookImportChunk)
	})
	if nerr := (*driver.Neo4jError)(nil); errors.As(err, &nerr) && nerr.Code == "Neo.ClientError.Schema.ConstraintValidationFailed" {
		// What this chunk creates was not there when it looked: another writer (a second
		// import of the same rows) created it since. The constraint refused the duplicate and
		// the chunk's transaction rolled back; a rerun merges instead.
		return &codedError{incidentgraph.Errorf(incidentgraph.ECONFLICT,
			"import: rows %d to %d: an incident or link this import was creating was created meanwhile by another writer "+
				"(two imports of the same rows at once?); nothing of these rows was written: run the import again when the other has finished",
			b.FirstRow, b.LastRow), err}
	}
	if err != nil {
		return err
	}
	incidents, sources := 0, 0
	for _, id := range b.Subjects {
		if _, gone := p.merged[id]; !gone {
			incidents++
		}
	}
	for _, e := range b.Own.Entities {
		if _, gone := p.merged[e.ID]; !gone && e.Kind == incidentgraph.KindSource {
			sources++
		}
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	s := im.stats
	s.Rows += b.Rows
	s.Incidents += incidents
	s.Sources += sources
	s.Relationships += ws.RelationshipsCreated
	s.Figures += ws.FiguresCreated + ws.FiguresUpdated + ws.FiguresUnchanged
	s.Chunks++
	if im.opts.Progress != nil {
		im.opts.Progress(s.Rows)
	}
	return nil
}

// replaceStale removes the links and figures of origin gtd that subjects (the chunk's incidents
// already in the graph) had from an earlier import and the rows no longer give them (a changed
// row); it runs after the chunk's own are written, which it keeps. Each link is locked before
// its origin is read again (see updateEntities): one a curator retracted or changed while the
// import waited is the curator's, and stays. (Without the lock, Neo4j took a deletion's lock
// only at commit, after the check.) An incident merged away is left out: what its row names is
// written on the survivor, whose other links are the survivor's own.
func replaceStale(ctx context.Context, tx driver.ManagedTransaction, subjects []string, b *incidentgraph.ImportBatch) error {
	if len(subjects) == 0 {
		return nil
	}
	relIDs := make([]string, len(b.Own.Relationships))
	for i, r := range b.Own.Relationships {
		relIDs[i] = r.ID
	}
	figIDs := make([]string, len(b.Own.Figures))
	for i, f := range b.Own.Figures {
		figIDs[i] = f.ID
	}
	if _, err := single[int64](ctx, tx, `
		UNWIND $ids AS id
		MATCH (:Entity {id: id})-[r]-()
		WHERE r.origin = $origin AND NOT r.id IN $keep
		SET r._lock = true
		REMOVE r._lock
		WITH DISTINCT r WHERE r.origin = $origin
		DELETE r RETURN count(*)`, map[string]any{"ids": subjects, "origin": originGTD, "keep": relIDs}); err != nil {
		return err
	}
	_, err := single[int64](ctx, tx, `
		MATCH (f:Figure) WHERE f.subject IN $ids AND f.origin = $origin AND NOT f.id IN $keep
		DELETE f RETURN count(*)`, map[string]any{"ids": subjects, "origin": originGTD, "keep": figIDs})
	return err
}

// nameRow is one name to resolve, as the resolving statement takes it.
type nameRow struct {
	name, generated string
}

func (r nameRow) param() map[string]any {
	return map[string]any{"name": r.name, "generated": r.generated}
}

type countryRow struct {
	key, id string
}

func (r countryRow) param() map[string]any { return map[string]any{"key": r.key, "id": r.id} }

// resolve looks up the group and country names of a chunk not seen before: groups by exact
// gtdName first (an index seek per name), then, for the few names left over, by name or alias
// ignoring case (a scan of organizations); countries by name, alias or ISO code. Seed entities
// win over imported ones of the same name.
//
// Before all that, a name or country whose generated entity (its NameRef.ID: gtd-group-*,
// gtd-country-*) a curator merged away resolves to that generated id, which the writer then
// follows to the survivor: the search by name would find the survivor too (the merge made the
// name one of its aliases), but the links would then get new ids beside the ones the merge
// moved, which keep the generated id's. The redirect is looked up in the query that would
// otherwise resolve the name (an index seek on the redirect's id), so it costs no round trip of
// its own.
//
// Likewise a name that is the gtdName of a group a curator merged away (the merge keeps it on
// the redirect) resolves to that group's id, for the same reason: the survivor has it only as
// an alias, or not at all. A live organization given that gtdName since, other than the
// survivor, wins over the redirect: a curator (or a seed) who names a group by it now means it,
// and no API edits a redirect.
//
// Names still left are resolved through their search keys (resolve.go): folded (in any script,
// without a trailing acronym) they resolve; meeting only through a transliteration key or an
// acronym, they are created and come back as possible duplicates. Names of the chunk left
// unresolved that fold to one name stand for one new entity, the first's.
func resolve(ctx context.Context, tx driver.ManagedTransaction, refs []incidentgraph.NameRef, byKeys bool) (incidentgraph.Resolution, []duplicate, error) {
	out, err := resolveExact(ctx, tx, refs)
	if err != nil || !byKeys {
		return out, nil, err
	}
	var dups []duplicate
	for _, kind := range []incidentgraph.Kind{incidentgraph.KindOrganization, incidentgraph.KindCountry} {
		left := map[string]string{}
		var order []incidentgraph.NameRef
		for _, r := range refs {
			if _, ok := out[r]; !ok && r.Kind == kind {
				left[r.Name] = r.ID
				order = append(order, r)
			}
		}
		if len(left) == 0 {
			continue
		}
		verdicts, err := resolveByKeys(ctx, tx, kind, left)
		if err != nil {
			return nil, nil, err
		}
		first := map[string]string{} // a folded name -> the id of the first new entity of it
		for _, r := range order {
			v := verdicts[r.Name]
			if v.id != "" {
				out[r] = v.id
				continue
			}
			f := newGivenName(r.Name).folded
			if len(f) > 0 {
				f = f[len(f)-1:] // without the acronym when there is one
				if id, ok := first[f[0]]; ok {
					out[r] = id
					continue
				}
				first[f[0]] = r.ID
			}
			dups = append(dups, v.unsure...)
		}
	}
	return out, dups, nil
}

// resolveExact resolves names by gtdName, name, alias or code as given (ignoring case).
func resolveExact(ctx context.Context, tx driver.ManagedTransaction, refs []incidentgraph.NameRef) (incidentgraph.Resolution, error) {
	out := incidentgraph.Resolution{}
	var names []nameRow
	var countries []countryRow
	for _, r := range refs {
		switch r.Kind {
		case incidentgraph.KindOrganization:
			names = append(names, nameRow{name: r.Name, generated: r.ID})
		case incidentgraph.KindCountry:
			countries = append(countries, countryRow{key: strings.ToLower(r.Name), id: r.ID})
		default:
			return nil, incidentgraph.Errorf(incidentgraph.EINTERNAL, "import: a name %q of kind %s cannot be resolved", r.Name, r.Kind)
		}
	}
	group := func(n nameRow) incidentgraph.NameRef {
		return incidentgraph.NameRef{Kind: incidentgraph.KindOrganization, Name: n.name, ID: n.generated}
	}
	exact := map[string]string{}
	if len(names) > 0 {
		// Rank: the merged-away generated group or group of that gtdName, then seed groups, then
		// others, each by id.
		recs, err := records(ctx, tx, `
			UNWIND $names AS n
			CALL (n) {
				MATCH (r:Redirect {id: n.generated})
				RETURN r.id AS id, 0 AS rank
				UNION ALL
				MATCH (r:Redirect {gtdName: n.name})
				WHERE NOT EXISTS { MATCH (o:Organization {gtdName: n.name}) WHERE o.id <> r.to }
				RETURN r.id AS id, 0 AS rank
				UNION ALL
				MATCH (o:Organization {gtdName: n.name})
				RETURN o.id AS id, CASE o.origin WHEN 'seed' THEN 1 ELSE 2 END AS rank
			}
			RETURN n.name, id ORDER BY rank, id`,
			map[string]any{"names": params(names)})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			name, _ := r.Values[0].(string)
			id, _ := r.Values[1].(string)
			if _, taken := exact[name]; !taken { // rows come by rank, then by id
				exact[name] = id
			}
		}
	}
	var left []string
	for _, n := range names {
		if id, ok := exact[n.name]; ok {
			out[group(n)] = id
		} else {
			left = append(left, strings.ToLower(n.name))
		}
	}
	if len(left) == 0 && len(countries) == 0 {
		return out, nil
	}
	lowerCountries := make([]string, len(countries))
	for i, c := range countries {
		lowerCountries[i] = c.key
	}
	// Rank as for the gtdNames: a merged-away generated country first, then seed entities.
	recs, err := records(ctx, tx, `
		CALL () {
			MATCH (o:Organization)
			WHERE size($lowerNames) > 0 AND (toLower(o.name) IN $lowerNames OR any(a IN o.aliases WHERE toLower(a) IN $lowerNames))
			RETURN 'name' AS how, [x IN [o.name] + o.aliases WHERE toLower(x) IN $lowerNames | toLower(x)] AS key,
			       o.id AS id, CASE o.origin WHEN 'seed' THEN 1 ELSE 2 END AS rank
			UNION ALL
			MATCH (c:Country)
			WHERE size($lowerCountries) > 0 AND (toLower(c.name) IN $lowerCountries OR toLower(c.iso2) IN $lowerCountries
			   OR any(a IN c.aliases WHERE toLower(a) IN $lowerCountries))
			RETURN 'country' AS how, [x IN [c.name, c.iso2] + c.aliases WHERE toLower(x) IN $lowerCountries | toLower(x)] AS key,
			       c.id AS id, CASE c.origin WHEN 'seed' THEN 1 ELSE 2 END AS rank
			UNION ALL
			UNWIND $generatedCountries AS g
			MATCH (r:Redirect {id: g.id})
			RETURN 'country' AS how, g.key AS key, r.id AS id, 0 AS rank
		}
		RETURN how, key, id, rank ORDER BY rank, id`,
		map[string]any{"lowerNames": left, "lowerCountries": lowerCountries, "generatedCountries": params(countries)})
	if err != nil {
		return nil, err
	}
	byName, byCountry := map[string]string{}, map[string]string{}
	for _, r := range recs {
		how, _ := r.Values[0].(string)
		id, _ := r.Values[2].(string)
		var keys []string
		switch k := r.Values[1].(type) {
		case string:
			keys = []string{k}
		case []any:
			for _, x := range k {
				if s, ok := x.(string); ok {
					keys = append(keys, s)
				}
			}
		}
		target := byName
		if how == "country" {
			target = byCountry
		}
		for _, k := range keys {
			if _, taken := target[k]; !taken { // rows come by rank, then by id
				target[k] = id
			}
		}
	}
	for _, n := range names {
		if _, ok := exact[n.name]; ok {
			continue
		}
		if id, ok := byName[strings.ToLower(n.name)]; ok {
			out[group(n)] = id
		}
	}
	for _, r := range refs {
		if r.Kind != incidentgraph.KindCountry {
			continue
		}
		if id, ok := byCountry[strings.ToLower(r.Name)]; ok {
			out[r] = id
		}
	}
	return out, nil
}
