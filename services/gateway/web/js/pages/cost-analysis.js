import { field, h, replace } from '../dom.js';
import { monthStart, periodLabel, today } from '../dates.js';
import * as data from '../data.js';
import { money } from '../money.js';
import { trendChart } from '../chart.js';
import { download, toCsv } from '../csv.js';
import { empty, failure, loading } from '../states.js';
import { labeller, missingRatesNote, seriesOf } from './cost-widgets.js';

const GROUP_KEYS = [
  ['', 'Nothing (total)'],
  ['project_id', 'Project'],
  ['project_group_id', 'Project group'],
  ['service_account_id', 'Service account'],
  ['provider', 'Provider'],
  ['product', 'Service'],
  ['region', 'Region'],
  ['usage_type', 'Usage type'],
  ['tags', 'Tag…'],
];
const GRANULARITIES = [
  ['GRANULARITY_MONTHLY', 'Monthly'],
  ['GRANULARITY_DAILY', 'Daily'],
  ['GRANULARITY_ACCUMULATED', 'Accumulated'],
];
const OPERATORS = [
  ['eq', 'is'],
  ['not', 'is not'],
  ['contain', 'contains'],
  ['in', 'is one of (comma-separated)'],
];

const select = (name, options, value) => h('select', { name }, options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));

/**
 * The table as shown: one row per group, a column per period (none when accumulated) and the
 * total, and a footer of totals when grouped. The CSV is made from these very rows; amounts are
 * the API's exact strings, periods its keys.
 */
function tableRows(res, key, label) {
  const accumulated = res.granularity === 'GRANULARITY_ACCUMULATED';
  const periods = accumulated ? [] : res.periods || [];
  const keyLabel = key ? (GROUP_KEYS.find(([k]) => k === key)?.[1] ?? key) : 'Group';
  const header = [keyLabel, ...periods, `Total (${res.currency})`];
  const row = (name, series, total) => {
    const byPeriod = new Map((series || []).map((p) => [p.period, p.cost]));
    return [name, ...periods.map((p) => byPeriod.get(p) || '0'), total];
  };
  const body = (res.results || []).map((g) => row(key ? label(key, g.keys?.[key]) : 'Total', g.series, g.total));
  const footer = key && body.length ? row('Total', res.totalSeries, res.total) : null;
  return { header, body, footer };
}

function resultView(res, key, label) {
  const { header, body, footer } = tableRows(res, key, label);
  const csv = () => download(`tally-costs-${res.start}-${res.end}.csv`, toCsv([header, ...body, ...(footer ? [footer] : [])]));
  const cells = (r, tag = 'td') => r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h(tag, { class: 'num', dataset: { amount: c } }, money(c, res.currency))));
  return h(
    'div',
    {},
    missingRatesNote(res),
    h('div', { class: 'page-head' }, h('p', {}, 'Total ', h('strong', { 'data-testid': 'analysis-total', dataset: { amount: res.total } }, money(res.total, res.currency))), h('button', { type: 'button', class: 'btn', onclick: csv, disabled: !body.length }, 'Export CSV')),
    res.granularity === 'GRANULARITY_ACCUMULATED' ? null : trendChart(key ? seriesFromTotalGroup(res) : seriesOf(res), res.currency, { title: 'Total cost by period' }),
    body.length
      ? h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            { class: 'data', 'data-testid': 'analysis-table' },
            h('thead', {}, h('tr', {}, header.map((c, i) => h('th', { scope: 'col', class: i > 0 ? 'num' : '' }, i === 0 || i === header.length - 1 ? c : periodLabel(c))))),
            h('tbody', {}, body.map((r) => h('tr', {}, cells(r)))),
            footer ? h('tfoot', {}, h('tr', {}, cells(footer))) : null,
          ),
        )
      : empty('No costs match.'),
  );
}

