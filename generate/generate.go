// Package generate writes synthetic data at the Global Terrorism Database's scale: a CSV in the
// GTD codebook's layout (gtd.csv, Windows-1252 like the real file) and the structure of the
// groups it names in the seed format (groups.yaml). Everything is drawn from one seed number,
// so the same configuration always writes byte-identical files.
//
// What an import of the two files makes, and how the relationships add up:
//
//	place        1 per row: OCCURRED_IN its most specific known place (city, province or country)
//	perpetrator  1 per named group of a row (gname, gname2, gname3; "Unknown" names none)
//	related      1 per pair of rows that list each other in related (RELATED_TO): a chain
//	             of k rows makes k(k-1)/2
//	gazetteer    1 per city and province used: LOCATED_IN its province or country
//	structure    the relationships of groups.yaml
//
// Relationships (Config.Relationships) is a floor for that sum: rows are drawn as single
// incidents or as related chains (multi-part attacks, multiple=1), and the share of chains rises
// as far as the floor needs. At the default, five per incident, a good third of the rows are
// in chains, longer on average than the GTD's: its own share is nearer one row in seven. With
// --relationships 1 the mix is the natural one.
package generate

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// File names written in the output directory.
const (
	CSVFile    = "gtd.csv"
	GroupsFile = "groups.yaml"
)

// PerIncident is the default relationship floor per incident: 1,000,000 at 200,000 incidents.
const PerIncident = 5

// maxPerIncident bounds the floor: beyond it chains would have to be implausibly long.
const maxPerIncident = 12

// Config sizes the data.
type Config struct {
	Seed          uint64
	Incidents     int // rows of gtd.csv
	Groups        int // synthetic groups in groups.yaml (the seed's two come on top)
	Relationships int // floor for the relationships an import makes; 0: PerIncident per incident
}

// Summary is what was written, with the relationships an import of it makes by kind.
type Summary struct {
	Target         int // the relationship floor asked for
	Rows           int
	Groups         int // synthetic groups in groups.yaml
	GroupsNamed    int // distinct group names in gtd.csv, the seed's included
	SeedGroupRows  int // rows naming one of the seed's groups
	Entities       int // entities in groups.yaml: groups, asserting parties, sources
	ChainedRows    int // rows with multiple=1
	Chains         int
	MultiGroupRows int // rows with gname2
	UncertainRows  int // rows with a guncertain = 1
	PartialDates   int // rows with imonth or iday 0
	UnknownKilled  int // rows whose nkill is blank or -99

	PlaceLinks       int
	PerpetratorLinks int
	RelatedLinks     int // pairs of rows that list each other
	RelatedListed    int // eventids listed in related columns: twice RelatedLinks
	GazetteerLinks   int
	StructureLinks   int
}

// Relationships is the total an import makes.
func (s *Summary) Relationships() int {
	return s.PlaceLinks + s.PerpetratorLinks + s.RelatedLinks + s.GazetteerLinks + s.StructureLinks
}

func (c *Config) check() error {
	switch {
	case c.Incidents < 1:
		return errors.New("--incidents must be at least 1")
	case c.Groups < 1:
		return errors.New("--groups must be at least 1")
	case c.Relationships < 0:
		return errors.New("--relationships must not be negative")
	case c.Relationships > maxPerIncident*c.Incidents:
		return fmt.Errorf("--relationships %d is more than %d per incident: raise --incidents", c.Relationships, maxPerIncident)
	}
	if capacity := capacity(c.Incidents); c.Relationships > capacity {
		return fmt.Errorf("--relationships %d cannot be reached with %d incidents (at most about %d): raise --incidents",
			c.Relationships, c.Incidents, capacity)
	}
	return nil
}

// capacity bounds the relationships n rows can bring. Chains stay within a year, so a small file
// cannot hold long ones: at most every row of a year (up to 40) in one chain, a pair with each
// other row, besides a place and a few perpetrators for each row.
func capacity(n int) int {
	c := 0
	for _, k := range perYear(n) {
		c += k * ((min(k, 40)-1)/2 + 4)
	}
	return c
}

// Write writes dir/gtd.csv and dir/groups.yaml, creating dir if need be. Each file is written
// beside its final name and renamed into place when complete, so that an interrupted or failed
// run never leaves a truncated file under the final name.
func Write(cfg Config, dir string) (*Summary, error) {
	if cfg.Relationships == 0 {
		// The default floor; files too small to reach it by a wide margin get what they can.
		cfg.Relationships = min(PerIncident*cfg.Incidents, capacity(cfg.Incidents)/2)
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// Separate streams for the groups and the rows: the groups do not change when only the
	// number of incidents does.
	groups := makeGroups(rand.New(rand.NewPCG(cfg.Seed, 1)), cfg.Groups)
	rels := structure(rand.New(rand.NewPCG(cfg.Seed, 2)), groups)
	sum := &Summary{Target: cfg.Relationships, Groups: cfg.Groups, StructureLinks: len(rels),
		Entities: cfg.Groups + len(asserters)*(1+lastYear+2-firstSourceYear)}
	if err := writeFile(filepath.Join(dir, GroupsFile), func(w *bufio.Writer) error {
		return writeGroups(w, cfg, groups, rels)
	}); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(dir, CSVFile), func(w *bufio.Writer) error {
		// The real file is Windows-1252: names such as Bogotá or Île-de-France are one byte each.
		enc := transform.NewWriter(w, charmap.Windows1252.NewEncoder())
		g := newIncidents(rand.New(rand.NewPCG(cfg.Seed, 3)), cfg, groups, sum)
		if err := g.write(enc); err != nil {
			return err
		}
		return enc.Close()
	}); err != nil {
		return nil, err
	}
	return sum, nil
}

func writeFile(path string, fill func(*bufio.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	if err = fill(w); err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if err = w.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
