// Rename, move and delete of a service account; shared by the accounts list and the project page.
import { call } from '../api.js';
import { field, h } from '../dom.js';
import { formDialog, projectSelect, textField } from '../dialogs.js';
import { toast } from '../states.js';

export async function renameAccount(account) {
  const name = textField('Name', account.name, { required: true, maxlength: 128 });
  const ok = await formDialog({
    title: `Rename ${account.name}`,
    body: [name.wrap],
    submitLabel: 'Save',
    onSubmit: () => call('/identity/service-account/update', { service_account_id: account.service_account_id, name: name.control.value.trim() }),
  });
  if (ok) toast(`Renamed to ${name.control.value.trim()}.`);
  return Boolean(ok);
}

export async function moveAccount(account, projects, pathOf) {
  const sel = projectSelect(projects, pathOf, { exclude: account.project_id, noneLabel: '— choose the new project —' });
  const f = field('Move to project', sel, 'Its costs follow it to the new project.');
  const ok = await formDialog({
    title: `Move ${account.name}`,
    body: [f.wrap],
    submitLabel: 'Move',
    onSubmit: () => {
      if (!sel.value) throw new Error('Choose the project to move the account to.');
      return call('/identity/service-account/update', { service_account_id: account.service_account_id, project_id: sel.value });
    },
  });
  if (ok) toast(`Moved ${account.name}.`);
  return Boolean(ok);
}

export async function deleteAccount(account) {
  const ok = await formDialog({
    title: `Delete ${account.name}?`,
    body: [h('p', {}, 'The account, its credentials and its costs leave every view. This cannot be undone.')],
    submitLabel: 'Delete',
    danger: true,
    onSubmit: () => call('/identity/service-account/delete', { service_account_id: account.service_account_id }),
  });
  if (ok) toast(`Deleted ${account.name}.`);
  return Boolean(ok);
}

/** The action buttons of one account's row; after(): re-render once something changed. */
export function accountActions(account, projects, pathOf, after) {
  const run = (fn) => async () => {
    if (await fn()) after();
  };
  return h(
    'div',
    { class: 'row-actions' },
    h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Rename ${account.name}`, onclick: run(() => renameAccount(account)) }, 'Rename'),
    h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Move ${account.name}`, onclick: run(() => moveAccount(account, projects, pathOf)) }, 'Move'),
    h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Delete ${account.name}`, onclick: run(() => deleteAccount(account)) }, 'Delete'),
  );
}
