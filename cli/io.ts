import { createInterface } from 'node:readline';
import { Writable, type Readable } from 'node:stream';

/** Where the CLI reads and writes: the process by default, anything in tests. */
export interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  stdin: Readable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
}

export const processIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });

/** All of stdin as text (for `--credentials -` from a pipe). */
export async function readAll(stdin: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Asks for each field in turn on the terminal without echoing what is typed. A PEM value (a line
 * starting with -----BEGIN) is read up to its -----END line.
 */
export async function promptHidden(io: Io, fields: string[]): Promise<Record<string, string>> {
  const muted = new Writable({ write: (_c, _e, done) => done() });
  const rl = createInterface({ input: io.stdin, output: muted, terminal: Boolean(io.stdin.isTTY) });
  const lines = rl[Symbol.asyncIterator]();
  const out: Record<string, string> = {};
  try {
    for (const field of fields) {
      io.stderr.write(`${field} (not echoed): `);
      const first = await lines.next();
      if (first.done) throw new Error(`no value given for ${field}`);
      let value = first.value.trim();
      if (value.startsWith('-----BEGIN')) {
        const parts = [value];
        while (!/^-----END [^-]+-----$/.test(parts[parts.length - 1])) {
          const next = await lines.next();
          if (next.done) throw new Error(`${field}: the PEM block has no -----END line`);
          parts.push(next.value.trim());
        }
        value = `${parts.join('\n')}\n`;
      }
      io.stderr.write('\n');
      out[field] = value;
    }
  } finally {
    rl.close();
  }
  return out;
}
