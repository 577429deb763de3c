package generate

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// group is an organisation the incidents can name. The seed's own groups (seed true) appear in
// gtd.csv under their GTD names but not in groups.yaml: the seed graph holds them.
type group struct {
	id, name, acronym, gtdName string
	country                    int   // home, a gazetteer index
	others                     []int // other countries of its region it attacks in
	founded, last              int   // first and last active year
	dissolved                  int   // 0 while it exists at the end of the data
	weight                     float64
	allies                     []*group
	seed                       bool
}

// activityExponent shapes the long tail: group k (from 1) is about 1/k^s as active as the most
// active one, close to the GTD's concentration of attacks on a few groups.
const activityExponent = 1.05

const (
	firstYear = 1970
	lastYear  = 2020
	// Groups may be founded before the data begins; their sources go back as far.
	firstSourceYear = 1960
)

// Asserting parties and their sources, defined in groups.yaml so that it validates on its own.
// The "gen-" prefix keeps them apart from the seed's ids when both are loaded together.
var asserters = []struct {
	id, name, orgType, publisher, sourceType, title string
}{
	{"gen-militant-groups-registry", "Synthetic Militant Groups Registry", "RESEARCH",
		"Synthetic Militant Groups Registry", "ACADEMIC", "Group profiles, %d edition"},
	{"gen-interior-ministry", "Synthetic Interior Ministry", "GOVERNMENT_AGENCY",
		"Synthetic Interior Ministry", "GOVERNMENT", "Annual threat assessment %d"},
	{"gen-wire-service", "Synthetic Wire Service", "MEDIA",
		"Synthetic Wire Service", "NEWS", "Militant groups year in review %d"},
}

const (
	registry = iota
	ministry
	wire
)

func sourceID(asserter, year int) string {
	return asserters[asserter].id + "-" + strconv.Itoa(year)
}

var (
	syllables = []string{"ka", "ra", "zan", "mel", "dor", "vi", "sha", "lun", "tar", "be", "no", "qal",
		"im", "ur", "sa", "fen", "gor", "al", "yas", "ten", "mir", "ba", "ko", "dj", "el", "hu", "zar", "ne"}
	englishNames = []string{"%s Liberation Front", "Popular Front for the Liberation of %s",
		"%s Revolutionary Army", "Islamic Movement of %s", "Mujahideen of %s", "%s People's Brigades",
		"%s Martyrs Battalion", "Army of Free %s", "%s Defense Committee", "Jamaat %s",
		"%s Resistance Movement", "Ansar %s", "%s National Council", "Sons of %s", "New %s Guard",
		"%s Jihad Organization", "Vanguard of %s", "%s Workers' Party"}
	spanishNames = []string{"Frente Popular de %s", "Ejército Revolucionario de %s",
		"Movimiento de Liberación de %s", "Comando Guerrillero %s", "Fuerzas Armadas de %s",
		"Acción Revolucionaria %s"}
	frenchNames = []string{"Front de Libération de %s", "Armée Révolutionnaire de %s", "Mouvement Populaire de %s"}
	minorWords  = map[string]bool{"of": true, "for": true, "the": true, "de": true, "la": true}
)

func pseudoWord(r *rand.Rand) string {
	n := 2 + r.IntN(2)
	var b strings.Builder
	for range n {
		b.WriteString(syllables[r.IntN(len(syllables))])
	}
	w := b.String()
	return strings.ToUpper(w[:1]) + w[1:]
}

func groupName(r *rand.Rand, c *country) string {
	templates := englishNames
	switch {
	case c.region == 2 || c.region == 3 || c.name == "Spain":
		if r.IntN(3) > 0 {
			templates = spanishNames
		}
	case c.name == "France" || c.name == "Algeria":
		if r.IntN(2) == 0 {
			templates = frenchNames
		}
	}
	return fmt.Sprintf(templates[r.IntN(len(templates))], pseudoWord(r))
}

func acronym(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		if minorWords[w] {
			continue
		}
		for _, c := range w {
			if c >= 'A' && c <= 'Z' {
				b.WriteRune(c)
			}
			break
		}
	}
	return b.String()
}

var fold = strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ñ", "n", "É", "e",
	"Á", "a", "è", "e", "ç", "c", "ü", "u", "'", "")

