// The explorer's map: Leaflet with Natural Earth's country outlines (1:110m, public domain, from
// the world-atlas package) bundled in, so it draws offline, with no tile server and nothing
// from a CDN. It draws the incidents main.js gives it at their points (geo.js says where),
// styled by precision, and reports clicks, Shift+drag boxes and moves back to main.js, which
// owns the state and talks to the API.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { feature } from 'topojson-client';
import world from 'world-atlas/countries-110m.json';
import countryCodes from 'i18n-iso-countries';
import { PRECISION_STYLES, boxFromBounds, outlinesOnOneSide, precisionClass, precisionStyle, selectInBox } from './geo.js';
import { el } from './dom.js';

const INCIDENT_COLOR = '#e67e22';
const SELECTED_COLOR = '#1f618d';

// The world as a whole when the address names no view.
export const WORLD_VIEW = Object.freeze({ lat: 30, lng: 20, zoom: 2 });

// countryLayer is the Natural Earth outlines, each path marked with its ISO 3166-1 alpha-2 code
// and name (data-iso2, data-name) once drawn. world-atlas names countries by their numeric
// code; a few territories without one (Kosovo, Northern Cyprus) have no alpha-2 and get none.
function countryLayer() {
  const countries = outlinesOnOneSide(feature(world, world.objects.countries));
  return L.geoJSON(countries, {
    interactive: true,
    bubblingMouseEvents: true,
    style: { color: '#95a5a6', weight: 0.7, fillColor: '#eaeded', fillOpacity: 1, className: 'country' },
    onEachFeature(f, layer) {
      const iso2 = f.id ? countryCodes.numericToAlpha2(f.id) : undefined;
      layer.on('add', () => {
        const path = layer.getElement();
        if (path) {
          path.dataset.name = f.properties.name;
          if (iso2) path.dataset.iso2 = iso2;
        }
      });
      layer.bindTooltip(f.properties.name, { sticky: true, direction: 'top', opacity: 0.8 });
    },
  });
}

// BoxSelect is a Leaflet handler: Shift+drag draws a box, and on release the incidents with a
// point in it (the rule of the API's `within`) are selected. Leaflet's own Shift+drag zooms
// (boxZoom), which the map turns off; the map's dragging already ignores a Shift+drag.
const BoxSelect = L.Handler.extend({
  initialize(map) {
    this._map = map;
  },
  addHooks() {
    L.DomEvent.on(this._map.getContainer(), 'mousedown', this._down, this);
  },
  removeHooks() {
    L.DomEvent.off(this._map.getContainer(), 'mousedown', this._down, this);
    this._finish();
  },
  _down(e) {
    if (!e.shiftKey || e.button !== 0) {
      return;
    }
    L.DomEvent.stop(e);
    this._start = this._map.mouseEventToContainerPoint(e);
    this._box = L.DomUtil.create('div', 'select-box', this._map.getContainer());
    this._place(this._start);
    L.DomEvent.on(document, { mousemove: this._move, mouseup: this._up }, this);
  },
  _move(e) {
    this._place(this._map.mouseEventToContainerPoint(e));
  },
  _place(p) {
    const a = this._start;
    L.DomUtil.setPosition(this._box, L.point(Math.min(a.x, p.x), Math.min(a.y, p.y)));
    this._box.style.width = `${Math.abs(p.x - a.x)}px`;
    this._box.style.height = `${Math.abs(p.y - a.y)}px`;
  },
  _up(e) {
    const a = this._start;
    const b = this._map.mouseEventToContainerPoint(e);
    this._finish();
    if (Math.abs(a.x - b.x) < 4 || Math.abs(a.y - b.y) < 4) {
      return; // a click, not a box
    }
    // The release is followed by a click on the map, which must not clear the box's
    // selection: moved() says so until the click has been handled (as Leaflet's boxZoom does).
    this._moved = true;
    setTimeout(() => {
      this._moved = false;
    }, 0);
    const sw = this._map.containerPointToLatLng(L.point(Math.min(a.x, b.x), Math.max(a.y, b.y)));
    const ne = this._map.containerPointToLatLng(L.point(Math.max(a.x, b.x), Math.min(a.y, b.y)));
    this._map.fire('boxselect', { box: boxFromBounds(sw.lat, sw.lng, ne.lat, ne.lng) });
  },
  moved() {
    return Boolean(this._moved);
  },
  _finish() {
    L.DomEvent.off(document, { mousemove: this._move, mouseup: this._up }, this);
    this._box?.remove();
    this._box = null;
  },
});

