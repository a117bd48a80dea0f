import { createHash } from 'node:crypto';
import type { Principal } from './principal';

/**
 * Positive answers of identity's Verify for a short time, keyed by the SHA-256 of the API key
 * (the key itself is never kept), so a burst of calls with one key costs one round trip. A
 * revoked key is honoured for at most ttlMs more. Used by the gateway and by billing.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, { principal: Principal; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  static digest(credential: string): string {
    return createHash('sha256').update(credential).digest('base64url');
  }

  get(digest: string): Principal | undefined {
    const hit = this.entries.get(digest);
    if (!hit) return undefined;
    if (hit.expires > this.now()) return hit.principal;
    this.entries.delete(digest);
    return undefined;
  }

  set(digest: string, principal: Principal): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(digest);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(digest, { principal, expires: this.now() + this.ttlMs });
  }
}
