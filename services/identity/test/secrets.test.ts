import { status } from '@grpc/grpc-js';
import { createEmbeddedStore } from '../../../lib/store/embedded';
import type { Store } from '../../../lib/store/port';
import { codeOf } from '../../../test/support/grpc-clients';
import { randomKey, startTestIdentity, type IdentityHarness } from '../../../test/support/identity';

/**
 * Master key rotation as an operator does it: every replica gets the new key version, a rewrap
 * moves old secrets to it while replicas keep reading, then the minimum version is raised.
 */
describe('identity: secrets encrypted at rest, rotation and rewrap', () => {
  const k1 = randomKey();
  const k2 = randomKey();
  let store: Store;
  const running: IdentityHarness[] = [];
  const start = async (keys: string, minVersion = 0) => {
    const h = await startTestIdentity({ store, env: { TALLY_MASTER_KEYS: keys, TALLY_MASTER_KEY_MIN_VERSION: String(minVersion) } });
    running.push(h);
    return h;
  };
  let oldOnly: IdentityHarness;
  let adminKey: string;
  let domainId: string;
  const secretIds: string[] = [];
  const creds = (i: number) => ({ aws_access_key_id: `AKIAEXAMPLE${String(i).padStart(6, '0')}`, aws_secret_access_key: `canary-secret-${i}-xyzxyzxyz` });

  beforeAll(async () => {
    store = await createEmbeddedStore();
    oldOnly = await start(`1:${k1}`);
    const d = await oldOnly.root.domains.create({ name: 'Keys' });
    adminKey = d.key;
    domainId = d.domain.domainId;
    const admin = oldOnly.as(adminKey);
    const project = (await admin.projects.create({ name: 'P' })).project;
    for (let i = 0; i < 40; i++) {
      const sa = await admin.accounts.create({
        name: `aws-${i}`,
        provider: 'aws',
        projectId: project.projectId,
        data: { account_id: String(100000000000 + i) },
        secretData: creds(i),
      });
      secretIds.push(sa.serviceAccount.secretId);
    }
  });
  afterAll(async () => {
    for (const h of running) await h.stop();
  });

  it('stores no plaintext: the raw record holds ciphertext and the key version only', async () => {
    const raw = await store.collection('secrets').find({});
    expect(raw).toHaveLength(40);
    const text = JSON.stringify(raw);
    expect(text).not.toContain('canary-secret');
    expect(text).not.toContain('AKIAEXAMPLE');
    expect(raw[0]).toMatchObject({ key_version: 1, sealed: { key_version: 1 } });
  });

  it('refuses a ciphertext moved to another record, and a flipped byte', async () => {
    const [a, b] = secretIds;
    const ra = await store.collection('secrets').findOne({ _id: a });
    const rb = await store.collection('secrets').findOne({ _id: b });
    await store.collection('secrets').updateOne({ _id: b }, { $set: { sealed: ra!.sealed } });
    const moved = await codeOf(oldOnly.root.secrets.getData({ secretId: b, domainId }));
    expect(moved).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'SECRET.UNREADABLE' });
    expect(moved.details).not.toContain('canary');
    const sealed = { ...(rb!.sealed as Record<string, string>) };
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[3] ^= 0x01;
    await store.collection('secrets').updateOne({ _id: b }, { $set: { sealed: { ...sealed, ciphertext: bytes.toString('base64') } } });
    expect((await codeOf(oldOnly.root.secrets.getData({ secretId: b, domainId }))).code).toBe(status.FAILED_PRECONDITION);
    await store.collection('secrets').replaceOne({ _id: b }, rb!);
    expect((await oldOnly.root.secrets.getData({ secretId: b, domainId })).data).toEqual(creds(1));
  });

  it('rotates to a new master key and rewraps with zero failed reads under concurrent reading', async () => {
    const replicaA = await start(`1:${k1},2:${k2}`);
    const replicaB = await start(`1:${k1},2:${k2}`);
    expect((await codeOf(replicaA.as(adminKey).secrets.rewrap({}))).code).toBe(status.PERMISSION_DENIED);
    let reads = 0;
    let failures = 0;
    let rewrapping = true;
    const reader = async (h: IdentityHarness) => {
      while (rewrapping) {
        for (let i = 0; i < secretIds.length; i++) {
          try {
            const res = await h.root.secrets.getData({ secretId: secretIds[i], domainId });
            if (res.data.aws_secret_access_key !== creds(i).aws_secret_access_key) failures++;
          } catch {
            failures++;
          }
          reads++;
        }
      }
    };
    const readers = [reader(replicaA), reader(replicaB), reader(replicaA)];
    let remaining = Infinity;
    const readsAtBatch: number[] = [];
    while (remaining > 0) {
      const r = await replicaB.root.secrets.rewrap({ limit: 3 });
      readsAtBatch.push(reads);
      remaining = r.remaining;
      await new Promise((res) => setTimeout(res, 10));
    }
    rewrapping = false;
    await Promise.all(readers);
    // The readers really ran while the secrets were half old, half new.
    expect(readsAtBatch.length).toBeGreaterThan(10);
    expect(readsAtBatch[readsAtBatch.length - 1]).toBeGreaterThan(readsAtBatch[0]);
    expect(failures).toBe(0);
    const versions = (await store.collection('secrets').find({})).map((s) => s.key_version);
    expect(new Set(versions)).toEqual(new Set([2]));
  });

  it('makes old ciphertext unreadable once the minimum version is raised', async () => {
    const strict = await start(`1:${k1},2:${k2}`, 2);
    expect((await strict.root.secrets.getData({ secretId: secretIds[5], domainId })).data).toEqual(creds(5));
    const admin = oldOnly.as(adminKey);
    const project = (await admin.projects.list({})).results[0];
    const late = await admin.accounts.create({
      name: 'late',
      provider: 'aws',
      projectId: project.projectId,
      data: { account_id: '999999999999' },
      secretData: creds(99),
    });
    const e = await codeOf(strict.root.secrets.getData({ secretId: late.serviceAccount.secretId, domainId }));
    expect(e).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'SECRET.UNREADABLE' });
    expect((await oldOnly.root.secrets.getData({ secretId: late.serviceAccount.secretId, domainId })).data).toEqual(creds(99));
  });

  it('refuses a configuration whose master keys are malformed, naming the variable', async () => {
    await expect(start('1:short')).rejects.toThrow(/TALLY_MASTER_KEYS/);
    await expect(start(`1:${k1}`, 3)).rejects.toThrow(/TALLY_MASTER_KEY_MIN_VERSION|minimum/i);
  });
});
