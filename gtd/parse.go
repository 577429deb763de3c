package gtd

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/incidentgraph/incidentgraph"
)

// Problem is one thing wrong with a row: its line, the column at fault ("" for the row as a
// whole) and why.
type Problem struct {
	Row    int
	Column string
	Reason string
}

func (p *Problem) Error() string {
	if p.Column == "" {
		return fmt.Sprintf("%d: %s", p.Row, p.Reason)
	}
	return fmt.Sprintf("%d: column %s: %s", p.Row, p.Column, p.Reason)
}

// Incident is what one row says, as domain values. Places, groups and sources are named, not
// resolved: the database decides whether they already exist.
type Incident struct {
	Row      int
	EventID  string
	Entity   *incidentgraph.Entity // kind INCIDENT, id "gtd-<eventid>"
	Country  string                // country_txt
	Province string                // provstate, "" when unknown
	City     string                // city, "" when unknown
	// Where it happened: on the incident, since the same city has many incidents at
	// different coordinates (see the package doc).
	Latitude, Longitude *float64
	Specificity         *int

	Perpetrators []Perpetrator
	Killed       *int // nil: unknown (never 0 for unknown)
	Wounded      *int
	Related      []string // other eventids
	Multiple     bool
	Citations    []string // scite1–3, non-empty
}

// Perpetrator is one of gname, gname2, gname3 with the link the row supports.
type Perpetrator struct {
	GTDName    string
	Type       incidentgraph.RelType
	Status     incidentgraph.Status
	Confidence int
	Note       string
}

// Unknown is the GTD's name for an unknown perpetrator: no perpetrator at all.
const Unknown = "Unknown"

var eventIDRE = regexp.MustCompile(`^\d{12}$`)

// AttackTypeNames are the codebook's attack types, by code.
var AttackTypeNames = map[int]string{
	1: "Assassination", 2: "Armed Assault", 3: "Bombing/Explosion", 4: "Hijacking",
	5: "Hostage Taking (Barricade)", 6: "Hostage Taking (Kidnapping)",
	7: "Facility/Infrastructure Attack", 8: "Unarmed Assault", 9: "Unknown",
}

// Parse turns a row into an incident, or returns every problem the row has.
func Parse(row Row) (*Incident, []*Problem) {
	p := &parser{row: row}
	inc := p.parse()
	if len(p.problems) > 0 {
		return nil, p.problems
	}
	return inc, nil
}

type parser struct {
	row      Row
	problems []*Problem
}

func (p *parser) bad(col, format string, args ...any) {
	p.problems = append(p.problems, &Problem{Row: p.row.Number, Column: col, Reason: fmt.Sprintf(format, args...)})
}

// integer reads a whole number column; ok is false when it is blank or malformed (malformed is
// reported).
func (p *parser) integer(col string) (int, bool) {
	s := p.row.Get(col)
	if s == "" {
		return 0, false
	}
	// Exports from spreadsheets write whole numbers as "3.0".
	s = strings.TrimSuffix(s, ".0")
	n, err := strconv.Atoi(s)
	if err != nil {
		p.bad(col, "%q is not a whole number", s)
		return 0, false
	}
	return n, true
}

// flag reads a 0/1 column; -9 (unknown) and blank are false.
func (p *parser) flag(col string) bool {
	n, ok := p.integer(col)
	if !ok || n == -9 {
		return false
	}
	if n != 0 && n != 1 {
		p.bad(col, "%d is not 0, 1 or -9", n)
		return false
	}
	return n == 1
}

// codes reads code columns (attacktype1–3 …), each in 1..max; 0 or blank is absent.
func (p *parser) codes(max int, cols ...string) []int {
	var out []int
	for _, c := range cols {
		n, ok := p.integer(c)
		if !ok || n == 0 {
			continue
		}
		if n < 1 || n > max {
			p.bad(c, "code %d is outside 1–%d", n, max)
			continue
		}
		out = append(out, n)
	}
	return out
}

