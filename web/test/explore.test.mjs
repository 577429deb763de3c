// Unit tests of the explorer's pure functions (src/explore/chart.js, the shipped module, imported
// as is) and of its GraphQL documents (src/explore/queries.js) against the service's schema.
// Run: npm test (node --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSchema, parse, validate } from 'graphql';
import {
  KIND_STYLES,
  UNKNOWN_KIND_STYLE,
  kindStyle,
  lineStyle,
  confidenceWidth,
  confidenceOpacity,
  edgeColor,
  toElements,
  mergeElements,
  encodeState,
  decodeState,
  DEFAULT_STATE,
  relationshipFilter,
  exportURL,
  exportFileName,
  hideNode,
} from '../src/explore/chart.js';
import * as queries from '../src/explore/queries.js';
import { schemaText } from './schema.mjs';


test('every entity kind of the schema has its own shape and colour', () => {
  const kinds = /enum EntityKind \{([^}]*)\}/.exec(schemaText)[1].match(/^\s*([A-Z_]+)\s*$/gm).map((s) => s.trim());
  assert.deepEqual(Object.keys(KIND_STYLES).sort(), kinds.sort());
  const shapes = new Set(kinds.map((k) => kindStyle(k).shape));
  const colors = new Set(kinds.map((k) => kindStyle(k).color));
  assert.equal(shapes.size, kinds.length, 'two kinds share a shape');
  assert.equal(colors.size, kinds.length, 'two kinds share a colour');
  assert.equal(kindStyle('ORGANIZATION').shape, 'ellipse');
  assert.equal(kindStyle('INCIDENT').shape, 'star');
  // A kind unknown to the explorer, and a name that is an Object property, fall back.
  assert.equal(kindStyle('SPACESHIP'), UNKNOWN_KIND_STYLE);
  assert.equal(kindStyle('constructor'), UNKNOWN_KIND_STYLE);
});

test('line style follows the edge style, else the same rule from status and confidence', () => {
  assert.equal(lineStyle({ style: 'SOLID', status: 'ALLEGED', confidence: 10 }), 'solid');
  assert.equal(lineStyle({ style: 'DASHED', status: 'REPORTED', confidence: 50 }), 'dashed');
  assert.equal(lineStyle({ style: 'DOTTED', status: 'REPORTED', confidence: 90 }), 'dotted');
  assert.equal(lineStyle({ status: 'CONFIRMED', confidence: 40 }), 'solid');
  assert.equal(lineStyle({ status: 'REPORTED', confidence: 70 }), 'solid');
  assert.equal(lineStyle({ status: 'REPORTED', confidence: 69 }), 'dashed');
  assert.equal(lineStyle({ status: 'SUSPECTED', confidence: 30 }), 'dashed');
  assert.equal(lineStyle({ status: 'SUSPECTED', confidence: 29 }), 'dotted');
  for (const s of ['ALLEGED', 'DISPUTED', 'DENIED', 'RETRACTED']) {
    assert.equal(lineStyle({ status: s, confidence: 95 }), 'dotted', s);
  }
  assert.equal(edgeColor({ status: 'DENIED' }), '#c0392b');
  assert.notEqual(edgeColor({ status: 'CONFIRMED' }), edgeColor({ status: 'DENIED' }));
});

test('confidence maps to width and opacity, monotonically and clamped', () => {
  assert.equal(confidenceWidth(0), 1);
  assert.equal(confidenceWidth(100), 5);
  assert.equal(confidenceWidth(50), 3);
  assert.equal(confidenceWidth(150), 5);
  assert.equal(confidenceWidth(-3), 1);
  assert.equal(confidenceWidth(undefined), 1);
  assert.equal(confidenceOpacity(0), 0.35);
  assert.equal(confidenceOpacity(100), 1);
  let prevW = 0;
  let prevO = 0;
  for (let c = 0; c <= 100; c += 5) {
    assert.ok(confidenceWidth(c) > prevW && confidenceOpacity(c) > prevO, `not increasing at ${c}`);
    prevW = confidenceWidth(c);
    prevO = confidenceOpacity(c);
  }
});

