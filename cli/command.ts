import type { Flags } from './args';
import type { GatewayClient, Json } from './gateway-client';
import type { Io } from './io';

/** What a command gets: its flags and positionals, the gateway, and where to write. */
export interface Ctx {
  flags: Flags;
  client: GatewayClient;
  io: Io;
  /** Prints a line (human output). */
  say(line: string): void;
  /** Prints the raw JSON answer when --json was given; true if it did. */
  printJson(value: Json): boolean;
}

export interface Command {
  /** The words that name it: ['project', 'create']. */
  words: string[];
  /** One line: the synopsis shown in the help (the words, then positionals and flags; no prose). */
  usage: string;
  /** What it does, in a few words, when the synopsis does not say it all. */
  summary?: string;
  /** Flags it takes (besides --json, --endpoint, --key). */
  flags: string[];
  /** How many positionals it takes. */
  positionals: number;
  run(ctx: Ctx): Promise<void>;
}
