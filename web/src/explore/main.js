// The explorer: a link chart of the incident graph, served by the Go binary at /explore and
// bundled whole by Vite (nothing from a CDN). It talks only to /graphql (and links to /export),
// so it doubles as a reference frontend for the API: every request is one of the documents in
// queries.js, every Subgraph becomes Cytoscape elements through chart.js.
import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import svg from 'cytoscape-svg';
import {
  KIND_STYLES,
  decodeState,
  encodeState,
  exportFileName,
  exportURL,
  hideNode,
  isPartialDate,
  mergeElements,
  relationshipFilter,
  toElements,
} from './chart.js';
import { ENTITY, FIRST_INCIDENT, MAP_INCIDENTS, NEIGHBORHOOD, PATHS, RELATIONSHIPS, RELATIONSHIP_TYPES, SEARCH } from './queries.js';
import { el, clear, legendShape, legendLine, sourceLink } from './dom.js';
import { incidentPoints, sliderIndex, sliderMonths } from './geo.js';
import { WORLD_VIEW, createMap } from './map.js';
import './explore.css';

cytoscape.use(fcose);
cytoscape.use(svg);

const NODE_LIMIT = 200;
const PATH_MAX_DEPTH = 4;
const PATH_FIRST = 5;
// The map draws at most MAP_LIMIT incidents of those in view, read MAP_PAGE at a time (the
// API's page size); the status line says when there are more.
const MAP_PAGE = 100;
const MAP_LIMIT = 300;

// --- The API ---------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

async function gql(query, variables) {
  let res;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new ApiError(`Could not reach the API: ${err.message}`, 'NETWORK');
  }
  let body;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`The API answered HTTP ${res.status} without a JSON body.`, `HTTP_${res.status}`);
  }
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new ApiError(e.message, e.extensions?.code);
  }
  if (!res.ok) {
    throw new ApiError(`The API answered HTTP ${res.status}.`, `HTTP_${res.status}`);
  }
  return body.data;
}

// --- State -----------------------------------------------------------------------------------

const state = decodeState(location.search);
const undoStack = [];
let busy = 0;
let renders = 0;
let truncated = false;

const $ = (id) => document.getElementById(id);
const errorBox = $('error');
const statusLine = $('status');
const details = $('details');

function writeURL() {
  const q = encodeState(state);
  history.replaceState(null, '', q ? `?${q}` : location.pathname);
  updateExportLinks();
}

function showError(err) {
  const code = err.code ? ` [${err.code}]` : '';
  errorBox.textContent = `The API answered an error: ${err.message}${code}`;
  errorBox.hidden = false;
}

function clearError() {
  errorBox.hidden = true;
  errorBox.textContent = '';
}

// run does one user action: errors end up in the banner (never a blank page, never an uncaught
// rejection), and `busy`/`renders` let the browser test wait for the chart to settle.
async function run(action) {
  busy++;
  document.body.dataset.busy = 'true';
  try {
    await action();
  } catch (err) {
    showError(err instanceof ApiError ? err : new ApiError(err.message ?? String(err), 'CLIENT'));
  } finally {
    busy--;
    renders++;
    if (busy === 0) {
      delete document.body.dataset.busy;
    }
    updateStatus();
  }
}

// --- The chart -------------------------------------------------------------------------------

