// Package export writes a subgraph the API can answer (a neighbourhood, a shortest path, the
// union of several paths, an affiliate network) in the formats of the link-chart tools analysts
// already use: Cytoscape.js JSON (which Cytoscape desktop opens as .cyjs), GraphML (Gephi,
// yEd), GEXF 1.3 with dates as spells (Gephi's timeline) and CSV (Gephi, Linkurious, i2
// Analyst's Notebook), as a STIX 2.1 bundle for threat intelligence platforms (the stix
// package), and on a map as GeoJSON (GIS tools); of=all exports the whole graph, within
// MaxWholeGraphNodes and MaxWholeGraphEdges.
//
// It holds no Cypher: the subgraph comes from the GraphService or AnalystService, and the
// names behind asserting parties and sources from GraphService.FindEntitiesByIDs. Every format
// but GeoJSON holds exactly the nodes and edges of the subgraph (GeoJSON the part of it that
// is on the map), provenance on every edge, sorted by id, with nothing that depends on the
// moment of the export: the same request gives the same bytes.
package export

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/stix"
)

// Format is an export file format.
type Format string

// The formats, by the name the HTTP argument and the command-line flag take.
const (
	Cytoscape Format = "cytoscape"
	GraphML   Format = "graphml"
	GEXF      Format = "gexf"
	CSV       Format = "csv"
	STIX      Format = "stix"
	// GeoJSON is the subgraph on a map (geojson.go): only what has a place, so not one of
	// Formats.
	GeoJSON Format = "geojson"
)

// Formats lists the formats that hold the whole subgraph, in the order the documentation
// gives them. ParseRequest takes these and GeoJSON.
var Formats = []Format{Cytoscape, GraphML, GEXF, CSV, STIX}

// allFormats are the formats ParseRequest takes.
var allFormats = append(slices.Clone(Formats), GeoJSON)

// ContentType is the media type a download of this format is served with.
func (f Format) ContentType() string {
	switch f {
	case Cytoscape:
		return "application/json"
	case GraphML:
		return "application/graphml+xml"
	case GEXF:
		return "application/gexf+xml"
	case STIX:
		return stix.MediaType
	case GeoJSON:
		return "application/geo+json" // RFC 7946 section 12
	default:
		return "application/zip"
	}
}

// Extension is the file name extension of this format, without the dot.
func (f Format) Extension() string {
	switch f {
	case Cytoscape:
		return "cyjs" // what Cytoscape desktop's File > Import > Network from File recognises
	case GraphML:
		return "graphml"
	case GEXF:
		return "gexf"
	case STIX:
		return "json"
	case GeoJSON:
		return "geojson"
	default:
		return "zip"
	}
}

// Of says which subgraph to export.
type Of string

// The subgraphs an export can hold.
const (
	OfNeighborhood Of = "neighborhood" // id, depth, limit
	OfPath         Of = "path"         // from, to, maxDepth: one shortest path
	OfPaths        Of = "paths"        // from, to, maxDepth, first: the union of the paths
	OfNetwork      Of = "network"      // id, depth, limit: the affiliate network
	OfAll          Of = "all"          // the whole graph, within MaxWholeGraphNodes and MaxWholeGraphEdges
)

// Ofs lists the subgraphs in documentation order.
var Ofs = []Of{OfNeighborhood, OfPath, OfPaths, OfNetwork, OfAll}

// The bounds of of=all: an export of a graph larger than this is refused (BAD_USER_INPUT), never
// cut short, since a whole graph with pieces missing would not say which. The file is written
// in memory first; at these bounds a STIX bundle, the largest format, is some 20 MB.
const (
	MaxWholeGraphNodes = 2000
	MaxWholeGraphEdges = 10000
)

// Request is one export: the format, the subgraph and its arguments, all checked.
type Request struct {
	Format   Format
	Of       Of
	ID       string // neighborhood, network
	From, To string // path, paths
	Depth    int    // neighborhood, network
	Limit    int    // neighborhood, network: most nodes
	MaxDepth int    // path, paths
	First    int    // paths
	Filter   incidentgraph.RelationshipFilter
}

// FileName is the download's name: incidentgraph-<of>-<id or from--to>.<ext>, or
// incidentgraph-all.<ext>. Ids are slugs, so the name needs no quoting beyond the header's quotes.
func (r *Request) FileName() string {
	subject := "-" + r.ID
	switch r.Of {
	case OfPath, OfPaths:
		subject = "-" + r.From + "--" + r.To
	case OfAll:
		subject = ""
	}
	return "incidentgraph-" + string(r.Of) + subject + "." + r.Format.Extension()
}

