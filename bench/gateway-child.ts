/**
 * Forks the `gateway` benchmark's helper processes (compiled scripts next to this one) and waits
 * for the first IPC message, `{ ready }` or `{ error }`; kill() ends one for sure (SIGTERM, then
 * SIGKILL after a grace period).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface BackendsReady {
  identityAddress: string;
  billingAddress: string;
  internalSecret: string;
  key: string;
  projectId: string;
}

export interface GatewayReady {
  grpcPort: number;
}

export type ChildMessage<T> = { ready: T; error?: undefined } | { error: string; ready?: undefined };

export interface Child<T> {
  proc: ChildProcess;
  ready: T;
}

/** With TALLY_BENCH_CPU_PROF_DIR set, each child writes a V8 CPU profile (.cpuprofile) there when it exits. */
function profileArgs(): string[] {
  const dir = process.env.TALLY_BENCH_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** Forks `<script>.js` from this folder with `env` added, and resolves with its ready message. */
export async function forkChild<T>(script: string, env: Record<string, string>, track: ChildProcess[], timeoutMs = 30_000): Promise<Child<T>> {
  const proc = fork(join(__dirname, `${script}.js`), [], {
    env: { ...process.env, ...env },
    execArgv: [...process.execArgv, ...profileArgs()],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  track.push(proc);
  const ready = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script}: not ready after ${timeoutMs} ms`)), timeoutMs);
    proc.once('message', (m: ChildMessage<T>) => {
      clearTimeout(timer);
      if (m.ready !== undefined) resolve(m.ready);
      else reject(new Error(`${script} failed: ${m.error}`));
    });
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before it was ready`));
    });
  });
  return { proc, ready };
}

/** Ends a child: SIGTERM (it stops its servers), SIGKILL if it is still there after graceMs. */
export async function kill(proc: ChildProcess, graceMs = 3000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
