package incidentgraph

// Batch is what a reader (the seed files, a GTD file, a STIX bundle) hands the store: entities,
// relationships each with its provenance (who asserts it, on which sources, its status and
// confidence, when), and figures. One writer writes any batch (neo4j.DB.WriteBatch): readers
// know nothing of the database, and the rules of who owns what are the writer's alone.
type Batch struct {
	Entities      []*Entity
	Relationships []*Relationship
	Figures       []*Figure
}

// Dataset is the seed reader's name for a batch: the whole graph the seed files describe.
type Dataset = Batch

// WriteStats says what writing a batch did. Every item of the batch is counted once, in one
// of created (new to the graph), updated (of the batch's origin and changed), unchanged (of the
// batch's origin, already as the batch says), kept (owned by another origin: a curator's or
// another reader's, left as it is) or, for entities, redirected (merged away by a curator: not
// written, the survivor stands for it and what names it is written on the survivor).
type WriteStats struct {
	EntitiesCreated, EntitiesUpdated, EntitiesUnchanged, EntitiesKept, EntitiesRedirected int
	RelationshipsCreated, RelationshipsUpdated, RelationshipsUnchanged, RelationshipsKept int
	FiguresCreated, FiguresUpdated, FiguresUnchanged, FiguresKept                         int
	// Skipped counts relationships not written because a merge made them join the survivor
	// to itself (the merge dropped such links too), and, for the GTD import only, links whose
	// far end a later chunk writes (that chunk writes them).
	Skipped int
	// Removed counts items of the batch's origin that a replacing write (the seed load) found
	// in the graph but not in the batch, and so removed.
	Removed int
}

// Add sums another write's counts into s (an import sums its chunks).
func (s *WriteStats) Add(o *WriteStats) {
	s.EntitiesCreated += o.EntitiesCreated
	s.EntitiesUpdated += o.EntitiesUpdated
	s.EntitiesUnchanged += o.EntitiesUnchanged
	s.EntitiesKept += o.EntitiesKept
	s.EntitiesRedirected += o.EntitiesRedirected
	s.RelationshipsCreated += o.RelationshipsCreated
	s.RelationshipsUpdated += o.RelationshipsUpdated
	s.RelationshipsUnchanged += o.RelationshipsUnchanged
	s.RelationshipsKept += o.RelationshipsKept
	s.FiguresCreated += o.FiguresCreated
	s.FiguresUpdated += o.FiguresUpdated
	s.FiguresUnchanged += o.FiguresUnchanged
	s.FiguresKept += o.FiguresKept
	s.Skipped += o.Skipped
	s.Removed += o.Removed
}

// NameRef is an entity a reader names but cannot identify by itself: a GTD row's group (gname)
// or country (country_txt). The store resolves the name against the graph (it alone can); ID
// is the id the reader gives the entity it creates when the name resolves to nothing.
type NameRef struct {
	Kind Kind // KindOrganization or KindCountry
	Name string
	ID   string
}

// Resolution says which entity of the graph each resolved name stands for; a name not in it
// resolved to nothing.
type Resolution map[NameRef]string

// ImportBatch is what a chunk of a large file's rows says, its names resolved: what rows of
// several chunks share (groups and countries no name resolved to, places and their LOCATED_IN
// links), which an import writes once, before the first chunk that names it; and what only
// these rows say (incidents, their sources, links and figures).
type ImportBatch struct {
	Shared Batch
	Own    Batch
	// Subjects are the rows' incidents. A row imported again replaces its links and figures
	// of the import's origin: those Own no longer holds are removed.
	Subjects []string
	// Rows is how many rows the chunk holds; FirstRow and LastRow are the file's row numbers
	// of its first and last, for messages.
	Rows, FirstRow, LastRow int
}
