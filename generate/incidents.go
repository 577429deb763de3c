package generate

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// col maps a column name to its index in a row.
var col = func() map[string]int {
	m := make(map[string]int, len(Columns))
	for i, c := range Columns {
		m[c] = i
	}
	return m
}()

// yearWeights follows the GTD's yearly counts in outline: a rise through the 1970s and 80s, a
// fall in the late 1990s and a peak in 2014.
func yearWeight(y int) float64 {
	switch {
	case y < 1980:
		return 600 + float64(y-1970)*220
	case y < 1993:
		return 2800 + float64(y-1980)*140
	case y < 2004:
		return 4600 - float64(y-1993)*300
	case y < 2015:
		return 1300 + float64(y-2004)*1450
	default:
		return 16900 - float64(y-2014)*1300
	}
}

// chainSizes is P(k) ∝ k^-1.6 for chains of k = 2…40 rows: most multi-part attacks have two or
// three parts, a few dozens.
var chainSizes = func() []float64 {
	c := make([]float64, 41)
	var total float64
	for k := 2; k <= 40; k++ {
		total += math.Pow(float64(k), -1.6)
		c[k] = total
	}
	for k := range c {
		c[k] /= total
	}
	return c
}()

// naturalChains is the share of units drawn as chains when the relationship floor asks for no
// more; behindChains is the share while the rows written so far are behind the floor.
const (
	naturalChains = 0.035
	behindChains  = 0.85
)

type incidents struct {
	r      *rand.Rand
	cfg    Config
	groups []*group
	sum    *Summary

	rate       float64 // relationships each row should bring, on average
	rowsDone   int
	relsDone   int
	cities     map[[3]int]bool
	provinces  map[[2]int]bool
	named      map[string]bool
	groupTable []float64 // cumulative weights of the year's active groups
	active     []*group
	countryCum []float64
}

func newIncidents(r *rand.Rand, cfg Config, groups []*group, sum *Summary) *incidents {
	goal := float64(cfg.Relationships-sum.StructureLinks)*1.01 + 30
	return &incidents{r: r, cfg: cfg, groups: groups, sum: sum, rate: max(0, goal/float64(cfg.Incidents)),
		cities: map[[3]int]bool{}, provinces: map[[2]int]bool{}, named: map[string]bool{}}
}

// perYear shares the rows out over the years by largest remainder, so they add up exactly.
func perYear(n int) []int {
	var total float64
	for y := firstYear; y <= lastYear; y++ {
		total += yearWeight(y)
	}
	counts := make([]int, lastYear-firstYear+1)
	rem := make([]float64, len(counts))
	left := n
	for i := range counts {
		x := float64(n) * yearWeight(firstYear+i) / total
		counts[i] = int(x)
		rem[i] = x - float64(counts[i])
		left -= counts[i]
	}
	order := make([]int, len(counts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rem[a] > rem[b]:
			return -1
		case rem[a] < rem[b]:
			return 1
		}
		return 0
	})
	for _, i := range order[:left] {
		counts[i]++
	}
	return counts
}

// unit is one attack: a single row, or the rows of a multi-part attack that list each other.
type unit struct {
	month, day int
	rows       [][]string
}

