import { status } from '@grpc/grpc-js';
import { codeOf } from '../../../test/support/grpc-clients';
import { startTestIdentity, type IdentityClients, type IdentityHarness } from '../../../test/support/identity';

/** Rules every resource service keeps, checked on each of them. */
describe('identity: every resource service keeps the contract conventions', () => {
  let h: IdentityHarness;
  let admin: IdentityClients;
  let other: IdentityClients;
  const ids: Record<string, Record<string, string>> = {};
  beforeAll(async () => {
    h = await startTestIdentity();
    const mine = await h.root.domains.create({ name: 'Mine' });
    admin = h.as(mine.key);
    other = h.as((await h.root.domains.create({ name: 'Theirs' })).key);
    const group = (await admin.groups.create({ name: 'g' })).projectGroup;
    const project = (await admin.projects.create({ name: 'p', projectGroupId: group.projectGroupId })).project;
    const sa = (
      await admin.accounts.create({
        name: 'a',
        provider: 'aws',
        projectId: project.projectId,
        data: { account_id: '111122223333' },
        secretData: { aws_access_key_id: 'AKIAAAAAAAAAAAAAAAAA', aws_secret_access_key: 'abcdefghijklmnopqrstuvwxyz' },
      })
    ).serviceAccount;
    ids.groups = { projectGroupId: group.projectGroupId };
    ids.projects = { projectId: project.projectId };
    ids.accounts = { serviceAccountId: sa.serviceAccountId };
    ids.secrets = { secretId: sa.secretId };
    ids.apiKeys = { apiKeyId: mine.apiKey.apiKeyId };
    ids.providers = { provider: 'aws' };
  });
  afterAll(() => h.stop());

  const services = ['groups', 'projects', 'accounts', 'secrets', 'apiKeys', 'providers'] as const;

  it.each(services)('%s: List and Stat reject unknown fields and operators', async (svc) => {
    const c = admin[svc];
    expect(await codeOf(c.list({ query: { filter: [{ k: 'no_such_field', v: 'x' }] } }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      field: 'query.filter[0].k',
    });
    expect(await codeOf(c.list({ query: { filter: [{ k: 'created_at', v: 'x', o: 'sounds_like' }] } }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      field: 'query.filter[0].o',
    });
    expect(await codeOf(c.stat({ query: { groupBy: ['no_such_field'], fields: [{ name: 'n', operator: 'count' }] } }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
    const stat = await c.stat({ query: { fields: [{ name: 'n', operator: 'count' }] } });
    expect(stat.result.results[0].n).toBeGreaterThanOrEqual(1);
  });

  it.each(services.filter((s) => s !== 'providers'))("%s: Get of another domain's id is NOT_FOUND", async (svc) => {
    expect((await codeOf(other[svc].get(ids[svc]))).code).toBe(status.NOT_FOUND);
    await expect(admin[svc].get(ids[svc])).resolves.toBeTruthy();
  });

  it.each([
    ['groups', 'create', { name: 'x'.repeat(300 * 1024) }],
    ['projects', 'create', { name: 'x'.repeat(300 * 1024) }],
    ['accounts', 'create', { name: 'big', provider: 'aws', data: { blob: 'x'.repeat(300 * 1024) } }],
    ['accounts', 'updateSecretData', { serviceAccountId: 'sa-x', secretData: { blob: 'x'.repeat(300 * 1024) } }],
    ['providers', 'create', { provider: 'big', name: 'big', accountSchema: { description: 'x'.repeat(300 * 1024) } }],
    ['apiKeys', 'create', { name: 'x'.repeat(300 * 1024) }],
  ] as const)('%s.%s: an oversized message is RESOURCE_EXHAUSTED', async (svc, method, req) => {
    expect((await codeOf(admin[svc][method](req))).code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it.each(services)('%s: a call without a credential is UNAUTHENTICATED', async (svc) => {
    expect((await codeOf(h.as()[svc].list({}))).code).toBe(status.UNAUTHENTICATED);
  });
});
