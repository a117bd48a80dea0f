import { execFileSync } from 'node:child_process';
import type { StartedTestContainer } from 'testcontainers';

/**
 * Where tests get a MongoDB (DESIGN section 11), in order: TALLY_TEST_MONGO_URL; a container
 * (mongo:7 as a single-node replica set, so transactions work) through testcontainers; else
 * none, and the suites that need one are skipped with a loud notice.
 */

export const MONGO_URL_ENV = 'TALLY_TEST_MONGO_URL';
const MONGO_IMAGE = 'mongo:7';
const NO_RUNTIME = 'Could not find a working container runtime strategy';
const PROBE_TIMEOUT_MS = 5_000;

export interface TestMongo {
  url: string;
  source: 'env' | 'container';
  /** Stops the container (nothing for a URL from the environment). */
  stop(): Promise<void>;
}

/** Where a test MongoDB would come from, decided without starting anything. */
export type MongoPlan = { kind: 'url'; url: string } | { kind: 'container' } | { kind: 'none'; reason: string };

const envUrl = () => process.env[MONGO_URL_ENV]?.trim() || undefined;

/**
 * Decides synchronously (jest registers tests synchronously) whether a MongoDB can be had:
 * the URL from the environment, or a container runtime that testcontainers finds. The
 * runtime is probed in a child process with a time limit, so a missing or stuck runtime
 * costs at most a few seconds.
 */
export function planTestMongo(): MongoPlan {
  const url = envUrl();
  if (url) return { kind: 'url', url };
  const probe = probeContainerRuntime();
  if (probe === true) return { kind: 'container' };
  return { kind: 'none', reason: `no ${MONGO_URL_ENV} and no container runtime (${probe})` };
}

/** Gets the MongoDB a plan names: the given URL, or a freshly started container. */
export async function startTestMongo(plan: Exclude<MongoPlan, { kind: 'none' }>): Promise<TestMongo> {
  if (plan.kind === 'url') return { url: plan.url, source: 'env', stop: async () => undefined };
  return startMongoContainer();
}

/** The whole resolution for callers that can wait: a TestMongo, or null when none can be had. */
export async function resolveTestMongo(): Promise<TestMongo | null> {
  const url = envUrl();
  if (url) return { url, source: 'env', stop: async () => undefined };
  try {
    return await startMongoContainer();
  } catch (err) {
    if (String((err as Error)?.message ?? err).includes(NO_RUNTIME)) return null;
    throw err;
  }
}

let warned = false;

/** Prints the notice that MongoDB suites are skipped, once per test file. */
export function warnMongoSkipped(reason: string): void {
  if (warned) return;
  warned = true;
  const line = '='.repeat(78);
  console.warn(`${line}\nMongoDB suites SKIPPED: ${reason}.\nSet ${MONGO_URL_ENV} (a replica set) or start a container runtime to run them.\n${line}`);
}

/** true when testcontainers finds a container runtime; otherwise why not. */
function probeContainerRuntime(): true | string {
  let modulePath: string;
  try {
    modulePath = require.resolve('testcontainers');
  } catch {
    return 'testcontainers is not installed';
  }
  const script = [
    `const done = (m) => process.stdout.write(m, () => process.exit(0));`,
    `require(${JSON.stringify(modulePath)}).getContainerRuntimeClient()`,
    `  .then(() => done('ok'), (e) => done('no:' + ((e && e.message) || e)));`,
  ].join('\n');
  try {
    const out = execFileSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      timeout: PROBE_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out === 'ok' ? true : out.replace(/^no:/, '') || 'the runtime probe said nothing';
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return e.code === 'ETIMEDOUT' ? `the runtime probe took over ${PROBE_TIMEOUT_MS} ms` : `the runtime probe failed: ${e.message}`;
  }
}

async function startMongoContainer(): Promise<TestMongo> {
  // Loaded lazily, and with require: jest runs test files in a VM without dynamic import().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GenericContainer, Wait } = require('testcontainers') as typeof import('testcontainers');
  const container = await new GenericContainer(MONGO_IMAGE)
    .withCommand(['--replSet', 'rs0', '--bind_ip_all'])
    .withExposedPorts(27017)
    .withWaitStrategy(Wait.forLogMessage(/Waiting for connections/))
    .withStartupTimeout(120_000)
    .start();
  try {
    await initiateReplicaSet(container);
  } catch (err) {
    await container.stop();
    throw err;
  }
  return {
    url: `mongodb://${container.getHost()}:${container.getMappedPort(27017)}/?directConnection=true`,
    source: 'container',
    stop: async () => {
      await container.stop();
    },
  };
}

async function initiateReplicaSet(container: StartedTestContainer): Promise<void> {
  const initiate = `try { rs.status().ok } catch (e) { rs.initiate({ _id: 'rs0', members: [{ _id: 0, host: 'localhost:27017' }] }).ok }`;
  const result = await container.exec(['mongosh', '--quiet', '--eval', initiate]);
  if (result.exitCode !== 0) throw new Error(`rs.initiate failed: ${result.output}`);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const hello = await container.exec(['mongosh', '--quiet', '--eval', 'db.hello().isWritablePrimary']);
    if (hello.output.trim() === 'true') return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the MongoDB replica set did not elect a primary within 30 s');
}
