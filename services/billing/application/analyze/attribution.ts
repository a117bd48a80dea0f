import type { Source } from '../../../../lib/resource/resource-collection';
import {
  BILLING_COLLECTIONS,
  OPEN_END,
  type AccountRecord,
  type AssignmentRecord,
  type AttributionMode,
  type ProjectGroupMirror,
  type ProjectMirror,
} from '../../domain/records';
import { addDays } from '../ledger/calendar';

/** Which project (and groups) a service account's cost of a day belongs to. */
export interface Attribution {
  readonly mode: AttributionMode;
  /** The project of the account's cost on a date; '' when unassigned. */
  projectOn(serviceAccountId: string, date: string): string;
  /** Every project the account's costs in [start, end] may go to. */
  projectsIn(serviceAccountId: string, start: string, end: string): Set<string>;
  /** True when the account's project may differ between days of [start, end]. */
  changesWithin(serviceAccountId: string, start: string, end: string): boolean;
  /** The project's own group; '' when none. */
  groupOf(projectId: string): string;
  /** The project's group and all its ancestors (a group filter covers its subtree). */
  groupsOf(projectId: string): string[];
}

interface Assignment {
  from: string;
  to: string;
  project: string;
}

const MAX_DEPTH = 64;

/**
 * Reads the domain's mirror of identity (accounts, assignment history, projects, groups) and
 * answers attribution questions in memory.
 *
 * FOLLOW_ACCOUNT: all of an account's costs go to its current project (the mirror's account,
 * else its open assignment), whatever the date.
 * AS_OF_DATE: a day's cost goes to the project of the assignment covering that day. Days before
 * the account's first assignment (history pulled by its first sync) go to that first project;
 * days in a gap of the history, or after it ended, are unassigned. An account without any
 * history counts as always in its current project.
 */
export async function loadAttribution(source: Source, domainId: string, mode: AttributionMode): Promise<Attribution> {
  const [accounts, assignments, projects, groups] = await Promise.all([
    source.collection<AccountRecord>(BILLING_COLLECTIONS.accounts).find({ domain_id: domainId }, { projection: ['project_id'] }),
    mode === 'AS_OF_DATE'
      ? source
          .collection<AssignmentRecord>(BILLING_COLLECTIONS.assignments)
          .find({ domain_id: domainId }, { projection: ['service_account_id', 'project_id', 'from', 'to'] })
      : source
          .collection<AssignmentRecord>(BILLING_COLLECTIONS.assignments)
          .find({ domain_id: domainId, to: OPEN_END }, { projection: ['service_account_id', 'project_id', 'from', 'to'] }),
    source.collection<ProjectMirror>(BILLING_COLLECTIONS.projects).find({ domain_id: domainId }, { projection: ['project_group_id'] }),
    source.collection<ProjectGroupMirror>(BILLING_COLLECTIONS.projectGroups).find({ domain_id: domainId }, { projection: ['parent_group_id'] }),
  ]);

  const current = new Map<string, string>();
  const history = new Map<string, Assignment[]>();
  for (const a of assignments) {
    let list = history.get(a.service_account_id);
    if (!list) history.set(a.service_account_id, (list = []));
    list.push({ from: a.from, to: a.to, project: a.project_id ?? '' });
    if (a.to === OPEN_END) current.set(a.service_account_id, a.project_id ?? '');
  }
  for (const list of history.values()) list.sort((x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : 0));
  for (const a of accounts) current.set(a._id, a.project_id ?? '');

  const projectGroup = new Map(projects.map((p) => [p._id, p.project_group_id ?? '']));
  const parent = new Map(groups.map((g) => [g._id, g.parent_group_id ?? '']));
  const chains = new Map<string, string[]>();

  const currentOf = (sa: string) => current.get(sa) ?? '';

  function projectOn(sa: string, date: string): string {
    if (mode === 'FOLLOW_ACCOUNT') return currentOf(sa);
    const list = history.get(sa);
    if (!list || list.length === 0) return currentOf(sa);
    if (date < list[0].from) return list[0].project;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const a = list[mid];
      if (date < a.from) hi = mid - 1;
      else if (date > a.to) lo = mid + 1;
      else return a.project;
    }
    return '';
  }

  /** Dates from which the project may change (the first assignment reaches back). */
  function boundaries(sa: string): string[] {
    const list = history.get(sa) ?? [];
    const out: string[] = [];
    list.forEach((a, i) => {
      if (i > 0) out.push(a.from);
      if (a.to !== OPEN_END) out.push(addDays(a.to, 1));
    });
    return out;
  }

  return {
    mode,
    projectOn,
    projectsIn(sa, start, end) {
      const out = new Set([projectOn(sa, start)]);
      if (mode === 'AS_OF_DATE') for (const b of boundaries(sa)) if (b > start && b <= end) out.add(projectOn(sa, b));
      return out;
    },
    changesWithin(sa, start, end) {
      if (mode === 'FOLLOW_ACCOUNT') return false;
      return boundaries(sa).some((b) => b > start && b <= end);
    },
    groupOf: (projectId) => projectGroup.get(projectId) ?? '',
    groupsOf(projectId) {
      let chain = chains.get(projectId);
      if (!chain) {
        chain = [];
        for (let g = projectGroup.get(projectId) ?? ''; g !== '' && !chain.includes(g) && chain.length < MAX_DEPTH; g = parent.get(g) ?? '') chain.push(g);
        chains.set(projectId, chain);
      }
      return chain;
    },
  };
}
