package gtd_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph/gtd"
)

// row reads one data row given as column=value pairs over a header of those columns, and
// returns its incident (nil if refused) and the columns its problems name.
func row(t *testing.T, cells ...string) (*gtd.Incident, []string) {
	t.Helper()
	cols := []string{"eventid", "iyear", "imonth", "iday", "country_txt", "gname"}
	vals := []string{"201603220001", "2016", "3", "22", "Belgium", "Unknown"}
	for _, c := range cells {
		k, v, _ := strings.Cut(c, "=")
		if i := slices.Index(cols, k); i >= 0 {
			vals[i] = v
			continue
		}
		cols, vals = append(cols, k), append(vals, v)
	}
	incs, problems := readAll(t, strings.NewReader(strings.Join(cols, ",")+"\n"+strings.Join(vals, ",")+"\n"))
	var named []string
	for _, p := range problems {
		named = append(named, p.Column)
	}
	for _, inc := range incs {
		return inc, named
	}
	return nil, named
}

// TestFlagsAndCodesAtTheirEdges: -9 is an unknown flag, not an error; a code of 0 is absent and
// the codes after it still count; every bad code is reported, not only the first; coordinates
// at exactly ±90 and ±180 are on the globe.
func TestFlagsAndCodesAtTheirEdges(t *testing.T) {
	inc, problems := row(t, "suicide=-9", "attacktype1=3", "attacktype2=0", "attacktype3=2",
		"latitude=-90", "longitude=180")
	if inc == nil || len(problems) > 0 {
		t.Fatalf("incident %+v, problems in %v", inc, problems)
	}
	if inc.Entity.Suicide || !slices.Equal(inc.Entity.AttackTypes, []int{3, 2}) || *inc.Latitude != -90 || *inc.Longitude != 180 {
		t.Errorf("suicide %v, attack types %v, at %v, %v", inc.Entity.Suicide, inc.Entity.AttackTypes, *inc.Latitude, *inc.Longitude)
	}
	if inc, _ := row(t, "latitude=90", "longitude=-180"); inc == nil || *inc.Latitude != 90 || *inc.Longitude != -180 {
		t.Errorf("the other edges: %+v", inc)
	}
	for _, flag := range []string{"suicide=1", "suicide=0"} {
		if inc, problems := row(t, flag); inc == nil || len(problems) > 0 || inc.Entity.Suicide != (flag == "suicide=1") {
			t.Errorf("%s: %+v %v", flag, inc, problems)
		}
	}
	if _, problems := row(t, "suicide=2"); !slices.Equal(problems, []string{"suicide"}) {
		t.Errorf("suicide=2: problems in %v, want suicide", problems)
	}
	if _, problems := row(t, "attacktype1=3", "attacktype2=99", "attacktype3=98"); !slices.Equal(problems, []string{"attacktype2", "attacktype3"}) {
		t.Errorf("two bad codes: problems in %v, want attacktype2 and attacktype3", problems)
	}
}

// TestEventIDAndYearAgree: an eventid whose year is not the row's is refused; a malformed
// eventid is reported once, however short, and never compared with the year.
func TestEventIDAndYearAgree(t *testing.T) {
	if inc, problems := row(t); inc == nil || len(problems) > 0 {
		t.Fatalf("control: %+v %v", inc, problems)
	}
	if _, problems := row(t, "eventid=201503220001"); !slices.Equal(problems, []string{"iyear"}) {
		t.Errorf("eventid of 2015 in 2016: problems in %v, want iyear", problems)
	}
	for _, id := range []string{"2015", "12"} {
		if _, problems := row(t, "eventid="+id); !slices.Equal(problems, []string{"eventid"}) {
			t.Errorf("eventid %q: problems in %v, want eventid alone", id, problems)
		}
	}
}

// TestOpenFileShort: a file shorter than the signatures OpenFile looks for (empty, or a few
// bytes) is read as what its name says, and refused for what it lacks, not for its length.
func TestOpenFileShort(t *testing.T) {
	for _, content := range []string{"", "a,b\n"} {
		name := filepath.Join(t.TempDir(), "short.csv")
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := gtd.OpenFile(name)
		if err == nil {
			r.Close()
		}
		if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%q: %v, want a reason other than the file's length", content, err)
		}
	}
}

// TestYearsRelatedAndSource: years 1900 and 2100 are in range and the years past them are not;
// every malformed related eventid is reported; the source collection becomes the description.
func TestYearsRelatedAndSource(t *testing.T) {
	for _, tc := range []struct {
		year string
		ok   bool
	}{{"1900", true}, {"2100", true}, {"1899", false}, {"2101", false}} {
		inc, problems := row(t, "eventid="+tc.year+"03220001", "iyear="+tc.year)
		if ok := inc != nil && len(problems) == 0; ok != tc.ok {
			t.Errorf("year %s: incident %v, problems in %v; want accepted %v", tc.year, inc != nil, problems, tc.ok)
		}
	}
	if _, problems := row(t, "related=x;y"); !slices.Equal(problems, []string{"related", "related"}) {
		t.Errorf("two bad related ids: problems in %v, want two", problems)
	}
	if inc, _ := row(t, "related=201603220002 201603220001"); inc == nil || !slices.Equal(inc.Related, []string{"201603220002"}) {
		t.Errorf("related: %+v, want the other incident only", inc)
	}
	if inc, _ := row(t, "dbsource=START Primary Collection"); inc == nil || inc.Entity.Description != "GTD record from the START Primary Collection collection." {
		t.Errorf("dbsource: %+v", inc)
	}
	if inc, _ := row(t); inc == nil || inc.Entity.Description != "" {
		t.Errorf("no dbsource: %+v", inc)
	}
}