const cy = cytoscape({
  container: $('chart'),
  minZoom: 0.05,
  maxZoom: 4,
  boxSelectionEnabled: false,
  selectionType: 'single',
  style: [
    {
      selector: 'node',
      style: {
        shape: 'data(shape)',
        'background-color': 'data(color)',
        label: 'data(label)',
        width: 22,
        height: 22,
        'font-size': 9,
        'text-valign': 'bottom',
        'text-margin-y': 3,
        'text-wrap': 'ellipsis',
        'text-max-width': '120px',
        'min-zoomed-font-size': 5,
        color: '#1b2631',
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.6,
      },
    },
    { selector: 'node.center', style: { width: 34, height: 34, 'border-width': 3, 'border-color': '#1b2631', 'font-weight': 'bold' } },
    { selector: 'node.expanded', style: { 'border-width': 2, 'border-color': '#566573', 'border-style': 'double' } },
    {
      selector: 'edge',
      style: {
        'curve-style': 'bezier',
        'target-arrow-shape': 'triangle',
        'arrow-scale': 0.8,
        'line-style': 'data(lineStyle)',
        width: 'data(width)',
        opacity: 'data(opacity)',
        'line-color': 'data(color)',
        'target-arrow-color': 'data(color)',
        label: 'data(label)',
        'font-size': 6,
        'min-zoomed-font-size': 7,
        'text-rotation': 'autorotate',
        color: '#34495e',
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.7,
      },
    },
    { selector: '.onpath', style: { 'underlay-color': '#f4d03f', 'underlay-opacity': 0.7, 'underlay-padding': 5, opacity: 1, 'z-index': 10 } },
    { selector: '.faded', style: { opacity: 0.15 } },
    { selector: ':selected', style: { 'overlay-color': '#2e86c1', 'overlay-opacity': 0.3, 'overlay-padding': 6 } },
  ],
});

const LAYOUT = {
  name: 'fcose',
  quality: 'default',
  animate: false,
  randomize: true,
  nodeDimensionsIncludeLabels: false,
  idealEdgeLength: 90,
  nodeRepulsion: 9000,
  nodeSeparation: 80,
  packComponents: true,
  fit: true,
  padding: 30,
};

function layoutAll() {
  if (cy.nodes().length > 0) {
    cy.layout(LAYOUT).run();
  }
}

// layoutAround places the new nodes near the node (or nodes) they hang from, then lets fcose
// settle only them: every node already drawn is a fixed constraint, so it does not move at all.
function layoutAround(added, anchor) {
  const newNodes = added.nodes();
  if (newNodes.length === 0) {
    return;
  }
  const old = cy.nodes().difference(newNodes);
  newNodes.forEach((n, i) => {
    let a = anchor && anchor.length ? anchor : n.neighborhood('node').difference(newNodes);
    if (!a || a.length === 0) {
      a = old;
    }
    const c = a.length ? a.boundingBox() : { x1: 0, y1: 0, x2: 0, y2: 0 };
    const angle = (2 * Math.PI * i) / newNodes.length;
    const r = 90 + 4 * newNodes.length;
    n.position({ x: (c.x1 + c.x2) / 2 + r * Math.cos(angle), y: (c.y1 + c.y2) / 2 + r * Math.sin(angle) });
  });
  if (old.length === 0) {
    layoutAll();
    return;
  }
  cy.layout({
    ...LAYOUT,
    randomize: false,
    fit: false,
    fixedNodeConstraint: old.map((n) => ({ nodeId: n.id(), position: { ...n.position() } })),
  }).run();
}

function markClasses() {
  cy.nodes().removeClass('center expanded');
  if (state.center) {
    cy.getElementById(state.center).addClass('center');
  }
  for (const id of state.expanded) {
    cy.getElementById(id).addClass('expanded');
  }
}

async function fetchNeighborhood(id, depth) {
  const data = await gql(NEIGHBORHOOD, {
    id,
    depth,
    filter: relationshipFilter(state),
    knownAt: state.knownAt || null,
    limit: NODE_LIMIT,
  });
  return data.neighborhood;
}

async function fetchPaths() {
  const data = await gql(PATHS, {
    from: state.pathFrom,
    to: state.pathTo,
    maxDepth: PATH_MAX_DEPTH,
    first: PATH_FIRST,
    filter: relationshipFilter(state),
    knownAt: state.knownAt || null,
  });
  return data.paths;
}

let paths = [];

function highlightPaths() {
  cy.elements().removeClass('onpath faded');
  if (paths.length === 0) {
    return;
  }
  const ids = new Set(paths.flatMap((p) => [...p.nodes.map((n) => n.id), ...p.edges.map((e) => e.id)]));
  const on = cy.elements().filter((e) => ids.has(e.id()));
  on.addClass('onpath');
  cy.elements().difference(on).addClass('faded');
}