// slug makes an entity id from a name (docs/seed-format.md: lowercase, hyphens).
func slug(name string) string {
	s := strings.ToLower(fold.Replace(name))
	var b strings.Builder
	dash := false
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

// makeGroups draws n synthetic groups and appends the seed's two. Groups are returned in order of
// founding, which is the order structure relationships are drawn in (a parent predates its
// affiliates).
func makeGroups(r *rand.Rand, n int) []*group {
	var total float64
	for i := range gazetteer {
		total += gazetteer[i].weight * gazetteer[i].spread
	}
	names, ids := map[string]bool{}, map[string]bool{}
	groups := make([]*group, 0, n+2)
	for len(groups) < n {
		ci := 0
		for x := r.Float64() * total; ci < len(gazetteer)-1; ci++ {
			if x -= gazetteer[ci].weight * gazetteer[ci].spread; x < 0 {
				break
			}
		}
		c := &gazetteer[ci]
		name := groupName(r, c)
		acr := acronym(name)
		gtd := name
		if len(acr) >= 2 && r.Float64() < 0.6 {
			gtd = name + " (" + acr + ")"
		}
		id := slug(name)
		if names[gtd] || names[name] || ids[id] {
			continue
		}
		names[gtd], names[name], ids[id] = true, true, true
		g := &group{id: id, name: name, acronym: acr, gtdName: gtd, country: ci}
		// Founded a little before the country's peak; drawn again rather than clamped, so that
		// no year collects the groups that fall outside the span.
		for range 20 {
			g.founded = int(math.Round(float64(c.peak) - 0.8*c.spread + r.NormFloat64()*0.7*c.spread))
			if firstSourceYear <= g.founded && g.founded < lastYear {
				break
			}
		}
		g.founded = clamp(g.founded, firstSourceYear, lastYear-1)
		g.last = min(lastYear, g.founded+3+int(r.ExpFloat64()*14))
		if g.last < firstYear+1 {
			g.last = firstYear + 1 + r.IntN(5)
		}
		if g.last < lastYear {
			g.dissolved = g.last + 1
		}
		for j := range gazetteer {
			if j != ci && gazetteer[j].region == c.region && r.Float64() < 0.3 {
				g.others = append(g.others, j)
			}
		}
		groups = append(groups, g)
	}
	// Activity ranks are a random permutation, so that a group's activity does not depend on
	// where it was drawn.
	for k, i := range r.Perm(n) {
		groups[i].weight = 1 / math.Pow(float64(k+1), activityExponent)
	}
	rankWeight := func(k int) float64 { return 1 / math.Pow(float64(k+1), activityExponent) }
	groups = append(groups,
		&group{id: "islamic-state", name: "Islamic State group", gtdName: SeedISIL, seed: true,
			country: countryByName("Iraq"), others: []int{countryByName("Syria")},
			founded: 2013, last: lastYear, weight: rankWeight(2)},
		&group{id: "islamic-state-khorasan-province", name: "Islamic State Khorasan Province", gtdName: SeedKhorasan,
			seed: true, country: countryByName("Afghanistan"), others: []int{countryByName("Pakistan")},
			founded: 2015, last: lastYear, weight: rankWeight(12)},
	)
	slices.SortStableFunc(groups, func(a, b *group) int { return a.founded - b.founded })
	return groups
}

func clamp(v, lo, hi int) int { return max(lo, min(hi, v)) }

// yamlEntity and yamlRel are items of the seed format (docs/seed-format.md).
type yamlEntity struct {
	ID          string   `yaml:"id"`
	Kind        string   `yaml:"kind"`
	Name        string   `yaml:"name"`
	Aliases     []string `yaml:"aliases,omitempty,flow"`
	OrgType     string   `yaml:"orgType,omitempty"`
	GTDName     string   `yaml:"gtdName,omitempty"`
	Founded     string   `yaml:"founded,omitempty"`
	Dissolved   string   `yaml:"dissolved,omitempty"`
	Publisher   string   `yaml:"publisher,omitempty"`
	Published   string   `yaml:"published,omitempty"`
	SourceType  string   `yaml:"sourceType,omitempty"`
	Description string   `yaml:"description,omitempty"`
	Sources     []string `yaml:"sources,omitempty,flow"`
}

type yamlRel struct {
	From       string   `yaml:"from"`
	Type       string   `yaml:"type"`
	To         string   `yaml:"to"`
	Status     string   `yaml:"status"`
	Confidence int      `yaml:"confidence"`
	AssertedBy string   `yaml:"assertedBy"`
	Sources    []string `yaml:"sources,flow"`
	ValidFrom  string   `yaml:"validFrom,omitempty"`
	ValidTo    string   `yaml:"validTo,omitempty"`
	Note       string   `yaml:"note,omitempty"`
}

// structure draws the relationships between the synthetic groups: affiliate hierarchies
// (AFFILIATE_OF, BRANCH_OF, with pledges), splinters, offshoots, mergers, alliances and
// rivalries. Each is one party's assertion; about a third of the hierarchy links and some
// alliances are asserted by a second party too, with its own status and confidence.
func structure(r *rand.Rand, groups []*group) []yamlRel {
	var rels []yamlRel
	seen := map[string]bool{}
	year := func(y int) string { return strconv.Itoa(y) }
	add := func(from, to *group, typ string, asserter int, status string, conf, validFrom, validTo int, note string) {
		asserted := from.id // a group's own assertion
		if asserter >= 0 {
			asserted = asserters[asserter].id
		}
		key := from.id + "|" + typ + "|" + to.id + "|" + asserted
		if seen[key] {
			return
		}
		seen[key] = true
		src := asserter
		if asserter < 0 {
			src = wire // a group's own statement, as the wire service reported it
		}
		rel := yamlRel{From: from.id, Type: typ, To: to.id, Status: status, Confidence: conf, AssertedBy: asserted,
			Sources: []string{sourceID(src, min(validFrom+r.IntN(3), lastYear+1))}, ValidFrom: year(validFrom), Note: note}
		if validTo > 0 {
			rel.ValidTo = year(validTo)
		}
		rels = append(rels, rel)
	}
	end := func(a, b *group) int { // the last year both existed, 0 when both still do
		if a.dissolved == 0 && b.dissolved == 0 {
			return 0
		}
		return min(a.last, b.last)
	}
	var synthetic []*group
	for _, g := range groups {
		if !g.seed {
			synthetic = append(synthetic, g)
		}
	}
	region := func(g *group) int { return gazetteer[g.country].region }
	// pick chooses among earlier groups that exist when g is founded, weighted by activity
	// (big groups gather affiliates), optionally only in g's country or region.
	pick := func(i int, same func(*group) bool) *group {
		g := synthetic[i]
		var total float64
		for _, p := range synthetic[:i] {
			if p.last >= g.founded && p.founded <= g.founded && same(p) {
				total += p.weight
			}
		}
		if total == 0 {
			return nil
		}
		x := r.Float64() * total
		for _, p := range synthetic[:i] {
			if p.last >= g.founded && p.founded <= g.founded && same(p) {
				if x -= p.weight; x < 0 {
					return p
				}
			}
		}
		return nil
	}
	for i, g := range synthetic {
		from := g.founded
		switch x := r.Float64(); {
		case x < 0.22:
			p := pick(i, func(*group) bool { return true })
			if p == nil {
				break
			}
			typ, other := "AFFILIATE_OF", "BRANCH_OF"
			if r.Float64() < 0.3 {
				typ, other = other, typ
			}
			add(g, p, typ, registry, "REPORTED", 60+r.IntN(31), from, end(g, p), "")
			if r.Float64() < 0.35 {
				if r.Float64() < 0.7 {
					add(g, p, other, ministry, "CONFIRMED", 75+r.IntN(21), from, end(g, p), "")
				} else {
					add(g, p, typ, ministry, "SUSPECTED", 35+r.IntN(25), from, end(g, p), "")
				}
			}
			if r.Float64() < 0.5 {
				add(g, p, "PLEDGED_ALLEGIANCE_TO", -1, "CLAIMED", 85+r.IntN(11), from, 0, "the group's own pledge (bay'ah)")
			}
		case x < 0.34:
			if p := pick(i, func(p *group) bool { return p.country == g.country }); p != nil {
				add(g, p, "SPLINTER_OF", registry, "REPORTED", 55+r.IntN(36), from, 0, "")
			}
		case x < 0.38:
			if p := pick(i, func(p *group) bool { return region(p) == region(g) }); p != nil {
				add(g, p, "OFFSHOOT_OF", wire, "REPORTED", 50+r.IntN(31), from, 0, "")
			}
		}
	}
	// Mergers: a group that ended may have merged into one of its region that outlived it.
	for _, g := range synthetic {
		if g.dissolved == 0 || r.Float64() >= 0.1 {
			continue
		}
		for range 5 {
			p := synthetic[r.IntN(len(synthetic))]
			if p != g && region(p) == region(g) && p.founded <= g.last && p.last > g.last {
				add(g, p, "MERGED_INTO", registry, "REPORTED", 60+r.IntN(31), g.dissolved, 0, "")
				break
			}
		}
	}
	// Alliances and rivalries between groups of a region whose lives overlap.
	partner := func(g *group) *group {
		for range 8 {
			p := synthetic[r.IntN(len(synthetic))]
			if p != g && region(p) == region(g) && p.founded <= g.last && g.founded <= p.last {
				return p
			}
		}
		return nil
	}
	counts := func(probs ...float64) int {
		x := r.Float64()
		for k, p := range probs {
			if x -= p; x < 0 {
				return k
			}
		}
		return len(probs)
	}
	for _, g := range synthetic {
		for range counts(0.5, 0.35) {
			p := partner(g)
			if p == nil {
				continue
			}
			from := max(g.founded, p.founded)
			to := 0
			if e := min(g.last, p.last); r.Float64() < 0.3 && from < e {
				to = from + 1 + r.IntN(e-from)
			} else {
				to = end(g, p)
			}
			asserter := []int{registry, wire}[r.IntN(2)]
			add(g, p, "ALLIED_WITH", asserter, "REPORTED", 50+r.IntN(41), from, to, "")
			g.allies = append(g.allies, p)
			p.allies = append(p.allies, g)
			if r.Float64() < 0.1 {
				add(g, p, "ALLIED_WITH", ministry, "DISPUTED", 20+r.IntN(16), from, to, "the ministry disputes the alliance")
			}
		}
		for range counts(0.65, 0.3) {
			p := partner(g)
			if p == nil {
				continue
			}
			typ := "RIVAL_OF"
			if r.Float64() < 0.3 {
				typ = "ENEMY_OF"
			}
			add(g, p, typ, []int{registry, wire, ministry}[r.IntN(3)], "REPORTED", 45+r.IntN(46), max(g.founded, p.founded), end(g, p), "")
		}
	}
	return rels
}

// writeGroups writes groups.yaml: the asserting parties, their sources (one per party and
// year), the synthetic groups and their relationships. Items are encoded one at a time so that
// the file is streamed rather than built as one document.
func writeGroups(w io.Writer, cfg Config, groups []*group, rels []yamlRel) error {
	fmt.Fprintf(w, "# Generated by `incidentgraph generate --seed %d --incidents %d --groups %d`: synthetic\n"+
		"# militant groups for gtd.csv beside this file (gtdName is the name the rows use), their\n"+
		"# structure, and the parties and sources that assert it. Not real data.\n\nentities:\n",
		cfg.Seed, cfg.Incidents, cfg.Groups)
	enc := func(v any) error {
		b, err := yaml.Marshal([]any{v})
		if err != nil {
			return err
		}
		for _, line := range strings.SplitAfter(string(b), "\n") {
			if line != "" {
				if _, err := io.WriteString(w, "  "+line); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, a := range asserters {
		if err := enc(yamlEntity{ID: a.id, Kind: "ORGANIZATION", Name: a.name, OrgType: a.orgType,
			Description: "A synthetic asserting party of the generated data set."}); err != nil {
			return err
		}
	}
	for ai, a := range asserters {
		for y := firstSourceYear; y <= lastYear+1; y++ {
			if err := enc(yamlEntity{ID: sourceID(ai, y), Kind: "SOURCE", Name: fmt.Sprintf(a.title, y),
				Publisher: a.publisher, Published: strconv.Itoa(y), SourceType: a.sourceType}); err != nil {
				return err
			}
		}
	}
	for _, g := range groups {
		if g.seed {
			continue
		}
		e := yamlEntity{ID: g.id, Kind: "ORGANIZATION", Name: g.name, OrgType: "MILITANT_GROUP", GTDName: g.gtdName,
			Founded: strconv.Itoa(g.founded), Sources: []string{sourceID(registry, max(g.founded, firstSourceYear))},
			Description: "Synthetic group based in " + gazetteer[g.country].name + "."}
		if g.acronym != "" && len(g.acronym) >= 2 {
			e.Aliases = []string{g.acronym}
		}
		if g.dissolved > 0 {
			e.Dissolved = strconv.Itoa(g.dissolved)
		}
		if err := enc(e); err != nil {
			return err
		}
	}
	if _, err := io.WriteString(w, "\nrelationships:\n"); err != nil {
		return err
	}
	for _, rel := range rels {
		if err := enc(rel); err != nil {
			return err
		}
	}
	return nil
}
