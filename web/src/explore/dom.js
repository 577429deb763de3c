// Small DOM helpers. Text goes in as text nodes, never as HTML: names, quotes and titles come
// from sources and are not markup.
import { kindStyle } from './chart.js';

const SVG = 'http://www.w3.org/2000/svg';

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c !== '' && c !== null && c !== undefined) {
      e.append(c);
    }
  }
  return e;
}

export function clear(e) {
  while (e.firstChild) {
    e.firstChild.remove();
  }
}

function svgEl(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    e.setAttribute(k, String(v));
  }
  return e;
}

function polygon(n, r, rotation, inner) {
  const pts = [];
  const steps = inner ? n * 2 : n;
  for (let i = 0; i < steps; i++) {
    const rr = inner && i % 2 ? inner : r;
    const a = rotation + (2 * Math.PI * i) / steps;
    pts.push(`${(8 + rr * Math.cos(a)).toFixed(2)},${(8 + rr * Math.sin(a)).toFixed(2)}`);
  }
  return pts.join(' ');
}

const UP = -Math.PI / 2;

// legendShape draws a kind's node shape and colour as a 16 px inline SVG, like the chart does.
export function legendShape(kind) {
  const { shape, color } = kindStyle(kind);
  const s = svgEl('svg', { width: 16, height: 16, viewBox: '0 0 16 16', 'aria-hidden': 'true', class: 'legend-shape' });
  const fill = { fill: color };
  switch (shape) {
    case 'hexagon':
      s.append(svgEl('polygon', { points: polygon(6, 7, 0), ...fill }));
      break;
    case 'triangle':
      s.append(svgEl('polygon', { points: polygon(3, 7.5, UP), ...fill }));
      break;
    case 'diamond':
      s.append(svgEl('polygon', { points: polygon(4, 7.5, UP), ...fill }));
      break;
    case 'star':
      s.append(svgEl('polygon', { points: polygon(5, 7.5, UP, 3.2), ...fill }));
      break;
    case 'pentagon':
      s.append(svgEl('polygon', { points: polygon(5, 7.5, UP), ...fill }));
      break;
    case 'round-rectangle':
      s.append(svgEl('rect', { x: 1.5, y: 3, width: 13, height: 10, rx: 3, ...fill }));
      break;
    case 'rectangle':
      s.append(svgEl('rect', { x: 1.5, y: 3, width: 13, height: 10, ...fill }));
      break;
    default:
      s.append(svgEl('circle', { cx: 8, cy: 8, r: 7, ...fill }));
  }
  return s;
}

const DASHES = { solid: '', dashed: '6 3', dotted: '1.5 2.5' };

export function legendLine(style, color) {
  const s = svgEl('svg', { width: 28, height: 10, viewBox: '0 0 28 10', 'aria-hidden': 'true', class: 'legend-line' });
  const line = svgEl('line', { x1: 1, y1: 5, x2: 27, y2: 5, stroke: color, 'stroke-width': 2 });
  if (DASHES[style]) {
    line.setAttribute('stroke-dasharray', DASHES[style]);
  }
  s.append(line);
  return s;
}

// sourceLink is a source's title, a link to its URL where it has a web one (http or https only:
// a javascript: URL in the data must not become a link).
export function sourceLink(source) {
  let url = null;
  try {
    const u = new URL(source.url);
    if (u.protocol === 'https:' || u.protocol === 'http:') {
      url = u.href;
    }
  } catch {
    // no URL, or not one
  }
  const title = source.title || source.id;
  return url ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'source-link' }, title) : el('span', { class: 'source-title' }, title);
}
