// Package seed reads the seed graph: the YAML files described in docs/seed-format.md. It checks
// them as a whole, reporting every problem as file:line: reason, and turns them into an
// incidentgraph.Dataset only when there is no problem at all.
package seed

import (
	"bytes"
	"cmp"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/incidentgraph/incidentgraph"
)

// Files is the seed graph shipped with the binary.
//
//go:embed data/*.yaml
var Files embed.FS

// Embedded returns the embedded seed files as an fs.FS rooted at data/.
func Embedded() fs.FS {
	sub, err := fs.Sub(Files, "data")
	if err != nil {
		panic(err) // "data" is a valid path; fs.Sub cannot fail on it
	}
	return sub
}

// Read parses and validates every *.yaml file at the root of fsys, in name order, as one
// dataset. When anything is wrong it returns no dataset and a Problems error listing every
// problem found, each named by the file's name within fsys.
func Read(fsys fs.FS) (*incidentgraph.Dataset, error) {
	return read(fsys, func(name string) string { return name }, domainRules())
}

// ReadDir is Read on the files of a directory of the host; problems name files as dir/file.
func ReadDir(dir string) (*incidentgraph.Dataset, error) {
	return read(os.DirFS(dir), func(name string) string {
		return filepath.Join(dir, filepath.FromSlash(name))
	}, domainRules())
}

// Problem is one thing wrong with a seed file, at a line (0 when the line is unknown).
type Problem struct {
	File   string
	Line   int
	Reason string
	// Path is where in the file the problem is, as the domain's validation names it (e.g.
	// entities[3].aliases[1]); "" for the problems of the seed format itself.
	Path string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Reason)
	}
	return p.File + ": " + p.Reason
}

// Problems is every problem found in the seed files, by file and line.
type Problems []Problem

// MaxListed bounds how many problems Problems.Error lists.
const MaxListed = 50

// Error lists the problems one per line, at most MaxListed of them.
func (ps Problems) Error() string {
	if len(ps) == 0 {
		return "no problems"
	}
	var b strings.Builder
	for i, p := range ps {
		if i == MaxListed {
			fmt.Fprintf(&b, "\n… and %d more", len(ps)-MaxListed)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// reader holds what the files said so far. Entities, relationships and figures are parsed file
// by file; references between them are resolved once every file has been read.
type reader struct {
	rules     rules
	problems  Problems
	fileOrder map[string]int

	entities []*entityRec
	byID     map[string]*entityRec
	ids      []string // every entity id, sorted (for hints)
	rels     []*relRec
	figs     []*figRec
}

// pos is where something was written.
type pos struct {
	file string
	line int
}

func (p pos) String() string { return fmt.Sprintf("%s:%d", p.file, p.line) }

func (r *reader) add(file string, line int, format string, args ...any) {
	r.problems = append(r.problems, Problem{File: file, Line: line, Reason: fmt.Sprintf(format, args...)})
}

// rules are the domain's checks of one item, which the reader calls rather than repeats. They
// are a parameter so that a test can hand the reader a validator that strays from the domain
// and see the rule table catch it.
type rules struct {
	entity       func(*incidentgraph.Entity, string) []incidentgraph.Problem
	relationship func(*incidentgraph.Relationship, string) []incidentgraph.Problem
	figure       func(*incidentgraph.Figure, string) []incidentgraph.Problem
	// The rules about the kinds of the entities an item names, given the kind of every id.
	sources          func([]string, map[string]incidentgraph.Kind, string) []incidentgraph.Problem
	aliasSources     func(*incidentgraph.Entity, map[string]incidentgraph.Kind, string) []incidentgraph.Problem
	references       func(*incidentgraph.Relationship, map[string]incidentgraph.Kind, string) []incidentgraph.Problem
	figureReferences func(*incidentgraph.Figure, map[string]incidentgraph.Kind, string) []incidentgraph.Problem
}

func domainRules() rules {
	return rules{
		entity:           incidentgraph.ValidateEntity,
		relationship:     incidentgraph.ValidateRelationship,
		figure:           incidentgraph.ValidateFigure,
		sources:          incidentgraph.CheckSources,
		aliasSources:     incidentgraph.CheckAliasSources,
		references:       incidentgraph.CheckReferences,
		figureReferences: incidentgraph.CheckFigureReferences,
	}
}

func read(fsys fs.FS, display func(string) string, rs rules) (*incidentgraph.Dataset, error) {
	r := &reader{rules: rs, fileOrder: map[string]int{}, byID: map[string]*entityRec{}}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		r.add(display("."), 0, "cannot list seed files: %v", err)
		return nil, r.problems
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		switch ext := path.Ext(e.Name()); {
		case ext == ".yaml":
			names = append(names, e.Name())
		case strings.EqualFold(ext, ".yaml") || strings.EqualFold(ext, ".yml"):
			// A misnamed file would silently drop every fact in it.
			r.add(display(e.Name()), 0, "seed files must end in .yaml; this file is not read")
		}
	}
	slices.Sort(names)
	if len(names) == 0 && len(r.problems) == 0 {
		r.add(display("."), 0, "no *.yaml seed files")
	}
	for i, name := range names {
		file := display(name)
		r.fileOrder[file] = i + 1
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			r.add(file, 0, "cannot read: %v", err)
			continue
		}
		r.parseFile(file, bytes.NewReader(data))
	}
	r.resolve()
	if len(r.problems) > 0 {
		slices.SortStableFunc(r.problems, func(a, b Problem) int {
			return cmp.Or(cmp.Compare(r.fileOrder[a.File], r.fileOrder[b.File]), cmp.Compare(a.Line, b.Line))
		})
		return nil, r.problems
	}
	return r.dataset(), nil
}

// dataset returns what was read, in a deterministic order: entities and relationships by id,
// figures by subject, date of the report and id.
func (r *reader) dataset() *incidentgraph.Dataset {
	ds := &incidentgraph.Dataset{}
	for _, e := range r.entities {
		ds.Entities = append(ds.Entities, e.e)
	}
	for _, rel := range r.rels {
		ds.Relationships = append(ds.Relationships, rel.r)
	}
	for _, f := range r.figs {
		ds.Figures = append(ds.Figures, f.f)
	}
	slices.SortFunc(ds.Entities, func(a, b *incidentgraph.Entity) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(ds.Relationships, func(a, b *incidentgraph.Relationship) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(ds.Figures, func(a, b *incidentgraph.Figure) int {
		return cmp.Or(
			cmp.Compare(a.SubjectID, b.SubjectID),
			cmp.Compare(a.AsOf.Start(), b.AsOf.Start()),
			cmp.Compare(a.AsOf, b.AsOf),
			cmp.Compare(a.ID, b.ID),
		)
	})
	return ds
}
