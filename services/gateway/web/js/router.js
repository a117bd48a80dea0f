// Hash routing: #/dashboard, #/projects/<id>, #/groups/<id>, #/accounts, #/accounts/new, #/analysis, #/data-sources.

const routes = [];
export const route = (pattern, render) => routes.push({ re: new RegExp(`^${pattern.replace(/:(\w+)/g, '(?<$1>[^/?]+)')}$`), render });

export function current() {
  const raw = location.hash.replace(/^#/, '') || '/dashboard';
  const [path, qs = ''] = raw.split('?');
  return { path, params: new URLSearchParams(qs) };
}

export function resolve() {
  const { path, params } = current();
  for (const r of routes) {
    const m = r.re.exec(path);
    if (m) return { render: r.render, args: { ...(m.groups || {}), params }, path };
  }
  return null;
}

export const go = (hash) => {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
};
