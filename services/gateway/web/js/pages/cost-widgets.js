// Pieces the dashboard, project and group pages share.
import { h } from '../dom.js';
import { money } from '../money.js';
import { splitBars, trendChart } from '../chart.js';

/** The single series of an ungrouped Analyze, one point per period (zero where none). */
export function seriesOf(res) {
  const points = new Map((res.results?.[0]?.series || []).map((p) => [p.period, p.cost]));
  return (res.periods || []).map((period) => ({ period, cost: points.get(period) || '0' }));
}

/** Label of a group key's value: names for ids, words for the empty and the rest. */
export function labeller(names = {}) {
  return (key, value) => {
    if (value === '(others)') return 'Others';
    if (!value) return key === 'project_id' ? '(no project)' : '(none)';
    return names[key]?.get(value) || value;
  };
}

export function splitRows(res, key, label, hrefOf) {
  return (res.results || []).map((g) => ({ label: label(key, g.keys?.[key]), amount: g.total, href: hrefOf ? hrefOf(g.keys?.[key]) : undefined }));
}

export function totalCard(title, amount, currency, testid, note) {
  return h(
    'section',
    { class: 'card stat' },
    h('h2', {}, title),
    h('p', { class: 'stat-value', 'data-testid': testid, dataset: { amount, currency } }, money(amount, currency)),
    note ? h('p', { class: 'muted' }, note) : null,
  );
}

export const trendSection = (title, res) => h('section', { class: 'card wide' }, h('h2', {}, title), trendChart(seriesOf(res), res.currency, { title }));

export function splitSection(title, rows, currency) {
  return h('section', { class: 'card' }, h('h2', {}, title), splitBars(rows, currency, { caption: h('span', { class: 'sr-only' }, title) }));
}

export function missingRatesNote(res) {
  if (!res.missing_rates?.length) return null;
  return h(
    'p',
    { class: 'notice', role: 'note' },
    'Some costs have no exchange rate and are left out: ',
    res.missing_rates.map((m) => `${m.amount} ${m.currency} (${m.first_date} to ${m.last_date})`).join('; '),
  );
}

/** Period chooser; changes the hash's period parameter. */
export function periodPicker(periods, chosen, onChange) {
  const sel = h('select', { id: 'period', name: 'period' }, Object.entries(periods).map(([k, p]) => h('option', { value: k, selected: k === chosen }, p.label)));
  sel.addEventListener('change', () => onChange(sel.value));
  return h('div', { class: 'toolbar-field' }, h('label', { for: 'period' }, 'Period'), sel);
}
