package neo4j_test

import (
	"context"
	"slices"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

const (
	parisAttacks      = "paris-attacks-2015"
	manchesterBombing = "manchester-arena-bombing-2017"
	synagoguePlot     = "moscow-synagogue-plot-2024"         // dated "2024-03" only
	embassyAlert      = "us-embassy-moscow-alert-2024-03-07" // an event
)

func incidentIDs(t *testing.T, db *neo4j.DB, f incidentgraph.IncidentFilter) []string {
	t.Helper()
	page, err := db.FindIncidents(context.Background(), f, incidentgraph.Page{First: 100})
	if err != nil {
		t.Fatalf("%+v: %v", f, err)
	}
	return entityIDs(page.Entities)
}

func TestIncidentsOfAnAffiliateNetwork(t *testing.T) {
	db := seeded(t)
	// Without includeAffiliates, IS's own incidents only: Kabul is IS-K's (the negative control).
	own := incidentIDs(t, db, incidentgraph.IncidentFilter{Perpetrator: is})
	if !slices.Contains(own, parisAttacks) || slices.Contains(own, kabul) {
		t.Fatalf("IS alone: %v, want Paris and not Kabul", own)
	}
	network := incidentIDs(t, db, incidentgraph.IncidentFilter{Perpetrator: is, IncludeAffiliates: true})
	for _, id := range []string{kabul, parisAttacks, manchesterBombing, moscow, synagoguePlot} {
		if !slices.Contains(network, id) {
			t.Errorf("IS and affiliates: %v lacks %s", network, id)
		}
	}
	// The network runs downwards only: IS-K's affiliates do not include its parent, IS.
	up := incidentIDs(t, db, incidentgraph.IncidentFilter{Perpetrator: isk, IncludeAffiliates: true})
	if slices.Contains(up, parisAttacks) || !slices.Contains(up, kabul) {
		t.Errorf("IS-K and affiliates: %v, want Kabul and not Paris (IS's own)", up)
	}
	// minConfidence still applies to the perpetrator links: IS's claim of Manchester is at 45.
	strong := incidentIDs(t, db, incidentgraph.IncidentFilter{Perpetrator: is, IncludeAffiliates: true, MinConfidence: 50})
	if slices.Contains(strong, manchesterBombing) || !slices.Contains(strong, parisAttacks) {
		t.Errorf("minConfidence 50: %v, want Paris and not Manchester", strong)
	}
}

func TestIncidentsInATimeView(t *testing.T) {
	db := seeded(t)
	f := incidentgraph.IncidentFilter{Perpetrator: is, IncludeAffiliates: true}
	// Known at 2023: the Moscow attack had not happened. (Nor had the sources on IS's and IS-K's
	// older attacks been published: the seed's are from 2024, so nothing of theirs is known.)
	f.TimeView.KnownAt = "2023"
	if ids := incidentIDs(t, db, f); slices.Contains(ids, moscow) {
		t.Errorf("known at 2023: %v holds the Moscow attack", ids)
	}
	if ids := incidentIDs(t, db, incidentgraph.IncidentFilter{TimeView: f.TimeView}); slices.Contains(ids, moscow) || !slices.Contains(ids, kabul) {
		t.Errorf("known at 2023, any perpetrator: %v, want Kabul and no Moscow attack", ids)
	}
	f.TimeView.KnownAt = "2024-03-23"
	if ids := incidentIDs(t, db, f); !slices.Contains(ids, moscow) {
		t.Errorf("known at 2024-03-23: %v lacks the Moscow attack", ids)
	}
	// The rule is "had begun by the end of KnownAt": by the end of 2016 Paris had happened,
	// Manchester had not.
	if ids := incidentIDs(t, db, incidentgraph.IncidentFilter{TimeView: incidentgraph.TimeView{KnownAt: "2016"}}); !slices.Equal(ids, []string{parisAttacks}) {
		t.Errorf("known at 2016: %v, want Paris only", ids)
	}
	// ValidAt: in 2014, before IS-K was founded, neither its affiliation nor its attack held.
	f.TimeView = incidentgraph.TimeView{ValidAt: "2014"}
	if ids := incidentIDs(t, db, f); slices.Contains(ids, kabul) {
		t.Errorf("valid at 2014: %v holds Kabul", ids)
	}
	f.TimeView = incidentgraph.TimeView{ValidAt: "2021"}
	if ids := incidentIDs(t, db, f); !slices.Contains(ids, kabul) {
		t.Errorf("valid at 2021: %v lacks Kabul", ids)
	}
}

func timeline(t *testing.T, db *neo4j.DB, f incidentgraph.TimelineFilter) *incidentgraph.TimelinePage {
	t.Helper()
	page, err := db.Timeline(context.Background(), f, incidentgraph.Page{First: 100})
	if err != nil {
		t.Fatalf("%+v: %v", f, err)
	}
	if page.TotalCount != len(page.Entries) || page.HasNextPage {
		t.Fatalf("%+v: one big page holds %d of %d (next %v)", f, len(page.Entries), page.TotalCount, page.HasNextPage)
	}
	return page
}

func timelineIDs(p *incidentgraph.TimelinePage) []string {
	out := make([]string, len(p.Entries))
	for i, e := range p.Entries {
		out[i] = e.Entity.ID
	}
	return out
}

func span(e *incidentgraph.Entity) (string, string) {
	end := e.Date.End()
	if !e.EndDate.IsZero() {
		end = e.EndDate.End()
	}
	return e.Date.Start(), end
}

func TestTimelineOrderAndPaging(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	all := timeline(t, db, incidentgraph.TimelineFilter{})
	ids := timelineIDs(all)
	kinds := map[incidentgraph.Kind]bool{}
	for i, e := range all.Entries {
		kinds[e.Entity.Kind] = true
		if len(e.Links) != 0 {
			t.Errorf("%s has links without an actor", e.Entity.ID)
		}
		if i > 0 {
			ps, pe := span(all.Entries[i-1].Entity)
			s, en := span(e.Entity)
			if ps > s || (ps == s && pe > en) || (ps == s && pe == en && all.Entries[i-1].Entity.ID >= e.Entity.ID) {
				t.Errorf("out of order: %s (%s) before %s (%s)", all.Entries[i-1].Entity.ID, all.Entries[i-1].Entity.Date, e.Entity.ID, e.Entity.Date)
			}
		}
	}
	if !kinds[incidentgraph.KindIncident] || !kinds[incidentgraph.KindEvent] || len(kinds) != 2 {
		t.Errorf("kinds %v, want incidents and events only", kinds)
	}
	// A month sorts by its first day: the synagogue plot ("2024-03") comes before the embassy's
	// embassyAlert of 7 March, though the plot may have happened later.
	if i, j := slices.Index(ids, synagoguePlot), slices.Index(ids, embassyAlert); i < 0 || j < 0 || i > j {
		t.Errorf("%s at %d, %s at %d: want the month first", synagoguePlot, i, embassyAlert, j)
	}

	for first := 1; first <= 3; first++ {
		var paged []string
		p := incidentgraph.Page{First: first}
		for n := 0; ; n++ {
			page, err := db.Timeline(ctx, incidentgraph.TimelineFilter{}, p)
			if err != nil {
				t.Fatal(err)
			}
			if page.TotalCount != all.TotalCount || len(page.Entries) > first || len(page.Cursors) != len(page.Entries) {
				t.Fatalf("first %d: page of %d (%d cursors), total %d of %d", first, len(page.Entries), len(page.Cursors), page.TotalCount, all.TotalCount)
			}
			paged = append(paged, timelineIDs(page)...)
			if !page.HasNextPage {
				break
			}
			if n > len(ids) {
				t.Fatalf("first %d: paging does not end", first)
			}
			p.After = page.Cursors[len(page.Cursors)-1]
		}
		if !slices.Equal(paged, ids) {
			t.Errorf("first %d: paged %v, all at once %v", first, paged, ids)
		}
	}

	for _, bad := range []incidentgraph.Page{
		{First: 2, After: "not-a-cursor"},
		{First: 0},
		{First: incidentgraph.MaxPageSize + 1},
	} {
		if _, err := db.Timeline(ctx, incidentgraph.TimelineFilter{}, bad); incidentgraph.ErrorCode(err) != incidentgraph.EINVALID {
			t.Errorf("page %+v: %v, want BAD_USER_INPUT", bad, err)
		}
	}
	// An incident list's cursor is not a timeline position.
	inc, err := db.FindIncidents(ctx, incidentgraph.IncidentFilter{}, incidentgraph.Page{First: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Timeline(ctx, incidentgraph.TimelineFilter{}, incidentgraph.Page{First: 1, After: inc.Cursors[0]}); incidentgraph.ErrorCode(err) != incidentgraph.EINVALID {
		t.Errorf("incident cursor: %v, want BAD_USER_INPUT", err)
	}
}

func TestTimelineOfAnActor(t *testing.T) {
	db := seeded(t)
	all := timelineIDs(timeline(t, db, incidentgraph.TimelineFilter{}))
	if !slices.Contains(all, kabul) || !slices.Contains(all, manchesterBombing) {
		t.Fatalf("control: the whole timeline %v lacks Kabul or Manchester", all)
	}
	own := timeline(t, db, incidentgraph.TimelineFilter{Actor: is})
	ownIDs := timelineIDs(own)
	if !slices.Contains(ownIDs, parisAttacks) || !slices.Contains(ownIDs, "islamic-state-yazidi-genocide") || slices.Contains(ownIDs, kabul) {
		t.Errorf("IS: %v, want Paris and the Yazidi genocide, not Kabul", ownIDs)
	}
	network := timeline(t, db, incidentgraph.TimelineFilter{Actor: is, IncludeAffiliates: true})
	if ids := timelineIDs(network); !slices.Contains(ids, kabul) || !slices.Contains(ids, parisAttacks) {
		t.Errorf("IS and affiliates: %v, want Kabul and Paris", ids)
	}
	for _, e := range network.Entries {
		if len(e.Links) == 0 {
			t.Errorf("%s has no links", e.Entity.ID)
		}
		for i, r := range e.Links {
			other := r.FromID
			if other == e.Entity.ID {
				other = r.ToID
			}
			if (r.FromID != e.Entity.ID && r.ToID != e.Entity.ID) || (other != is && other != isk) {
				t.Errorf("%s: link %s does not join it to IS or IS-K", e.Entity.ID, r.ID)
			}
			if i > 0 && e.Links[i-1].Confidence < r.Confidence {
				t.Errorf("%s: links not strongest first", e.Entity.ID)
			}
		}
		if e.Entity.ID == kabul && (len(e.Links) != 1 || e.Links[0].ToID != isk) {
			t.Errorf("Kabul's links %+v, want its attribution to IS-K", e.Links)
		}
	}
	// The relationship filter selects the links: IS's claim of Manchester is at 45.
	strong := timelineIDs(timeline(t, db, incidentgraph.TimelineFilter{Actor: is, Rel: incidentgraph.RelationshipFilter{MinConfidence: 50}}))
	if slices.Contains(strong, manchesterBombing) || !slices.Contains(ownIDs, manchesterBombing) {
		t.Errorf("minConfidence 50: %v; without it %v: want Manchester only without", strong, ownIDs)
	}
	// KnownAt applies to the links: on 23 March 2024, IS's claim of the Moscow attack was known,
	// its claim of Paris not yet (the seed's only source for it is from 2025).
	known := timelineIDs(timeline(t, db, incidentgraph.TimelineFilter{Actor: is, Rel: incidentgraph.RelationshipFilter{KnownAt: "2024-03-23"}}))
	if !slices.Contains(known, moscow) || slices.Contains(known, parisAttacks) || !slices.Contains(ownIDs, parisAttacks) {
		t.Errorf("IS, known at 2024-03-23: %v, want the Moscow attack and not Paris", known)
	}
	// And to the entries: on 21 March the attack had not begun; the plot of "2024-03" may have.
	for _, tc := range []struct {
		knownAt incidentgraph.PartialDate
		moscow  bool
	}{{"2024-03-21", false}, {"2024-03-22", true}} {
		ids := timelineIDs(timeline(t, db, incidentgraph.TimelineFilter{Rel: incidentgraph.RelationshipFilter{KnownAt: tc.knownAt}}))
		if slices.Contains(ids, moscow) != tc.moscow || !slices.Contains(ids, synagoguePlot) {
			t.Errorf("known at %s: %v, want the plot, and the Moscow attack %v", tc.knownAt, ids, tc.moscow)
		}
	}

	if _, err := db.Timeline(context.Background(), incidentgraph.TimelineFilter{Actor: "no-such-actor"}, incidentgraph.Page{First: 10}); incidentgraph.ErrorCode(err) != incidentgraph.ENOTFOUND {
		t.Errorf("unknown actor: %v, want NOT_FOUND", err)
	}
}

func TestTimelineOfAPlaceAndAPeriod(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	all := timelineIDs(timeline(t, db, incidentgraph.TimelineFilter{}))
	russia := timelineIDs(timeline(t, db, incidentgraph.TimelineFilter{Place: "russia"}))
	for _, id := range []string{moscow, synagoguePlot} {
		if !slices.Contains(russia, id) {
			t.Errorf("in Russia: %v lacks %s", russia, id)
		}
	}
	if slices.Contains(russia, parisAttacks) || !slices.Contains(all, parisAttacks) {
		t.Errorf("in Russia: %v holds Paris", russia)
	}
	// Inside a place means inside it: the concert hall is in Krasnogorsk, not in the city of Moscow.
	city := timelineIDs(timeline(t, db, incidentgraph.TimelineFilter{Place: "moscow"}))
	if !slices.Contains(city, synagoguePlot) || slices.Contains(city, moscow) {
		t.Errorf("in Moscow: %v, want the synagogue plot and not the concert hall attack", city)
	}

	// A partial date counts by its whole span: the plot of "2024-03" may have happened on 22
	// March, the embassy's alert of 7 March did not.
	day := timelineIDs(timeline(t, db, incidentgraph.TimelineFilter{From: "2024-03-22", To: "2024-03-22"}))
	if !slices.Contains(day, moscow) || !slices.Contains(day, synagoguePlot) || slices.Contains(day, embassyAlert) || !slices.Contains(all, embassyAlert) {
		t.Errorf("on 2024-03-22: %v, want the attack and the plot, not the alert", day)
	}
	y2015 := timelineIDs(timeline(t, db, incidentgraph.TimelineFilter{From: "2015", To: "2015"}))
	if !slices.Contains(y2015, parisAttacks) || !slices.Contains(y2015, "russian-airstrikes-syria") || slices.Contains(y2015, manchesterBombing) {
		t.Errorf("in 2015: %v, want Paris and the airstrikes, not Manchester", y2015)
	}
	from := timelineIDs(timeline(t, db, incidentgraph.TimelineFilter{From: "2021-08-26"}))
	if !slices.Contains(from, kabul) || slices.Contains(from, manchesterBombing) {
		t.Errorf("from 2021-08-26: %v, want Kabul and not Manchester", from)
	}

	for _, tc := range []struct {
		f    incidentgraph.TimelineFilter
		code string
	}{
		{incidentgraph.TimelineFilter{From: "2016", To: "2015-12"}, incidentgraph.EINVALID},
		{incidentgraph.TimelineFilter{Place: "no-such-place"}, incidentgraph.ENOTFOUND},
		{incidentgraph.TimelineFilter{Place: is}, incidentgraph.EINVALID},
	} {
		if _, err := db.Timeline(ctx, tc.f, incidentgraph.Page{First: 10}); incidentgraph.ErrorCode(err) != tc.code {
			t.Errorf("%+v: %v, want %s", tc.f, err, tc.code)
		}
	}
}
