import { CENSOR, redactSecrets, secretStrings } from './redact';

describe('secret redaction', () => {
  const pem = `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(64)}\n${'B'.repeat(64)}\n-----END PRIVATE KEY-----\n`;
  const credentials = { account_id: '900000000003', client_email: 'billing@example.test', private_key: pem, nested: { token: 'tok-123456' } };

  it('censors every credential value and each long line of a PEM key, longest first', () => {
    const secrets = secretStrings(credentials);
    expect(secrets).toEqual(expect.arrayContaining([pem, 'A'.repeat(64), 'billing@example.test', 'tok-123456']));
    expect([...secrets].sort((a, b) => b.length - a.length)).toEqual(secrets);
    const text = `sent ${'A'.repeat(64)} as billing@example.test with tok-123456`;
    expect(redactSecrets(text, secrets)).toBe(`sent ${CENSOR} as ${CENSOR} with ${CENSOR}`);
  });

  it('leaves the account identifiers at the top level readable: responses show them as the account data', () => {
    const secrets = secretStrings(credentials);
    expect(secrets).not.toContain('900000000003');
    expect(redactSecrets('account 900000000003 not found', secrets)).toBe('account 900000000003 not found');
    for (const field of ['project_id', 'subscription_id', 'tenant_id']) expect(secretStrings({ [field]: 'visible-id', key: 'hidden-value' })).toEqual(['hidden-value']);
    // Deeper down, a field of that name is just another value.
    expect(secretStrings({ nested: { account_id: 'inner-value' } })).toEqual(['inner-value']);
  });

  it('skips values too short to be secret on their own', () => {
    expect(secretStrings({ region: 'us', flag: true, n: 7, pin: 12345 })).toEqual(['12345']);
  });
});