const subgraph = {
  nodes: [
    { id: 'a', kind: 'ORGANIZATION', name: 'A' },
    { id: 'b', kind: 'INCIDENT', name: 'B' },
  ],
  edges: [{ id: 'e1', type: 'ATTRIBUTED_TO', source: 'b', target: 'a', status: 'ALLEGED', confidence: 10, style: 'DOTTED', assertedBy: 'x' }],
};

test('a subgraph becomes Cytoscape elements, nodes first, styled', () => {
  const els = toElements(subgraph);
  assert.deepEqual(els.map((e) => [e.group, e.data.id]), [['nodes', 'a'], ['nodes', 'b'], ['edges', 'e1']]);
  assert.deepEqual(els[0].data, { id: 'a', label: 'A', kind: 'ORGANIZATION', shape: 'ellipse', color: '#c0392b' });
  const e = els[2].data;
  assert.equal(e.label, 'ATTRIBUTED_TO');
  assert.equal(e.source, 'b');
  assert.equal(e.target, 'a');
  assert.equal(e.lineStyle, 'dotted');
  assert.equal(e.width, confidenceWidth(10));
  assert.equal(e.opacity, confidenceOpacity(10));
  assert.deepEqual(toElements(null), []);
});

test('merging adds every node and edge once, and no edge without its ends', () => {
  const first = toElements(subgraph);
  const more = toElements({
    nodes: [{ id: 'b', kind: 'INCIDENT', name: 'B' }, { id: 'c', kind: 'PLACE', name: 'C' }, { id: 'c', kind: 'PLACE', name: 'C' }],
    edges: [
      { id: 'e1', type: 'ATTRIBUTED_TO', source: 'b', target: 'a', status: 'ALLEGED', confidence: 10 },
      { id: 'e2', type: 'OCCURRED_IN', source: 'b', target: 'c', status: 'REPORTED', confidence: 90 },
      { id: 'e2', type: 'OCCURRED_IN', source: 'b', target: 'c', status: 'REPORTED', confidence: 90 },
      { id: 'e3', type: 'LOCATED_IN', source: 'c', target: 'zz', status: 'REPORTED', confidence: 90 },
    ],
  });
  const drawn = first.map((e) => e.data.id);
  const added = mergeElements(drawn, more);
  assert.deepEqual(added.map((e) => e.data.id), ['c', 'e2']);
  // Merging into an empty chart dedups within the input itself.
  assert.deepEqual(mergeElements(new Set(), [...first, ...first]).map((e) => e.data.id), ['a', 'b', 'e1']);
  // Hidden nodes stay hidden, and so do their edges.
  assert.deepEqual(mergeElements(drawn, more, ['c']).map((e) => e.data.id), []);
});

test('the state survives the address: encode then decode gives it back', () => {
  const states = [
    { ...DEFAULT_STATE },
    { ...DEFAULT_STATE, center: 'islamic-state-khorasan-province' },
    {
      center: 'moscow-concert-hall-attack-2024',
      depth: 2,
      expanded: ['islamic-state', 'ukraine'],
      hidden: ['russia'],
      minConfidence: 60,
      statusMode: 'hide-contested',
      types: ['ATTRIBUTED_TO', 'ACCUSED_OF'],
      knownAt: '2024-03-23',
      pathFrom: 'kabul-airport-bombing-2021',
      pathTo: 'moscow-concert-hall-attack-2024',
      map: true,
      mapView: { lat: 55.8258, lng: 37.3889, zoom: 9 },
    },
    { ...DEFAULT_STATE, center: 'a b&c=d,é', statusMode: 'only-contested', knownAt: '2024' },
  ];
  for (const s of states) {
    const q = encodeState(s);
    assert.deepEqual(decodeState(q), s, q);
    assert.deepEqual(decodeState('?' + q), s, 'with the leading ?');
  }
  assert.equal(encodeState(DEFAULT_STATE), '');
});

