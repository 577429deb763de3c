// Pure functions of the explorer: how a Subgraph from /graphql becomes Cytoscape.js elements,
// how they are styled, how the chart's state lives in the address, and the export links. No
// DOM and no Cytoscape here, so that web/test/explore.test.mjs tests this very module in Node.
import { decodeView, encodeView } from './geo.js';

// How each entity kind is drawn. Shape and colour both differ, so the legend still reads in
// grey-scale print and for colour-blind readers.
export const KIND_STYLES = Object.freeze({
  ORGANIZATION: Object.freeze({ shape: 'ellipse', color: '#c0392b', label: 'Organization' }),
  COUNTRY: Object.freeze({ shape: 'hexagon', color: '#2471a3', label: 'Country' }),
  PERSON: Object.freeze({ shape: 'triangle', color: '#8e44ad', label: 'Person' }),
  PLACE: Object.freeze({ shape: 'diamond', color: '#229954', label: 'Place' }),
  INCIDENT: Object.freeze({ shape: 'star', color: '#e67e22', label: 'Incident' }),
  EVENT: Object.freeze({ shape: 'round-rectangle', color: '#b7950b', label: 'Event' }),
  SOURCE: Object.freeze({ shape: 'rectangle', color: '#707b7c', label: 'Source' }),
  GROUP: Object.freeze({ shape: 'pentagon', color: '#148f77', label: 'Group' }),
});

// A kind the explorer does not know yet (the schema grew) is still drawn, plainly.
export const UNKNOWN_KIND_STYLE = Object.freeze({ shape: 'ellipse', color: '#999999', label: 'Other' });

export function kindStyle(kind) {
  return Object.hasOwn(KIND_STYLES, kind) ? KIND_STYLES[kind] : UNKNOWN_KIND_STYLE;
}

// Statuses that are an allegation, a dispute, a denial or a retraction: the "hide allegations
// and denials" / "only them" filter.
export const CONTESTED_STATUSES = Object.freeze(['ALLEGED', 'DISPUTED', 'DENIED', 'RETRACTED']);
export const ASSERTED_STATUSES = Object.freeze(['CLAIMED', 'CONFIRMED', 'REPORTED', 'SUSPECTED']);
export const STATUS_MODES = Object.freeze(['all', 'hide-contested', 'only-contested']);

const LINE_STYLES = { SOLID: 'solid', DASHED: 'dashed', DOTTED: 'dotted' };

// lineStyle maps a GraphEdge to a Cytoscape line-style. The server's `style` decides (i2's
// convention); an edge without one (an older server) gets the same rule computed here.
export function lineStyle(edge) {
  const s = LINE_STYLES[edge.style];
  if (s) {
    return s;
  }
  if (CONTESTED_STATUSES.includes(edge.status) || !(edge.confidence >= 30)) {
    return 'dotted';
  }
  if (edge.status === 'CONFIRMED' || edge.confidence >= 70) {
    return 'solid';
  }
  return 'dashed';
}

// Confidence 0-100 drawn as width 1-5 px and opacity 0.35-1: sure links stand out, weak ones
// recede but stay visible.
export function confidenceWidth(confidence) {
  return 1 + (4 * clampConfidence(confidence)) / 100;
}

export function confidenceOpacity(confidence) {
  return Math.round((0.35 + (0.65 * clampConfidence(confidence)) / 100) * 100) / 100;
}

function clampConfidence(c) {
  const n = Number(c);
  if (!Number.isFinite(n)) {
    return 0;
  }
  return Math.min(100, Math.max(0, n));
}

// Contested links are drawn in red whatever their style, so an allegation never looks like a
// finding.
export function edgeColor(edge) {
  return CONTESTED_STATUSES.includes(edge.status) ? '#c0392b' : '#5d6d7e';
}

export function nodeElement(node) {
  const k = kindStyle(node.kind);
  return {
    group: 'nodes',
    data: { id: node.id, label: node.name, kind: node.kind, shape: k.shape, color: k.color },
  };
}

export function edgeElement(edge) {
  return {
    group: 'edges',
    data: {
      id: edge.id,
      source: edge.source,
      target: edge.target,
      type: edge.type,
      label: edge.type,
      status: edge.status,
      confidence: edge.confidence,
      style: edge.style,
      assertedBy: edge.assertedBy,
      lineStyle: lineStyle(edge),
      width: confidenceWidth(edge.confidence),
      opacity: confidenceOpacity(edge.confidence),
      color: edgeColor(edge),
    },
  };
}

// toElements turns a Subgraph (or a Path: both have nodes and edges) into elements, nodes
// first so that Cytoscape finds every edge's ends.
export function toElements(subgraph) {
  return [...(subgraph?.nodes ?? []).map(nodeElement), ...(subgraph?.edges ?? []).map(edgeElement)];
}

// mergeElements returns the elements of `incoming` that are not yet drawn (`existingIds`, a
// Set or array of element ids) nor repeated within `incoming`, nodes before edges, and edges
// only where both ends are drawn or added. Expanding a node or adding a path adds each entity
// and relationship once.
export function mergeElements(existingIds, incoming, hiddenIds = []) {
  const seen = new Set(existingIds);
  const hidden = new Set(hiddenIds);
  const nodes = [];
  const edges = [];
  for (const el of incoming) {
    const id = el.data.id;
    if (el.group !== 'nodes' || seen.has(id) || hidden.has(id)) {
      continue;
    }
    seen.add(id);
    nodes.push(el);
  }
  for (const el of incoming) {
    const { id, source, target } = el.data;
    if (el.group !== 'edges' || seen.has(id) || !seen.has(source) || !seen.has(target) || hidden.has(source) || hidden.has(target)) {
      continue;
    }
    seen.add(id);
    edges.push(el);
  }
  return [...nodes, ...edges];
}

