import { fullJitterDelay, parseRetryAfter, sleep } from './retry-policy';

describe('retry policy', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1000 };

  it('draws a full-jitter delay between 0 and the doubling cap', () => {
    expect([1, 2, 3, 4, 5, 10].map((n) => fullJitterDelay(n, policy, () => 0.999999))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(fullJitterDelay(3, policy, () => 0)).toBe(0);
    for (let i = 0; i < 100; i++) {
      const d = fullJitterDelay(3, policy);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(400);
    }
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2024-03-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Fri, 01 Mar 2024 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 29 Feb 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('sleeps until the signal aborts, not longer', async () => {
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(new Error('deadline')), 30);
    await expect(sleep(10_000, abort.signal)).rejects.toThrow('deadline');
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(sleep(5, new AbortController().signal)).resolves.toBeUndefined();
  });
});
