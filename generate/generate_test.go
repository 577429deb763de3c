package generate

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	ig "github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/seed"
)

// The sample most tests read: small enough for the suite, large enough to hold every shape.
var sampleConfig = Config{Seed: 7, Incidents: 2000, Groups: 200}

var (
	sampleOnce sync.Once
	sampleDir  string
	sampleSum  *Summary
	sampleErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sampleDir != "" {
		os.RemoveAll(sampleDir)
	}
	os.Exit(code)
}

// sample writes the sample once for the package's tests.
func sample(t *testing.T) (string, *Summary) {
	t.Helper()
	sampleOnce.Do(func() {
		if sampleDir, sampleErr = os.MkdirTemp("", "generate-test-"); sampleErr == nil {
			sampleSum, sampleErr = Write(sampleConfig, sampleDir)
		}
	})
	if sampleErr != nil {
		t.Fatal(sampleErr)
	}
	return sampleDir, sampleSum
}

// readCSV decodes gtd.csv from Windows-1252 and returns its header and rows.
func readCSV(t *testing.T, dir string) ([]string, [][]string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, CSVFile))
	if err != nil {
		t.Fatal(err)
	}
	text, err := charmap.Windows1252.NewDecoder().Bytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(bytes.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return records[0], records[1:]
}

// table gives rows by column name.
type table struct {
	index map[string]int
	rows  [][]string
}

func sampleTable(t *testing.T) table {
	dir, _ := sample(t)
	header, rows := readCSV(t, dir)
	tb := table{index: map[string]int{}, rows: rows}
	for i, h := range header {
		tb.index[h] = i
	}
	return tb
}

func (tb table) get(row []string, name string) string { return row[tb.index[name]] }

func TestSameSeedSameBytesOtherSeedOtherBytes(t *testing.T) {
	cfg := Config{Seed: 42, Incidents: 300, Groups: 40}
	read := func(dir string) (csvData, yamlData []byte) {
		c, err := os.ReadFile(filepath.Join(dir, CSVFile))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(dir, GroupsFile))
		if err != nil {
			t.Fatal(err)
		}
		return c, y
	}
	var dirs []string
	for _, seed := range []uint64{42, 42, 43} {
		dir := t.TempDir()
		c := cfg
		c.Seed = seed
		if _, err := Write(c, dir); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	c1, y1 := read(dirs[0])
	c2, y2 := read(dirs[1])
	c3, y3 := read(dirs[2])
	if !bytes.Equal(c1, c2) || !bytes.Equal(y1, y2) {
		t.Error("the same seed and sizes wrote different files")
	}
	if bytes.Equal(c1, c3) || bytes.Equal(y1, y3) {
		t.Error("seeds 42 and 43 wrote the same file")
	}
	// Nothing but the two files: temporary files are renamed into place.
	entries, _ := os.ReadDir(dirs[0])
	if len(entries) != 2 {
		t.Errorf("output directory holds %d files, want gtd.csv and groups.yaml", len(entries))
	}
}

