// Package gtd reads files in the layout of the Global Terrorism Database (GTD) codebook and turns
// each row into an Incident: the domain values the graph needs (an incident entity, its place,
// its perpetrators with the status and confidence the row supports, its casualty figures, its
// related incidents and its citations). Mapper then maps chunks of rows onto the graph
// (map.go): the ids, statuses, confidences, place chains, figures and sources below, as
// incidentgraph batches. It knows nothing of the database: group and country names stay names
// (Mapper.Names, each with the id the import gives the entity it creates for a name that names
// none) until the store has resolved them against the graph; Mapper.Map then builds the
// batches, and package neo4j writes them through its one writer (neo4j.Import, DB.ImportGTD).
//
// # Files
//
// CSV with a header row naming the columns, in Windows-1252 (the encoding the GTD is distributed
// in; Latin-1 is a subset of it) or in UTF-8 when the file starts with a byte-order mark; or an
// Excel workbook (.xlsx, the GTD's other distribution format), whose first sheet is read the
// same way, as a stream of rows (OpenFile chooses by the file's name and checks its first bytes).
// Column order does not matter; unknown columns are ignored; a missing required column is one
// error for the whole file. CSV rows are numbered by the line they start on (the header is line
// 1), workbook rows by the spreadsheet's row numbers. Excel 97-2003 (.xls) files are not read.
//
// # Columns
//
// Required: eventid, iyear, imonth, iday, country_txt, gname. Read when present: provstate,
// city, latitude, longitude, specificity, doubtterr, multiple, related, success, suicide,
// attacktype1–3, targtype1–3, weaptype1–4, gname2, gname3, guncertain1–3, claimed, claim2,
// claim3, claimmode, compclaim, nkill, nwound, scite1–3, dbsource, attacktype1_txt.
//
// # Mapping
//
//   - eventid (12 digits: YYYYMMDD and a 4-digit case number) → incident id "gtd-<eventid>",
//     kind INCIDENT, gtdEventId. iyear/imonth/iday give the date; imonth or iday 0 (unknown)
//     leave a partial date "YYYY" or "YYYY-MM", never a made-up day.
//
//   - name: "<attack type> in <city>, <country> (<date>)", from attacktype1 (its _txt column
//     when present, else the codebook's name of the code).
//
//   - attacktype1–3, targtype1–3, weaptype1–4 → attackTypes, targetTypes, weaponTypes (codes
//     in the codebook's ranges; 0 or blank is absent). suicide=1 → suicide. success 1 →
//     outcome SUCCESSFUL, 0 → FAILED.
//
//   - Place: country_txt → a COUNTRY (the store resolves it to an existing country by name,
//     alias or ISO code, else the import creates "gtd-country-<slug>"); provstate → PLACE REGION
//     "gtd-place-<country>-<province>" LOCATED_IN the country; city → PLACE CITY
//     "gtd-place-<country>-<province>-<city>" LOCATED_IN the province (or the country). The
//     incident OCCURRED_IN the most precise of these. latitude/longitude and specificity
//     (geoPrecision) describe where the incident happened, not the city's centre, and vary from
//     row to row for the same city, so they stay on the incident (Incident.Latitude etc.), not on
//     the shared city node.
//
//   - Perpetrators: gname, gname2, gname3, except "Unknown" (no perpetrator). The store
//     resolves each name to an organization by exact gtdName, then by name or alias (case
//     insensitive), else the import creates "gtd-group-<slug>" (MILITANT_GROUP, gtdName set). The link,
//     asserted by the GTD's publisher (start-consortium), is:
//
//     | row says                           | type                        | status    | confidence |
//     |------------------------------------|-----------------------------|-----------|------------|
//     | group named, nothing else          | PERPETRATED                 | REPORTED  | 80         |
//     | guncertainN = 1 (suspected)        | PERPETRATED                 | SUSPECTED | 50         |
//     | claimed (claim2, claim3) = 1       | CLAIMED_RESPONSIBILITY_FOR  | CLAIMED   | 80 (50 if suspected) |
//     | compclaim = 1 (competing claims)   | as above                    | DISPUTED  | at most 40 |
//     | doubtterr = 1 (doubt it is terrorism) | as above                 | as above  | 20 less (at least 10) |
//
//     claimmode, when known, is kept in the link's note.
//
//   - nkill, nwound → KILLED and WOUNDED figures (qualifier EXACT), asserted by the GTD's
//     publisher, as of the incident's date: the GTD gives one settled toll per incident and does
//     not date it, and the incident's date is the earliest the toll can be about. Blank, -9 and
//     -99 mean unknown: no figure, never 0.
//
//   - related (comma-separated eventids) → RELATED_TO between the two incidents, one link per
//     pair whichever row names it (from the lower eventid to the higher); multiple = 1 says so in
//     the note (parts of one multi-part attack).
//
//   - scite1–3 → one SOURCE each, id "gtd-source-<hash of the text>", shared by every row citing
//     the same text; dbsource is kept in the incident's description. Every link and figure also
//     cites the GTD itself (source "gtd-dataset").
package gtd
