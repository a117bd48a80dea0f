import { inspect } from 'node:util';
import { ConfigError } from '../config/config';

export const MASTER_KEYS_VAR = 'TALLY_MASTER_KEYS';
export const MIN_VERSION_VAR = 'TALLY_MASTER_KEY_MIN_VERSION';
/** AES-256 keys are 32 bytes. */
export const MASTER_KEY_BYTES = 32;
const MAX_VERSION = 2 ** 31 - 1;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface MasterKey {
  version: number;
  /** 32 bytes. */
  key: Buffer;
}

/**
 * Parses `1:<base64>,2:<base64>`: versioned 32-byte master keys, in any order. Throws a
 * ConfigError listing every problem (naming the variable, never echoing key text).
 */
export function parseMasterKeys(value: string, variable = MASTER_KEYS_VAR): MasterKey[] {
  const problems: string[] = [];
  const keys: MasterKey[] = [];
  const text = (value ?? '').trim();
  if (text === '') {
    throw new ConfigError([
      `${variable} is empty; set it to "1:<base64 of 32 random bytes>" (for example from \`openssl rand -base64 32\`)`,
    ]);
  }
  for (const [i, raw] of text.split(',').entries()) {
    const entry = raw.trim();
    const where = `${variable} entry ${i + 1}`;
    const colon = entry.indexOf(':');
    const versionText = entry.slice(0, Math.max(colon, 0)).trim();
    const keyText = entry.slice(colon + 1).trim();
    const version = /^\d{1,10}$/.test(versionText) ? Number(versionText) : NaN;
    if (entry === '') {
      problems.push(`${where} is empty (a stray comma?)`);
    } else if (colon < 0) {
      problems.push(`${where} is not in the form <version>:<base64 key>`);
    } else if (!Number.isSafeInteger(version) || version < 1 || version > MAX_VERSION) {
      problems.push(`${where}: the version must be a whole number from 1 to ${MAX_VERSION}`);
    } else if (keyText === '' || !BASE64.test(keyText)) {
      problems.push(`${where} (version ${version}): the key is not valid base64 (standard alphabet, with = padding)`);
    } else if (keys.some((k) => k.version === version)) {
      problems.push(`${where} (version ${version}): version ${version} appears more than once`);
    } else {
      const key = Buffer.from(keyText, 'base64');
      if (key.length === MASTER_KEY_BYTES) keys.push({ version, key });
      else {
        problems.push(`${where} (version ${version}): the key is ${key.length} bytes; AES-256 needs exactly ${MASTER_KEY_BYTES}`);
        key.fill(0);
      }
    }
  }
  if (problems.length > 0) {
    for (const k of keys) k.key.fill(0);
    throw new ConfigError(problems);
  }
  return keys;
}

/** Key material, kept out of the KeyRing object so that no log or dump of it can show a key. */
const material = new WeakMap<KeyRing, ReadonlyMap<number, Buffer>>();

/**
 * The configured master keys. The newest version wraps new data keys; versions below
 * minVersion are refused when opening (raise it once a rewrap has moved every record on).
 */
export class KeyRing {
  /** The version new secrets are wrapped with. */
  readonly newestVersion: number;
  /** The lowest version accepted when opening; 0 accepts every configured version. */
  readonly minVersion: number;
  /** Configured versions, ascending. */
  readonly versions: readonly number[];

  constructor(keys: readonly MasterKey[], minVersion = 0) {
    const problems: string[] = [];
    if (keys.length === 0) problems.push(`${MASTER_KEYS_VAR} holds no key`);
    const map = new Map<number, Buffer>();
    for (const k of keys) {
      if (!Number.isSafeInteger(k.version) || k.version < 1 || k.version > MAX_VERSION)
        problems.push(`${MASTER_KEYS_VAR}: version ${String(k.version)} is not a whole number from 1 to ${MAX_VERSION}`);
      else if (map.has(k.version)) problems.push(`${MASTER_KEYS_VAR}: version ${k.version} appears more than once`);
      else if (!Buffer.isBuffer(k.key) || k.key.length !== MASTER_KEY_BYTES)
        problems.push(`${MASTER_KEYS_VAR}: the key of version ${k.version} is not ${MASTER_KEY_BYTES} bytes`);
      else map.set(k.version, Buffer.from(k.key));
    }
    const versions = [...map.keys()].sort((a, b) => a - b);
    const newest = versions[versions.length - 1] ?? 0;
    if (!Number.isSafeInteger(minVersion) || minVersion < 0)
      problems.push(`${MIN_VERSION_VAR} must be a whole number from 0, got ${String(minVersion)}`);
    else if (newest > 0 && minVersion > newest)
      problems.push(
        `${MIN_VERSION_VAR} (${minVersion}) is above the newest master key version (${newest}); no key could be used`,
      );
    if (problems.length > 0) {
      for (const b of map.values()) b.fill(0);
      throw new ConfigError(problems);
    }
    this.newestVersion = newest;
    this.minVersion = minVersion;
    this.versions = Object.freeze(versions);
    material.set(this, map);
  }

  /** Builds the ring from the two configuration values (TALLY_MASTER_KEYS, ..._MIN_VERSION). */
  static fromConfig(masterKeys: string, minVersion = 0): KeyRing {
    const keys = parseMasterKeys(masterKeys);
    try {
      return new KeyRing(keys, minVersion);
    } finally {
      for (const k of keys) k.key.fill(0);
    }
  }

  toJSON() {
    return { versions: this.versions, newestVersion: this.newestVersion, minVersion: this.minVersion };
  }

  [inspect.custom]() {
    return `KeyRing ${JSON.stringify(this.toJSON())}`;
  }
}

/** The master key of a version, or undefined; for the envelope functions only (not exported from the package). */
export function masterKey(ring: KeyRing, version: number): Buffer | undefined {
  return material.get(ring)?.get(version);
}
