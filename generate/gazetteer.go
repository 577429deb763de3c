package generate

import "math"

// The gazetteer is small and built in, so that the generator needs no data files: enough
// countries, provinces and cities, with real coordinates, to give incidents places at every
// GTD specificity and a place hierarchy to link. Country and region codes follow the GTD
// codebook; the importer resolves countries by name (country_txt) as well.

// Region codes and names as in the GTD codebook.
var regions = map[int]string{
	1: "North America", 2: "Central America & Caribbean", 3: "South America", 4: "East Asia",
	5: "Southeast Asia", 6: "South Asia", 7: "Central Asia", 8: "Western Europe",
	9: "Eastern Europe", 10: "Middle East & North Africa", 11: "Sub-Saharan Africa",
	12: "Australasia & Oceania",
}

type city struct {
	name     string
	lat, lon float64
}

type province struct {
	name     string
	lat, lon float64 // centroid, for specificity 2–4
	cities   []city
}

// country carries its activity over time: a bell around the peak year, with a floor, so that
// Latin America and Western Europe dominate the 1970s–80s and the Middle East, South Asia and
// Africa the 2010s, as in the GTD.
type country struct {
	code      int
	name      string
	region    int
	peak      int
	spread    float64
	weight    float64
	provinces []province
}

// activity is the country's relative share of incidents in a year.
func (c *country) activity(year int) float64 {
	d := float64(year-c.peak) / c.spread
	return c.weight * (math.Exp(-d*d) + 0.03)
}

