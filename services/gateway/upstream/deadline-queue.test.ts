import { DeadlineQueue, type Deadline } from './deadline-queue';

describe('DeadlineQueue', () => {
  let queue: DeadlineQueue;
  afterEach(() => queue?.close());

  const entry = (at: number, expired: string[], name: string): Deadline => ({ at, slot: -1, expire: () => expired.push(name) });

  it('expires each queued call once, when its deadline passes, in deadline order', async () => {
    queue = new DeadlineQueue();
    const expired: string[] = [];
    const now = performance.now();
    // Added out of order; the earliest added last re-arms the timer earlier.
    queue.add(entry(now + 120, expired, 'c'));
    queue.add(entry(now + 60, expired, 'b'));
    queue.add(entry(now + 400, expired, 'late'));
    queue.add(entry(now + 20, expired, 'a'));
    await new Promise((r) => setTimeout(r, 10));
    expect(expired).toEqual([]);
    await new Promise((r) => setTimeout(r, 150));
    expect(expired).toEqual(['a', 'b', 'c']);
    expect(queue.size).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(expired).toEqual(['a', 'b', 'c', 'late']);
    expect(queue.size).toBe(0);
  });

  it('never expires a call taken out in time, wherever it sits in the heap', async () => {
    queue = new DeadlineQueue();
    const expired: string[] = [];
    const now = performance.now();
    // e0 has the earliest deadline: removing it leaves the timer armed for nothing; it re-arms.
    const entries = Array.from({ length: 40 }, (_, i) => entry(now + 30 + ((i * 37) % 40), expired, `e${i}`));
    for (const e of entries) queue.add(e);
    for (let i = 0; i < entries.length; i += 2) queue.remove(entries[i]);
    queue.remove(entries[0]); // twice: ignored
    expect(queue.size).toBe(20);
    await new Promise((r) => setTimeout(r, 150));
    expect([...expired].sort()).toEqual(entries.map((_, i) => `e${i}`).filter((_, i) => i % 2 === 1).sort());
  });

  it('keeps heap order through random adds and removals', () => {
    let t = 0;
    queue = new DeadlineQueue(() => t);
    const live = new Set<Deadline>();
    const expired: Deadline[] = [];
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      if (live.size > 0 && rand() < 0.45) {
        const victim = [...live][Math.floor(rand() * live.size)];
        queue.remove(victim);
        live.delete(victim);
      } else {
        const d: Deadline = { at: Math.floor(rand() * 1000), slot: -1, expire: () => expired.push(d) };
        queue.add(d);
        live.add(d);
      }
    }
    expect(queue.size).toBe(live.size);
    // Expire everything through the timer path with a clock at the end of time.
    t = 10_000;
    (queue as unknown as { fire(): void }).fire();
    expect(expired.length).toBe(live.size);
    for (let i = 1; i < expired.length; i++) expect(expired[i].at).toBeGreaterThanOrEqual(expired[i - 1].at);
    expect(new Set(expired)).toEqual(live);
  });
});
