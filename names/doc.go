// Package names turns names of militant groups, places and attacks into
// search keys, so that a name pasted in any script finds the entity:
// "ИГИЛ", "داعش", "État islamique" or "Крокус Сити Холл" as well as
// "Islamic State" or "Crocus City Hall".
//
// Researchers copy names from sources in English, French, Russian, Arabic,
// Persian, Pashto and Urdu, with or without accents, vowel signs, hamza,
// quotation marks and hyphens. Comparing the raw strings misses most of
// them. The package offers two levels of sameness:
//
//   - [Fold] erases differences that never distinguish two names: case,
//     accents, Arabic vowel signs and letter variants, punctuation. Two
//     strings with the same folded form are spellings of one name.
//   - [Key] goes further and writes the folded name in ASCII, squeezed so
//     that romanisations meet: "Daesh", "Daech", "داعش" and "ДАИШ" all have
//     the key "dsh". A shared key is a hint, not a proof: different names
//     can share one (below).
//
// [Keys] gives the strings to store for one name or alias (folded form,
// key, and for "Tehrik-i-Taliban Pakistan (TTP)" also the name without
// the acronym and the acronym alone, see [StripAcronym]). Search folds
// the query the same way and looks it up among the stored keys. A search
// should rank a match on the folded form above a match on the key only.
//
// # What Fold folds
//
// In this order:
//
//  1. Unicode NFKC, then full Unicode case folding (golang.org/x/text/cases
//     Fold, not strings.ToLower: "Straße" and "STRASSE" meet, fullwidth
//     "ＩＳＩＳ" is "isis", Arabic presentation forms are plain letters),
//     then NFKC again, which makes the result stable. Cherokee folds to
//     its capital letters as Unicode says (x/text folds it both ways).
//  2. Nonspacing marks are removed on Latin, Greek and Hebrew letters and
//     on digits and punctuation: "État" is "etat", "İstanbul" is
//     "istanbul". Cyrillic keeps its marks except on ё: й, ї, ў are letters
//     of their own. Scripts that write vowels as marks (Devanagari, Thai)
//     keep them all. Letters without a decomposition (ł, ø, đ) stay: Key
//     writes them in ASCII. Marks on a character that step 4 or 5 drops
//     or turns into a space go with it.
//  3. Cyrillic ё and Ё become е ("Королёв" is "королев").
//  4. Arabic-script letters and marks are folded as listed under Arabic
//     script below.
//  5. Apostrophes and the modifier letters used for ʿayn and hamza in
//     romanisations (' ’ ‘ ` ʼ ʾ ʿ …) are dropped, so "Jama'at" is
//     "jamaat"; invisible format characters (zero-width non-joiner, bidi
//     marks, soft hyphen) are dropped, so Persian "جلال‌آباد" with a
//     non-joiner meets "جلالآباد" (but not "جلال آباد" with a space).
//     Every other character that is not a letter, digit or mark
//     (punctuation, hyphens, quotation marks, symbols, spaces) separates
//     words: runs of them become one space, and the result is trimmed.
//
// # Arabic script
//
// Fold applies these rules to Arabic, Persian, Pashto, Urdu and Kurdish
// text:
//   - harakat, tanwin, shadda, sukun, superscript alef and Quranic signs
//     are removed;
//   - the alef forms أ إ آ ٱ ٲ ٳ become ا;
//   - the hamza carriers become their letter: ؤ is و, ئ is ي;
//   - standalone hamza ء (and high hamza ٴ) is dropped rather than kept:
//     it is the letter most often left out or written differently (علاء
//     and علا, هيئة and هيئه), and no other letter is written in its place;
//   - ta marbuta ة (and Urdu ۃ) becomes ه, so "الدولة" and "الدوله" meet;
//   - alef maqsura ى becomes ي;
//   - the Persian, Urdu, Pashto and Kurdish variants become the Arabic
//     letter: ی ې ۍ ێ ے are ي, ک ڪ are ك, ە ہ ھ ۀ are ه, and Pashto ګ is
//     the Persian and Urdu گ;
//   - tatweel ـ is removed;
//   - Arabic-Indic and Persian digits become 0–9.
//
// Letters that are different letters stay different: پ is not ب
// ("پاکستان" and "باكستان" do not meet), ع is not غ, ح is not خ or ه. The
// article ال is not removed.
//
// Fold is idempotent, Fold(Fold(s)) == Fold(s), and Key(Fold(s)) == Key(s),
// so stored keys may be computed from either the raw or the folded name.
// Typos are not Fold's business: the search's fuzzy matching handles them.
//
// # What Key does
//
// Key folds the name, writes Arabic alef as "a" (the transliteration
// table writes it as nothing, leaving names such as الموصل without their
// first letter), transliterates to ASCII with github.com/gosimple/unidecode,
// lower-cases, and applies a few fix-ups for sounds that English, French,
// Russian and Arabic romanisations spell differently: kh is h (Хорасан,
// Хамас), ch and sch are sh (Daech), dzh is j (Джалалабад), q is k (Qaeda,
// Каида), c is s before e, i, y and k elsewhere (Crocus City, Крокус Сити),
// ck is k, ph is f, w is v (Peshawar, Пешавар). Then it keeps only letters
// and digits, drops every vowel (a e i o u y) except the key's first
// letter, and collapses doubled letters.
//
// The vowel rule and the fix-ups were chosen by measurement
// (TestKeyRulesMeasured; run it with -v for the table) on 46 pairs of
// romanisations to join, 16 of which Key is built for, and 26 pairs of
// different names to keep apart:
//
//	rule                                  joined  required  kept apart
//	keep vowels, with fix-ups               17/46     8/16      26/26
//	drop vowels, keep each word's first     38/46    16/16      21/26
//	drop vowels, keep the key's first       41/46    16/16      21/26  (Key)
//	drop every vowel                        42/46    16/16      16/26
//	the Key rule without fix-ups            28/46    13/16      22/26
//	the Key rule with y as a consonant      37/46    15/16      21/26
//
// Arabic and Persian write short vowels as marks that are usually left
// out, so a key that keeps vowels cannot join "Kabul" and "كابل"; dropping
// them is what lets a Latin query reach an Arabic-script name and back.
//
// # What Key can and cannot do
//
// Key joins romanisations of one name: "Daesh", "Daech", "Da'esh", "ДАИШ"
// and "داعش"; "Krokus" and "Крокус"; "Crocus City Hall" and "Крокус Сити
// Холл"; "Kabul", "Кабул", "كابل" and "کابل"; "Khorasan", "Khurasan",
// "Хорасан" and "خراسان"; "Taliban", "Талибан" and "طالبان"; "Moskva",
// "Moscow" and "Москва"; "Tehrik-i-Taliban Pakistan" and
// "تحریک طالبان پاکستان".
//
// Key does not join (TestKeyLimits keeps this list true):
//   - translations and acronyms: "Islamic State", "État islamique",
//     "Исламское государство" and "الدولة الإسلامية"; "ISIS", "ISIL" and
//     "ИГИЛ". These are aliases and must be stored as such;
//   - names whose first vowel is written differently ("Osama", "Усама",
//     "أسامة"), whose Arabic spelling carries the article or a ta marbuta
//     the romanisation leaves out ("Raqqa", "الرقة"), or writes long vowels
//     as و and ي that the romanisation writes as vowels ("Abu Bakr",
//     "أبو بكر");
//   - different letters for one sound in different languages: Arabic
//     "باكستان" and Urdu "پاکستان", Russian Г for h ("Кандагар").
//
// Key joins different names that differ only in vowels or doubled
// letters: "Gaza" and "Giza", "Niger" and "Nigeria", "Sudan" and "Sedan",
// "Krokus" and "Caracas", "Kabul" and "Kabil". Keys of short names are
// short ("علي" is "l") and meet many others. So equality of whole keys is
// the intended match, ranked below a match on the folded form; a prefix
// match on keys, as a search-as-you-type might want, is much weaker
// ("dsh", Daesh, begins "dshnb", Dushanbe) and belongs last, and key
// matches on keys under three letters may be ignored.
//
// # For maintainers
//
// The stored keys depend on these rules and on the unidecode tables: a
// change to either (including a version bump of github.com/gosimple/unidecode
// or golang.org/x/text) changes keys, and stored keys must then be
// recomputed. Each Fold rule has a switch in the unexported folder type,
// and TestFoldRulesAreNeeded shows for each rule a group of spellings that
// only that rule joins; a new rule needs such a group. A change to Key's
// squeeze must keep every required pair of TestKeyRulesMeasured joined and
// the best total; update the table above with its output.
package names
