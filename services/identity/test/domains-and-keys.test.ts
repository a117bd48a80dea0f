import { status } from '@grpc/grpc-js';
import { Role } from '../../../gen/tally/identity/v1/role';
import { codeOf } from '../../../test/support/grpc-clients';
import { startTestIdentity, type IdentityHarness } from '../../../test/support/identity';

describe('identity: domains, API keys and authentication over gRPC', () => {
  let h: IdentityHarness;
  beforeAll(async () => {
    h = await startTestIdentity();
  });
  afterAll(() => h.stop());

  it('creates a domain with the root key and shows its admin key once', async () => {
    const res = await h.root.domains.create({ name: 'Acme', tags: { tier: 'gold' } });
    expect(res.domain.domainId).toMatch(/^domain-[0-9a-f]{16}$/);
    expect(res.domain.tags).toEqual({ tier: 'gold' });
    expect(res.key).toMatch(/^tally_[0-9a-f]{16}_/);
    expect(res.apiKey.role).toBe(Role.ROLE_DOMAIN_ADMIN);
    const admin = h.as(res.key);
    const got = await admin.apiKeys.get({ apiKeyId: res.apiKey.apiKeyId });
    // The secret is everything after `tally_<id>_` (it may hold '_' itself).
    const secret = res.key.slice('tally_'.length + 17);
    expect(secret).toHaveLength(43);
    expect(JSON.stringify(got)).not.toContain(secret);
    expect(got.apiKey).not.toHaveProperty('keyHash');
    expect((await admin.domains.get({ domainId: '' })).domain.name).toBe('Acme');
  });

  it('refuses to create a domain without the root key', async () => {
    const { key } = await h.root.domains.create({ name: 'Beta' });
    expect((await codeOf(h.as(key).domains.create({ name: 'Evil' }))).code).toBe(status.PERMISSION_DENIED);
    expect((await codeOf(h.as().domains.create({ name: 'Nobody' }))).code).toBe(status.UNAUTHENTICATED);
    expect((await codeOf(h.as('tally_0000000000000000_' + 'A'.repeat(43)).domains.create({ name: 'x' }))).code).toBe(
      status.UNAUTHENTICATED,
    );
  });

  it('requires a domain name', async () => {
    const e = await codeOf(h.root.domains.create({ name: '  ' }));
    expect(e).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'name' });
  });

  it('verifies credentials into principals for SYSTEM callers only', async () => {
    const { key, domain } = await h.root.domains.create({ name: 'Gamma' });
    const res = await h.root.auth.verify({ credential: key });
    expect(res.principal).toMatchObject({ domainId: domain.domainId, role: Role.ROLE_DOMAIN_ADMIN });
    expect((await codeOf(h.root.auth.verify({ credential: 'nope' }))).code).toBe(status.UNAUTHENTICATED);
    expect((await codeOf(h.as(key).auth.verify({ credential: key }))).code).toBe(status.PERMISSION_DENIED);
  });

  it('creates keys with roles; a viewer cannot write; a deleted key stops working', async () => {
    const { key } = await h.root.domains.create({ name: 'Delta' });
    const admin = h.as(key);
    const viewer = await admin.apiKeys.create({ name: 'ro', role: Role.ROLE_DOMAIN_VIEWER });
    expect(viewer.key).toBeTruthy();
    const asViewer = h.as(viewer.key);
    await expect(asViewer.projects.list({})).resolves.toMatchObject({ totalCount: 0 });
    expect((await codeOf(asViewer.projects.create({ name: 'p' }))).code).toBe(status.PERMISSION_DENIED);
    expect((await codeOf(asViewer.apiKeys.list({}))).code).toBe(status.PERMISSION_DENIED);
    await admin.apiKeys.delete({ apiKeyId: viewer.apiKey.apiKeyId });
    expect((await codeOf(asViewer.projects.list({}))).code).toBe(status.UNAUTHENTICATED);
  });

  it('rejects bad API key requests, naming the field', async () => {
    const { key } = await h.root.domains.create({ name: 'Epsilon' });
    const admin = h.as(key);
    expect(await codeOf(admin.apiKeys.create({ name: 'x', role: Role.ROLE_SYSTEM }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      field: 'role',
    });
    expect(await codeOf(admin.apiKeys.create({ name: 'x', role: Role.ROLE_PROJECT_MEMBER }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      field: 'project_ids',
    });
    expect(await codeOf(admin.apiKeys.create({ name: '', role: Role.ROLE_DOMAIN_VIEWER }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      field: 'name',
    });
    expect(
      await codeOf(admin.apiKeys.create({ name: 'old', role: Role.ROLE_DOMAIN_VIEWER, expiresAt: new Date(Date.now() - 1000) })),
    ).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'expires_at' });
    expect((await admin.apiKeys.list({})).totalCount).toBe(1);
  });

  it('limits a project member to its projects', async () => {
    const { key } = await h.root.domains.create({ name: 'Zeta' });
    const admin = h.as(key);
    const a = (await admin.projects.create({ name: 'A' })).project;
    const b = (await admin.projects.create({ name: 'B' })).project;
    const member = await admin.apiKeys.create({ name: 'm', role: Role.ROLE_PROJECT_MEMBER, projectIds: [a.projectId] });
    const asMember = h.as(member.key);
    const listed = await asMember.projects.list({});
    expect(listed.results.map((p: { projectId: string }) => p.projectId)).toEqual([a.projectId]);
    expect((await codeOf(asMember.projects.get({ projectId: b.projectId }))).code).toBe(status.NOT_FOUND);
    await expect(asMember.projects.get({ projectId: a.projectId })).resolves.toBeTruthy();
  });

  it("answers NOT_FOUND for another domain's key and domain, changing nothing", async () => {
    const one = await h.root.domains.create({ name: 'One' });
    const two = await h.root.domains.create({ name: 'Two' });
    const other = h.as(two.key);
    expect((await codeOf(other.apiKeys.get({ apiKeyId: one.apiKey.apiKeyId }))).code).toBe(status.NOT_FOUND);
    expect((await codeOf(other.apiKeys.delete({ apiKeyId: one.apiKey.apiKeyId }))).code).toBe(status.NOT_FOUND);
    expect((await codeOf(other.domains.get({ domainId: one.domain.domainId }))).code).toBe(status.NOT_FOUND);
    await expect(h.as(one.key).projects.list({})).resolves.toBeTruthy();
  });

  it('lists and stats domains for the root key', async () => {
    const listed = await h.root.domains.list({ query: { filter: [{ k: 'name', v: 'Acme', o: 'eq' }] } });
    expect(listed.results.map((d: { name: string }) => d.name)).toEqual(['Acme']);
    const stat = await h.root.domains.stat({ query: { fields: [{ name: 'n', operator: 'count' }] } });
    expect(stat.result.results[0].n).toBeGreaterThanOrEqual(8);
    expect((await codeOf(h.root.domains.list({ query: { filter: [{ k: 'colour', v: 'x' }] } })))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      field: 'query.filter[0].k',
    });
  });
});
