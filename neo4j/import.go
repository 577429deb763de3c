package neo4j

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/gtd"
)

// originGTD marks what a GTD import owns. An import writes and updates only items of this
// origin: an entity it resolves to (a seed group or country) is linked to, never changed, and
// a seed load, which removes only origin "seed", leaves these in place.
const originGTD = "gtd"

// The GTD's publisher (a seed organization) asserts everything the import writes, and the GTD
// itself is cited as a source beside the row's own citations.
const (
	gtdPublisher = "start-consortium"
	gtdDatasetID = "gtd-dataset"
)

// ImportOptions tune a GTD import.
type ImportOptions struct {
	// BatchSize is how many rows each transaction writes (default 1,000).
	BatchSize int
	// Release is the GTD release the file comes from, when known: the dataset source's
	// publication date, and so the earliest day its assertions are known.
	Release incidentgraph.PartialDate
	// Progress, when set, is called after each committed chunk with the rows committed so far
	// (from one goroutine).
	Progress func(rows int)
}

// ImportStats sums up an import.
type ImportStats struct {
	Rows, Incidents                int
	GroupsCreated, GroupsResolved  int // distinct gnames: new organizations, existing ones
	Places, Sources                int // place and source entities written
	Relationships, Figures, Chunks int
}

// ImportGTD writes incidents in chunks of opts.BatchSize, one write transaction per chunk, so
// that an interrupted import (ctx cancelled: it stops between chunks) leaves whole chunks and a
// rerun completes it. Every write is a MERGE by id, so importing the same rows again changes
// nothing, and a changed row updates its incident and replaces its GTD links and figures.
// What curators merged away is never recreated: whatever a row names is written through the
// merges' redirects, on the survivors (see batch.finish).
//
// What rows share (groups and countries the import creates, places and their LOCATED_IN links)
// is written once, before the first chunk that names it, by the goroutine reading the rows,
// which prepares the next chunk while another goroutine writes the last one (incidents, their
// sources, links and figures), so chunks only link to what is already committed.
//
// One writer, not several: a RELATED_TO link between rows of two chunks in flight at once would
// be lost (neither transaction sees the other's incident), and two writers deadlock on shared
// places and groups; measured, two were no faster (Neo4j applies commits one at a time).
func (db *DB) ImportGTD(ctx context.Context, incidents iter.Seq[*gtd.Incident], opts ImportOptions) (*ImportStats, error) {
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
	im := &importer{db: db, opts: opts, stats: &ImportStats{}, groups: map[string]string{}, countries: map[string]string{},
		founded: map[string]incidentgraph.PartialDate{}, dissolved: map[string]incidentgraph.PartialDate{}, written: map[string]bool{}}
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
	jobs := make(chan *batch)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for b := range jobs {
			if err := im.writeChunk(wctx, b); err != nil {
				fail(err)
			}
		}
	}()
	send := func(rows []*gtd.Incident) bool {
		b, err := im.prepare(wctx, rows)
		if err != nil {
			fail(err)
			return false
		}
		select {
		case jobs <- b:
			return true
		case <-wctx.Done():
			return false
		}
	}
	chunk := make([]*gtd.Incident, 0, opts.BatchSize)
	ok := true
	for inc := range incidents {
		chunk = append(chunk, inc)
		if len(chunk) == opts.BatchSize {
			if ok = send(chunk); !ok {
				break
			}
			chunk = make([]*gtd.Incident, 0, opts.BatchSize)
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

type importer struct {
	db    *DB
	opts  ImportOptions
	mu    sync.Mutex // guards stats, which both goroutines add to
	stats *ImportStats
	// Only the goroutine reading the rows uses what follows.
	// Resolved names, kept across chunks: gname → organization id, country_txt → country id.
	groups, countries  map[string]string
	founded, dissolved map[string]incidentgraph.PartialDate
	// Ids of the shared items (places, LOCATED_IN links) this import has committed.
	written map[string]bool
}

func (im *importer) write(ctx context.Context, work func(tx driver.ManagedTransaction) error) error {
	s := im.db.driver.NewSession(ctx, driver.SessionConfig{DatabaseName: im.db.cfg.Database, AccessMode: driver.AccessModeWrite})
	defer s.Close(context.Background())
	_, err := driver.ExecuteWrite(ctx, s, func(tx driver.ManagedTransaction) (bool, error) {
		return true, work(tx)
	}, driver.WithTxTimeout(im.db.cfg.WriteTimeout))
	if err != nil {
		return fmt.Errorf("import: %w", classify(ctx, err))
	}
	return nil
}

// writeDataset makes sure the GTD's own source exists (and that its publisher does: the import
// needs the seed loaded first). A curator may have merged either into another entity: the
// survivor then stands for it.
func (im *importer) writeDataset(ctx context.Context) error {
	return im.write(ctx, func(tx driver.ManagedTransaction) error {
		merged, err := followRedirects(ctx, tx, []string{gtdPublisher, gtdDatasetID})
		if err != nil {
			return err
		}
		publisher := gtdPublisher
		if s, ok := merged[gtdPublisher]; ok {
			publisher = s.id
		}
		n, err := single[int64](ctx, tx, `MATCH (o:Entity {id: $id}) RETURN count(o)`, map[string]any{"id": publisher})
		if err != nil {
			return err
		}
		if n == 0 {
			return incidentgraph.Errorf(incidentgraph.ECONFLICT, "the GTD's publisher %q is not in the graph: load the seed first", publisher)
		}
		if _, ok := merged[gtdDatasetID]; ok {
			return nil // merged into another source, which stands for it: never recreated
		}
		e := &incidentgraph.Entity{ID: gtdDatasetID, Kind: incidentgraph.KindSource, Name: "Global Terrorism Database",
			Publisher: "National Consortium for the Study of Terrorism and Responses to Terrorism (START), University of Maryland",
			Published: im.opts.Release, URL: "https://www.start.umd.edu/gtd/", SourceType: "DATASET",
			Description: "The GTD data file the incidents were imported from."}
		return mergeEntities(ctx, tx, []*incidentgraph.Entity{e})
	})
}

// mergeEntities writes entities of origin gtd; an id that belongs to another origin is left
// as it is. One statement per label, the label spliced from the allow-list (labels): a
// dynamic $(...) label costs a lookup per row, and a stable text per label reuses its plan.
//
// The write lock on each entity is taken (SET _lock, removed at once) before its origin is
// read: Neo4j does not re-read a WHERE after waiting for a lock, so a curator's correction
// committed while the import waited would otherwise be partly overwritten (its origin set back
// to gtd, so that the next import replaced the rest).
func mergeEntities(ctx context.Context, tx driver.ManagedTransaction, es []*incidentgraph.Entity) error {
	byLabel, order, err := entityRows(es)
	if err != nil {
		return err
	}
	for _, label := range order {
		if _, err := run(ctx, tx, `
			UNWIND $rows AS row
			MERGE (n:Entity {id: row.id})
			ON CREATE SET n.origin = $origin
			SET n._lock = true
			REMOVE n._lock
			WITH n, row WHERE n.origin = $origin
			SET n = row.props, n:`+label, map[string]any{"rows": byLabel[label], "origin": originGTD}); err != nil {
			return err
		}
	}
	return nil
}

// gtdCreateEntities creates entities known not to exist (incidents and sources new to the graph),
// one statement per label.
func gtdCreateEntities(ctx context.Context, tx driver.ManagedTransaction, es []*incidentgraph.Entity) error {
	byLabel, order, err := entityRows(es)
	if err != nil {
		return err
	}
	for _, label := range order {
		if _, err := run(ctx, tx, `
			UNWIND $rows AS row
			CREATE (n:Entity:`+label+`)
			SET n = row.props`, map[string]any{"rows": byLabel[label]}); err != nil {
			return err
		}
	}
	return nil
}

// entityRows groups entities by label (from the allow-list) as statement parameters.
func entityRows(es []*incidentgraph.Entity) (map[string][]map[string]any, []string, error) {
	byLabel := map[string][]map[string]any{}
	var order []string
	for _, e := range es {
		label, ok := labels[e.Kind]
		if !ok {
			return nil, nil, incidentgraph.Errorf(incidentgraph.EINTERNAL, "entity %q: kind %q has no label", e.ID, e.Kind)
		}
		p := entityProps(e)
		p["origin"] = originGTD
		if _, ok := byLabel[label]; !ok {
			order = append(order, label)
		}
		byLabel[label] = append(byLabel[label], map[string]any{"id": e.ID, "props": p})
	}
	return byLabel, order, nil
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

// resolve looks up the gnames and countries of a chunk not seen before: groups by exact
// gtdName first (an index seek per name), then, for the few names left over, by name or alias
// ignoring case (a scan of organizations); countries by name, alias or ISO code. Seed entities
// win over imported ones of the same name.
//
// Before all that, a name or country whose generated entity (gtd-group-*, gtd-country-*) a
// curator merged away resolves to that generated id, which the batch then follows to the
// survivor: the search by name would find the survivor too (the merge made the name one of its
// aliases), but the links would then get new ids beside the ones the merge moved, which keep
// the generated id's. The redirect is looked up in the query that would otherwise resolve the
// name (an index seek on the redirect's id), so it costs no round trip of its own.
//
// Likewise a name that is the gtdName of a group a curator merged away (the merge keeps it on
// the redirect) resolves to that group's id, for the same reason: the survivor has it only as
// an alias, or not at all. A live organization given that gtdName since, other than the
// survivor, wins over the redirect: a curator (or a seed) who names a group by it now means it,
// and no API edits a redirect.
func (im *importer) resolve(ctx context.Context, tx driver.ManagedTransaction, names, countries []string) (map[string]string, map[string]string, error) {
	lower := func(xs []string) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = strings.ToLower(x)
		}
		return out
	}
	exact, byName, byCountry := map[string]string{}, map[string]string{}, map[string]string{}
	if len(names) > 0 {
		params := make([]map[string]any, len(names))
		for i, n := range names {
			params[i] = map[string]any{"name": n, "generated": groupID(n)}
		}
		// Rank: the merged-away generated group or group of that gtdName, then seed groups, then
		// others, each by id.
		recs, err := records(ctx, tx, `
			UNWIND $names AS n
			CALL (n) {
				MATCH (r:Redirect {id: n.generated})
				RETURN r.id AS id, 0 AS rank, null AS founded, null AS dissolved
				UNION ALL
				MATCH (r:Redirect {gtdName: n.name})
				WHERE NOT EXISTS { MATCH (o:Organization {gtdName: n.name}) WHERE o.id <> r.to }
				RETURN r.id AS id, 0 AS rank, null AS founded, null AS dissolved
				UNION ALL
				MATCH (o:Organization {gtdName: n.name})
				RETURN o.id AS id, CASE o.origin WHEN 'seed' THEN 1 ELSE 2 END AS rank, o.founded AS founded, o.dissolved AS dissolved
			}
			RETURN n.name, id, founded, dissolved ORDER BY rank, id`,
			map[string]any{"names": params})
		if err != nil {
			return nil, nil, err
		}
		for _, r := range recs {
			name, _ := r.Values[0].(string)
			id, _ := r.Values[1].(string)
			im.dates(id, r.Values[2], r.Values[3])
			if _, taken := exact[name]; !taken { // rows come by rank, then by id
				exact[name] = id
			}
		}
	}
	var left []string
	for _, n := range names {
		if _, ok := exact[n]; !ok {
			left = append(left, n)
		}
	}
	if len(left) == 0 && len(countries) == 0 {
		return exact, map[string]string{}, nil
	}
	names = left
	generated := make([]map[string]any, len(countries))
	for i, c := range countries {
		generated[i] = map[string]any{"key": strings.ToLower(c), "id": countryID(c)}
	}
	// Rank as for the gtdNames: a merged-away generated country first, then seed entities.
	recs, err := records(ctx, tx, `
		CALL () {
			MATCH (o:Organization)
			WHERE size($lowerNames) > 0 AND (toLower(o.name) IN $lowerNames OR any(a IN o.aliases WHERE toLower(a) IN $lowerNames))
			RETURN 'name' AS how, [x IN [o.name] + o.aliases WHERE toLower(x) IN $lowerNames | toLower(x)] AS key,
			       o.id AS id, CASE o.origin WHEN 'seed' THEN 1 ELSE 2 END AS rank, o.founded AS founded, o.dissolved AS dissolved
			UNION ALL
			MATCH (c:Country)
			WHERE size($lowerCountries) > 0 AND (toLower(c.name) IN $lowerCountries OR toLower(c.iso2) IN $lowerCountries
			   OR any(a IN c.aliases WHERE toLower(a) IN $lowerCountries))
			RETURN 'country' AS how, [x IN [c.name, c.iso2] + c.aliases WHERE toLower(x) IN $lowerCountries | toLower(x)] AS key,
			       c.id AS id, CASE c.origin WHEN 'seed' THEN 1 ELSE 2 END AS rank, null AS founded, null AS dissolved
			UNION ALL
			UNWIND $generatedCountries AS g
			MATCH (r:Redirect {id: g.id})
			RETURN 'country' AS how, g.key AS key, r.id AS id, 0 AS rank, null AS founded, null AS dissolved
		}
		RETURN how, key, id, rank, founded, dissolved ORDER BY rank, id`,
		map[string]any{"lowerNames": lower(names), "lowerCountries": lower(countries), "generatedCountries": generated})
	if err != nil {
		return nil, nil, err
	}
	for _, r := range recs {
		how, _ := r.Values[0].(string)
		id, _ := r.Values[2].(string)
		im.dates(id, r.Values[4], r.Values[5])
		var keys []string
		switch k := r.Values[1].(type) {
		case string:
			keys = []string{k}
		case []any:
			for _, x := range k {
				keys = append(keys, x.(string))
			}
		}
		target := map[string]map[string]string{"name": byName, "country": byCountry}[how]
		for _, k := range keys {
			if _, taken := target[k]; !taken { // rows come by rank, then by id
				target[k] = id
			}
		}
	}
	groups := exact
	for _, n := range names {
		if id, ok := exact[n]; ok {
			groups[n] = id
		} else if id, ok := byName[strings.ToLower(n)]; ok {
			groups[n] = id
		}
	}
	cs := map[string]string{}
	for _, c := range countries {
		if id, ok := byCountry[strings.ToLower(c)]; ok {
			cs[c] = id
		}
	}
	return groups, cs, nil
}

// dates remembers an organization's founding and dissolution, which date its links.
func (im *importer) dates(id string, founded, dissolved any) {
	if f, ok := founded.(string); ok {
		im.founded[id] = incidentgraph.PartialDate(f)
	}
	if d, ok := dissolved.(string); ok {
		im.dissolved[id] = incidentgraph.PartialDate(d)
	}
}

// prepare resolves the names of a chunk not seen before, builds what the chunk writes, and
// writes in one transaction what it shares with other chunks and this import has not written
// yet: new groups and countries, places and their LOCATED_IN links.
func (im *importer) prepare(ctx context.Context, rows []*gtd.Incident) (*batch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var newNames, newCountries []string
	seen := map[string]bool{}
	for _, inc := range rows {
		for _, p := range inc.Perpetrators {
			if _, ok := im.groups[p.GTDName]; !ok && !seen["g"+p.GTDName] {
				seen["g"+p.GTDName] = true
				newNames = append(newNames, p.GTDName)
			}
		}
		if _, ok := im.countries[inc.Country]; !ok && !seen["c"+inc.Country] {
			seen["c"+inc.Country] = true
			newCountries = append(newCountries, inc.Country)
		}
	}
	var (
		b                                 *batch
		resolvedGroups, resolvedCountries map[string]string
		created                           int
		groupsCreated, groupsResolved     int
	)
	err := im.write(ctx, func(tx driver.ManagedTransaction) error {
		// The driver may retry this function: it starts from the same state every time.
		groupsCreated, groupsResolved = 0, 0
		var err error
		resolvedGroups, resolvedCountries, err = im.resolve(ctx, tx, newNames, newCountries)
		if err != nil {
			return err
		}
		groups, countries := unionOf(im.groups, resolvedGroups), unionOf(im.countries, resolvedCountries)
		b = newBatch(im, groups, countries)
		for _, name := range newNames {
			if _, ok := resolvedGroups[name]; ok {
				groupsResolved++
			} else {
				groupsCreated++
				groups[name] = groupID(name)
				b.group(name)
			}
		}
		for _, c := range newCountries {
			if _, ok := resolvedCountries[c]; !ok {
				countries[c] = countryID(c)
				b.country(c)
			}
		}
		for _, inc := range rows {
			b.incident(inc)
		}
		// What curators merged away stands for its survivor: one lookup of the chunk's ids.
		merged, err := followRedirects(ctx, tx, b.namedIDs())
		if err != nil {
			return err
		}
		b.finish(merged)
		if len(b.shared) == 0 && len(b.sharedRels) == 0 {
			return nil
		}
		if err := mergeEntities(ctx, tx, b.shared); err != nil {
			return err
		}
		created, err = mergeRelationships(ctx, tx, b.sharedRels)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Committed: remember what this chunk resolved and created, and count it.
	for _, name := range newNames {
		if id, ok := resolvedGroups[name]; ok {
			im.groups[name] = id
		} else {
			im.groups[name] = groupID(name)
		}
	}
	for _, c := range newCountries {
		if id, ok := resolvedCountries[c]; ok {
			im.countries[c] = id
		} else {
			im.countries[c] = countryID(c)
		}
	}
	for _, e := range b.shared {
		im.written[e.ID] = true
	}
	for _, r := range b.sharedRels {
		im.written["r"+r["id"].(string)] = true
	}
	im.mu.Lock()
	im.stats.GroupsCreated += groupsCreated
	im.stats.GroupsResolved += groupsResolved
	im.stats.Places += b.places
	im.stats.Relationships += created
	im.mu.Unlock()
	return b, nil
}

// hookImportChunk names the point at the end of a chunk's transaction, before its commit, where
// the store's test hook runs (DB.inTxHook).
const hookImportChunk = "importGTDChunk"

// writeChunk writes the incidents of one chunk, with their sources, links and figures, in one
// transaction.
func (im *importer) writeChunk(ctx context.Context, b *batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var created, figures int
	err := im.write(ctx, func(tx driver.ManagedTransaction) error {
		// Which incidents are there already. What belongs to one that is not (its incident
		// links and figures: their ids hold its id) cannot exist yet, so it is created, which
		// costs less than a MERGE; the unique constraints would refuse a duplicate. The rest
		// (sources, rows already imported) is merged as before.
		// The same for the chunk's sources: only this goroutine writes them, so one that is not
		// there yet is created.
		ids := make([]string, 0, len(b.entities))
		for _, e := range b.entities {
			ids = append(ids, e.ID)
		}
		recs, err := records(ctx, tx, `UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN id`, map[string]any{"ids": ids})
		if err != nil {
			return err
		}
		there := make(map[string]bool, len(recs))
		for _, r := range recs {
			id, _ := r.Values[0].(string)
			there[id] = true
		}
		isNew := make(map[string]bool, len(b.incidentIDs))
		var existing []string
		for _, id := range b.incidentIDs {
			if there[id] {
				existing = append(existing, id)
			} else {
				isNew[id] = true
			}
		}
		var newEntities, oldEntities []*incidentgraph.Entity
		for _, e := range b.entities {
			if !there[e.ID] {
				newEntities = append(newEntities, e)
			} else {
				oldEntities = append(oldEntities, e)
			}
		}
		var newRels, oldRels, newFigures, oldFigures []map[string]any
		for _, r := range b.rels {
			if isNew[r["from"].(string)] || isNew[r["to"].(string)] {
				newRels = append(newRels, r)
			} else {
				oldRels = append(oldRels, r)
			}
		}
		for _, f := range b.figures {
			if isNew[f["props"].(map[string]any)["subject"].(string)] {
				newFigures = append(newFigures, f)
			} else {
				oldFigures = append(oldFigures, f)
			}
		}
		if err := gtdCreateEntities(ctx, tx, newEntities); err != nil {
			return err
		}
		if err := mergeEntities(ctx, tx, oldEntities); err != nil {
			return err
		}
		if len(existing) > 0 {
			// A changed row replaces its incident's GTD links and figures: drop those it no longer has.
			// Each link is locked before its origin is read again (see mergeEntities): one a
			// curator retracted or changed while the import waited is the curator's, and stays.
			// (Without the lock, Neo4j took a deletion's lock only at commit, after the check.)
			if _, err := single[int64](ctx, tx, `
				UNWIND $ids AS id
				MATCH (:Entity {id: id})-[r]-()
				WHERE r.origin = $origin AND NOT r.id IN $keep
				SET r._lock = true
				REMOVE r._lock
				WITH DISTINCT r WHERE r.origin = $origin
				DELETE r RETURN count(*)`, map[string]any{"ids": existing, "origin": originGTD, "keep": b.relIDs}); err != nil {
				return err
			}
			if _, err := single[int64](ctx, tx, `
				MATCH (f:Figure) WHERE f.subject IN $ids AND f.origin = $origin AND NOT f.id IN $keep
				DELETE f RETURN count(*)`, map[string]any{"ids": existing, "origin": originGTD, "keep": b.figureIDs}); err != nil {
				return err
			}
		}
		n, err := createRelationships(ctx, tx, newRels)
		if err != nil {
			return err
		}
		m, err := mergeRelationships(ctx, tx, oldRels)
		if err != nil {
			return err
		}
		created = n + m
		figures = 0
		if len(newFigures) > 0 {
			c, err := run(ctx, tx, `
				UNWIND $rows AS row
				CREATE (f:Figure)
				SET f = row.props`, map[string]any{"rows": newFigures})
			if err != nil {
				return err
			}
			figures += c.NodesCreated()
		}
		if len(oldFigures) > 0 {
			k, err := single[int64](ctx, tx, `
				UNWIND $rows AS row
				MERGE (f:Figure {id: row.id})
				ON CREATE SET f.origin = $origin
				WITH f, row WHERE f.origin = $origin
				SET f = row.props
				RETURN count(f)`, map[string]any{"rows": oldFigures, "origin": originGTD})
			if err != nil {
				return err
			}
			figures += int(k)
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
			b.firstRow, b.lastRow), err}
	}
	if err != nil {
		return err
	}
	im.mu.Lock()
	defer im.mu.Unlock()
	s := im.stats
	s.Rows += b.rows
	s.Incidents += len(b.incidentIDs)
	s.Sources += b.sources
	s.Relationships += created
	s.Figures += figures
	s.Chunks++
	if im.opts.Progress != nil {
		im.opts.Progress(s.Rows)
	}
	return nil
}

// mergeRelationships writes links of origin gtd, one statement per type (spliced after lookup
// in the vocabulary), so that each statement has a stable text and plan, and returns how many
// it created: a link shared by rows of several chunks (a place's LOCATED_IN) is counted once.
func mergeRelationships(ctx context.Context, tx driver.ManagedTransaction, rels []map[string]any) (int, error) {
	return gtdWriteRelationships(ctx, tx, rels, false)
}

// createRelationships creates links known not to exist (those of incidents new to the graph);
// a link whose far end is not there yet (a related incident of a later chunk) is left out, as
// when merging.
func createRelationships(ctx context.Context, tx driver.ManagedTransaction, rels []map[string]any) (int, error) {
	return gtdWriteRelationships(ctx, tx, rels, true)
}

func gtdWriteRelationships(ctx context.Context, tx driver.ManagedTransaction, rels []map[string]any, create bool) (int, error) {
	byType := map[string][]map[string]any{}
	var order []string
	for _, r := range rels {
		t := r["type"].(string)
		if _, ok := byType[t]; !ok {
			if !slices.Contains(incidentgraph.RelTypes(), incidentgraph.RelType(t)) {
				return 0, incidentgraph.Errorf(incidentgraph.EINTERNAL, "relationship %v: type %q is not in the vocabulary", r["id"], t)
			}
			order = append(order, t)
		}
		byType[t] = append(byType[t], r)
	}
	created := 0
	for _, t := range order {
		if create {
			c, err := run(ctx, tx, `
				UNWIND $rows AS row
				MATCH (a:Entity {id: row.from})
				MATCH (b:Entity {id: row.to})
				CREATE (a)-[r:`+t+`]->(b)
				SET r = row.props`, map[string]any{"rows": byType[t]})
			if err != nil {
				return 0, err
			}
			created += c.RelationshipsCreated()
			continue
		}
		c, err := run(ctx, tx, `
			UNWIND $rows AS row
			MATCH (a:Entity {id: row.from})
			MATCH (b:Entity {id: row.to})
			MERGE (a)-[r:`+t+` {id: row.id}]->(b)
			ON CREATE SET r.origin = $origin
			WITH r, row WHERE r.origin = $origin
			SET r = row.props`, map[string]any{"rows": byType[t], "origin": originGTD})
		if err != nil {
			return 0, err
		}
		created += c.RelationshipsCreated()
	}
	return created, nil
}

func unionOf(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func groupID(gname string) string     { return clip("gtd-group-" + incidentgraph.Slug(gname)) }
func countryID(country string) string { return clip("gtd-country-" + incidentgraph.Slug(country)) }

// clip keeps ids within incidentgraph.MaxIDLength without ending on a dash.
func clip(id string) string {
	if len(id) > incidentgraph.MaxIDLength {
		id = strings.TrimRight(id[:incidentgraph.MaxIDLength], "-")
	}
	return id
}

// batch collects what one chunk writes, each entity, link and figure once. The rows name
// items by the ids the import gives them (gtd-<event id>, gtd-group-*, a place's path, the GTD
// and its publisher); finish then turns them into what the chunk writes, through the merges
// curators made since (followRedirects: one lookup of all the chunk's ids).
type batch struct {
	im                *importer
	groups, countries map[string]string
	tv                *timeView
	// What the rows name, under the import's ids.
	namedEntities, namedShared []*incidentgraph.Entity // this chunk's own (incidents, sources); shared (groups, countries, places)
	namedRels, namedSharedRels []*incidentgraph.Relationship
	namedFigures               []*incidentgraph.Figure
	namedIncidents             []string
	// What the chunk writes, set by finish.
	entities          []*incidentgraph.Entity // this chunk's own: incidents, sources
	rels, figures     []map[string]any
	shared            []*incidentgraph.Entity // groups, countries, places: written before the chunk
	sharedRels        []map[string]any        // LOCATED_IN links: written before the chunk
	incidentIDs       []string                // the rows' incidents that are not merged away
	relIDs, figureIDs []string                // the ids the rows give their links and figures
	seen              map[string]bool
	places, sources   int
	rows              int
	firstRow, lastRow int // the file's row numbers of the chunk's first and last row
}

func newBatch(im *importer, groups, countries map[string]string) *batch {
	tv := &timeView{published: map[string]incidentgraph.PartialDate{gtdDatasetID: im.opts.Release}, founded: im.founded, dissolved: im.dissolved}
	return &batch{im: im, groups: groups, countries: countries, tv: tv, seen: map[string]bool{}}
}

func (b *batch) entity(e *incidentgraph.Entity) {
	if b.seen[e.ID] {
		return
	}
	b.seen[e.ID] = true
	b.namedEntities = append(b.namedEntities, e)
}

// sharedEntity adds an entity rows of several chunks name, unless this import wrote it already.
func (b *batch) sharedEntity(e *incidentgraph.Entity) {
	if b.seen[e.ID] || b.im.written[e.ID] {
		return
	}
	b.seen[e.ID] = true
	b.namedShared = append(b.namedShared, e)
}

func (b *batch) group(gname string) {
	b.sharedEntity(&incidentgraph.Entity{ID: groupID(gname), Kind: incidentgraph.KindOrganization, Name: gname,
		OrgType: "MILITANT_GROUP", GTDName: gname, SourceIDs: []string{gtdDatasetID}})
}

func (b *batch) country(name string) {
	b.sharedEntity(&incidentgraph.Entity{ID: countryID(name), Kind: incidentgraph.KindCountry, Name: name, SourceIDs: []string{gtdDatasetID}})
}

func (b *batch) rel(r *incidentgraph.Relationship) {
	if r.ID == "" {
		r.ID = incidentgraph.DefaultRelationshipID(r.FromID, r.Type, r.ToID, r.AssertedByID)
	}
	if b.seen["r"+r.ID] {
		return
	}
	b.seen["r"+r.ID] = true
	b.namedRels = append(b.namedRels, r)
	b.relIDs = append(b.relIDs, r.ID)
}

// sharedRel adds a link rows of several chunks name, unless this import wrote it already.
func (b *batch) sharedRel(r *incidentgraph.Relationship) {
	if r.ID == "" {
		r.ID = incidentgraph.DefaultRelationshipID(r.FromID, r.Type, r.ToID, r.AssertedByID)
	}
	if b.im.written["r"+r.ID] || b.seen["r"+r.ID] {
		return
	}
	b.seen["r"+r.ID] = true
	b.namedSharedRels = append(b.namedSharedRels, r)
}

// namedIDs lists every id the chunk writes or links to, once.
func (b *batch) namedIDs() []string {
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
	for _, es := range [][]*incidentgraph.Entity{b.namedEntities, b.namedShared} {
		for _, e := range es {
			add(e.ID)
			add(e.SourceIDs...)
		}
	}
	for _, rs := range [][]*incidentgraph.Relationship{b.namedRels, b.namedSharedRels} {
		for _, r := range rs {
			add(r.FromID, r.ToID, r.AssertedByID)
			add(r.SourceIDs...)
		}
	}
	for _, f := range b.namedFigures {
		add(f.SubjectID, f.AssertedByID)
		add(f.SourceIDs...)
	}
	return ids
}

// finish sets what the chunk writes, given the survivors of the ids it names that curators
// merged away. A merged-away entity is not written (its survivor stands for it, and is not
// the import's to change); links and figures name the survivors where they named it, but keep
// the ids the rows give them, which are the ids the merge kept when it moved them: writing
// one again finds the moved one (now the curators': left as it is), so a re-import is
// idempotent. A link that would join a survivor to itself is left out, as the merge dropped it.
func (b *batch) finish(merged map[string]survivor) {
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
	// The survivors' own dates bound what is now written on them.
	for _, s := range merged {
		if !s.founded.IsZero() {
			b.tv.founded[s.id] = s.founded
		}
		if !s.dissolved.IsZero() {
			b.tv.dissolved[s.id] = s.dissolved
		}
		if !s.published.IsZero() {
			b.tv.published[s.id] = s.published
		}
	}
	entities := func(es []*incidentgraph.Entity) []*incidentgraph.Entity {
		out := make([]*incidentgraph.Entity, 0, len(es))
		for _, e := range es {
			if _, gone := merged[e.ID]; gone {
				continue
			}
			if len(merged) > 0 && len(e.SourceIDs) > 0 {
				c := *e
				c.SourceIDs = all(e.SourceIDs)
				e = &c
			}
			out = append(out, e)
		}
		return out
	}
	b.entities, b.shared = entities(b.namedEntities), entities(b.namedShared)
	b.places, b.sources = 0, 0
	for _, e := range b.shared {
		if e.Kind == incidentgraph.KindPlace {
			b.places++
		}
	}
	for _, e := range b.entities {
		if e.Kind == incidentgraph.KindSource {
			b.sources++
		}
	}
	rels := func(rs []*incidentgraph.Relationship) []map[string]any {
		out := make([]map[string]any, 0, len(rs))
		for _, r := range rs {
			m := *r
			m.FromID, m.ToID, m.AssertedByID, m.SourceIDs = to(r.FromID), to(r.ToID), to(r.AssertedByID), all(r.SourceIDs)
			if m.FromID == m.ToID {
				continue
			}
			p := relProps(&m)
			b.tv.relationship(&m, p)
			p["origin"] = originGTD
			out = append(out, map[string]any{"from": m.FromID, "to": m.ToID, "id": m.ID, "type": string(m.Type), "props": p})
		}
		return out
	}
	b.rels, b.sharedRels = rels(b.namedRels), rels(b.namedSharedRels)
	b.figures = make([]map[string]any, 0, len(b.namedFigures))
	for _, f := range b.namedFigures {
		m := *f
		m.SubjectID, m.AssertedByID, m.SourceIDs = to(f.SubjectID), to(f.AssertedByID), all(f.SourceIDs)
		p := figureProps(&m)
		b.tv.figure(&m, p)
		p["origin"] = originGTD
		b.figures = append(b.figures, map[string]any{"id": m.ID, "props": p})
	}
	// An incident merged away is not the row's to replace links of: what it names is written
	// on the survivor, whose other links are the survivor's own.
	b.incidentIDs = b.incidentIDs[:0]
	for _, id := range b.namedIncidents {
		if _, gone := merged[id]; !gone {
			b.incidentIDs = append(b.incidentIDs, id)
		}
	}
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
				"import: %q was merged away through more than %d redirects (a loop?): point its redirect at the survivor, then import again", id, redirectHops)
		}
		if to == "" {
			continue
		}
		out[id] = survivor{id: to, founded: date(r.Values[3]), dissolved: date(r.Values[4]), published: date(r.Values[5])}
	}
	return out, nil
}

// place returns the id of the most precise place of a row, writing the chain of places.
// Its LOCATED_IN links are shared by every row in the same place, so they are dated by the
// release alone (undated when it is not known: geography is known at any date).
func (b *batch) place(inc *gtd.Incident) string {
	country := b.countries[inc.Country]
	at := country
	slug := strings.TrimPrefix(strings.TrimPrefix(country, "gtd-country-"), "gtd-")
	link := func(from, to string) {
		b.sharedRel(&incidentgraph.Relationship{Type: "LOCATED_IN", FromID: from, ToID: to, Status: "REPORTED", Confidence: 90,
			AssertedByID: gtdPublisher, SourceIDs: []string{gtdDatasetID}, AssertedOn: b.im.opts.Release})
	}
	prefix := "gtd-place-" + slug
	if inc.Province != "" {
		prefix += "-" + incidentgraph.Slug(inc.Province)
		id := clip(prefix)
		b.sharedEntity(&incidentgraph.Entity{ID: id, Kind: incidentgraph.KindPlace, Name: inc.Province, PlaceType: "REGION", SourceIDs: []string{gtdDatasetID}})
		link(id, at)
		at = id
	}
	if inc.City != "" {
		id := clip(prefix + "-" + incidentgraph.Slug(inc.City))
		b.sharedEntity(&incidentgraph.Entity{ID: id, Kind: incidentgraph.KindPlace, Name: inc.City, PlaceType: "CITY", SourceIDs: []string{gtdDatasetID}})
		link(id, at)
		at = id
	}
	return at
}

func (b *batch) incident(inc *gtd.Incident) {
	if b.firstRow == 0 {
		b.firstRow = inc.Row
	}
	b.lastRow = inc.Row
	b.rows++
	e := *inc.Entity
	e.Latitude, e.Longitude, e.GeoPrecision = inc.Latitude, inc.Longitude, inc.Specificity
	e.SourceIDs = []string{gtdDatasetID}
	sources := []string{gtdDatasetID}
	for _, c := range inc.Citations {
		id := gtd.CitationID(c)
		// A row may cite one text twice (scite1 and scite3): a source is listed once.
		if !slices.Contains(sources, id) {
			sources = append(sources, id)
		}
		b.entity(&incidentgraph.Entity{ID: id, Kind: incidentgraph.KindSource, Name: c, SourceType: "NEWS"})
	}
	b.entity(&e)
	b.namedIncidents = append(b.namedIncidents, e.ID)
	// Assertions are made no earlier than the incident; a release date, when given, is later.
	on := b.im.assertedOn(e.Date)

	b.rel(&incidentgraph.Relationship{Type: "OCCURRED_IN", FromID: e.ID, ToID: b.place(inc), Status: "REPORTED",
		Confidence: 90, AssertedByID: gtdPublisher, SourceIDs: sources, AssertedOn: on})
	for _, p := range inc.Perpetrators {
		b.rel(&incidentgraph.Relationship{Type: p.Type, FromID: b.groups[p.GTDName], ToID: e.ID, Status: p.Status,
			Confidence: p.Confidence, AssertedByID: gtdPublisher, SourceIDs: sources, AssertedOn: on, Note: p.Note})
	}
	for _, other := range inc.Related {
		// Both rows of a pair name the same link, so nothing in it may depend on which row
		// wrote it last: it is dated by the later incident's event id.
		from, to := e.ID, "gtd-"+other
		if to < from {
			from, to = to, from
		}
		b.rel(&incidentgraph.Relationship{Type: "RELATED_TO", FromID: from, ToID: to, Status: "REPORTED", Confidence: 80,
			AssertedByID: gtdPublisher, SourceIDs: []string{gtdDatasetID}, AssertedOn: b.im.assertedOn(eventDate(to)),
			Note: "Related incidents in the GTD (related): parts of one attack or of one series."})
	}
	for metric, v := range map[string]*int{"KILLED": inc.Killed, "WOUNDED": inc.Wounded} {
		if v == nil {
			continue
		}
		f := &incidentgraph.Figure{SubjectID: e.ID, Metric: metric, Value: *v, Qualifier: "EXACT", AsOf: e.Date,
			Status: "REPORTED", Confidence: 80, AssertedByID: gtdPublisher, SourceIDs: sources}
		f.ID = incidentgraph.DefaultFigureID(f)
		b.namedFigures = append(b.namedFigures, f)
		b.figureIDs = append(b.figureIDs, f.ID)
	}
}

// assertedOn dates the GTD's assertions about an incident of the given date: the release when
// known (the GTD codes incidents after the fact), else the incident's date, the earliest day
// the assertion can have been made.
func (im *importer) assertedOn(date incidentgraph.PartialDate) incidentgraph.PartialDate {
	if !im.opts.Release.IsZero() {
		return im.opts.Release
	}
	return date
}

// eventDate reads the date in an incident id "gtd-YYYYMMDDnnnn" (00 for an unknown month or
// day, as in the GTD).
func eventDate(id string) incidentgraph.PartialDate {
	e := strings.TrimPrefix(id, "gtd-")
	if len(e) < 8 {
		return ""
	}
	s := e[:4]
	if e[4:6] != "00" {
		s += "-" + e[4:6]
		if e[6:8] != "00" {
			s += "-" + e[6:8]
		}
	}
	d, err := incidentgraph.ParsePartialDate(s)
	if err != nil {
		d, _ = incidentgraph.ParsePartialDate(e[:4])
	}
	return d
}
