/**
 * `make run`: starts Tally on embedded defaults in one process — gateway, identity, billing, the
 * Hyper Billing plugin and the fake Hyper Billing API, on the embedded store (persisted in .data/)
 * and the in-process event bus — creates a demo domain with projects and Hyper Billing
 * accounts on first start, and prints where to connect. Ctrl-C stops everything cleanly.
 *
 * Development only: the generated root key, master key, demo admin key and the fake API's
 * credentials are kept in .data/ so a restart finds its data readable. Every start points the demo
 * data source at the demo plugin's new port (both plugins listen on a free port) and writes the
 * credentials file afresh: the issued credentials no service account of the demo domain uses,
 * topped up with new ones when fewer than two remain.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as dataSourcePb from '../gen/tally/billing/v1/data_source';
import * as exchangeRatePb from '../gen/tally/billing/v1/exchange_rate';
import * as domainPb from '../gen/tally/identity/v1/domain';
import * as providerPb from '../gen/tally/identity/v1/provider';
import * as projectPb from '../gen/tally/identity/v1/project';
import * as projectGroupPb from '../gen/tally/identity/v1/project_group';
import * as serviceAccountPb from '../gen/tally/identity/v1/service_account';
import { signInternalToken } from '../lib/auth/internal-token';
import { CLIENT_OPTIONS, insecure, unary } from '../lib/grpc/client';
import { createLogger } from '../lib/log/logger';
import { onShutdownSignal } from '../lib/runtime/shutdown';
import { startFakeHyperBilling, type IssuedCredentials } from '../plugins/fake-hyperbilling';
import { clientOf, emailDomainOf, issueNew, registeredAccountIds, unregisteredOf, writePrivateJson } from '../plugins/fake-hyperbilling/issued';
import { demoPlugin } from '../plugins/demo/plugin';
import { createHyperBillingPlugin } from '../plugins/hyperbilling';
import { serve } from '../plugins/sdk';
import { startBilling } from '../services/billing/app';
import { startGateway } from '../services/gateway/app';
import { loadGatewayConfig } from '../services/gateway/config';
import { loadBillingConfig } from '../services/billing/config';
import { startIdentity } from '../services/identity/app';
import { loadIdentityConfig } from '../services/identity/config';

const DATA_DIR = process.env.TALLY_DATA_DIR ?? join(process.cwd(), '.data');
const SECRETS_FILE = join(DATA_DIR, 'dev-secrets.json');
const CREDENTIALS_FILE = join(DATA_DIR, 'hyperbilling-credentials.json');

interface DevState {
  rootKey: string;
  masterKeys: string;
  internalSecret: string;
  /** Every credential the fake Hyper Billing API issued, registered or not. */
  issued: IssuedCredentials[];
  /** dataSourceId: the demo plugin's data source (absent in states written before it was kept). */
  demo?: { domainId: string; apiKey: string; dataSourceId?: string };
}

const FAKE_SEED = 'demo';
const DEMO_PROVIDER = 'demo';
const DEMO_DATA_SOURCE = 'Demo plugin';

function loadState(): DevState {
  if (existsSync(SECRETS_FILE)) return JSON.parse(readFileSync(SECRETS_FILE, 'utf8')) as DevState;
  mkdirSync(DATA_DIR, { recursive: true });
  return {
    rootKey: randomBytes(32).toString('hex'),
    masterKeys: `1:${randomBytes(32).toString('base64')}`,
    internalSecret: randomBytes(32).toString('hex'),
    issued: [],
  };
}

const saveState = (state: DevState) => writePrivateJson(SECRETS_FILE, state);

