import { generateKeyPairSync } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import type { DomainError } from '../../lib/errors/domain-error';
import { REASON_KEY } from '../../lib/grpc/status';
import { createMemoryLogger } from '../../lib/log/logger';
import type { PluginContext } from '../sdk';
import { createHyperBillingPlugin } from './plugin';
import { secretOf, startHarness, TEST_RETRY, type Harness } from './testing/harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.fake.requests.length = 0;
});

const rsaPem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

async function failure(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('the call succeeded');
}

const verify = (secretData: Record<string, unknown>, options?: Record<string, unknown>) => h.client.verify({ secretData, options });
const reasonOf = (err: ServiceError) => err.metadata.get(REASON_KEY)[0];

async function drain(secretData: Record<string, unknown>): Promise<void> {
  const task = { taskId: 't', startDate: '2024-03-01', endDate: '2024-03-31' };
  for await (const _page of h.client.getCostData({ secretData, task })) {
    // read to the end
  }
}

describe('Hyper Billing plugin: credentials the API rejects are UNAUTHENTICATED', () => {
  it('verifies credentials the fake issued', async () => {
    await expect(verify(secretOf(h.creds))).resolves.toEqual({});
    expect(h.fake.requests[0]).toMatchObject({ status: 200, client_email: h.creds.client_email });
  });

  it('a key that is not the one registered for the email (bad signature)', async () => {
    const err = await failure(verify({ ...secretOf(h.creds), private_key: rsaPem() }));
    expect(err.code).toBe(status.UNAUTHENTICATED);
    expect(err.details).toMatch(/rejected the credentials \(401: the signature does not match/);
  });

  it('an email the API does not know', async () => {
    const err = await failure(verify({ ...secretOf(h.creds), client_email: 'stranger@example.com' }));
    expect(err.code).toBe(status.UNAUTHENTICATED);
    expect(err.details).toMatch(/unknown client/);
  });

  it("another client's account (403) and an unknown account (404)", async () => {
    const other = h.fake.issueCredentials(['555555555555']);
    const denied = await failure(verify({ ...secretOf(h.creds), account_id: other.account_id }));
    expect(denied.code).toBe(status.UNAUTHENTICATED);
    expect(reasonOf(denied)).toBe('HYPERBILLING.ACCESS_DENIED');
    const unknown = await failure(verify({ ...secretOf(h.creds), account_id: '999999999999' }));
    expect(unknown.code).toBe(status.UNAUTHENTICATED);
    expect(reasonOf(unknown)).toBe('HYPERBILLING.ACCOUNT_NOT_FOUND');
  });

  it('an unknown account: the message names the account and the URL, and says where to fix them in Tally terms', async () => {
    // The plugin alone: the SDK's scrub of secret_data values (account_id among them) is not the plugin's to decide.
    const plugin = createHyperBillingPlugin({ endpoint: h.fake.url, retry: TEST_RETRY });
    const ctx: PluginContext = { requestId: 'unknown-account', logger: createMemoryLogger().logger, signal: new AbortController().signal };
    // 44 characters: the length of a token, which the plugin's own scrub of the API's text took for one.
    for (const accountId of ['999999999999', 'org-2f9c1d7e5b3a4f60-8e2d4c6b1a9f7e35-billing']) {
      const err = await Promise.resolve()
        .then(() => plugin.verify({ secretData: { ...secretOf(h.creds), account_id: accountId }, domainId: 'd' }, ctx))
        .then(
          () => undefined,
          (e: unknown) => e as DomainError,
        );
      expect(err).toMatchObject({ kind: 'UNAUTHENTICATED', reason: 'HYPERBILLING.ACCOUNT_NOT_FOUND' });
      expect(err!.message).toBe(
        `Hyper Billing does not know account ${accountId} (404: account ${accountId} not found); check the account ID in the service account's credentials, ` +
          `and that the data source's plugin configuration points at the Hyper Billing API's base URL (it points at ${new URL(h.fake.url).href})`,
      );
      expect(err!.message).not.toMatch(/REDACTED|options\.endpoint|account_id/);
    }
  });

  it('GetCostData with rejected credentials fails UNAUTHENTICATED without retrying', async () => {
    const err = await failure(drain({ ...secretOf(h.creds), private_key: rsaPem() }));
    expect(err.code).toBe(status.UNAUTHENTICATED);
    expect(h.fake.requests).toHaveLength(1);
  });
});

describe('Hyper Billing plugin: malformed credentials are INVALID_ARGUMENT, from every call', () => {
  const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const encrypted = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret-passphrase' })
    .toString();
  const cases: [string, (valid: Record<string, string>) => Record<string, unknown>, RegExp][] = [
    ['text that is no PEM', (v) => ({ ...v, private_key: 'not a key at all' }), /not a PEM RSA private key/],
    ['a PEM whose body is damaged', (v) => ({ ...v, private_key: v.private_key.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!') }), /could not be read/],
    ['a PEM frame around something else', (v) => ({ ...v, private_key: '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n' }), /could not be read/],
    ['an EC key', (v) => ({ ...v, private_key: ecPem }), /ec key; Hyper Billing needs an RSA key/],
    ['an encrypted key', (v) => ({ ...v, private_key: encrypted }), /is encrypted/],
    ['no private_key', (v) => ({ account_id: v.account_id, client_email: v.client_email }), /private_key is required/],
    ['no account_id', (v) => ({ client_email: v.client_email, private_key: v.private_key }), /account_id is required/],
    ['a client_email that is no email', (v) => ({ ...v, client_email: 'nobody' }), /must be an email/],
  ];

  it.each(cases)('%s', async (_name, make, message) => {
    const secret = make(secretOf(h.creds));
    for (const call of [
      verify(secret),
      h.client.getTasks({ secretData: secret, startDate: '2024-03-01', endDate: '2024-03-31' }),
      drain(secret),
    ]) {
      const err = await failure(call);
      expect(err.code).toBe(status.INVALID_ARGUMENT);
      expect(err.details).toMatch(message);
    }
    expect(h.fake.requests).toHaveLength(0);
  });

  it('accepts a key whose newlines were escaped when it was pasted', async () => {
    await expect(verify({ ...secretOf(h.creds), private_key: h.creds.private_key.replace(/\n/g, '\\n') })).resolves.toEqual({});
  });

  it('refuses a bad endpoint option with INVALID_ARGUMENT', async () => {
    for (const endpoint of ['ftp://example.com', 'not a url', 'https://user:pw@example.com', 'https://example.com/?x=1']) {
      const err = await failure(verify(secretOf(h.creds), { endpoint }));
      expect(err.code).toBe(status.INVALID_ARGUMENT);
      expect(err.details).toMatch(/options\.endpoint/);
    }
  });
});
