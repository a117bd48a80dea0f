/**
 * Runs the quick-start entry points (scripts/run-local.ts, scripts/run-processes.sh) as a user
 * does, from the source tree: TypeScript is transpiled on load by register-ts.js, so these tests
 * need no `make build` and never touch dist/. Every process started here is killed at the latest
 * when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const TS_HOOK = join(__dirname, 'register-ts.js');

/** The environment without any TALLY_* a developer may have set (it would change what starts). */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TALLY_')) env[k] = v;
  return { ...env, ...extra };
}

/** Loopback ports nothing listens on (distinct). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** True when the port can be bound on loopback (nothing holds it). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) {
    try {
      // A whole process group when it was started detached (run-processes.sh and its children).
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      c.kill('SIGKILL');
    }
  }
});

export interface Running {
  child: ChildProcess;
  /** Every stdout line so far. */
  lines: string[];
  output(): string;
  /** Resolves with the captures of the first line matching each pattern, in the order given. */
  waitForLines(patterns: RegExp[], ms: number): Promise<RegExpMatchArray[]>;
  /** Sends the signal and resolves with the exit code (null when killed by a signal) within ms. */
  stop(signal: NodeJS.Signals, ms: number): Promise<number | null>;
  /** SIGKILL to the process (and its group when detached), for clean-up. */
  kill(): void;
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv, opts: { group?: boolean } = {}): Running {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.group ?? false });
  live.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => live.delete(child));
  const lines: string[] = [];
  let text = '';
  let partial = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    const s = partial + chunk.toString();
    const parts = s.split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    listeners.forEach((l) => l());
  });
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const signal = (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (opts.group) {
      try {
        process.kill(-child.pid!, sig);
        return;
      } catch {
        /* fall through to the process alone */
      }
    }
    child.kill(sig);
  };
  return {
    child,
    lines,
    output: () => text.slice(-6000),
    waitForLines(patterns, ms) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = patterns.map((p) => lines.map((l) => l.match(p)).find((m) => m) ?? null);
          if (found.every((m) => m)) {
            done();
            resolve(found as RegExpMatchArray[]);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${patterns.join(', ')} within ${ms} ms; output:\n${text.slice(-6000)}`));
        }, ms);
        const onExit = (code: number | null) => {
          done();
          reject(new Error(`exited (${code}) before printing ${patterns.join(', ')}; output:\n${text.slice(-6000)}`));
        };
        function done() {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        }
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop(sig, ms) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      signal(sig);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), ms)));
      const result = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (result === 'late') {
        signal('SIGKILL');
        throw new Error(`still running ${ms} ms after ${sig}; output:\n${text.slice(-6000)}`);
      }
      return result;
    },
    kill: () => signal('SIGKILL'),
  };
}

/** POSTs JSON to the gateway's HTTP API; resolves with the status and the parsed answer. */
export async function post(base: string, path: string, body: unknown, key?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Calls fn until accept holds, at most ms; throws naming what was awaited and the last answer. */
export async function eventually<T>(fn: () => Promise<T>, accept: (v: T) => boolean, what: string, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (accept(v)) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms; last: ${JSON.stringify(last instanceof Error ? last.message : last)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** An entry of the credentials file both run modes write. */
export interface Credential {
  account_id: string;
  client_email: string;
  private_key: string;
}

/** A job as billing's HTTP/JSON API lists it. */
export interface Job {
  job_id: string;
  service_account_id: string;
  state: string;
  error_message?: string;
}