test('a malformed address falls back to the defaults', () => {
  const s = decodeState('c=x&d=9&min=101&st=bogus&at=2024-13-01&t=ATTRIBUTED_TO,drop%20table,&x=,a,,a');
  assert.equal(s.center, 'x');
  assert.equal(s.depth, 1);
  assert.equal(s.minConfidence, 0);
  assert.equal(s.statusMode, 'all');
  assert.equal(s.knownAt, '');
  assert.deepEqual(s.types, ['ATTRIBUTED_TO']);
  assert.deepEqual(s.expanded, ['a']);
});

test('hiding a node keeps its expansion, so the address still draws what it brought', () => {
  const s = { ...DEFAULT_STATE, center: 'c', expanded: ['a', 'b'], hidden: ['z'] };
  const h = hideNode(s, 'a');
  assert.deepEqual(h.hidden, ['z', 'a']);
  assert.deepEqual(h.expanded, ['a', 'b']);
  assert.deepEqual(hideNode(h, 'a').hidden, ['z', 'a'], 'hidden twice, listed once');
  assert.deepEqual(s.hidden, ['z'], 'the state given is not changed');
  // The address of the result reloads into the same state: the expansion is still asked for.
  assert.deepEqual(decodeState(encodeState(h)), h);
});

test('filters become the RelationshipFilter and the export link', () => {
  assert.equal(relationshipFilter(DEFAULT_STATE), null);
  const s = { ...DEFAULT_STATE, center: 'isk', minConfidence: 50, statusMode: 'hide-contested', types: ['AFFILIATE_OF'], knownAt: '2024-03' };
  assert.deepEqual(relationshipFilter(s), {
    types: ['AFFILIATE_OF'],
    statuses: ['CLAIMED', 'CONFIRMED', 'REPORTED', 'SUSPECTED'],
    minConfidence: 50,
  });
  assert.deepEqual(relationshipFilter({ ...DEFAULT_STATE, statusMode: 'only-contested' }).statuses, ['ALLEGED', 'DISPUTED', 'DENIED', 'RETRACTED']);
  const u = new URL(exportURL('graphml', 'neighborhood', s), 'http://x');
  assert.equal(u.pathname, '/export');
  assert.deepEqual(Object.fromEntries(u.searchParams), {
    format: 'graphml',
    of: 'neighborhood',
    id: 'isk',
    depth: '1',
    types: 'AFFILIATE_OF',
    statuses: 'CLAIMED,CONFIRMED,REPORTED,SUSPECTED',
    minConfidence: '50',
    knownAt: '2024-03',
  });
  const p = new URL(exportURL('csv', 'paths', { ...DEFAULT_STATE, pathFrom: 'a', pathTo: 'b' }), 'http://x');
  assert.deepEqual(Object.fromEntries(p.searchParams), { format: 'csv', of: 'paths', from: 'a', to: 'b', maxDepth: '4', first: '5' });
  assert.equal(exportFileName({ ...DEFAULT_STATE, center: 'a/b', knownAt: '2024' }, 'png'), 'neighborhood-a_b-known-2024.png');
});

test("the explorer's GraphQL documents are valid against the schema", () => {
  const schema = buildSchema(schemaText);
  const docs = Object.entries(queries).filter(([, v]) => typeof v === 'string');
  assert.ok(docs.length >= 5, `only ${docs.length} documents`);
  for (const [name, text] of docs) {
    const errors = validate(schema, parse(text));
    assert.deepEqual(errors.map((e) => e.message), [], name);
  }
  // The check is not blind: a field the schema lacks fails.
  assert.notEqual(validate(schema, parse('{ search(text: "x") { id colour } }')).length, 0);
});
