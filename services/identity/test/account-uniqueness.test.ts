import { status } from '@grpc/grpc-js';
import { Event } from '../../../gen/tally/events/v1/events';
import { createMemoryBus } from '../../../lib/events/memory';
import { createEmbeddedStore } from '../../../lib/store/embedded';
import { DuplicateKeyError, type Collection, type Doc, type Store, type TxContext } from '../../../lib/store/port';
import { codeOf } from '../../../test/support/grpc-clients';
import { startTestIdentity, type IdentityClients, type IdentityHarness } from '../../../test/support/identity';
import { rsaKeyPair } from '../../../test/support/keys';

/**
 * A billing account is registered at most once per domain: a second live service account of
 * the same provider and identifying data (the account schema's required values) would be
 * synced too and count the account's costs twice.
 */

const { privateKey } = rsaKeyPair();
/** A piece of the private key that must never be seen outside identity. */
const canary = privateKey.split('\n')[5];
const EMAIL = 'owner-of-the-key@example.com';
const hb = (account_id: string) => ({ account_id, client_email: EMAIL, private_key: privateKey });
const SA_ID = /\bsa-[0-9a-z]+\b/g;

/**
 * A store whose next service account insert inside a transaction is preceded by a rival
 * registration of the same billing account committed outside it, as a concurrent request on
 * another replica would do between the check and the write.
 */
function racingStore(store: Store): Store & { raceNextInsert(): void; rivals: string[] } {
  let armed = false;
  const rivals: string[] = [];
  const wrap = <T extends Doc>(name: string, c: Collection<T>): Collection<T> =>
    new Proxy(c, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop !== 'insertOne' || name !== 'service_accounts') return value;
        return async (doc: T) => {
          if (armed) {
            armed = false;
            const rival = { ...doc, _id: `sa-rival${rivals.length}`, name: 'rival', secret_id: '' };
            await store.collection(name).insertOne(rival);
            rivals.push(rival._id);
          }
          return target.insertOne(doc);
        };
      },
    });
  return {
    collection: <T extends Doc>(n: string) => store.collection<T>(n),
    ensureIndexes: (n, i) => store.ensureIndexes(n, i),
    transaction: (fn) => store.transaction((tx: TxContext) => fn({ collection: <T extends Doc>(n: string) => wrap(n, tx.collection<T>(n)) })),
    ping: () => store.ping(),
    close: () => store.close(),
    raceNextInsert() {
      armed = true;
    },
    rivals,
  };
}