async function seedDemo(
  address: string,
  billingAddress: string,
  demoEndpoint: string,
  state: DevState,
  issue: (account: string) => IssuedCredentials,
): Promise<void> {
  if (state.demo) return;
  const call = <C extends object>(Ctor: new (a: string, c: ReturnType<typeof insecure>, o: object) => C) => new Ctor(address, insecure(), CLIENT_OPTIONS);
  const domains = call(domainPb.DomainServiceClient);
  const created = await unary(domains, domains.create, domainPb.DomainServiceCreateRequest.fromPartial({ name: 'Demo' }), { credential: state.rootKey });
  const key = created.key;
  const groups = call(projectGroupPb.ProjectGroupServiceClient);
  const projects = call(projectPb.ProjectServiceClient);
  const accounts = call(serviceAccountPb.ServiceAccountServiceClient);
  const group = await unary(groups, groups.create, projectGroupPb.ProjectGroupServiceCreateRequest.fromPartial({ name: 'Platform' }), { credential: key });
  const ids: string[] = [];
  for (const [name, grouped] of [['Web', true], ['Data', true], ['Sandbox', false]] as const) {
    const req = projectPb.ProjectServiceCreateRequest.fromPartial({ name, projectGroupId: grouped ? group.projectGroup!.projectGroupId : '' });
    ids.push((await unary(projects, projects.create, req, { credential: key })).project!.projectId);
  }
  for (const [i, name] of ['Hyper Billing: web', 'Hyper Billing: data'].entries()) {
    const credentials = issue(`90000000000${i + 1}`);
    const req = serviceAccountPb.ServiceAccountServiceCreateRequest.fromPartial({ name, provider: 'hyperbilling', projectId: ids[i], secretData: credentials });
    await unary(accounts, accounts.create, req, { credential: key });
  }
  // The demo plugin: a custom provider of the domain, a data source for it, and one account.
  const providers = call(providerPb.ProviderServiceClient);
  const accountSchema = { type: 'object', required: ['account_id'], properties: { account_id: { type: 'string' } } };
  await unary(
    providers,
    providers.create,
    providerPb.ProviderServiceCreateRequest.fromPartial({ provider: 'demo', name: 'Demo cloud', isBilling: true, accountSchema }),
    { credential: key },
  );
  const dataSources = new dataSourcePb.DataSourceServiceClient(billingAddress, insecure(), CLIENT_OPTIONS);
  const registered = await unary(
    dataSources,
    dataSources.register,
    dataSourcePb.DataSourceServiceRegisterRequest.fromPartial({ name: DEMO_DATA_SOURCE, pluginEndpoint: demoEndpoint }),
    { credential: key },
  );
  const demoAccount = serviceAccountPb.ServiceAccountServiceCreateRequest.fromPartial({
    name: 'Demo cloud: sandbox',
    provider: 'demo',
    projectId: ids[2],
    data: { account_id: 'demo-sandbox' },
    secretData: { account_id: 'demo-sandbox' },
  });
  await unary(accounts, accounts.create, demoAccount, { credential: key });
  // Illustrative rates, so the dashboard can sum the demo cloud's non-USD accounts in USD.
  const rates = new exchangeRatePb.ExchangeRateServiceClient(billingAddress, insecure(), CLIENT_OPTIONS);
  for (const [currency, rate] of [['EUR', '1.08'], ['GBP', '1.27'], ['JPY', '0.0067'], ['KRW', '0.00074']]) {
    const req = exchangeRatePb.ExchangeRateServiceSetRequest.fromPartial({ currency, quoteCurrency: 'USD', rate, effectiveDate: '2020-01-01' });
    await unary(rates, rates.set, req, { credential: key });
  }
  rates.close();
  for (const c of [domains, groups, projects, accounts, providers, dataSources]) (c as unknown as { close(): void }).close();
  state.demo = { domainId: created.domain!.domainId, apiKey: key, dataSourceId: registered.dataSource!.dataSourceId };
  saveState(state);
}

/** A SYSTEM token bound to the demo domain: the script's own credential, whatever the user did to the demo key. */
const demoToken = (state: DevState) =>
  signInternalToken(state.internalSecret, { subject: 'run-local', domainId: state.demo!.domainId, role: 'SYSTEM', projectIds: [] });

const codeOf = (err: unknown) => (err as { code?: number }).code;
const GRPC_NOT_FOUND = 5;

/**
 * Points the demo data source at the demo plugin's port of this start (the plugin listens on a
 * free port, so the endpoint stored at seeding is stale after a restart), through billing's
 * DataSourceService.Update. Done before anything is printed: the schedule's first check is a
 * minute away and a user's sync comes after the printed lines, so no sync sees the old port.
 * A data source the user removed is left removed.
 */
async function pointDemoDataSource(billingAddress: string, demoEndpoint: string, state: DevState): Promise<void> {
  const credential = demoToken(state);
  const dataSources = new dataSourcePb.DataSourceServiceClient(billingAddress, insecure(), CLIENT_OPTIONS);
  try {
    let current: dataSourcePb.DataSource | undefined;
    if (state.demo!.dataSourceId) {
      const req = dataSourcePb.DataSourceServiceGetRequest.fromPartial({ dataSourceId: state.demo!.dataSourceId });
      current = await unary(dataSources, dataSources.get, req, { credential }).then(
        (res) => res.dataSource,
        (err: unknown) => {
          if (codeOf(err) === GRPC_NOT_FOUND) return undefined;
          throw err;
        },
      );
    } else {
      // A state from before the id was kept: the demo data source is the one seeding registered.
      const req = dataSourcePb.DataSourceServiceListRequest.fromPartial({ query: { filter: [{ k: 'name', v: DEMO_DATA_SOURCE, o: 'eq' }] } });
      const found = (await unary(dataSources, dataSources.list, req, { credential })).results;
      current = found.find((ds) => ds.providers.includes(DEMO_PROVIDER));
      if (current) {
        state.demo!.dataSourceId = current.dataSourceId;
        saveState(state);
      }
    }
    if (!current || current.pluginEndpoint === demoEndpoint) return;
    const req = dataSourcePb.DataSourceServiceUpdateRequest.fromPartial({ dataSourceId: current.dataSourceId, pluginEndpoint: demoEndpoint });
    await unary(dataSources, dataSources.update, req, { credential });
  } finally {
    dataSources.close();
  }
}

