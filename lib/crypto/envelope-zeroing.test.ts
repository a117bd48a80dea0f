import * as nodeCrypto from 'node:crypto';
import { openSecret, rewrapSecret, sealSecret } from './envelope';
import { KeyRing } from './key-ring';

/** Records every random buffer made and every key handed to a cipher, to check they are wiped. */
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  const seen = { random: [] as Buffer[], keys: [] as Buffer[], encrypted: [] as Buffer[] };
  return {
    ...actual,
    __seen: seen,
    randomBytes: (n: number) => {
      const b = actual.randomBytes(n);
      seen.random.push(b);
      return b;
    },
    createCipheriv: (alg: string, key: Buffer, iv: Buffer, opts: never) => {
      seen.keys.push(key);
      const cipher = actual.createCipheriv(alg, key, iv, opts);
      const update = cipher.update.bind(cipher) as (data: Buffer) => Buffer;
      Object.assign(cipher, {
        update: (data: Buffer) => {
          seen.encrypted.push(data);
          return update(data);
        },
      });
      return cipher;
    },
    createDecipheriv: (alg: string, key: Buffer, iv: Buffer, opts: never) => {
      seen.keys.push(key);
      return actual.createDecipheriv(alg, key, iv, opts);
    },
  };
});

const seen = (nodeCrypto as unknown as { __seen: { random: Buffer[]; keys: Buffer[]; encrypted: Buffer[] } }).__seen;
const reset = () => {
  seen.random.length = 0;
  seen.keys.length = 0;
  seen.encrypted.length = 0;
};

const k1 = Buffer.alloc(32, 1);
const k2 = Buffer.alloc(32, 2);
const ring = new KeyRing([
  { version: 1, key: k1 },
  { version: 2, key: k2 },
]);
const ringV1 = new KeyRing([{ version: 1, key: k1 }]);
const aad = { domainId: 'domain-a', secretId: 'secret-1' };
const zero = Buffer.alloc(32);
const dataKeysUsed = () => seen.keys.filter((k) => !k.equals(k1) && !k.equals(k2));

describe('data keys are zeroed after use', () => {
  it('seal zeroes its random data key', () => {
    reset();
    sealSecret(ring, Buffer.from('credentials'), aad);
    const made = seen.random.filter((b) => b.length === 32);
    expect(made).toHaveLength(1);
    expect(made[0].equals(zero)).toBe(true);
    expect(dataKeysUsed()).toHaveLength(1);
    expect(dataKeysUsed()[0].equals(zero)).toBe(true);
  });

  it('open zeroes the unwrapped data key', () => {
    const sealed = sealSecret(ring, Buffer.from('credentials'), aad);
    reset();
    expect(openSecret(ring, sealed, aad).toString()).toBe('credentials');
    expect(dataKeysUsed()).toHaveLength(1);
    expect(dataKeysUsed()[0].equals(zero)).toBe(true);
  });

  it('open zeroes the data key when the data fails authentication', () => {
    const sealed = sealSecret(ring, Buffer.from('credentials'), aad);
    const tag = Buffer.from(sealed.tag, 'base64');
    tag[0] ^= 1;
    reset();
    expect(() => openSecret(ring, { ...sealed, tag: tag.toString('base64') }, aad)).toThrow(/failed authentication/);
    expect(dataKeysUsed()).toHaveLength(1);
    expect(dataKeysUsed()[0].equals(zero)).toBe(true);
  });

  it('rewrap zeroes the data key it re-wraps', () => {
    const sealed = sealSecret(ringV1, Buffer.from('credentials'), aad);
    reset();
    rewrapSecret(ring, sealed, aad);
    // The unwrapped data key is only ever encrypted (under master key 2), never used as a key.
    expect(seen.keys.every((k) => k.equals(k1) || k.equals(k2))).toBe(true);
    expect(seen.encrypted).toHaveLength(1);
    expect(seen.encrypted[0]).toHaveLength(32);
    expect(seen.encrypted[0].equals(zero)).toBe(true);
  });

  it('the data key wrapped at seal time is the zeroed one', () => {
    reset();
    sealSecret(ring, Buffer.from('credentials'), aad);
    const wrappedInput = seen.encrypted.filter((b) => b.length === 32);
    expect(wrappedInput).toHaveLength(1);
    expect(wrappedInput[0].equals(zero)).toBe(true);
  });
});