// --- The chart's state in the address -----------------------------------------------------

export const DEFAULT_STATE = Object.freeze({
  center: '',
  depth: 1,
  expanded: Object.freeze([]),
  hidden: Object.freeze([]),
  minConfidence: 0,
  statusMode: 'all',
  types: Object.freeze([]),
  knownAt: '',
  pathFrom: '',
  pathTo: '',
  map: false,
  mapView: null,
});

// PartialDate as the API takes it: YYYY, YYYY-MM or YYYY-MM-DD.
const PARTIAL_DATE = /^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$/;
const TYPE_NAME = /^[A-Z][A-Z_]*$/;

function list(s) {
  return s ? [...new Set(s.split(',').filter((x) => x !== ''))] : [];
}

// encodeState writes the state as a query string (without "?"), leaving defaults out so that
// links stay short. Keys: c centre, d depth, x expanded, h hidden, min confidence, st status
// mode, t relationship types, at knownAt, pf/pt path from/to, m the map shown, mv its view.
export function encodeState(state) {
  const p = new URLSearchParams();
  const s = { ...DEFAULT_STATE, ...state };
  if (s.center) p.set('c', s.center);
  if (s.depth !== DEFAULT_STATE.depth) p.set('d', String(s.depth));
  if (s.expanded.length) p.set('x', s.expanded.join(','));
  if (s.hidden.length) p.set('h', s.hidden.join(','));
  if (s.minConfidence) p.set('min', String(s.minConfidence));
  if (s.statusMode !== 'all') p.set('st', s.statusMode);
  if (s.types.length) p.set('t', s.types.join(','));
  if (s.knownAt) p.set('at', s.knownAt);
  if (s.pathFrom) p.set('pf', s.pathFrom);
  if (s.pathTo) p.set('pt', s.pathTo);
  if (s.map) p.set('m', '1');
  if (s.map && s.mapView) p.set('mv', encodeView(s.mapView));
  return p.toString();
}

// decodeState reads what encodeState wrote. What is malformed (a hand-edited link) falls back
// to the default rather than reaching the API as a bad argument.
export function decodeState(search) {
  const p = new URLSearchParams(search);
  const s = { ...DEFAULT_STATE };
  s.center = p.get('c') ?? '';
  const d = Number(p.get('d'));
  if (Number.isInteger(d) && d >= 1 && d <= 3) s.depth = d;
  s.expanded = list(p.get('x'));
  s.hidden = list(p.get('h'));
  const min = Number(p.get('min'));
  if (Number.isInteger(min) && min >= 0 && min <= 100) s.minConfidence = min;
  if (STATUS_MODES.includes(p.get('st'))) s.statusMode = p.get('st');
  s.types = list(p.get('t')).filter((t) => TYPE_NAME.test(t));
  const at = p.get('at') ?? '';
  if (PARTIAL_DATE.test(at)) s.knownAt = at;
  s.pathFrom = p.get('pf') ?? '';
  s.pathTo = p.get('pt') ?? '';
  s.map = p.get('m') === '1';
  s.mapView = s.map ? decodeView(p.get('mv')) : null;
  return s;
}

// hideNode is the state with the node hidden. An expanded node stays expanded: the neighbours
// its expansion brought stay on the chart, so the address must still ask for them, or a reload
// of the shared link would draw less than the chart that was shared.
export function hideNode(state, id) {
  return { ...state, hidden: [...new Set([...state.hidden, id])] };
}

export function isPartialDate(s) {
  return PARTIAL_DATE.test(s);
}

export function statusesFor(mode) {
  switch (mode) {
    case 'hide-contested':
      return [...ASSERTED_STATUSES];
    case 'only-contested':
      return [...CONTESTED_STATUSES];
    default:
      return [];
  }
}

// relationshipFilter is the RelationshipFilter for the state's filters, or null for none.
export function relationshipFilter(state) {
  const f = {};
  if (state.types?.length) f.types = [...state.types];
  const statuses = statusesFor(state.statusMode);
  if (statuses.length) f.statuses = statuses;
  if (state.minConfidence) f.minConfidence = state.minConfidence;
  return Object.keys(f).length ? f : null;
}

// exportURL is the data-export link (GET /export) for the same subgraph as the chart: the
// neighbourhood of the centre, or the paths of the path finder.
export function exportURL(format, of, state, first = 5, maxDepth = 4) {
  const p = new URLSearchParams({ format, of });
  if (of === 'paths' || of === 'path') {
    p.set('from', state.pathFrom);
    p.set('to', state.pathTo);
    p.set('maxDepth', String(maxDepth));
    if (of === 'paths') p.set('first', String(first));
  } else {
    p.set('id', state.center);
    p.set('depth', String(state.depth ?? 1));
  }
  if (state.types?.length) p.set('types', state.types.join(','));
  const statuses = statusesFor(state.statusMode);
  if (statuses.length) p.set('statuses', statuses.join(','));
  if (state.minConfidence) p.set('minConfidence', String(state.minConfidence));
  if (state.knownAt) p.set('knownAt', state.knownAt);
  return `/export?${p}`;
}

// exportFileName names a chart image after what it shows.
export function exportFileName(state, ext) {
  const base = state.pathFrom && state.pathTo ? `paths-${state.pathFrom}-${state.pathTo}` : `neighborhood-${state.center || 'chart'}`;
  const at = state.knownAt ? `-known-${state.knownAt}` : '';
  return `${base}${at}.${ext}`.replace(/[^A-Za-z0-9._-]/g, '_');
}
