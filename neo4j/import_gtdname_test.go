package neo4j_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// A merge keeps the duplicate's GTD name resolving to the survivor. Rows naming IS-K by its
// gtdName are imported; a curator merges IS-K into the Islamic State; the same rows imported
// again change nothing: no gtd-group-* for the name, and each row's link is on the survivor
// once, under the id the first import gave it. Once with the gtdName only IS-K's gtdName (after
// the merge the survivor does not know it at all), once with it also among IS-K's aliases
// (after the merge the survivor has it as an alias, which must not win over the redirect).
// Then a curator gives the name to a new group: later imports link its rows to that group.
//
// Negative controls, the same checks against an importer with one condition of its name lookup
// taken out: without the lookup of redirects by gtdName both variants fail the re-import's
// checks; without the exception for a live group given the name, only the last check fails.
func TestImportGTDMergedGroupKeepsItsGTDName(t *testing.T) {
	for _, asAlias := range []bool{false, true} {
		name := map[bool]string{false: "gtdName only", true: "gtdName also an alias"}[asAlias]
		t.Run(name, func(t *testing.T) {
			for _, f := range gtdNameFaults(t, asAlias, nil) {
				t.Error(f)
			}
		})
		t.Run("negative control: no redirect lookup by gtdName, "+name, func(t *testing.T) {
			noLookup := &sabotage{from: "MATCH (r:Redirect {gtdName: n.name})", to: "MATCH (r:Redirect {gtdName: n.name + ' (sabotaged)'})"}
			faults := gtdNameFaults(t, asAlias, noLookup)
			if !slices.ContainsFunc(faults, func(f string) bool { return strings.HasPrefix(f, "re-import: ") }) {
				t.Errorf("without the redirect lookup the re-import passes its checks (faults: %q)", faults)
			}
			t.Logf("%d checks catch it", len(faults))
			mustHaveApplied(t, noLookup)
		})
	}
	t.Run("negative control: no exception for a live group", func(t *testing.T) {
		noException := &sabotage{from: "WHERE NOT EXISTS { MATCH (o:Organization {gtdName: n.name}) WHERE o.id <> r.to }", to: "WHERE true"}
		faults := gtdNameFaults(t, false, noException)
		if len(faults) != 1 || !strings.HasPrefix(faults[0], "reborn: ") {
			t.Errorf("without the live-group exception: faults %q, want the last check's alone", faults)
		}
		mustHaveApplied(t, noException)
	})
}

// gtdNameFaults runs the story of TestImportGTDMergedGroupKeepsItsGTDName, importing through a
// store sabotaged by s when it is set, and returns the checks that fail: "re-import: ..." for
// the re-import after the merge, "reborn: ..." for the import after a group is given the name.
func gtdNameFaults(t *testing.T, asAlias bool, s *sabotage) []string {
	const (
		gname, dup, survivor = "Khorasan Chapter of the Islamic State", "islamic-state-khorasan-province", "islamic-state"
		reborn               = "khorasan-chapter"
	)
	incidents := []string{"gtd-202001150001", "gtd-202006000001"}
	db := curated(t)
	importer := db
	if s != nil {
		importer = sabotagedStore(t, s)
	}
	ctx := context.Background()
	if asAlias {
		e, err := db.FindEntitiesByIDs(ctx, []string{dup})
		if err != nil || len(e) != 1 {
			t.Fatalf("%s: %v (%v)", dup, e, err)
		}
		in := &incidentgraph.EntityInput{Aliases: append(slices.Clone(e[0].Aliases), gname), AliasesSet: true}
		if _, err := db.UpdateEntity(ctx, curator("ann"), dup, version(t, db, dup), in); err != nil {
			t.Fatal(err)
		}
	}
	incs := sampleRows(t, "202001150001", "202006000001")
	mustImport(t, importer, incs, neo4j.ImportOptions{})
	links := func() [][]any {
		t.Helper()
		return rows(t, db, `MATCH (o:Organization)-[r]->(i:Incident) WHERE i.id IN $ids RETURN o.id, i.id, r.id ORDER BY i.id, r.id`,
			map[string]any{"ids": incidents})
	}
	first := links()
	if len(first) != len(incidents) {
		t.Fatalf("links of the rows: %v, want one each", first)
	}
	for _, l := range first {
		if l[0] != dup {
			t.Fatalf("link %v: from %v, want %s (the rows name it by its gtdName)", l[2], l[0], dup)
		}
	}

	mergeInto(t, db, survivor, dup)
	redirect, err := driver.ExecuteQuery(ctx, testDriver(t), `MATCH (r:Redirect {id: $id}) RETURN r.to, r.gtdName`,
		map[string]any{"id": dup}, driver.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	if len(redirect.Records) != 1 || redirect.Records[0].Values[0] != survivor || redirect.Records[0].Values[1] != gname {
		t.Fatalf("redirect of %s: %v, want to %s with gtdName %q", dup, redirect.Records, survivor, gname)
	}
	audit, err := db.AuditLog(ctx, incidentgraph.AuditFilter{TargetID: dup, Operation: incidentgraph.OpMergeEntities}, incidentgraph.Page{First: 1})
	if err != nil || len(audit.Changes) != 1 {
		t.Fatalf("audit of the merge of %s: %+v (%v)", dup, audit, err)
	}
	var after map[string]any
	if err := json.Unmarshal([]byte(audit.Changes[0].After), &after); err != nil || after["mergedInto"] != survivor || after["gtdName"] != gname {
		t.Fatalf("audit of the merge, after: %s (%v), want mergedInto %s and gtdName %q", audit.Changes[0].After, err, survivor, gname)
	}
	afterMerge := fingerprint(t, db)
	want := slices.Clone(first)
	for _, l := range want {
		l[0] = survivor
	}
	if got := links(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("links after the merge: %v, want %v", got, want)
	}

	var faults []string
	fault := func(format string, args ...any) { faults = append(faults, fmt.Sprintf(format, args...)) }
	stats, err := importer.ImportGTD(ctx, slices.Values(incs), neo4j.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := links(); !slices.EqualFunc(got, want, slices.Equal) {
		fault("re-import: links %v, want %v (each on %s once, under its first id)", got, want, survivor)
	}
	if g := rows(t, db, `MATCH (o:Organization) WHERE o.id STARTS WITH 'gtd-group-' RETURN o.id`, nil); len(g) != 0 {
		fault("re-import: created groups %v", g)
	}
	if stats.GroupsCreated != 0 || stats.GroupsResolved != 1 {
		fault("re-import: stats %+v, want the one name resolved and no group created", stats)
	}
	if fingerprint(t, db) != afterMerge {
		fault("re-import: re-importing the same rows after the merge changed the graph")
	}

	// A group given the name since the merge is meant by it: the rows link to it now, beside the
	// survivor's links (a curator retracts those if they were wrong).
	if asAlias {
		return faults // one variant is enough for this
	}
	o := newOrg(reborn, "Khorasan Chapter")
	o.GTDName = ptr(gname)
	if _, err := db.CreateEntity(ctx, curator("bob"), o); err != nil {
		t.Fatal(err)
	}
	mustImport(t, importer, incs, neo4j.ImportOptions{})
	got := links()
	var toReborn int
	for _, l := range got {
		if l[0] == reborn {
			toReborn++
		}
	}
	if toReborn != len(incidents) || len(got) != len(want)+len(incidents) {
		fault("reborn: links once %s has the gtdName: %v, want %v and one from %s each", reborn, got, want, reborn)
	}
	return faults
}
