import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretCryptoError } from './errors';
import { masterKey, type KeyRing } from './key-ring';

const ALG = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The wrapped data key as stored: IV, encrypted key, tag. */
const WRAPPED_BYTES = IV_BYTES + KEY_BYTES + TAG_BYTES;

/** What a sealed secret is bound to: a ciphertext moved to another record does not open. */
export interface SecretAad {
  domainId: string;
  secretId: string;
}

/**
 * A secret at rest: a plain, JSON-able object. The data is AES-256-GCM under a data key of its
 * own; the data key is AES-256-GCM under master key `key_version`. Binary fields are base64.
 */
export interface SealedSecret {
  /** Format of the record, so that a later scheme can be told apart. */
  scheme: 'tally.envelope.v1';
  key_version: number;
  /** IV (12 bytes), encrypted data key (32), tag (16). */
  wrapped_key: string;
  /** IV of the data (12 bytes). */
  iv: string;
  ciphertext: string;
  /** GCM tag of the data (16 bytes). */
  tag: string;
}

const SCHEME = 'tally.envelope.v1';

function lengthPrefixed(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

function checkAad(aad: SecretAad): void {
  if (!aad || typeof aad.domainId !== 'string' || aad.domainId === '' || typeof aad.secretId !== 'string' || aad.secretId === '')
    throw new SecretCryptoError('INVALID_AAD', 'a sealed secret must be bound to a domain id and a secret id');
}

/** Authenticated data of the secret's data: the domain and the secret id (not the key version, so a rewrap leaves it alone). */
function dataAad(aad: SecretAad): Buffer {
  return Buffer.concat([Buffer.from(`${SCHEME}.data\0`), lengthPrefixed(aad.domainId), lengthPrefixed(aad.secretId)]);
}

/** Authenticated data of the wrapped data key: the key version, the domain and the secret id. */
function wrapAad(version: number, aad: SecretAad): Buffer {
  const v = Buffer.alloc(4);
  v.writeUInt32BE(version);
  return Buffer.concat([Buffer.from(`${SCHEME}.key\0`), v, lengthPrefixed(aad.domainId), lengthPrefixed(aad.secretId)]);
}

function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALG, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** Decrypts and verifies; on failure, zeroes whatever plaintext was produced and throws. */
function decrypt(key: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv(ALG, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const head = decipher.update(ciphertext);
  try {
    const tail = decipher.final();
    const out = Buffer.concat([head, tail]);
    tail.fill(0);
    return out;
  } catch {
    throw new SecretCryptoError(
      'AUTHENTICATION_FAILED',
      'the secret failed authentication: it was altered, or it belongs to another domain or secret id',
    );
  } finally {
    head.fill(0);
  }
}

function wrap(ring: KeyRing, dataKey: Buffer, aad: SecretAad): { key_version: number; wrapped_key: string } {
  const version = ring.newestVersion;
  const master = masterKey(ring, version)!;
  const w = encrypt(master, dataKey, wrapAad(version, aad));
  return { key_version: version, wrapped_key: Buffer.concat([w.iv, w.ciphertext, w.tag]).toString('base64') };
}

/** Strict base64: Buffer.from ignores junk, so the text must re-encode to itself. */
function decodeField(sealed: Record<string, unknown>, name: string, bytes?: number): Buffer {
  const text = sealed[name];
  const buf = typeof text === 'string' ? Buffer.from(text, 'base64') : undefined;
  if (!buf || buf.toString('base64') !== text || (bytes !== undefined && buf.length !== bytes))
    throw new SecretCryptoError('MALFORMED', `the sealed secret's ${name} is missing or malformed`);
  return buf;
}

interface Parsed {
  version: number;
  wrapped: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

function parse(sealed: SealedSecret): Parsed {
  if (!sealed || typeof sealed !== 'object' || sealed.scheme !== SCHEME)
    throw new SecretCryptoError('MALFORMED', `the record is not a sealed secret of scheme ${SCHEME}`);
  const version = sealed.key_version;
  if (!Number.isSafeInteger(version) || version < 1)
    throw new SecretCryptoError('MALFORMED', "the sealed secret's key_version is missing or malformed");
  const rec = sealed as unknown as Record<string, unknown>;
  return {
    version,
    wrapped: decodeField(rec, 'wrapped_key', WRAPPED_BYTES),
    iv: decodeField(rec, 'iv', IV_BYTES),
    ciphertext: decodeField(rec, 'ciphertext'),
    tag: decodeField(rec, 'tag', TAG_BYTES),
  };
}

/** Unwraps the data key (the caller zeroes it), after checking the key version is usable. */
function unwrap(ring: KeyRing, p: Parsed, aad: SecretAad): Buffer {
  if (p.version < ring.minVersion)
    throw new SecretCryptoError(
      'KEY_VERSION_RETIRED',
      `the secret is wrapped with master key version ${p.version}, below the minimum version ${ring.minVersion}`,
    );
  const master = masterKey(ring, p.version);
  if (!master)
    throw new SecretCryptoError(
      'KEY_VERSION_UNKNOWN',
      `the secret is wrapped with master key version ${p.version}, which is not configured (configured: ${ring.versions.join(', ')})`,
    );
  const iv = p.wrapped.subarray(0, IV_BYTES);
  const body = p.wrapped.subarray(IV_BYTES, IV_BYTES + KEY_BYTES);
  const tag = p.wrapped.subarray(IV_BYTES + KEY_BYTES);
  return decrypt(master, iv, body, tag, wrapAad(p.version, aad));
}

/**
 * Encrypts a secret under a fresh random data key, and wraps that key with the newest master
 * key. Both layers bind the domain and secret id; the wrap also binds the key version.
 */
export function sealSecret(ring: KeyRing, plaintext: Buffer, aad: SecretAad): SealedSecret {
  checkAad(aad);
  if (!Buffer.isBuffer(plaintext)) throw new TypeError('sealSecret: the plaintext must be a Buffer');
  const dataKey = randomBytes(KEY_BYTES);
  try {
    const data = encrypt(dataKey, plaintext, dataAad(aad));
    return {
      scheme: SCHEME,
      ...wrap(ring, dataKey, aad),
      iv: data.iv.toString('base64'),
      ciphertext: data.ciphertext.toString('base64'),
      tag: data.tag.toString('base64'),
    };
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Decrypts a sealed secret bound to aad. Throws SecretCryptoError when the key version is
 * retired or unknown, when the record is malformed, or when anything fails authentication
 * (a changed byte, another domain or secret id). The caller should zero the result after use.
 */
export function openSecret(ring: KeyRing, sealed: SealedSecret, aad: SecretAad): Buffer {
  checkAad(aad);
  const p = parse(sealed);
  const dataKey = unwrap(ring, p, aad);
  try {
    return decrypt(dataKey, p.iv, p.ciphertext, p.tag, dataAad(aad));
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Re-wraps the data key under the newest master key; the data's IV, ciphertext and tag are
 * kept as they are. Refuses the same records openSecret refuses (a retired version included,
 * so rewrap before raising the minimum).
 */
export function rewrapSecret(ring: KeyRing, sealed: SealedSecret, aad: SecretAad): SealedSecret {
  checkAad(aad);
  const p = parse(sealed);
  const dataKey = unwrap(ring, p, aad);
  try {
    return { scheme: SCHEME, ...wrap(ring, dataKey, aad), iv: sealed.iv, ciphertext: sealed.ciphertext, tag: sealed.tag };
  } finally {
    dataKey.fill(0);
  }
}

/** True when the record is wrapped with an older master key than the newest. */
export function needsRewrap(ring: KeyRing, sealed: Pick<SealedSecret, 'key_version'>): boolean {
  return sealed.key_version < ring.newestVersion;
}
