// Pure functions of the explorer's map: where an incident is drawn, how precise its point is,
// which incidents a box holds, the months of the time slider and the map's part of the address.
// No DOM and no Leaflet here, so that web/test/map.test.mjs tests this very module in Node.

// GTD's specificity, the precision of a point: 1 the city itself, 2 the province's centre for a
// known city, 3 and 4 no city (a district, a province), 5 unknown (not on the map at all). A
// place curated without one (the seed's) is drawn as exact. Less precise points are drawn
// larger, paler and hollower, so that a province's centre never reads as a street address.
export const PRECISION_STYLES = Object.freeze({
  1: Object.freeze({ radius: 6, weight: 2, dashArray: null, fillOpacity: 0.9, label: 'the city or site itself (GTD specificity 1, or a curated place)' }),
  2: Object.freeze({ radius: 9, weight: 2, dashArray: '4 3', fillOpacity: 0.45, label: 'the centre of the province of a known city (2)' }),
  3: Object.freeze({ radius: 13, weight: 1.5, dashArray: '2 3', fillOpacity: 0.15, label: 'somewhere in a district or province, no city (3 or 4)' }),
});

// precisionClass is the precision's rank for drawing: 1, 2 or 3 (3 and 4 alike).
export function precisionClass(precision) {
  if (precision === null || precision === undefined || precision <= 1) {
    return 1;
  }
  return precision === 2 ? 2 : 3;
}

export function precisionStyle(precision) {
  return PRECISION_STYLES[precisionClass(precision)];
}

// GEO_UNKNOWN is the specificity whose coordinates stand for nothing.
export const GEO_UNKNOWN = 5;

function placed(lat, lng, precision) {
  return Number.isFinite(lat) && Number.isFinite(lng) && precision !== GEO_UNKNOWN;
}

// The links that place an incident at a place, in the order they rank: the site first.
const PLACING = ['OCCURRED_AT', 'OCCURRED_IN'];

// incidentPoints lists where an incident is on the map, as the API's `near` and `within` place
// it: by its own coordinates (unless their precision is 5, unknown); else at every place with
// coordinates it OCCURRED_AT or OCCURRED_IN (the API leaves retracted links out). The first
// point is the one it is drawn at: its own, else the site (OCCURRED_AT) before the area, then the
// most precise, then by place id, the rule of the GeoJSON export. Each point is {lat, lng,
// precision, place} (place: the place's id, or null for the incident's own coordinates).
export function incidentPoints(incident) {
  if (placed(incident.latitude, incident.longitude, incident.geoPrecision)) {
    return [{ lat: incident.latitude, lng: incident.longitude, precision: incident.geoPrecision ?? null, place: null }];
  }
  const best = new Map(); // place id -> point, once per place
  for (const r of incident.relationships ?? []) {
    const p = r.to;
    if (!PLACING.includes(r.type) || !p || !placed(p.latitude, p.longitude, p.geoPrecision)) {
      continue;
    }
    const site = r.type === 'OCCURRED_AT';
    const prev = best.get(p.id);
    if (!prev || (site && !prev.site)) {
      best.set(p.id, { lat: p.latitude, lng: p.longitude, precision: p.geoPrecision ?? null, place: p.id, site });
    }
  }
  // A place without a recorded precision ranks after every recorded one, as in the export.
  const rank = (pt) => pt.precision ?? GEO_UNKNOWN;
  return [...best.values()]
    .sort((a, b) => Number(b.site) - Number(a.site) || rank(a) - rank(b) || (a.place < b.place ? -1 : a.place > b.place ? 1 : 0))
    .map(({ site, ...pt }) => pt);
}

// normalizeLng brings a longitude into -180..180 (a map panned round the world gives more).
export function normalizeLng(lng) {
  const x = ((((lng + 180) % 360) + 360) % 360) - 180;
  return x === -180 && lng > 0 ? 180 : x;
}

// boxFromBounds turns the corners a map gives (south-west and north-east, longitudes possibly
// beyond ±180 after panning) into the API's GeoBox: latitudes clamped to ±90, longitudes into
// -180..180, west greater than east for a box across the antimeridian, and the whole circle of
// longitudes when the box is 360 degrees wide or more.
export function boxFromBounds(south, west, north, east) {
  const clampLat = (x) => Math.max(-90, Math.min(90, x));
  const box = { south: clampLat(Math.min(south, north)), north: clampLat(Math.max(south, north)) };
  if (east - west >= 360) {
    return { ...box, west: -180, east: 180 };
  }
  return { ...box, west: normalizeLng(west), east: normalizeLng(east) };
}

