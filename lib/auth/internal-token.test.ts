import { internalTokenVerifier, signInternalToken, verifyInternalToken } from './internal-token';
import type { Principal } from './principal';

const SECRET = 'k'.repeat(32);
const ALICE: Principal = { subject: 'key-1', domainId: 'domain-1', role: 'PROJECT_MEMBER', projectIds: ['project-1'] };
const T0 = 1_800_000_000_000;

describe('internal tokens', () => {
  it('carry the principal, and nothing verifies a token signed with another secret, tampered with or expired', () => {
    const token = signInternalToken(SECRET, ALICE, 60_000, T0);
    expect(verifyInternalToken(SECRET, token, T0)).toEqual(ALICE);
    expect(verifyInternalToken('x'.repeat(32), token, T0)).toBeNull();
    expect(verifyInternalToken(SECRET, token, T0 + 60_001)).toBeNull();
    const [prefix, body, sig] = token.split('.');
    const forgedBody = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), role: 'SYSTEM' })).toString('base64url');
    expect(verifyInternalToken(SECRET, `${prefix}.${forgedBody}.${sig}`, T0)).toBeNull();
  });
});

describe('internalTokenVerifier', () => {
  it('answers a repeated token with the same frozen principal, until the token expires', () => {
    const verify = internalTokenVerifier(SECRET);
    const token = signInternalToken(SECRET, ALICE, 60_000, T0);
    const first = verify(token, T0);
    expect(first).toEqual(ALICE);
    expect(verify(token, T0 + 1000)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first!.projectIds)).toBe(true);
    expect(verify(token, T0 + 60_000)).toBe(first);
    expect(verify(token, T0 + 60_001)).toBeNull();
    // Forgotten once expired: an earlier clock does not bring it back from memory, the full check runs again.
    expect(verify(token, T0 + 59_000)).toEqual(ALICE);
  });

  it('refuses what verifyInternalToken refuses, before and after a valid token was remembered', () => {
    const verify = internalTokenVerifier(SECRET);
    const good = signInternalToken(SECRET, ALICE, 60_000, T0);
    const other = signInternalToken('x'.repeat(32), ALICE, 60_000, T0);
    expect(verify(other, T0)).toBeNull();
    expect(verify(good, T0)).toEqual(ALICE);
    expect(verify(other, T0)).toBeNull();
    expect(verify(`${good}x`, T0)).toBeNull();
    expect(verify('', T0)).toBeNull();
  });

  it('keeps verifying correctly past its capacity (the oldest tokens are forgotten, not wrongly kept)', () => {
    const verify = internalTokenVerifier(SECRET, 2);
    const tokens = [1, 2, 3].map((i) => signInternalToken(SECRET, { ...ALICE, subject: `key-${i}` }, 1000 * i, T0));
    for (const t of tokens) expect(verify(t, T0)).not.toBeNull();
    // Token 1 (ttl 1 s) was forgotten when token 3 came; at T0 + 1500 it is expired either way.
    expect(verify(tokens[0], T0 + 1500)).toBeNull();
    expect(verify(tokens[1], T0 + 1500)?.subject).toBe('key-2');
    expect(verify(tokens[2], T0 + 2500)?.subject).toBe('key-3');
    expect(verify(tokens[1], T0 + 2500)).toBeNull();
  });
});
