import { DuplicateKeyError } from '../port';

const DUPLICATE_KEY = 11000;

function indexName(err: { message?: string; keyPattern?: Record<string, unknown> }): string {
  const match = /index: (\S+) dup key/.exec(err.message ?? '');
  if (match) return match[1];
  if (err.keyPattern) return Object.keys(err.keyPattern).map((k) => `${k}_1`).join('_');
  return 'unknown';
}

/** MongoDB's duplicate key error (code 11000) becomes the port's DuplicateKeyError; others pass. */
export function mapMongoError(err: unknown, collection: string): unknown {
  const e = err as { code?: unknown; message?: string; keyPattern?: Record<string, unknown> } | null;
  if (e && e.code === DUPLICATE_KEY) {
    const mapped = new DuplicateKeyError(collection, indexName(e));
    (mapped as Error).cause = err;
    return mapped;
  }
  return err;
}
