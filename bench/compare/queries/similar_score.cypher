// The scoring of analysis.Similarity in Cypher, for the Library, whose @cypher field has no Go to
// score in: it follows similar.cypher (inside a CALL, binding target, candidates and networks)
// and ranks the candidates as the store ranks them. Each reason's weight, the normalisation by
// the target's own score, rounding to three decimals and the order (score, then nearness in
// time, then id) are analysis.Similarity's; descriptions, which are words built from the same
// facts, are left out. $first is how many to keep.
WITH target AS t, candidates, networks
WHERE t IS NOT NULL
UNWIND range(0, size(candidates)) AS i
WITH t, networks, i, CASE WHEN i = 0 THEN t ELSE candidates[i - 1] END AS c
WITH t, networks, i, c, [p IN t.perpetrators | p.id] AS tPerps, [p IN c.perpetrators | p.id] AS cPerps
WITH t, i, c,
     COLLECT { UNWIND tPerps AS x WITH DISTINCT x WHERE x IN cPerps RETURN x ORDER BY x } AS same,
     COLLECT { UNWIND tPerps AS pa UNWIND cPerps AS pb
               WITH pa, pb WHERE pb IN coalesce(head([n IN networks WHERE n.id = pa | n.network]), [])
                              OR pa IN coalesce(head([n IN networks WHERE n.id = pb | n.network]), [])
               RETURN [pa, pb] AS pair ORDER BY pa, pb LIMIT 1 } AS affiliated,
     COLLECT { UNWIND coalesce(t.incident.attackTypes, []) AS x WITH DISTINCT x
               WHERE x IN coalesce(c.incident.attackTypes, []) AND 1 <= x <= 8 RETURN x ORDER BY x } AS attack,
     COLLECT { UNWIND coalesce(t.incident.targetTypes, []) AS x WITH DISTINCT x
               WHERE x IN coalesce(c.incident.targetTypes, []) AND 1 <= x <= 22 AND NOT x IN [13, 20] RETURN x ORDER BY x } AS target,
     COLLECT { UNWIND coalesce(t.incident.weaponTypes, []) AS x WITH DISTINCT x
               WHERE x IN coalesce(c.incident.weaponTypes, []) AND 1 <= x <= 11 RETURN x ORDER BY x } AS weapon,
     COLLECT { UNWIND t.venueKinds AS x WITH DISTINCT x WHERE x IN c.venueKinds RETURN x ORDER BY x } AS venue,
     [s IN [t.incident.date, c.incident.date] |
       CASE WHEN s IS NULL OR size(s) < 7 THEN ''
            WHEN substring(s, 5, 2) IN ['12', '01', '02'] THEN 'winter'
            WHEN substring(s, 5, 2) IN ['03', '04', '05'] THEN 'spring'
            WHEN substring(s, 5, 2) IN ['06', '07', '08'] THEN 'summer'
            ELSE 'autumn' END] AS seasons,
     head(COLLECT {
       UNWIND t.places AS p
       WITH p, CASE WHEN p.kind = 'COUNTRY' THEN 1
                    WHEN p.placeType IN ['VENUE', 'AIRPORT', 'BUILDING'] THEN 5
                    WHEN p.placeType = 'DISTRICT' THEN 4
                    WHEN p.placeType = 'CITY' THEN 3
                    WHEN p.placeType IN ['REGION', 'HISTORICAL_REGION'] THEN 2
                    ELSE 0 END AS level
       WHERE level > 0 AND p.id IN [q IN c.places | q.id]
       RETURN {id: p.id, name: p.name, weight: [0, 0.5, 0.75, 1.0, 1.25, 1.5][level]} AS place
       ORDER BY level DESC, p.id LIMIT 1 }) AS place
WITH t, i, c,
     CASE WHEN size(same) > 0
            THEN [{kind: 'SAME_PERPETRATOR', weight: 3.0, via: [x IN same | head([p IN t.perpetrators WHERE p.id = x])]}]
          WHEN size(affiliated) > 0
            THEN [{kind: 'AFFILIATED_PERPETRATOR', weight: 2.0,
                   via: [head([p IN t.perpetrators WHERE p.id = affiliated[0][0]]), head([p IN c.perpetrators WHERE p.id = affiliated[0][1]])]}]
          ELSE [] END
     + [x IN attack | {kind: 'ATTACK_TYPE', weight: 1.5, via: []}]
     + [x IN target | {kind: 'TARGET_TYPE', weight: 1.0, via: []}]
     + [x IN weapon | {kind: 'WEAPON_TYPE', weight: 1.0, via: []}]
     + [x IN venue | {kind: 'VENUE_KIND', weight: 1.5, via: []}]
     + CASE WHEN coalesce(t.incident.suicide, false) AND coalesce(c.incident.suicide, false)
            THEN [{kind: 'SUICIDE', weight: 1.0, via: []}] ELSE [] END
     + CASE WHEN seasons[0] <> '' AND seasons[0] = seasons[1] THEN [{kind: 'SEASON', weight: 0.5, via: []}] ELSE [] END
     + CASE WHEN place IS NULL THEN []
            ELSE [{kind: 'SHARED_PLACE', weight: place.weight, via: [{id: place.id, name: place.name}]}] END AS reasons
WITH t, i, c, reasons, reduce(s = 0.0, r IN reasons | s + r.weight) AS total
ORDER BY i
WITH t, collect({c: c, reasons: reasons, total: total}) AS rows
WITH t, rows[0].total AS best, rows[1..] AS rows
UNWIND rows AS row
WITH t, best, row
WHERE best > 0 AND size(row.reasons) > 0 AND row.c.incident.id <> t.incident.id
WITH row, round(row.total / best * 1000) / 1000.0 AS score,
     CASE WHEN t.incident.dateStart IS NULL OR row.c.incident.dateStart IS NULL THEN 9223372036854775807
          ELSE abs(duration.inDays(date(t.incident.dateStart), date(row.c.incident.dateStart)).days) END AS apart
ORDER BY score DESC, apart, row.c.incident.id
LIMIT $first
RETURN {items: collect({incident: {id: row.c.incident.id, name: row.c.incident.name, date: row.c.incident.date}, score: score, reasons: row.reasons})} AS similar
