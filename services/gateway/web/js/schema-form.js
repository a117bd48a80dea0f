// Form fields generated from a provider's JSON Schema (credential_schema, account_schema).
import { field, h } from './dom.js';

const looksMultiline = (name, prop) => /BEGIN|\\n/.test(prop.pattern || '') || /PEM|certificate|private key/i.test(prop.description || '') || /(^|_)(private_key|certificate|pem)$/.test(name);

function control(name, prop, required, secret) {
  const common = { name, required, autocomplete: 'off', spellcheck: 'false' };
  if (Array.isArray(prop.enum)) {
    return h('select', common, required ? null : h('option', { value: '' }, '(none)'), prop.enum.map((v) => h('option', { value: String(v) }, String(v))));
  }
  if (prop.type === 'boolean') return h('input', { type: 'checkbox', name });
  if (prop.type === 'integer' || prop.type === 'number') return h('input', { ...common, type: 'number', step: prop.type === 'integer' ? '1' : 'any', min: prop.minimum, max: prop.maximum });
  if (secret && looksMultiline(name, prop)) {
    return h('textarea', { ...common, rows: 6, class: 'secret mono', 'data-secret': 'true', placeholder: '-----BEGIN RSA PRIVATE KEY-----' });
  }
  return h('input', {
    ...common,
    type: secret && prop.format === 'password' ? 'password' : prop.format === 'email' ? 'email' : prop.format === 'uri' ? 'url' : 'text',
    minlength: prop.minLength,
    maxlength: prop.maxLength,
  });
}

/**
 * Fields for the schema's properties (all but those skipped), titles and descriptions from the
 * schema. Returns the elements, a reader of the values and a map from property to error slot.
 */
export function schemaFields(schema, { secret = false, skip = [] } = {}) {
  const required = new Set(schema?.required || []);
  const entries = Object.entries(schema?.properties || {}).filter(([name]) => !skip.includes(name));
  const fields = new Map();
  const wraps = entries.map(([name, prop]) => {
    const c = control(name, prop, required.has(name), secret);
    const title = `${prop.title || name}${required.has(name) ? '' : ' (optional)'}`;
    const f = field(title, c, prop.description);
    if (c.dataset.secret) {
      const toggle = h('button', { type: 'button', class: 'btn btn-small btn-quiet', 'aria-pressed': 'false' }, 'Show');
      toggle.addEventListener('click', () => {
        const shown = c.classList.toggle('revealed');
        toggle.setAttribute('aria-pressed', String(shown));
        toggle.textContent = shown ? 'Hide' : 'Show';
      });
      f.wrap.querySelector('label').after(toggle);
    }
    fields.set(name, { ...f, prop });
    return f.wrap;
  });
  const values = () => {
    const out = {};
    for (const [name, { control: c, prop }] of fields) {
      if (c.type === 'checkbox') out[name] = c.checked;
      else if (c.value === '') continue;
      else if (prop.type === 'integer' || prop.type === 'number') out[name] = Number(c.value);
      else out[name] = prop.format === 'password' || c.tagName === 'TEXTAREA' ? c.value : c.value.trim();
    }
    return out;
  };
  return { wraps, values, fields };
}
