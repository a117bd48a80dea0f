import { createSign, createVerify, type KeyObject } from 'node:crypto';

/**
 * RS256 JSON Web Tokens as Hyper Billing checks them: the fake verifies what clients send, and
 * tests sign tokens of their own (expired, another key, wrong audience) with `signJwt`.
 */
export interface JwtClaims {
  iss?: unknown;
  sub?: unknown;
  email?: unknown;
  aud?: unknown;
  iat?: unknown;
  exp?: unknown;
  [claim: string]: unknown;
}

const b64url = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');

/** Signs claims with RS256 (header may be overridden, e.g. to test a wrong `alg`). */
export function signJwt(claims: JwtClaims, privateKey: KeyObject | string, header: Record<string, unknown> = {}): string {
  const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', ...header }))}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKey);
  return `${input}.${b64url(signature)}`;
}

export interface VerifyOptions {
  /** The public key registered for a client email; undefined for an unknown client. */
  keyFor: (email: string) => KeyObject | undefined;
  /** Accepted audiences (the API's host). */
  audiences: readonly string[];
  /** Seconds since the epoch. */
  now: number;
  /** A token may not live longer than this (exp - now). */
  maxLifetimeSeconds: number;
  /** Clock skew tolerated on exp and iat. */
  leewaySeconds: number;
}

export type VerifyResult = { ok: true; email: string } | { ok: false; reason: string };

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Checks form, algorithm, client, signature, issuer = subject = email, audience and lifetime. */
export function verifyJwt(token: string, opts: VerifyOptions): VerifyResult {
  const fail = (reason: string): VerifyResult => ({ ok: false, reason });
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return fail('the token is not a JWT');
  const header = decodePart(parts[0]);
  const claims = decodePart(parts[1]) as JwtClaims | undefined;
  if (!header || !claims) return fail('the token is not a JWT');
  if (header.alg !== 'RS256') return fail(`algorithm ${JSON.stringify(header.alg)} is not accepted; sign with RS256`);
  const { iss, sub, email } = claims;
  if (typeof iss !== 'string' || !iss) return fail('the iss claim is missing');
  if (sub !== iss || email !== iss) return fail('iss, sub and email must all be the client email');
  const key = opts.keyFor(iss);
  if (!key) return fail(`unknown client ${iss}`);
  const signature = Buffer.from(parts[2], 'base64url');
  const valid = createVerify('RSA-SHA256').update(`${parts[0]}.${parts[1]}`).verify(key, signature);
  if (!valid) return fail('the signature does not match the key registered for this client');
  const auds = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!auds.some((a) => typeof a === 'string' && opts.audiences.includes(a)))
    return fail(`the audience must be ${opts.audiences[0]}`);
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return fail('the exp claim is missing');
  if (claims.exp + opts.leewaySeconds <= opts.now) return fail('the token has expired');
  if (claims.exp - opts.now > opts.maxLifetimeSeconds + opts.leewaySeconds)
    return fail(`the token lives too long; at most ${opts.maxLifetimeSeconds} seconds`);
  if (claims.iat !== undefined && (typeof claims.iat !== 'number' || claims.iat > opts.now + opts.leewaySeconds))
    return fail('the token is issued in the future');
  return { ok: true, email: iss };
}
