import { onUnauthenticated, session } from './api.js';
import { h, replace } from './dom.js';
import { resolve, route } from './router.js';
import { failure } from './states.js';
import { renderSignIn } from './pages/sign-in.js';
import { renderDashboard } from './pages/dashboard.js';
import { renderProjects } from './pages/projects.js';
import { renderProject } from './pages/project.js';
import { renderGroup } from './pages/project-group.js';
import { renderAccounts } from './pages/service-accounts.js';
import { renderWizard } from './pages/account-wizard.js';
import { renderAnalysis } from './pages/cost-analysis.js';
import { renderDataSources } from './pages/data-sources.js';

route('/dashboard', renderDashboard);
route('/projects', renderProjects);
route('/projects/:id', renderProject);
route('/groups/:id', renderGroup);
route('/accounts', renderAccounts);
route('/accounts/new', renderWizard);
route('/analysis', renderAnalysis);
route('/data-sources', renderDataSources);

const NAV = [
  ['#/dashboard', 'Dashboard', '/dashboard'],
  ['#/projects', 'Projects', '/projects', '/groups'],
  ['#/accounts', 'Service accounts', '/accounts'],
  ['#/analysis', 'Cost analysis', '/analysis'],
  ['#/data-sources', 'Data sources & jobs', '/data-sources'],
];

const app = document.getElementById('app');
let main;
let nav;

function shell() {
  const toggle = h('button', { type: 'button', class: 'nav-toggle', 'aria-expanded': 'false', 'aria-controls': 'nav' }, h('span', { 'aria-hidden': 'true' }, '☰'), ' Menu');
  nav = h('nav', { id: 'nav', class: 'nav', 'aria-label': 'Main' }, h('ul', {}, NAV.map(([href, label]) => h('li', {}, h('a', { href }, label)))));
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    document.body.classList.toggle('nav-open', open);
  });
  nav.addEventListener('click', (e) => {
    if (e.target.closest('a')) {
      toggle.setAttribute('aria-expanded', 'false');
      document.body.classList.remove('nav-open');
    }
  });
  main = h('main', { id: 'main', tabindex: '-1' });
  replace(
    app,
    h(
      'header',
      { class: 'topbar' },
      toggle,
      h('a', { class: 'brand', href: '#/dashboard' }, 'Tally'),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', class: 'btn btn-quiet', id: 'sign-out', onclick: signOut }, 'Sign out'),
    ),
    h('div', { class: 'layout' }, nav, main),
    h('div', { id: 'toasts', class: 'toasts', 'aria-live': 'polite' }),
  );
}

function signOut() {
  session.signOut();
  main = null;
  location.hash = '#/dashboard';
  render();
}

let generation = 0;
async function render() {
  if (!session.key()) {
    main = null;
    renderSignIn(app, () => {
      shell();
      render();
    });
    return;
  }
  if (!main || !main.isConnected) shell();
  const found = resolve();
  for (const a of nav.querySelectorAll('a')) {
    const entry = NAV.find(([href]) => href === a.getAttribute('href'));
    const active = found && entry.slice(2).some((p) => found.path === p || found.path.startsWith(`${p}/`));
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const mine = ++generation;
  const page = h('div', { class: 'page' });
  replace(main, page);
  if (!found) {
    replace(page, h('h1', {}, 'Not found'), h('p', {}, 'There is no page here. '), h('a', { href: '#/dashboard' }, 'Back to the dashboard'));
    return;
  }
  try {
    await found.render(page, found.args, () => mine === generation);
  } catch (err) {
    if (mine === generation) replace(page, failure(err, render));
  }
  if (mine === generation) main.focus({ preventScroll: true });
}

onUnauthenticated(() => {
  session.signOut();
  render();
});
window.addEventListener('hashchange', render);
render();