/** With a group-by, the chart shows the top group's periods only when there is one group; else totals per period come from an ungrouped call. */
function seriesFromTotalGroup(res) {
  return seriesOf({ periods: res.periods, results: res.totalSeries ? [{ series: res.totalSeries }] : [] });
}

/** Cost analysis: range, granularity, group-by (tags too), a filter; chart, table and CSV. */
export async function renderAnalysis(page, _args, live) {
  const start = field('From', h('input', { type: 'date', name: 'start', value: monthStart(-5), required: true }));
  const end = field('To', h('input', { type: 'date', name: 'end', value: today(), required: true }));
  const gran = field('Granularity', select('granularity', GRANULARITIES, 'GRANULARITY_MONTHLY'));
  const group = field('Group by', select('group_by', GROUP_KEYS, 'project_id'));
  const tagKey = field('Tag key', h('input', { type: 'text', name: 'tag_key', placeholder: 'env' }));
  const fKey = field('Filter on', select('filter_key', [['', 'No filter'], ...GROUP_KEYS.slice(1, -1), ['tags', 'Tag…']], ''));
  const fOp = field('Operator', select('filter_op', OPERATORS, 'eq'));
  const fVal = field('Value', h('input', { type: 'text', name: 'filter_value', placeholder: 'an id or a name as stored' }));
  const fTag = field('Filter tag key', h('input', { type: 'text', name: 'filter_tag', placeholder: 'env' }));
  const syncVisibility = () => {
    tagKey.wrap.hidden = group.control.value !== 'tags';
    fTag.wrap.hidden = fKey.control.value !== 'tags';
    fOp.wrap.hidden = fVal.wrap.hidden = !fKey.control.value;
  };
  group.control.addEventListener('change', syncVisibility);
  fKey.control.addEventListener('change', syncVisibility);
  syncVisibility();
  const out = h('div', { class: 'card wide', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card wide filters' },
    h('div', { class: 'form-row' }, start.wrap, end.wrap, gran.wrap, group.wrap, tagKey.wrap),
    h('div', { class: 'form-row' }, fKey.wrap, fTag.wrap, fOp.wrap, fVal.wrap, h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Analyze'))),
  );
  replace(page, h('h1', {}, 'Cost analysis'), form, out);
  const ctx = await Promise.all([data.projects(), data.groups(), data.accounts(), data.providers()]).catch(() => [[], [], [], []]);
  if (!live()) return;
  const label = labeller({
    project_id: new Map(ctx[0].map((p) => [p.project_id, p.name])),
    project_group_id: new Map(ctx[1].map((g) => [g.project_group_id, g.name])),
    service_account_id: new Map(ctx[2].map((a) => [a.service_account_id, a.name])),
    provider: new Map(ctx[3].map((p) => [p.provider, p.name])),
  });

  async function run() {
    const key = group.control.value === 'tags' ? (tagKey.control.value.trim() ? `tags.${tagKey.control.value.trim()}` : '') : group.control.value;
    const req = { granularity: gran.control.value, start: start.control.value, end: end.control.value, group_by: key ? [key] : [] };
    const fk = fKey.control.value === 'tags' ? (fTag.control.value.trim() ? `tags.${fTag.control.value.trim()}` : '') : fKey.control.value;
    if (fk && fVal.control.value.trim()) {
      const raw = fVal.control.value.trim();
      req.filter = [{ k: fk, v: fOp.control.value === 'in' ? raw.split(',').map((x) => x.trim()).filter(Boolean) : raw, o: fOp.control.value }];
    }
    replace(out, loading('Analyzing…'));
    try {
      const [res, totals] = await Promise.all([data.analyze(req), key && req.granularity !== 'GRANULARITY_ACCUMULATED' ? data.analyze({ ...req, group_by: [] }) : null]);
      if (!live()) return;
      replace(out, resultView({ ...res, ...req, totalSeries: totals?.results?.[0]?.series }, key, label));
    } catch (err) {
      replace(out, failure(err, run));
    }
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    run();
  });
  run();
}
