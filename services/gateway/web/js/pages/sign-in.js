import { call, session } from '../api.js';
import { field, h, replace } from '../dom.js';

/** Sign in with an API key; it is kept in this tab's sessionStorage only. */
export function renderSignIn(root, done) {
  const input = h('input', { type: 'password', name: 'api_key', autocomplete: 'off', spellcheck: 'false', required: true, placeholder: 'tally_…' });
  const key = field('API key', input, 'Kept for this browser tab only; signing out forgets it.');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Tally'),
    h('p', { class: 'muted' }, 'Multi-cloud billing. Sign in with your domain’s API key.'),
    key.wrap,
    submit,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = input.value.trim();
    replace(key.error);
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      await call('/identity/provider/list', {}, value);
      session.signIn(value);
      done();
    } catch (err) {
      replace(key.error, err.code === 'UNAUTHENTICATED' ? 'This API key is not valid.' : err.message);
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });
  replace(root, h('main', { id: 'main', class: 'sign-in-page' }, form));
  input.focus();
}
