import { createMemoryLogger } from '../log/logger';
import { createMemoryBus } from './memory/memory-bus';
import { appendOutbox, OUTBOX_COLLECTION, type OutboxRecord } from './outbox';
import { OutboxRelay } from './outbox-relay';
import type { BusMessage, EventBus } from './port';
import { recorder } from './testing/recorder';
import { createTestStore } from './testing/test-store';
import { waitFor } from './testing/wait';

const SECRET = 'very-private-payload';
const text = (s: string) => new TextEncoder().encode(s);
const msg = (n: number): BusMessage => ({ id: `evt-${n}`, subject: `tally.identity.project.created`, data: text(`${SECRET}-${n}`) });

/** A bus that refuses publishes while `down` is set. */
function flaky(bus: EventBus) {
  const state = { down: false, attempts: 0 };
  const wrapped: EventBus = {
    ...bus,
    publish: async (m) => {
      state.attempts++;
      if (state.down) throw new Error('bus unreachable');
      return bus.publish(m);
    },
  };
  return { bus: wrapped, state };
}

async function setup(relayBus?: (b: EventBus) => EventBus) {
  const store = await createTestStore();
  const bus = createMemoryBus();
  const { logger, lines } = createMemoryLogger('outbox-test', 'debug');
  const relay = new OutboxRelay({
    store,
    bus: relayBus ? relayBus(bus) : bus,
    logger,
    pollIntervalMs: 5_000,
    backoff: { initialMs: 20, maxMs: 100 },
  });
  const rec = recorder();
  const subscribed = bus.subscribe({ durable: 'billing', subject: 'tally.identity.>', maxDeliver: 3, deadLetterSubject: 'tally.dlq.billing' }, rec.handler);
  return { store, bus, relay, rec, lines, subscribed };
}

describe('outbox', () => {
  it('writes the record inside the transaction: id, subject, base64 data, created_at, attempts', async () => {
    const { store } = await setup();
    await store.transaction(async (tx) => {
      await appendOutbox(tx, msg(1));
      await tx.collection('projects').insertOne({ _id: 'project-1' });
    });
    const [record] = await store.collection<OutboxRecord>(OUTBOX_COLLECTION).find({});
    expect(record).toMatchObject({ _id: 'evt-1', subject: msg(1).subject, data: Buffer.from(`${SECRET}-1`).toString('base64'), attempts: 0 });
    expect(record!.created_at).toBeInstanceOf(Date);
  });

  it('rejects a message with a bad subject before writing anything', async () => {
    const { store } = await setup();
    await expect(store.transaction((tx) => appendOutbox(tx, { ...msg(1), subject: 'tally.>' }))).rejects.toThrow(/subject/);
    expect(await store.collection(OUTBOX_COLLECTION).count({})).toBe(0);
  });
});

describe('outbox relay', () => {
  it('publishes what a committed transaction wrote, oldest first, and empties the outbox', async () => {
    const { store, relay, rec, subscribed } = await setup();
    await subscribed;
    relay.start();
    const order = [3, 1, 5, 2, 4]; // not the order of the ids, so created_at decides
    await store.transaction(async (tx) => {
      for (const i of order) await appendOutbox(tx, msg(i));
    });
    relay.notify();
    await relay.flush(5_000);
    await waitFor(() => rec.seen.length === 5, 'five events');
    expect(rec.ids()).toEqual(order.map((i) => `evt-${i}`));
    expect(await store.collection(OUTBOX_COLLECTION).count({})).toBe(0);
    await relay.stop();
  });

  it('publishes nothing for a transaction that rolled back', async () => {
    const { store, relay, rec, subscribed } = await setup();
    await subscribed;
    relay.start();
    await expect(
      store.transaction(async (tx) => {
        await appendOutbox(tx, msg(1));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await store.transaction((tx) => appendOutbox(tx, msg(2)));
    relay.notify();
    await relay.flush(5_000);
    await waitFor(() => rec.seen.length === 1, 'the committed event');
    expect(rec.ids()).toEqual(['evt-2']);
    await relay.stop();
  });

  it('retries with backoff while the bus is down, logging warnings without the data', async () => {
    let f!: ReturnType<typeof flaky>;
    const { store, relay, rec, lines, subscribed } = await setup((b) => (f = flaky(b)).bus);
    await subscribed;
    f.state.down = true;
    relay.start();
    await store.transaction(async (tx) => {
      await appendOutbox(tx, msg(1));
      await appendOutbox(tx, msg(2));
    });
    relay.notify();
    await waitFor(() => f.state.attempts >= 3, 'three failed attempts');
    expect(rec.seen).toHaveLength(0);
    const [head] = await store.collection<OutboxRecord>(OUTBOX_COLLECTION).find({ _id: 'evt-1' });
    expect(head!.attempts).toBeGreaterThanOrEqual(2);

    f.state.down = false;
    await relay.flush(5_000);
    await waitFor(() => rec.seen.length === 2, 'both events');
    expect(rec.ids()).toEqual(['evt-1', 'evt-2']);

    const warnings = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 40);
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(warnings[0]).toMatchObject({ outbox_id: 'evt-1', msg: expect.stringMatching(/will retry/) });
    const all = lines.join('\n');
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(Buffer.from(`${SECRET}-1`).toString('base64'));
    await relay.stop();
  });

  it('republishes after a crash between publish and delete, and the bus absorbs the repeat', async () => {
    let f!: ReturnType<typeof flaky>;
    const { store, relay, rec, subscribed } = await setup((b) => (f = flaky(b)).bus);
    await subscribed;
    store.failNext('deleteOne');
    relay.start();
    await store.transaction((tx) => appendOutbox(tx, msg(1)));
    relay.notify();
    await relay.flush(5_000);
    await store.transaction((tx) => appendOutbox(tx, msg(2)));
    await relay.flush(5_000);
    await waitFor(() => rec.seen.length === 2, 'the events');
    expect(f.state.attempts).toBe(3); // evt-1 twice, evt-2 once
    expect(rec.ids()).toEqual(['evt-1', 'evt-2']);
    await relay.stop();
  });

  it('picks up records written while it was stopped, and flush refuses when not running', async () => {
    const { store, relay, rec, subscribed } = await setup();
    await subscribed;
    await store.transaction((tx) => appendOutbox(tx, msg(1)));
    await expect(relay.flush(100)).rejects.toThrow(/not running/);
    relay.start();
    await relay.flush(5_000);
    await waitFor(() => rec.seen.length === 1, 'the event');
    await relay.stop();
    await relay.stop();
  });
});
