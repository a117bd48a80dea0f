import { sign, type KeyObject } from 'node:crypto';

/** Lifetime of the tokens the plugin signs: short, as Hyper Billing expects (about 10 minutes). */
export const TOKEN_LIFETIME_SECONDS = 600;

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/**
 * A short-lived RS256 JWT for Hyper Billing: issuer, subject and email are the client email,
 * the audience is the API's host. `now` is seconds since the epoch.
 */
export function signHyperBillingJwt(clientEmail: string, audience: string, privateKey: KeyObject, now = Math.floor(Date.now() / 1000)): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = b64url(
    JSON.stringify({ iss: clientEmail, sub: clientEmail, email: clientEmail, aud: audience, iat: now, exp: now + TOKEN_LIFETIME_SECONDS }),
  );
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), privateKey);
  return `${header}.${claims}.${b64url(signature)}`;
}
