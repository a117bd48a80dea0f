import { ApiError, ConnectionError } from './gateway-client';

/** One clear line (or two) for an error the gateway answered or the network raised. */
export function describeError(err: unknown): string {
  if (err instanceof ConnectionError) {
    const inner = (err.cause as { cause?: { code?: string; message?: string } })?.cause;
    const cause = inner?.code ?? inner?.message;
    return `cannot reach the gateway at ${err.endpoint}${cause ? ` (${cause})` : ''}: is \`make run\` running? (set --endpoint or TALLY_ENDPOINT)`;
  }
  if (err instanceof ApiError) {
    const { code, message, details } = err.body;
    if (err.httpStatus === 401) return `the API key was refused (${code}): give a valid key with --key or TALLY_API_KEY`;
    if (err.httpStatus === 403) return `the API key is not allowed to do this (${code}): ${message}`;
    const named = details?.field && !message.startsWith(details.field);
    const field = named ? `${details.field} ${fieldProblem(code, details.reason)}: ` : '';
    const request = details?.request_id ? ` [request ${details.request_id}]` : '';
    return `${field}${message} (${code}${details?.reason && details.reason !== code ? `, ${details.reason}` : ''})${request}`;
  }
  return `unexpected error: ${(err as Error)?.message ?? String(err)}`;
}

function fieldProblem(code: string, reason = ''): string {
  if (/REQUIRED$/.test(reason)) return 'is required';
  if (code === 'NOT_FOUND') return 'was not found';
  if (code === 'ALREADY_EXISTS') return 'is already taken';
  return 'is invalid';
}

/**
 * A command that did part of its work and failed the rest: it printed what it did; the CLI prints
 * each of these lines as an error and exits 1.
 */
export class CommandFailed extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('; '));
  }
}

/** Errors that would be the same for every call (no gateway, a refused key): not worth repeating per item. */
export const isGlobalFailure = (err: unknown): boolean => err instanceof ConnectionError || (err instanceof ApiError && err.httpStatus === 401);
