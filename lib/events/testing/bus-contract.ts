/**
 * The behaviour every EventBus adapter must show; run by the memory bus tests and, against a
 * real nats-server, by the NATS bus tests. Call inside a describe block.
 */
import { DEAD_LETTER_HEADERS, deadLetterId } from '../dead-letter';
import type { BusMessage, EventBus, SubscribeOptions, Subscription } from '../port';
import { recorder } from './recorder';
import { waitFor } from './wait';

export interface BusUnderTest {
  bus: EventBus;
  /** A subject prefix the bus stores, unique to this run (no other test uses it). */
  prefix: string;
  /** A prefix for dead-letter subjects: unique to this run, outside `prefix`. */
  deadLetterPrefix: string;
  close(): Promise<void>;
}

const text = (s: string) => new TextEncoder().encode(s);
const str = (d: Uint8Array) => new TextDecoder().decode(d);
const WAIT_MS = 10_000;

export function busContract(make: () => Promise<BusUnderTest>): void {
  let t: BusUnderTest;
  let n = 0;
  const subs: Subscription[] = [];

  beforeAll(async () => {
    t = await make();
  }, 30_000);
  afterEach(async () => {
    await Promise.all(subs.splice(0).map((s) => s.stop()));
  }, 15_000);
  afterAll(async () => {
    await t?.close();
  }, 15_000);

  /** Fresh subjects and durable names for one test. */
  function scope() {
    const u = `c${++n}${Math.random().toString(36).slice(2, 7)}`;
    const subject = `${t.prefix}.${u}`;
    const options = (over: Partial<SubscribeOptions> = {}): SubscribeOptions => ({
      durable: `d-${u}`,
      subject: `${subject}.>`,
      maxDeliver: 3,
      deadLetterSubject: `${t.deadLetterPrefix}.${u}`,
      ...over,
    });
    const msg = (id: string, verb = 'created', data = `payload of ${id}`): BusMessage => ({
      id: `evt-${u}-${id}`,
      subject: `${subject}.${verb}`,
      data: text(data),
    });
    const subscribe: EventBus['subscribe'] = async (o, h) => {
      const s = await t.bus.subscribe(o, h);
      subs.push(s);
      return s;
    };
    return { u, subject, options, msg, subscribe };
  }

  it('delivers a published message with its id, subject and data', async () => {
    const { options, msg, subscribe } = scope();
    const rec = recorder();
    await subscribe(options(), rec.handler);
    const m = msg('1', 'created', 'hello');
    await t.bus.publish(m);
    await waitFor(() => rec.seen.length === 1, 'the delivery', WAIT_MS);
    expect(rec.seen[0]).toMatchObject({ id: m.id, subject: m.subject, deliveryCount: 1 });
    expect(str(rec.seen[0]!.data)).toBe('hello');
  });

  it('delivers messages published before the durable first subscribed', async () => {
    const { options, msg, subscribe } = scope();
    await t.bus.publish(msg('early'));
    const rec = recorder();
    await subscribe(options(), rec.handler);
    await waitFor(() => rec.seen.length === 1, 'the early message', WAIT_MS);
    expect(rec.ids()).toEqual([msg('early').id]);
  });

  it('absorbs a message republished with the same id', async () => {
    const { options, msg, subscribe } = scope();
    const rec = recorder();
    await subscribe(options(), rec.handler);
    await t.bus.publish(msg('1', 'created', 'first'));
    await t.bus.publish(msg('1', 'created', 'second'));
    await t.bus.publish(msg('sentinel'));
    await waitFor(() => rec.ids().includes(msg('sentinel').id), 'the sentinel', WAIT_MS);
    expect(rec.ids()).toEqual([msg('1').id, msg('sentinel').id]);
    expect(str(rec.seen[0]!.data)).toBe('first');
  });

  it('redelivers a message whose handler failed, with a growing delivery count', async () => {
    const { options, msg, subscribe } = scope();
    const rec = recorder((d) => d.deliveryCount === 1);
    await subscribe(options(), rec.handler);
    await t.bus.publish(msg('1'));
    await waitFor(() => rec.seen.length === 2, 'the redelivery', WAIT_MS);
    expect(rec.seen.map((d) => [d.id, d.deliveryCount])).toEqual([
      [msg('1').id, 1],
      [msg('1').id, 2],
    ]);
  });

  it('moves a message that failed maxDeliver times to the dead-letter subject, and goes on', async () => {
    const { options, msg, subscribe } = scope();
    const bad = msg('bad');
    const rec = recorder((d) => d.id === bad.id);
    const o = options({ maxDeliver: 3 });
    await subscribe(o, rec.handler);
    const dead = recorder();
    await subscribe({ durable: `${o.durable}-dlq`, subject: o.deadLetterSubject, maxDeliver: 1, deadLetterSubject: `${o.deadLetterSubject}.x` }, dead.handler);

    await t.bus.publish(bad);
    await t.bus.publish(msg('good'));
    await waitFor(() => dead.seen.length === 1, 'the dead-lettered copy', WAIT_MS);
    await t.bus.publish(msg('after'));
    await waitFor(() => rec.ids().includes(msg('after').id), 'the message after', WAIT_MS);

    expect(rec.seen.filter((d) => d.id === bad.id).map((d) => d.deliveryCount)).toEqual([1, 2, 3]);
    expect(rec.ids()).toContain(msg('good').id);
    const copy = dead.seen[0]!;
    expect(copy.id).toBe(deadLetterId(bad.id, o.durable));
    expect(copy.subject).toBe(o.deadLetterSubject);
    expect(str(copy.data)).toBe(str(bad.data));
    expect(copy.headers).toMatchObject({
      [DEAD_LETTER_HEADERS.subject]: bad.subject,
      [DEAD_LETTER_HEADERS.id]: bad.id,
      [DEAD_LETTER_HEADERS.durable]: o.durable,
      [DEAD_LETTER_HEADERS.deliveries]: '3',
    });
    expect(copy.headers?.[DEAD_LETTER_HEADERS.error]).toContain(`handler refused ${bad.id}`);
  });

  it('resumes a durable where it stopped', async () => {
    const { options, msg, subscribe } = scope();
    const first = recorder();
    const sub = await subscribe(options(), first.handler);
    await t.bus.publish(msg('a'));
    await t.bus.publish(msg('b'));
    await waitFor(() => first.seen.length === 2, 'a and b', WAIT_MS);
    await sub.stop();

    await t.bus.publish(msg('c'));
    await t.bus.publish(msg('d'));
    const second = recorder();
    await subscribe(options(), second.handler);
    await waitFor(() => second.seen.length >= 2, 'c and d', WAIT_MS);
    await t.bus.publish(msg('e'));
    await waitFor(() => second.ids().includes(msg('e').id), 'e', WAIT_MS);
    expect(first.ids()).toEqual([msg('a').id, msg('b').id]);
    expect(second.ids()).toEqual([msg('c').id, msg('d').id, msg('e').id]);
  });

  it('delivers only subjects that match the filter (* one token, > the rest)', async () => {
    const { subject, options, msg, subscribe } = scope();
    const one = recorder();
    const rest = recorder();
    await subscribe(options({ subject: `${subject}.*.created` }), one.handler);
    await subscribe(options({ durable: `${options().durable}-rest`, subject: `${subject}.sa.>` }), rest.handler);
    await t.bus.publish(msg('1', 'sa.created'));
    await t.bus.publish(msg('2', 'sa.deleted'));
    await t.bus.publish(msg('3', 'sa.x.created'));
    await t.bus.publish(msg('4', 'project.created'));
    await waitFor(() => one.seen.length === 2 && rest.seen.length === 3, 'the matching messages', WAIT_MS);
    expect(one.ids()).toEqual([msg('1').id, msg('4').id]);
    expect(rest.ids()).toEqual([msg('1').id, msg('2').id, msg('3').id]);
  });

  it('rejects bad messages and subscribe options', async () => {
    const { subject, options, msg } = scope();
    await expect(t.bus.publish({ ...msg('1'), subject: `${subject}.*` })).rejects.toThrow(/subject/);
    await expect(t.bus.publish({ ...msg('1'), id: '' })).rejects.toThrow(/id/);
    const noop = async () => {};
    await expect(t.bus.subscribe(options({ maxDeliver: 0 }), noop)).rejects.toThrow(/maxDeliver/);
    await expect(t.bus.subscribe(options({ deadLetterSubject: `${subject}.dead` }), noop)).rejects.toThrow(/dead-letter/);
    await expect(t.bus.subscribe(options({ durable: 'has.dot' }), noop)).rejects.toThrow(/durable/);
  });

  it('refuses to reuse a durable name with another filter', async () => {
    const { subject, options, subscribe } = scope();
    const sub = await subscribe(options(), async () => {});
    await sub.stop();
    await expect(t.bus.subscribe(options({ subject: `${subject}.other.>` }), async () => {})).rejects.toThrow(/already exists/);
  });

  it('is healthy while open', () => {
    expect(t.bus.healthy()).toBe(true);
  });
}
