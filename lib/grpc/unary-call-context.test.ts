import { makeGenericClientConstructor, Metadata, Server, ServerCredentials, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { ProjectServiceService } from '../../gen/tally/identity/v1/project';
import type { Principal } from '../auth/principal';
import { createMemoryLogger } from '../log/logger';
import { bindService } from './bind-service';
import type { CallContext } from './call-context';
import { UnaryCallContext } from './unary-call-context';

const alice: Principal = { subject: 'key:alice', domainId: 'domain-a', role: 'DOMAIN_ADMIN', projectIds: [] };

describe('UnaryCallContext', () => {
  it('makes its child logger on first use, once, bound to the request id and method', () => {
    const { logger, lines } = createMemoryLogger();
    const ctx = new UnaryCallContext('req-1', new Metadata(), logger, '/svc/M');
    expect(ctx.logger).toBe(ctx.logger);
    ctx.logger.info('hello');
    expect(JSON.parse(lines[0])).toMatchObject({ request_id: 'req-1', method: '/svc/M', msg: 'hello' });
  });

  it('aborts its signal on a cancel while the handler runs, whether the signal was read before or after', () => {
    const before = new UnaryCallContext('r', new Metadata(), createMemoryLogger().logger, 'm');
    const signal = before.signal;
    expect(signal.aborted).toBe(false);
    before.cancel();
    expect(signal.aborted).toBe(true);

    const after = new UnaryCallContext('r', new Metadata(), createMemoryLogger().logger, 'm');
    after.cancel();
    expect(after.signal.aborted).toBe(true);
  });

  it('ignores the cancel grpc-js reports once a finished call\'s stream closes', () => {
    const ctx = new UnaryCallContext('r', new Metadata(), createMemoryLogger().logger, 'm');
    const signal = ctx.signal;
    ctx.finish();
    ctx.cancel();
    expect(signal.aborted).toBe(false);
  });
});

describe('bindService over gRPC', () => {
  const Client = makeGenericClientConstructor({ get: ProjectServiceService.get }, 'tally.identity.v1.ProjectService');
  let server: Server;
  let client: InstanceType<typeof Client>;
  let seen: { ctx?: CallContext; aborted?: boolean; release?: () => void } = {};

  beforeAll(async () => {
    server = new Server();
    server.addService(
      { get: ProjectServiceService.get },
      bindService(
        { get: ProjectServiceService.get },
        {
          get: async (_req: unknown, ctx: CallContext) => {
            seen.ctx = ctx;
            if (ctx.metadata.get('x-wait')[0] === 'abort') {
              await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
              seen.aborted = ctx.signal.aborted;
            }
            return { project: undefined };
          },
        } as never,
        { authenticate: async () => alice, logger: createMemoryLogger().logger },
      ),
    );
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  });
  afterAll(() => {
    client.close();
    server.forceShutdown();
  });
  beforeEach(() => (seen = {}));

  const get = (md: Metadata) =>
    new Promise<unknown>((resolve, reject) => {
      const call = (client as unknown as Record<string, (...a: unknown[]) => { cancel(): void }>).get({ projectId: 'p' }, md, (err: ServiceError | null, res: unknown) => (err ? reject(err) : resolve(res)));
      seen.release = () => call.cancel();
    });

  it('aborts the handler\'s signal when the client cancels', async () => {
    const md = new Metadata();
    md.set('x-wait', 'abort');
    const pending = get(md);
    for (let i = 0; i < 100 && !seen.ctx; i++) await new Promise((r) => setTimeout(r, 10));
    seen.release!();
    await expect(pending).rejects.toMatchObject({ code: status.CANCELLED });
    for (let i = 0; i < 100 && seen.aborted === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen.aborted).toBe(true);
  });

  it('leaves a finished call\'s signal alone when grpc-js reports its stream closed', async () => {
    await get(new Metadata());
    const signal = seen.ctx!.signal;
    await new Promise((r) => setTimeout(r, 100));
    expect(signal.aborted).toBe(false);
    expect(seen.ctx!.principal).toBe(alice);
  });
});
