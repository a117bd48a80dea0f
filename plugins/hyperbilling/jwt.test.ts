import { generateKeyPairSync } from 'node:crypto';
import { verifyJwt } from '../fake-hyperbilling';
import { signHyperBillingJwt, TOKEN_LIFETIME_SECONDS } from './jwt';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const EMAIL = 'client@hb.example';

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));

describe('Hyper Billing JWT', () => {
  it('is RS256 with iss = sub = email = the client email, aud = the host, and lives 10 minutes', () => {
    const jwt = signHyperBillingJwt(EMAIL, 'api.hb.example:8443', privateKey, 1_700_000_000);
    expect(JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'))).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(claimsOf(jwt)).toEqual({ iss: EMAIL, sub: EMAIL, email: EMAIL, aud: 'api.hb.example:8443', iat: 1_700_000_000, exp: 1_700_000_000 + TOKEN_LIFETIME_SECONDS });
  });

  it('verifies with the public key, and not for another audience, key or time', () => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = signHyperBillingJwt(EMAIL, 'api.hb.example', privateKey, now);
    const opts = { keyFor: () => publicKey, audiences: ['api.hb.example'], now, maxLifetimeSeconds: 3600, leewaySeconds: 0 };
    expect(verifyJwt(jwt, opts)).toEqual({ ok: true, email: EMAIL });
    expect(verifyJwt(jwt, { ...opts, audiences: ['api.other.example'] }).ok).toBe(false);
    expect(verifyJwt(jwt, { ...opts, keyFor: () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey }).ok).toBe(false);
    expect(verifyJwt(jwt, { ...opts, now: now + TOKEN_LIFETIME_SECONDS + 1 })).toEqual({ ok: false, reason: 'the token has expired' });
  });
});
