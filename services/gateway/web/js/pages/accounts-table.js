import { h } from '../dom.js';
import { dateTime } from '../dates.js';
import { syncOf } from '../data.js';
import { empty } from '../states.js';
import { accountActions } from './account-actions.js';

export function syncBadge(st) {
  return h('span', { class: `badge badge-${st.state.toLowerCase().replace('_', '-')}` }, st.state.replace('_', ' ').toLowerCase());
}

/** Service accounts with provider, project, sync state and actions. Credentials never appear. */
export function accountsTable(accounts, ctx, after, { showProject = true } = {}) {
  if (!accounts.length) return empty('No service accounts here yet.', h('a', { class: 'btn btn-primary', href: '#/accounts/new' }, 'Add a service account'));
  const { projects, projectName, providerName, states, pathOf } = ctx;
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'data', 'data-testid': 'accounts-table' },
      h(
        'thead',
        {},
        h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Provider'), showProject ? h('th', { scope: 'col' }, 'Project') : null, h('th', { scope: 'col' }, 'Sync'), h('th', { scope: 'col' }, 'Last synced'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions'))),
      ),
      h(
        'tbody',
        {},
        accounts.map((a) => {
          const st = syncOf(states, a.service_account_id);
          return h(
            'tr',
            { dataset: { accountId: a.service_account_id } },
            h('th', { scope: 'row' }, a.name, h('div', { class: 'muted small' }, a.data?.account_id ? `Account ${a.data.account_id}` : a.service_account_id)),
            h('td', {}, providerName.get(a.provider) || a.provider),
            showProject ? h('td', {}, a.project_id ? h('a', { href: `#/projects/${a.project_id}` }, projectName.get(a.project_id) || a.project_id) : h('span', { class: 'muted' }, '(no project)')) : null,
            h('td', {}, syncBadge(st), st.last?.error_message ? h('div', { class: 'error-text small' }, st.last.error_message) : null),
            h('td', {}, st.lastSuccess ? dateTime(st.lastSuccess) : '—'),
            h('td', {}, accountActions(a, projects, pathOf, after)),
          );
        }),
      ),
    ),
  );
}
