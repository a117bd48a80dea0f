import { status } from '@grpc/grpc-js';
import * as costPb from '../../gen/tally/billing/v1/cost';
import * as jobPb from '../../gen/tally/billing/v1/job';
import * as projectPb from '../../gen/tally/identity/v1/project';
import * as projectGroupPb from '../../gen/tally/identity/v1/project_group';
import * as providerPb from '../../gen/tally/identity/v1/provider';
import * as serviceAccountPb from '../../gen/tally/identity/v1/service_account';
import type { GatewayHarness } from '../support/gateway-harness';
import { api, codeOf, type Api } from '../support/grpc-clients';

export type Condition = { k: string; v: string };
export type Credentials = { account_id: string; client_email: string; private_key: string };

/** A failure as both transports can tell it: the gRPC code's name, the field, the HTTP status. */
export interface Failure {
  code: string;
  field?: string;
  message: string;
  httpStatus?: number;
}

/** The calls of the user's flow, over one transport of the gateway, as one API key. */
export interface Transport {
  kind: 'http' | 'grpc';
  providers(): Promise<{ provider: string; isBilling: boolean; builtIn: boolean }[]>;
  createGroup(name: string, parentId?: string): Promise<string>;
  createProject(name: string, groupId?: string): Promise<string>;
  createAccount(name: string, projectId: string | undefined, creds: Credentials): Promise<string>;
  moveAccount(id: string, projectId: string): Promise<void>;
  deleteAccount(id: string): Promise<void>;
  getProject(id: string): Promise<unknown>;
  /** States of the account's sync jobs, as JobState names without the prefix. */
  jobStates(accountId: string): Promise<string[]>;
  /** Accumulated total over the window, filtered. */
  total(start: string, end: string, filter?: Condition[]): Promise<string>;
  /** Accumulated totals over the window, by one key. */
  totalsBy(start: string, end: string, key: string): Promise<Record<string, string>>;
  /** The failure the promise ends with (throws if it succeeds). */
  failure(p: Promise<unknown>): Promise<Failure>;
  close(): void;
}

export function httpTransport(gw: GatewayHarness, key: string): Transport {
  const call = async (path: string, body: object) => {
    const res = await gw.post(path, body, key);
    if (res.status !== 200) throw Object.assign(new Error(res.body?.message), { res });
    return res.body;
  };
  const analyze = (start: string, end: string, extra: object) => call('/billing/cost/analyze', { granularity: 'GRANULARITY_ACCUMULATED', start, end, ...extra });
  return {
    kind: 'http',
    async providers() {
      const res = await call('/identity/provider/list', {});
      return res.results.map((p: { provider: string; is_billing: boolean; built_in: boolean }) => ({ provider: p.provider, isBilling: p.is_billing, builtIn: p.built_in }));
    },
    createGroup: async (name, parentId) => (await call('/identity/project-group/create', { name, parent_group_id: parentId ?? '' })).project_group.project_group_id,
    createProject: async (name, groupId) => (await call('/identity/project/create', { name, project_group_id: groupId ?? '' })).project.project_id,
    createAccount: async (name, projectId, creds) =>
      (await call('/identity/service-account/create', { name, provider: 'hyperbilling', ...(projectId ? { project_id: projectId } : {}), secret_data: creds })).service_account.service_account_id,
    async moveAccount(id, projectId) {
      await call('/identity/service-account/update', { service_account_id: id, project_id: projectId });
    },
    async deleteAccount(id) {
      await call('/identity/service-account/delete', { service_account_id: id });
    },
    getProject: (id) => call('/identity/project/get', { project_id: id }),
    async jobStates(accountId) {
      const res = await call('/billing/job/list', { query: { filter: [{ k: 'service_account_id', v: accountId }] } });
      return res.results.map((j: { state: string }) => j.state.replace(/^JOB_STATE_/, ''));
    },
    total: async (start, end, filter = []) => (await analyze(start, end, { filter })).total,
    async totalsBy(start, end, key) {
      const res = await analyze(start, end, { group_by: [key] });
      return Object.fromEntries(res.results.map((g: { keys: Record<string, string>; total: string }) => [g.keys[key], g.total]));
    },
    async failure(p) {
      try {
        await p;
      } catch (e) {
        const res = (e as { res?: { status: number; body: { code: string; message: string; details?: { field?: string } } } }).res;
        if (!res) throw e;
        return { code: res.body.code, message: res.body.message, field: res.body.details?.field, httpStatus: res.status };
      }
      throw new Error('expected the call to fail, but it succeeded');
    },
    close() {},
  };
}

/** The generated gRPC clients pointed at the gateway's gRPC port, the key as authorization. */
export function grpcTransport(gw: GatewayHarness, key: string): Transport {
  const opened: { close(): void }[] = [];
  const via = (module: Record<string, unknown>, Ctor: Parameters<typeof api>[1]): Api => {
    const c = api(module, Ctor, gw.grpcAddress, key);
    opened.push(c);
    return c;
  };
  const providers = via(providerPb, providerPb.ProviderServiceClient);
  const groups = via(projectGroupPb, projectGroupPb.ProjectGroupServiceClient);
  const projects = via(projectPb, projectPb.ProjectServiceClient);
  const accounts = via(serviceAccountPb, serviceAccountPb.ServiceAccountServiceClient);
  const jobs = via(jobPb, jobPb.JobServiceClient);
  const costs = via(costPb, costPb.CostServiceClient);
  const analyze = (start: string, end: string, extra: object) => costs.analyze({ granularity: costPb.Granularity.GRANULARITY_ACCUMULATED, start, end, ...extra });
  return {
    kind: 'grpc',
    async providers() {
      const res = await providers.list({});
      return res.results.map((p: { provider: string; isBilling: boolean; builtIn: boolean }) => ({ provider: p.provider, isBilling: p.isBilling, builtIn: p.builtIn }));
    },
    createGroup: async (name, parentId) => (await groups.create({ name, parentGroupId: parentId ?? '' })).projectGroup.projectGroupId,
    createProject: async (name, groupId) => (await projects.create({ name, projectGroupId: groupId ?? '' })).project.projectId,
    createAccount: async (name, projectId, creds) =>
      (await accounts.create({ name, provider: 'hyperbilling', projectId: projectId ?? '', secretData: creds })).serviceAccount.serviceAccountId,
    async moveAccount(id, projectId) {
      await accounts.update({ serviceAccountId: id, projectId });
    },
    async deleteAccount(id) {
      await accounts.delete({ serviceAccountId: id });
    },
    getProject: (id) => projects.get({ projectId: id }),
    async jobStates(accountId) {
      const res = await jobs.list({ query: { filter: [{ k: 'service_account_id', v: accountId }] } });
      return res.results.map((j: { state: jobPb.JobState }) => jobPb.JobState[j.state].replace(/^JOB_STATE_/, ''));
    },
    total: async (start, end, filter = []) => (await analyze(start, end, { filter })).total,
    async totalsBy(start, end, key) {
      const res = await analyze(start, end, { groupBy: [key] });
      return Object.fromEntries(res.results.map((g: { keys: Record<string, string>; total: string }) => [g.keys[key], g.total]));
    },
    async failure(p) {
      const err = await codeOf(p);
      return { code: status[err.code], message: err.details, field: err.field };
    },
    close() {
      for (const c of opened) c.close();
    },
  };
}