// The arguments each subgraph takes, besides format, of and the filter arguments. Anything
// else is refused rather than ignored: a misspelt "maxdepth" must not silently give the default.
var (
	filterArgs = []string{"types", "statuses", "minConfidence", "assertedBy", "knownAt", "validAt"}
	ofArgs     = map[Of][]string{
		OfNeighborhood: {"id", "depth", "limit"},
		OfPath:         {"from", "to", "maxDepth"},
		OfPaths:        {"from", "to", "maxDepth", "first"},
		OfNetwork:      {"id", "depth", "limit"},
		OfAll:          {},
	}
	listArgs = []string{"types", "statuses"} // comma-separated, or repeated
)

func invalid(format string, args ...any) error {
	return incidentgraph.Errorf(incidentgraph.EINVALID, format, args...)
}

// ParseRequest reads and checks an export request from URL query arguments (the HTTP endpoint
// and the command line share it, so the names and bounds are the same in both). The bounds and
// defaults are the GraphQL fields': neighborhood depth 1 (1–MaxNeighborhoodDepth), network
// depth 2 (1–MaxAffiliateDepth), limit 200 (1–MaxNeighborhoodNodes), path maxDepth 6
// (1–MaxPathDepth), paths maxDepth 4 (1–MaxPathsDepth) and first 5 (1–MaxPaths).
func ParseRequest(q url.Values) (*Request, error) {
	r := &Request{Filter: incidentgraph.RelationshipFilter{Direction: incidentgraph.Both}}
	format, err := single(q, "format")
	if err != nil {
		return nil, err
	}
	if !slices.Contains(allFormats, Format(format)) {
		return nil, invalid("format: give one of %s (got %q)", joinNames(allFormats), format)
	}
	r.Format = Format(format)
	of, err := single(q, "of")
	if err != nil {
		return nil, err
	}
	if !slices.Contains(Ofs, Of(of)) {
		return nil, invalid("of: give one of %s (got %q)", joinNames(Ofs), of)
	}
	r.Of = Of(of)
	allowed := append(append([]string{"format", "of"}, ofArgs[r.Of]...), filterArgs...)
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names) // the first bad argument reported is the same every time
	for _, name := range names {
		if !slices.Contains(allowed, name) {
			return nil, invalid("unknown argument %q for of=%s: it takes %s", name, r.Of, strings.Join(allowed[2:], ", "))
		}
		if len(q[name]) > 1 && !slices.Contains(listArgs, name) {
			return nil, invalid("%s is given %d times; give it once", name, len(q[name]))
		}
	}

	switch r.Of {
	case OfNeighborhood, OfNetwork:
		if r.ID, err = entityID(q, "id"); err != nil {
			return nil, err
		}
		maxDepth, def := incidentgraph.MaxNeighborhoodDepth, 1
		if r.Of == OfNetwork {
			maxDepth, def = incidentgraph.MaxAffiliateDepth, 2
		}
		if r.Depth, err = bounded(q, "depth", def, 1, maxDepth); err != nil {
			return nil, err
		}
		if r.Limit, err = bounded(q, "limit", 200, 1, incidentgraph.MaxNeighborhoodNodes); err != nil {
			return nil, err
		}
	case OfPath, OfPaths:
		if r.From, err = entityID(q, "from"); err != nil {
			return nil, err
		}
		if r.To, err = entityID(q, "to"); err != nil {
			return nil, err
		}
		if r.Of == OfPath {
			r.MaxDepth, err = bounded(q, "maxDepth", 6, 1, incidentgraph.MaxPathDepth)
		} else {
			r.MaxDepth, err = bounded(q, "maxDepth", 4, 1, incidentgraph.MaxPathsDepth)
		}
		if err != nil {
			return nil, err
		}
		if r.Of == OfPaths {
			if r.First, err = bounded(q, "first", 5, 1, incidentgraph.MaxPaths); err != nil {
				return nil, err
			}
		}
	}
	if err := parseFilter(q, &r.Filter); err != nil {
		return nil, err
	}
	return r, nil
}

func parseFilter(q url.Values, f *incidentgraph.RelationshipFilter) error {
	for _, t := range list(q, "types") {
		if _, ok := incidentgraph.LookupRelType(incidentgraph.RelType(t)); !ok {
			return invalid("types: %q is not a relationship type (see relationshipTypes)", t)
		}
		f.Types = append(f.Types, incidentgraph.RelType(t))
	}
	for _, s := range list(q, "statuses") {
		if !incidentgraph.Status(s).Valid() {
			return invalid("statuses: %q is not a status; give any of %s", s, joinNames(incidentgraph.Statuses))
		}
		f.Statuses = append(f.Statuses, incidentgraph.Status(s))
	}
	var err error
	if q.Has("minConfidence") {
		if f.MinConfidence, err = bounded(q, "minConfidence", 0, 0, incidentgraph.MaxConfidence); err != nil {
			return err
		}
	}
	if q.Has("assertedBy") {
		if f.AssertedBy, err = entityID(q, "assertedBy"); err != nil {
			return err
		}
	}
	for name, into := range map[string]*incidentgraph.PartialDate{"knownAt": &f.KnownAt, "validAt": &f.ValidAt} {
		if !q.Has(name) {
			continue
		}
		d, err := incidentgraph.ParsePartialDate(q.Get(name))
		if err != nil {
			return invalid("%s: %v", name, err)
		}
		*into = d
	}
	return nil
}

