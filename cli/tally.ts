#!/usr/bin/env node
import { Flags, parseArgs, UsageError } from './args';
import type { Command, Ctx } from './command';
import { COMMANDS } from './commands';
import { describeError } from './errors';
import { gatewayClient } from './gateway-client';
import { processIo, type Io } from './io';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8080';

/** Exit codes: 0 done, 1 the gateway refused or could not be reached, 2 a usage mistake. */
export const EXIT = { OK: 0, API: 1, USAGE: 2 } as const;

export function helpText(): string {
  return [
    'usage: tally <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.usage}`),
    '',
    'options (every command):',
    `  --endpoint <url>   the gateway's HTTP/JSON API (TALLY_ENDPOINT, default ${DEFAULT_ENDPOINT})`,
    '  --key <api key>    the API key (TALLY_API_KEY)',
    '  --json             print the raw JSON answer',
    '',
  ].join('\n');
}

function find(positionals: string[]): { command?: Command; rest: string[] } {
  for (const c of COMMANDS) {
    if (c.words.every((w, i) => positionals[i] === w)) return { command: c, rest: positionals.slice(c.words.length) };
  }
  return { rest: positionals };
}

/** The CLI: runs one command and resolves to its exit code; writes only through io. */
export async function run(argv: string[], io: Io = processIo()): Promise<number> {
  try {
    const args = parseArgs(argv);
    const { command, rest } = find(args.positionals);
    if (!command) {
      if (args.help) {
        io.stdout.write(helpText());
        return EXIT.OK;
      }
      if (args.positionals.length === 0) throw new UsageError('no command given', helpText());
      const known = COMMANDS.filter((c) => c.words[0] === args.positionals[0]).map((c) => `  ${c.usage}`);
      throw new UsageError(`unknown command: ${args.positionals.join(' ')}`, known.length ? `usage:\n${known.join('\n')}\n` : helpText());
    }
    const help = `usage: tally ${command.usage}\n`;
    if (args.help) {
      io.stdout.write(help);
      return EXIT.OK;
    }
    const flags = new Flags({ ...args, positionals: rest }, help, command.flags);
    flags.noMorePositionals(command.positionals);
    const endpoint = flags.get('endpoint') ?? io.env.TALLY_ENDPOINT ?? DEFAULT_ENDPOINT;
    if (!/^https?:\/\/[^/]+/.test(endpoint)) throw new UsageError(`--endpoint must be an http(s) URL (not ${JSON.stringify(endpoint)})`);
    const key = flags.get('key') ?? io.env.TALLY_API_KEY;
    if (!key) throw new UsageError('no API key: give --key or set TALLY_API_KEY', help);
    const ctx: Ctx = {
      flags,
      client: gatewayClient(endpoint, key, io.fetch),
      io,
      say: (line) => io.stdout.write(`${line}\n`),
      printJson(value) {
        if (!args.json) return false;
        io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
        return true;
      },
    };
    await command.run(ctx);
    return EXIT.OK;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`tally: ${err.message}\n`);
      if (err.help) io.stderr.write(err.help);
      return EXIT.USAGE;
    }
    io.stderr.write(`tally: ${describeError(err)}\n`);
    return EXIT.API;
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
