import { call } from '../api.js';
import { h, replace } from '../dom.js';
import { monthStart, today } from '../dates.js';
import * as data from '../data.js';
import { loading } from '../states.js';
import { accountsTable } from './accounts-table.js';
import { loadContext } from './context.js';
import { labeller, missingRatesNote, splitRows, splitSection, totalCard, trendSection } from './cost-widgets.js';

/** One project: its cost trend, its split by service and region, its service accounts. */
export async function renderProject(page, { id }, live) {
  replace(page, h('h1', {}, 'Project'), loading());
  const start = monthStart(-11);
  const end = today();
  const filter = [{ k: 'project_id', v: id }];
  const [{ project }, ctx, trend, byProduct, byRegion, accounts] = await Promise.all([
    call('/identity/project/get', { project_id: id }),
    loadContext(),
    data.analyze({ granularity: 'GRANULARITY_MONTHLY', start, end, filter }),
    data.analyze({ granularity: 'GRANULARITY_ACCUMULATED', start, end, filter, group_by: ['product'], limit: 10 }),
    data.analyze({ granularity: 'GRANULARITY_ACCUMULATED', start, end, filter, group_by: ['region'], limit: 10 }),
    data.accounts(filter),
  ]);
  if (!live()) return;
  const label = labeller();
  const path = ctx.pathOf(project);
  const rerender = () => renderProject(page, { id }, live);
  replace(
    page,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/projects' }, 'Projects'), project.project_group_id ? [' / ', h('a', { href: `#/groups/${project.project_group_id}` }, path)] : null),
    h('div', { class: 'page-head' }, h('h1', { 'data-testid': 'project-name' }, project.name), h('a', { class: 'btn btn-primary', href: `#/accounts/new?project=${project.project_id}` }, 'Add a service account')),
    h('p', { class: 'muted' }, `Cost of this project’s accounts, ${start} to ${end}, in ${trend.currency}.`),
    missingRatesNote(trend),
    h('div', { class: 'grid stats' }, totalCard('Total', trend.total, trend.currency, 'project-total', `${accounts.length} service account${accounts.length === 1 ? '' : 's'}`)),
    h(
      'div',
      { class: 'grid' },
      trendSection('Cost by month', trend),
      splitSection('By service', splitRows(byProduct, 'product', label), trend.currency),
      splitSection('By region', splitRows(byRegion, 'region', label), trend.currency),
      h('section', { class: 'card wide' }, h('h2', {}, 'Service accounts'), accountsTable(accounts, ctx, rerender, { showProject: false })),
    ),
  );
}
