import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { credentials, type Client } from '@grpc/grpc-js';
import { ConfigError } from '../../../lib/config/config';
import { healthClientConstructor } from '../../../lib/grpc/health';
import { loadIdentityConfig } from '../config';
import { startTestIdentity, type IdentityHarness } from '../../../test/support/identity';

const run = promisify(execFile);
const BUF = join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'buf');

function check(client: Client, service = ''): Promise<string> {
  return new Promise((resolve, reject) =>
    (client as unknown as { check: (r: object, o: object, cb: (e: Error | null, r: { status: string }) => void) => void }).check(
      { service },
      { deadline: Date.now() + 2000 },
      (err, res) => (err ? reject(err) : resolve(res.status)),
    ),
  );
}

async function waitUntil(cond: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('identity runtime: health, reflection, metrics, configuration', () => {
  let h: IdentityHarness;
  beforeAll(async () => {
    h = await startTestIdentity();
  });
  afterAll(() => h?.stop());

  it('serves gRPC health: NOT_SERVING while a dependency is down, SERVING when it is back', async () => {
    const other = await startTestIdentity({ env: { TALLY_HEALTH_INTERVAL_MS: '50' } });
    const client = new (healthClientConstructor())(other.address, credentials.createInsecure());
    try {
      expect(await check(client)).toBe('SERVING');
      expect(await check(client, 'tally.identity.v1.ServiceAccountService')).toBe('SERVING');
      const store = other.app.store;
      const ping = store.ping;
      store.ping = async () => {
        throw new Error('store down');
      };
      await waitUntil(async () => (await check(client)) === 'NOT_SERVING');
      expect(await check(client, 'tally.identity.v1.ProjectService')).toBe('NOT_SERVING');
      // Liveness stays SERVING: an outage of a dependency makes the pod unready, not restarted.
      expect(await check(client, 'liveness')).toBe('SERVING');
      store.ping = ping;
      await waitUntil(async () => (await check(client)) === 'SERVING');
    } finally {
      client.close();
      await other.stop();
    }
  });

  it('lists and calls its services through reflection with buf curl', async () => {
    const list = await run(BUF, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', '--list-services', `http://${h.address}`]);
    expect(list.stdout.split('\n')).toEqual(
      expect.arrayContaining(['tally.identity.v1.ServiceAccountService', 'tally.identity.v1.ProjectService', 'grpc.health.v1.Health']),
    );
    const called = await run(BUF, [
      'curl',
      '--protocol',
      'grpc',
      '--http2-prior-knowledge',
      '-H',
      `authorization: Bearer ${h.config.TALLY_ROOT_KEY}`,
      '-d',
      '{"name":"via buf curl"}',
      `http://${h.address}/tally.identity.v1.DomainService/Create`,
    ]);
    expect(JSON.parse(called.stdout).domain.name).toBe('via buf curl');
  });

  it('exposes Prometheus metrics on their own port', async () => {
    await h.root.domains.list({});
    const text = await (await fetch(`http://127.0.0.1:${h.app.metricsPort}/metrics`)).text();
    expect(text).toMatch(/grpc_server_handled_total\{[^}]*grpc_service="tally.identity.v1.DomainService"[^}]*grpc_method="List"[^}]*\} [1-9]/);
  });

  it('refuses a bad configuration, naming every bad variable and hiding secret values', () => {
    let err: unknown;
    try {
      loadIdentityConfig({ TALLY_ROOT_KEY: 'short-secret-value', TALLY_IDENTITY_PORT: 'abc', TALLY_LOG_LEVEL: 'loud' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const name of ['TALLY_ROOT_KEY', 'TALLY_IDENTITY_PORT', 'TALLY_LOG_LEVEL', 'TALLY_MASTER_KEYS', 'TALLY_INTERNAL_TOKEN_SECRET']) {
      expect(msg).toContain(name);
    }
    expect(msg).not.toContain('short-secret-value');
  });
});
