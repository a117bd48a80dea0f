import * as costPb from '../../gen/tally/billing/v1/cost';
import * as dataSourcePb from '../../gen/tally/billing/v1/data_source';
import * as exchangeRatePb from '../../gen/tally/billing/v1/exchange_rate';
import * as jobPb from '../../gen/tally/billing/v1/job';
import * as settingsPb from '../../gen/tally/billing/v1/settings';
import { createMemoryLogger } from '../../lib/log/logger';
import { startFakeHyperBilling, type FakeHyperBilling } from '../../plugins/fake-hyperbilling';
import { createHyperBillingPlugin } from '../../plugins/hyperbilling';
import { serve, type RunningPlugin } from '../../plugins/sdk';
import { startBilling, type BillingApp } from '../../services/billing/app';
import { loadBillingConfig } from '../../services/billing/config';
import { api, type Api } from './grpc-clients';
import { startTestIdentity, type IdentityHarness } from './identity';

export interface BillingClients {
  dataSources: Api;
  jobs: Api;
  costs: Api;
  rates: Api;
  settings: Api;
}

export interface Suite {
  identity: IdentityHarness;
  billing: BillingApp;
  fake: FakeHyperBilling;
  plugin: RunningPlugin;
  billingAddress: string;
  billingLogs: string[];
  pluginLogs: string[];
  /** Billing's clients, authenticated with the credential given (an API key). */
  billingAs(credential?: string): BillingClients;
  stop(): Promise<void>;
}

/**
 * The whole back end in one process, every part talking real gRPC over loopback: identity,
 * billing, the Hyper Billing plugin and the fake Hyper Billing API, with events over the NATS
 * at natsUrl (or the in-process bus when none is given).
 */
export async function startSuite(opts: { natsUrl?: string; billingEnv?: Record<string, string> } = {}): Promise<Suite> {
  const fake = await startFakeHyperBilling({ seed: 'suite' });
  const { logger: pluginLogger, lines: pluginLogs } = createMemoryLogger('hyperbilling', 'debug');
  const plugin = await serve(
    createHyperBillingPlugin({ endpoint: fake.url, retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 1000, requestTimeoutMs: 5000 } }),
    { name: 'hyperbilling', port: 0, logger: pluginLogger, handleSignals: false, shutdownGraceMs: 500 },
  );
  const natsEnv: Record<string, string> = opts.natsUrl ? { TALLY_NATS_URL: opts.natsUrl } : {};
  const identity = await startTestIdentity({ env: natsEnv });
  const { logger, lines: billingLogs } = createMemoryLogger('billing', 'debug');
  const config = loadBillingConfig({
    TALLY_INTERNAL_TOKEN_SECRET: identity.config.TALLY_INTERNAL_TOKEN_SECRET,
    TALLY_BILLING_PORT: '0',
    TALLY_IDENTITY_ENDPOINT: identity.address,
    TALLY_HYPERBILLING_PLUGIN_ENDPOINT: `127.0.0.1:${plugin.port}`,
    TALLY_RECONCILE_INTERVAL_MS: '0',
    ...natsEnv,
    ...opts.billingEnv,
  });
  const billing = await startBilling(config, { logger, bus: opts.natsUrl ? undefined : identity.app.bus });
  const billingAddress = `127.0.0.1:${billing.port}`;
  const opened: { close(): void }[] = [];
  const billingAs = (credential?: string): BillingClients => {
    const make = (module: Record<string, unknown>, Ctor: Parameters<typeof api>[1]) => {
      const c = api(module, Ctor, billingAddress, credential);
      opened.push(c);
      return c;
    };
    return {
      dataSources: make(dataSourcePb, dataSourcePb.DataSourceServiceClient),
      jobs: make(jobPb, jobPb.JobServiceClient),
      costs: make(costPb, costPb.CostServiceClient),
      rates: make(exchangeRatePb, exchangeRatePb.ExchangeRateServiceClient),
      settings: make(settingsPb, settingsPb.SettingsServiceClient),
    };
  };
  return {
    identity,
    billing,
    fake,
    plugin,
    billingAddress,
    billingLogs,
    pluginLogs,
    billingAs,
    async stop() {
      for (const c of opened) c.close();
      await billing.stop();
      await identity.stop();
      await plugin.shutdown();
      await fake.close();
    },
  };
}

/** Polls until cond holds (bounded). */
export async function eventually<T>(fn: () => Promise<T>, accept: (v: T) => boolean, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  let lastErr: unknown;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (accept(last)) return last;
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 500)} ${lastErr ?? ''}`);
}
