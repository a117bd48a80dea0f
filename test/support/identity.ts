import { randomBytes } from 'node:crypto';
import * as apiKeyPb from '../../gen/tally/identity/v1/api_key';
import * as authPb from '../../gen/tally/identity/v1/auth';
import * as domainPb from '../../gen/tally/identity/v1/domain';
import * as projectPb from '../../gen/tally/identity/v1/project';
import * as projectGroupPb from '../../gen/tally/identity/v1/project_group';
import * as providerPb from '../../gen/tally/identity/v1/provider';
import * as secretPb from '../../gen/tally/identity/v1/secret';
import * as serviceAccountPb from '../../gen/tally/identity/v1/service_account';
import type { EventBus } from '../../lib/events/port';
import { createMemoryLogger } from '../../lib/log/logger';
import type { Store } from '../../lib/store/port';
import { startIdentity, type IdentityApp } from '../../services/identity/app';
import { loadIdentityConfig, type IdentityConfig } from '../../services/identity/config';
import { api, type Api } from './grpc-clients';

export const randomKey = () => randomBytes(32).toString('base64');

export interface IdentityHarness {
  app: IdentityApp;
  config: IdentityConfig;
  address: string;
  /** Every log line identity wrote. */
  logs: string[];
  /** Clients for each service, authenticated with the credential given. */
  as(credential?: string): IdentityClients;
  root: IdentityClients;
  stop(): Promise<void>;
}

export interface IdentityClients {
  domains: Api;
  apiKeys: Api;
  auth: Api;
  providers: Api;
  groups: Api;
  projects: Api;
  accounts: Api;
  secrets: Api;
}

export async function startTestIdentity(
  opts: { env?: Record<string, string>; bus?: EventBus; store?: Store } = {},
): Promise<IdentityHarness> {
  const config = loadIdentityConfig({
    TALLY_ROOT_KEY: randomBytes(32).toString('hex'),
    TALLY_MASTER_KEYS: `1:${randomKey()}`,
    TALLY_INTERNAL_TOKEN_SECRET: randomBytes(32).toString('hex'),
    TALLY_IDENTITY_PORT: '0',
    TALLY_REWRAP_INTERVAL_MS: '0',
    TALLY_MAX_MESSAGE_BYTES: String(256 * 1024),
    ...opts.env,
  });
  const { logger, lines } = createMemoryLogger('identity', 'debug');
  const app = await startIdentity(config, { logger, bus: opts.bus, store: opts.store });
  const address = `127.0.0.1:${app.port}`;
  const opened: { close(): void }[] = [];
  const as = (credential?: string): IdentityClients => {
    const make = (module: Record<string, unknown>, Ctor: Parameters<typeof api>[1]) => {
      const c = api(module, Ctor, address, credential);
      opened.push(c);
      return c;
    };
    return {
      domains: make(domainPb, domainPb.DomainServiceClient),
      apiKeys: make(apiKeyPb, apiKeyPb.ApiKeyServiceClient),
      auth: make(authPb, authPb.AuthServiceClient),
      providers: make(providerPb, providerPb.ProviderServiceClient),
      groups: make(projectGroupPb, projectGroupPb.ProjectGroupServiceClient),
      projects: make(projectPb, projectPb.ProjectServiceClient),
      accounts: make(serviceAccountPb, serviceAccountPb.ServiceAccountServiceClient),
      secrets: make(secretPb, secretPb.SecretServiceClient),
    };
  };
  return {
    app,
    config,
    address,
    logs: lines,
    as,
    root: as(config.TALLY_ROOT_KEY),
    async stop() {
      for (const c of opened) c.close();
      await app.stop();
    },
  };
}
