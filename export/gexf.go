package export

import (
	"encoding/xml"
	"io"

	"github.com/incidentgraph/incidentgraph"
)

// GEXF 1.3 (http://gexf.net/1.3) for Gephi: a dynamic graph whose times are dates
// (timeformat="date"), so that Gephi's timeline replays the network. Spells:
//   - an incident or event exists from the first day of its date to the last day of its end
//     date (or of its date, when it has no end date);
//   - an organisation exists from the first day of its founding to the last day of its
//     dissolution, open at either end that is unknown;
//   - a relationship holds from the first day of validFrom to the last day of validTo, open at
//     either end that is unknown;
//   - anything else (people, places, states, sources), and whatever has no date, has no spell
//     and so exists throughout.
//
// Partial dates widen to the whole span they may mean: "2015-01" starts on 2015-01-01 and ends
// on 2015-01-31, "2015" runs from 2015-01-01 to 2015-12-31 (PartialDate.Start and End). Gephi
// hides an edge while either of its ends does not exist, so claims and attributions appear with
// their incident.

const gexfNamespace = "http://gexf.net/1.3"

type gexfDocument struct {
	XMLName        xml.Name  `xml:"gexf"`
	XMLNS          string    `xml:"xmlns,attr"`
	XSI            string    `xml:"xmlns:xsi,attr"`
	SchemaLocation string    `xml:"xsi:schemaLocation,attr"`
	Version        string    `xml:"version,attr"`
	Meta           gexfMeta  `xml:"meta"`
	Graph          gexfGraph `xml:"graph"`
}

// gexfMeta has no lastmodifieddate: the output must not depend on when it was made.
type gexfMeta struct {
	Creator     string `xml:"creator"`
	Description string `xml:"description"`
}

type gexfGraph struct {
	Mode            string           `xml:"mode,attr"`
	DefaultEdgeType string           `xml:"defaultedgetype,attr"`
	TimeFormat      string           `xml:"timeformat,attr"`
	Attributes      []gexfAttributes `xml:"attributes"`
	Nodes           []gexfNode       `xml:"nodes>node"`
	Edges           []gexfEdge       `xml:"edges>edge"`
}

type gexfAttributes struct {
	Class      string          `xml:"class,attr"`
	Mode       string          `xml:"mode,attr"`
	Attributes []gexfAttribute `xml:"attribute"`
}

type gexfAttribute struct {
	ID    string `xml:"id,attr"`
	Title string `xml:"title,attr"`
	Type  string `xml:"type,attr"`
}

type gexfNode struct {
	ID        string          `xml:"id,attr"`
	Label     string          `xml:"label,attr"`
	AttValues []gexfAttValue  `xml:"attvalues>attvalue"`
	Spells    *gexfSpellsList `xml:"spells"`
}

type gexfEdge struct {
	ID        string          `xml:"id,attr"`
	Source    string          `xml:"source,attr"`
	Target    string          `xml:"target,attr"`
	Label     string          `xml:"label,attr"`
	AttValues []gexfAttValue  `xml:"attvalues>attvalue"`
	Spells    *gexfSpellsList `xml:"spells"`
}

type gexfAttValue struct {
	For   string `xml:"for,attr"`
	Value string `xml:"value,attr"`
}

type gexfSpellsList struct {
	Spells []gexfSpell `xml:"spell"`
}

type gexfSpell struct {
	Start string `xml:"start,attr,omitempty"`
	End   string `xml:"end,attr,omitempty"`
}

// gexfType is GEXF's name for an attribute type.
func gexfType(t attrType) string {
	if t == tInt {
		return "integer"
	}
	return string(t)
}

// spell is the span from the first day of from to the last day of to; nil when both are
// unknown.
func spell(from, to incidentgraph.PartialDate) *gexfSpellsList {
	if from == "" && to == "" {
		return nil
	}
	return &gexfSpellsList{Spells: []gexfSpell{{Start: from.Start(), End: to.End()}}}
}

func nodeSpell(e *incidentgraph.Entity) *gexfSpellsList {
	switch e.Kind {
	case incidentgraph.KindIncident, incidentgraph.KindEvent:
		if e.Date == "" {
			return nil
		}
		end := e.EndDate
		if end == "" {
			end = e.Date
		}
		return spell(e.Date, end)
	case incidentgraph.KindOrganization:
		return spell(e.Founded, e.Dissolved)
	default:
		return nil
	}
}

func writeGEXF(w io.Writer, d *Document) error {
	nodeDecl := gexfAttributes{Class: "node", Mode: "static", Attributes: []gexfAttribute{{ID: "kind", Title: "kind", Type: "string"}}}
	for _, a := range nodeAttrs {
		nodeDecl.Attributes = append(nodeDecl.Attributes, gexfAttribute{ID: a.name, Title: a.name, Type: gexfType(a.typ)})
	}
	edgeDecl := gexfAttributes{Class: "edge", Mode: "static"}
	for _, a := range edgeAttrs {
		edgeDecl.Attributes = append(edgeDecl.Attributes, gexfAttribute{ID: a.name, Title: a.name, Type: gexfType(a.typ)})
	}
	doc := gexfDocument{
		XMLNS:          gexfNamespace,
		XSI:            "http://www.w3.org/2001/XMLSchema-instance",
		SchemaLocation: gexfNamespace + " http://gexf.net/1.3/gexf.xsd",
		Version:        "1.3",
		Meta:           gexfMeta{Creator: "incidentgraph", Description: d.Name},
		Graph: gexfGraph{Mode: "dynamic", DefaultEdgeType: "directed", TimeFormat: "date",
			Attributes: []gexfAttributes{nodeDecl, edgeDecl}},
	}
	for _, n := range d.Nodes {
		node := gexfNode{ID: n.ID, Label: label(n), AttValues: []gexfAttValue{{For: "kind", Value: string(n.Kind)}}, Spells: nodeSpell(n)}
		for _, a := range nodeAttrs {
			if v, ok := a.value(n); ok {
				node.AttValues = append(node.AttValues, gexfAttValue{For: a.name, Value: v})
			}
		}
		doc.Graph.Nodes = append(doc.Graph.Nodes, node)
	}
	for _, r := range d.Edges {
		edge := gexfEdge{ID: r.ID, Source: r.FromID, Target: r.ToID, Label: string(r.Type), Spells: spell(r.ValidFrom, r.ValidTo)}
		for _, a := range edgeAttrs {
			if v, ok := a.value(r, d); ok {
				edge.AttValues = append(edge.AttValues, gexfAttValue{For: a.name, Value: v})
			}
		}
		doc.Graph.Edges = append(doc.Graph.Edges, edge)
	}
	return writeXML(w, doc)
}