// inBox says whether a point lies in a GeoBox, edges included, across the antimeridian when
// west > east: the rule of the API's `within`.
export function inBox(box, lat, lng) {
  if (lat < box.south || lat > box.north) {
    return false;
  }
  return box.west <= box.east ? lng >= box.west && lng <= box.east : lng >= box.west || lng <= box.east;
}

// selectInBox returns the ids of the incidents (each with its points) that have a point in the
// box: what `incidents(filter: {within: box})` answers for the incidents drawn.
export function selectInBox(incidents, box) {
  return incidents.filter((inc) => inc.points.some((p) => inBox(box, p.lat, p.lng))).map((inc) => inc.id);
}

// --- The time slider ---------------------------------------------------------------------------

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

// sliderMonths lists the months the slider steps through, "YYYY-MM", from the first month of the
// year of `first` (the oldest incident's date) to `last` ("YYYY-MM", this month). The slider's
// last position is past them all: no date, the graph as known today.
export function sliderMonths(first, last) {
  const y = /^(\d{4})/.exec(String(first ?? ''));
  const m = MONTH.exec(last ?? '');
  if (!y || !m) {
    return [];
  }
  const y0 = Number(y[1]);
  const [y1, m1] = [Number(m[1]), Number(m[2])];
  const out = [];
  for (let y = y0, mo = 1; y < y1 || (y === y1 && mo <= m1); mo === 12 ? ((y += 1), (mo = 1)) : (mo += 1)) {
    out.push(`${y}-${String(mo).padStart(2, '0')}`);
  }
  return out;
}

// sliderIndex is the slider position of a date of the state (YYYY, YYYY-MM or YYYY-MM-DD): its
// month, the last month of a year, or past the end for no date or a date after the last month.
export function sliderIndex(months, date) {
  if (!date) {
    return months.length;
  }
  const month = date.length === 4 ? `${date}-12` : date.slice(0, 7);
  const i = months.indexOf(month);
  if (i >= 0) {
    return i;
  }
  return months.length && month < months[0] ? 0 : months.length;
}

// --- The map's part of the address --------------------------------------------------------------

// The map's view in the address: "mv=lat,lng,zoom" with 4 decimals (about 10 m).
export function encodeView(view) {
  return `${view.lat.toFixed(4)},${view.lng.toFixed(4)},${view.zoom}`;
}

export function decodeView(text) {
  const parts = String(text ?? '').split(',');
  if (parts.length !== 3 || parts.some((p) => p.trim() === '')) {
    return null;
  }
  const [lat, lng, zoom] = parts.map(Number);
  if (!(lat >= -90 && lat <= 90) || !(lng >= -180 && lng <= 180) || !Number.isInteger(zoom) || zoom < 1 || zoom > 12) {
    return null;
  }
  return { lat, lng, zoom };
}

// --- Country outlines ---------------------------------------------------------------------------

// onOneSide puts the vertices of a ring that lie on the antimeridian on the side of the rest of
// the ring. Natural Earth cuts Russia and Fiji there and writes some of the cut's vertices as
// -180 in a ring that lies east of 170° E: a flat map would draw that ring's edge right across
// the world. A ring with vertices on both sides (Antarctica's, which spans them all) is kept.
export function onOneSide(ring) {
  const inner = ring.filter(([lng]) => Math.abs(lng) !== 180);
  const side = inner.length && inner.every(([lng]) => lng > 0) ? 180 : inner.length && inner.every(([lng]) => lng < 0) ? -180 : 0;
  if (!side) {
    return ring;
  }
  return ring.map(([lng, lat]) => (Math.abs(lng) === 180 ? [side, lat] : [lng, lat]));
}

// outlinesOnOneSide applies onOneSide to every ring of a GeoJSON FeatureCollection of polygons.
export function outlinesOnOneSide(collection) {
  const polygon = (rings) => rings.map(onOneSide);
  return {
    ...collection,
    features: collection.features.map((f) => {
      const g = f.geometry;
      if (g?.type === 'Polygon') return { ...f, geometry: { ...g, coordinates: polygon(g.coordinates) } };
      if (g?.type === 'MultiPolygon') return { ...f, geometry: { ...g, coordinates: g.coordinates.map(polygon) } };
      return f;
    }),
  };
}
