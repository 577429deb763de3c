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
