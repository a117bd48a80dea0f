import { Event } from '../../../gen/tally/events/v1/events';
import { createMemoryLogger } from '../../../lib/log/logger';
import { createNatsBus } from '../../../lib/events/nats';
import type { EventBus, Subscription } from '../../../lib/events/port';
import { describeWithNats } from '../../../lib/testenv/nats';
import { startTestIdentity, type IdentityClients, type IdentityHarness } from '../../../test/support/identity';
import { rsaKeyPair } from '../../../test/support/keys';

const waitFor = async (cond: () => boolean, what: string, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Identity's events on a real nats-server, through the outbox, including an outage. */
describeWithNats(
  'identity events on NATS JetStream',
  (nats) => {
    let h: IdentityHarness;
    let admin: IdentityClients;
    let consumerBus: EventBus;
    let sub: Subscription;
    const applied = new Map<string, Event>();
    const subjects: string[] = [];
    let duplicates = 0;
    const { privateKey } = rsaKeyPair();
    const canary = privateKey.split('\n')[3];
    const creds = { account_id: 'hb-42', client_email: 'billing@example.com', private_key: privateKey };
    const { logger } = createMemoryLogger('consumer', 'warn');
    const has = (type: string, saId: string) =>
      [...applied.values()].some((e) => e.type === type && e.payload?.$case === 'serviceAccount' && e.payload.value.serviceAccountId === saId);

    beforeAll(async () => {
      h = await startTestIdentity({ env: { TALLY_NATS_URL: nats().url } });
      consumerBus = await createNatsBus({ servers: nats().url, stream: { name: 'TALLY_IDENTITY', subjects: ['tally.identity.>'] }, logger });
      sub = await consumerBus.subscribe(
        { durable: 'billing-test', subject: 'tally.identity.>', maxDeliver: 5, deadLetterSubject: 'tally.dlq.billing-test' },
        async (d) => {
          // A consumer that deduplicates by event id, as billing does.
          if (applied.has(d.id)) duplicates++;
          else {
            applied.set(d.id, Event.decode(d.data));
            subjects.push(d.subject);
          }
          if (Buffer.from(d.data).toString('latin1').includes(canary)) throw new Error('a credential reached an event');
        },
      );
      admin = h.as((await h.root.domains.create({ name: 'Events' })).key);
    }, 30_000);
    afterAll(async () => {
      await sub?.stop();
      await consumerBus?.close();
      await h?.stop();
    }, 30_000);

    it('publishes create, update, project change and delete of a service account', async () => {
      const p1 = (await admin.projects.create({ name: 'one' })).project;
      const p2 = (await admin.projects.create({ name: 'two' })).project;
      const sa = (await admin.accounts.create({ name: 'hb', provider: 'hyperbilling', projectId: p1.projectId, secretData: creds }))
        .serviceAccount;
      await admin.accounts.update({ serviceAccountId: sa.serviceAccountId, name: 'hb renamed' });
      await admin.accounts.update({ serviceAccountId: sa.serviceAccountId, projectId: p2.projectId });
      await admin.accounts.delete({ serviceAccountId: sa.serviceAccountId });
      for (const type of ['service_account.created', 'service_account.updated', 'service_account.project_changed', 'service_account.deleted']) {
        await waitFor(() => has(type, sa.serviceAccountId), type);
      }
      expect(subjects).toEqual(expect.arrayContaining(['tally.identity.service_account.project_changed', 'tally.identity.project.created']));
      const moved = [...applied.values()].find((e) => e.type === 'service_account.project_changed')!;
      expect(moved.payload).toMatchObject({ value: { projectId: p2.projectId, previousProjectId: p1.projectId, data: { account_id: 'hb-42' } } });
      expect(moved.domainId).toBe(sa.domainId);
      expect(duplicates).toBe(0);
    });

    it('publishes a change made while NATS is down once it is back, nothing lost, no duplicate', async () => {
      const project = (await admin.projects.create({ name: 'outage' })).project;
      await waitFor(() => [...applied.values()].some((e) => e.payload?.$case === 'project' && e.payload.value.projectId === project.projectId), 'project');
      await nats().stop!();
      await waitFor(() => !h.app.bus.healthy(), 'identity to notice the outage');
      const made: string[] = [];
      for (let i = 0; i < 3; i++) {
        const secretData = { ...creds, account_id: `hb-down-${i}` };
        const sa = (await admin.accounts.create({ name: `down-${i}`, provider: 'hyperbilling', projectId: project.projectId, secretData }))
          .serviceAccount;
        made.push(sa.serviceAccountId);
      }
      expect(await h.app.store.collection('outbox').count({})).toBeGreaterThanOrEqual(3);
      expect(made.some((id) => has('service_account.created', id))).toBe(false);
      await nats().restart!();
      await waitFor(() => made.every((id) => has('service_account.created', id)), 'events made during the outage', 30_000);
      await h.app.relay.flush(10_000);
      expect(await h.app.store.collection('outbox').count({})).toBe(0);
      expect(duplicates).toBe(0);
    }, 60_000);
  },
  { restartable: true },
);
