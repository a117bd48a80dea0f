import { call } from '../api.js';
import { field, h, replace } from '../dom.js';
import * as data from '../data.js';
import { empty, loading, toast } from '../states.js';
import { go } from '../router.js';

function tree(groups, projects, accounts) {
  const children = new Map();
  for (const g of groups) {
    const parent = g.parent_group_id || '';
    children.set(parent, [...(children.get(parent) || []), { kind: 'group', item: g }]);
  }
  for (const p of projects) {
    const parent = p.project_group_id || '';
    children.set(parent, [...(children.get(parent) || []), { kind: 'project', item: p }]);
  }
  const count = new Map();
  for (const a of accounts) count.set(a.project_id, (count.get(a.project_id) || 0) + 1);
  const branch = (parent, depth) => {
    const nodes = (children.get(parent) || []).sort((a, b) => (a.kind === b.kind ? a.item.name.localeCompare(b.item.name) : a.kind === 'group' ? -1 : 1));
    if (!nodes.length || depth > 30) return null;
    return h(
      'ul',
      { class: depth ? '' : 'tree' },
      nodes.map((n) =>
        n.kind === 'group'
          ? h('li', {}, h('a', { href: `#/groups/${n.item.project_group_id}`, class: 'tree-group' }, h('span', { 'aria-hidden': 'true' }, '▾ '), n.item.name), branch(n.item.project_group_id, depth + 1))
          : h('li', {}, h('a', { href: `#/projects/${n.item.project_id}`, class: 'tree-project' }, n.item.name), h('span', { class: 'muted small' }, ` ${count.get(n.item.project_id) || 0} account${count.get(n.item.project_id) === 1 ? '' : 's'}`)),
      ),
    );
  };
  return branch('', 0);
}

function createForms(groups, pathOf, after) {
  const groupSelect = (name) =>
    h('select', { name }, h('option', { value: '' }, '(top level)'), groups.map((g) => h('option', { value: g.project_group_id }, pathOf(g.project_group_id))));
  const make = (title, path, body) => {
    const name = field('Name', h('input', { type: 'text', required: true, maxlength: 128 }));
    const parent = field(title === 'New project' ? 'In group' : 'Parent group', groupSelect('parent'));
    const form = h('form', { class: 'card inline-form' }, h('h2', {}, title), name.wrap, parent.wrap, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      replace(name.error);
      try {
        const res = await call(path, body(name.control.value.trim(), parent.control.value));
        toast(`Created ${name.control.value.trim()}.`);
        after(res);
      } catch (err) {
        replace(name.error, err.message);
      }
    });
    return form;
  };
  return h(
    'div',
    { class: 'grid' },
    make('New project', '/identity/project/create', (name, g) => ({ name, project_group_id: g })),
    make('New project group', '/identity/project-group/create', (name, g) => ({ name, parent_group_id: g })),
  );
}

/** The project tree: groups with their subgroups and projects. */
export async function renderProjects(page, _args, live) {
  replace(page, h('h1', {}, 'Projects'), loading());
  const [groups, projects, accounts] = await Promise.all([data.groups(), data.projects(), data.accounts()]);
  if (!live()) return;
  const groupMap = data.byId(groups, 'project_group_id');
  const pathOf = (id) => data.groupPath(groupMap, id);
  replace(
    page,
    h('h1', {}, 'Projects'),
    h('p', { class: 'muted' }, 'Project groups hold projects and other groups; a group’s cost is its whole subtree.'),
    h('section', { class: 'card', 'aria-label': 'Project tree' }, groups.length || projects.length ? tree(groups, projects, accounts) : empty('No projects yet. Create one below.')),
    createForms(groups, pathOf, (res) => (res.project ? go(`#/projects/${res.project.project_id}`) : go('#/projects'))),
  );
}
