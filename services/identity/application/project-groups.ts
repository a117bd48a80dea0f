import type { Principal } from '../../../lib/auth/principal';
import { failedPrecondition, invalidArgument, notFound } from '../../../lib/errors/domain-error';
import { newId } from '../../../lib/ids/ids';
import type { Query, StatQuery } from '../../../gen/tally/core/v1/query';
import type { ProjectGroupRecord } from '../domain/records';
import { projectGroups, projects } from './collections';
import { commit } from './commit';
import type { IdentityDeps } from './deps';
import { projectGroupEvent } from './events';
import { domainOf } from '../../../lib/auth/principal';
import type { Source } from './source';
import { checkName, checkTags, requireId } from '../../../lib/validate/fields';

const MAX_DEPTH = 32;

/** The parent must exist in the domain, and the group may not end up under itself. */
async function checkParent(source: Source, domainId: string, parentId: string, field: string, movingId?: string): Promise<string> {
  if (!parentId) return '';
  let cursor: string = parentId;
  for (let depth = 0; cursor; depth++) {
    if (cursor === movingId) throw invalidArgument('PROJECT_GROUP.CYCLE', field, `${field} would put the group under itself`);
    if (depth >= MAX_DEPTH) throw invalidArgument('PROJECT_GROUP.TOO_DEEP', field, `project groups nest at most ${MAX_DEPTH} deep`);
    const node = await projectGroups.find(source, domainId, cursor);
    if (!node) {
      if (cursor === parentId) throw notFound('project group', parentId);
      break;
    }
    cursor = node.parent_group_id;
  }
  return parentId;
}

export async function createProjectGroup(
  deps: IdentityDeps,
  p: Principal,
  req: { name: string; parentGroupId: string; tags?: Record<string, unknown> },
): Promise<ProjectGroupRecord> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const name = checkName(req.name, 'name');
  const tags = checkTags(req.tags);
  const now = deps.now();
  return commit(deps, async (tx) => {
    const group: ProjectGroupRecord = {
      _id: newId('pg'),
      domain_id: domainId,
      name,
      parent_group_id: await checkParent(tx, domainId, req.parentGroupId, 'parent_group_id'),
      tags,
      created_at: now,
    };
    await projectGroups.in(tx).insertOne(group);
    return { result: group, events: [projectGroupEvent('created', group, now)] };
  });
}

export async function updateProjectGroup(
  deps: IdentityDeps,
  p: Principal,
  req: { projectGroupId: string; name?: string; parentGroupId?: string; tags?: Record<string, unknown> },
): Promise<ProjectGroupRecord> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const id = requireId(req.projectGroupId, 'project_group_id');
  const name = req.name === undefined ? undefined : checkName(req.name, 'name');
  const tags = req.tags === undefined ? undefined : checkTags(req.tags);
  return commit(deps, async (tx) => {
    const current = await projectGroups.get(tx, domainId, id);
    const next: ProjectGroupRecord = { ...current };
    if (name !== undefined) next.name = name;
    if (tags !== undefined) next.tags = tags;
    if (req.parentGroupId !== undefined) next.parent_group_id = await checkParent(tx, domainId, req.parentGroupId, 'parent_group_id', id);
    await projectGroups.in(tx).replaceOne({ _id: id, domain_id: domainId }, next);
    return { result: next, events: [projectGroupEvent('updated', next, deps.now())] };
  });
}

export async function deleteProjectGroup(deps: IdentityDeps, p: Principal, projectGroupId: string): Promise<void> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const id = requireId(projectGroupId, 'project_group_id');
  await commit(deps, async (tx) => {
    const current = await projectGroups.get(tx, domainId, id);
    const childGroups = await projectGroups.in(tx).count({ domain_id: domainId, parent_group_id: id });
    const childProjects = await projects.in(tx).count({ domain_id: domainId, project_group_id: id });
    if (childGroups || childProjects) {
      throw failedPrecondition(
        'PROJECT_GROUP.NOT_EMPTY',
        `project group ${id} still has ${childGroups} group(s) and ${childProjects} project(s); move or delete them first`,
      );
    }
    await projectGroups.in(tx).deleteOne({ _id: id, domain_id: domainId });
    return { result: undefined, events: [projectGroupEvent('deleted', current, deps.now())] };
  });
}

export async function getProjectGroup(deps: IdentityDeps, p: Principal, id: string) {
  return projectGroups.get(deps.store, domainOf(p), requireId(id, 'project_group_id'));
}

export async function listProjectGroups(deps: IdentityDeps, p: Principal, query: Query | undefined) {
  return projectGroups.list(deps.store, domainOf(p), query);
}

export async function statProjectGroups(deps: IdentityDeps, p: Principal, query: StatQuery | undefined) {
  return projectGroups.stat(deps.store, domainOf(p), query);
}
