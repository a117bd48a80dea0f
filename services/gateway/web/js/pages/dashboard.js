import { h, replace } from '../dom.js';
import { money, percentChange, subtract } from '../money.js';
import { PERIODS, dateTime, monthEnd, monthStart, today } from '../dates.js';
import * as data from '../data.js';
import { loading } from '../states.js';
import { labeller, missingRatesNote, periodPicker, seriesOf, splitRows, splitSection, totalCard, trendSection } from './cost-widgets.js';

/** The domain's consolidated cost: the sum over every billing account. */
export async function renderDashboard(page, { params }, live) {
  const periodKey = PERIODS[params.get('period')] ? params.get('period') : '12m';
  const [start, end] = PERIODS[periodKey].range();
  replace(
    page,
    h('div', { class: 'page-head' }, h('h1', {}, 'Dashboard'), periodPicker(PERIODS, periodKey, (k) => (location.hash = `#/dashboard?period=${k}`))),
    h('p', { class: 'muted' }, `Consolidated cost of the domain, ${start} to ${end}.`),
    loading('Loading costs…'),
  );
  const [trend, byProject, byProvider, byProduct, twoMonths, projects, providers, accounts, jobs, sources] = await Promise.all([
    data.analyze({ granularity: 'GRANULARITY_MONTHLY', start, end }),
    data.analyze({ granularity: 'GRANULARITY_ACCUMULATED', start, end, group_by: ['project_id'] }),
    data.analyze({ granularity: 'GRANULARITY_ACCUMULATED', start, end, group_by: ['provider'] }),
    data.analyze({ granularity: 'GRANULARITY_ACCUMULATED', start, end, group_by: ['product'], limit: 10 }),
    data.analyze({ granularity: 'GRANULARITY_MONTHLY', start: monthStart(-1), end: today() }),
    data.projects(),
    data.providers(),
    data.accounts(),
    data.jobs(),
    data.dataSources(),
  ]);
  if (!live()) return;
  const currency = trend.currency;
  const label = labeller({
    project_id: new Map(projects.map((p) => [p.project_id, p.name])),
    provider: new Map(providers.map((p) => [p.provider, p.name])),
  });
  const [lastMonth, thisMonth] = seriesOf(twoMonths).map((p) => p.cost);
  const change = percentChange(thisMonth ?? '0', lastMonth ?? '0');
  const states = data.syncStates(jobs);
  const unsynced = accounts.filter((a) => data.syncOf(states, a.service_account_id).state !== 'SYNCED');
  const lastSync = [...sources.map((s) => s.last_synced_at || ''), ...[...states.values()].map((s) => s.lastSuccess)].filter(Boolean).sort().pop();
  const projectName = new Map(projects.map((p) => [p.project_id, p.name]));

  replace(
    page,
    h('div', { class: 'page-head' }, h('h1', {}, 'Dashboard'), periodPicker(PERIODS, periodKey, (k) => (location.hash = `#/dashboard?period=${k}`))),
    h('p', { class: 'muted' }, `Consolidated cost of the domain, ${start} to ${end}, in ${currency}.`),
    missingRatesNote(trend),
    h(
      'div',
      { class: 'grid stats' },
      totalCard('Total', trend.total, currency, 'dashboard-total', `${accounts.length} service account${accounts.length === 1 ? '' : 's'}`),
      totalCard('This month so far', thisMonth ?? '0', currency, 'this-month', `${monthStart(0)} to ${today()}`),
      totalCard(
        'Last month',
        lastMonth ?? '0',
        currency,
        'last-month',
        change === null ? `${monthStart(-1)} to ${monthEnd(-1)}` : `This month so far is ${change >= 0 ? '+' : ''}${change}% (${money(subtract(thisMonth ?? '0', lastMonth ?? '0'), currency)}) against it`,
      ),
      h(
        'section',
        { class: 'card stat' },
        h('h2', {}, 'Last sync'),
        h('p', { class: 'stat-value small', 'data-testid': 'last-sync' }, lastSync ? dateTime(lastSync) : 'Never'),
        h('p', { class: 'muted' }, h('a', { href: '#/data-sources' }, 'Data sources & jobs')),
      ),
    ),
    h(
      'div',
      { class: 'grid' },
      trendSection('Cost by month', trend),
      splitSection('By project', splitRows(byProject, 'project_id', label, (id) => (id ? `#/projects/${id}` : undefined)), currency),
      splitSection('By provider', splitRows(byProvider, 'provider', label), currency),
      splitSection('By service', splitRows(byProduct, 'product', label), currency),
      h(
        'section',
        { class: 'card', 'data-testid': 'unsynced' },
        h('h2', {}, 'Accounts not yet synced'),
        unsynced.length
          ? h(
              'ul',
              { class: 'plain' },
              unsynced.map((a) => {
                const st = data.syncOf(states, a.service_account_id);
                return h(
                  'li',
                  {},
                  h('strong', {}, a.name),
                  ' ',
                  h('span', { class: `badge badge-${st.state.toLowerCase()}` }, st.state.replace('_', ' ').toLowerCase()),
                  ' ',
                  h('span', { class: 'muted' }, projectName.get(a.project_id) || '(no project)'),
                  st.last?.error_message ? h('p', { class: 'error-text' }, st.last.error_message) : null,
                );
              }),
            )
          : h('p', { class: 'muted' }, accounts.length ? 'Every account has synced.' : 'No service accounts yet. ', accounts.length ? null : h('a', { href: '#/accounts/new' }, 'Add one')),
      ),
    ),
  );
}
