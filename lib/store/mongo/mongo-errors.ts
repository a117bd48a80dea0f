import { DuplicateKeyError } from '../port';

const DUPLICATE_KEY = 11000;

function indexName(err: { message?: string; keyPattern?: Record<string, unknown> }): string {
  const match = /index: (\S+) dup key/.exec(err.message ?? '');
  if (match) return match[1];
  if (err.keyPattern) return Object.keys(err.keyPattern).map((k) => `${k}_1`).join('_');
  return 'unknown';
}

interface DriverError {
  code?: unknown;
  message?: string;
  keyPattern?: Record<string, unknown>;
  /** A bulk write's (insertMany) errors, each with its code and errmsg. */
  writeErrors?: { code?: unknown; errmsg?: string; keyPattern?: Record<string, unknown> }[];
}

/** MongoDB's duplicate key error (code 11000, also as a bulk write's error) becomes the port's DuplicateKeyError; others pass. */
export function mapMongoError(err: unknown, collection: string): unknown {
  const e = err as DriverError | null;
  const write = Array.isArray(e?.writeErrors) ? e.writeErrors[0] : undefined;
  const dup = e?.code === DUPLICATE_KEY ? e : write?.code === DUPLICATE_KEY ? { message: write.errmsg, keyPattern: write.keyPattern } : null;
  if (dup) {
    const mapped = new DuplicateKeyError(collection, indexName(dup));
    (mapped as Error).cause = err;
    return mapped;
  }
  return err;
}