// count reads nkill/nwound: blank, -9 and -99 are unknown (nil), never 0.
func (p *parser) count(col string) *int {
	s := p.row.Get(col)
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int(f)) {
		p.bad(col, "%q is not a whole number", s)
		return nil
	}
	n := int(f)
	switch {
	case n == -9 || n == -99:
		return nil
	case n < 0:
		p.bad(col, "%d is negative (only -9 and -99, unknown, may be)", n)
		return nil
	}
	return &n
}

func (p *parser) coordinate(col string, limit float64) *float64 {
	s := p.row.Get(col)
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		p.bad(col, "%q is not a number", s)
		return nil
	}
	if f < -limit || f > limit {
		p.bad(col, "%v is outside ±%v", f, limit)
		return nil
	}
	return &f
}

func (p *parser) parse() *Incident {
	r := p.row
	if len(r.cells) < len(r.cols) {
		// csv allows ragged rows; a short one has lost columns, so nothing in it can be trusted.
		p.bad("", "the row has %d cells, the header %d", len(r.cells), len(r.cols))
		return nil
	}
	inc := &Incident{Row: r.Number}
	id := r.Get("eventid")
	if !eventIDRE.MatchString(id) {
		p.bad("eventid", "%q is not 12 digits (YYYYMMDD and a 4-digit case number)", id)
	}
	inc.EventID = id
	date := p.date()
	if len(p.problems) == 0 && date != "" && !strings.HasPrefix(strings.ReplaceAll(string(date), "-", ""), id[:4]) {
		p.bad("iyear", "%s does not match the year of eventid %s", date, id)
	}

	inc.Country = r.Get("country_txt")
	if inc.Country == "" || strings.EqualFold(inc.Country, "unknown") {
		p.bad("country_txt", "the country is required")
	}
	inc.Province = known(r.Get("provstate"))
	inc.City = known(r.Get("city"))
	inc.Latitude = p.coordinate("latitude", 90)
	inc.Longitude = p.coordinate("longitude", 180)
	if (r.Get("latitude") == "") != (r.Get("longitude") == "") {
		p.bad("longitude", "latitude and longitude must be given together")
	}
	if n, ok := p.integer("specificity"); ok {
		if n < 1 || n > 5 {
			p.bad("specificity", "%d is outside 1–5", n)
		} else {
			inc.Specificity = &n
		}
	}

	e := &incidentgraph.Entity{ID: "gtd-" + id, Kind: incidentgraph.KindIncident, GTDEventID: id, Date: date}
	e.AttackTypes = p.codes(incidentgraph.MaxAttackType, "attacktype1", "attacktype2", "attacktype3")
	e.TargetTypes = p.codes(incidentgraph.MaxTargetType, "targtype1", "targtype2", "targtype3")
	e.WeaponTypes = p.codes(incidentgraph.MaxWeaponType, "weaptype1", "weaptype2", "weaptype3", "weaptype4")
	e.Suicide = p.flag("suicide")
	if n, ok := p.integer("success"); ok {
		switch n {
		case 1:
			e.Outcome = "SUCCESSFUL"
		case 0:
			e.Outcome = "FAILED"
		default:
			p.bad("success", "%d is not 0 or 1", n)
		}
	}
	if db := r.Get("dbsource"); db != "" {
		e.Description = "GTD record from the " + db + " collection."
	}
	e.Name = p.name(e, inc)
	inc.Entity = e

	inc.Multiple = p.flag("multiple")
	for _, s := range strings.FieldsFunc(r.Get("related"), func(c rune) bool { return c == ',' || c == ';' || c == ' ' }) {
		if !eventIDRE.MatchString(s) {
			p.bad("related", "%q is not an eventid", s)
			continue
		}
		if s != id {
			inc.Related = append(inc.Related, s)
		}
	}
	inc.Killed = p.count("nkill")
	inc.Wounded = p.count("nwound")
	for _, c := range []string{"scite1", "scite2", "scite3"} {
		if s := r.Get(c); s != "" {
			inc.Citations = append(inc.Citations, s)
		}
	}
	inc.Perpetrators = p.perpetrators()
	return inc
}