// load draws the whole chart from the state: the centre's neighbourhood, each expansion's, the
// paths asked for, less what was hidden. Used on start, on reload and when a filter changes.
async function load() {
  writeURL();
  clearError();
  const mapDone = loadMap();
  cy.elements().remove();
  paths = [];
  truncated = false;
  if (!state.center && !(state.pathFrom && state.pathTo)) {
    showDetailsHint();
    await mapDone;
    return;
  }
  const ids = state.center ? [state.center, ...state.expanded.filter((x) => x !== state.center)] : [];
  const [hoods, found] = await Promise.all([
    Promise.all(ids.map((id, i) => fetchNeighborhood(id, i === 0 ? state.depth : 1))),
    state.pathFrom && state.pathTo ? fetchPaths() : Promise.resolve([]),
  ]);
  paths = found;
  const incoming = [];
  for (const h of hoods) {
    truncated ||= h.truncated;
    incoming.push(...toElements(h));
  }
  for (const p of paths) {
    incoming.push(...toElements(p));
  }
  cy.add(mergeElements([], incoming, state.hidden));
  markClasses();
  layoutAll();
  highlightPaths();
  cy.emit('explorer:drawn');
  await mapDone;
}

function snapshot() {
  return { state: JSON.parse(JSON.stringify(state)), elements: cy.elements().jsons(), paths, truncated };
}

function pushUndo() {
  undoStack.push(snapshot());
  if (undoStack.length > 50) {
    undoStack.shift();
  }
  $('undo').disabled = false;
}

function undo() {
  const s = undoStack.pop();
  $('undo').disabled = undoStack.length === 0;
  if (!s) {
    return;
  }
  Object.assign(state, s.state);
  paths = s.paths;
  truncated = s.truncated;
  cy.elements().remove();
  cy.add(s.elements);
  markClasses();
  syncControls();
  writeURL();
  renders++;
  updateStatus();
  syncMap();
  run(loadMap);
}

async function expand(id) {
  const node = cy.getElementById(id);
  if (node.empty()) {
    return;
  }
  pushUndo();
  const h = await fetchNeighborhood(id, 1);
  truncated ||= h.truncated;
  const added = cy.add(mergeElements(cy.elements().map((e) => e.id()), toElements(h), state.hidden));
  if (!state.expanded.includes(id) && id !== state.center) {
    state.expanded = [...state.expanded, id];
  }
  layoutAround(added, node);
  markClasses();
  highlightPaths();
  writeURL();
}

function hide(id) {
  const node = cy.getElementById(id);
  if (node.empty()) {
    return;
  }
  pushUndo();
  node.remove();
  Object.assign(state, hideNode(state, id));
  writeURL();
  showDetailsHint();
  renders++;
  updateStatus();
}

async function findPaths(from, to) {
  pushUndo();
  state.pathFrom = from;
  state.pathTo = to;
  paths = await fetchPaths();
  const added = cy.add(mergeElements(cy.elements().map((e) => e.id()), paths.flatMap((p) => toElements(p)), state.hidden));
  layoutAround(added, null);
  markClasses();
  highlightPaths();
  cy.fit(cy.$('.onpath'), 40); // the paths, whole
  writeURL();
  $('path-result').textContent = paths.length
    ? `${paths.length} path${paths.length > 1 ? 's' : ''}: ${paths.map((p) => `${p.length} hop${p.length > 1 ? 's' : ''} (weakest ${p.weakestConfidence})`).join(', ')}`
    : `No path within ${PATH_MAX_DEPTH} hops with these filters.`;
}

// --- Details panel ---------------------------------------------------------------------------

let detailsToken = 0;

function showDetailsHint() {
  clear(details);
  details.append(
    el('h2', {}, 'Details'),
    el('p', {}, 'Select a node or an edge (click it, or focus the chart and use the arrow keys) to see its facts and provenance.'),
  );
}

function fact(dl, term, value) {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
    return;
  }
  dl.append(el('dt', {}, term), el('dd', {}, Array.isArray(value) ? value.join(', ') : String(value)));
}

function sourceList(sources) {
  return el(
    'ul',
    { class: 'sources' },
    ...sources.map((s) => el('li', {}, sourceLink(s), ` — ${s.publisher}, ${s.published}`)),
  );
}