async function main(): Promise<void> {
  const state = loadState();
  const logger = createLogger({ name: 'tally', level: process.env.TALLY_LOG_LEVEL ?? 'warn' });

  // The fake Hyper Billing API knows every client it ever issued credentials to.
  const fake = await startFakeHyperBilling({ seed: FAKE_SEED, port: Number(process.env.TALLY_FAKE_HYPERBILLING_PORT ?? 0) });
  for (const c of state.issued) fake.addClient(clientOf(c));
  const emailDomain = emailDomainOf(FAKE_SEED);
  const admit = (c: IssuedCredentials) => {
    fake.addClient(clientOf(c));
    state.issued.push(c);
    saveState(state);
    return c;
  };
  const issue = (account: string) => admit(issueNew(account, state.issued, emailDomain));
  const plugin = await serve(createHyperBillingPlugin({ endpoint: fake.url }), { name: 'hyperbilling', port: 0, logger, handleSignals: false });
  const demo = await serve(demoPlugin(), { name: 'demo', port: 0, logger, handleSignals: false });
  const demoEndpoint = `127.0.0.1:${demo.port}`;

  const shared = { TALLY_INTERNAL_TOKEN_SECRET: state.internalSecret, TALLY_DATA_DIR: DATA_DIR };
  const identityConfig = loadIdentityConfig({ TALLY_ROOT_KEY: state.rootKey, TALLY_MASTER_KEYS: state.masterKeys, ...shared, ...process.env });
  const identity = await startIdentity(identityConfig, { logger });
  const identityAddress = `${identityConfig.TALLY_GRPC_HOST}:${identity.port}`;
  const billingConfig = loadBillingConfig({
    ...shared,
    TALLY_IDENTITY_ENDPOINT: identityAddress,
    TALLY_HYPERBILLING_PLUGIN_ENDPOINT: `127.0.0.1:${plugin.port}`,
    ...process.env,
  });
  const billing = await startBilling(billingConfig, { logger, bus: identity.bus });
  const billingAddress = `${billingConfig.TALLY_GRPC_HOST}:${billing.port}`;
  const gatewayConfig = loadGatewayConfig({
    ...shared,
    TALLY_IDENTITY_ENDPOINT: identityAddress,
    TALLY_BILLING_ENDPOINT: billingAddress,
    ...process.env,
  });
  const gateway = await startGateway(gatewayConfig, { logger });

  await seedDemo(identityAddress, billingAddress, demoEndpoint, state, issue);
  await pointDemoDataSource(billingAddress, demoEndpoint, state);
  // Accounts the user can register through the flow, as the provider hands them out: the issued
  // ones no service account of the demo domain uses yet, and new ones when fewer than two remain.
  const registered = await registeredAccountIds(identityAddress, [demoToken(state)]);
  const { unregistered, added } = unregisteredOf(state.issued, registered, { emailDomain, firstAccountId: '900000000003' });
  for (const c of added) admit(c);
  writePrivateJson(CREDENTIALS_FILE, unregistered);

  console.log(`console: http://127.0.0.1:${gateway.httpPort}/`);
  console.log(`api: http://127.0.0.1:${gateway.httpPort}/<identity|billing>/<resource>/<verb> (HTTP/JSON, e.g. POST /billing/cost/analyze)`);
  console.log(`grpc: 127.0.0.1:${gateway.grpcPort} (gateway; identity ${identityAddress}, billing ${billingAddress})`);
  console.log(`api key: ${state.demo!.apiKey}`);
  console.log(`hyperbilling credentials: ${CREDENTIALS_FILE}`);
  console.log(`data: ${DATA_DIR} (delete it to start over). Ctrl-C stops everything.`);
  onShutdownSignal(logger, async () => {
    await gateway.stop();
    await billing.stop();
    await identity.stop();
    await plugin.shutdown();
    await demo.shutdown();
    await fake.close();
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
