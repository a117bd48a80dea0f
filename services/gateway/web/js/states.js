import { h } from './dom.js';

export const loading = (what = 'Loading…') => h('p', { class: 'state state-loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), what);
export const empty = (what, ...extra) => h('div', { class: 'state state-empty' }, h('p', {}, what), ...extra);

/** An API error in words, with a retry when one is given. */
export function failure(err, retry) {
  return h(
    'div',
    { class: 'state state-error', role: 'alert' },
    h('p', {}, h('strong', {}, 'Could not load this. '), err?.message || String(err)),
    err?.code ? h('p', { class: 'muted' }, `${err.code}${err.reason ? ` · ${err.reason}` : ''}`) : null,
    retry ? h('button', { type: 'button', class: 'btn', onclick: retry }, 'Try again') : null,
  );
}

/** A short message at the top of the page (saved, deleted, failed). */
export function toast(text, kind = 'ok') {
  const region = document.getElementById('toasts');
  if (!region) return;
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
  region.append(el);
  while (region.children.length > 2) region.firstElementChild.remove();
  setTimeout(() => el.remove(), 4000);
}
