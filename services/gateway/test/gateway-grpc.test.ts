import { execFile } from 'node:child_process';
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
});