async function showNode(id) {
  const token = ++detailsToken;
  const data = await gql(ENTITY, { id, knownAt: state.knownAt || null });
  if (token !== detailsToken) {
    return;
  }
  const e = data.entity;
  clear(details);
  if (!e) {
    details.append(el('p', {}, `No entity ${id}.`));
    return;
  }
  const dl = el('dl', {});
  fact(dl, 'Kind', e.kind);
  fact(dl, 'Id', e.id);
  fact(dl, 'Aliases', e.aliases);
  for (const k of ['orgType', 'gtdName', 'founded', 'dissolved', 'iso2', 'role', 'nationality', 'placeType', 'countryCode', 'eventType', 'date', 'endDate', 'outcome', 'attackTypes', 'targetTypes', 'weaponTypes', 'gtdEventId', 'publisher', 'published', 'sourceType']) {
    fact(dl, k, e[k]);
  }
  const node = cy.getElementById(id);
  details.append(
    el('h2', {}, e.name),
    el('div', { class: 'actions' },
      button('Expand', () => run(() => expand(id)), 'expand-selected'),
      button('Hide', () => hide(id), 'hide-selected'),
      button('Centre here', () => recentre(id))),
    e.description ? el('p', {}, e.description) : '',
    e.summary ? el('p', {}, e.summary) : '',
    dl,
  );
  if (e.figures?.length) {
    details.append(el('h3', {}, 'Figures (every report, oldest first)'));
    const rows = [...e.figures].sort((a, b) => a.metric.localeCompare(b.metric) || String(a.asOf).localeCompare(String(b.asOf)));
    details.append(el('table', { class: 'figures' },
      el('thead', {}, el('tr', {}, ...['Metric', 'Value', 'As of', 'Status', 'By', 'Source'].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...rows.map((f) => el('tr', {},
        el('td', {}, f.metric + (f.population ? ` (${f.population})` : '')),
        el('td', {}, `${f.qualifier === 'EXACT' ? '' : f.qualifier.toLowerCase().replace('_', ' ') + ' '}${f.value}`),
        el('td', {}, f.asOf),
        el('td', {}, `${f.status} ${f.confidence}`),
        el('td', {}, f.assertedBy.name),
        el('td', {}, ...f.sources.map(sourceLink)),
      ))),
    ));
  }
  if (e.sources?.length) {
    details.append(el('h3', {}, 'Sources of its facts'), sourceList(e.sources));
  }
  if (node.nonempty()) {
    const edges = node.connectedEdges();
    details.append(el('h3', {}, `Links on the chart (${edges.length})`), el('ul', { class: 'links' },
      ...edges.map((edge) => {
        const out = edge.source().id() === id;
        const other = out ? edge.target() : edge.source();
        return el('li', {}, button(`${out ? '→' : '←'} ${edge.data('type')} ${other.data('label')} (${edge.data('status')} ${edge.data('confidence')})`, () => selectElement(edge)));
      })));
  }
}

async function showEdge(edge) {
  const token = ++detailsToken;
  const d = edge.data();
  const data = await gql(RELATIONSHIPS, { id: d.source, types: [d.type], knownAt: state.knownAt || null });
  if (token !== detailsToken) {
    return;
  }
  const r = data.entity?.relationships.find((x) => x.id === d.id);
  clear(details);
  details.append(el('h2', {}, d.type), el('p', {}, `${edge.source().data('label')} → ${edge.target().data('label')}`));
  const dl = el('dl', {});
  fact(dl, 'Status', d.status);
  fact(dl, 'Confidence', r ? `${r.confidence} (${r.confidenceLevel})` : d.confidence);
  fact(dl, 'Asserted by', r ? r.assertedBy.name : d.assertedBy);
  if (r) {
    fact(dl, 'Asserted on', r.assertedOn);
    fact(dl, 'Valid from', r.validFrom);
    fact(dl, 'Valid to', r.validTo);
    fact(dl, 'Basis', r.basis);
    fact(dl, 'Note', r.note);
  }
  fact(dl, 'Id', d.id);
  details.append(dl);
  if (r?.quote) {
    details.append(el('blockquote', {}, r.quote));
  }
  if (r) {
    details.append(el('h3', {}, `Sources (${r.sources.length})`), sourceList(r.sources));
  }
}

function selectElement(ele) {
  cy.elements().unselect();
  ele.select();
}

// mapSelecting is set while a selection made on the map is copied to the chart: the chart's
// select events then neither open each node's details nor echo back to the map.
let mapSelecting = false;
cy.on('select', 'node', (evt) => {
  if (!mapSelecting) run(() => showNode(evt.target.id()));
});
cy.on('select', 'edge', (evt) => run(() => showEdge(evt.target)));
cy.on('select unselect', () => {
  if (!mapSelecting && mapHandle) mapHandle.select(cy.nodes(':selected').map((n) => n.id()));
});

function recentre(id) {
  pushUndo();
  state.center = id;
  state.expanded = [];
  state.hidden = state.hidden.filter((x) => x !== id);
  run(load);
}

// --- Keyboard on the chart -------------------------------------------------------------------

$('chart').addEventListener('keydown', (ev) => {
  const nodes = cy.nodes().sort((a, b) => a.data('label').localeCompare(b.data('label')));
  const sel = cy.$(':selected');
  const cur = sel.nodes().length ? nodes.indexOf(sel.nodes()[0]) : -1;
  const move = (delta) => {
    if (nodes.length) {
      const n = nodes[(cur + delta + nodes.length) % nodes.length];
      selectElement(n);
      cy.center(n);
    }
  };
  switch (ev.key) {
    case 'ArrowRight':
    case 'ArrowDown':
      move(1);
      break;
    case 'ArrowLeft':
    case 'ArrowUp':
      move(cur < 0 ? 0 : -1);
      break;
    case 'Enter':
    case 'e':
      if (sel.nodes().length) run(() => expand(sel.nodes()[0].id()));
      break;
    case 'Delete':
    case 'h':
      if (sel.nodes().length) hide(sel.nodes()[0].id());
      break;
    case 'u':
      undo();
      break;
    case 'f':
      cy.fit(undefined, 30);
      break;
    case 'Escape':
      cy.elements().unselect();
      break;
    default:
      return;
  }
  ev.preventDefault();
});

document.addEventListener('keydown', (ev) => {
  if ((ev.ctrlKey || ev.metaKey) && ev.key === 'z' && !(ev.target instanceof HTMLInputElement)) {
    ev.preventDefault();
    undo();
  }
});

// --- Search boxes ----------------------------------------------------------------------------

// combobox wires a text input to a listbox of search results (alias matching as you type):
// arrows move, Enter or a click picks, Escape closes. Answers that arrive out of order are
// dropped.
function combobox(input, list, onPick) {
  let seq = 0;
  let results = [];
  let active = -1;
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const pick = (i) => {
    const r = results[i];
    if (!r) return;
    input.value = r.name;
    input.dataset.id = r.id;
    close();
    onPick(r);
  };
  const render = () => {
    clear(list);
    const text = input.value.trim().toLowerCase();
    results.forEach((r, i) => {
      const alias = r.aliases.find((a) => a.toLowerCase().includes(text) && a !== r.name);
      const li = el('li', { id: `${list.id}-${i}`, role: 'option', 'aria-selected': String(i === active), 'data-id': r.id },
        el('span', { class: `swatch kind-${r.kind.toLowerCase()}` }, legendShape(r.kind)),
        el('span', { class: 'name' }, r.name),
        alias ? el('span', { class: 'alias' }, ` “${alias}”`) : '',
        el('span', { class: 'kind' }, ` ${r.kind.toLowerCase()}`));
      li.addEventListener('mousedown', (ev) => {
        ev.preventDefault(); // keep the focus in the input
        pick(i);
      });
      list.append(li);
    });
    if (results.length === 0) {
      list.append(el('li', { class: 'none' }, 'No match'));
    }
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    if (active >= 0) input.setAttribute('aria-activedescendant', `${list.id}-${active}`);
  };
  input.addEventListener('input', () => {
    delete input.dataset.id;
    const text = input.value.trim();
    const mine = ++seq;
    if (text === '') {
      results = [];
      close();
      return;
    }
    run(async () => {
      const data = await gql(SEARCH, { text, first: 10 });
      if (mine !== seq) return;
      results = data.search;
      active = results.length ? 0 : -1;
      clearError();
      render();
    });
  });
  input.addEventListener('keydown', (ev) => {
    if (list.hidden && ev.key !== 'ArrowDown') {
      return;
    }
    switch (ev.key) {
      case 'ArrowDown':
        active = Math.min(results.length - 1, active + 1);
        render();
        break;
      case 'ArrowUp':
        active = Math.max(0, active - 1);
        render();
        break;
      case 'Enter':
        pick(active);
        break;
      case 'Escape':
        close();
        break;
      default:
        return;
    }
    ev.preventDefault();
  });
  input.addEventListener('blur', close);
}

combobox($('search'), $('search-results'), (r) => {
  pushUndo();
  state.center = r.id;
  state.expanded = [];
  state.hidden = [];
  state.pathFrom = '';
  state.pathTo = '';
  $('path-result').textContent = '';
  run(load);
});
combobox($('path-from'), $('path-from-results'), () => {});
combobox($('path-to'), $('path-to-results'), () => {});

$('path-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const from = $('path-from').dataset.id;
  const to = $('path-to').dataset.id;
  if (!from || !to) {
    showError(new ApiError('Pick both ends of the path from the search results.', 'CLIENT'));
    return;
  }
  run(() => findPaths(from, to));
});
$('path-clear').addEventListener('click', () => {
  pushUndo();
  state.pathFrom = '';
  state.pathTo = '';
  paths = [];
  $('path-result').textContent = '';
  highlightPaths();
  writeURL();
});

