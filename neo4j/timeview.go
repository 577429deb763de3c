package neo4j

import "github.com/incidentgraph/incidentgraph"

// timeView derives, at load time, the properties that make "as of" questions one index-free
// comparison per relationship: knownFrom (the first day an assertion can be known),
// validFromStart and validToEnd (the widest span in which it may have held, narrowed by the
// founding and dissolution of its ends). Partial dates become their first or last day, so
// plain string comparison orders them (see incidentgraph.KnownFrom and HeldDuring).
type timeView struct {
	published map[string]incidentgraph.PartialDate // source id → published
	founded   map[string]incidentgraph.PartialDate
	dissolved map[string]incidentgraph.PartialDate
}

func newTimeView(es []*incidentgraph.Entity) *timeView {
	tv := &timeView{published: map[string]incidentgraph.PartialDate{}, founded: map[string]incidentgraph.PartialDate{}, dissolved: map[string]incidentgraph.PartialDate{}}
	for _, e := range es {
		if e.Kind == incidentgraph.KindSource {
			tv.published[e.ID] = e.Published
		}
		if !e.Founded.IsZero() {
			tv.founded[e.ID] = e.Founded
		}
		if !e.Dissolved.IsZero() {
			tv.dissolved[e.ID] = e.Dissolved
		}
	}
	return tv
}

func (tv *timeView) knownFrom(on incidentgraph.PartialDate, sources []string) string {
	pub := make([]incidentgraph.PartialDate, 0, len(sources))
	for _, s := range sources {
		pub = append(pub, tv.published[s])
	}
	return incidentgraph.KnownFrom(on, pub)
}

func (tv *timeView) relationship(r *incidentgraph.Relationship, p map[string]any) {
	if k := tv.knownFrom(r.AssertedOn, r.SourceIDs); k != "" {
		p["knownFrom"] = k
	}
	start := r.ValidFrom.Start()
	for _, id := range []string{r.FromID, r.ToID} {
		if f := tv.founded[id].Start(); f > start {
			start = f
		}
	}
	if start != "" {
		p["validFromStart"] = start
	}
	end := r.ValidTo.End()
	for _, id := range []string{r.FromID, r.ToID} {
		if d := tv.dissolved[id].End(); d != "" && (end == "" || d < end) {
			end = d
		}
	}
	if end != "" {
		p["validToEnd"] = end
	}
}

func (tv *timeView) figure(f *incidentgraph.Figure, p map[string]any) {
	if k := tv.knownFrom(f.AsOf, f.SourceIDs); k != "" {
		p["knownFrom"] = k
	}
	if s := f.AsOf.Start(); s != "" {
		p["asOfStart"] = s
	}
}
