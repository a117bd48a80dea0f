/** A usage mistake: the CLI prints the message and a short help, and exits 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly help?: string,
  ) {
    super(message);
  }
}

/** Flags that take no value. */
const BOOLEAN_FLAGS = new Set(['json', 'help']);

export interface ParsedArgs {
  positionals: string[];
  /** Every value given for each flag, in order (`--data a=1 --data b=2`). */
  flags: Map<string, string[]>;
  json: boolean;
  help: boolean;
}

/** `--name value`, `--name=value`, boolean `--json` / `--help` / `-h`, `--` ends the flags. */
export function parseArgs(argv: string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  const add = (name: string, value: string) => flags.set(name, [...(flags.get(name) ?? []), value]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h') {
      add('help', 'true');
    } else if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) add(name, a.slice(eq + 1));
      else if (BOOLEAN_FLAGS.has(name)) add(name, 'true');
      else if (i + 1 < argv.length && (!argv[i + 1].startsWith('--') || argv[i + 1] === '-')) add(name, argv[++i]);
      else throw new UsageError(`--${name} needs a value`);
    } else {
      positionals.push(a);
    }
  }
  return { positionals, flags, json: flags.has('json'), help: flags.has('help') };
}

/** Reads the flags of one command, refusing any it does not know. */
export class Flags {
  constructor(
    private readonly args: ParsedArgs,
    private readonly help: string,
    known: string[],
  ) {
    const allowed = new Set([...known, 'json', 'help', 'endpoint', 'key']);
    for (const name of args.flags.keys()) {
      if (!allowed.has(name)) throw new UsageError(`unknown option --${name}`, help);
    }
  }

  get(name: string): string | undefined {
    const values = this.args.flags.get(name);
    return values?.[values.length - 1];
  }

  all(name: string): string[] {
    return this.args.flags.get(name) ?? [];
  }

  required(name: string): string {
    const v = this.get(name);
    if (v === undefined || v === '') throw new UsageError(`--${name} is required`, this.help);
    return v;
  }

  /** The nth positional after the command words (required). */
  positional(index: number, what: string): string {
    const v = this.args.positionals[index];
    if (v === undefined || v === '') throw new UsageError(`${what} is required`, this.help);
    return v;
  }

  /** Refuses positionals beyond the count the command takes. */
  noMorePositionals(count: number): void {
    const extra = this.args.positionals.slice(count);
    if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`, this.help);
  }
}
