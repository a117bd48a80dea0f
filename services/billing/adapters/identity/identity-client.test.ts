import { createServer, type Server } from 'node:net';
import { Role } from '../../../../gen/tally/identity/v1/role';
import { DomainError } from '../../../../lib/errors/domain-error';
import { createMemoryLogger } from '../../../../lib/log/logger';
import { startTestIdentity, type IdentityClients, type IdentityHarness } from '../../../../test/support/identity';
import { rsaKeyPair } from '../../../../test/support/keys';
import { createIdentityClient, type IdentityClient } from './identity-client';

describe('billing: identity client over gRPC, against a running identity', () => {
  let h: IdentityHarness;
  let admin: IdentityClients;
  let domainId: string;
  let otherDomainId: string;
  let otherSecretId: string;
  let hbAccount: { serviceAccountId: string; secretId: string };
  let client: IdentityClient;
  const { logger, lines } = createMemoryLogger('billing', 'debug');
  const opened: IdentityClient[] = [];
  const { privateKey } = rsaKeyPair();
  const hbCredentials = { account_id: 'hb-1001', client_email: 'ops@example.com', private_key: privateKey };
  const ACCOUNTS = 121;

  const open = (over: Partial<Parameters<typeof createIdentityClient>[0]> = {}) => {
    const c = createIdentityClient({ endpoint: h.address, internalSecret: h.config.TALLY_INTERNAL_TOKEN_SECRET, logger, ...over });
    opened.push(c);
    return c;
  };

  beforeAll(async () => {
    h = await startTestIdentity();
    const created = await h.root.domains.create({ name: 'Billing client' });
    domainId = created.domain.domainId;
    admin = h.as(created.key);
    const group = (await admin.groups.create({ name: 'Company' })).projectGroup;
    const project = (await admin.projects.create({ name: 'Shop', projectGroupId: group.projectGroupId })).project;
    hbAccount = (await admin.accounts.create({ name: 'HB', provider: 'hyperbilling', projectId: project.projectId, secretData: hbCredentials })).serviceAccount;
    for (let i = 1; i < ACCOUNTS; i++) {
      await admin.accounts.create({
        name: `aws ${i}`,
        provider: 'aws',
        projectId: project.projectId,
        data: { account_id: String(100000000000 + i) },
        secretData: { aws_access_key_id: `AKIAEXAMPLE${String(i).padStart(6, '0')}`, aws_secret_access_key: `secret-${i}-abcdefghijklmnop` },
      });
    }
    const other = await h.root.domains.create({ name: 'Other' });
    otherDomainId = other.domain.domainId;
    const otherAdmin = h.as(other.key);
    const p2 = (await otherAdmin.projects.create({ name: 'Elsewhere' })).project;
    otherSecretId = (await otherAdmin.accounts.create({ name: 'HB2', provider: 'hyperbilling', projectId: p2.projectId, secretData: hbCredentials })).serviceAccount
      .secretId;
    client = open();
  }, 120_000);

  afterAll(async () => {
    for (const c of opened) c.close();
    await h?.stop();
  });

  it('reads a secret with its own SYSTEM token', async () => {
    expect(await client.getSecretData(domainId, hbAccount.secretId)).toEqual(hbCredentials);
  });

  it('a secret of another domain is NOT_FOUND; a token signed with the wrong secret is UNAUTHENTICATED', async () => {
    const err = await client.getSecretData(domainId, otherSecretId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ kind: 'NOT_FOUND' });
    expect(await client.getSecretData(otherDomainId, otherSecretId)).toEqual(hbCredentials);
    const forged = open({ internalSecret: 'not-the-secret' });
    await expect(forged.getSecretData(domainId, hbAccount.secretId)).rejects.toMatchObject({ kind: 'UNAUTHENTICATED' });
    expect(lines.join('\n')).not.toContain(privateKey.split('\n')[3]);
  });

  it.each([50, 100, undefined])('lists every service account of a domain, paging (page size %p)', async (pageSize) => {
    const c = pageSize ? open({ pageSize }) : client;
    const accounts = await c.listServiceAccounts(domainId);
    expect(accounts).toHaveLength(ACCOUNTS);
    expect(new Set(accounts.map((a) => a.serviceAccountId)).size).toBe(ACCOUNTS);
    expect(accounts.find((a) => a.serviceAccountId === hbAccount.serviceAccountId)).toMatchObject({
      provider: 'hyperbilling',
      secretId: hbAccount.secretId,
      data: { account_id: 'hb-1001' },
    });
    expect(accounts.filter((a) => a.provider === 'aws').every((a) => /^1\d{11}$/.test(String(a.data.account_id)))).toBe(true);
  });

  it('lists domains, projects and project groups', async () => {
    const domains = await open({ pageSize: 1 }).listDomains();
    expect(domains.map((d) => d.domainId)).toEqual(expect.arrayContaining([domainId, otherDomainId]));
    const projects = await client.listProjects(domainId);
    const groups = await client.listProjectGroups(domainId);
    expect(groups).toEqual([{ projectGroupId: expect.stringMatching(/^pg-/), name: 'Company', parentGroupId: '' }]);
    expect(projects).toEqual([{ projectId: expect.stringMatching(/^project-/), name: 'Shop', projectGroupId: groups[0]!.projectGroupId }]);
  });

  it('verifies an API key, caches the answer for its TTL, and never logs the credential', async () => {
    const viewer = await admin.apiKeys.create({ name: 'ro', role: Role.ROLE_DOMAIN_VIEWER });
    const cached = open({ verifyCacheTtlMs: 60_000 });
    const uncached = open({ verifyCacheTtlMs: 0 });
    const expected = { domainId, role: 'DOMAIN_VIEWER', projectIds: [], subject: viewer.apiKey.apiKeyId };
    expect(await cached.verify(viewer.key)).toEqual(expected);
    expect(await uncached.verify(viewer.key)).toEqual(expected);
    await admin.apiKeys.delete({ apiKeyId: viewer.apiKey.apiKeyId });
    expect(await cached.verify(viewer.key)).toEqual(expected);
    expect(await uncached.verify(viewer.key)).toBeNull();
    expect(await client.verify('tally_not-a-key')).toBeNull();
    expect(await client.verify('')).toBeNull();
    expect(lines.join('\n')).not.toContain(viewer.key);
  });

  it('every call has a deadline: an identity that never answers fails fast, naming the method and not the credential', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    const stuck = open({ endpoint: `127.0.0.1:${port}`, deadlineMs: 300 });
    const started = Date.now();
    const err = await stuck.verify('tally_secret-credential-xyz').catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toMatch(/DEADLINE_EXCEEDED|UNAVAILABLE/);
    expect((err as DomainError).message).toContain('AuthService.Verify');
    await expect(stuck.listDomains()).rejects.toMatchObject({ message: expect.stringContaining('DomainService.List') });
    expect(lines.join('\n')).not.toContain('secret-credential-xyz');
    stuck.close();
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });
});
