import { call } from '../api.js';
import { h, replace } from '../dom.js';
import { monthStart, today } from '../dates.js';
import * as data from '../data.js';
import { empty, loading } from '../states.js';
import { labeller, missingRatesNote, splitRows, splitSection, totalCard, trendSection } from './cost-widgets.js';

/** A project group: the cost of its whole subtree, and what it holds. */
export async function renderGroup(page, { id }, live) {
  replace(page, h('h1', {}, 'Project group'), loading());
  const start = monthStart(-11);
  const end = today();
  const filter = [{ k: 'project_group_id', v: id }];
  const [{ project_group: group }, groups, projects, trend, byProject] = await Promise.all([
    call('/identity/project-group/get', { project_group_id: id }),
    data.groups(),
    data.projects(),
    data.analyze({ granularity: 'GRANULARITY_MONTHLY', start, end, filter }),
    data.analyze({ granularity: 'GRANULARITY_ACCUMULATED', start, end, filter, group_by: ['project_id'] }),
  ]);
  if (!live()) return;
  const groupMap = data.byId(groups, 'project_group_id');
  const label = labeller({ project_id: new Map(projects.map((p) => [p.project_id, p.name])) });
  const subgroups = groups.filter((g) => g.parent_group_id === id);
  const direct = projects.filter((p) => p.project_group_id === id);
  replace(
    page,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/projects' }, 'Projects'), group.parent_group_id ? [' / ', h('a', { href: `#/groups/${group.parent_group_id}` }, data.groupPath(groupMap, group.parent_group_id))] : null),
    h('h1', {}, group.name),
    h('p', { class: 'muted' }, `Cost of every project in this group and its subgroups, ${start} to ${end}, in ${trend.currency}.`),
    missingRatesNote(trend),
    h('div', { class: 'grid stats' }, totalCard('Total', trend.total, trend.currency, 'group-total')),
    h(
      'div',
      { class: 'grid' },
      trendSection('Cost by month', trend),
      splitSection('By project', splitRows(byProject, 'project_id', label, (pid) => (pid ? `#/projects/${pid}` : undefined)), trend.currency),
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'Holds'),
        subgroups.length || direct.length
          ? h(
              'ul',
              { class: 'plain' },
              subgroups.map((g) => h('li', {}, 'Group ', h('a', { href: `#/groups/${g.project_group_id}` }, g.name))),
              direct.map((p) => h('li', {}, 'Project ', h('a', { href: `#/projects/${p.project_id}` }, p.name))),
            )
          : empty('This group is empty.'),
      ),
    ),
  );
}
