import * as data from '../data.js';

/** What tables of accounts and projects need to show names instead of ids. */
export async function loadContext() {
  const [projects, groups, providers, jobs] = await Promise.all([data.projects(), data.groups(), data.providers(), data.jobs()]);
  const groupMap = data.byId(groups, 'project_group_id');
  return {
    projects,
    groups,
    groupMap,
    providers,
    jobs,
    states: data.syncStates(jobs),
    projectName: new Map(projects.map((p) => [p.project_id, p.name])),
    providerName: new Map(providers.map((p) => [p.provider, p.name])),
    pathOf: (p) => data.groupPath(groupMap, p.project_group_id),
  };
}