func (g *incidents) write(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	for i, n := range perYear(g.cfg.Incidents) {
		year := firstYear + i
		g.prepareYear(year)
		var units []*unit
		for left := n; left > 0; {
			u := g.unit(year, left, len(units))
			left -= len(u.rows)
			units = append(units, u)
		}
		// Event ids number the rows of a date in order (GTD: YYYYMMDD and a 4-digit case); a
		// chain's rows are consecutive, as multi-part attacks are in the GTD.
		slices.SortStableFunc(units, func(a, b *unit) int { return (a.month*100 + a.day) - (b.month*100 + b.day) })
		cases := map[int]int{}
		for _, u := range units {
			ids := make([]string, len(u.rows))
			for j, row := range u.rows {
				cases[u.month*100+u.day]++
				c := cases[u.month*100+u.day]
				if c > 9999 {
					return fmt.Errorf("more than 9999 incidents on %d-%02d-%02d: lower --incidents", year, u.month, u.day)
				}
				ids[j] = fmt.Sprintf("%04d%02d%02d%04d", year, u.month, u.day, c)
				row[col["eventid"]] = ids[j]
			}
			if len(u.rows) > 1 {
				for j, row := range u.rows {
					others := slices.Concat(ids[:j], ids[j+1:])
					row[col["related"]] = strings.Join(others, ", ")
				}
			}
			for _, row := range u.rows {
				if err := cw.Write(row); err != nil {
					return err
				}
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	}
	g.sum.GazetteerLinks = len(g.cities) + len(g.provinces)
	g.sum.GroupsNamed = len(g.named)
	return nil
}

// prepareYear builds the year's draw tables: groups active in it, by activity, and countries by
// their activity (for rows with no known perpetrator).
func (g *incidents) prepareYear(year int) {
	g.active, g.groupTable = g.active[:0], g.groupTable[:0]
	var total float64
	for _, gr := range g.groups {
		if max(gr.founded, firstYear) <= year && year <= gr.last {
			total += gr.weight
			g.active = append(g.active, gr)
			g.groupTable = append(g.groupTable, total)
		}
	}
	g.countryCum = g.countryCum[:0]
	total = 0
	for i := range gazetteer {
		total += gazetteer[i].activity(year)
		g.countryCum = append(g.countryCum, total)
	}
}

func draw(r *rand.Rand, cum []float64) int {
	x := r.Float64() * cum[len(cum)-1]
	i, _ := slices.BinarySearch(cum, x)
	return min(i, len(cum)-1)
}

func weighted(r *rand.Rand, weights []float64) int {
	var total float64
	for _, w := range weights {
		total += w
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x -= w; x < 0 {
			return i
		}
	}
	return len(weights) - 1
}

func (g *incidents) chance(p float64) bool { return g.r.Float64() < p }

// unit draws one attack of a year with at most left rows; k is its index in the year.
func (g *incidents) unit(year, left, k int) *unit {
	r := g.r
	size := 1
	behind := float64(g.relsDone) < g.rate*float64(g.rowsDone+1)
	p := naturalChains
	if behind {
		p = behindChains
	}
	if left > 1 && g.chance(p) {
		size, _ = slices.BinarySearch(chainSizes, r.Float64())
		if behind { // the larger of two draws: fewer, longer chains catch up
			other, _ := slices.BinarySearch(chainSizes, r.Float64())
			size = max(size, other)
		}
		size = clamp(size, 2, min(40, left))
	}

	// Perpetrators. The seed's groups open some years, so that even a small file names them.
	var perps []*group
	forced := map[int]string{2015: SeedISIL, 2016: SeedISIL, 2017: SeedKhorasan, 2018: SeedKhorasan}
	if name, ok := forced[year]; ok && k == 0 {
		for _, gr := range g.groups {
			if gr.gtdName == name {
				perps = append(perps, gr)
			}
		}
	} else if len(g.active) > 0 && !g.chance(0.32) {
		perps = append(perps, g.active[draw(r, g.groupTable)])
	}
	if len(perps) == 1 && g.chance(0.09) {
		if second := g.partner(perps[0], year); second != nil {
			perps = append(perps, second)
			if third := g.partner(perps[0], year); third != nil && third != second && g.chance(0.25) {
				perps = append(perps, third)
			}
		}
	}

	// Place and date, shared by the parts of a multi-part attack.
	ci := 0
	switch {
	case len(perps) > 0 && len(perps[0].others) > 0 && g.chance(0.2):
		ci = perps[0].others[r.IntN(len(perps[0].others))]
	case len(perps) > 0:
		ci = perps[0].country
	default:
		ci = draw(r, g.countryCum)
	}
	pi := r.IntN(len(gazetteer[ci].provinces))
	u := &unit{}
	switch {
	case g.chance(0.004):
	case g.chance(0.025):
		u.month = 1 + r.IntN(12)
	default:
		u.month = 1 + r.IntN(12)
		u.day = 1 + r.IntN(daysIn(year, u.month))
	}
	attack := 1 + weighted(r, attackWeights[1:])
	for range size {
		row := g.row(year, u.month, u.day, ci, pi, attack, perps, size > 1)
		u.rows = append(u.rows, row)
	}
	g.rowsDone += size
	if size > 1 {
		g.sum.Chains++
		g.sum.ChainedRows += size
		g.sum.RelatedListed += size * (size - 1)
		g.sum.RelatedLinks += size * (size - 1) / 2
		g.relsDone += size * (size - 1) / 2
	}
	return u
}

// partner is a second perpetrator for a group's attack: an ally active that year if it has
// one, otherwise a group active in the same region.
func (g *incidents) partner(first *group, year int) *group {
	var allies []*group
	for _, a := range first.allies {
		if max(a.founded, firstYear) <= year && year <= a.last {
			allies = append(allies, a)
		}
	}
	if len(allies) > 0 {
		return allies[g.r.IntN(len(allies))]
	}
	for range 5 {
		p := g.active[draw(g.r, g.groupTable)]
		if p != first && gazetteer[p.country].region == gazetteer[first.country].region {
			return p
		}
	}
	return nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

var months = []string{"", "January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December"}

var publishers = []string{"Synthetic Wire Service", "The Generated Times", "Sample Daily Monitor",
	"Example Broadcasting Monitor", "The Test Gazette"}

func itoa(i int) string { return strconv.Itoa(i) }

func coord(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

// code writes a code and its label into a column pair; 0 leaves both blank.
func code(row []string, name string, c int, labels []string) {
	if c > 0 {
		row[col[name]] = itoa(c)
		row[col[name+"_txt"]] = labels[c]
	}
}

// casualties draws a long-tailed count: mostly none or a few, rarely hundreds. Unknown is
// blank, sometimes -99 as in parts of the GTD.
func (g *incidents) casualties(zero float64) (string, bool) {
	switch x := g.r.Float64(); {
	case x < 0.05:
		return "", true
	case x < 0.06:
		return "-99", true
	case x < 0.06+zero:
		return "0", false
	case x > 0.998:
		return itoa(100 + g.r.IntN(500)), false
	}
	return itoa(max(1, int(math.Exp(0.6+g.r.NormFloat64()*1.1)))), false
}

func (g *incidents) row(year, month, day, ci, pi, attack int, perps []*group, chained bool) []string {
	r := g.r
	row := make([]string, len(Columns))
	c := &gazetteer[ci]
	pr := &c.provinces[pi]
	row[col["iyear"]], row[col["imonth"]], row[col["iday"]] = itoa(year), itoa(month), itoa(day)
	switch {
	case month == 0:
		g.sum.PartialDates++
		row[col["approxdate"]] = itoa(year)
	case day == 0:
		g.sum.PartialDates++
		if g.chance(0.5) {
			row[col["approxdate"]] = months[month] + " " + itoa(year)
		}
	case day+2 <= daysIn(year, month) && g.chance(0.02):
		row[col["approxdate"]] = fmt.Sprintf("%s %d-%d, %d", months[month], day, day+2, year)
	}
	row[col["country"]], row[col["country_txt"]] = itoa(c.code), c.name
	row[col["region"]], row[col["region_txt"]] = itoa(c.region), regions[c.region]

	// GTD specificity: 1 the city's own coordinates, 2 a city but the province's centroid,
	// 3 and 4 no city, 5 not even a province and no coordinates.
	spec := 1 + weighted(r, []float64{72, 10, 8, 7, 3})
	row[col["specificity"]] = itoa(spec)
	cityName, lat, lon := "Unknown", pr.lat, pr.lon
	if spec <= 2 {
		ct := r.IntN(len(pr.cities))
		cityName = pr.cities[ct].name
		g.cities[[3]int{ci, pi, ct}] = true
		g.provinces[[2]int{ci, pi}] = true
		if spec == 1 {
			lat = pr.cities[ct].lat + (r.Float64()-0.5)*0.04
			lon = pr.cities[ct].lon + (r.Float64()-0.5)*0.04
		}
	}
	row[col["provstate"]] = pr.name
	if spec == 5 {
		row[col["provstate"]] = "Unknown"
	} else {
		row[col["latitude"]], row[col["longitude"]] = coord(lat), coord(lon)
		if spec > 2 {
			g.provinces[[2]int{ci, pi}] = true
		}
	}
	row[col["city"]] = cityName
	g.sum.PlaceLinks++
	g.relsDone++

	switch {
	case year < 1997 && g.chance(0.1), year >= 1997 && g.chance(0.05):
		row[col["doubtterr"]] = "-9"
	case year >= 1997 && g.chance(0.16):
		row[col["doubtterr"]] = "1"
	default:
		row[col["doubtterr"]] = "0"
	}
	row[col["multiple"]] = "0"
	if chained {
		row[col["multiple"]] = "1"
	}
	row[col["success"]] = "1"
	if g.chance(0.1) {
		row[col["success"]] = "0"
	}
	row[col["suicide"]] = "0"
	if attack == 3 && year >= 1983 && g.chance(0.06) || g.chance(0.004) {
		row[col["suicide"]] = "1"
	}

	// Attack, target and weapon types: up to three, three and four distinct codes.
	code(row, "attacktype1", attack, attackTypes)
	if g.chance(0.05) {
		if a2 := 1 + weighted(r, attackWeights[1:]); a2 != attack {
			code(row, "attacktype2", a2, attackTypes)
			if a3 := 1 + weighted(r, attackWeights[1:]); a3 != attack && a3 != a2 && g.chance(0.2) {
				code(row, "attacktype3", a3, attackTypes)
			}
		}
	}
	t1 := 1 + weighted(r, targetWeights[1:])
	code(row, "targtype1", t1, targetTypes)
	if g.chance(0.08) {
		if t2 := 1 + weighted(r, targetWeights[1:]); t2 != t1 {
			code(row, "targtype2", t2, targetTypes)
			if t3 := 1 + weighted(r, targetWeights[1:]); t3 != t1 && t3 != t2 && g.chance(0.25) {
				code(row, "targtype3", t3, targetTypes)
			}
		}
	}
	weapons := []int{attackWeapons[attack][r.IntN(len(attackWeapons[attack]))]}
	for _, p := range []float64{0.1, 0.2, 0.25} {
		if !g.chance(p) {
			break
		}
		if w := 5 + r.IntN(9); !slices.Contains(weapons, w) {
			weapons = append(weapons, w)
		}
	}
	for i, w := range weapons {
		code(row, "weaptype"+itoa(i+1), w, weaponTypes)
	}

	// Perpetrators, how sure the attribution is, and claims.
	row[col["gname"]] = UnknownGroup
	uncertain := false
	for i, p := range perps {
		n := itoa(i + 1)
		if i == 0 {
			n = ""
		}
		row[col["gname"+n]] = p.gtdName
		g.named[p.gtdName] = true
		u := "0"
		if g.chance([]float64{0.1, 0.25, 0.25}[i]) {
			u, uncertain = "1", true
		}
		row[col["guncertain"+itoa(i+1)]] = u
		g.sum.PerpetratorLinks++
		g.relsDone++
		if p.seed {
			g.sum.SeedGroupRows++
		}
	}
	if len(perps) == 0 {
		row[col["guncertain1"]] = "0"
	}
	if uncertain {
		g.sum.UncertainRows++
	}
	if len(perps) > 1 {
		g.sum.MultiGroupRows++
	}
	claimed := ""
	switch {
	case year < 1998 && g.chance(0.6):
	case len(perps) == 0:
		claimed = []string{"0", "0", "0", "-9"}[r.IntN(4)]
	default:
		claimed = []string{"1", "1", "1", "0", "0", "0", "0", "0", "0", "-9"}[r.IntN(10)]
	}
	row[col["claimed"]] = claimed
	if claimed == "1" && year >= 1998 {
		row[col["claimmode"]] = itoa(1 + weighted(r, []float64{3, 8, 1, 3, 3, 4, 14, 8, 6, 10}))
	}
	if claimed == "1" && len(perps) > 1 {
		row[col["compclaim"]] = []string{"1", "1", "0", "0", "0", "-9"}[r.IntN(6)]
	}

	nkill, unknownKilled := g.casualties(0.48)
	if unknownKilled {
		g.sum.UnknownKilled++
	}
	row[col["nkill"]] = nkill
	row[col["nwound"]], _ = g.casualties(0.55)
	row[col["property"]] = []string{"1", "1", "1", "0", "0", "-9"}[r.IntN(6)]

	// Citations: newer rows cite one to three reports, many older ones none.
	if year >= 1998 || g.chance(0.4) {
		n := 1
		if g.chance(0.6) {
			n++
			if g.chance(0.5) {
				n++
			}
		}
		for i := range n {
			row[col["scite"+itoa(i+1)]] = g.citation(year, month, day, attack, cityName, pr.name, nkill)
		}
	}
	switch {
	case year < 1998:
		row[col["dbsource"]] = "SYNTH-PGIS"
	case year < 2008:
		row[col["dbsource"]] = []string{"SYNTH-CETIS", "SYNTH-ISVG"}[r.IntN(2)]
	case year < 2012:
		row[col["dbsource"]] = "SYNTH-ISVG"
	default:
		row[col["dbsource"]] = "SYNTH-START"
	}
	g.sum.Rows++
	return row
}

// citation writes a reference in the GTD's style: "Headline," Publisher, Month D, YYYY.
func (g *incidents) citation(year, month, day, attack int, cityName, provName, nkill string) string {
	where := cityName
	if where == "Unknown" {
		where = provName
	}
	var headline string
	switch k, _ := strconv.Atoi(nkill); {
	case k > 1:
		headline = fmt.Sprintf("%d killed in %s in %s", k, strings.ToLower(attackTypes[attack]), where)
	case attack == 3:
		headline = "Explosion reported in " + where
	default:
		headline = "Militants strike in " + where
	}
	when := itoa(year)
	if month > 0 {
		d := day
		if d == 0 {
			d = 1 + g.r.IntN(28)
		}
		t := time.Date(year, time.Month(month), d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.r.IntN(4))
		when = fmt.Sprintf("%s %d, %d", months[t.Month()], t.Day(), t.Year())
	}
	return fmt.Sprintf("%q, %s, %s.", headline+",", publishers[g.r.IntN(len(publishers))], when)
}
