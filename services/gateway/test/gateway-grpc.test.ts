import { execFile } from 'node:child_process';
import { connect } from 'node:http2';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Metadata, status } from '@grpc/grpc-js';
import * as costPb from '../../../gen/tally/billing/v1/cost';
import * as projectPb from '../../../gen/tally/identity/v1/project';
import * as secretPb from '../../../gen/tally/identity/v1/secret';
import * as serviceAccountPb from '../../../gen/tally/identity/v1/service_account';
import * as authPb from '../../../gen/tally/identity/v1/auth';
import { CLIENT_OPTIONS, insecure, unary } from '../../../lib/grpc/client';
import { healthClientConstructor } from '../../../lib/grpc/health';
import { startTestGateway, type GatewayHarness } from '../../../test/support/gateway-harness';
import { api, codeOf, type Api } from '../../../test/support/grpc-clients';
import { frame } from '../upstream/forward';
import { eventually, startSuite, type Suite } from '../../../test/support/suite';

const run = promisify(execFile);
const BUF = join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'buf');
const today = new Date().toISOString().slice(0, 10);
const monthAgo = new Date(Date.now() - 31 * 86_400_000).toISOString().slice(0, 10);

/**
 * The gRPC face of the gateway: the generated clients, pointed at the gateway instead of the
 * backends, work unchanged; codes and trailers come back as the backends sent them.
 */
