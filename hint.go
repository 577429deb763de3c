package incidentgraph

import "strings"

// Messages about an unknown name (a relationship type, a key, an id) suggest the name that was
// probably meant, for curators and seed files alike.

// DidYouMean returns " (did you mean X?)" for the candidate closest to s, or "" when none is
// close.
func DidYouMean(s string, candidates []string) string {
	if c := Closest(s, candidates); c != "" {
		return " (did you mean " + c + "?)"
	}
	return ""
}

// Closest returns the candidate that differs from s only in case, else the one within a few
// edits of s, else one that contains s; or "" when none is that close.
func Closest(s string, candidates []string) string {
	ls := strings.ToLower(s)
	best, bestD := "", -1
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if lc == ls {
			return c
		}
		if d := distance(ls, lc); bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if bestD >= 0 && bestD <= max(1, len([]rune(s))/3) {
		return best
	}
	if len(ls) >= 4 {
		for _, c := range candidates {
			if strings.Contains(strings.ToLower(c), ls) {
				return c
			}
		}
	}
	return ""
}

// distance is the edit distance between a and b, counting a swap of two neighbouring letters
// as one edit (optimal string alignment): "nmae" is one edit from "name".
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
