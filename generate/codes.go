package generate

// Columns is the header of gtd.csv: the GTD codebook's core fields and the *_txt columns that
// carry their labels, in the order the real file has them (related last). The importer reads
// columns by name, so a real file's further columns are no obstacle.
var Columns = []string{
	"eventid", "iyear", "imonth", "iday", "approxdate",
	"country", "country_txt", "region", "region_txt", "provstate", "city",
	"latitude", "longitude", "specificity",
	"doubtterr", "multiple", "success", "suicide",
	"attacktype1", "attacktype1_txt", "attacktype2", "attacktype2_txt", "attacktype3", "attacktype3_txt",
	"targtype1", "targtype1_txt", "targtype2", "targtype2_txt", "targtype3", "targtype3_txt",
	"gname", "gname2", "gname3", "guncertain1", "guncertain2", "guncertain3",
	"claimed", "claimmode", "compclaim",
	"weaptype1", "weaptype1_txt", "weaptype2", "weaptype2_txt", "weaptype3", "weaptype3_txt", "weaptype4", "weaptype4_txt",
	"nkill", "nwound", "property",
	"scite1", "scite2", "scite3", "dbsource",
	"related",
}

// Code labels from the GTD codebook; index 0 is unused.
var (
	attackTypes = []string{"", "Assassination", "Armed Assault", "Bombing/Explosion", "Hijacking",
		"Hostage Taking (Barricade Incident)", "Hostage Taking (Kidnapping)", "Facility/Infrastructure Attack",
		"Unarmed Assault", "Unknown"}
	targetTypes = []string{"", "Business", "Government (General)", "Police", "Military", "Abortion Related",
		"Airports & Aircraft", "Government (Diplomatic)", "Educational Institution", "Food or Water Supply",
		"Journalists & Media", "Maritime", "NGO", "Other", "Private Citizens & Property",
		"Religious Figures/Institutions", "Telecommunication", "Terrorists/Non-State Militia", "Tourists",
		"Transportation", "Unknown", "Utilities", "Violent Political Party"}
	weaponTypes = []string{"", "Biological", "Chemical", "Radiological", "Nuclear", "Firearms", "Explosives",
		"Fake Weapons", "Incendiary", "Melee", "Vehicle", "Sabotage Equipment", "Other", "Unknown"}
)

// UnknownGroup is GTD's gname when no perpetrator is known; the importer links no group for it.
const UnknownGroup = "Unknown"

// The seed graph's groups under their GTD names: some rows use them so that an import over the
// seed resolves them to the seed's entities (docs/seed-format.md, gtdName).
const (
	SeedISIL     = "Islamic State of Iraq and the Levant (ISIL)"
	SeedKhorasan = "Khorasan Chapter of the Islamic State"
)

// Relative frequencies of attack types (GTD's overall mix: bombings, then armed assaults), and
// for each the weapons that go with it, so that rows are coherent (a bombing uses explosives).
var (
	attackWeights = []float64{0, 9, 23, 48, 0.5, 1, 6, 6, 0.8, 4}
	attackWeapons = [][]int{
		nil,
		{5, 5, 5, 6, 9}, // assassination
		{5, 5, 5, 5, 6}, // armed assault
		{6},             // bombing
		{5, 7, 12},      // hijacking
		{5, 6},          // barricade
		{5, 5, 13},      // kidnapping
		{8, 8, 6, 11},   // facility
		{9, 12, 10},     // unarmed
		{13, 13, 5, 6},  // unknown
	}
	targetWeights = []float64{0, 11, 12, 13, 9, 0.1, 0.7, 2, 2.5, 0.2, 1.5, 0.5, 0.5, 0.3,
		24, 2.5, 0.4, 2.5, 0.2, 3.5, 3, 3, 0.6}
)