describe('gateway: gRPC proxy', () => {
  let s: Suite;
  let gw: GatewayHarness;
  let key: string;
  let otherKey: string;
  let domainId: string;
  let projectId: string;
  const opened: { close(): void }[] = [];
  const via = (module: Record<string, unknown>, Ctor: Parameters<typeof api>[1], credential?: string): Api => {
    const c = api(module, Ctor, gw.grpcAddress, credential);
    opened.push(c);
    return c;
  };

  beforeAll(async () => {
    s = await startSuite();
    gw = await startTestGateway(s);
    const a = await s.identity.root.domains.create({ name: 'Acme' });
    const b = await s.identity.root.domains.create({ name: 'Globex' });
    [key, domainId, otherKey] = [a.key, a.domain.domainId, b.key];
  }, 60_000);
  afterAll(async () => {
    for (const c of opened) c.close();
    await gw?.stop();
    await s?.stop();
  }, 30_000);

  it('creates a project and a Hyper Billing account, and analyzes its costs once synced', async () => {
    const project = (await via(projectPb, projectPb.ProjectServiceClient, key).create({ name: 'Web' })).project;
    expect(project.domainId).toBe(domainId);
    projectId = project.projectId;
    s.fake.addAccount('300000000001');
    const sa = await via(serviceAccountPb, serviceAccountPb.ServiceAccountServiceClient, key).create({
      name: 'hb',
      provider: 'hyperbilling',
      projectId,
      secretData: s.fake.issueCredentials(['300000000001']),
    });
    expect(sa.serviceAccount).toMatchObject({ projectId, domainId });
    const costs = via(costPb, costPb.CostServiceClient, key);
    const res = await eventually(
      () => costs.analyze({ granularity: costPb.Granularity.GRANULARITY_ACCUMULATED, start: monthAgo, end: today }),
      (r: { total: string; results: unknown[] }) => r.total !== '0' && r.total !== '',
      'costs through the gateway',
      60_000,
    );
    expect(res.results.length).toBeGreaterThan(0);
  }, 90_000);

  it('passes codes and trailers back: a missing project is INVALID_ARGUMENT on project_id', async () => {
    const err = await codeOf(
      via(serviceAccountPb, serviceAccountPb.ServiceAccountServiceClient, key).create({
        name: 'no project',
        provider: 'hyperbilling',
        secretData: s.fake.issueCredentials(['300000000001']),
      }),
    );
    expect(err).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'project_id' });
    expect(err.reason).toBeTruthy();
  });

  it('a wrong or missing API key is UNAUTHENTICATED; another domain\'s key is NOT_FOUND', async () => {
    expect((await codeOf(via(projectPb, projectPb.ProjectServiceClient, 'wrong').list({}))).code).toBe(status.UNAUTHENTICATED);
    expect((await codeOf(via(projectPb, projectPb.ProjectServiceClient).list({}))).code).toBe(status.UNAUTHENTICATED);
    expect((await codeOf(via(projectPb, projectPb.ProjectServiceClient, otherKey).get({ projectId }))).code).toBe(status.NOT_FOUND);
  });

  it('propagates x-request-id to the backend and back', async () => {
    const client = new projectPb.ProjectServiceClient(gw.grpcAddress, insecure(), CLIENT_OPTIONS);
    const metadata = new Metadata();
    metadata.set('x-request-id', 'req-grpc-1');
    try {
      const err = (await unary(client, client.get, { projectId: 'project-nope' }, { credential: key, metadata }).catch((e: unknown) => e)) as {
        code: number;
        metadata: Metadata;
      };
      expect(err.code).toBe(status.NOT_FOUND);
      expect(err.metadata.get('x-request-id')).toEqual(['req-grpc-1']);
    } finally {
      client.close();
    }
  });

  it('internal RPCs are UNIMPLEMENTED, even with a valid key', async () => {
    expect((await codeOf(via(secretPb, secretPb.SecretServiceClient, key).getData({ secretId: 'secret-x', domainId }))).code).toBe(status.UNIMPLEMENTED);
    expect((await codeOf(via(secretPb, secretPb.SecretServiceClient, key).rewrap({}))).code).toBe(status.UNIMPLEMENTED);
    expect((await codeOf(via(authPb, authPb.AuthServiceClient, key).verify({ credential: key }))).code).toBe(status.UNIMPLEMENTED);
    expect((await via(secretPb, secretPb.SecretServiceClient, key).list({})).totalCount).toBeGreaterThanOrEqual(1);
  });

  it('reflection lists only the public services and describes no internal method; health answers', async () => {
    const url = `http://${gw.grpcAddress}`;
    const { stdout } = await run(BUF, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', '--list-services', url]);
    const services = stdout.trim().split('\n').sort();
    expect(services).toEqual(
      [
        ...['ApiKey', 'Domain', 'Project', 'ProjectGroup', 'Provider', 'Secret', 'ServiceAccount'].map((n) => `tally.identity.v1.${n}Service`),
        ...['Cost', 'DataSource', 'ExchangeRate', 'Job', 'Settings'].map((n) => `tally.billing.v1.${n}Service`),
        'grpc.health.v1.Health',
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
      ].sort(),
    );
    const methods = (await run(BUF, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', '--list-methods', url])).stdout.trim().split('\n');
    expect(methods).toContain('tally.billing.v1.CostService/Analyze');
    expect(methods.filter((m) => m.startsWith('tally.identity.v1.SecretService/')).sort()).toEqual(
      ['Get', 'List', 'Stat'].map((m) => `tally.identity.v1.SecretService/${m}`),
    );

    const Health = healthClientConstructor();
    const health = new Health(gw.grpcAddress, insecure());
    try {
      const res = await new Promise<{ status: string }>((resolve, reject) =>
        health.check({ service: '' }, (err: Error | null, r: { status: string }) => (err ? reject(err) : resolve(r))),
      );
      expect(res.status).toBe('SERVING');
    } finally {
      health.close();
    }
  }, 30_000);

  /** One call over a raw HTTP/2 stream: what a client in any language could send. */
  async function rawCall(headers: Record<string, string>, body: Buffer): Promise<{ head: Record<string, unknown>; trailers: Record<string, unknown>; data: Buffer }> {
    const session = connect(`http://${gw.grpcAddress}`);
    try {
      return await new Promise((resolve, reject) => {
        const stream = session.request({ ':method': 'POST', 'content-type': 'application/grpc', te: 'trailers', ...headers });
        let head: Record<string, unknown> = {};
        let trailers: Record<string, unknown> = {};
        const data: Buffer[] = [];
        stream.on('response', (h) => (head = h));
        stream.on('trailers', (t) => (trailers = t));
        stream.on('data', (c: Buffer) => data.push(c));
        stream.on('error', () => undefined);
        stream.on('close', () => resolve({ head, trailers, data: Buffer.concat(data) }));
        session.on('error', reject);
        stream.end(body);
      });
    } finally {
      session.close();
    }
  }
  /** The gateway's default message limit (TALLY_MAX_MESSAGE_BYTES). */
  const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  it('refuses a request over the message limit with RESOURCE_EXHAUSTED, before the backend sees it', async () => {
    const big = projectPb.ProjectServiceCreateRequest.encode(projectPb.ProjectServiceCreateRequest.fromPartial({ name: 'x'.repeat(MAX_MESSAGE_BYTES + 10) })).finish();
    const { head } = await rawCall({ ':path': '/tally.identity.v1.ProjectService/Create', authorization: `Bearer ${key}` }, frame(big));
    expect(head).toMatchObject({ 'grpc-status': String(status.RESOURCE_EXHAUSTED), 'tally-error-reason': 'REQUEST_TOO_LARGE' });
    expect(decodeURIComponent(String(head['grpc-message']))).toMatch(/larger than the limit of \d+ bytes/);
    const names = (await via(projectPb, projectPb.ProjectServiceClient, key).list({})).results.map((p: { name: string }) => p.name);
    expect(names.some((n: string) => n.startsWith('xxx'))).toBe(false);
  });

  it('answers a body that is not one length-prefixed message INTERNAL, a non-gRPC request 415, and an unknown path UNIMPLEMENTED', async () => {
    const two = Buffer.concat([frame(new Uint8Array([])), frame(new Uint8Array([]))]);
    const bad = await rawCall({ ':path': '/tally.identity.v1.ProjectService/List', authorization: `Bearer ${key}` }, two);
    expect(bad.head).toMatchObject({ 'grpc-status': String(status.INTERNAL), 'tally-error-reason': 'MALFORMED_REQUEST' });
    const json = await rawCall({ ':path': '/tally.identity.v1.ProjectService/List', 'content-type': 'application/json' }, Buffer.from('{}'));
    expect(json.head[':status']).toBe(415);
    const unknown = await rawCall({ ':path': '/tally.identity.v1.NoSuchService/Get', authorization: `Bearer ${key}` }, frame(new Uint8Array([])));
    expect(unknown.head).toMatchObject({ 'grpc-status': String(status.UNIMPLEMENTED) });
  });

  it('passes gzip-compressed requests through to the backend', async () => {
    const client = new projectPb.ProjectServiceClient(gw.grpcAddress, insecure(), { ...CLIENT_OPTIONS, 'grpc.default_compression_algorithm': 2 });
    try {
      const res = (await unary(client, client.list, {}, { credential: key })) as { results: { projectId: string }[] };
      expect(res.results.map((p) => p.projectId)).toContain(projectId);
    } finally {
      client.close();
    }
  });

  it('relays health Watch, a server stream, from the gateway\'s own server', async () => {
    const Health = healthClientConstructor();
    const health = new Health(gw.grpcAddress, insecure());
    try {
      const first = await new Promise<{ status: string }>((resolve, reject) => {
        const call = health.watch({ service: 'tally.billing.v1.CostService' });
        call.on('data', (m: { status: string }) => {
          resolve(m);
          call.cancel();
        });
        call.on('error', (e: { code: number }) => (e.code === status.CANCELLED ? undefined : reject(e)));
      });
      expect(first.status).toBe('SERVING');
    } finally {
      health.close();
    }
  });
});
