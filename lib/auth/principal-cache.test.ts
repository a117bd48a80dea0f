import type { Principal } from './principal';
import { PrincipalCache } from './principal-cache';

describe('principal cache', () => {
  const p: Principal = { subject: 'key-1', domainId: 'domain-1', role: 'DOMAIN_ADMIN', projectIds: [] };

  it('keeps an answer for ttl under the digest of the key, never the key itself', () => {
    let now = 0;
    const cache = new PrincipalCache(10_000, 10, () => now);
    const digest = PrincipalCache.digest('secret-api-key');
    expect(digest).not.toContain('secret-api-key');
    cache.set(digest, p);
    now = 9_999;
    expect(cache.get(digest)).toEqual(p);
    now = 10_000;
    expect(cache.get(digest)).toBeUndefined();
  });

  it('drops the oldest entries past its size, and keeps nothing with ttl 0', () => {
    const cache = new PrincipalCache(10_000, 2);
    for (const k of ['a', 'b', 'c']) cache.set(k, p);
    expect([cache.get('a'), cache.get('b'), cache.get('c')].map(Boolean)).toEqual([false, true, true]);
    const off = new PrincipalCache(0);
    off.set('a', p);
    expect(off.get('a')).toBeUndefined();
  });
});