// date reads iyear/imonth/iday; 0 keeps the date partial.
func (p *parser) date() incidentgraph.PartialDate {
	y, okY := p.integer("iyear")
	m, okM := p.integer("imonth")
	d, okD := p.integer("iday")
	if !okY || y < 1900 || y > 2100 {
		p.bad("iyear", "%q is not a year", p.row.Get("iyear"))
		return ""
	}
	if !okM || m < 0 || m > 12 {
		p.bad("imonth", "%q is not a month (0 for unknown)", p.row.Get("imonth"))
		return ""
	}
	if !okD || d < 0 || d > 31 {
		p.bad("iday", "%q is not a day (0 for unknown)", p.row.Get("iday"))
		return ""
	}
	s := fmt.Sprintf("%04d", y)
	switch {
	case m == 0 && d != 0:
		p.bad("iday", "a day (%d) without a month", d)
		return ""
	case m == 0:
	case d == 0:
		s += fmt.Sprintf("-%02d", m)
	default:
		s += fmt.Sprintf("-%02d-%02d", m, d)
	}
	date, err := incidentgraph.ParsePartialDate(s)
	if err != nil {
		p.bad("iday", "%s", err)
	}
	return date
}

func (p *parser) name(e *incidentgraph.Entity, inc *Incident) string {
	what := p.row.Get("attacktype1_txt")
	if what == "" && len(e.AttackTypes) > 0 {
		what = AttackTypeNames[e.AttackTypes[0]]
	}
	if what == "" || what == "Unknown" {
		what = "Attack"
	}
	where := inc.Country
	if inc.City != "" {
		where = inc.City + ", " + where
	} else if inc.Province != "" {
		where = inc.Province + ", " + where
	}
	when := string(e.Date)
	if when == "" {
		when = "date unknown"
	}
	return fmt.Sprintf("%s in %s (%s)", what, where, when)
}

func (p *parser) perpetrators() []Perpetrator {
	claimMode, hasMode := p.integer("claimmode")
	competing := p.flag("compclaim")
	doubt := p.flag("doubtterr")
	var out []Perpetrator
	seen := map[string]bool{}
	for i, c := range []string{"gname", "gname2", "gname3"} {
		name := p.row.Get(c)
		suffix := []string{"1", "2", "3"}[i]
		uncertain := p.flag("guncertain" + suffix)
		claimCol := []string{"claimed", "claim2", "claim3"}[i]
		claimed := p.flag(claimCol)
		if name == "" || name == Unknown || seen[name] {
			continue
		}
		seen[name] = true
		pp := Perpetrator{GTDName: name, Type: "PERPETRATED", Status: "REPORTED", Confidence: 80}
		if uncertain {
			pp.Status, pp.Confidence = "SUSPECTED", 50
		}
		if claimed {
			pp.Type, pp.Status = "CLAIMED_RESPONSIBILITY_FOR", "CLAIMED"
			if hasMode && claimMode > 0 {
				pp.Note = fmt.Sprintf("GTD claim mode %d.", claimMode)
			}
		}
		if competing {
			pp.Status = "DISPUTED"
			pp.Confidence = min(pp.Confidence, 40)
			pp.Note = strings.TrimSpace(pp.Note + " Competing claims of responsibility (GTD compclaim).")
		}
		if doubt {
			pp.Confidence = max(pp.Confidence-20, 10)
			pp.Note = strings.TrimSpace(pp.Note + " The GTD doubts the incident is terrorism (doubtterr).")
		}
		out = append(out, pp)
	}
	return out
}

// known maps the GTD's spellings of "unknown" to "".
func known(s string) string {
	if strings.EqualFold(s, "unknown") {
		return ""
	}
	return s
}

// CitationID is the id of the source for a citation text: stable, whoever cites it.
func CitationID(text string) string {
	sum := sha256.Sum256([]byte(text))
	return "gtd-source-" + hex.EncodeToString(sum[:8])
}