describe('identity: one service account per billing account and domain', () => {
  let h: IdentityHarness;
  let admin: IdentityClients;
  let other: IdentityClients;
  let domainId: string;
  let otherDomainId: string;
  let projectId: string;
  let otherProjectId: string;
  let store: ReturnType<typeof racingStore>;
  const bus = createMemoryBus();
  const events: Event[] = [];

  const create = (name: string, secretData?: object, data?: object, client = admin, project = projectId) =>
    client.accounts.create({ name, provider: 'hyperbilling', projectId: project, ...(secretData ? { secretData } : {}), ...(data ? { data } : {}) });
  const counts = async () => ({
    accounts: await h.app.store.collection('service_accounts').count({}),
    secrets: await h.app.store.collection('secrets').count({}),
  });
  const createdEvents = () => events.filter((e) => e.type === 'service_account.created').length;

  /** Runs a call that must be refused, with the relay stopped: it may leave nothing in the outbox. */
  async function refusedQuietly(call: () => Promise<unknown>) {
    await h.app.relay.flush();
    const before = { ...(await counts()), events: createdEvents() };
    await h.app.relay.stop();
    let e: Awaited<ReturnType<typeof codeOf>>;
    try {
      e = await codeOf(call());
      expect(await h.app.store.collection('outbox').count({})).toBe(0);
    } finally {
      h.app.relay.start();
    }
    await h.app.relay.flush();
    expect({ ...(await counts()), events: createdEvents() }).toEqual(before);
    return e;
  }

  beforeAll(async () => {
    store = racingStore(await createEmbeddedStore());
    await bus.subscribe({ durable: 'test', subject: 'tally.identity.>', maxDeliver: 3, deadLetterSubject: 'tally.dlq.test' }, async (d) => {
      events.push(Event.decode(d.data));
    });
    h = await startTestIdentity({ bus, store });
    const mine = await h.root.domains.create({ name: 'Unique' });
    const theirs = await h.root.domains.create({ name: 'Theirs' });
    domainId = mine.domain.domainId;
    otherDomainId = theirs.domain.domainId;
    admin = h.as(mine.key);
    other = h.as(theirs.key);
    projectId = (await admin.projects.create({ name: 'P' })).project.projectId;
    otherProjectId = (await other.projects.create({ name: 'Q' })).project.projectId;
  });
  afterAll(async () => {
    await h.stop();
    await bus.close();
  });

  it('refuses a second registration with ALREADY_EXISTS naming the existing account, changing nothing and echoing no secret', async () => {
    const first = (await create('HB 3', hb('900000000003'))).serviceAccount;
    const e = await refusedQuietly(() => create('HB 3 again', { ...hb('900000000003') }));
    expect(e).toMatchObject({ code: status.ALREADY_EXISTS, reason: 'SERVICE_ACCOUNT.EXISTS', field: 'data.account_id' });
    expect(e.details).toContain(first.serviceAccountId);
    expect(e.details).toContain('Hyper Billing');
    for (const secret of [canary, EMAIL, '900000000003']) expect(e.details).not.toContain(secret);
    expect((await admin.accounts.list({ query: { filter: [{ k: 'data.account_id', v: '900000000003' }] } })).totalCount).toBe(1);
  });

  it('detects the account id taken from the credentials, and given in data only', async () => {
    const first = (await create('from creds', hb('900000000010'))).serviceAccount;
    expect(first.data).toEqual({ account_id: '900000000010' });
    const dataOnly = await refusedQuietly(() => create('data only', undefined, { account_id: '900000000010' }));
    expect(dataOnly).toMatchObject({ code: status.ALREADY_EXISTS, field: 'data.account_id' });
    expect(dataOnly.details).toContain(first.serviceAccountId);
    // And the other way round: data first, then credentials alone.
    const byData = (await create('by data', undefined, { account_id: '900000000011', platform: 'aws' })).serviceAccount;
    const byCreds = await refusedQuietly(() => create('by creds', hb('900000000011')));
    expect(byCreds).toMatchObject({ code: status.ALREADY_EXISTS, field: 'data.account_id' });
    expect(byCreds.details).toContain(byData.serviceAccountId);
    expect(byCreds.details).not.toContain(canary);
  });

  it('lets another domain register the same account, and never names it in an error', async () => {
    const theirs = (await create('theirs', hb('900000000020'), undefined, other, otherProjectId)).serviceAccount;
    const mine = (await create('mine', hb('900000000020'))).serviceAccount;
    expect(mine.domainId).toBe(domainId);
    expect(theirs.domainId).toBe(otherDomainId);
    const e = await codeOf(create('mine again', hb('900000000020')));
    expect(e.code).toBe(status.ALREADY_EXISTS);
    expect(e.details.match(SA_ID)).toEqual([mine.serviceAccountId]);
    const t = await codeOf(create('theirs again', hb('900000000020'), undefined, other, otherProjectId));
    expect(t.details.match(SA_ID)).toEqual([theirs.serviceAccountId]);
  });

  it('refuses an update that changes the data to a registered account, and allows the others', async () => {
    // AWS: the account id is the account's data alone (its credentials are access keys).
    const keys = { aws_access_key_id: 'AKIAEXAMPLEKEY0001', aws_secret_access_key: 'example-secret-access-key-0001' };
    const aws = (name: string, account_id: string) => admin.accounts.create({ name, provider: 'aws', projectId, data: { account_id }, secretData: keys });
    const a = (await aws('A', '900000000030')).serviceAccount;
    const b = (await aws('B', '900000000031')).serviceAccount;
    const e = await codeOf(admin.accounts.update({ serviceAccountId: b.serviceAccountId, data: { account_id: '900000000030' } }));
    expect(e).toMatchObject({ code: status.ALREADY_EXISTS, reason: 'SERVICE_ACCOUNT.EXISTS', field: 'data.account_id' });
    expect(e.details).toContain(a.serviceAccountId);
    expect((await admin.accounts.get({ serviceAccountId: b.serviceAccountId })).serviceAccount).toMatchObject({ data: { account_id: '900000000031' }, version: '1' });
    // The account itself does not count: its own data again, or a rename.
    const same = await admin.accounts.update({ serviceAccountId: a.serviceAccountId, data: { account_id: '900000000030' } });
    expect(same.serviceAccount.data).toEqual({ account_id: '900000000030' });
    await admin.accounts.update({ serviceAccountId: a.serviceAccountId, name: 'A renamed' });
    // Moving B to a free account frees its old one.
    await admin.accounts.update({ serviceAccountId: b.serviceAccountId, data: { account_id: '900000000032' } });
    await aws('takes 31', '900000000031');
    expect((await codeOf(aws('32 again', '900000000032'))).code).toBe(status.ALREADY_EXISTS);
  });

  it('keeps data and credentials on the same account: billing syncs what the credentials say', async () => {
    // At create: data naming one account, credentials another.
    const mismatch = await refusedQuietly(() => create('two minds', hb('900000000040'), { account_id: '900000000041' }));
    expect(mismatch).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'SERVICE_ACCOUNT.ACCOUNT_MISMATCH', field: 'secret_data.account_id' });
    expect(mismatch.details).not.toMatch(/90000000004[01]/);
    const sa = (await create('one mind', hb('900000000042'), { account_id: '900000000042', platform: 'aws' })).serviceAccount;
    // The account id comes with the credentials: it does not change on its own...
    const moved = await codeOf(admin.accounts.update({ serviceAccountId: sa.serviceAccountId, data: { account_id: '900000000043' } }));
    expect(moved).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'SERVICE_ACCOUNT.ACCOUNT_MISMATCH', field: 'data.account_id' });
    // ...nor through new credentials for another account.
    const swapped = await codeOf(admin.accounts.updateSecretData({ serviceAccountId: sa.serviceAccountId, secretData: hb('900000000043') }));
    expect(swapped).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'SERVICE_ACCOUNT.ACCOUNT_MISMATCH', field: 'secret_data.account_id' });
    expect(swapped.details).not.toContain(canary);
    expect((await admin.accounts.get({ serviceAccountId: sa.serviceAccountId })).serviceAccount).toMatchObject({ data: { account_id: '900000000042' }, version: '1' });
    // New credentials for the same account, and other data changes, are fine.
    await admin.accounts.updateSecretData({ serviceAccountId: sa.serviceAccountId, secretData: hb('900000000042') });
    const kept = await admin.accounts.update({ serviceAccountId: sa.serviceAccountId, data: { account_id: '900000000042', platform: 'google_cloud' } });
    expect(kept.serviceAccount.data).toEqual({ account_id: '900000000042', platform: 'google_cloud' });
  });

  it('frees the account when its service account is deleted', async () => {
    const first = (await create('short-lived', hb('900000000040'))).serviceAccount;
    await admin.accounts.delete({ serviceAccountId: first.serviceAccountId });
    const again = (await create('again', hb('900000000040'))).serviceAccount;
    expect(again.serviceAccountId).not.toBe(first.serviceAccountId);
  });

  it('lets exactly one of concurrent registrations of an account succeed', async () => {
    const before = await counts();
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => create(`race ${i}`, hb('900000000050'))));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { code: number }).code).toBe(status.ALREADY_EXISTS);
    expect(await counts()).toEqual({ accounts: before.accounts + 1, secrets: before.secrets + 1 });
  });

  it('refuses through the unique index when a registration lands between the check and the write', async () => {
    const before = await counts();
    store.raceNextInsert();
    const e = await codeOf(create('loser', hb('900000000060')));
    const rival = store.rivals[store.rivals.length - 1];
    expect(e).toMatchObject({ code: status.ALREADY_EXISTS, reason: 'SERVICE_ACCOUNT.EXISTS', field: 'data.account_id' });
    expect(e.details).toContain(rival);
    expect(e.details).not.toContain(canary);
    // The rival is all that was added: the loser's secret went with its transaction.
    expect(await counts()).toEqual({ accounts: before.accounts + 1, secrets: before.secrets });
    // The store itself refuses a second record with the same key in the domain.
    const stored = await h.app.store.collection('service_accounts').findOne({ _id: rival });
    expect(stored?.account_key).toEqual(expect.stringMatching(/^hyperbilling:[0-9a-f]{64}$/));
    const copy = await h.app.store.collection('service_accounts').insertOne({ ...stored!, _id: 'sa-copy' }).catch((err: unknown) => err);
    expect(copy).toBeInstanceOf(DuplicateKeyError);
    expect(copy).toMatchObject({ index: 'domain_account' });
  });

  it('applies the schema of custom providers: billing ones by their required fields; no uniqueness without one, nor for non-billing ones', async () => {
    const schema = (required: string[]) => ({
      type: 'object',
      properties: { tenant: { type: 'string' }, region: { type: 'string' }, note: { type: 'string' } },
      required,
    });
    await admin.providers.create({ provider: 'tenantbill', name: 'Tenant billing', isBilling: true, accountSchema: schema(['tenant', 'region']) });
    await admin.providers.create({ provider: 'freeform', name: 'Free form', isBilling: true, accountSchema: schema([]) });
    await admin.providers.create({ provider: 'inventory', name: 'Inventory', isBilling: false, accountSchema: schema(['tenant']) });
    const make = (provider: string, data: object, name = 'x') => admin.accounts.create({ name, provider, projectId, data });

    const t1 = (await make('tenantbill', { tenant: 't1', region: 'eu', note: 'a' })).serviceAccount;
    await make('tenantbill', { tenant: 't1', region: 'us' });
    const dup = await codeOf(make('tenantbill', { region: 'eu', tenant: 't1', note: 'b' }));
    expect(dup).toMatchObject({ code: status.ALREADY_EXISTS, field: 'data.tenant' });
    expect(dup.details).toContain(t1.serviceAccountId);
    expect(dup.details).toContain('Tenant billing');

    await make('freeform', { tenant: 't1' });
    await make('freeform', { tenant: 't1' });
    await make('inventory', { tenant: 't1' });
    await make('inventory', { tenant: 't1' });
    // The same account id under another provider is another registration.
    await admin.accounts.create({ name: 'aws', provider: 'aws', projectId, data: { account_id: '900000000003' } });

    // The schema changes: accounts keyed under the old one are still found by their data.
    await admin.providers.update({ provider: 'tenantbill', accountSchema: schema(['tenant']) });
    const again = await codeOf(make('tenantbill', { tenant: 't1', region: 'ap' }));
    expect(again).toMatchObject({ code: status.ALREADY_EXISTS, field: 'data.tenant' });
  });

  it('takes a subscription id in any of the forms its uuid format accepts as one account', async () => {
    const azure = (name: string, subscription_id: string) => admin.accounts.create({ name, provider: 'azure', projectId, data: { subscription_id } });
    const id = '3f2a9c4e-8b1d-4e6f-9a7b-0c5d2e1f4a6b';
    const first = (await azure('lower', id)).serviceAccount;
    expect(first.data).toEqual({ subscription_id: id });
    for (const form of [id.toUpperCase(), `urn:uuid:${id}`, `URN:UUID:${id.toUpperCase()}`]) {
      const e = await codeOf(azure('again', form));
      expect(e).toMatchObject({ code: status.ALREADY_EXISTS, field: 'data.subscription_id' });
      expect(e.details).toContain(first.serviceAccountId);
    }
    // Stored in one form whatever was given.
    const upper = (await azure('upper', '7B1C2D3E-4F5A-4B6C-8D7E-9F0A1B2C3D4E')).serviceAccount;
    expect(upper.data).toEqual({ subscription_id: '7b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e' });
  });

  it("binds only what the credentials are issued for: Google Cloud's credentials name their home project, not the billed one", async () => {
    const { privateKey: gKey } = rsaKeyPair();
    const secretData = { client_email: 'biller@home-project-01.iam.gserviceaccount.com', private_key: gKey, project_id: 'home-project-01' };
    const sa = (await admin.accounts.create({ name: 'gcp', provider: 'google_cloud', projectId, data: { project_id: 'billed-project-01' }, secretData })).serviceAccount;
    expect(sa.data).toEqual({ project_id: 'billed-project-01' });
    const moved = await admin.accounts.update({ serviceAccountId: sa.serviceAccountId, data: { project_id: 'billed-project-02' } });
    expect(moved.serviceAccount.data).toEqual({ project_id: 'billed-project-02' });
    await admin.accounts.updateSecretData({ serviceAccountId: sa.serviceAccountId, secretData: { ...secretData, project_id: 'home-project-02' } });
  });
});

