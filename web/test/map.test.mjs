// Unit tests of the map's pure functions (src/explore/geo.js, the shipped module, imported as
// is) and of the map's part of the explorer's address (src/explore/chart.js). The browser test
// (server/explore_map_browser_test.go) checks the drawn map against the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PRECISION_STYLES,
  boxFromBounds,
  decodeView,
  encodeView,
  inBox,
  incidentPoints,
  normalizeLng,
  onOneSide,
  outlinesOnOneSide,
  precisionClass,
  precisionStyle,
  selectInBox,
  sliderIndex,
  sliderMonths,
} from '../src/explore/geo.js';
import { DEFAULT_STATE, decodeState, encodeState } from '../src/explore/chart.js';

const place = (id, latitude, longitude, geoPrecision = null) => ({ id, latitude, longitude, geoPrecision });
const link = (type, to) => ({ type, to });

test('an incident is placed by its own coordinates first', () => {
  const inc = { latitude: 34.5, longitude: 69.2, geoPrecision: 2, relationships: [link('OCCURRED_AT', place('kabul', 34.52, 69.17))] };
  assert.deepEqual(incidentPoints(inc), [{ lat: 34.5, lng: 69.2, precision: 2, place: null }]);
  // Specificity 5: the coordinates stand for nothing, so the places decide.
  assert.deepEqual(incidentPoints({ ...inc, geoPrecision: 5 }).map((p) => p.place), ['kabul']);
  // Half a pair is no point.
  assert.deepEqual(incidentPoints({ ...inc, longitude: null }).map((p) => p.place), ['kabul']);
});

test('without coordinates, at every placed site and area: the site first, then precision, then id', () => {
  const inc = {
    latitude: null,
    longitude: null,
    geoPrecision: null,
    relationships: [
      link('OCCURRED_IN', place('krasnogorsk', 55.8167, 37.3333, 1)),
      link('OCCURRED_IN', place('russia', null, null)),
      link('OCCURRED_AT', place('crocus', 55.8258, 37.3889)),
      link('OCCURRED_IN', place('moscow-oblast', 55.5, 37.0, 4)),
      link('OCCURRED_IN', place('nowhere', 10, 10, 5)),
      link('LOCATED_IN', place('elsewhere', 1, 1, 1)),
      link('OCCURRED_IN', null),
    ],
  };
  const pts = incidentPoints(inc);
  assert.deepEqual(pts.map((p) => p.place), ['crocus', 'krasnogorsk', 'moscow-oblast']);
  assert.deepEqual(pts[0], { lat: 55.8258, lng: 37.3889, precision: null, place: 'crocus' });
  // Among areas, a recorded precision ranks before none (as the GeoJSON export ranks them).
  const areas = incidentPoints({ relationships: [link('OCCURRED_IN', place('b', 1, 1)), link('OCCURRED_IN', place('a', 2, 2, 3)), link('OCCURRED_IN', place('c', 3, 3, 1))] });
  assert.deepEqual(areas.map((p) => p.place), ['c', 'a', 'b']);
  // The same place by both links counts once, as a site.
  const twice = incidentPoints({ relationships: [link('OCCURRED_IN', place('x', 1, 1, 2)), link('OCCURRED_AT', place('x', 1, 1, 2)), link('OCCURRED_AT', place('w', 1, 1, 3))] });
  assert.deepEqual(twice.map((p) => p.place), ['x', 'w']);
  assert.deepEqual(incidentPoints({ relationships: [] }), []);
  assert.deepEqual(incidentPoints({}), []);
});

test('precision picks the marker style, less precise drawn larger and paler', () => {
  assert.deepEqual([null, undefined, 1, 2, 3, 4].map(precisionClass), [1, 1, 1, 2, 3, 3]);
  const [a, b, c] = [1, 2, 3].map((k) => PRECISION_STYLES[k]);
  assert.ok(a.radius < b.radius && b.radius < c.radius);
  assert.ok(a.fillOpacity > b.fillOpacity && b.fillOpacity > c.fillOpacity);
  assert.equal(a.dashArray, null);
  assert.notEqual(b.dashArray, null);
  assert.equal(precisionStyle(4), c);
});

test('a map view becomes the API GeoBox', () => {
  assert.deepEqual(boxFromBounds(40, -10, 60, 40), { south: 40, north: 60, west: -10, east: 40 });
  // Panned once round the world, and across the antimeridian.
  assert.deepEqual(boxFromBounds(-20, 530, -10, 550), { south: -20, north: -10, west: 170, east: -170 });
  assert.deepEqual(boxFromBounds(-95, -200, 95, 200), { south: -90, north: 90, west: -180, east: 180 });
  assert.equal(normalizeLng(180), 180);
  assert.equal(normalizeLng(-180), -180);
  assert.equal(normalizeLng(190), -170);
  assert.equal(normalizeLng(-190), 170);
  assert.equal(normalizeLng(540), 180);
});

