import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigError } from '../config/config';
import { KeyRing, parseMasterKeys } from './key-ring';

const b64 = (n = 32) => randomBytes(n).toString('base64');

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('parseMasterKeys', () => {
  it('parses versioned keys in any order, with spaces around entries', () => {
    const k1 = b64();
    const k2 = b64();
    const keys = parseMasterKeys(` 2:${k2} , 1:${k1}`);
    expect(keys.map((k) => k.version)).toEqual([2, 1]);
    expect(keys[1].key.toString('base64')).toBe(k1);
    expect(keys[0].key).toHaveLength(32);
  });

  it.each([
    ['', /TALLY_MASTER_KEYS is empty/],
    ['   ', /TALLY_MASTER_KEYS is empty/],
    [`1:${'A'.repeat(43)}=,`, /TALLY_MASTER_KEYS entry 2 is empty/],
    ['justakey', /entry 1 is not in the form <version>:<base64 key>/],
    [`x:${'A'.repeat(43)}=`, /entry 1: the version must be a whole number/],
    [`0:${'A'.repeat(43)}=`, /entry 1: the version must be a whole number/],
    [`-1:${'A'.repeat(43)}=`, /entry 1: the version must be a whole number/],
    [`1.5:${'A'.repeat(43)}=`, /entry 1: the version must be a whole number/],
    ['1:not base64!', /entry 1 \(version 1\): the key is not valid base64/],
    ['1:', /entry 1 \(version 1\): the key is not valid base64/],
    [`1:${'A'.repeat(43)}`, /not valid base64/],
    [`1:${b64(16)}`, /entry 1 \(version 1\): the key is 16 bytes; AES-256 needs exactly 32/],
    [`1:${b64(33)}`, /the key is 33 bytes/],
    [`1:${'A'.repeat(43)}=,1:${'B'.repeat(43)}=`, /entry 2 \(version 1\): version 1 appears more than once/],
  ])('refuses %j', (value, message) => {
    const list = problems(() => parseMasterKeys(value));
    expect(list.join('\n')).toMatch(message);
    expect(list.every((p) => p.includes('TALLY_MASTER_KEYS'))).toBe(true);
  });

  it('lists every problem at once, and names another variable when asked', () => {
    const list = problems(() => parseMasterKeys('a:b,2:zz,,3', 'KEYS_FILE'));
    expect(list).toHaveLength(4);
    expect(list.every((p) => p.startsWith('KEYS_FILE entry'))).toBe(true);
  });

  it('never echoes key text in its messages', () => {
    const secretish = 'c2VjcmV0LWtleS1tYXRlcmlhbA==';
    const list = problems(() => parseMasterKeys(`1:${secretish},2:${secretish.slice(0, 10)}#`));
    for (const p of list) {
      expect(p).not.toContain(secretish);
      expect(p).not.toContain(secretish.slice(0, 10));
    }
  });
});

describe('KeyRing', () => {
  it('knows its versions, newest version and minimum', () => {
    const ring = KeyRing.fromConfig(`3:${b64()},1:${b64()}`, 1);
    expect(ring.versions).toEqual([1, 3]);
    expect(ring.newestVersion).toBe(3);
    expect(ring.minVersion).toBe(1);
    expect(KeyRing.fromConfig(`1:${b64()}`).minVersion).toBe(0);
  });

  it('refuses a minimum above the newest version and a negative minimum', () => {
    expect(problems(() => KeyRing.fromConfig(`1:${b64()},2:${b64()}`, 3)).join()).toMatch(
      /TALLY_MASTER_KEY_MIN_VERSION \(3\) is above the newest master key version \(2\)/,
    );
    expect(problems(() => KeyRing.fromConfig(`1:${b64()}`, -1)).join()).toMatch(/TALLY_MASTER_KEY_MIN_VERSION/);
  });

  it('refuses an empty key list and bad keys given directly', () => {
    expect(problems(() => new KeyRing([])).join()).toMatch(/holds no key/);
    expect(problems(() => new KeyRing([{ version: 1, key: Buffer.alloc(31) }])).join()).toMatch(/not 32 bytes/);
    expect(
      problems(() => new KeyRing([{ version: 1, key: Buffer.alloc(32) }, { version: 1, key: Buffer.alloc(32) }])).join(),
    ).toMatch(/appears more than once/);
  });

  it('shows no key material when logged, dumped or serialised', () => {
    const key = randomBytes(32);
    const ring = new KeyRing([{ version: 7, key }]);
    const shown = [JSON.stringify(ring), inspect(ring, { showHidden: true, depth: 10 }), String(Object.values(ring))];
    for (const s of shown) {
      expect(s).not.toContain(key.toString('base64'));
      expect(s).not.toContain(key.toString('hex'));
    }
    expect(JSON.parse(JSON.stringify(ring))).toEqual({ versions: [7], newestVersion: 7, minVersion: 0 });
  });

  it('keeps its own copy of the keys', () => {
    const key = randomBytes(32);
    const ring = new KeyRing([{ version: 1, key }]);
    const copy = Buffer.from(key);
    key.fill(0);
    const again = new KeyRing([{ version: 1, key: copy }]);
    expect(ring.newestVersion).toBe(again.newestVersion);
  });
});
