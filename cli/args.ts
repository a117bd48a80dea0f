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

/** Flags every command takes, besides its own. */
export const GLOBAL_FLAGS = ['endpoint', 'key', 'json', 'help'];

export interface ParsedArgs {
  positionals: string[];
  /** Every value given for each flag, in order (`--data a=1 --data b=2`). */
  flags: Map<string, string[]>;
  /** Flags given without a value (at the end of the line or before another flag), in order. */
  missingValue: string[];
  json: boolean;
  help: boolean;
}

/**
 * `--name value`, `--name=value`, boolean `--json` / `--help` / `-h`, `--` ends the flags. A flag
 * without its value is only noted here: whether it is an unknown option or a known one missing
 * its value is for the command's Flags to say, once the command is known.
 */
export function parseArgs(argv: string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  const missingValue: string[] = [];
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
      else missingValue.push(name);
    } else {
      positionals.push(a);
    }
  }
  return { positionals, flags, missingValue, json: flags.has('json'), help: flags.has('help') };
}

/** Every flag name given, with or without a value. */
export const givenFlags = (args: ParsedArgs): string[] => [...new Set([...args.flags.keys(), ...args.missingValue])];

/** The known name closest to a mistyped one (at most two edits away), for a "did you mean". */
export function closest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** `unknown option --jsn (did you mean --json?)`. */
export function unknownOption(name: string, known: Iterable<string>): string {
  const near = closest(name, known);
  return `unknown option --${name}${near ? ` (did you mean --${near}?)` : ''}`;
}

/** Reads the flags of one command, refusing any it does not know before any other check. */
export class Flags {
  constructor(
    private readonly args: ParsedArgs,
    private readonly help: string,
    known: string[],
  ) {
    const allowed = new Set([...known, ...GLOBAL_FLAGS]);
    for (const name of givenFlags(args)) {
      if (!allowed.has(name)) throw new UsageError(unknownOption(name, allowed), help);
    }
    if (args.missingValue.length) throw new UsageError(`--${args.missingValue[0]} needs a value`, help);
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

  /**
   * A whole number flag within [min, max]; the fallback when absent. Anything else (`abc`, `1.5`,
   * `0` below min, an empty value) is a usage error, never silently the default.
   */
  integer(name: string, fallback: number, min: number, max: number): number {
    const v = this.get(name);
    if (v === undefined) return fallback;
    const n = /^[+-]?\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (not ${JSON.stringify(v)})`, this.help);
    return n;
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