// --- Filters and the date --------------------------------------------------------------------

function syncControls() {
  syncSlider();
  $('min-confidence').value = String(state.minConfidence);
  $('min-confidence-value').textContent = String(state.minConfidence);
  $('status-mode').value = state.statusMode;
  $('depth').value = String(state.depth);
  $('known-at').value = state.knownAt;
  for (const o of $('types').options) {
    o.selected = state.types.includes(o.value);
  }
}

function refilter(change) {
  pushUndo();
  change();
  syncSlider();
  run(load);
}

$('min-confidence').addEventListener('input', () => {
  $('min-confidence-value').textContent = $('min-confidence').value;
});
$('min-confidence').addEventListener('change', () => refilter(() => {
  state.minConfidence = Number($('min-confidence').value);
}));
$('status-mode').addEventListener('change', () => refilter(() => {
  state.statusMode = $('status-mode').value;
}));
$('depth').addEventListener('change', () => refilter(() => {
  state.depth = Number($('depth').value);
}));
$('types').addEventListener('change', () => refilter(() => {
  state.types = [...$('types').selectedOptions].map((o) => o.value);
}));
$('date-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const v = $('known-at').value.trim();
  if (v !== '' && !isPartialDate(v)) {
    showError(new ApiError(`"${v}" is not a date: write YYYY, YYYY-MM or YYYY-MM-DD.`, 'CLIENT'));
    return;
  }
  refilter(() => {
    state.knownAt = v;
  });
});
$('undo').addEventListener('click', undo);
$('fit').addEventListener('click', () => cy.fit(undefined, 30));

