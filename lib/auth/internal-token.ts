import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Principal, RoleName } from './principal';

/**
 * Short-lived tokens that services and the gateway send each other: a base64url JSON body and
 * an HMAC-SHA256 over it with the shared TALLY_INTERNAL_TOKEN_SECRET. Backends trust no
 * unsigned header: a principal reaches them only inside such a token.
 */
export const TOKEN_PREFIX = 'tit1.';
const ROLES: RoleName[] = ['SYSTEM', 'DOMAIN_ADMIN', 'DOMAIN_VIEWER', 'PROJECT_MEMBER'];

interface Body {
  sub: string;
  dom: string;
  role: RoleName;
  prj: string[];
  exp: number;
}

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

export function signInternalToken(secret: string, p: Principal, ttlMs = 60_000, now = Date.now()): string {
  const body: Body = { sub: p.subject, dom: p.domainId, role: p.role, prj: p.projectIds, exp: now + ttlMs };
  const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${TOKEN_PREFIX}${encoded}.${mac(secret, encoded).toString('base64url')}`;
}

/** Returns the principal, or null when the token is malformed, forged or expired. */
export function verifyInternalToken(secret: string, token: string, now = Date.now()): Principal | null {
  return check(secret, token, now)?.principal ?? null;
}

/** A token's principal and expiry, or null when it is malformed, forged or expired. */
function check(secret: string, token: string, now: number): { principal: Principal; exp: number } | null {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const [encoded, sig] = token.slice(TOKEN_PREFIX.length).split('.');
  if (!encoded || !sig) return null;
  const expected = mac(secret, encoded);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let body: Body;
  try {
    body = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Body;
  } catch {
    return null;
  }
  if (typeof body.exp !== 'number' || body.exp < now) return null;
  if (!ROLES.includes(body.role) || typeof body.sub !== 'string' || typeof body.dom !== 'string') return null;
  return { principal: { subject: body.sub, domainId: body.dom, role: body.role, projectIds: Array.isArray(body.prj) ? body.prj : [] }, exp: body.exp };
}

/** verifyInternalToken for one secret, remembering the tokens it has already verified. */
export type InternalTokenVerifier = (token: string, now?: number) => Principal | null;

/**
 * A verifier that checks each distinct token's signature once: the gateway reuses one token per
 * principal for many calls (forward.ts), and the HMAC, base64 and JSON of a full check were 9%
 * of identity's CPU behind the gateway. A remembered token is still refused once expired, and
 * only valid tokens are remembered (a forged one costs the full check every time and takes no
 * room); at most maxEntries, the oldest forgotten first. The principal handed out is frozen, as
 * every call with that token gets the same object.
 */
export function internalTokenVerifier(secret: string, maxEntries = 1024): InternalTokenVerifier {
  const verified = new Map<string, { principal: Principal; exp: number }>();
  return (token, now = Date.now()) => {
    const hit = verified.get(token);
    if (hit) {
      if (hit.exp >= now) return hit.principal;
      verified.delete(token);
      return null;
    }
    const checked = check(secret, token, now);
    if (!checked) return null;
    Object.freeze(checked.principal.projectIds);
    Object.freeze(checked.principal);
    if (verified.size >= maxEntries) verified.delete(verified.keys().next().value!);
    verified.set(token, checked);
    return checked.principal;
  };
}
