package incidentgraph

import (
	"fmt"
	"regexp"
	"time"
)

// PartialDate is a calendar date known to the day, the month or only the year: "2024-03-22",
// "2024-03" or "2024". Sources often give no more than a month ("early March 2024"); GTD records
// the same with iday = 0. The zero value means "unknown".
type PartialDate string

var partialDateRE = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)

// ParsePartialDate checks s and returns it as a PartialDate.
func ParsePartialDate(s string) (PartialDate, error) {
	if !partialDateRE.MatchString(s) {
		return "", fmt.Errorf("date %q must be YYYY-MM-DD, YYYY-MM or YYYY", s)
	}
	d := PartialDate(s)
	if _, _, err := d.bounds(); err != nil {
		return "", err
	}
	return d, nil
}

// IsZero reports whether the date is unknown.
func (d PartialDate) IsZero() bool { return d == "" }

// Start is the first day the date can mean, as YYYY-MM-DD ("2024-03" → "2024-03-01").
func (d PartialDate) Start() string {
	s, _, _ := d.bounds()
	return s
}

// End is the last day the date can mean, as YYYY-MM-DD ("2024-03" → "2024-03-31").
func (d PartialDate) End() string {
	_, e, _ := d.bounds()
	return e
}

func (d PartialDate) bounds() (string, string, error) {
	if d == "" {
		return "", "", nil
	}
	const day = "2006-01-02"
	switch len(d) {
	case 4:
		t, err := time.Parse("2006", string(d))
		if err != nil {
			return "", "", fmt.Errorf("date %q: %v", string(d), err)
		}
		return t.Format(day), t.AddDate(1, 0, -1).Format(day), nil
	case 7:
		t, err := time.Parse("2006-01", string(d))
		if err != nil {
			return "", "", fmt.Errorf("date %q is not a real month", string(d))
		}
		return t.Format(day), t.AddDate(0, 1, -1).Format(day), nil
	default:
		t, err := time.Parse(day, string(d))
		if err != nil {
			return "", "", fmt.Errorf("date %q is not a real day", string(d))
		}
		return t.Format(day), t.Format(day), nil
	}
}