func single(q url.Values, name string) (string, error) {
	switch vs := q[name]; len(vs) {
	case 0:
		return "", invalid("%s is required", name)
	case 1:
		return vs[0], nil
	default:
		return "", invalid("%s is given %d times; give it once", name, len(vs))
	}
}

func entityID(q url.Values, name string) (string, error) {
	id, err := single(q, name)
	if err != nil {
		return "", err
	}
	if !incidentgraph.ValidID(id) {
		return "", invalid("%s: %q is not an entity id (lowercase words joined by hyphens, e.g. islamic-state)", name, id)
	}
	return id, nil
}

func bounded(q url.Values, name string, def, lo, hi int) (int, error) {
	if !q.Has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < lo || n > hi {
		return 0, invalid("%s must be a whole number between %d and %d (got %q)", name, lo, hi, q.Get(name))
	}
	return n, nil
}

// list reads a list argument given comma-separated, repeated, or both; blanks are dropped and
// each item is taken once.
func list(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" && !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
	}
	return out
}

func joinNames[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

// Services are what an export is answered with. *neo4j.DB is all three.
type Services struct {
	Graph   incidentgraph.GraphService
	Analyst incidentgraph.AnalystService
	// Whole answers of=all; nil refuses it as an internal error (a wiring mistake).
	Whole WholeGraph
}

// WholeGraph returns the whole graph as one subgraph: every entity and every relationship that
// passes f, or BAD_USER_INPUT when there are more than maxNodes entities or maxEdges such
// relationships. *neo4j.DB is one.
type WholeGraph interface {
	WholeGraph(ctx context.Context, f incidentgraph.RelationshipFilter, maxNodes, maxEdges int) (*incidentgraph.Subgraph, error)
}

// Fetch answers the request's subgraph from the services, with the same bounds as the GraphQL
// fields. An unknown entity is NOT_FOUND, and so is a path or paths question with no path within
// maxDepth hops: there is nothing to export.
func Fetch(ctx context.Context, svc Services, r *Request) (*incidentgraph.Subgraph, error) {
	switch r.Of {
	case OfNeighborhood:
		return svc.Graph.Neighborhood(ctx, r.ID, r.Depth, r.Filter, r.Limit)
	case OfNetwork:
		return svc.Analyst.AffiliateNetwork(ctx, r.ID, r.Depth, r.Filter, r.Limit)
	case OfPath:
		g, err := svc.Graph.ShortestPath(ctx, r.From, r.To, r.MaxDepth, r.Filter)
		if err == nil && g == nil {
			err = noPath(r)
		}
		return g, err
	case OfPaths:
		ps, err := svc.Analyst.Paths(ctx, r.From, r.To, r.MaxDepth, r.First, r.Filter)
		if err != nil {
			return nil, err
		}
		if len(ps) == 0 {
			return nil, noPath(r)
		}
		// The union: nodes and edges that several paths share appear once (NewDocument
		// deduplicates by id).
		g := &incidentgraph.Subgraph{}
		for _, p := range ps {
			g.Nodes = append(g.Nodes, p.Nodes...)
			g.Edges = append(g.Edges, p.Edges...)
		}
		return g, nil
	case OfAll:
		if svc.Whole == nil {
			return nil, errors.New("export: of=all has no WholeGraph service")
		}
		return svc.Whole.WholeGraph(ctx, r.Filter, MaxWholeGraphNodes, MaxWholeGraphEdges)
	default:
		return nil, invalid("of: give one of %s", joinNames(Ofs))
	}
}

func noPath(r *Request) error {
	return incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no path from %q to %q within %d hops with these filters", r.From, r.To, r.MaxDepth)
}

// EntityFinder looks entities up by id: GraphService's FindEntitiesByIDs.
type EntityFinder interface {
	FindEntitiesByIDs(ctx context.Context, ids []string) ([]*incidentgraph.Entity, error)
}

// Document is a subgraph ready to write: nodes and edges once each and sorted by id, every
// edge's ends among the nodes, and the entities its edges name (asserting parties, sources).
type Document struct {
	Name      string // the network's name, e.g. incidentgraph-neighborhood-islamic-state
	Nodes     []*incidentgraph.Entity
	Edges     []*incidentgraph.Relationship
	Truncated bool
	// Named holds the asserting parties and sources of the edges, by id, where they exist.
	Named map[string]*incidentgraph.Entity
	// Figures are the nodes' reported figures by subject id, for the formats that carry them
	// (STIX; AddFigures fetches them).
	Figures map[string][]*incidentgraph.Figure
}

// NewDocument prepares g for writing under name, looking up the asserting parties and sources
// its edges cite that are not among its nodes (MaxIDsPerRequest ids per lookup).
func NewDocument(ctx context.Context, finder EntityFinder, name string, g *incidentgraph.Subgraph) (*Document, error) {
	d := &Document{Name: name, Truncated: g.Truncated, Named: map[string]*incidentgraph.Entity{}}
	for _, n := range g.Nodes {
		if _, dup := d.Named[n.ID]; !dup {
			d.Named[n.ID] = n
			d.Nodes = append(d.Nodes, n)
		}
	}
	seen := map[string]bool{}
	for _, e := range g.Edges {
		// As the GraphQL Subgraph: an edge whose ends are not both drawn cannot be charted.
		if seen[e.ID] || d.Named[e.FromID] == nil || d.Named[e.ToID] == nil {
			continue
		}
		seen[e.ID] = true
		d.Edges = append(d.Edges, e)
	}
	slices.SortFunc(d.Nodes, func(a, b *incidentgraph.Entity) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(d.Edges, func(a, b *incidentgraph.Relationship) int { return cmp.Compare(a.ID, b.ID) })

	var cited []string
	for _, e := range d.Edges {
		cited = append(cited, e.AssertedByID)
		cited = append(cited, e.SourceIDs...)
	}
	if err := d.lookUp(ctx, finder, cited); err != nil {
		return nil, err
	}
	return d, nil
}

// lookUp adds to Named the entities among ids that it lacks and the graph holds
// (MaxIDsPerRequest ids per lookup).
func (d *Document) lookUp(ctx context.Context, finder EntityFinder, ids []string) error {
	var missing []string
	for _, id := range ids {
		if id != "" && d.Named[id] == nil && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	slices.Sort(missing)
	for chunk := range slices.Chunk(missing, incidentgraph.MaxIDsPerRequest) {
		found, err := finder.FindEntitiesByIDs(ctx, chunk)
		if err != nil {
			return err
		}
		for _, e := range found {
			d.Named[e.ID] = e
		}
	}
	return nil
}

// AddFigures fetches the figures of the document's incidents and events in the time view tv,
// and looks up the entities they and the nodes cite (asserting parties, sources) that Named
// lacks: what a STIX bundle carries besides the subgraph.
func (d *Document) AddFigures(ctx context.Context, graph incidentgraph.GraphService, tv incidentgraph.TimeView) error {
	d.Figures = map[string][]*incidentgraph.Figure{}
	var subjects []string
	for _, n := range d.Nodes {
		if n.Kind == incidentgraph.KindIncident || n.Kind == incidentgraph.KindEvent {
			subjects = append(subjects, n.ID)
		}
	}
	for chunk := range slices.Chunk(subjects, incidentgraph.MaxIDsPerRequest) {
		found, err := graph.FindFigures(ctx, chunk, tv)
		if err != nil {
			return err
		}
		for id, fs := range found {
			d.Figures[id] = fs
		}
	}
	var cited []string
	for _, n := range d.Nodes {
		cited = append(cited, n.SourceIDs...)
		cited = append(cited, n.AliasSourceIDs()...)
		for _, f := range d.Figures[n.ID] {
			cited = append(cited, f.AssertedByID)
			cited = append(cited, f.SourceIDs...)
		}
	}
	return d.lookUp(ctx, graph, cited)
}

// Build fetches the request's subgraph and prepares it for writing.
func Build(ctx context.Context, svc Services, r *Request) (*Document, error) {
	g, err := Fetch(ctx, svc, r)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSuffix(r.FileName(), "."+r.Format.Extension())
	d, err := NewDocument(ctx, svc.Graph, name, g)
	if err != nil {
		return nil, err
	}
	if r.Format == STIX {
		err = d.AddFigures(ctx, svc.Graph, incidentgraph.TimeView{KnownAt: r.Filter.KnownAt, ValidAt: r.Filter.ValidAt})
	}
	return d, err
}

// Write writes d in format f.
func Write(w io.Writer, f Format, d *Document) error {
	switch f {
	case Cytoscape:
		return writeCytoscape(w, d)
	case GraphML:
		return writeGraphML(w, d)
	case GEXF:
		return writeGEXF(w, d)
	case CSV:
		return writeCSV(w, d)
	case STIX:
		return stix.Write(w, &stix.Graph{Name: d.Name, Nodes: d.Nodes, Edges: d.Edges, Truncated: d.Truncated,
			Named: d.Named, Figures: d.Figures})
	case GeoJSON:
		return writeGeoJSON(w, d)
	default:
		return fmt.Errorf("export: unknown format %q", f)
	}
}
