/**
 * `make run`: starts Tally on embedded defaults in one process (embedded store persisted in
 * .data/, in-process event bus), creates a demo domain with projects on first start, and
 * prints where to connect. Ctrl-C stops everything cleanly.
 *
 * Development only: the generated root key, master key and demo admin key are kept in
 * .data/dev-secrets.json so a restart finds its data readable.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as domainPb from '../gen/tally/identity/v1/domain';
import * as projectPb from '../gen/tally/identity/v1/project';
import * as projectGroupPb from '../gen/tally/identity/v1/project_group';
import { CLIENT_OPTIONS, insecure, unary } from '../lib/grpc/client';
import { createLogger } from '../lib/log/logger';
import { onShutdownSignal } from '../lib/runtime/shutdown';
import { startIdentity } from '../services/identity/app';
import { loadIdentityConfig } from '../services/identity/config';

const DATA_DIR = process.env.TALLY_DATA_DIR ?? join(process.cwd(), '.data');

interface DevSecrets {
  rootKey: string;
  masterKeys: string;
  internalSecret: string;
  demo?: { domainId: string; apiKey: string };
}

function devSecrets(): DevSecrets {
  const file = join(DATA_DIR, 'dev-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  mkdirSync(DATA_DIR, { recursive: true });
  const secrets: DevSecrets = {
    rootKey: randomBytes(32).toString('hex'),
    masterKeys: `1:${randomBytes(32).toString('base64')}`,
    internalSecret: randomBytes(32).toString('hex'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

function saveSecrets(secrets: DevSecrets): void {
  writeFileSync(join(DATA_DIR, 'dev-secrets.json'), JSON.stringify(secrets, null, 2), { mode: 0o600 });
}

async function seedDemo(address: string, secrets: DevSecrets): Promise<void> {
  if (secrets.demo) return;
  const domains = new domainPb.DomainServiceClient(address, insecure(), CLIENT_OPTIONS);
  const created = await unary(domains, domains.create, domainPb.DomainServiceCreateRequest.fromPartial({ name: 'Demo' }), {
    credential: secrets.rootKey,
  });
  domains.close();
  const key = created.key;
  const groups = new projectGroupPb.ProjectGroupServiceClient(address, insecure(), CLIENT_OPTIONS);
  const projects = new projectPb.ProjectServiceClient(address, insecure(), CLIENT_OPTIONS);
  const group = await unary(groups, groups.create, projectGroupPb.ProjectGroupServiceCreateRequest.fromPartial({ name: 'Platform' }), {
    credential: key,
  });
  for (const name of ['Web', 'Data']) {
    await unary(
      projects,
      projects.create,
      projectPb.ProjectServiceCreateRequest.fromPartial({ name, projectGroupId: group.projectGroup!.projectGroupId }),
      { credential: key },
    );
  }
  await unary(projects, projects.create, projectPb.ProjectServiceCreateRequest.fromPartial({ name: 'Sandbox' }), { credential: key });
  groups.close();
  projects.close();
  secrets.demo = { domainId: created.domain!.domainId, apiKey: key };
  saveSecrets(secrets);
}

async function main(): Promise<void> {
  const secrets = devSecrets();
  const config = loadIdentityConfig({
    TALLY_ROOT_KEY: secrets.rootKey,
    TALLY_MASTER_KEYS: secrets.masterKeys,
    TALLY_INTERNAL_TOKEN_SECRET: secrets.internalSecret,
    TALLY_DATA_DIR: DATA_DIR,
    ...process.env,
  });
  const logger = createLogger({ name: 'tally', level: process.env.TALLY_LOG_LEVEL ?? 'warn' });
  const identity = await startIdentity(config, { logger });
  const address = `${config.TALLY_GRPC_HOST}:${identity.port}`;
  await seedDemo(address, secrets);
  console.log(`identity: ${address} (gRPC; try: npx buf curl --protocol grpc --http2-prior-knowledge --list-services http://${address})`);
  console.log(`metrics: http://${config.TALLY_GRPC_HOST}:${identity.metricsPort}/metrics`);
  console.log(`api key: ${secrets.demo!.apiKey}`);
  console.log(`data: ${DATA_DIR} (delete it to start over)`);
  console.log('Ctrl-C stops everything.');
  onShutdownSignal(logger, () => identity.stop());
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