// createMap draws the map in container at view ({lat, lng, zoom}) and calls back:
// onSelect(ids, box) when incidents are clicked (box null) or boxed, onView(view) after every
// move or zoom. It returns the map's handle for main.js.
export function createMap(container, view, { onSelect, onView }) {
  const map = L.map(container, {
    center: [view.lat, view.lng],
    zoom: view.zoom,
    minZoom: 1,
    maxZoom: 12,
    zoomSnap: 1,
    boxZoom: false,
    worldCopyJump: false,
    maxBounds: [[-90, -540], [90, 540]],
    keyboardPanDelta: 120,
  });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution('Country outlines: Natural Earth (public domain)');
  countryLayer().addTo(map);
  map.addHandler('boxSelect', BoxSelect);
  map.boxSelect.enable();
  legend().addTo(map);

  const markers = L.layerGroup().addTo(map);
  let drawn = []; // [{id, name, date, points}]
  let selected = new Set();
  let firstDrawMs = null;

  const styleOf = (inc) => {
    const s = precisionStyle(inc.points[0].precision);
    const on = selected.has(inc.id);
    return {
      radius: s.radius,
      weight: on ? s.weight + 1.5 : s.weight,
      dashArray: s.dashArray,
      color: on ? SELECTED_COLOR : '#7e5109',
      fillColor: on ? SELECTED_COLOR : INCIDENT_COLOR,
      fillOpacity: s.fillOpacity,
    };
  };

  function draw(incidents) {
    markers.clearLayers();
    drawn = incidents;
    for (const inc of incidents) {
      const p = inc.points[0];
      // bubblingMouseEvents off: a click on an incident is not also a click on the map (which
      // clears the selection).
      const m = L.circleMarker([p.lat, p.lng], { ...styleOf(inc), bubblingMouseEvents: false, className: `incident precision-${precisionClass(p.precision)}` });
      m.bindTooltip(`${inc.name} (${inc.date})`, { direction: 'top' });
      m.on('click', () => onSelect([inc.id], null));
      m.on('add', () => {
        const path = m.getElement();
        path.dataset.id = inc.id;
        path.dataset.precision = String(p.precision ?? '');
        path.classList.toggle('selected', selected.has(inc.id));
      });
      m.incident = inc;
      markers.addLayer(m);
    }
    if (firstDrawMs === null) {
      firstDrawMs = performance.now();
      performance.mark('explorer-map-first-draw');
    }
  }

  function select(ids) {
    selected = new Set(ids);
    markers.eachLayer((m) => {
      const inc = m.incident;
      m.setStyle(styleOf(inc));
      m.getElement()?.classList.toggle('selected', selected.has(inc.id));
      if (selected.has(inc.id)) m.bringToFront();
    });
  }

  map.on('boxselect', (e) => onSelect(selectInBox(drawn, e.box), e.box));
  map.on('click', () => {
    if (!map.boxSelect.moved()) onSelect([], null);
  });
  map.on('moveend', () => {
    const c = map.getCenter();
    onView({ lat: c.lat, lng: c.lng, zoom: map.getZoom() });
  });

  return {
    leaflet: map,
    draw,
    select,
    // box is the part of the world in view, as the API's GeoBox.
    box() {
      const b = map.getBounds();
      return boxFromBounds(b.getSouth(), b.getWest(), b.getNorth(), b.getEast());
    },
    view() {
      const c = map.getCenter();
      return { lat: c.lat, lng: c.lng, zoom: map.getZoom() };
    },
    setView(v) {
      map.setView([v.lat, v.lng], v.zoom, { animate: false });
    },
    resize() {
      map.invalidateSize({ animate: false });
    },
    get drawn() {
      return drawn;
    },
    get selected() {
      return [...selected];
    },
    get firstDrawMs() {
      return firstDrawMs;
    },
  };
}

// legend says what the markers' sizes and strokes mean.
function legend() {
  const control = L.control({ position: 'bottomleft' });
  control.onAdd = () => {
    const box = el('div', { class: 'map-legend', 'aria-label': 'Map legend' }, el('strong', {}, 'Incident located at'));
    for (const [cls, s] of Object.entries(PRECISION_STYLES)) {
      const size = 2 * s.radius + 4;
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.setAttribute('width', String(size));
      svg.setAttribute('height', String(size));
      svg.setAttribute('class', `swatch precision-${cls}`);
      const c = document.createElementNS('http://www.w3.org/2000/svg', 'circle');
      for (const [k, v] of Object.entries({ cx: size / 2, cy: size / 2, r: s.radius, stroke: '#7e5109', 'stroke-width': s.weight, fill: INCIDENT_COLOR, 'fill-opacity': s.fillOpacity })) {
        c.setAttribute(k, String(v));
      }
      if (s.dashArray) c.setAttribute('stroke-dasharray', s.dashArray);
      svg.append(c);
      box.append(el('div', {}, svg, ` ${s.label}`));
    }
    box.append(el('small', {}, 'Shift+drag selects a box; the slider below sets the date.'));
    return box;
  };
  return control;
}
