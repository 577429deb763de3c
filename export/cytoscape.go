package export

import (
	"encoding/json"
	"io"
	"strconv"

	"github.com/incidentgraph/incidentgraph"
)

// Cytoscape.js JSON: {"data": {...}, "elements": {"nodes": [{"data": {...}}], "edges": [...]}},
// which cytoscape({elements}) takes as it is and Cytoscape desktop imports as a .cyjs file (its
// "name" column is the node's caption there; "interaction" is its edge-type column). Values keep
// their JSON types: confidence and coordinates are numbers, aliases and sources are lists.

type cyDocument struct {
	Data     map[string]any `json:"data"`
	Elements cyElements     `json:"elements"`
}

type cyElements struct {
	Nodes []cyElement `json:"nodes"`
	Edges []cyElement `json:"edges"`
}

type cyElement struct {
	Data map[string]any `json:"data"` // encoding/json writes map keys sorted: stable output
}

func label(e *incidentgraph.Entity) string {
	if e.Name != "" {
		return e.Name
	}
	return e.ID
}

func typed(typ attrType, s string) any {
	switch typ {
	case tInt:
		n, _ := strconv.Atoi(s)
		return n
	case tDouble:
		f, _ := strconv.ParseFloat(s, 64)
		return f
	case tBoolean:
		return s == "true"
	default:
		return s
	}
}

func writeCytoscape(w io.Writer, d *Document) error {
	doc := cyDocument{
		Data:     map[string]any{"name": d.Name, "truncated": d.Truncated},
		Elements: cyElements{Nodes: make([]cyElement, 0, len(d.Nodes)), Edges: make([]cyElement, 0, len(d.Edges))},
	}
	for _, n := range d.Nodes {
		data := map[string]any{"id": n.ID, "label": label(n), "kind": string(n.Kind)}
		for _, a := range nodeAttrs {
			if a.list != nil {
				if xs := a.list(n); len(xs) > 0 {
					data[a.name] = xs
				}
			} else if v, ok := a.value(n); ok {
				data[a.name] = typed(a.typ, v)
			}
		}
		doc.Elements.Nodes = append(doc.Elements.Nodes, cyElement{Data: data})
	}
	for _, r := range d.Edges {
		data := map[string]any{"id": r.ID, "source": r.FromID, "target": r.ToID, "label": string(r.Type), "interaction": string(r.Type)}
		for _, a := range edgeAttrs {
			if a.list != nil {
				// Provenance lists are always there, empty or not, so that a reader needs no
				// special case.
				data[a.name] = nonNil(a.list(r, d))
			} else if v, ok := a.value(r, d); ok {
				data[a.name] = typed(a.typ, v)
			}
		}
		doc.Elements.Edges = append(doc.Elements.Edges, cyElement{Data: data})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // quotes and URLs stay readable; the file is a download, not HTML
	return enc.Encode(doc)
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
