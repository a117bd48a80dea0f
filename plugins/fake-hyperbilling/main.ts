import { ConfigError, loadConfig } from '../../lib/config/config';
import { createLogger, type Logger } from '../../lib/log/logger';
import { onShutdownSignal } from '../../lib/runtime/shutdown';
import type { IssuedCredentials } from './clients';
import { loadFakeHyperBillingConfig } from './config';
import { startFakeHyperBilling } from './fake-server';
import {
  ISSUED_VARS,
  MIN_UNREGISTERED,
  clientOf,
  emailDomainOf,
  issueNew,
  readIssued,
  registeredAccountIdsEverywhere,
  unregisteredOf,
  writePrivateJson,
} from './issued';

const LOOKUP_ATTEMPTS = 20;
const LOOKUP_PAUSE_MS = 1000;

/** The accounts some domain registered, asked of identity (retried while it starts); null when it cannot say. */
async function registeredAccounts(endpoint: string, secret: string, logger: Logger): Promise<Set<string> | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await registeredAccountIdsEverywhere(endpoint, secret);
    } catch (err) {
      if (attempt >= LOOKUP_ATTEMPTS) {
        logger.warn({ identity: endpoint, err: (err as Error).message }, 'could not ask identity which accounts are registered; the credentials file lists every issued one');
        return null;
      }
      await new Promise((r) => setTimeout(r, LOOKUP_PAUSE_MS));
    }
  }
}

/**
 * The fake Hyper Billing API for the quick start: issues one client (with its own key pair) per
 * configured account, once; keeps every credential it issued in the state file and admits those
 * clients again on every start, so accounts registered before a restart keep syncing. The
 * credentials file gets the issued credentials no domain has registered yet (identity is asked
 * when TALLY_IDENTITY_ENDPOINT is set; then new ones are issued while fewer than two remain), as
 * a bare JSON array ready to paste into a service account. It is written before the API listens:
 * once the port answers, the file is complete. The private keys are never logged.
 */
async function main(): Promise<void> {
  const config = loadFakeHyperBillingConfig();
  const quickStart = loadConfig(ISSUED_VARS);
  const logger = createLogger({ name: 'fake-hyperbilling', level: config.TALLY_LOG_LEVEL });
  const stateFile = quickStart.TALLY_FAKE_HYPERBILLING_STATE_FILE;
  const emailDomain = emailDomainOf(config.TALLY_FAKE_HYPERBILLING_SEED);

  const issued: IssuedCredentials[] = stateFile ? readIssued(stateFile) : [];
  const accountIds = config.TALLY_FAKE_HYPERBILLING_ACCOUNTS.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of accountIds) {
    if (!issued.some((c) => c.account_id === id)) issued.push(issueNew(id, issued, emailDomain));
  }

  let registered: Set<string> | null = null;
  if (quickStart.TALLY_IDENTITY_ENDPOINT) {
    if (!quickStart.TALLY_INTERNAL_TOKEN_SECRET) throw new ConfigError(['TALLY_IDENTITY_ENDPOINT needs TALLY_INTERNAL_TOKEN_SECRET']);
    registered = await registeredAccounts(quickStart.TALLY_IDENTITY_ENDPOINT, quickStart.TALLY_INTERNAL_TOKEN_SECRET, logger);
  }
  const { unregistered, added } = unregisteredOf(issued, registered ?? new Set(), {
    emailDomain,
    firstAccountId: '100000000001',
    min: registered ? MIN_UNREGISTERED : 0,
  });
  issued.push(...added);
  if (stateFile) writePrivateJson(stateFile, issued);
  const file = config.TALLY_FAKE_HYPERBILLING_CREDENTIALS_FILE;
  if (file) writePrivateJson(file, unregistered);

  const fake = await startFakeHyperBilling({
    port: config.TALLY_FAKE_HYPERBILLING_PORT,
    host: config.TALLY_FAKE_HYPERBILLING_HOST,
    seed: config.TALLY_FAKE_HYPERBILLING_SEED,
    clients: issued.map(clientOf),
  });
  logger.info(
    {
      url: fake.url,
      clients: issued.map((c) => ({ account_id: c.account_id, client_email: c.client_email })),
      unregistered: unregistered.map((c) => c.account_id),
      state_file: stateFile ?? null,
      credentials_file: file ?? null,
    },
    'fake Hyper Billing ready',
  );
  onShutdownSignal(logger, () => fake.close());
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