var gazetteer = []country{
	{4, "Afghanistan", 6, 2015, 6, 9, []province{
		{"Kabul", 34.53, 69.17, []city{{"Kabul", 34.5553, 69.2075}}},
		{"Nangarhar", 34.30, 70.60, []city{{"Jalalabad", 34.4265, 70.4515}}},
		{"Kandahar", 31.00, 65.50, []city{{"Kandahar", 31.6289, 65.7372}}},
		{"Helmand", 31.30, 64.00, []city{{"Lashkar Gah", 31.5938, 64.3716}}},
	}},
	{153, "Pakistan", 6, 2011, 7, 8, []province{
		{"Khyber Pakhtunkhwa", 34.50, 72.00, []city{{"Peshawar", 34.0151, 71.5249}}},
		{"Balochistan", 28.50, 65.00, []city{{"Quetta", 30.1798, 66.9750}}},
		{"Sindh", 26.00, 68.50, []city{{"Karachi", 24.8607, 67.0011}}},
		{"Punjab", 31.00, 72.50, []city{{"Lahore", 31.5204, 74.3587}}},
	}},
	{95, "Iraq", 10, 2014, 6, 12, []province{
		{"Baghdad", 33.30, 44.40, []city{{"Baghdad", 33.3152, 44.3661}}},
		{"Nineveh", 36.20, 42.70, []city{{"Mosul", 36.3456, 43.1575}, {"Tal Afar", 36.3792, 42.4497}}},
		{"Al Anbar", 33.00, 42.00, []city{{"Ramadi", 33.4258, 43.2992}, {"Fallujah", 33.3500, 43.7833}}},
		{"Diyala", 33.90, 45.00, []city{{"Baqubah", 33.7466, 44.6437}}},
		{"Kirkuk", 35.40, 44.30, []city{{"Kirkuk", 35.4681, 44.3922}}},
	}},
	{200, "Syria", 10, 2015, 4, 5, []province{
		{"Aleppo", 36.20, 37.50, []city{{"Aleppo", 36.2021, 37.1343}}},
		{"Damascus", 33.51, 36.29, []city{{"Damascus", 33.5138, 36.2765}}},
		{"Ar Raqqah", 35.90, 38.90, []city{{"Raqqa", 35.9528, 39.0079}}},
		{"Idlib", 35.80, 36.60, []city{{"Idlib", 35.9306, 36.6339}}},
	}},
	{167, "Russia", 9, 2005, 8, 2, []province{
		{"Moscow (federal city)", 55.75, 37.62, []city{{"Moscow", 55.7558, 37.6173}}},
		{"Moscow Oblast", 55.50, 37.50, []city{{"Krasnogorsk", 55.8204, 37.3302}}},
		{"Chechnya", 43.40, 45.70, []city{{"Grozny", 43.3180, 45.6987}}},
		{"Dagestan", 42.90, 47.00, []city{{"Makhachkala", 42.9849, 47.5047}}},
	}},
	{217, "United States", 1, 1975, 25, 1.5, []province{
		{"New York", 42.90, -75.50, []city{{"New York City", 40.7128, -74.0060}}},
		{"California", 36.80, -119.40, []city{{"Los Angeles", 34.0522, -118.2437}, {"San Francisco", 37.7749, -122.4194}}},
		{"Illinois", 40.00, -89.20, []city{{"Chicago", 41.8781, -87.6298}}},
	}},
	{603, "United Kingdom", 8, 1978, 12, 3, []province{
		{"Northern Ireland", 54.60, -6.70, []city{{"Belfast", 54.5973, -5.9301}, {"Derry", 54.9966, -7.3086}}},
		{"England", 52.50, -1.50, []city{{"London", 51.5074, -0.1278}, {"Manchester", 53.4808, -2.2426}}},
	}},
	{69, "France", 8, 1985, 15, 2, []province{
		{"Île-de-France", 48.70, 2.50, []city{{"Paris", 48.8566, 2.3522}}},
		{"Corsica", 42.15, 9.10, []city{{"Ajaccio", 41.9192, 8.7386}, {"Bastia", 42.6977, 9.4508}}},
	}},
	{185, "Spain", 8, 1985, 14, 2, []province{
		{"Basque Country", 43.00, -2.60, []city{{"Bilbao", 43.2630, -2.9350}, {"San Sebastián", 43.3183, -1.9812}}},
		{"Madrid", 40.42, -3.70, []city{{"Madrid", 40.4168, -3.7038}}},
		{"Navarre", 42.70, -1.65, []city{{"Pamplona", 42.8125, -1.6458}}},
	}},
	{98, "Italy", 8, 1978, 8, 1.5, []province{
		{"Lazio", 41.90, 12.70, []city{{"Rome", 41.9028, 12.4964}}},
		{"Lombardy", 45.60, 9.80, []city{{"Milan", 45.4642, 9.1900}}},
	}},
	{45, "Colombia", 3, 1992, 14, 4, []province{
		{"Bogotá", 4.65, -74.10, []city{{"Bogotá", 4.7110, -74.0721}}},
		{"Antioquia", 7.00, -75.50, []city{{"Medellín", 6.2442, -75.5812}}},
		{"Norte de Santander", 7.90, -72.90, []city{{"Cúcuta", 7.8939, -72.5078}}},
		{"Cauca", 2.50, -76.80, []city{{"Popayán", 2.4448, -76.6147}}},
	}},
	{159, "Peru", 3, 1988, 8, 3, []province{
		{"Ayacucho", -13.50, -74.00, []city{{"Ayacucho", -13.1588, -74.2239}}},
		{"Lima", -12.05, -77.04, []city{{"Lima", -12.0464, -77.0428}}},
		{"Junín", -11.50, -75.00, []city{{"Huancayo", -12.0651, -75.2049}}},
	}},
	{61, "El Salvador", 2, 1983, 6, 3, []province{
		{"San Salvador", 13.70, -89.20, []city{{"San Salvador", 13.6929, -89.2182}}},
		{"San Miguel", 13.45, -88.20, []city{{"San Miguel", 13.4833, -88.1833}}},
	}},
	{92, "India", 6, 2005, 15, 4, []province{
		{"Jammu and Kashmir", 33.80, 75.10, []city{{"Srinagar", 34.0837, 74.7973}}},
		{"Manipur", 24.70, 93.90, []city{{"Imphal", 24.8170, 93.9368}}},
		{"Chhattisgarh", 21.30, 81.90, []city{{"Raipur", 21.2514, 81.6296}}},
		{"Punjab", 31.10, 75.30, []city{{"Amritsar", 31.6340, 74.8723}}},
	}},
	{160, "Philippines", 5, 2014, 12, 3, []province{
		{"Maguindanao", 6.90, 124.40, []city{{"Cotabato City", 7.2236, 124.2464}}},
		{"Sulu", 6.00, 121.00, []city{{"Jolo", 6.0535, 121.0022}}},
		{"Metropolitan Manila", 14.60, 121.00, []city{{"Manila", 14.5995, 120.9842}}},
	}},
	{205, "Thailand", 5, 2010, 6, 2, []province{
		{"Narathiwat", 6.30, 101.70, []city{{"Narathiwat", 6.4255, 101.8253}}},
		{"Pattani", 6.75, 101.30, []city{{"Pattani", 6.8695, 101.2501}}},
		{"Yala", 6.20, 101.20, []city{{"Yala", 6.5411, 101.2804}}},
	}},
	{186, "Sri Lanka", 6, 1995, 10, 2, []province{
		{"Northern", 9.20, 80.40, []city{{"Jaffna", 9.6615, 80.0255}}},
		{"Western", 6.90, 80.10, []city{{"Colombo", 6.9271, 79.8612}}},
		{"Eastern", 7.80, 81.50, []city{{"Batticaloa", 7.7310, 81.6747}}},
	}},
	{147, "Nigeria", 11, 2015, 5, 4, []province{
		{"Borno", 11.90, 13.10, []city{{"Maiduguri", 11.8311, 13.1510}}},
		{"Adamawa", 9.30, 12.40, []city{{"Yola", 9.2035, 12.4954}}},
		{"Yobe", 12.30, 11.40, []city{{"Damaturu", 11.7470, 11.9608}}},
	}},
	{182, "Somalia", 11, 2014, 6, 3, []province{
		{"Banaadir", 2.05, 45.33, []city{{"Mogadishu", 2.0469, 45.3182}}},
		{"Lower Shebelle", 1.90, 44.60, []city{{"Marka", 1.7159, 44.7717}}},
	}},
	{228, "Yemen", 10, 2015, 5, 3, []province{
		{"Abyan", 13.60, 46.10, []city{{"Zinjibar", 13.1288, 45.3807}}},
		{"Aden", 12.80, 45.03, []city{{"Aden", 12.7855, 45.0187}}},
		{"Sanaa", 15.40, 44.20, []city{{"Sanaa", 15.3694, 44.1910}}},
	}},
	{209, "Turkey", 10, 1993, 12, 2, []province{
		{"Diyarbakir", 38.00, 40.20, []city{{"Diyarbakir", 37.9144, 40.2306}}},
		{"Istanbul", 41.10, 28.90, []city{{"Istanbul", 41.0082, 28.9784}}},
		{"Hakkari", 37.40, 43.80, []city{{"Hakkari", 37.5744, 43.7408}}},
	}},
	{60, "Egypt", 10, 2015, 5, 2, []province{
		{"North Sinai", 30.60, 33.60, []city{{"El Arish", 31.1313, 33.7984}}},
		{"Cairo", 30.05, 31.25, []city{{"Cairo", 30.0444, 31.2357}}},
	}},
	{97, "Israel", 10, 2002, 12, 1.5, []province{
		{"Jerusalem", 31.77, 35.20, []city{{"Jerusalem", 31.7683, 35.2137}}},
		{"Tel Aviv", 32.08, 34.80, []city{{"Tel Aviv", 32.0853, 34.7818}}},
	}},
	{155, "West Bank and Gaza Strip", 10, 2002, 12, 1.5, []province{
		{"Gaza Strip", 31.42, 34.38, []city{{"Gaza City", 31.5017, 34.4668}}},
		{"West Bank", 31.95, 35.30, []city{{"Hebron", 31.5326, 35.0998}}},
	}},
	{6, "Algeria", 10, 1995, 6, 2, []province{
		{"Algiers", 36.70, 3.10, []city{{"Algiers", 36.7538, 3.0588}}},
		{"Boumerdes", 36.70, 3.60, []city{{"Boumerdès", 36.7664, 3.4772}}},
	}},
	{110, "Lebanon", 10, 1984, 8, 1.5, []province{
		{"Beirut", 33.89, 35.50, []city{{"Beirut", 33.8938, 35.5018}}},
		{"North", 34.40, 36.00, []city{{"Tripoli", 34.4367, 35.8497}}},
	}},
}

// countryByName finds a gazetteer country; the seed's groups are placed by name.
func countryByName(name string) int {
	for i := range gazetteer {
		if gazetteer[i].name == name {
			return i
		}
	}
	panic("generate: no country " + name + " in the gazetteer")
}
