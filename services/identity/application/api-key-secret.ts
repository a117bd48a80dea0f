import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `tally_<id>_<secret>`: the id finds the record, the secret is checked
 * against its stored SHA-256 (the secret has 256 bits of entropy, so a fast hash is enough).
 */
export function mintApiKey(): { keyId: string; key: string; hash: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId: `key-${id}`, key: `tally_${id}_${secret}`, hash: hashSecret(secret) };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function parseApiKey(key: string): { keyId: string; secret: string } | null {
  const m = /^tally_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/.exec(key);
  return m ? { keyId: `key-${m[1]}`, secret: m[2] } : null;
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
