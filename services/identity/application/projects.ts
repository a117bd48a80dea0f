import type { Principal } from '../../../lib/auth/principal';
import { failedPrecondition, notFound } from '../../../lib/errors/domain-error';
import { newId } from '../../../lib/ids/ids';
import type { Query, StatQuery } from '../../../gen/tally/core/v1/query';
import type { ProjectRecord } from '../domain/records';
import { projectGroups, projects, serviceAccounts } from './collections';
import { commit } from './commit';
import type { IdentityDeps } from './deps';
import { projectEvent } from './events';
import { domainOf } from '../../../lib/auth/principal';
import type { Filter, Source } from './source';
import { checkName, checkTags, requireId } from '../../../lib/validate/fields';

async function checkGroup(source: Source, domainId: string, groupId: string): Promise<string> {
  if (groupId && !(await projectGroups.find(source, domainId, groupId))) {
    throw notFound('project group', groupId);
  }
  return groupId;
}

/** Project members see only their projects. */
export function projectScope(p: Principal, field = '_id'): Filter | undefined {
  return p.role === 'PROJECT_MEMBER' ? { [field]: { $in: p.projectIds } } : undefined;
}

export async function createProject(
  deps: IdentityDeps,
  p: Principal,
  req: { name: string; projectGroupId: string; tags?: Record<string, unknown> },
): Promise<ProjectRecord> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const name = checkName(req.name, 'name');
  const tags = checkTags(req.tags);
  const now = deps.now();
  return commit(deps, async (tx) => {
    const project: ProjectRecord = {
      _id: newId('project'),
      domain_id: domainId,
      name,
      project_group_id: await checkGroup(tx, domainId, req.projectGroupId),
      tags,
      created_at: now,
    };
    await projects.in(tx).insertOne(project);
    return { result: project, events: [projectEvent('created', project, now)] };
  });
}

export async function updateProject(
  deps: IdentityDeps,
  p: Principal,
  req: { projectId: string; name?: string; projectGroupId?: string; tags?: Record<string, unknown> },
): Promise<ProjectRecord> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const id = requireId(req.projectId, 'project_id');
  const name = req.name === undefined ? undefined : checkName(req.name, 'name');
  const tags = req.tags === undefined ? undefined : checkTags(req.tags);
  return commit(deps, async (tx) => {
    const next: ProjectRecord = { ...(await projects.get(tx, domainId, id)) };
    if (name !== undefined) next.name = name;
    if (tags !== undefined) next.tags = tags;
    if (req.projectGroupId !== undefined) next.project_group_id = await checkGroup(tx, domainId, req.projectGroupId);
    await projects.in(tx).replaceOne({ _id: id, domain_id: domainId }, next);
    return { result: next, events: [projectEvent('updated', next, deps.now())] };
  });
}

export async function deleteProject(deps: IdentityDeps, p: Principal, projectId: string): Promise<void> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const id = requireId(projectId, 'project_id');
  await commit(deps, async (tx) => {
    const current = await projects.get(tx, domainId, id);
    const accounts = await serviceAccounts.in(tx).count({ domain_id: domainId, project_id: id });
    if (accounts) {
      throw failedPrecondition('PROJECT.HAS_SERVICE_ACCOUNTS', `project ${id} still has ${accounts} service account(s); move or delete them first`);
    }
    await projects.in(tx).deleteOne({ _id: id, domain_id: domainId });
    return { result: undefined, events: [projectEvent('deleted', current, deps.now())] };
  });
}

export async function getProject(deps: IdentityDeps, p: Principal, id: string) {
  const domainId = domainOf(p, 'PROJECT_MEMBER');
  const projectId = requireId(id, 'project_id');
  if (p.role === 'PROJECT_MEMBER' && !p.projectIds.includes(projectId)) throw notFound('project', projectId);
  return projects.get(deps.store, domainId, projectId);
}

export async function listProjects(deps: IdentityDeps, p: Principal, query: Query | undefined) {
  return projects.list(deps.store, domainOf(p, 'PROJECT_MEMBER'), query, projectScope(p));
}

export async function statProjects(deps: IdentityDeps, p: Principal, query: StatQuery | undefined) {
  return projects.stat(deps.store, domainOf(p, 'PROJECT_MEMBER'), query, projectScope(p));
}
