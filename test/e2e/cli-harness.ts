import { createServer } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { run } from '../../cli/tally';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in process, as `tally <argv>` would, with the environment given and stdin fed
 * from `stdin` (a string, piped) or a fake terminal that types the lines given. `calls`, when
 * given, collects the path of every request the CLI sends to the (real) gateway.
 */
export async function tally(
  argv: string[],
  env: Record<string, string | undefined>,
  stdin: string | { terminal: string[] } = '',
  calls?: string[],
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  let input: Readable & { isTTY?: boolean };
  if (typeof stdin === 'string') {
    input = Readable.from(stdin ? [Buffer.from(stdin)] : []);
  } else {
    const tty = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => tty });
    // Typed only once the prompt is up, line by line, as a person would.
    setImmediate(() => tty.end(stdin.terminal.map((l) => `${l}\n`).join('')));
    input = tty;
  }
  const code = await run(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: input,
    env,
    ...(calls ? { fetch: (url: string | URL | Request, init?: RequestInit) => (calls.push(new URL(String(url)).pathname), fetch(url, init)) } : {}),
  });
  return { code, stdout, stderr };
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}
