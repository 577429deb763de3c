package gtd_test

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph/gtd"
)

// readAll reads a file and returns its incidents by eventid and every problem.
func readAll(t *testing.T, r io.Reader) (map[string]*gtd.Incident, []*gtd.Problem) {
	t.Helper()
	rd, err := gtd.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	incs := map[string]*gtd.Incident{}
	var problems []*gtd.Problem
	for {
		row, err := rd.Next()
		if err == io.EOF {
			return incs, problems
		}
		var p *gtd.Problem
		if errors.As(err, &p) {
			problems = append(problems, p)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		inc, ps := gtd.Parse(row)
		problems = append(problems, ps...)
		if inc != nil {
			incs[inc.EventID] = inc
		}
	}
}

func readFile(t *testing.T, name string) (map[string]*gtd.Incident, []*gtd.Problem) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return readAll(t, f)
}

func TestSampleParses(t *testing.T) {
	incs, problems := readFile(t, "../testdata/gtd/sample.csv")
	if len(problems) > 0 {
		t.Fatalf("problems in the sample: %v", problems)
	}
	if len(incs) != 29 {
		t.Fatalf("%d incidents, want 29", len(incs))
	}
	m := incs["202403220001"]
	if m.Entity.ID != "gtd-202403220001" || m.Entity.Date != "2024-03-22" || m.Country != "Russia" ||
		m.Province != "Moscow Oblast" || m.City != "Krasnogorsk" || *m.Killed != 145 || *m.Wounded != 551 {
		t.Errorf("Moscow row: %+v %+v", m, m.Entity)
	}
	if got := m.Entity.Name; got != "Armed Assault in Krasnogorsk, Russia (2024-03-22)" {
		t.Errorf("name %q", got)
	}
	if len(m.Entity.AttackTypes) != 2 || m.Entity.AttackTypes[1] != 7 || len(m.Entity.WeaponTypes) != 2 || m.Entity.Outcome != "SUCCESSFUL" {
		t.Errorf("codes: %+v", m.Entity)
	}
	if len(m.Perpetrators) != 1 || m.Perpetrators[0].Type != "CLAIMED_RESPONSIBILITY_FOR" || m.Perpetrators[0].Status != "CLAIMED" {
		t.Errorf("perpetrators %+v", m.Perpetrators)
	}
	if len(m.Citations) != 2 || !strings.HasPrefix(m.Citations[0], "\u201cGunmen") {
		t.Errorf("citations (Windows-1252 quotes decoded) %q", m.Citations)
	}
	// Windows-1252 decoding of a Latin letter.
	if p := incs["201511130001"].Province; p != "Île-de-France" {
		t.Errorf("province %q, want Île-de-France", p)
	}
	if r := incs["201511130001"].Related; len(r) != 2 || r[1] != "201511130003" {
		t.Errorf("related %q", r)
	}
}

func TestPartialDatesAndUnknownsStayUnknown(t *testing.T) {
	incs, _ := readFile(t, "../testdata/gtd/sample.csv")
	for id, want := range map[string]string{"202006000001": "2020-06", "201800000001": "2018", "197001000001": "1970-01", "202108260001": "2021-08-26"} {
		if got := string(incs[id].Entity.Date); got != want {
			t.Errorf("%s: date %q, want %q", id, got, want)
		}
	}
	// -9, -99 and blank are unknown (nil); 0 is a known zero (the negative control).
	for _, id := range []string{"202108260002", "201907020001", "201201020001"} {
		if inc := incs[id]; inc.Killed != nil || inc.Wounded != nil {
			t.Errorf("%s: unknown toll read as %v/%v", id, inc.Killed, inc.Wounded)
		}
	}
	if w := incs["202108260001"].Wounded; w != nil {
		t.Errorf("nwound -99 read as %d", *w)
	}
	if k := incs["201903160001"].Killed; k == nil || *k != 0 {
		t.Errorf("nkill 0 read as %v, want 0", k)
	}
	// "Unknown" is no perpetrator; a known group beside it still is.
	if p := incs["201201010001"].Perpetrators; len(p) != 0 {
		t.Errorf("Unknown became %+v", p)
	}
	if p := incs["201609180001"].Perpetrators; len(p) != 1 || p[0].GTDName != "Neo-Nazi extremists" {
		t.Errorf("perpetrators %+v", p)
	}
	if c := incs["201907020001"].City; c != "" {
		t.Errorf("city Unknown read as %q", c)
	}
}

