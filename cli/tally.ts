#!/usr/bin/env node
import { Flags, GLOBAL_FLAGS, givenFlags, parseArgs, unknownOption, UsageError } from './args';
import type { Command, Ctx } from './command';
import { COMMANDS } from './commands';
import { CommandFailed, describeError } from './errors';
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
    ...COMMANDS.map((c) => `  ${synopsis(c)}`),
    '',
    'options (every command):',
    `  --endpoint <url>   the gateway's HTTP/JSON API (TALLY_ENDPOINT, default ${DEFAULT_ENDPOINT})`,
    '  --key <api key>    the API key (TALLY_API_KEY)',
    '  --json             print the raw JSON answer',
    '',
  ].join('\n');
}

/** The usage line, and what the command does when it says. */
const synopsis = (c: Command) => (c.summary ? `${c.usage} — ${c.summary}` : c.usage);

/** The short help of one command: its usage, what it does, and every option it takes. */
export function commandHelp(c: Command): string {
  const options = [...c.flags, ...GLOBAL_FLAGS].map((f) => `--${f}`).join(', ');
  return [`usage: tally ${c.usage}`, ...(c.summary ? [c.summary] : []), `options: ${options}`, ''].join('\n');
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
    // `tally help [<command>]` is `tally [<command>] --help`.
    if (args.positionals[0] === 'help' && args.flags.size === 0 && args.missingValue.length === 0) {
      const target = args.positionals.slice(1);
      // An unknown command word is reported as such (exit 2), not answered with the full help.
      return run(target.length === 0 || find(target).command ? [...target, '--help'] : target, io);
    }
    const { command, rest } = find(args.positionals);
    if (!command) {
      if (args.help) {
        io.stdout.write(helpText());
        return EXIT.OK;
      }
      // A mistyped flag may have taken the command's words as its value: name the flag first.
      const everyFlag = new Set([...GLOBAL_FLAGS, ...COMMANDS.flatMap((c) => c.flags)]);
      const unknown = givenFlags(args).find((f) => !everyFlag.has(f));
      if (unknown) throw new UsageError(unknownOption(unknown, everyFlag), helpText());
      if (args.positionals.length === 0) throw new UsageError('no command given', helpText());
      const known = COMMANDS.filter((c) => c.words[0] === args.positionals[0]).map((c) => `  ${synopsis(c)}`);
      throw new UsageError(`unknown command: ${args.positionals.join(' ')}`, known.length ? `usage:\n${known.join('\n')}\n` : helpText());
    }
    const help = commandHelp(command);
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
    if (err instanceof CommandFailed) {
      for (const line of err.lines) io.stderr.write(`tally: ${line}\n`);
      return EXIT.API;
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
