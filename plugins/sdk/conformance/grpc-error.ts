import { status } from '@grpc/grpc-js';

/** The gRPC status name of an error from a call (e.g. "UNAUTHENTICATED"), or "no status". */
export function codeName(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' && status[code] !== undefined ? status[code] : 'no gRPC status';
}

export function describeError(err: unknown): string {
  const details = (err as { details?: unknown })?.details;
  const text = typeof details === 'string' ? details : err instanceof Error ? err.message : String(err);
  return `${codeName(err)}: ${text.slice(0, 200)}`;
}

export const isCode = (err: unknown, code: status) => (err as { code?: unknown })?.code === code;
