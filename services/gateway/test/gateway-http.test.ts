import { startTestGateway, type GatewayHarness } from '../../../test/support/gateway-harness';
import { eventually, startSuite, type Suite } from '../../../test/support/suite';

const today = new Date().toISOString().slice(0, 10);
const monthAgo = new Date(Date.now() - 31 * 86_400_000).toISOString().slice(0, 10);

/**
 * The HTTP/JSON API of the gateway over real HTTP, in front of identity and billing over real
 * gRPC: SpaceONE routes, API keys, JSON errors with the gRPC code and the field, and no way to
 * the internal RPCs.
 */
describe('gateway: HTTP/JSON', () => {
  let s: Suite;
  let gw: GatewayHarness;
  let key: string;
  let otherKey: string;
  let domainId: string;
  let otherDomainId: string;
  let projectId: string;

  const projectCount = async () => (await gw.post('/identity/project/list', {}, key)).body.total_count as number;

  beforeAll(async () => {
    s = await startSuite();
    gw = await startTestGateway(s);
    const a = await s.identity.root.domains.create({ name: 'Acme' });
    const b = await s.identity.root.domains.create({ name: 'Globex' });
    [key, domainId, otherKey, otherDomainId] = [a.key, a.domain.domainId, b.key, b.domain.domainId];
    await s.identity.as(otherKey).projects.create({ name: 'Globex secret project' });
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await s?.stop();
  }, 30_000);

  it('creates a project from a snake_case body and answers snake_case JSON with defaults, in the key\'s domain', async () => {
    const res = await gw.post('/identity/project/create', { name: 'Web', project_group_id: '' }, key, { 'x-request-id': 'req-http-1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-http-1');
    expect(res.body.project).toMatchObject({ name: 'Web', domain_id: domainId, project_group_id: '' });
    expect(res.body.project.project_id).toMatch(/^project-/);
    projectId = res.body.project.project_id;
  });

  it('registers a Hyper Billing account from a camelCase body; its costs are analyzable once synced', async () => {
    s.fake.addAccount('200000000001');
    const secretData = s.fake.issueCredentials(['200000000001']);
    const created = await gw.post('/identity/service-account/create', { name: 'hb', provider: 'hyperbilling', projectId, secretData }, key);
    expect(created.status).toBe(200);
    expect(created.body.service_account).toMatchObject({ provider: 'hyperbilling', project_id: projectId, domain_id: domainId });
    expect(JSON.stringify(created.body)).not.toContain(secretData.private_key.split('\n')[2]);
    const analyzed = await eventually(
      () => gw.post('/billing/cost/analyze', { granularity: 'GRANULARITY_ACCUMULATED', start: monthAgo, end: today, group_by: ['project_id'] }, key),
      (r) => r.status === 200 && r.body.total !== '0',
      'costs through the gateway',
      60_000,
    );
    expect(analyzed.body.results[0].keys).toEqual({ project_id: projectId });
    expect(analyzed.body.results[0].total).toBe(analyzed.body.total);
  }, 90_000);

  it('a missing project is 400 INVALID_ARGUMENT naming project_id', async () => {
    const res = await gw.post('/identity/service-account/create', { name: 'no project', provider: 'hyperbilling', secret_data: s.fake.issueCredentials(['200000000001']) }, key);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'project_id' } });
    expect(res.body.message).toMatch(/project/i);
  });

  it('a wrong or missing API key is 401 UNAUTHENTICATED', async () => {
    for (const k of ['not-a-key', undefined]) {
      const res = await gw.post('/identity/project/list', {}, k);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    }
  });

  it("another domain's key on this domain's ids is 404 NOT_FOUND; a body naming another domain changes nothing", async () => {
    const res = await gw.post('/identity/project/get', { project_id: projectId }, otherKey);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
    const listed = await gw.post('/identity/project/list', { query: { filter: [{ k: 'domain_id', v: otherDomainId }] } }, key);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain('Globex');
    expect((listed.body.results as { domain_id: string }[]).every((p) => p.domain_id === domainId)).toBe(true);
  });

  it('malformed JSON, unknown fields and wrong types are 400 with the field, and nothing is created', async () => {
    const before = await projectCount();
    const malformed = await gw.post('/identity/project/create', '{"name": "broken"', key);
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'INVALID_ARGUMENT', details: { reason: 'GATEWAY.MALFORMED_JSON' } });
    const unknown = await gw.post('/identity/project/create', { name: 'x', colour: 'red' }, key);
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'colour' } });
    const wrongType = await gw.post('/identity/project/create', { name: 42 }, key);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.details.field).toBe('name');
    expect((await gw.post('/identity/project/create', '[1]', key)).status).toBe(400);
    expect(await projectCount()).toBe(before);
  });

  it('a refused body names the full path at fault, the accepted enum names, and never a secret', async () => {
    const refused = async (path: string, body: unknown) => {
      const res = await gw.post(path, body, key, { 'x-request-id': 'req-http-field' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT', details: { reason: 'GATEWAY.INVALID_JSON_FIELD', request_id: 'req-http-field' } });
      expect(Object.keys(res.body).sort()).toEqual(['code', 'details', 'message']);
      return res.body as { message: string; details: { field: string } };
    };
    const accepted = 'GRANULARITY_DAILY, GRANULARITY_MONTHLY, GRANULARITY_YEARLY, GRANULARITY_ACCUMULATED';
    const short = await refused('/billing/cost/analyze', { granularity: 'MONTHLY', start: monthAgo, end: today });
    expect(short).toMatchObject({ details: { field: 'granularity' }, message: `granularity: "MONTHLY" is not a Granularity value; accepted: ${accepted} (did you mean GRANULARITY_MONTHLY?)` });
    expect((await refused('/billing/cost/analyze', { granularity: 'BOGUS' })).details.field).toBe('granularity');

    expect(await refused('/identity/project/list', { query: { filter: [{ k: 'name', v: 'Web', o: 'eq' }, { k: 3, v: 'x', o: 'eq' }] } })).toMatchObject({
      details: { field: 'query.filter[1].k' },
      message: 'query.filter[1].k: expected string, got 3',
    });
    expect((await refused('/identity/project/list', { query: { page: { start: 'abc' } } })).details.field).toBe('query.page.start');
    expect((await refused('/identity/project/list', { query: 'abc' })).details.field).toBe('query');
    expect((await refused('/identity/project/list', { query: { filterOr: [{ k: 'name', v: 'x', op: 'eq' }] } })).details.field).toBe('query.filter_or[0].op');

    const before = await projectCount();
    expect((await refused('/identity/project/create', { name: 'tagged', tags: 'red' })).details.field).toBe('tags');
    expect(await projectCount()).toBe(before);
    const secret = 'hunter2-not-an-object';
    for (const [field, body] of [
      ['data', { name: 'x', provider: 'hyperbilling', project_id: projectId, data: 'x', secret_data: { private_key: secret } }],
      ['secret_data', { name: 'x', provider: 'hyperbilling', project_id: projectId, secret_data: secret }],
      ['secret_data', { name: 'x', provider: 'hyperbilling', project_id: projectId, secretData: [secret] }],
    ] as const) {
      const res = await refused('/identity/service-account/create', body);
      expect(res.details.field).toBe(field);
      expect(JSON.stringify(res)).not.toContain('hunter2');
    }
  });

  it('an Analyze without granularity is refused by billing as missing, naming the JSON values, not an internal number', async () => {
    const res = await gw.post('/billing/cost/analyze', { start: monthAgo, end: today }, key);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'granularity' } });
    expect(res.body.message).toBe('granularity: missing; give one of GRANULARITY_DAILY, GRANULARITY_MONTHLY, GRANULARITY_YEARLY, GRANULARITY_ACCUMULATED');
  });

  it('a body over the limit is 413 RESOURCE_EXHAUSTED and not forwarded', async () => {
    const before = await projectCount();
    const res = await gw.post('/identity/project/create', { name: 'x'.repeat(1024 * 1024 + 10) }, key);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('RESOURCE_EXHAUSTED');
    expect(await projectCount()).toBe(before);
  });

  it('internal RPCs and unknown routes are 404 JSON; other verbs than POST are 405', async () => {
    for (const path of ['/identity/secret/get-data', '/identity/secret/rewrap', '/identity/auth/verify', '/billing/nothing/here', '/plugin/data-source-plugin/init']) {
      const res = await gw.post(path, {}, key);
      expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 404, code: 'NOT_FOUND' });
    }
    expect((await gw.post('/identity/secret/list', {}, key)).status).toBe(200);
    expect((await fetch(`${gw.httpUrl}/identity/project/list`)).status).toBe(405);
    expect(await (await fetch(`${gw.httpUrl}/healthz`)).json()).toEqual({ status: 'SERVING' });
  });

  it('CORS is off by default and on for the configured origins, preflight included', async () => {
    const origin = 'https://console.example';
    const preflight = (url: string, from: string) =>
      fetch(`${url}/identity/project/list`, { method: 'OPTIONS', headers: { origin: from, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    expect((await preflight(gw.httpUrl, origin)).headers.get('access-control-allow-origin')).toBeNull();
    expect((await gw.post('/identity/project/list', {}, key, { origin })).headers.get('access-control-allow-origin')).toBeNull();

    const cors = await startTestGateway(s, { TALLY_CORS_ORIGINS: `${origin}, https://other.example` });
    try {
      const ok = await preflight(cors.httpUrl, origin);
      expect(ok.status).toBe(204);
      expect(ok.headers.get('access-control-allow-origin')).toBe(origin);
      expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
      expect(ok.headers.get('access-control-allow-headers')).toContain('authorization');
      expect((await cors.post('/identity/project/list', {}, key, { origin })).headers.get('access-control-allow-origin')).toBe(origin);
      expect((await preflight(cors.httpUrl, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await cors.stop();
    }
  });

  it('a backend down is 503 UNAVAILABLE, and /healthz says NOT_SERVING', async () => {
    const down = await startTestGateway(s, { TALLY_BILLING_ENDPOINT: '127.0.0.1:1', TALLY_HEALTH_INTERVAL_MS: '100', TALLY_GATEWAY_DEADLINE_MS: '2000' });
    try {
      const res = await down.post('/billing/cost/analyze', { granularity: 'GRANULARITY_ACCUMULATED', start: monthAgo, end: today }, key);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('UNAVAILABLE');
      const health = await eventually(() => fetch(`${down.httpUrl}/healthz`), (r) => r.status === 503, 'healthz to turn 503', 5_000);
      expect(await health.json()).toEqual({ status: 'NOT_SERVING' });
      expect((await down.post('/identity/project/list', {}, key)).status).toBe(200);
    } finally {
      await down.stop();
    }
  });

  it('never logs the API key; counts requests in its metrics', async () => {
    expect(gw.logs.join('\n')).not.toContain(key);
    const metrics = await (await fetch(`http://127.0.0.1:${gw.app.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/http_requests_total\{route="\/identity\/project\/create",status="200"\}/);
    expect(metrics).toMatch(/grpc_client_handled_total\{[^}]*grpc_service="tally.identity.v1.ProjectService"/);
  });
});