// --- The map and the time slider -------------------------------------------------------------

// The map is made the first time it is shown (Leaflet measures its container then).
let mapHandle = null;
let mapInfo = { total: 0 };
let mapSeq = 0;
// mapAsked is the view and date of the incidents drawn: a chart reload that changes neither
// (a filter, an expansion) does not ask for them again.
let mapAsked = '';

// loadMap asks the API for the incidents in view up to the state's date and draws them. An
// answer overtaken by a later move or date is dropped.
async function loadMap() {
  if (!state.map || !mapHandle) {
    return;
  }
  const within = mapHandle.box();
  const to = state.knownAt || null;
  const asked = JSON.stringify({ within, to });
  if (asked === mapAsked) {
    mapHandle.select(cy.nodes(':selected').map((n) => n.id()));
    return;
  }
  const mine = ++mapSeq;
  const incidents = [];
  let total = 0;
  let after = null;
  do {
    const data = await gql(MAP_INCIDENTS, { within, to, first: MAP_PAGE, after });
    if (mine !== mapSeq) {
      return;
    }
    const page = data.incidents;
    total = page.totalCount;
    for (const n of page.nodes) {
      incidents.push({ id: n.id, name: n.name, date: n.date, points: incidentPoints(n) });
    }
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after && incidents.length < MAP_LIMIT);
  mapInfo = { total };
  mapAsked = asked;
  // The API placed every incident it returned; one this page cannot place is a fault to see.
  const unplaced = incidents.filter((i) => i.points.length === 0);
  if (unplaced.length) {
    showError(new ApiError(`The map cannot place ${unplaced.map((i) => i.id).join(', ')}.`, 'CLIENT'));
  }
  mapHandle.draw(incidents.filter((i) => i.points.length > 0));
  mapHandle.select(cy.nodes(':selected').map((n) => n.id()));
}

