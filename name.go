package incidentgraph

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/language"
)

// Alias is what is known about one of an entity's aliases beyond its text: the language it is
// a name in (a BCP 47 tag: ru, ar, fa, ps, fr), the script it is written in (ISO 15924: Cyrl,
// Arab, Latn), the sources that use it and a curator's note ("the group's own name",
// "pejorative"). Empty means unknown.
type Alias struct {
	Name      string
	Language  string
	Script    string
	SourceIDs []string
	Note      string
}

// IsZero reports whether nothing is known about the alias but its text.
func (a Alias) IsZero() bool {
	return a.Language == "" && a.Script == "" && len(a.SourceIDs) == 0 && a.Note == ""
}

// MaxAliasNoteLength bounds an alias's note: a caveat, not an essay.
const MaxAliasNoteLength = 500

// AliasDetail returns what is known about the alias name (Entity.AliasInfo), or the bare alias.
func (e *Entity) AliasDetail(name string) Alias {
	for _, a := range e.AliasInfo {
		if a.Name == name {
			return a
		}
	}
	return Alias{Name: name}
}

// AliasList returns one Alias per alias, in the order of Aliases, with what is known of each.
func (e *Entity) AliasList() []Alias {
	out := make([]Alias, len(e.Aliases))
	for i, a := range e.Aliases {
		out[i] = e.AliasDetail(a)
	}
	return out
}

// SetAliases replaces the aliases and their detail with list (in its order). Only aliases with
// something known beyond their text go to AliasInfo, so that an entity without any detail has
// none, as it had before names had languages.
func (e *Entity) SetAliases(list []Alias) {
	e.Aliases, e.AliasInfo = nil, nil
	for _, a := range list {
		e.Aliases = append(e.Aliases, a.Name)
		if !a.IsZero() {
			e.AliasInfo = append(e.AliasInfo, a)
		}
	}
}

// PruneAliasInfo drops the detail of names that are no longer aliases and puts the rest in
// the order of Aliases: a curator who rewrites the aliases as plain text keeps what is known of
// those that stay.
func (e *Entity) PruneAliasInfo() {
	list := e.AliasList()
	e.SetAliases(list)
}

// NameMatchKind says how a search's text matched a name, from the closest match to the loosest.
type NameMatchKind string

const (
	MatchExact          NameMatchKind = "EXACT"          // the same text, ignoring case
	MatchFolded         NameMatchKind = "FOLDED"         // the same after folding (names.Fold)
	MatchTransliterated NameMatchKind = "TRANSLITERATED" // the same transliteration key (names.Keys)
	MatchWord           NameMatchKind = "WORD"           // a word, or the start of a word, of the name
	MatchTypo           NameMatchKind = "TYPO"           // within a typo of the name's words
)

// NameMatch is the name (the entity's name or one of its aliases) a search's text matched, and
// how. Search sets it on the entities it returns; it is nil everywhere else.
type NameMatch struct {
	Name     string
	Language string
	Script   string
	How      NameMatchKind
}

// scriptTables maps the ISO 15924 codes whose letters can be checked to the Unicode scripts
// their letters belong to. A code outside the table is accepted unchecked: it parses as a
// script, and refusing it would refuse names in scripts the table has not met yet.
var scriptTables = map[string][]*unicode.RangeTable{
	"Latn": {unicode.Latin},
	"Cyrl": {unicode.Cyrillic},
	"Arab": {unicode.Arabic},
	"Grek": {unicode.Greek},
	"Hebr": {unicode.Hebrew},
	"Syrc": {unicode.Syriac},
	"Thaa": {unicode.Thaana},
	"Deva": {unicode.Devanagari},
	"Beng": {unicode.Bengali},
	"Guru": {unicode.Gurmukhi},
	"Gujr": {unicode.Gujarati},
	"Taml": {unicode.Tamil},
	"Telu": {unicode.Telugu},
	"Knda": {unicode.Kannada},
	"Mlym": {unicode.Malayalam},
	"Sinh": {unicode.Sinhala},
	"Thai": {unicode.Thai},
	"Khmr": {unicode.Khmer},
	"Mymr": {unicode.Myanmar},
	"Tibt": {unicode.Tibetan},
	"Geor": {unicode.Georgian},
	"Armn": {unicode.Armenian},
	"Ethi": {unicode.Ethiopic},
	"Tfng": {unicode.Tifinagh},
	"Hani": {unicode.Han},
	"Hans": {unicode.Han},
	"Hant": {unicode.Han},
	"Jpan": {unicode.Han, unicode.Hiragana, unicode.Katakana},
	"Hira": {unicode.Hiragana},
	"Kana": {unicode.Katakana},
	"Kore": {unicode.Hangul, unicode.Han},
	"Hang": {unicode.Hangul},
}