func TestSizesAskedFor(t *testing.T) {
	for _, cfg := range []Config{
		{Seed: 1, Incidents: 1, Groups: 1},
		{Seed: 2, Incidents: 37, Groups: 5},
		{Seed: 3, Incidents: 300, Groups: 40},
		{Seed: 4, Incidents: 300, Groups: 40, Relationships: 1200},
		{Seed: 5, Incidents: 300, Groups: 40, Relationships: 1},
	} {
		t.Run(fmt.Sprintf("%d-%d-%d", cfg.Incidents, cfg.Groups, cfg.Relationships), func(t *testing.T) {
			dir := t.TempDir()
			sum, err := Write(cfg, dir)
			if err != nil {
				t.Fatal(err)
			}
			_, rows := readCSV(t, dir)
			if len(rows) != cfg.Incidents || sum.Rows != cfg.Incidents {
				t.Errorf("%d rows (summary %d), want %d", len(rows), sum.Rows, cfg.Incidents)
			}
			ds, err := seed.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if n := countGroups(ds); n != cfg.Groups {
				t.Errorf("%d militant groups in groups.yaml, want %d", n, cfg.Groups)
			}
			if sum.StructureLinks != len(ds.Relationships) || sum.Entities != len(ds.Entities) {
				t.Errorf("summary says %d relationships and %d entities, groups.yaml holds %d and %d",
					sum.StructureLinks, sum.Entities, len(ds.Relationships), len(ds.Entities))
			}
			want := cfg.Relationships
			if want == 0 {
				want = min(PerIncident*cfg.Incidents, capacity(cfg.Incidents)/2)
			}
			if sum.Target != want {
				t.Errorf("summary says the floor was %d, want %d", sum.Target, want)
			}
			if cfg.Incidents >= 300 && sum.Relationships() < want {
				t.Errorf("%d relationships, asked for at least %d", sum.Relationships(), want)
			}
		})
	}
}

