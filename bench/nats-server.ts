/**
 * A nats-server with JetStream on a free loopback port and a fresh store dir, for the reassign
 * benchmark (the few lines of lib/testenv/nats.ts it needs: that module also defines jest
 * suites, which the build does not compile). TALLY_BENCH_NATS_URL uses a running server instead.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

function binary(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin'];
  for (const dir of dirs) if (dir && existsSync(join(dir, 'nats-server'))) return join(dir, 'nats-server');
  throw new Error('reassign needs nats-server: install it (apt-get install nats-server) or set TALLY_BENCH_NATS_URL');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startNats(): Promise<{ url: string; close(): Promise<void> }> {
  if (process.env.TALLY_BENCH_NATS_URL) return { url: process.env.TALLY_BENCH_NATS_URL, close: async () => undefined };
  const storeDir = mkdtempSync(join(tmpdir(), 'tally-bench-nats-'));
  const port = await freePort();
  const child = spawn(binary(), ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`nats-server not ready within 15 s\n${output.slice(-2000)}`)), 15_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      if (output.length < 64_000) output += chunk.toString();
      if (output.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited early (code ${code})\n${output.slice(-2000)}`));
    });
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    async close() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
