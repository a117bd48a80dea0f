import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Event } from '../../../../gen/tally/events/v1/events';
import { DEAD_LETTER_HEADERS } from '../../../../lib/events/dead-letter';
import { createNatsBus, deadLetterStreamName } from '../../../../lib/events/nats';
import type { EventBus, Subscription } from '../../../../lib/events/port';
import { uniqueNatsNames } from '../../../../lib/events/testing/nats-names';
import { recorder } from '../../../../lib/events/testing/recorder';
import { waitFor } from '../../../../lib/events/testing/wait';
import { createMemoryLogger } from '../../../../lib/log/logger';
import { describeWithNats } from '../../../../lib/testenv/nats';
import { BILLING_COLLECTIONS, OPEN_END, type AccountRecord } from '../../domain/records';
import { serviceAccountEvent, testMirror, toBusMessage, type TestMirror } from '../../application/mirror/testing/fakes';
import { startIdentityConsumer } from './identity-consumer';

const D = 'domain-a';

describeWithNats('billing: identity events over NATS JetStream', (nats) => {
  const names = uniqueNatsNames('billing_mirror');
  const { logger: busLogger, lines: busLines } = createMemoryLogger('bus', 'debug');
  const deadLetterSubject = `${names.deadLetterPrefix}.billing`;
  let nc: NatsConnection;
  let bus: EventBus;
  let t: TestMirror;
  let consumer: Subscription;
  const dead = recorder();
  let deadSub: Subscription;

  const publish = (e: Event, id = e.id) => bus.publish({ ...toBusMessage(e, names.prefix), id });
  const account = (id: string) => t.deps.store.collection<AccountRecord>(BILLING_COLLECTIONS.accounts).findOne({ _id: id });
  const processed = (id: string) => t.deps.store.collection(BILLING_COLLECTIONS.processedEvents).findOne({ _id: id });
  const created = (serviceAccountId: string, version = 1) =>
    serviceAccountEvent('created', { domainId: D, serviceAccountId, projectId: 'project-1', version });

  beforeAll(async () => {
    nc = await connect({ servers: nats().url });
    bus = await createNatsBus({
      servers: nats().url,
      stream: { name: names.stream, subjects: [`${names.prefix}.>`] },
      logger: busLogger,
      redeliveryDelayMs: 50,
      requestTimeoutMs: 3_000,
    });
    t = await testMirror();
    consumer = await startIdentityConsumer(t.deps, bus, { durable: 'billing', subject: `${names.prefix}.>`, maxDeliver: 3, deadLetterSubject });
    deadSub = await bus.subscribe({ durable: 'dlq-reader', subject: deadLetterSubject, maxDeliver: 1, deadLetterSubject: `${deadLetterSubject}.x` }, dead.handler);
  }, 30_000);

  afterAll(async () => {
    await consumer?.stop();
    await deadSub?.stop();
    await bus?.close();
    if (nc) {
      const jsm = await jetstreamManager(nc);
      for (const s of [names.stream, deadLetterStreamName(names.stream)]) await jsm.streams.delete(s).catch(() => {});
      await nc.close();
    }
  });

  it('applies an event published to the stream', async () => {
    await publish(created('sa-1'));
    await waitFor(async () => (await account('sa-1')) !== null, 'the account mirror');
    expect(await account('sa-1')).toMatchObject({ domain_id: D, project_id: 'project-1', version: 1 });
    const assignments = await t.deps.store.collection(BILLING_COLLECTIONS.assignments).find({ service_account_id: 'sa-1' });
    expect(assignments.map((a) => [a.project_id, a.to])).toEqual([['project-1', OPEN_END]]);
    await waitFor(() => t.sync.changed.includes(`${D}/sa-1`), 'the sync request');
  });

  it('redelivers an event whose handling failed; the retry completes it once', async () => {
    t.sync.failNext(1);
    const e = created('sa-2');
    await publish(e);
    await waitFor(() => t.sync.changed.includes(`${D}/sa-2`), 'the sync request after the redelivery');
    expect(busLines.some((l) => l.includes('message will be redelivered') && l.includes(e.id))).toBe(true);
    expect(await processed(e.id)).toMatchObject({ done: true });
    expect(t.sync.changed.filter((c) => c === `${D}/sa-2`)).toHaveLength(1);
  });

  it('a duplicate Nats-Msg-Id is absorbed by the stream; the same event under another id is absorbed by the mirror', async () => {
    const e = created('sa-3');
    await publish(e);
    await publish(e);
    await publish(e, `${e.id}-republished`);
    const sentinel = created('sa-sentinel');
    await publish(sentinel);
    await waitFor(async () => (await processed(sentinel.id)) !== null, 'the sentinel');
    await waitFor(() => t.sync.changed.includes(`${D}/sa-sentinel`), 'the sentinel sync');
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(names.stream, { subjects_filter: `${names.prefix}.service_account.created` });
    // sa-1, sa-2, sa-3 (once by id, once republished), sentinel.
    expect(info.state.subjects?.[`${names.prefix}.service_account.created`]).toBe(5);
    expect(t.sync.changed.filter((c) => c === `${D}/sa-3`)).toHaveLength(1);
    expect(await account('sa-3')).toMatchObject({ version: 1 });
    expect(await t.deps.store.collection(BILLING_COLLECTIONS.assignments).count({ service_account_id: 'sa-3' })).toBe(1);
  });

  it('a poison message lands on the dead-letter subject after maxDeliver attempts, and later events still flow', async () => {
    await bus.publish({ id: 'evt-poison-1', subject: `${names.prefix}.service_account.created`, data: new Uint8Array([0xff, 0xff, 0xff, 0x01, 0x02]) });
    const after = created('sa-4');
    await publish(after);
    await waitFor(() => dead.seen.length === 1, 'the dead-lettered copy', 15_000);
    const copy = dead.seen[0]!;
    expect(copy.subject).toBe(deadLetterSubject);
    expect(copy.headers).toMatchObject({
      [DEAD_LETTER_HEADERS.id]: 'evt-poison-1',
      [DEAD_LETTER_HEADERS.durable]: 'billing',
      [DEAD_LETTER_HEADERS.deliveries]: '3',
    });
    expect(copy.headers?.[DEAD_LETTER_HEADERS.error]).toMatch(/not a tally\.events\.v1\.Event/);
    await waitFor(async () => (await account('sa-4')) !== null, 'the event after the poison message');
    expect(await processed('evt-poison-1')).toBeNull();
  });
});