// TestMonthsAndDays: a month or day out of range, or missing, is refused in its own column with
// its own reason (not later, as a date that does not parse); 0 is an unknown day.
func TestMonthsAndDays(t *testing.T) {
	reasons := func(cells ...string) []string {
		t.Helper()
		cols := []string{"eventid", "iyear", "imonth", "iday", "country_txt", "gname"}
		vals := []string{"201603220001", "2016", "3", "22", "Belgium", "Unknown"}
		for _, c := range cells {
			k, v, _ := strings.Cut(c, "=")
			vals[slices.Index(cols, k)] = v
		}
		_, problems := readAll(t, strings.NewReader(strings.Join(cols, ",")+"\n"+strings.Join(vals, ",")+"\n"))
		var out []string
		for _, p := range problems {
			out = append(out, p.Column+": "+p.Reason)
		}
		return out
	}
	for _, tc := range []struct {
		cell, want string
	}{
		{"imonth=-1", `imonth: "-1" is not a month (0 for unknown)`},
		{"imonth=13", `imonth: "13" is not a month (0 for unknown)`},
		{"imonth=", `imonth: "" is not a month (0 for unknown)`},
		{"iday=-1", `iday: "-1" is not a day (0 for unknown)`},
		{"iday=32", `iday: "32" is not a day (0 for unknown)`},
		{"iday=", `iday: "" is not a day (0 for unknown)`},
	} {
		if got := reasons(tc.cell); !slices.Equal(got, []string{tc.want}) {
			t.Errorf("%s: %q, want %q", tc.cell, got, tc.want)
		}
	}
	if inc, problems := row(t, "iday=0"); inc == nil || len(problems) > 0 || inc.Entity.Date != "2016-03" {
		t.Errorf("iday=0: %+v %v, want the month 2016-03", inc, problems)
	}
	if inc, problems := row(t, "iday=31", "imonth=12"); inc == nil || len(problems) > 0 || inc.Entity.Date != "2016-12-31" {
		t.Errorf("31 December: %+v %v", inc, problems)
	}
}

// TestNamesAndPerpetrators: the name takes the file's attack text over the code's, the province
// when there is no city; an Unknown first group does not hide the second; a claim notes its
// mode only when the file gives one above 0.
func TestNamesAndPerpetrators(t *testing.T) {
	if inc, _ := row(t, "attacktype1=3", "attacktype1_txt=Car bombing"); inc == nil || inc.Entity.Name != "Car bombing in Belgium (2016-03-22)" {
		t.Errorf("attack text: %+v", inc)
	}
	if inc, _ := row(t, "attacktype1=3", "provstate=Brussels"); inc == nil || inc.Entity.Name != gtd.AttackTypeNames[3]+" in Brussels, Belgium (2016-03-22)" {
		t.Errorf("province: %+v", inc)
	}
	inc, _ := row(t, "gname=Unknown", "gname2=Islamic State of Iraq and the Levant (ISIL)")
	if inc == nil || len(inc.Perpetrators) != 1 || inc.Perpetrators[0].GTDName != "Islamic State of Iraq and the Levant (ISIL)" {
		t.Errorf("second group after Unknown: %+v", inc)
	}
	for _, tc := range []struct {
		cells []string
		note  string
	}{
		{[]string{"gname=ISIL", "claimed=1", "claimmode=3"}, "GTD claim mode 3."},
		{[]string{"gname=ISIL", "claimed=1", "claimmode=0"}, ""},
		{[]string{"gname=ISIL", "claimed=1"}, ""},
	} {
		inc, problems := row(t, tc.cells...)
		if inc == nil || len(problems) > 0 || len(inc.Perpetrators) != 1 || inc.Perpetrators[0].Note != tc.note {
			t.Errorf("%v: %+v %v, want note %q", tc.cells, inc, problems, tc.note)
		}
	}
}

// TestShortRowGet: a row shorter than the header reads as blank in the columns it lacks.
func TestShortRowGet(t *testing.T) {
	rd, err := gtd.NewReader(strings.NewReader("eventid,iyear,imonth,iday,country_txt,gname\n201603220001,2016\n"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := rd.Next()
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Get("iyear") + "|" + r.Get("imonth") + "|" + r.Get("gname"); got != "2016||" {
		t.Errorf("cells %q, want 2016 and blanks", got)
	}
}