func TestRelationshipFloorDrivesChains(t *testing.T) {
	natural, err := Write(Config{Seed: 9, Incidents: 1000, Groups: 100, Relationships: 1}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dense, err := Write(Config{Seed: 9, Incidents: 1000, Groups: 100, Relationships: 6000}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if dense.Relationships() < 6000 {
		t.Errorf("%d relationships, asked for at least 6000", dense.Relationships())
	}
	// The natural mix is GTD-like (few chains); the floor is met by more of them.
	if share := float64(natural.ChainedRows) / 1000; share > 0.3 {
		t.Errorf("%.0f%% of rows chained with no floor to meet", share*100)
	}
	if dense.ChainedRows <= natural.ChainedRows {
		t.Errorf("a higher floor gave %d chained rows, the natural mix %d", dense.ChainedRows, natural.ChainedRows)
	}
	for _, cfg := range []Config{
		{Seed: 9, Incidents: 100, Groups: 10, Relationships: 100 * (maxPerIncident + 1)},
		{Seed: 9, Incidents: 51, Groups: 10, Relationships: 51 * 6}, // one row a year: no chain fits
	} {
		if _, err := Write(cfg, t.TempDir()); err == nil {
			t.Errorf("an unreachable floor was accepted: %+v", cfg)
		}
	}
	if _, err := Write(Config{Seed: 9, Incidents: 0, Groups: 10}, t.TempDir()); err == nil {
		t.Error("zero incidents was accepted")
	}
}

// The summary's counts, recomputed from the files themselves.
func TestSummaryMatchesTheFiles(t *testing.T) {
	_, sum := sample(t)
	tb := sampleTable(t)
	var perps, related, chained, partial int
	for _, row := range tb.rows {
		for _, c := range []string{"gname", "gname2", "gname3"} {
			if n := tb.get(row, c); n != "" && n != UnknownGroup {
				perps++
			}
		}
		if rel := tb.get(row, "related"); rel != "" {
			related += len(strings.Split(rel, ","))
			chained++
		}
		if tb.get(row, "iday") == "0" {
			partial++
		}
	}
	if sum.PlaceLinks != len(tb.rows) || sum.PerpetratorLinks != perps || sum.RelatedListed != related || sum.RelatedLinks != related/2 ||
		sum.ChainedRows != chained || sum.PartialDates != partial {
		t.Errorf("summary %+v; the file has %d rows, %d perpetrator links, %d related links, %d chained rows, %d partial dates",
			sum, len(tb.rows), perps, related, chained, partial)
	}
}

func countGroups(ds *ig.Dataset) int {
	n := 0
	for _, e := range ds.Entities {
		if e.Kind == ig.KindOrganization && e.OrgType == "MILITANT_GROUP" {
			n++
		}
	}
	return n
}

// The header, written out here from the GTD codebook rather than taken from Columns.
var codebookHeader = strings.Split("eventid,iyear,imonth,iday,approxdate,country,country_txt,region,region_txt,"+
	"provstate,city,latitude,longitude,specificity,doubtterr,multiple,success,suicide,"+
	"attacktype1,attacktype1_txt,attacktype2,attacktype2_txt,attacktype3,attacktype3_txt,"+
	"targtype1,targtype1_txt,targtype2,targtype2_txt,targtype3,targtype3_txt,"+
	"gname,gname2,gname3,guncertain1,guncertain2,guncertain3,claimed,claimmode,compclaim,"+
	"weaptype1,weaptype1_txt,weaptype2,weaptype2_txt,weaptype3,weaptype3_txt,weaptype4,weaptype4_txt,"+
	"nkill,nwound,property,scite1,scite2,scite3,dbsource,related", ",")

// Labels of a few codes, from the codebook (DOMAIN.md).
var codebookLabels = map[string]string{
	"attacktype:3": "Bombing/Explosion", "attacktype:6": "Hostage Taking (Kidnapping)",
	"targtype:14": "Private Citizens & Property", "targtype:3": "Police",
	"weaptype:5": "Firearms", "weaptype:6": "Explosives",
}

func oneOf(v string, allowed ...string) bool { return slices.Contains(allowed, v) }

func intIn(v string, lo, hi int) bool {
	n, err := strconv.Atoi(v)
	return err == nil && lo <= n && n <= hi
}

// checkRow reports what is wrong with a row in the GTD layout, "" when nothing is.
func (tb table) checkRow(row []string) string {
	if len(row) != len(tb.index) {
		return fmt.Sprintf("%d fields, the header has %d", len(row), len(tb.index))
	}
	g := func(c string) string { return tb.get(row, c) }
	y, m, d := g("iyear"), g("imonth"), g("iday")
	switch {
	case !intIn(y, 1970, 2020) || !intIn(m, 0, 12) || !intIn(d, 0, 31):
		return "date out of range"
	case m == "0" && d != "0":
		return "a day without a month"
	case g("eventid") != fmt.Sprintf("%s%02s%02s", y, m, d)+g("eventid")[8:] || len(g("eventid")) != 12:
		return "eventid " + g("eventid") + " does not start with the date"
	}
	if d != "0" {
		yy, _ := strconv.Atoi(y)
		mm, _ := strconv.Atoi(m)
		dd, _ := strconv.Atoi(d)
		if time.Date(yy, time.Month(mm), dd, 0, 0, 0, 0, time.UTC).Day() != dd {
			return "no such day"
		}
	}
	for _, c := range []struct {
		col    string
		lo, hi int
	}{{"attacktype", 1, 9}, {"targtype", 1, 22}, {"weaptype", 1, 13}} {
		for i := 1; i <= 4; i++ {
			name := c.col + strconv.Itoa(i)
			if _, ok := tb.index[name]; !ok {
				continue
			}
			v := g(name)
			if v == "" && i == 1 {
				return name + " is blank"
			}
			if v != "" && !intIn(v, c.lo, c.hi) {
				return name + " " + v + " out of range"
			}
			if (v == "") != (g(name+"_txt") == "") {
				return name + " and its label disagree"
			}
			if want, ok := codebookLabels[c.col+":"+v]; ok && g(name+"_txt") != want {
				return name + "_txt " + g(name+"_txt") + ", want " + want
			}
		}
	}
	switch {
	case !intIn(g("region"), 1, 12) || g("country_txt") == "" || !intIn(g("country"), 1, 1004):
		return "country or region"
	case !intIn(g("specificity"), 1, 5):
		return "specificity"
	case (g("specificity") == "5") != (g("latitude") == ""):
		return "coordinates present with specificity 5, or missing without it"
	case !oneOf(g("doubtterr"), "0", "1", "-9"), !oneOf(g("multiple"), "0", "1"),
		!oneOf(g("success"), "0", "1"), !oneOf(g("suicide"), "0", "1"), !oneOf(g("property"), "0", "1", "-9"):
		return "a flag out of range"
	case g("gname") == "":
		return "gname is blank"
	case !oneOf(g("claimed"), "", "0", "1", "-9"), !oneOf(g("compclaim"), "", "0", "1", "-9"):
		return "claimed or compclaim"
	case g("claimmode") != "" && (g("claimed") != "1" || !intIn(g("claimmode"), 1, 10)):
		return "claimmode without a claim, or out of range"
	case (g("multiple") == "1") != (g("related") != ""):
		return "multiple and related disagree"
	}
	if lat := g("latitude"); lat != "" {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(g("longitude"), 64)
		if err1 != nil || err2 != nil || la < -90 || la > 90 || lo < -180 || lo > 180 {
			return "coordinates"
		}
	}
	for i, c := range []string{"gname", "gname2", "gname3"} {
		u := g("guncertain" + strconv.Itoa(i+1))
		if (g(c) == "") != (u == "") || !oneOf(u, "", "0", "1") {
			return c + " and its guncertain disagree"
		}
	}
	for _, c := range []string{"nkill", "nwound"} {
		if v := g(c); v != "" && v != "-99" && !intIn(v, 0, 100000) {
			return c + " " + v
		}
	}
	return ""
}

func TestLayoutAndCodes(t *testing.T) {
	dir, _ := sample(t)
	header, _ := readCSV(t, dir)
	if !slices.Equal(header, codebookHeader) {
		t.Fatalf("header\n%v\nwant\n%v", header, codebookHeader)
	}
	tb := sampleTable(t)
	ids := map[string]bool{}
	for i, row := range tb.rows {
		if problem := tb.checkRow(row); problem != "" {
			t.Fatalf("row %d: %s: %v", i+2, problem, row)
		}
		if id := tb.get(row, "eventid"); ids[id] {
			t.Fatalf("row %d: eventid %s twice", i+2, id)
		} else {
			ids[id] = true
		}
	}
	// The checker itself refuses bad rows.
	good := tb.rows[0]
	for col, bad := range map[string]string{"attacktype1": "10", "targtype1": "0", "weaptype1": "14",
		"imonth": "13", "specificity": "6", "claimmode": "3", "doubtterr": "2", "eventid": "199901010001",
		"attacktype1_txt": "Armed Assault", "gname": "", "nkill": "-5"} {
		row := slices.Clone(good)
		row[tb.index[col]] = bad
		if col == "attacktype1_txt" {
			row[tb.index["attacktype1"]] = "3"
		}
		if col == "claimmode" {
			row[tb.index["claimed"]] = "0"
		}
		if tb.checkRow(row) == "" {
			t.Errorf("a row with %s = %q passed the check", col, bad)
		}
	}
}

func TestWindows1252(t *testing.T) {
	dir, _ := sample(t)
	raw, err := os.ReadFile(filepath.Join(dir, CSVFile))
	if err != nil {
		t.Fatal(err)
	}
	// Accented names are single bytes, so the file is not UTF-8; decoded, they read right.
	if utf8.Valid(raw) {
		t.Error("gtd.csv is valid UTF-8: expected Windows-1252 bytes for accented names")
	}
	tb := sampleTable(t)
	found := false
	for _, row := range tb.rows {
		if strings.ContainsAny(tb.get(row, "provstate")+tb.get(row, "city")+tb.get(row, "gname"), "áéíóúÎñè") {
			found = true
			break
		}
	}
	if !found {
		t.Error("no accented place or group name in the sample")
	}
}

func TestShapes(t *testing.T) {
	tb := sampleTable(t)
	seen := map[string]map[string]int{}
	for _, c := range []string{"iday", "imonth", "gname2", "gname3", "guncertain1", "claimed", "compclaim",
		"doubtterr", "nkill", "multiple", "scite1", "scite2", "specificity", "approxdate", "suicide", "gname"} {
		seen[c] = map[string]int{}
	}
	for _, row := range tb.rows {
		for c := range seen {
			seen[c][tb.get(row, c)]++
		}
	}
	nonBlank := func(c string) int { return len(tb.rows) - seen[c][""] }
	for _, want := range []struct {
		what string
		ok   bool
	}{
		{"rows with an unknown day (iday 0)", seen["iday"]["0"] > 0},
		{"rows with an unknown month (imonth 0)", seen["imonth"]["0"] > 0},
		{"rows with a second perpetrator", nonBlank("gname2") > 0},
		{"rows with a third perpetrator", nonBlank("gname3") > 0},
		{"uncertain attributions", seen["guncertain1"]["1"] > 0},
		{"claimed, unclaimed, unknown and blank claims", seen["claimed"]["1"] > 0 && seen["claimed"]["0"] > 0 && seen["claimed"]["-9"] > 0 && seen["claimed"][""] > 0},
		{"competing claims", seen["compclaim"]["1"] > 0},
		{"doubted terrorism", seen["doubtterr"]["1"] > 0},
		{"unknown deaths as blank and as -99", seen["nkill"][""] > 0 && seen["nkill"]["-99"] > 0},
		{"related chains", seen["multiple"]["1"] > 0},
		{"citations, one and several", nonBlank("scite1") > 0 && nonBlank("scite2") > 0},
		{"every specificity", len(seen["specificity"]) == 5},
		{"approximate dates", nonBlank("approxdate") > 0},
		{"suicide attacks", seen["suicide"]["1"] > 0},
		{"the Islamic State under its GTD name", seen["gname"][SeedISIL] > 0},
		{"IS-K under its GTD name", seen["gname"][SeedKhorasan] > 0},
		{"unknown perpetrators", seen["gname"][UnknownGroup] > 0},
	} {
		if !want.ok {
			t.Errorf("no %s", want.what)
		}
	}
}

// longTail reports whether the most active group has at least ten times the median's rows.
func longTail(counts map[string]int) (top, median int, ok bool) {
	var ns []int
	for _, n := range counts {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	if len(ns) < 3 {
		return 0, 0, false
	}
	top, median = ns[len(ns)-1], ns[len(ns)/2]
	return top, median, top >= 10*median
}

func TestLongTailedActivity(t *testing.T) {
	tb := sampleTable(t)
	counts := map[string]int{}
	for _, row := range tb.rows {
		if g := tb.get(row, "gname"); g != UnknownGroup {
			counts[g]++
		}
	}
	if top, median, ok := longTail(counts); !ok {
		t.Errorf("top group %d rows, median %d: not long-tailed", top, median)
	}
	uniform := map[string]int{}
	for i := range 50 {
		uniform[strconv.Itoa(i)] = 40 + i%3
	}
	if _, _, ok := longTail(uniform); ok {
		t.Error("the long-tail check passed a uniform distribution")
	}
}

// chainProblem reports a related link that is not returned or whose rows differ in date or
// place, "" when every chain is symmetric and coherent.
func (tb table) chainProblem(rows [][]string) string {
	byID := map[string][]string{}
	for _, row := range rows {
		byID[tb.get(row, "eventid")] = row
	}
	for _, row := range rows {
		id := tb.get(row, "eventid")
		rel := tb.get(row, "related")
		if rel == "" {
			continue
		}
		for _, other := range strings.Split(rel, ", ") {
			o, ok := byID[other]
			switch {
			case !ok:
				return id + " lists " + other + ", which is not in the file"
			case other == id:
				return id + " lists itself"
			case !slices.Contains(strings.Split(tb.get(o, "related"), ", "), id):
				return id + " lists " + other + ", which does not list it back"
			case tb.get(o, "eventid")[:8] != id[:8] || tb.get(o, "country") != tb.get(row, "country"):
				return id + " and " + other + " differ in date or country"
			}
		}
	}
	return ""
}

func TestRelatedChainsAreSymmetric(t *testing.T) {
	tb := sampleTable(t)
	if p := tb.chainProblem(tb.rows); p != "" {
		t.Error(p)
	}
	// The check finds a link that is not returned.
	broken := make([][]string, len(tb.rows))
	cut := false
	for i, row := range tb.rows {
		broken[i] = row
		if !cut && tb.get(row, "related") != "" {
			row = slices.Clone(row)
			parts := strings.Split(tb.get(row, "related"), ", ")
			row[tb.index["related"]] = strings.Join(parts[1:], ", ")
			if len(parts) == 1 {
				row[tb.index["related"]] = "197001010000"
			}
			broken[i], cut = row, true
		}
	}
	if tb.chainProblem(broken) == "" {
		t.Error("the chain check passed a one-sided link")
	}
}

func TestGroupsYAMLIsAValidSeedOnItsOwnAndBesideTheSeed(t *testing.T) {
	dir, _ := sample(t)
	ds, err := seed.ReadDir(dir)
	if err != nil {
		t.Fatalf("groups.yaml does not validate on its own:\n%v", err)
	}
	types := map[ig.RelType]int{}
	asserters := map[string]bool{}
	for _, r := range ds.Relationships {
		types[r.Type]++
		asserters[r.AssertedByID] = true
		if len(r.SourceIDs) == 0 || !r.Status.Valid() || r.Confidence < 0 || r.Confidence > 100 {
			t.Errorf("%s lacks provenance", r.ID)
		}
	}
	for _, typ := range []ig.RelType{"AFFILIATE_OF", "BRANCH_OF", "SPLINTER_OF", "OFFSHOOT_OF", "ALLIED_WITH",
		"RIVAL_OF", "ENEMY_OF", "PLEDGED_ALLEGIANCE_TO", "MERGED_INTO"} {
		if types[typ] == 0 {
			t.Errorf("no %s relationship", typ)
		}
	}
	if len(asserters) < 4 { // the three parties and at least one group's own pledge
		t.Errorf("%d asserting parties, want the three parties and groups themselves", len(asserters))
	}

	// Every group a row names resolves through gtdName, but for the seed's own groups.
	gtdNames := map[string]bool{}
	for _, e := range ds.Entities {
		if e.GTDName != "" {
			gtdNames[e.GTDName] = true
		}
	}
	tb := sampleTable(t)
	unresolved := func(names map[string]bool) []string {
		var out []string
		for _, row := range tb.rows {
			for _, c := range []string{"gname", "gname2", "gname3"} {
				if n := tb.get(row, c); n != "" && n != UnknownGroup && n != SeedISIL && n != SeedKhorasan && !names[n] {
					out = append(out, n)
				}
			}
		}
		return out
	}
	if u := unresolved(gtdNames); len(u) > 0 {
		t.Errorf("names in gtd.csv with no gtdName in groups.yaml: %v", u[:min(5, len(u))])
	}
	fewer := map[string]bool{}
	for n := range gtdNames {
		fewer[n] = true
	}
	delete(fewer, tb.get(tb.rows[len(tb.rows)/2], "gname"))
	delete(fewer, tb.get(tb.rows[len(tb.rows)-1], "gname"))
	if len(unresolved(fewer)) == 0 {
		t.Error("the resolution check passed with groups missing")
	}

	// Beside the seed files the ids do not collide: the two load as one seed.
	both := t.TempDir()
	seedFiles, err := fs.ReadDir(seed.Embedded(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range seedFiles {
		b, err := fs.ReadFile(seed.Embedded(), f.Name())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(both, f.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, GroupsFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(both, "zz-generated-groups.yaml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.ReadDir(both); err != nil {
		t.Errorf("groups.yaml beside the seed files:\n%v", err)
	}
}