// syncMap shows or hides the map as the state says, at the state's view.
function syncMap() {
  $('map').hidden = !state.map;
  $('views').classList.toggle('with-map', state.map);
  $('toggle-map').setAttribute('aria-pressed', String(state.map));
  cy.resize();
  if (!state.map) {
    return;
  }
  const view = state.mapView ?? WORLD_VIEW;
  if (!mapHandle) {
    mapHandle = createMap($('map'), view, { onSelect: onMapSelect, onView: onMapView });
    return;
  }
  mapHandle.resize();
  const cur = mapHandle.view();
  if (Math.abs(cur.lat - view.lat) > 1e-4 || Math.abs(cur.lng - view.lng) > 1e-4 || cur.zoom !== view.zoom) {
    mapHandle.setView(view);
  }
}

function onMapView(view) {
  state.mapView = view;
  writeURL();
  run(loadMap);
}

// onMapSelect copies a selection made on the map (one incident clicked, or those in a box) to
// the chart, where the same incidents are drawn, and shows it in the details panel.
function onMapSelect(ids, box) {
  const want = new Set(ids);
  mapSelecting = true;
  try {
    cy.elements().unselect();
    cy.nodes().filter((n) => want.has(n.id())).select();
  } finally {
    mapSelecting = false;
  }
  mapHandle.select(ids);
  if (box) {
    run(async () => showBox(ids, box));
  } else if (ids.length === 1) {
    run(() => showNode(ids[0]));
  } else {
    showDetailsHint();
  }
}

function showBox(ids, box) {
  ++detailsToken;
  clear(details);
  const f = (x) => x.toFixed(2);
  const byId = new Map(mapHandle.drawn.map((i) => [i.id, i]));
  details.append(
    el('h2', {}, `${ids.length} incident${ids.length === 1 ? '' : 's'} in the box`),
    el('p', {}, `Latitude ${f(box.south)} to ${f(box.north)}, longitude ${f(box.west)} to ${f(box.east)}${state.knownAt ? `, up to ${state.knownAt}` : ''}. Those on the chart are selected there too.`),
    el('ul', { class: 'links' }, ...ids.map((id) => {
      const inc = byId.get(id);
      return el('li', {}, button(`${inc.name} (${inc.date})`, () => onMapSelect([id], null)));
    })),
  );
}

$('toggle-map').addEventListener('click', () => {
  pushUndo();
  state.map = !state.map;
  syncMap();
  if (state.map) {
    cy.fit(undefined, 30);
  }
  writeURL();
  run(loadMap);
});

// The slider steps through the months from the year of the oldest incident to this one; past
// the last month is today (no date). It sets the same date as "Known at": the chart shows the
// graph as known then, the map the incidents up to then.
let months = [];
const slider = $('time-slider');

function dateLabel(date) {
  return date ? `${date} (as known then)` : 'today';
}

function syncSlider() {
  const i = sliderIndex(months, state.knownAt);
  slider.max = String(months.length);
  slider.value = String(i);
  slider.setAttribute('aria-valuetext', state.knownAt || 'today');
  $('time-value').textContent = dateLabel(state.knownAt);
}

async function loadSlider() {
  const data = await gql(FIRST_INCIDENT, {});
  const first = data.incidents.nodes[0]?.date;
  const now = new Date();
  months = first ? sliderMonths(first, `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`) : [];
  syncSlider();
}

slider.addEventListener('input', () => {
  $('time-value').textContent = dateLabel(months[Number(slider.value)]);
});
slider.addEventListener('change', () => refilter(() => {
  const i = Number(slider.value);
  state.knownAt = i < months.length ? months[i] : '';
  syncControls();
}));