// validateAliases checks the aliases of e and what is known about them.
func validateAliases(p *problems, e *Entity) {
	seen := map[string]bool{}
	index := map[string]int{}
	for i, a := range e.Aliases {
		k := strings.ToLower(strings.TrimSpace(a))
		switch {
		case k == "":
			p.add(fmt.Sprintf("aliases[%d]", i), "aliases has an empty item")
		case seen[k]:
			p.add(fmt.Sprintf("aliases[%d]", i), "alias %q repeated", a)
		}
		seen[k] = true
		if _, ok := index[a]; !ok {
			index[a] = i
		}
	}
	described := map[string]bool{}
	for _, d := range e.AliasInfo {
		i, ok := index[d.Name]
		if !ok {
			// Only a caller that fills AliasInfo by hand can get here; say which name it is.
			p.add("aliases", "the language, script, sources or note of %q are given, but it is not an alias", d.Name)
			continue
		}
		if described[d.Name] {
			p.add(fmt.Sprintf("aliases[%d]", i), "the detail of alias %q is given twice", d.Name)
			continue
		}
		described[d.Name] = true
		field := fmt.Sprintf("aliases[%d]", i)
		if d.Language != "" {
			checkLanguage(p, field+".language", d.Name, d.Language)
		}
		if d.Script != "" {
			checkScript(p, field+".script", d.Name, d.Script)
		}
		dupSources(p, field+".sources", d.SourceIDs)
		if len(d.Note) > MaxAliasNoteLength {
			p.add(field+".note", "the note of alias %q is %d bytes long; at most %d", d.Name, len(d.Note), MaxAliasNoteLength)
		}
	}
}

// checkLanguage accepts a well-formed BCP 47 tag in its canonical form, so that one language
// is stored one way ("ru", not "RU" or "rus") and a filter on it finds every name.
func checkLanguage(p *problems, field, name, tag string) {
	t, err := language.Parse(tag)
	switch {
	case err != nil:
		p.add(field, "alias %q: language %q is not a BCP 47 language tag (e.g. ru, ar, fa, ps, fr, en)", name, tag)
	case t == language.Und:
		p.add(field, "alias %q: language %q says nothing; leave the language out when it is unknown", name, tag)
	case t.String() != tag:
		p.add(field, "alias %q: write the language %q as %s", name, tag, t.String())
	}
}

// checkScript accepts an ISO 15924 code in its canonical form whose script the alias's letters
// are written in: a script that contradicts the letters would mislead whoever filters on it.
func checkScript(p *problems, field, name, code string) {
	s, err := language.ParseScript(code)
	if err != nil {
		p.add(field, "alias %q: script %q is not an ISO 15924 script code (e.g. Latn, Cyrl, Arab)", name, code)
		return
	}
	if s.String() != code {
		p.add(field, "alias %q: write the script %q as %s", name, code, s.String())
		return
	}
	tables, ok := scriptTables[code]
	if !ok {
		return
	}
	for _, r := range name {
		if !unicode.IsLetter(r) || unicode.In(r, tables...) {
			continue
		}
		p.add(field, "alias %q is not written in script %s: its letter %q is %s", name, code, r, scriptName(r))
		return
	}
}

// scriptName names the Unicode script of r, for messages.
func scriptName(r rune) string {
	for name, t := range unicode.Scripts {
		if unicode.Is(t, r) {
			return name
		}
	}
	return "in no script"
}

// CheckAliasSources checks that the sources of each alias are SOURCE entities, given the kind of
// every id (as CheckSources does for the entity's own sources).
func CheckAliasSources(e *Entity, kinds map[string]Kind, prefix string) []Problem {
	var out []Problem
	for _, d := range e.AliasInfo {
		i := -1
		for j, a := range e.Aliases {
			if a == d.Name {
				i = j
				break
			}
		}
		if i < 0 {
			continue // reported by ValidateEntity
		}
		out = append(out, CheckSources(d.SourceIDs, kinds, fmt.Sprintf("%s.aliases[%d]", prefix, i))...)
	}
	return out
}

// AliasSourceIDs returns the sources of every alias, once each, in order.
func (e *Entity) AliasSourceIDs() []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range e.AliasInfo {
		for _, s := range d.SourceIDs {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}
