import type { Source } from '../../../../lib/resource/resource-collection';
import { BILLING_COLLECTIONS, type ProjectGroupMirror, type ProjectMirror } from '../../domain/records';
import { findTombstone, writeTombstone } from './tombstones';

export const projectsIn = (source: Source) => source.collection<ProjectMirror>(BILLING_COLLECTIONS.projects);
export const groupsIn = (source: Source) => source.collection<ProjectGroupMirror>(BILLING_COLLECTIONS.projectGroups);

export interface ProjectState {
  projectId: string;
  name: string;
  projectGroupId: string;
}

export interface GroupState {
  projectGroupId: string;
  name: string;
  parentGroupId: string;
}

/** Creates or updates a project's mirror; a deleted project never comes back. True when it changed. */
export async function applyProjectState(tx: Source, domainId: string, p: ProjectState, now: Date): Promise<boolean> {
  if (await findTombstone(tx, 'project', p.projectId)) return false;
  const coll = projectsIn(tx);
  const current = await coll.findOne({ _id: p.projectId });
  if (current && current.domain_id !== domainId) return false;
  if (current && current.name === p.name && current.project_group_id === p.projectGroupId) return false;
  const record: ProjectMirror = { _id: p.projectId, domain_id: domainId, name: p.name, project_group_id: p.projectGroupId, updated_at: now };
  if (current) await coll.replaceOne({ _id: p.projectId }, record);
  else await coll.insertOne(record);
  return true;
}

export async function removeProjectState(tx: Source, domainId: string, projectId: string, now: Date): Promise<void> {
  await projectsIn(tx).deleteOne({ _id: projectId, domain_id: domainId });
  await writeTombstone(tx, 'project', domainId, projectId, 0, now);
}

/** Creates or updates a project group's mirror; a deleted group never comes back. True when it changed. */
export async function applyGroupState(tx: Source, domainId: string, g: GroupState, now: Date): Promise<boolean> {
  if (await findTombstone(tx, 'project_group', g.projectGroupId)) return false;
  const coll = groupsIn(tx);
  const current = await coll.findOne({ _id: g.projectGroupId });
  if (current && current.domain_id !== domainId) return false;
  if (current && current.name === g.name && current.parent_group_id === g.parentGroupId) return false;
  const record: ProjectGroupMirror = { _id: g.projectGroupId, domain_id: domainId, name: g.name, parent_group_id: g.parentGroupId, updated_at: now };
  if (current) await coll.replaceOne({ _id: g.projectGroupId }, record);
  else await coll.insertOne(record);
  return true;
}

export async function removeGroupState(tx: Source, domainId: string, projectGroupId: string, now: Date): Promise<void> {
  await groupsIn(tx).deleteOne({ _id: projectGroupId, domain_id: domainId });
  await writeTombstone(tx, 'project_group', domainId, projectGroupId, 0, now);
}
