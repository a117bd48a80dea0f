import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths that may hold credentials anywhere in a log object. Values at these paths are
 * replaced before the line is written.
 */
export const REDACTED_PATHS = [
  'secret_data',
  'secretData',
  '*.secret_data',
  '*.secretData',
  'private_key',
  '*.private_key',
  'credentials',
  '*.credentials',
  'authorization',
  '*.authorization',
  'key',
  '*.key',
  'token',
  '*.token',
  'password',
  '*.password',
  'data_key',
  '*.data_key',
];

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Where lines go; stdout when absent (tests pass a capturing stream). */
  destination?: DestinationStream;
}

export function createLogger({ name, level = 'info', destination }: LoggerOptions): Logger {
  return pino(
    {
      name,
      level,
      base: { service: name },
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger whose lines are kept in memory, for tests that read what was logged. */
export function createMemoryLogger(name = 'test', level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = { write: (s: string) => void lines.push(s) } as DestinationStream;
  return { logger: createLogger({ name, level, destination }), lines };
}
