import { status } from '@grpc/grpc-js';
import { Event } from '../../../gen/tally/events/v1/events';
import { createMemoryBus } from '../../../lib/events/memory';
import type { Delivery } from '../../../lib/events/port';
import { createEmbeddedStore } from '../../../lib/store/embedded';
import { faultyStore } from '../../../test/support/faulty-store';
import { codeOf } from '../../../test/support/grpc-clients';
import { startTestIdentity, type IdentityClients, type IdentityHarness } from '../../../test/support/identity';
import { rsaKeyPair } from '../../../test/support/keys';

const waitFor = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('identity: service accounts, credentials and their events', () => {
  let h: IdentityHarness;
  let admin: IdentityClients;
  let other: IdentityClients;
  let project: { projectId: string };
  let project2: { projectId: string };
  let store: ReturnType<typeof faultyStore>;
  const bus = createMemoryBus();
  const events: Event[] = [];
  const rawEvents: Delivery[] = [];
  const { privateKey } = rsaKeyPair();
  /** A piece of the private key that must never be seen outside identity. */
  const canary = privateKey.split('\n')[5];
  const responses: unknown[] = [];
  const hbCredentials = { account_id: 'hb-1001', client_email: 'ops@example.com', private_key: privateKey };
  /** Credentials of another Hyper Billing account: a domain registers each billing account once. */
  const hbFor = (account_id: string) => ({ ...hbCredentials, account_id });

  const keep = async <T>(p: Promise<T>): Promise<T> => {
    const r = await p;
    responses.push(r);
    return r;
  };

  beforeAll(async () => {
    store = faultyStore(await createEmbeddedStore());
    await bus.subscribe(
      { durable: 'test', subject: 'tally.identity.>', maxDeliver: 3, deadLetterSubject: 'tally.dlq.test' },
      async (d) => {
        rawEvents.push(d);
        events.push(Event.decode(d.data));
      },
    );
    h = await startTestIdentity({ bus, store });
    admin = h.as((await h.root.domains.create({ name: 'Accounts' })).key);
    other = h.as((await h.root.domains.create({ name: 'Elsewhere' })).key);
    project = (await admin.projects.create({ name: 'Billing A' })).project;
    project2 = (await admin.projects.create({ name: 'Billing B' })).project;
  });
  afterAll(async () => {
    await h.stop();
    await bus.close();
  });

  it('lists the built-in providers with their schemas', async () => {
    const res = await admin.providers.list({});
    const keys = res.results.map((p: { provider: string }) => p.provider);
    expect(keys).toEqual(expect.arrayContaining(['aws', 'google_cloud', 'azure', 'hyperbilling']));
    const hb = (await admin.providers.get({ provider: 'hyperbilling' })).provider;
    expect(hb).toMatchObject({ name: 'Hyper Billing', isBilling: true, builtIn: true });
    expect(hb.credentialSchema.required).toEqual(['account_id', 'client_email', 'private_key']);
  });

  it('registers a Hyper Billing account with its credentials; the secret is never returned', async () => {
    const sa = (await keep(admin.accounts.create({ name: 'HB main', provider: 'hyperbilling', projectId: project.projectId, secretData: hbCredentials })))
      .serviceAccount;
    expect(sa.serviceAccountId).toMatch(/^sa-/);
    expect(sa.secretId).toMatch(/^secret-/);
    expect(sa.data).toEqual({ account_id: 'hb-1001' });
    const got = await keep(admin.accounts.get({ serviceAccountId: sa.serviceAccountId }));
    expect(JSON.stringify(got)).not.toContain(canary);
    const secret = await keep(admin.secrets.get({ secretId: sa.secretId }));
    expect(secret.secret).toMatchObject({ serviceAccountId: sa.serviceAccountId, keyVersion: 1, provider: 'hyperbilling' });
    await waitFor(() => events.some((e) => e.type === 'service_account.created'));
    const created = events.find((e) => e.type === 'service_account.created')!;
    expect(created.payload).toMatchObject({
      $case: 'serviceAccount',
      value: { serviceAccountId: sa.serviceAccountId, projectId: project.projectId, provider: 'hyperbilling' },
    });
  });

  it('requires a project for billing providers, with a clear message', async () => {
    const e = await codeOf(admin.accounts.create({ name: 'no project', provider: 'hyperbilling', secretData: hbCredentials }));
    expect(e).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'project_id', reason: 'SERVICE_ACCOUNT.PROJECT_REQUIRED' });
    expect(e.details).toContain('project_id is required');
    // The missing project is named first, even when the rest of the request is incomplete too.
    const bare = await codeOf(admin.accounts.create({ name: 'bare', provider: 'hyperbilling' }));
    expect(bare).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'project_id' });
  });

  it('validates data and credentials against the provider schemas, never echoing a credential', async () => {
    const base = { name: 'x', provider: 'hyperbilling', projectId: project.projectId };
    const missing = await codeOf(admin.accounts.create({ ...base, secretData: { account_id: 'a', private_key: privateKey } }));
    expect(missing).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'secret_data.client_email' });
    const badKey = await codeOf(admin.accounts.create({ ...base, secretData: { ...hbCredentials, private_key: `not a key ${canary}` } }));
    expect(badKey).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'secret_data.private_key' });
    expect(badKey.details).not.toContain(canary);
    const extra = await codeOf(admin.accounts.create({ ...base, secretData: { ...hbCredentials, password: canary } }));
    expect(extra).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'secret_data.password' });
    expect(extra.details).not.toContain(canary);
    const email = await codeOf(admin.accounts.create({ ...base, secretData: { ...hbCredentials, client_email: 'nope' } }));
    expect(email).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'secret_data.client_email' });
    const aws = await codeOf(admin.accounts.create({ name: 'a', provider: 'aws', projectId: project.projectId, data: { account_id: '12' } }));
    expect(aws).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'data.account_id' });
    const unknown = await codeOf(admin.accounts.create({ name: 'a', provider: 'nimbus', projectId: project.projectId }));
    expect(unknown).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'provider' });
    const noName = await codeOf(admin.accounts.create({ ...base, name: '' }));
    expect(noName).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'name' });
    const ghostProject = await codeOf(admin.accounts.create({ ...base, projectId: 'project-0000000000000000', secretData: hbCredentials }));
    expect(ghostProject.code).toBe(status.NOT_FOUND);
  });

  it('creates the account and its secret together or not at all', async () => {
    const before = (await admin.accounts.list({})).totalCount;
    const secretsBefore = await h.app.store.collection('secrets').count({});
    store.failNextWrite('service_accounts');
    const e = await codeOf(admin.accounts.create({ name: 'half', provider: 'hyperbilling', projectId: project.projectId, secretData: hbFor('hb-half') }));
    expect(e.code).toBe(status.INTERNAL);
    expect(e.details).not.toContain(canary);
    expect((await admin.accounts.list({})).totalCount).toBe(before);
    expect(await h.app.store.collection('secrets').count({})).toBe(secretsBefore);
    store.failNextWrite('secrets');
    await codeOf(admin.accounts.create({ name: 'half', provider: 'hyperbilling', projectId: project.projectId, secretData: hbFor('hb-half') }));
    expect((await admin.accounts.list({})).totalCount).toBe(before);
    expect(await h.app.store.collection('outbox').count({ subject: 'tally.identity.service_account.created' })).toBe(0);
  });

  it('moves an account to another project with a project_changed event', async () => {
    const sa = (await admin.accounts.create({ name: 'mover', provider: 'hyperbilling', projectId: project.projectId, secretData: hbFor('hb-1002') }))
      .serviceAccount;
    const moved = (await keep(admin.accounts.update({ serviceAccountId: sa.serviceAccountId, projectId: project2.projectId }))).serviceAccount;
    expect(moved.projectId).toBe(project2.projectId);
    await waitFor(() => events.some((e) => e.type === 'service_account.project_changed'));
    const ev = events.find((e) => e.type === 'service_account.project_changed')!;
    expect(ev.payload).toMatchObject({
      value: { serviceAccountId: sa.serviceAccountId, projectId: project2.projectId, previousProjectId: project.projectId },
    });
    const toNowhere = await codeOf(admin.accounts.update({ serviceAccountId: sa.serviceAccountId, projectId: '' }));
    expect(toNowhere).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'project_id' });
    const renamed = await admin.accounts.update({ serviceAccountId: sa.serviceAccountId, name: 'renamed' });
    expect(renamed.serviceAccount.name).toBe('renamed');
    await waitFor(() => events.some((e) => e.type === 'service_account.updated'));
  });

  it('replaces credentials with a secret.updated event carrying no secret', async () => {
    const sa = (await admin.accounts.create({ name: 'rotate', provider: 'hyperbilling', projectId: project.projectId, secretData: hbFor('hb-rotate') }))
      .serviceAccount;
    const res = await keep(
      admin.accounts.updateSecretData({ serviceAccountId: sa.serviceAccountId, secretData: { ...hbFor('hb-rotate'), client_email: 'new@example.com' } }),
    );
    expect(res.serviceAccount.secretId).toBe(sa.secretId);
    await waitFor(() => events.some((e) => e.type === 'secret.updated'));
    const data = await h.root.secrets.getData({ secretId: sa.secretId, domainId: sa.domainId });
    expect(data.data.client_email).toBe('new@example.com');
  });

  it('deletes an account and its secret with a deleted event', async () => {
    const sa = (await admin.accounts.create({ name: 'gone', provider: 'hyperbilling', projectId: project.projectId, secretData: hbFor('hb-gone') }))
      .serviceAccount;
    await admin.accounts.delete({ serviceAccountId: sa.serviceAccountId });
    expect((await codeOf(admin.accounts.get({ serviceAccountId: sa.serviceAccountId }))).code).toBe(status.NOT_FOUND);
    expect((await codeOf(admin.secrets.get({ secretId: sa.secretId }))).code).toBe(status.NOT_FOUND);
    await waitFor(() => events.some((e) => e.type === 'service_account.deleted' && e.payload?.$case === 'serviceAccount' && e.payload.value.serviceAccountId === sa.serviceAccountId));
  });

  it("answers NOT_FOUND for another domain's accounts and secrets, changing nothing", async () => {
    const sa = (await admin.accounts.create({ name: 'private', provider: 'hyperbilling', projectId: project.projectId, secretData: hbFor('hb-private') }))
      .serviceAccount;
    for (const call of [
      other.accounts.get({ serviceAccountId: sa.serviceAccountId }),
      other.accounts.update({ serviceAccountId: sa.serviceAccountId, name: 'stolen' }),
      other.accounts.updateSecretData({ serviceAccountId: sa.serviceAccountId, secretData: hbCredentials }),
      other.accounts.delete({ serviceAccountId: sa.serviceAccountId }),
      other.secrets.get({ secretId: sa.secretId }),
      other.accounts.create({ name: 'x', provider: 'hyperbilling', projectId: project.projectId, secretData: hbCredentials }),
    ]) {
      expect((await codeOf(call)).code).toBe(status.NOT_FOUND);
    }
    expect((await admin.accounts.get({ serviceAccountId: sa.serviceAccountId })).serviceAccount.name).toBe('private');
    expect((await h.root.secrets.getData({ secretId: sa.secretId, domainId: 'domain-0000000000000000' }).catch((e) => e)).code).toBe(
      status.NOT_FOUND,
    );
  });

  it('lets only SYSTEM callers read secret data', async () => {
    const sa = (await admin.accounts.create({ name: 'sys', provider: 'hyperbilling', projectId: project.projectId, secretData: hbFor('hb-sys') }))
      .serviceAccount;
    expect((await codeOf(admin.secrets.getData({ secretId: sa.secretId, domainId: sa.domainId }))).code).toBe(status.PERMISSION_DENIED);
    const data = await h.root.secrets.getData({ secretId: sa.secretId, domainId: sa.domainId });
    expect(data.data).toEqual(hbFor('hb-sys'));
  });

  it('supports custom providers per domain, with their own schemas', async () => {
    const created = await admin.providers.create({
      provider: 'nimbus',
      name: 'Nimbus Cloud',
      isBilling: false,
      accountSchema: { type: 'object', properties: { tenant: { type: 'string' } }, required: ['tenant'] },
      credentialSchema: { type: 'object', properties: { token: { type: 'string', minLength: 10 } }, required: ['token'] },
    });
    expect(created.provider).toMatchObject({ provider: 'nimbus', builtIn: false });
    const sa = await admin.accounts.create({ name: 'n', provider: 'nimbus', data: { tenant: 't1' }, secretData: { token: 'abcdefghijkl' } });
    expect(sa.serviceAccount.projectId).toBe('');
    expect((await codeOf(other.providers.get({ provider: 'nimbus' }))).code).toBe(status.NOT_FOUND);
    expect(await codeOf(admin.providers.create({ provider: 'aws', name: 'dup', isBilling: true }))).toMatchObject({ code: status.ALREADY_EXISTS });
    expect(await codeOf(admin.providers.create({ provider: 'nimbus', name: 'dup', isBilling: true }))).toMatchObject({
      code: status.ALREADY_EXISTS,
    });
    expect(await codeOf(admin.providers.create({ provider: 'Bad Key', name: 'x' }))).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'provider' });
    expect(
      await codeOf(admin.providers.create({ provider: 'broken', name: 'x', accountSchema: { type: 'object', properties: { a: { type: 'wat' } } } })),
    ).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'account_schema' });
    expect(await codeOf(admin.providers.update({ provider: 'aws', name: 'mine' }))).toMatchObject({ code: status.FAILED_PRECONDITION });
    expect(await codeOf(admin.providers.delete({ provider: 'nimbus' }))).toMatchObject({ code: status.FAILED_PRECONDITION });
    await admin.accounts.delete({ serviceAccountId: sa.serviceAccount.serviceAccountId });
    await admin.providers.delete({ provider: 'nimbus' });
    expect((await codeOf(admin.providers.get({ provider: 'nimbus' }))).code).toBe(status.NOT_FOUND);
  });

  it('stats service accounts by provider and project', async () => {
    const res = await admin.accounts.stat({ query: { groupBy: ['provider'], fields: [{ name: 'n', operator: 'count' }] } });
    expect(res.result.results.find((r: { provider: string }) => r.provider === 'hyperbilling').n).toBeGreaterThan(1);
    const list = await admin.accounts.list({ query: { filter: [{ k: 'data.account_id', v: 'hb-1002' }, { k: 'project_id', v: project2.projectId }] } });
    expect(list.totalCount).toBe(1);
    const none = await admin.accounts.list({ query: { filter: [{ k: 'data.account_id', v: 'hb-1001' }, { k: 'project_id', v: project2.projectId }] } });
    expect(none.totalCount).toBe(0);
  });

  it('never lets a credential reach a response, a log line, an event or the stored record', async () => {
    await h.app.relay.flush();
    const everything = [
      JSON.stringify(responses),
      h.logs.join('\n'),
      rawEvents.map((d) => Buffer.from(d.data).toString('latin1')).join('\n'),
      JSON.stringify(await h.app.store.collection('secrets').find({})),
      JSON.stringify(await h.app.store.collection('service_accounts').find({})),
      JSON.stringify(await h.app.store.collection('outbox').find({})),
    ].join('\n');
    expect(responses.length).toBeGreaterThan(3);
    expect(h.logs.length).toBeGreaterThan(20);
    expect(rawEvents.length).toBeGreaterThan(3);
    expect(everything).not.toContain(canary);
    expect(everything).not.toContain(Buffer.from(canary).toString('base64').slice(4, 40));
    expect(everything).not.toContain('ops@example.com');
  });
});
