import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { DomainError } from '../../../../lib/errors/domain-error';
import { createMemoryLogger } from '../../../../lib/log/logger';
import { demoPlugin } from '../../../../plugins/demo/plugin';
import { serve, type PluginImpl, type RunningPlugin } from '../../../../plugins/sdk';
import { createPluginGateway, pluginInit, type PluginGateway } from './plugin-gateway';
import { pluginError } from './plugin-errors';

const CANARY = 'CANARY-secret-value-1234';

function grpcError(code: status, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: new Metadata() });
}

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return err;
}

describe('plugin errors', () => {
  const ctx = { endpoint: 'plugin:50061', method: 'GetCostData' as const, secrets: [CANARY] };

  test.each([
    [status.UNAUTHENTICATED, 'PLUGIN.UNAUTHENTICATED', /^the provider rejected the account's credentials; update them \(the plugin said: key \[REDACTED\] revoked\)$/],
    [status.PERMISSION_DENIED, 'PLUGIN.PERMISSION_DENIED', /^the provider refused access to the account's cost data; give the credentials permission/],
    [status.UNAVAILABLE, 'PLUGIN.UNAVAILABLE', /^the cost backend could not be reached through the plugin at plugin:50061; .*next sync will try again/],
    [status.INVALID_ARGUMENT, 'PLUGIN.INVALID_ARGUMENT', /^key \[REDACTED\] revoked$/],
    [status.RESOURCE_EXHAUSTED, 'PLUGIN.RESOURCE_EXHAUSTED', /limits were reached/],
    [status.UNIMPLEMENTED, 'PLUGIN.UNIMPLEMENTED', /does not implement GetCostData/],
    [status.INTERNAL, 'PLUGIN.INTERNAL', /^the plugin at plugin:50061 failed during GetCostData with an internal error/],
  ])('gRPC status %s becomes %s, without the credential', (code, reason, message) => {
    const err = pluginError(grpcError(code, `key ${CANARY} revoked`), ctx) as DomainError;
    expect(err).toBeInstanceOf(DomainError);
    expect(err.reason).toBe(reason);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(CANARY);
  });

  const HINT = "check the data source's plugin endpoint and that the plugin is running there, the next sync will try again";
  test.each([
    ['No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:34649. Resolution note:', 'connect ECONNREFUSED 127.0.0.1:34649'],
    ['No connection established. Last error: Error: connect ETIMEDOUT 10.0.0.9:50051. Resolution note: no DNS', 'connect ETIMEDOUT 10.0.0.9:50051; no DNS'],
    ['Name resolution failed for target dns:nohost:50051', 'the name in dns:nohost:50051 could not be resolved'],
    [`No connection established. Last error: Error: token ${CANARY} refused. Resolution note:`, 'token [REDACTED] refused'],
  ])('a plugin never reached (%s) is said in plain words: endpoint, reason, what to check', (details, why) => {
    const err = pluginError(grpcError(status.UNAVAILABLE, details), ctx) as DomainError;
    expect(err.reason).toBe('PLUGIN.UNAVAILABLE');
    expect(err.message).toBe(`could not connect to the data source's plugin at plugin:50061 (${why}); ${HINT}`);
  });

  test('a dangling "Resolution note:" is dropped from what the plugin said; its own words stay', () => {
    const dropped = pluginError(grpcError(status.UNAVAILABLE, 'Connection dropped. Resolution note:'), ctx) as DomainError;
    expect(dropped.message).toMatch(/\(the plugin said: Connection dropped\)$/);
    const backend = pluginError(grpcError(status.UNAVAILABLE, 'Hyper Billing answered 503: maintenance'), ctx) as DomainError;
    expect(backend.message).toMatch(/\(the plugin said: Hyper Billing answered 503: maintenance\)$/);
  });

  test('errors that are not gRPC errors pass through', () => {
    const e = new TypeError('boom');
    expect(pluginError(e, ctx)).toBe(e);
  });
});

describe('plugin gateway over gRPC', () => {
  let demo: RunningPlugin;
  let stuck: RunningPlugin;
  let gateway: PluginGateway;
  const stuckImpl: PluginImpl = {
    init: (req, ctx) =>
      req.options?.hang ? new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))) : { name: 'stuck', providers: ['demo'], currency: 'USD', pageSize: 1 },
    verify: () => undefined,
    getTasks: () => ({ tasks: [], windows: [] }),
    async *getCostData(_req, ctx) {
      yield [{ billedDate: '2024-06-01', externalAccountId: 'a', provider: 'demo', product: 'p', usageQuantity: '1', cost: '1', currency: 'USD' }];
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    },
  };
  const account = { serviceAccountId: 'sa-1', externalAccountId: 'acct-1', provider: 'demo', data: {} };

  beforeAll(async () => {
    const opts = { logger: createMemoryLogger('p').logger, handleSignals: false, shutdownGraceMs: 200 };
    demo = await serve(demoPlugin(), { name: 'demo', ...opts });
    stuck = await serve(stuckImpl, { name: 'stuck', ...opts });
    gateway = createPluginGateway({ unaryDeadlineMs: 300, pageIdleMs: 300 });
  });
  afterAll(async () => {
    gateway.close();
    await Promise.all([demo.shutdown(), stuck.shutdown()]);
  });

  test('pluginInit answers the providers and currency; the gateway streams pages of rows', async () => {
    const target = `127.0.0.1:${demo.port}`;
    expect(await pluginInit(target, { rows_per_day: 2 })).toEqual({ providers: ['demo'], currency: 'USD' });
    expect(await gateway.pluginInit(target, {})).toEqual({ providers: ['demo'], currency: 'USD' });
    const call = { domainId: 'domain-1', options: { rows_per_day: 2, page_size: 3 }, secretData: {}, account };
    await gateway.verify(target, call);
    const { tasks, windows } = await gateway.getTasks(target, { ...call, startDate: '2024-05-30', endDate: '2024-06-01' });
    expect(tasks.map((t) => [t.startDate, t.endDate])).toEqual([
      ['2024-05-30', '2024-05-31'],
      ['2024-06-01', '2024-06-01'],
    ]);
    expect(windows).toEqual([{ externalAccountId: 'acct-1', startDate: '2024-05-30', endDate: '2024-06-01' }]);
    const pages: number[] = [];
    for await (const page of gateway.getCostData(target, { ...call, task: tasks[0] })) pages.push(page.rows.length);
    expect(pages).toEqual([3, 1]);
  });

  test("the plugin's own INVALID_ARGUMENT message reaches the caller; rejected credentials read as such", async () => {
    const target = `127.0.0.1:${demo.port}`;
    expect(await rejection(gateway.pluginInit(target, { colour: 'blue' }))).toMatchObject({
      reason: 'PLUGIN.INVALID_ARGUMENT',
      message: expect.stringContaining('unknown option "colour"'),
    });
    const err = await rejection(gateway.verify(target, { domainId: 'd', options: {}, secretData: { api_key: 'bad' }, account }));
    expect(err.reason).toBe('PLUGIN.UNAUTHENTICATED');
  });

  test('an unreachable plugin is PLUGIN.UNAVAILABLE; a silent one hits the deadline', async () => {
    expect((await rejection(pluginInit('127.0.0.1:1', {}))).reason).toBe('PLUGIN.UNAVAILABLE');
    const target = `127.0.0.1:${stuck.port}`;
    expect(await rejection(gateway.pluginInit(target, { hang: true }))).toMatchObject({
      reason: 'PLUGIN.DEADLINE_EXCEEDED',
      message: `the plugin at ${target} did not answer Init within 300 ms; the backend may be slow, the next sync will try again`,
    });
    const task = { taskId: 't', startDate: '2024-06-01', endDate: '2024-06-01' };
    const pages: number[] = [];
    const err = await rejection(
      (async () => {
        for await (const page of gateway.getCostData(target, { domainId: 'd', options: {}, secretData: {}, account, task })) pages.push(page.rows.length);
      })(),
    );
    expect(pages).toEqual([1]);
    expect(err).toMatchObject({ reason: 'PLUGIN.DEADLINE_EXCEEDED', message: expect.stringContaining('sent no cost data for 300 ms in task t') });
    expect((await rejection(gateway.pluginInit('', {}))).reason).toBe('PLUGIN.NO_ENDPOINT');
  });
});