describe('identity: service accounts stored before account keys existed', () => {
  it('still load and index, are found as duplicates, and can be renamed; changing their data keys them', async () => {
    const store = await createEmbeddedStore();
    // The previous version: no account key index.
    const previousVersion: Store = {
      collection: (n) => store.collection(n),
      ensureIndexes: (n, i) => store.ensureIndexes(n, i.filter((x) => x.name !== 'domain_account')),
      transaction: (fn) => store.transaction(fn),
      ping: () => store.ping(),
      close: () => store.close(),
    };
    const old = await startTestIdentity({ store: previousVersion });
    const created = await old.root.domains.create({ name: 'Legacy' });
    const domainId = created.domain.domainId;
    const projectId = (await old.as(created.key).projects.create({ name: 'P' })).project.projectId;
    const legacy = (id: string, at: string) => ({
      _id: id,
      domain_id: domainId,
      name: id,
      provider: 'hyperbilling',
      project_id: projectId,
      data: { account_id: '900000000003' },
      tags: {},
      secret_id: '',
      version: 1,
      created_at: new Date(at),
      updated_at: new Date(at),
    });
    // Two registrations of one account, as the defect allowed.
    await store.collection('service_accounts').insertMany([legacy('sa-legacy2', '2024-02-01'), legacy('sa-legacy1', '2024-01-01')]);
    await old.stop();

    const h = await startTestIdentity({ store });
    try {
      const admin = h.as(created.key);
      expect((await admin.accounts.list({})).totalCount).toBe(2);
      const e = await codeOf(admin.accounts.create({ name: 'third', provider: 'hyperbilling', projectId, data: { account_id: '900000000003' } }));
      expect(e).toMatchObject({ code: status.ALREADY_EXISTS, field: 'data.account_id' });
      expect(e.details.match(SA_ID)).toEqual(['sa-legacy1']);
      // Renaming or moving a duplicate registered back then still works.
      await admin.accounts.update({ serviceAccountId: 'sa-legacy2', name: 'to be fixed' });
      // Changing its data to its own account again is no change of account.
      await admin.accounts.update({ serviceAccountId: 'sa-legacy2', data: { account_id: '900000000003', platform: 'aws' } });
      // Changing it to another account is checked and keys the record.
      await admin.accounts.update({ serviceAccountId: 'sa-legacy2', data: { account_id: '900000000004' } });
      expect((await store.collection('service_accounts').findOne({ _id: 'sa-legacy2' }))?.account_key).toMatch(/^hyperbilling:/);
      expect((await codeOf(admin.accounts.update({ serviceAccountId: 'sa-legacy1', data: { account_id: '900000000004' } }))).details).toContain('sa-legacy2');
      await admin.accounts.delete({ serviceAccountId: 'sa-legacy1' });
      await admin.accounts.create({ name: 'fresh', provider: 'hyperbilling', projectId, data: { account_id: '900000000003' } });
    } finally {
      await h.stop();
    }
  });
});
