import { call } from '../api.js';
import { field, h, replace } from '../dom.js';
import { projectSelect, textField } from '../dialogs.js';
import * as data from '../data.js';
import { schemaFields } from '../schema-form.js';
import { loading, toast } from '../states.js';
import { go } from '../router.js';
import { loadContext } from './context.js';

function steps(active) {
  return h(
    'ol',
    { class: 'steps', 'aria-label': 'Steps' },
    ['Provider', 'Account and credentials'].map((s, i) => h('li', { 'aria-current': i === active ? 'step' : null, class: i === active ? 'active' : '' }, `${i + 1}. ${s}`)),
  );
}

function chooseProvider(page, providers, chosen, next) {
  const sorted = [...providers].sort((a, b) => Number(b.is_billing) - Number(a.is_billing) || a.name.localeCompare(b.name));
  const options = sorted.map((p) =>
    h(
      'label',
      { class: 'choice' },
      h('input', { type: 'radio', name: 'provider', value: p.provider, checked: p.provider === chosen, required: true }),
      h('span', {}, h('strong', {}, p.name), h('span', { class: 'muted small' }, p.is_billing ? ' billing provider' : ' inventory only', p.built_in ? '' : ' · custom')),
    ),
  );
  const form = h(
    'form',
    { class: 'card wizard' },
    h('fieldset', {}, h('legend', {}, 'Choose the provider'), h('div', { class: 'choices' }, options)),
    h('div', { class: 'actions' }, h('a', { class: 'btn', href: '#/accounts' }, 'Cancel'), h('button', { type: 'submit', class: 'btn btn-primary' }, 'Next')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    next(new FormData(form).get('provider'));
  });
  replace(page, h('h1', {}, 'Add a service account'), steps(0), form);
  form.querySelector('input:checked, input')?.focus();
}

async function details(page, providerId, ctx, preset, back) {
  replace(page, h('h1', {}, 'Add a service account'), steps(1), loading('Loading the provider’s forms…'));
  const p = await data.provider(providerId);
  const creds = schemaFields(p.credential_schema, { secret: true });
  const credNames = Object.keys(p.credential_schema?.properties || {});
  const extra = schemaFields(p.account_schema, { skip: credNames });
  const name = textField('Name', '', { required: true, maxlength: 128, name: 'name' });
  const project = field(p.is_billing ? 'Project (required for billing accounts)' : 'Project', projectSelect(ctx.projects, ctx.pathOf, { selected: preset }), p.is_billing ? 'Its costs count towards this project.' : undefined);
  const formError = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add account');
  const form = h(
    'form',
    { class: 'card wizard', 'data-provider': providerId },
    h('p', {}, 'Provider: ', h('strong', {}, p.name), ' ', h('button', { type: 'button', class: 'btn btn-small btn-quiet', onclick: back }, 'Change')),
    name.wrap,
    project.wrap,
    h('fieldset', {}, h('legend', {}, 'Credentials'), h('p', { class: 'muted small' }, 'Stored encrypted; never shown again.'), creds.wraps),
    extra.wraps.length ? h('fieldset', {}, h('legend', {}, 'Account details'), extra.wraps) : null,
    formError,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: back }, 'Back'), submit),
  );
  const slots = () => [name, project, ...creds.fields.values(), ...extra.fields.values()];
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const s of slots()) {
      replace(s.error);
      s.control.removeAttribute('aria-invalid');
    }
    replace(formError);
    submit.disabled = true;
    submit.textContent = 'Adding…';
    const body = { name: name.control.value.trim(), provider: providerId, secret_data: creds.values() };
    if (project.control.value) body.project_id = project.control.value;
    const d = extra.values();
    if (Object.keys(d).length) body.data = d;
    try {
      const res = await call('/identity/service-account/create', body);
      toast(`Added ${res.service_account.name}; its first sync starts now.`);
      go(res.service_account.project_id ? `#/projects/${res.service_account.project_id}` : '#/accounts');
    } catch (err) {
      const f = err.field || '';
      const slot =
        f === 'name' ? name : f === 'project_id' ? project : f.startsWith('secret_data.') ? creds.fields.get(f.slice(12)) : f.startsWith('data.') ? extra.fields.get(f.slice(5)) : null;
      if (slot) {
        replace(slot.error, err.message);
        slot.control.setAttribute('aria-invalid', 'true');
        slot.control.focus();
      } else {
        replace(formError, err.message);
      }
    } finally {
      submit.disabled = false;
      submit.textContent = 'Add account';
    }
  });
  replace(page, h('h1', {}, 'Add a service account'), steps(1), form);
  name.control.focus();
}

/** The add wizard: the provider, then name, project and the credentials its schema asks for. */
export async function renderWizard(page, { params }, live) {
  replace(page, h('h1', {}, 'Add a service account'), loading());
  const ctx = await loadContext();
  if (!live()) return;
  const preset = params.get('project') || '';
  const first = (chosen) =>
    chooseProvider(page, ctx.providers, chosen, (id) => details(page, id, ctx, preset, () => first(id)).catch((err) => replace(page, h('p', { class: 'state state-error', role: 'alert' }, err.message))));
  first(ctx.providers.some((p) => p.provider === 'hyperbilling') ? 'hyperbilling' : ctx.providers[0]?.provider);
}
