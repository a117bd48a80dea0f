import { startFakeHyperBilling, type FakeHyperBilling, type FakeHyperBillingOptions, type IssuedCredentials } from '../../fake-hyperbilling';
import type { PluginClient } from '../../sdk';
import { servePluginForTest } from '../../testing/served-plugin';
import { createHyperBillingPlugin, type HyperBillingPluginOptions } from '../plugin';
import type { RetryPolicy } from '../retry-policy';

/** Backoff small enough for tests: the retries happen, the suite stays fast. */
export const TEST_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000, requestTimeoutMs: 2_000 };

export const ACCOUNT = '123456789012';

export interface Harness {
  fake: FakeHyperBilling;
  client: PluginClient;
  target: string;
  /** Credentials the fake issued for account ACCOUNT. */
  creds: IssuedCredentials;
  /** Every log line the plugin wrote. */
  lines: string[];
  /** Stops the plugin (the fake keeps running). */
  stopPlugin(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The fake Hyper Billing API (costs up to 2024-06-15) and the plugin served through the SDK on
 * loopback, with a client and credentials the fake issued. The plugin's endpoint is the fake.
 */
export async function startHarness(
  opts: { fake?: FakeHyperBillingOptions; plugin?: Omit<HyperBillingPluginOptions, 'endpoint'> } = {},
): Promise<Harness> {
  const fake = await startFakeHyperBilling({ seed: 'hyperbilling-test', today: '2024-06-15', ...opts.fake });
  try {
    const served = await servePluginForTest(createHyperBillingPlugin({ retry: TEST_RETRY, ...opts.plugin, endpoint: fake.url }));
    return {
      fake,
      client: served.client,
      target: served.target,
      creds: fake.issueCredentials([ACCOUNT]),
      lines: served.lines,
      stopPlugin: () => served.stop(),
      close: async () => {
        await served.stop();
        await fake.close();
      },
    };
  } catch (err) {
    await fake.close();
    throw err;
  }
}

/** The secret_data of a service account holding these credentials. */
export const secretOf = (c: IssuedCredentials): Record<string, string> => ({
  account_id: c.account_id,
  client_email: c.client_email,
  private_key: c.private_key,
});
