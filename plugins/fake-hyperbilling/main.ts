import { chmodSync, writeFileSync } from 'node:fs';
import { ConfigError } from '../../lib/config/config';
import { createLogger } from '../../lib/log/logger';
import { onShutdownSignal } from '../../lib/runtime/shutdown';
import { loadFakeHyperBillingConfig } from './config';
import { startFakeHyperBilling } from './fake-server';

/**
 * The fake Hyper Billing API for the quick start: issues one client (with a fresh key pair) per
 * configured account and writes the credentials, ready to paste into a service account, to the
 * credentials file. The private keys are never logged.
 */
async function main(): Promise<void> {
  const config = loadFakeHyperBillingConfig();
  const logger = createLogger({ name: 'fake-hyperbilling', level: config.TALLY_LOG_LEVEL });
  const fake = await startFakeHyperBilling({
    port: config.TALLY_FAKE_HYPERBILLING_PORT,
    host: config.TALLY_FAKE_HYPERBILLING_HOST,
    seed: config.TALLY_FAKE_HYPERBILLING_SEED,
  });
  const accountIds = config.TALLY_FAKE_HYPERBILLING_ACCOUNTS.split(',').map((s) => s.trim()).filter(Boolean);
  const credentials = accountIds.map((id) => fake.issueCredentials([id]));
  const file = config.TALLY_FAKE_HYPERBILLING_CREDENTIALS_FILE;
  if (file) {
    writeFileSync(file, `${JSON.stringify({ endpoint: fake.url, credentials }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  logger.info(
    { url: fake.url, accounts: accountIds, clients: credentials.map((c) => c.client_email), credentials_file: file ?? null },
    'fake Hyper Billing ready',
  );
  onShutdownSignal(logger, () => fake.close());
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
