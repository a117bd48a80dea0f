import { field, h, replace } from './dom.js';

/**
 * A modal <dialog> with a form: resolves with the result of onSubmit, or null when cancelled.
 * onSubmit may throw an ApiError; its message is shown in the dialog, which stays open.
 */
export function formDialog({ title, body = [], submitLabel, danger = false, onSubmit }) {
  return new Promise((resolveDialog) => {
    const error = h('p', { class: 'form-error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}` }, submitLabel);
    const cancel = h('button', { type: 'button', class: 'btn', value: 'cancel' }, 'Cancel');
    const form = h('form', { method: 'dialog' }, h('h2', {}, title), ...body, error, h('div', { class: 'actions' }, cancel, submit));
    const dlg = h('dialog', { class: 'dialog', 'aria-label': title }, form);
    let result = null;
    cancel.addEventListener('click', () => dlg.close());
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      submit.disabled = true;
      replace(error);
      try {
        result = (await onSubmit()) ?? true;
        dlg.close();
      } catch (err) {
        replace(error, err.message || String(err));
      } finally {
        submit.disabled = false;
      }
    });
    dlg.addEventListener('close', () => {
      dlg.remove();
      resolveDialog(result);
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}

/** A select of the domain's projects, grouped by their project group path. */
export function projectSelect(projects, pathOf, { selected = '', includeNone = true, noneLabel = '— choose a project —', exclude } = {}) {
  const sel = h('select', { name: 'project_id' });
  if (includeNone) sel.append(h('option', { value: '' }, noneLabel));
  const sorted = [...projects].filter((p) => p.project_id !== exclude).sort((a, b) => `${pathOf(a)}/${a.name}`.localeCompare(`${pathOf(b)}/${b.name}`));
  for (const p of sorted) {
    const path = pathOf(p);
    sel.append(h('option', { value: p.project_id, selected: p.project_id === selected }, path ? `${path} / ${p.name}` : p.name));
  }
  return sel;
}

export const textField = (label, value = '', attrs = {}) => field(label, h('input', { type: 'text', value, ...attrs }));
