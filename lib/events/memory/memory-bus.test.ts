import { createMemoryLogger } from '../../log/logger';
import { busContract } from '../testing/bus-contract';
import { recorder } from '../testing/recorder';
import { sleep, waitFor } from '../testing/wait';
import { createMemoryBus } from './memory-bus';

const text = (s: string) => new TextEncoder().encode(s);

describe('memory bus', () => {
  busContract(async () => {
    const bus = createMemoryBus({ redeliveryDelayMs: 20 });
    return { bus, prefix: 'tally.test', deadLetterPrefix: 'tally.dlq', close: () => bus.close() };
  });
});

describe('memory bus specifics', () => {
  it('accepts a repeated id again once the duplicate window has passed', async () => {
    const bus = createMemoryBus({ duplicateWindowMs: 50 });
    const rec = recorder();
    await bus.subscribe({ durable: 'w', subject: 'a.>', maxDeliver: 1, deadLetterSubject: 'dlq.w' }, rec.handler);
    await bus.publish({ id: 'evt-1', subject: 'a.b', data: text('1') });
    await bus.publish({ id: 'evt-1', subject: 'a.b', data: text('2') });
    await sleep(80);
    await bus.publish({ id: 'evt-1', subject: 'a.b', data: text('3') });
    await waitFor(() => rec.seen.length === 2, 'two deliveries');
    expect(rec.seen.map((d) => new TextDecoder().decode(d.data))).toEqual(['1', '3']);
    await bus.close();
  });

  it('redelivers when a handler runs past ackWaitMs, and logs without the payload', async () => {
    const { logger, lines } = createMemoryLogger();
    const bus = createMemoryBus({ redeliveryDelayMs: 10, logger });
    const counts: number[] = [];
    await bus.subscribe({ durable: 'slow', subject: 'a.>', maxDeliver: 3, deadLetterSubject: 'dlq.slow', ackWaitMs: 50 }, async (d) => {
      counts.push(d.deliveryCount);
      if (d.deliveryCount === 1) await sleep(200);
    });
    await bus.publish({ id: 'evt-slow', subject: 'a.b', data: text('very-private-payload') });
    await waitFor(() => counts.length === 2, 'the redelivery');
    expect(counts).toEqual([1, 2]);
    expect(lines.join('')).toMatch(/ackWait/);
    expect(lines.join('')).not.toContain('very-private-payload');
    await bus.close();
  });

  it('allows one active subscriber per durable, and none after close', async () => {
    const bus = createMemoryBus();
    const o = { durable: 'one', subject: 'a.>', maxDeliver: 1, deadLetterSubject: 'dlq.one' };
    await bus.subscribe(o, async () => {});
    await expect(bus.subscribe(o, async () => {})).rejects.toThrow(/active subscriber/);
    await bus.close();
    expect(bus.healthy()).toBe(false);
    await expect(bus.publish({ id: 'x', subject: 'a.b', data: text('') })).rejects.toThrow(/closed/);
    await expect(bus.subscribe(o, async () => {})).rejects.toThrow(/closed/);
  });
});
