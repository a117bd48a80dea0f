import { randomBytes } from 'node:crypto';
import { DomainError } from '../errors/domain-error';
import { needsRewrap, openSecret, rewrapSecret, sealSecret, type SealedSecret } from './envelope';
import { SecretCryptoError, type SecretErrorCode } from './errors';
import { KeyRing } from './key-ring';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const ringV1 = new KeyRing([{ version: 1, key: k1 }]);
const ringV12 = new KeyRing([
  { version: 1, key: k1 },
  { version: 2, key: k2 },
]);
const ringV2 = new KeyRing([{ version: 2, key: k2 }]);
const ringV12min2 = new KeyRing(
  [
    { version: 1, key: k1 },
    { version: 2, key: k2 },
  ],
  2,
);

const aad = { domainId: 'domain-a', secretId: 'secret-1' };
const PLAIN = JSON.stringify({
  account_id: '123456789012',
  client_email: 'billing@example.com',
  private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n',
});
const plaintext = () => Buffer.from(PLAIN, 'utf8');

function failure(fn: () => unknown): SecretCryptoError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SecretCryptoError) return e;
    throw e;
  }
  throw new Error('expected a SecretCryptoError');
}

const expectFails = (fn: () => unknown, code: SecretErrorCode) => {
  const e = failure(fn);
  expect(e.code).toBe(code);
  expect(e).toBeInstanceOf(DomainError);
  expect(e.message).not.toContain(PLAIN.slice(0, 20));
  expect(e.message).not.toContain('PRIVATE KEY');
  for (const k of [k1, k2]) {
    expect(e.message).not.toContain(k.toString('base64'));
    expect(e.message).not.toContain(k.toString('hex'));
  }
  return e;
};

/** Flips one bit of byte i of a base64 field. */
function flipped(sealed: SealedSecret, field: 'wrapped_key' | 'iv' | 'ciphertext' | 'tag', i: number): SealedSecret {
  const buf = Buffer.from(sealed[field], 'base64');
  buf[i] ^= 0x01;
  return { ...sealed, [field]: buf.toString('base64') };
}