func TestStatusAndConfidence(t *testing.T) {
	incs, _ := readFile(t, "../testdata/gtd/sample.csv")
	cases := []struct {
		id, gname, typ, status string
		confidence             int
	}{
		{"202001150001", "Khorasan Chapter of the Islamic State", "PERPETRATED", "REPORTED", 80},
		{"202108260002", "Khorasan Chapter of the Islamic State", "PERPETRATED", "SUSPECTED", 50},
		{"201705220001", "Islamic State of Iraq and the Levant (ISIL)", "CLAIMED_RESPONSIBILITY_FOR", "CLAIMED", 50},
		{"201800000001", "Tehrik-i-Taliban Pakistan (TTP)", "CLAIMED_RESPONSIBILITY_FOR", "DISPUTED", 40},
		{"201800000001", "Khorasan Chapter of the Islamic State", "PERPETRATED", "DISPUTED", 40},
		{"201907020001", "islamic state", "PERPETRATED", "SUSPECTED", 30},
	}
	for _, c := range cases {
		var found bool
		for _, p := range incs[c.id].Perpetrators {
			if p.GTDName == c.gname {
				found = true
				if string(p.Type) != c.typ || string(p.Status) != c.status || p.Confidence != c.confidence {
					t.Errorf("%s %s: %s %s %d, want %s %s %d", c.id, c.gname, p.Type, p.Status, p.Confidence, c.typ, c.status, c.confidence)
				}
			}
		}
		if !found {
			t.Errorf("%s: no perpetrator %q", c.id, c.gname)
		}
	}
}

func TestBadRowsAreReportedWithRowColumnAndReason(t *testing.T) {
	incs, problems := readFile(t, "../testdata/gtd/bad.csv")
	if len(incs) != 1 || incs["202401020001"] == nil {
		t.Errorf("good rows: %v, want only 202401020001", incs)
	}
	want := map[string]bool{
		"3: column eventid":      true,
		"4: column iday":         true,
		"5: column imonth":       true,
		"6: column attacktype1":  true,
		"6: column weaptype1":    true,
		"7: column nkill":        true,
		"7: column nwound":       true,
		"8: column country_txt":  true,
		"9: column latitude":     true,
		"10: column iday":        true,
		"11: column related":     true,
		"12: column success":     true,
		"12: column specificity": true,
	}
	got := map[string]bool{}
	for _, p := range problems {
		if p.Reason == "" {
			t.Errorf("problem without a reason: %+v", p)
		}
		got[strings.SplitN(p.Error(), ":", 3)[0]+":"+strings.SplitN(p.Error(), ":", 3)[1]] = true
	}
	for k := range want {
		if !got[k] {
			t.Errorf("missing problem %q in %v", k, problems)
		}
	}
	if len(got) != len(want) {
		t.Errorf("problems %v, want exactly %v", problems, want)
	}
	// The good row in the same file has none (negative control).
	for _, p := range problems {
		if p.Row == 2 {
			t.Errorf("good row reported: %v", p)
		}
	}
}

func TestHeaderAndEncodings(t *testing.T) {
	_, err := gtd.NewReader(strings.NewReader("eventid,iyear,imonth,iday,country_txt\n"))
	if err == nil || !strings.Contains(err.Error(), "gname") {
		t.Errorf("missing gname: %v", err)
	}
	head := "eventid,iyear,imonth,iday,country_txt,provstate,gname,extra\n"
	row := "201511130001,2015,11,13,France,\xcele-de-France,Unknown,x\n"
	incs, ps := readAll(t, strings.NewReader(head+row)) // Windows-1252
	if len(ps) > 0 || incs["201511130001"].Province != "Île-de-France" {
		t.Errorf("Windows-1252: %v %+v", ps, incs)
	}
	utf8 := "\xef\xbb\xbf" + head + "201511130001,2015,11,13,France,Île-de-France,Unknown,x\n"
	incs, ps = readAll(t, strings.NewReader(utf8))
	if len(ps) > 0 || incs["201511130001"].Province != "Île-de-France" {
		t.Errorf("UTF-8 with BOM: %v %+v", ps, incs)
	}
	// Without the BOM, the same UTF-8 bytes are read as Windows-1252 (the negative control).
	incs, _ = readAll(t, strings.NewReader(utf8[3:]))
	if incs["201511130001"].Province == "Île-de-France" {
		t.Error("UTF-8 without a BOM was not read as Windows-1252")
	}
}
