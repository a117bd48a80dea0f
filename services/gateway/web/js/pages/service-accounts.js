import { h, replace } from '../dom.js';
import * as data from '../data.js';
import { loading } from '../states.js';
import { accountsTable } from './accounts-table.js';
import { loadContext } from './context.js';

/** Every service account of the domain with provider, project and sync state. */
export async function renderAccounts(page, _args, live) {
  const head = () => h('div', { class: 'page-head' }, h('h1', {}, 'Service accounts'), h('a', { class: 'btn btn-primary', href: '#/accounts/new' }, 'Add a service account'));
  replace(page, head(), loading());
  const [ctx, accounts] = await Promise.all([loadContext(), data.accounts()]);
  if (!live()) return;
  accounts.sort((a, b) => a.name.localeCompare(b.name));
  replace(
    page,
    head(),
    h('p', { class: 'muted' }, 'An account is synced once one of its sync jobs succeeded. Credentials are never shown back.'),
    h('section', { class: 'card wide' }, accountsTable(accounts, ctx, () => renderAccounts(page, _args, live))),
  );
}