describe('sealSecret / openSecret', () => {
  it('round-trips, with a fresh data key, IV and ciphertext each time', () => {
    const a = sealSecret(ringV1, plaintext(), aad);
    const b = sealSecret(ringV1, plaintext(), aad);
    expect(openSecret(ringV1, a, aad).toString('utf8')).toBe(PLAIN);
    expect(openSecret(ringV1, b, aad).toString('utf8')).toBe(PLAIN);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.iv).not.toBe(b.iv);
    expect(a.wrapped_key).not.toBe(b.wrapped_key);
  });

  it('is a plain JSON-able record of base64 strings and the key version', () => {
    const sealed = sealSecret(ringV12, plaintext(), aad);
    expect(Object.keys(sealed).sort()).toEqual(['ciphertext', 'iv', 'key_version', 'scheme', 'tag', 'wrapped_key']);
    expect(sealed.key_version).toBe(2);
    expect(sealed.scheme).toBe('tally.envelope.v1');
    const copy = JSON.parse(JSON.stringify(sealed)) as SealedSecret;
    expect(copy).toEqual(sealed);
    expect(openSecret(ringV12, copy, aad).toString('utf8')).toBe(PLAIN);
    expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(sealed.tag, 'base64')).toHaveLength(16);
    expect(Buffer.from(sealed.wrapped_key, 'base64')).toHaveLength(60);
  });

  it('handles empty and large plaintexts', () => {
    const empty = sealSecret(ringV1, Buffer.alloc(0), aad);
    expect(openSecret(ringV1, empty, aad)).toHaveLength(0);
    const big = randomBytes(256 * 1024);
    expect(openSecret(ringV1, sealSecret(ringV1, big, aad), aad).equals(big)).toBe(true);
  });

  it('holds no plaintext, raw or in base64, hex or any alignment', () => {
    const sealed = sealSecret(ringV1, plaintext(), aad);
    const json = JSON.stringify(sealed);
    const pt = plaintext();
    const needles: string[] = [];
    for (let off = 0; off < 3; off++) {
      // base64 of the plaintext at each of the three byte alignments (drop the edge characters).
      needles.push(pt.subarray(off, off + 30).toString('base64').slice(1, -2));
    }
    needles.push(pt.subarray(0, 12).toString('hex'), '123456789012', 'billing@example.com', 'PRIVATE KEY', 'MIIEvQ');
    for (const n of needles) expect(json).not.toContain(n);
    for (const field of ['wrapped_key', 'iv', 'ciphertext', 'tag'] as const) {
      const raw = Buffer.from(sealed[field], 'base64');
      for (let i = 0; i + 6 <= pt.length; i++) expect(raw.includes(pt.subarray(i, i + 6))).toBe(false);
    }
  });

  it('a record moved to another domain or secret id does not open', () => {
    const sealed = sealSecret(ringV1, plaintext(), aad);
    expectFails(() => openSecret(ringV1, sealed, { ...aad, domainId: 'domain-b' }), 'AUTHENTICATION_FAILED');
    expectFails(() => openSecret(ringV1, sealed, { ...aad, secretId: 'secret-2' }), 'AUTHENTICATION_FAILED');
    // The binding is unambiguous: moving characters between the two ids does not help.
    const s2 = sealSecret(ringV1, plaintext(), { domainId: 'ab', secretId: 'c' });
    expectFails(() => openSecret(ringV1, s2, { domainId: 'a', secretId: 'bc' }), 'AUTHENTICATION_FAILED');
  });

  it('every flipped byte of ciphertext, tag, IV and wrapped key fails', () => {
    const sealed = sealSecret(ringV1, plaintext(), aad);
    let checked = 0;
    for (const field of ['ciphertext', 'tag', 'iv', 'wrapped_key'] as const) {
      const n = Buffer.from(sealed[field], 'base64').length;
      for (let i = 0; i < n; i++) {
        expectFails(() => openSecret(ringV1, flipped(sealed, field, i), aad), 'AUTHENTICATION_FAILED');
        checked++;
      }
    }
    expect(checked).toBe(PLAIN.length + 16 + 12 + 60);
    expect(openSecret(ringV1, sealed, aad).toString('utf8')).toBe(PLAIN);
  });

  it('a changed key version fails, whether configured or not', () => {
    const sealed = sealSecret(ringV1, plaintext(), aad);
    expectFails(() => openSecret(ringV12, { ...sealed, key_version: 2 }, aad), 'AUTHENTICATION_FAILED');
    expectFails(() => openSecret(ringV1, { ...sealed, key_version: 9 }, aad), 'KEY_VERSION_UNKNOWN');
  });

  it('an unknown version fails with a typed error naming the versions only', () => {
    const sealed = sealSecret(ringV12, plaintext(), aad);
    const e = expectFails(() => openSecret(ringV1, sealed, aad), 'KEY_VERSION_UNKNOWN');
    expect(e.message).toContain('version 2');
    expect(e.reason).toBe('SECRET.KEY_VERSION_UNKNOWN');
  });

  it('a version below the minimum fails even though its key is configured', () => {
    const sealed = sealSecret(ringV1, plaintext(), aad);
    const e = expectFails(() => openSecret(ringV12min2, sealed, aad), 'KEY_VERSION_RETIRED');
    expect(e.message).toContain('below the minimum version 2');
    expectFails(() => rewrapSecret(ringV12min2, sealed, aad), 'KEY_VERSION_RETIRED');
  });

  it.each<[string, (s: SealedSecret) => unknown]>([
    ['another scheme', (s) => ({ ...s, scheme: 'v0' })],
    ['no key version', (s) => ({ ...s, key_version: undefined })],
    ['a fractional key version', (s) => ({ ...s, key_version: 1.5 })],
    ['a short IV', (s) => ({ ...s, iv: Buffer.alloc(8).toString('base64') })],
    ['a short tag', (s) => ({ ...s, tag: Buffer.alloc(12).toString('base64') })],
    ['a truncated wrapped key', (s) => ({ ...s, wrapped_key: s.wrapped_key.slice(0, 40) })],
    ['junk in base64', (s) => ({ ...s, ciphertext: `${s.ciphertext}!!` })],
    ['a missing ciphertext', (s) => ({ ...s, ciphertext: undefined })],
    ['not an object', () => null],
  ])('a malformed record (%s) fails as MALFORMED', (_, change) => {
    const sealed = sealSecret(ringV1, plaintext(), aad);
    expectFails(() => openSecret(ringV1, change(sealed) as SealedSecret, aad), 'MALFORMED');
  });

  it('refuses to seal or open without a domain and secret id', () => {
    expectFails(() => sealSecret(ringV1, plaintext(), { domainId: '', secretId: 's' }), 'INVALID_AAD');
    const sealed = sealSecret(ringV1, plaintext(), aad);
    expectFails(() => openSecret(ringV1, sealed, { domainId: 'domain-a', secretId: '' }), 'INVALID_AAD');
  });
});

describe('rewrapSecret', () => {
  it('re-wraps under the newest key without touching the data; opens with the old key removed', () => {
    const old = sealSecret(ringV1, plaintext(), aad);
    expect(needsRewrap(ringV12, old)).toBe(true);
    const fresh = rewrapSecret(ringV12, old, aad);
    expect(fresh.key_version).toBe(2);
    expect(needsRewrap(ringV12, fresh)).toBe(false);
    expect([fresh.iv, fresh.ciphertext, fresh.tag]).toEqual([old.iv, old.ciphertext, old.tag]);
    expect(fresh.wrapped_key).not.toBe(old.wrapped_key);
    expect(openSecret(ringV2, fresh, aad).toString('utf8')).toBe(PLAIN);
    expect(openSecret(ringV12min2, fresh, aad).toString('utf8')).toBe(PLAIN);
    expectFails(() => openSecret(ringV2, old, aad), 'KEY_VERSION_UNKNOWN');
  });

  it('refuses a moved or altered wrapped key', () => {
    const old = sealSecret(ringV1, plaintext(), aad);
    expectFails(() => rewrapSecret(ringV12, old, { ...aad, secretId: 'secret-9' }), 'AUTHENTICATION_FAILED');
    expectFails(() => rewrapSecret(ringV12, flipped(old, 'wrapped_key', 20), aad), 'AUTHENTICATION_FAILED');
  });

  it('a rewrapped record is still bound to its domain and secret id', () => {
    const fresh = rewrapSecret(ringV12, sealSecret(ringV1, plaintext(), aad), aad);
    expectFails(() => openSecret(ringV12, fresh, { ...aad, domainId: 'domain-b' }), 'AUTHENTICATION_FAILED');
  });
});
