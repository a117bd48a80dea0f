import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { createServer } from 'node:net';
import { createMemoryLogger } from '../../log/logger';
import { describeWithNats } from '../../testenv/nats';
import { DEAD_LETTER_HEADERS } from '../dead-letter';
import type { EventBus } from '../port';
import { busContract } from '../testing/bus-contract';
import { uniqueNatsNames } from '../testing/nats-names';
import { recorder } from '../testing/recorder';
import { waitFor } from '../testing/wait';
import { createNatsBus, deadLetterStreamName } from './nats-bus';

const text = (s: string) => new TextEncoder().encode(s);

describeWithNats('NATS JetStream bus', (nats) => {
  const names = uniqueNatsNames('bus');
  const { logger, lines } = createMemoryLogger('nats-bus-test', 'warn');
  let nc: NatsConnection;

  const open = (): Promise<EventBus> =>
    createNatsBus({
      servers: nats().url,
      stream: { name: names.stream, subjects: [`${names.prefix}.>`] },
      logger,
      redeliveryDelayMs: 50,
      requestTimeoutMs: 3_000,
    });

  beforeAll(async () => {
    nc = await connect({ servers: nats().url });
  });
  afterAll(async () => {
    const jsm = await jetstreamManager(nc);
    for (const s of [names.stream, deadLetterStreamName(names.stream)]) await jsm.streams.delete(s).catch(() => {});
    await nc.close();
  });

  describe('contract', () => {
    busContract(async () => {
      const bus = await open();
      return { bus, prefix: names.prefix, deadLetterPrefix: names.deadLetterPrefix, close: () => bus.close() };
    });
  });

  describe('on JetStream', () => {
    let bus: EventBus;
    beforeAll(async () => {
      bus = await open();
    });
    afterAll(async () => {
      await bus.close();
    });

    it('keeps the stream on file storage with a duplicate window', async () => {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info(names.stream);
      expect(info.config.storage).toBe(StorageType.File);
      expect(info.config.subjects).toEqual([`${names.prefix}.>`]);
      expect(info.config.duplicate_window).toBe(nanos(120_000));
    });

    it('stores a republished id once in the stream', async () => {
      const jsm = await jetstreamManager(nc);
      const subject = `${names.prefix}.dup.${Date.now()}`;
      await bus.publish({ id: `evt-dup-${subject}`, subject, data: text('1') });
      await bus.publish({ id: `evt-dup-${subject}`, subject, data: text('2') });
      const info = await jsm.streams.info(names.stream, { subjects_filter: subject });
      expect(info.state.subjects?.[subject]).toBe(1);
    });

    it('keeps dead-lettered messages, with their headers, in the dead-letter stream', async () => {
      const jsm = await jetstreamManager(nc);
      const deadLetterSubject = `${names.deadLetterPrefix}.kept`;
      const sub = await bus.subscribe(
        { durable: 'kept', subject: `${names.prefix}.kept.>`, maxDeliver: 2, deadLetterSubject },
        async () => {
          throw new Error('cannot handle');
        },
      );
      await bus.publish({ id: 'evt-kept-1', subject: `${names.prefix}.kept.created`, data: text('kept') });
      const dlq = deadLetterStreamName(names.stream);
      await waitFor(async () => (await jsm.streams.getMessage(dlq, { last_by_subj: deadLetterSubject })) !== null, 'the dead-letter stream to hold the message');
      const stored = await jsm.streams.getMessage(dlq, { last_by_subj: deadLetterSubject });
      expect(stored?.header.get(DEAD_LETTER_HEADERS.subject)).toBe(`${names.prefix}.kept.created`);
      expect(stored?.header.get(DEAD_LETTER_HEADERS.error)).toContain('cannot handle');
      expect(new TextDecoder().decode(stored?.data)).toBe('kept');
      // The original is terminated, not left pending.
      await waitFor(async () => (await jsm.consumers.info(names.stream, 'kept')).num_ack_pending === 0, 'no pending acks');
      await sub.stop();
    });

    it('has every ack of the tests above confirmed by the server (ackAck)', () => {
      expect(lines.filter((l) => l.includes('ack not confirmed'))).toEqual([]);
    });

    it('rejects a publish that no stream stores, rather than dropping it', async () => {
      await expect(bus.publish({ id: 'evt-nowhere', subject: `nowhere${Date.now()}.x`, data: text('') })).rejects.toMatchObject({
        kind: 'UNAVAILABLE',
      });
    });
  });

  it('drains on close: unhealthy afterwards and publish refused', async () => {
    const bus = await open();
    const rec = recorder();
    await bus.subscribe({ durable: 'closing', subject: `${names.prefix}.closing.>`, maxDeliver: 1, deadLetterSubject: `${names.deadLetterPrefix}.closing` }, rec.handler);
    expect(bus.healthy()).toBe(true);
    await bus.close();
    expect(bus.healthy()).toBe(false);
    await expect(bus.publish({ id: 'evt-late', subject: `${names.prefix}.closing.x`, data: text('') })).rejects.toThrow(/closed/);
  });
});

describe('NATS bus start-up', () => {
  it('fails within connectTimeoutMs when no server answers', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const started = Date.now();
    await expect(
      createNatsBus({
        servers: `nats://127.0.0.1:${port}`,
        stream: { name: 'NEVER', subjects: ['never.>'] },
        logger: createMemoryLogger().logger,
        connectTimeoutMs: 1_000,
        reconnect: { initialMs: 100, maxMs: 200 },
      }),
    ).rejects.toMatchObject({ kind: 'UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