// --- Exports ---------------------------------------------------------------------------------

const explorer = { cy, state, lastExport: null };

function download(blob, name) {
  explorer.lastExport = { name, type: blob.type, size: blob.size, blob };
  const a = el('a', { href: URL.createObjectURL(blob), download: name, hidden: '' });
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy once started; free the URL on the next change of chart.
  cy.one('add remove', () => URL.revokeObjectURL(a.href));
}

$('export-png').addEventListener('click', () => run(async () => {
  const blob = await cy.png({ output: 'blob-promise', full: true, scale: 2, bg: '#ffffff' });
  download(blob, exportFileName(state, 'png'));
}));
$('export-svg').addEventListener('click', () => run(async () => {
  const text = cy.svg({ full: true, scale: 1, bg: '#ffffff' });
  download(new Blob([text], { type: 'image/svg+xml' }), exportFileName(state, 'svg'));
}));

function updateExportLinks() {
  const box = $('data-exports');
  clear(box);
  const of = state.pathFrom && state.pathTo ? 'paths' : 'neighborhood';
  if (of === 'neighborhood' && !state.center) {
    box.append(el('span', {}, 'Pick an entity first.'));
    return;
  }
  for (const [format, label] of [['cytoscape', 'Cytoscape JSON'], ['graphml', 'GraphML'], ['gexf', 'GEXF'], ['csv', 'CSV (zip)']]) {
    box.append(el('a', { href: exportURL(format, of, state, PATH_FIRST, PATH_MAX_DEPTH), download: '', class: 'export-link', 'data-format': format }, label), ' ');
  }
  box.append(el('small', {}, of === 'paths' ? ' (the paths found)' : ' (the centre\'s neighbourhood, without expansions)'));
}

// --- Status, legend, start -------------------------------------------------------------------

function updateStatus() {
  const parts = [`${cy.nodes().length} nodes, ${cy.edges().length} edges`];
  if (state.knownAt) parts.push(`as known on ${state.knownAt}`);
  if (truncated) parts.push(`truncated at ${NODE_LIMIT} nodes: filter or expand to see more`);
  if (state.map && mapHandle) {
    const n = mapHandle.drawn.length;
    parts.push(`map: ${n} incident${n === 1 ? '' : 's'} in view${mapInfo.total > n ? ` of ${mapInfo.total}: zoom in or move the date back to see the rest` : ''}`);
  }
  if (busy) parts.push('loading…');
  statusLine.textContent = parts.join(' · ');
}

function button(label, onClick, id) {
  const b = el('button', { type: 'button', ...(id ? { id } : {}) }, label);
  b.addEventListener('click', onClick);
  return b;
}

function drawLegend() {
  const box = $('legend');
  for (const [kind, s] of Object.entries(KIND_STYLES)) {
    box.append(el('li', {}, legendShape(kind), ` ${s.label}`));
  }
  for (const [style, text] of [['solid', 'confirmed or sure (≥ 70)'], ['dashed', 'tentative (30–69)'], ['dotted', 'unconfirmed, alleged, denied']]) {
    box.append(el('li', {}, legendLine(style, '#5d6d7e'), ` ${text}`));
  }
  box.append(el('li', {}, legendLine('solid', '#c0392b'), ' allegation, dispute, denial'));
}

async function loadTypes() {
  const data = await gql(RELATIONSHIP_TYPES, {});
  const select = $('types');
  for (const t of data.relationshipTypes) {
    select.append(el('option', { value: t.type, title: t.description }, t.type));
  }
  syncControls();
}

window.addEventListener('popstate', () => {
  Object.assign(state, decodeState(location.search));
  syncControls();
  syncMap();
  run(load);
});

// For the browser test and for curious developers: the Cytoscape instance and the state.
Object.defineProperties(explorer, {
  busy: { get: () => busy },
  renders: { get: () => renders },
  paths: { get: () => paths },
  map: { get: () => mapHandle },
  mapInfo: { get: () => mapInfo },
  sliderMonths: { get: () => months },
});
window.__explorer = explorer;

drawLegend();
syncControls();
showDetailsHint();
updateExportLinks();
syncMap();
run(loadTypes);
run(loadSlider);
run(load);
