import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createMemoryLogger } from '../log/logger';
import { describeWithNats } from '../testenv/nats';
import { createNatsBus, deadLetterStreamName } from './nats/nats-bus';
import { appendOutbox, OUTBOX_COLLECTION } from './outbox';
import { OutboxRelay } from './outbox-relay';
import type { BusMessage, Delivery, EventBus, Subscription } from './port';
import { uniqueNatsNames } from './testing/nats-names';
import { createTestStore, type TestStore } from './testing/test-store';
import { waitFor } from './testing/wait';

const SECRET = 'very-private-payload';
const text = (s: string) => new TextEncoder().encode(s);

/**
 * The outbox over a real nats-server that this harness started itself, so the test can take
 * NATS down and bring it back on the same port and store dir.
 */
describeWithNats(
  'outbox relay over NATS JetStream',
  (nats) => {
    const names = uniqueNatsNames('outbox');
    const { logger, lines } = createMemoryLogger('outbox-nats-test', 'debug');
    let store: TestStore;
    let bus: EventBus;
    let relay: OutboxRelay;
    let sub: Subscription;
    /** What a consumer that deduplicates by event id applied, and what it skipped. */
    const applied = new Map<string, Delivery>();
    let skippedDuplicates = 0;
    let n = 0;

    const event = (verb: string): BusMessage => ({
      id: `evt-${++n}-${Math.random().toString(36).slice(2, 8)}`,
      subject: `${names.prefix}.project.${verb}`,
      data: text(`${SECRET}-${n}`),
    });
    /** A change and its event, committed together. */
    const commit = (m: BusMessage, fail = false) =>
      store.transaction(async (tx) => {
        await tx.collection('projects').insertOne({ _id: `project-${m.id}` });
        await appendOutbox(tx, m);
        if (fail) throw new Error('the change failed');
      });

    beforeAll(async () => {
      store = await createTestStore();
      bus = await createNatsBus({
        servers: nats().url,
        stream: { name: names.stream, subjects: [`${names.prefix}.>`] },
        logger,
        requestTimeoutMs: 1_000,
        reconnect: { initialMs: 100, maxMs: 500 },
      });
      relay = new OutboxRelay({ store, bus, logger, pollIntervalMs: 200, backoff: { initialMs: 100, maxMs: 500 } });
      relay.start();
      sub = await bus.subscribe(
        { durable: 'billing', subject: `${names.prefix}.>`, maxDeliver: 5, deadLetterSubject: `${names.deadLetterPrefix}.billing` },
        async (d) => {
          if (applied.has(d.id)) skippedDuplicates++;
          else applied.set(d.id, d);
        },
      );
    });
    afterAll(async () => {
      await relay?.stop();
      await sub?.stop();
      await bus?.close();
      await store?.close();
    }, 20_000);

    it('publishes the events of a committed transaction and nothing of a rolled-back one', async () => {
      const kept = event('created');
      const dropped = event('created');
      await commit(kept);
      await expect(commit(dropped, true)).rejects.toThrow('the change failed');
      relay.notify();
      await relay.flush(10_000);
      await waitFor(() => applied.has(kept.id), 'the committed event', 10_000);
      expect(applied.has(dropped.id)).toBe(false);
      expect(new TextDecoder().decode(applied.get(kept.id)!.data)).toBe(new TextDecoder().decode(kept.data));
    });

    it('loses nothing while NATS is down: events wait in the outbox and arrive once it is back', async () => {
      const before = event('created');
      await commit(before);
      relay.notify();
      await waitFor(() => applied.has(before.id), 'the event before the outage', 10_000);
      expect(bus.healthy()).toBe(true);

      await nats().stop!();
      await waitFor(() => !bus.healthy(), 'the bus to notice the outage', 10_000);

      const during = [event('created'), event('updated'), event('deleted'), event('created'), event('updated')];
      for (const m of during) {
        await commit(m);
        relay.notify();
      }
      await waitFor(() => lines.some((l) => l.includes('could not publish outbox record')), 'a relay warning', 10_000);
      expect(await store.collection(OUTBOX_COLLECTION).count({})).toBe(during.length);
      expect(bus.healthy()).toBe(false);

      await nats().restart!();
      await waitFor(() => bus.healthy(), 'the bus to reconnect', 15_000);
      await relay.flush(20_000);
      await waitFor(() => during.every((m) => applied.has(m.id)), 'every event from the outage', 20_000);

      // Stored once each in the stream, applied once each by the consumer.
      const nc = await connect({ servers: nats().url });
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info(names.stream);
      expect(info.state.messages).toBe(applied.size);
      await nc.close();
      expect(skippedDuplicates).toBe(0);
      expect([...applied.keys()]).toEqual(expect.arrayContaining([before.id, ...during.map((m) => m.id)]));

      const warnings = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 40 && l.component === 'outbox-relay');
      expect(warnings.length).toBeGreaterThan(0);
      const logged = lines.join('\n');
      expect(logged).not.toContain(SECRET);
      for (const m of during) expect(logged).not.toContain(Buffer.from(m.data).toString('base64'));
    }, 90_000);

    afterAll(async () => {
      const nc = await connect({ servers: nats().url });
      const jsm = await jetstreamManager(nc);
      for (const s of [names.stream, deadLetterStreamName(names.stream)]) await jsm.streams.delete(s).catch(() => {});
      await nc.close();
    });
  },
  { restartable: true },
);
