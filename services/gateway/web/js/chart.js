// Bar charts drawn as inline SVG. Bar lengths use floats for display only; labels keep the exact strings.
import { h } from './dom.js';
import { money, ratio } from './money.js';
import { periodLabel } from './dates.js';

const NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** Vertical bars, one per period: points = [{period, cost}]. */
export function trendChart(points, currency, { title = 'Cost by period' } = {}) {
  if (!points.length) return h('p', { class: 'muted' }, 'No periods in this range.');
  const W = 720;
  const H = 240;
  const pad = { l: 8, r: 8, t: 24, b: 36 };
  const max = points.reduce((m, p) => Math.max(m, Number(p.cost)), 0);
  const slot = (W - pad.l - pad.r) / points.length;
  const bw = Math.max(2, slot * 0.7);
  const plotH = H - pad.t - pad.b;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title });
  svg.append(s('title', {}, title));
  svg.append(s('line', { x1: pad.l, x2: W - pad.r, y1: H - pad.b, y2: H - pad.b, class: 'axis' }));
  const every = Math.ceil(points.length / 12);
  points.forEach((p, i) => {
    const bh = ratio(p.cost, max) * plotH;
    const x = pad.l + i * slot + (slot - bw) / 2;
    const bar = s('rect', { x, y: H - pad.b - bh, width: bw, height: Math.max(bh, 0.5), class: 'bar', rx: 2 });
    bar.append(s('title', {}, `${periodLabel(p.period)}: ${money(p.cost, currency)}`));
    svg.append(bar);
    if (i % every === 0) svg.append(s('text', { x: x + bw / 2, y: H - pad.b + 16, class: (i / every) % 3 ? 'tick tick-minor' : 'tick', 'text-anchor': 'middle' }, periodLabel(p.period)));
  });
  if (max > 0) svg.append(s('text', { x: pad.l, y: 14, class: 'tick' }, `max ${money(String(max), currency)}`));
  else svg.append(s('text', { x: W / 2, y: H / 2, class: 'chart-empty', 'text-anchor': 'middle' }, 'No costs in this period'));
  return h('figure', { class: 'chart-wrap' }, svg, h('figcaption', { class: 'sr-only' }, title));
}

/** Horizontal bars with labels: rows = [{label, amount, href?}], the split of a total. */
export function splitBars(rows, currency, { caption, emptyText = 'No costs in this period.' } = {}) {
  if (!rows.length) return h('p', { class: 'muted' }, emptyText);
  const max = rows.reduce((m, r) => Math.max(m, Number(r.amount)), 0);
  return h(
    'table',
    { class: 'split' },
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col', class: 'num' }, 'Cost'), h('th', { scope: 'col', class: 'bar-col' }, h('span', { class: 'sr-only' }, 'Share')))),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, r.href ? h('a', { href: r.href }, r.label) : r.label),
          h('td', { class: 'num', dataset: { amount: r.amount } }, money(r.amount, currency)),
          h('td', { class: 'bar-col', 'aria-hidden': 'true' }, h('span', { class: 'hbar', style: { width: `${(ratio(r.amount, max) * 100).toFixed(1)}%` } })),
        ),
      ),
    ),
  );
}
