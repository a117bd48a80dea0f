import { createHash } from 'node:crypto';
import type { Principal } from '../../../../lib/auth/principal';

/**
 * Positive answers of identity's Verify, kept for a short time so that a burst of calls with one
 * API key costs one round trip. Keys are SHA-256 digests: the credential itself is not kept. A
 * revoked key is honoured for at most ttlMs more.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, { principal: Principal; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  private static key(credential: string): string {
    return createHash('sha256').update(credential).digest('base64url');
  }

  get(credential: string): Principal | undefined {
    const key = PrincipalCache.key(credential);
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.principal;
  }

  set(credential: string, principal: Principal): void {
    if (this.ttlMs <= 0) return;
    const key = PrincipalCache.key(credential);
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { principal, expires: this.now() + this.ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
