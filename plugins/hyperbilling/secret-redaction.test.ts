import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceError } from '@grpc/grpc-js';
import { createMemoryLogger } from '../../lib/log/logger';
import type { CostDataContext } from '../sdk';
import { createHyperBillingPlugin } from './plugin';
import { TEST_RETRY, secretOf, startHarness, type Harness } from './testing/harness';

/**
 * Canary: private keys (and the tokens signed with them) must never show in a log line or an
 * error, whatever goes wrong. Checked at the gRPC edge and on the plugin alone (without the
 * SDK's own scrubbing, so the plugin cannot lean on it).
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
afterEach(() => h.fake.faults.clear());

const CANARY = `CANARY${randomBytes(24).toString('base64url')}`;
/** A PEM-framed key that cannot be read, carrying the canary. */
const canaryPem = `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC${CANARY}\n-----END PRIVATE KEY-----\n`;
/** A well-formed key the fake does not know for the email (401). */
const strangerPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** The secret text a leak would show: the canary, key body lines, and any JWT. */
function leaks(text: string, keys: string[]): string[] {
  const found: string[] = [];
  if (text.includes(CANARY)) found.push('canary');
  for (const key of keys)
    for (const line of key.split('\n')) if (line.length >= 16 && !line.startsWith('-----') && text.includes(line)) found.push(`key line ${line.slice(0, 8)}...`);
  if (/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/.test(text)) found.push('a JWT');
  return found;
}

const grpcText = (err: ServiceError) => `${err.message}\n${err.details}\n${JSON.stringify(err.metadata.getMap())}`;
const errorText = (err: unknown) => `${(err as Error).message}\n${(err as Error).stack}\n${JSON.stringify(err)}\n${String((err as Error).cause ?? '')}`;

async function settle(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err;
  }
}

async function drain(source: AsyncIterable<unknown> | Iterable<unknown>): Promise<void> {
  for await (const _rows of source) {
    // read to the end
  }
}

const MARCH = { taskId: 't', startDate: '2024-03-01', endDate: '2024-03-31' };

describe('Hyper Billing plugin: the private key never appears in logs or errors (canary)', () => {
  it('at the gRPC edge: bad PEM, rejected key, retries and failures', async () => {
    const keys = [h.creds.private_key, strangerPem];
    const errors: unknown[] = [];
    errors.push(await settle(h.client.verify({ secretData: { ...secretOf(h.creds), private_key: canaryPem } })));
    errors.push(await settle(h.client.getTasks({ secretData: { ...secretOf(h.creds), private_key: canaryPem }, startDate: '2024-03-01', endDate: '2024-03-02' })));
    errors.push(await settle(h.client.verify({ secretData: { ...secretOf(h.creds), private_key: strangerPem } })));
    h.fake.faults.serverError(503, Infinity);
    errors.push(await settle(drain(h.client.getCostData({ secretData: secretOf(h.creds), task: MARCH }))));
    h.fake.faults.clear();
    h.fake.faults.malformed(1).rateLimit(0, 1);
    await drain(h.client.getCostData({ secretData: secretOf(h.creds), task: MARCH }));

    expect(errors.every((e) => e instanceof Error)).toBe(true);
    for (const e of errors) expect(leaks(grpcText(e as ServiceError), keys)).toEqual([]);
    const logged = h.lines.join('\n');
    expect(logged).toMatch(/retrying/);
    expect(leaks(logged, keys)).toEqual([]);
  });

  it('in the plugin alone, before any SDK scrubbing', async () => {
    const { logger, lines } = createMemoryLogger('hyperbilling-alone', 'trace');
    const plugin = createHyperBillingPlugin({ endpoint: h.fake.url, retry: TEST_RETRY });
    const ctx: CostDataContext = { requestId: 'canary', logger, signal: new AbortController().signal, report: () => undefined };
    const keys = [h.creds.private_key, strangerPem];
    const errors: unknown[] = [];
    errors.push(await settle(Promise.resolve().then(() => plugin.verify({ secretData: { ...secretOf(h.creds), private_key: canaryPem }, domainId: 'd' }, ctx))));
    errors.push(await settle(Promise.resolve().then(() => plugin.verify({ secretData: { ...secretOf(h.creds), private_key: strangerPem }, domainId: 'd' }, ctx))));
    h.fake.faults.serverError(503, Infinity);
    errors.push(await settle(drain(plugin.getCostData({ secretData: secretOf(h.creds), task: MARCH, domainId: 'd' }, ctx))));
    h.fake.faults.clear();
    h.fake.faults.disconnect(1).truncated(1);
    await drain(plugin.getCostData({ secretData: secretOf(h.creds), task: MARCH, domainId: 'd' }, ctx));

    expect(errors.every((e) => e instanceof Error)).toBe(true);
    for (const e of errors) expect(leaks(errorText(e), keys)).toEqual([]);
    expect(lines.length).toBeGreaterThan(0);
    expect(leaks(lines.join('\n'), keys)).toEqual([]);
  });

  it('an API that echoes the credentials in a 404: the account id shows, the key, token and signature never do', async () => {
    const accountId = 'org-2f9c1d7e5b3a4f60-8e2d4c6b1a9f7e35-billing';
    const sent: string[] = [];
    const echo = createServer((req, res) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      sent.push(token);
      const keyLine = h.creds.private_key.split('\n')[1];
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            message:
              `account ${accountId} not found (token ${token}, signature ${token.split('.')[2]}, key ${h.creds.private_key}, ` +
              `line ${keyLine}, glued ${CANARY}${accountId})`,
          },
        }),
      );
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
      const secretData = { ...secretOf(h.creds), account_id: accountId };
      const { logger, lines } = createMemoryLogger('hyperbilling-echo', 'trace');
      const ctx: CostDataContext = { requestId: 'echo', logger, signal: new AbortController().signal, report: () => undefined };
      const plugin = createHyperBillingPlugin({ endpoint, retry: TEST_RETRY });
      const alone = await settle(Promise.resolve().then(() => plugin.verify({ secretData, domainId: 'd' }, ctx)));
      const edge = (await settle(h.client.verify({ secretData, options: { endpoint } }))) as ServiceError;

      expect(sent.length).toBe(2);
      expect((alone as Error).message).toContain(`Hyper Billing does not know account ${accountId} (404: account ${accountId} not found (token [REDACTED]`);
      expect(edge.details).toMatch(/^Hyper Billing does not know account/);
      for (const text of [errorText(alone), grpcText(edge), lines.join('\n'), h.lines.join('\n')]) {
        expect(leaks(text, [h.creds.private_key])).toEqual([]);
        for (const token of sent) {
          expect(text).not.toContain(token);
          expect(text).not.toContain(token.split('.')[2]);
        }
      }
    } finally {
      await new Promise<void>((r) => echo.close(() => r()));
    }
  });

  it('the canary check itself catches a leak', () => {
    expect(leaks(`oops ${canaryPem}`, [])).toEqual(['canary']);
    expect(leaks(h.creds.private_key, [h.creds.private_key]).length).toBeGreaterThan(10);
  });
});
