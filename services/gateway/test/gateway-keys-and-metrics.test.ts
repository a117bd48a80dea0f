import { status } from '@grpc/grpc-js';
import * as projectPb from '../../../gen/tally/identity/v1/project';
import { Role } from '../../../gen/tally/identity/v1/role';
import { startTestGateway, type GatewayHarness } from '../../../test/support/gateway-harness';
import { api, codeOf, type Api } from '../../../test/support/grpc-clients';
import { startSuite, type Suite } from '../../../test/support/suite';

/** The gateway's API key cache (a short TTL here) and its Prometheus metrics, over real backends. */
describe('gateway: cached API keys and metrics', () => {
  const CACHE_MS = 400;
  let s: Suite;
  let gw: GatewayHarness;
  let adminKey: string;
  const opened: { close(): void }[] = [];
  const projects = (credential: string): Api => {
    const c = api(projectPb, projectPb.ProjectServiceClient, gw.grpcAddress, credential);
    opened.push(c);
    return c;
  };

  beforeAll(async () => {
    s = await startSuite();
    gw = await startTestGateway(s, { TALLY_GATEWAY_AUTH_CACHE_MS: String(CACHE_MS) });
    adminKey = (await s.identity.root.domains.create({ name: 'Keys' })).key;
  }, 60_000);
  afterAll(async () => {
    for (const c of opened) c.close();
    await gw?.stop();
    await s?.stop();
  }, 30_000);

  it('a deleted key stops working once the cache lets it go; the other keys of the connection keep working', async () => {
    const admin = s.identity.as(adminKey);
    const created = await admin.apiKeys.create({ name: 'short-lived', role: Role.ROLE_DOMAIN_VIEWER });
    const viewer = projects(created.key);
    const adminProjects = projects(adminKey);
    // Both keys on the gateway's connection, alternately: each accepted.
    for (let i = 0; i < 3; i++) {
      expect((await viewer.list({})).totalCount).toBeGreaterThanOrEqual(0);
      expect((await adminProjects.list({})).totalCount).toBeGreaterThanOrEqual(0);
    }
    await admin.apiKeys.delete({ apiKeyId: created.apiKey.apiKeyId });
    await new Promise((r) => setTimeout(r, CACHE_MS + 100));
    expect((await codeOf(viewer.list({}))).code).toBe(status.UNAUTHENTICATED);
    expect((await codeOf(viewer.list({}))).code).toBe(status.UNAUTHENTICATED);
    expect((await adminProjects.list({})).totalCount).toBeGreaterThanOrEqual(0);
  });

  it('exposes the proxied calls in the go-grpc-prometheus families, server and client side', async () => {
    const scrape = async () => (await fetch(`http://127.0.0.1:${gw.app.metricsPort}/metrics`)).text();
    const l = 'grpc_type="unary",grpc_service="tally.identity.v1.ProjectService",grpc_method="Get"';
    const sample = (text: string, name: string, labels: string) => {
      const line = text.split('\n').find((x) => x.startsWith(`${name}{${labels}} `));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const before = await scrape();
    const c = projects(adminKey);
    const project = (await c.create({ name: 'metered' })).project;
    for (let i = 0; i < 3; i++) expect((await c.get({ projectId: project.projectId })).project.name).toBe('metered');
    expect((await codeOf(c.get({ projectId: 'project-missing' }))).code).toBe(status.NOT_FOUND);
    expect((await codeOf(projects('no-such-key').get({ projectId: project.projectId }))).code).toBe(status.UNAUTHENTICATED);
    const after = await scrape();
    const delta = (name: string, labels = l) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('grpc_server_started_total')).toBe(5);
    expect(delta('grpc_server_handled_total', `${l},grpc_code="OK"`)).toBe(3);
    expect(delta('grpc_server_handled_total', `${l},grpc_code="NotFound"`)).toBe(1);
    expect(delta('grpc_server_handled_total', `${l},grpc_code="Unauthenticated"`)).toBe(1);
    expect(delta('grpc_server_msg_received_total')).toBe(5);
    expect(delta('grpc_server_msg_sent_total')).toBe(3);
    expect(delta('grpc_server_handling_seconds_count')).toBe(5);
    expect(delta('grpc_server_handling_seconds_bucket', `le="+Inf",${l}`)).toBe(5);
    // The unauthenticated call never left the gateway.
    expect(delta('grpc_client_started_total')).toBe(4);
    expect(delta('grpc_client_handled_total', `${l},grpc_code="OK"`)).toBe(3);
    expect(delta('grpc_client_handled_total', `${l},grpc_code="NotFound"`)).toBe(1);
    expect(delta('grpc_client_msg_sent_total')).toBe(4);
    expect(delta('grpc_client_msg_received_total')).toBe(3);
    expect(delta('grpc_client_handling_seconds_count')).toBe(4);
    expect(after).toContain('# TYPE grpc_server_handling_seconds histogram');
    expect(after).toContain('# TYPE grpc_client_handled_total counter');
  });
});