test('a box holds its edges, and across the antimeridian the two sides of it', () => {
  const box = { south: 40, west: -10, north: 60, east: 40 };
  assert.ok(inBox(box, 40, -10) && inBox(box, 60, 40) && inBox(box, 50, 0));
  assert.ok(!inBox(box, 39.999, 0) && !inBox(box, 50, 40.001) && !inBox(box, 50, -10.001));
  const fiji = { south: -20, west: 170, north: -10, east: -170 };
  assert.ok(inBox(fiji, -17, 178) && inBox(fiji, -17, -179) && inBox(fiji, -17, 180));
  assert.ok(!inBox(fiji, -17, 0) && !inBox(fiji, -17, 169));
  const incidents = [
    { id: 'paris', points: [{ lat: 48.86, lng: 2.37 }] },
    { id: 'moscow', points: [{ lat: 55.83, lng: 37.39 }] },
    { id: 'two', points: [{ lat: 0, lng: 0 }, { lat: 50, lng: 1 }] },
  ];
  assert.deepEqual(selectInBox(incidents, { ...box, east: 30 }), ['paris', 'two']);
  assert.deepEqual(selectInBox(incidents, box), ['paris', 'moscow', 'two']);
  assert.deepEqual(selectInBox(incidents, fiji), []);
});

test('the slider steps through months and maps dates onto them', () => {
  const m = sliderMonths('2015-11-13', '2017-02');
  assert.equal(m.length, 26);
  assert.deepEqual([m[0], m[11], m[12], m.at(-1)], ['2015-01', '2015-12', '2016-01', '2017-02']);
  assert.deepEqual(sliderMonths('1970', '1970-01'), ['1970-01']);
  assert.deepEqual(sliderMonths('2020', '2019-05'), []);
  assert.deepEqual(sliderMonths('', '2019-05'), []);
  assert.deepEqual(sliderMonths('2015', 'bad'), []);
  assert.equal(sliderIndex(m, ''), m.length);
  assert.equal(sliderIndex(m, '2016-03-22'), 14);
  assert.equal(sliderIndex(m, '2016-03'), 14);
  assert.equal(sliderIndex(m, '2016'), 23);
  assert.equal(sliderIndex(m, '2001-05'), 0);
  assert.equal(sliderIndex(m, '2030-01'), m.length);
});

test('the map and its view survive the address, and a bad view falls back', () => {
  const s = { ...DEFAULT_STATE, center: 'isk', map: true, mapView: { lat: 48.8566, lng: 2.3522, zoom: 5 }, knownAt: '2021-08' };
  assert.deepEqual(decodeState(encodeState(s)), s);
  assert.equal(encodeView({ lat: 1.234567, lng: -2.5, zoom: 3 }), '1.2346,-2.5000,3');
  for (const bad of ['', '1,2', '91,0,3', '0,181,3', '0,0,0', '0,0,13', '0,0,2.5', 'a,b,c', ',,3']) {
    assert.equal(decodeView(bad), null, bad);
  }
  // No map, no view in the address; a view without the map is dropped.
  assert.equal(encodeState({ ...DEFAULT_STATE, mapView: { lat: 1, lng: 2, zoom: 3 } }), '');
  assert.equal(decodeState('mv=1,2,3').mapView, null);
  assert.equal(decodeState('m=1&mv=1,2,99').mapView, null);
});

test('outlines cut at the antimeridian keep each ring on its side', () => {
  // Russia's mainland, cut at 180 with two vertices written as -180.
  assert.deepEqual(onOneSide([[178.6, 69.4], [-180, 68.9], [-180, 65], [179.99, 64.9], [178.6, 69.4]]),
    [[178.6, 69.4], [180, 68.9], [180, 65], [179.99, 64.9], [178.6, 69.4]]);
  // Chukotka east of the antimeridian, written with 180.
  assert.deepEqual(onOneSide([[-175, 66], [180, 66], [180, 65], [-175, 66]]), [[-175, 66], [-180, 66], [-180, 65], [-175, 66]]);
  // Antarctica spans every longitude: kept as it is.
  const antarctica = [[-180, -84.7], [0, -70], [180, -84.7], [-180, -84.7]];
  assert.deepEqual(onOneSide(antarctica), antarctica);
  const fc = {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', id: '643', geometry: { type: 'MultiPolygon', coordinates: [[[[178, 60], [-180, 61], [179, 62], [178, 60]]]] } },
      { type: 'Feature', id: '242', geometry: { type: 'Polygon', coordinates: [[[179.4, -16.8], [-180, -16.5], [180, -16], [179.4, -16.8]]] } },
      { type: 'Feature', id: 'x', geometry: null },
    ],
  };
  const out = outlinesOnOneSide(fc);
  assert.deepEqual(out.features[0].geometry.coordinates[0][0][1], [180, 61]);
  assert.deepEqual(out.features[1].geometry.coordinates[0][1], [180, -16.5]);
  assert.equal(out.features[2].geometry, null);
  assert.deepEqual(fc.features[0].geometry.coordinates[0][0][1], [-180, 61], 'the input is not changed');
});
