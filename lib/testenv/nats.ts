/**
 * Where NATS tests get a server (DESIGN section 11), in order: TALLY_TEST_NATS_URL; a container
 * through testcontainers (nats:2.9 -js); a nats-server binary on PATH (or in /usr/sbin) started
 * on a free port; otherwise none, and the suite is skipped with a loud notice, except under
 * CI=true, where a missing NATS fails.
 *
 * Only a server this harness started itself from the binary can be stopped and restarted (on
 * the same port and store dir), which outage tests need: ask for it with { restartable: true }.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface NatsTestEnv {
  /** e.g. nats://127.0.0.1:41234 */
  url: string;
  source: 'env' | 'container' | 'binary';
  /** Takes the server down, keeping its port and store dir (own binary server only). */
  stop?: (signal?: 'SIGTERM' | 'SIGKILL') => Promise<void>;
  /** Brings a stopped server back on the same port with the same store dir (own binary server only). */
  restart?: () => Promise<void>;
  /** Releases the server (stops what this harness started, removes its store dir). */
  close(): Promise<void>;
}

export interface ResolveNatsOptions {
  /** Only a server that can be stopped and restarted will do (the binary, started here). */
  restartable?: boolean;
}

const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const CONTAINER_TIMEOUT_MS = 120_000;
const NO_RUNTIME = 'Could not find a working container runtime strategy';

export function findNatsServerBinary(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, 'nats-server');
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** A cheap guess that a container runtime may answer; testcontainers decides for real. */
function containerRuntimeLikely(): boolean {
  const sockets = ['/var/run/docker.sock', join(homedir(), '.docker/run/docker.sock')];
  if (process.env.XDG_RUNTIME_DIR) sockets.push(join(process.env.XDG_RUNTIME_DIR, 'podman/podman.sock'));
  return Boolean(process.env.DOCKER_HOST) || sockets.some((s) => existsSync(s));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

/** A worker that ends without close() must not leave servers behind. */
function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of children) c.kill('SIGKILL');
    });
  }
}

function spawnServer(binary: string, port: number, storeDir: string): Promise<ChildProcess> {
  const child = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  track(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`nats-server not ready within ${READY_TIMEOUT_MS}ms`)), READY_TIMEOUT_MS);
    function fail(err: Error) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n${output.slice(-2000)}`));
    }
    child.stderr!.on('data', (chunk: Buffer) => {
      if (output.length < 64_000) output += chunk.toString();
      if (output.includes('Server is ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`nats-server exited early (code ${code}, signal ${signal})`)));
  });
}

async function stopChild(child: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Starts nats-server with JetStream on a free loopback port and a fresh store dir. */
export async function startNatsServer(binary = findNatsServerBinary()): Promise<NatsTestEnv> {
  if (!binary) throw new Error('no nats-server binary found on PATH or in /usr/sbin');
  const storeDir = mkdtempSync(join(tmpdir(), 'tally-nats-'));
  const port = await freePort();
  let child: ChildProcess | null = await spawnServer(binary, port, storeDir).catch((err) => {
    rmSync(storeDir, { recursive: true, force: true });
    throw err;
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    source: 'binary',
    async stop(signal = 'SIGTERM') {
      await stopChild(child, signal);
      child = null;
    },
    async restart() {
      await stopChild(child, 'SIGTERM');
      child = await spawnServer(binary, port, storeDir);
    },
    async close() {
      await stopChild(child, 'SIGTERM');
      child = null;
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

async function startContainer(): Promise<NatsTestEnv | null> {
  try {
    // Loaded lazily, and with require: jest runs test files in a VM without dynamic import().
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { GenericContainer, Wait } = require('testcontainers') as typeof import('testcontainers');
    const container = await new GenericContainer('nats:2.9')
      .withCommand(['-js'])
      .withExposedPorts(4222)
      .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
      .withStartupTimeout(CONTAINER_TIMEOUT_MS)
      .start();
    return {
      url: `nats://${container.getHost()}:${container.getMappedPort(4222)}`,
      source: 'container',
      async close() {
        await container.stop();
      },
    };
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    if (!message.includes(NO_RUNTIME)) {
      process.stderr.write(`[testenv] NATS container did not start (${message}); trying a nats-server binary\n`);
    }
    return null;
  }
}

/**
 * A NATS server for tests, or null when none can be had. The caller skips loudly on null (see
 * describeWithNats), or fails under CI=true.
 */
export async function resolveNats(options: ResolveNatsOptions = {}): Promise<NatsTestEnv | null> {
  if (!options.restartable) {
    const url = process.env.TALLY_TEST_NATS_URL;
    if (url) return { url, source: 'env', close: async () => {} };
    const container = await startContainer();
    if (container) return container;
  }
  const binary = findNatsServerBinary();
  return binary ? startNatsServer(binary) : null;
}

/** Why no NATS can be had, judged without starting anything; null when one may be. */
function missingReason(options: ResolveNatsOptions): string | null {
  if (findNatsServerBinary()) return null;
  if (options.restartable) return 'this suite stops and restarts NATS, which needs a nats-server binary on PATH';
  if (process.env.TALLY_TEST_NATS_URL || containerRuntimeLikely()) return null;
  return 'no TALLY_TEST_NATS_URL, no container runtime and no nats-server binary on PATH';
}

/**
 * describe() for a suite that needs NATS. `nats()` returns the server inside hooks and tests.
 * Without NATS the suite is skipped with a loud notice, or fails under CI=true.
 */
export function describeWithNats(
  name: string,
  fn: (nats: () => NatsTestEnv) => void,
  options: ResolveNatsOptions = {},
): void {
  const reason = missingReason(options);
  if (reason) {
    const remedy = options.restartable ? 'Install nats-server' : 'Set TALLY_TEST_NATS_URL or install nats-server';
    const notice = `NATS suite "${name}" cannot run: ${reason}. ${remedy}.`;
    if (process.env.CI === 'true') {
      describe(name, () => {
        it('needs NATS (CI=true: a missing NATS fails)', () => {
          throw new Error(notice);
        });
      });
      return;
    }
    process.stderr.write(`\n${'!'.repeat(100)}\n!!! SKIPPED: ${notice}\n${'!'.repeat(100)}\n\n`);
    describe.skip(`${name} [SKIPPED: no NATS]`, () =>
      fn(() => {
        throw new Error('NATS is not available');
      }),
    );
    return;
  }
  describe(name, () => {
    let env: NatsTestEnv | null = null;
    beforeAll(async () => {
      env = await resolveNats(options);
      if (!env) throw new Error(`no NATS server could be started for "${name}"`);
    }, CONTAINER_TIMEOUT_MS + 30_000);
    fn(() => {
      if (!env) throw new Error('NATS is not available (resolution failed in beforeAll)');
      return env;
    });
    // Registered after the suite's own hooks: jest runs afterAll hooks in declaration order,
    // and the suite's clean-up still needs the server.
    afterAll(async () => {
      await env?.close();
    }, STOP_TIMEOUT_MS + 5_000);
  });
}
