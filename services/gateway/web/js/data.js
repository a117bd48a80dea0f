// The domain's resources as the pages need them, from the gateway's API.
import { call, listAll } from './api.js';

export const providers = async () => (await call('/identity/provider/list', {})).results || [];
export const provider = async (id) => (await call('/identity/provider/get', { provider: id })).provider;
export const groups = () => listAll('/identity/project-group/list');
export const projects = () => listAll('/identity/project/list');
export const accounts = (filter = []) => listAll('/identity/service-account/list', { filter });
export const dataSources = () => listAll('/billing/data-source/list');
export const jobs = (filter = []) => listAll('/billing/job/list', { filter });

export const analyze = (req) => call('/billing/cost/analyze', req);

export const byId = (items, key) => new Map(items.map((x) => [x[key], x]));

const TIME = (j) => j.finished_at || j.created_at || '';

/**
 * Sync state per service account from its jobs: SYNCED once a job succeeded; otherwise
 * SYNCING, FAILED (with the error) or NOT_SYNCED.
 */
export function syncStates(jobList) {
  const out = new Map();
  const sorted = [...jobList].sort((a, b) => TIME(a).localeCompare(TIME(b)));
  for (const j of sorted) {
    const st = out.get(j.service_account_id) || { state: 'NOT_SYNCED', lastSuccess: '', last: null };
    st.last = j;
    if (j.state === 'JOB_STATE_SUCCESS') st.lastSuccess = TIME(j);
    out.set(j.service_account_id, st);
  }
  for (const st of out.values()) {
    const last = st.last.state;
    st.state = last === 'JOB_STATE_IN_PROGRESS' ? 'SYNCING' : st.lastSuccess ? 'SYNCED' : last === 'JOB_STATE_FAILURE' ? 'FAILED' : 'NOT_SYNCED';
  }
  return out;
}

export const syncOf = (states, accountId) => states.get(accountId) || { state: 'NOT_SYNCED', lastSuccess: '', last: null };

/** "Web / Platform": a project's name with its group path. */
export function groupPath(groupMap, groupId) {
  const names = [];
  for (let id = groupId, n = 0; id && n < 50; n++) {
    const g = groupMap.get(id);
    if (!g) break;
    names.unshift(g.name);
    id = g.parent_group_id;
  }
  return names.join(' / ');
}

export const jobState = (s) => String(s || '').replace(/^JOB_STATE_/, '').replace('_', ' ').toLowerCase();
