import { status, type ServiceError } from '@grpc/grpc-js';
import { DomainError, type ErrorKind } from '../../../../lib/errors/domain-error';
import { redactSecrets } from '../../../../lib/secrets/redact';
import { stripGrpcNoise, unreachablePluginMessage } from './unreachable';

/** The plugin method a failure came from, in the protocol's words. */
export type PluginMethod = 'Init' | 'Verify' | 'GetTasks' | 'GetCostData';

export interface PluginErrorContext {
  endpoint: string;
  method: PluginMethod;
  /** Values that must not appear in the message (the call's credentials). */
  secrets?: readonly string[];
  /** The deadline the call had, for DEADLINE_EXCEEDED messages. */
  deadlineMs?: number;
}

/** Longest plugin-supplied text kept in a message. */
const MAX_DETAIL_CHARS = 400;

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'number' && 'details' in err;
}

/** "300 ms", "30 s", "5 min". */
export const duration = (ms: number) => (ms < 1_000 ? `${ms} ms` : ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

const clip = (text: string) => (text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}…` : text);

/**
 * Turns a plugin call's gRPC failure into a DomainError a user can act on, with a stable reason
 * (PLUGIN.<STATUS>) that job records keep as error_code. Credentials the plugin may have echoed
 * are censored. Anything that is not a gRPC error is returned unchanged.
 */
export function pluginError(err: unknown, ctx: PluginErrorContext): unknown {
  if (!isServiceError(err)) return err;
  const secrets = ctx.secrets ?? [];
  const details = clip(redactSecrets(stripGrpcNoise((err.details ?? '').trim()), secrets));
  const said = details ? ` (the plugin said: ${details})` : '';
  const where = `the plugin at ${ctx.endpoint}`;
  const make = (kind: ErrorKind, reason: string, message: string) => new DomainError(kind, `PLUGIN.${reason}`, message);
  switch (err.code) {
    case status.UNAUTHENTICATED:
      return make('FAILED_PRECONDITION', 'UNAUTHENTICATED', `the provider rejected the account's credentials; update them${said}`);
    case status.PERMISSION_DENIED:
      return make(
        'FAILED_PRECONDITION',
        'PERMISSION_DENIED',
        `the provider refused access to the account's cost data; give the credentials permission to read billing data${said}`,
      );
    case status.INVALID_ARGUMENT:
      return make('INVALID_ARGUMENT', 'INVALID_ARGUMENT', details || `${where} rejected the ${ctx.method} request as invalid`);
    case status.FAILED_PRECONDITION:
      return make('FAILED_PRECONDITION', 'FAILED_PRECONDITION', details || `${where} refused ${ctx.method}: a precondition failed`);
    case status.NOT_FOUND:
      return make('FAILED_PRECONDITION', 'NOT_FOUND', details || `${where} could not find what ${ctx.method} asked for`);
    case status.UNAVAILABLE: {
      const unreachable = unreachablePluginMessage(err.details ?? '', ctx.endpoint);
      if (unreachable) return make('UNAVAILABLE', 'UNAVAILABLE', clip(redactSecrets(unreachable, secrets)));
      return make(
        'UNAVAILABLE',
        'UNAVAILABLE',
        `the cost backend could not be reached through ${where}; check that the plugin is running and the backend is up, the next sync will try again${said}`,
      );
    }
    case status.DEADLINE_EXCEEDED: {
      const limit = ctx.deadlineMs ? ` within ${duration(ctx.deadlineMs)}` : ' in time';
      return make('DEADLINE_EXCEEDED', 'DEADLINE_EXCEEDED', `${where} did not answer ${ctx.method}${limit}; the backend may be slow, the next sync will try again`);
    }
    case status.RESOURCE_EXHAUSTED:
      return make('RESOURCE_EXHAUSTED', 'RESOURCE_EXHAUSTED', `the cost backend's limits were reached; the next sync will try again${said}`);
    case status.CANCELLED:
      return make('CANCELLED', 'CANCELLED', `the ${ctx.method} call to ${where} was cancelled`);
    case status.UNIMPLEMENTED:
      return make(
        'FAILED_PRECONDITION',
        'UNIMPLEMENTED',
        `${where} does not implement ${ctx.method}; check that the data source's endpoint is a Tally billing plugin`,
      );
    default:
      return make('INTERNAL', 'INTERNAL', `${where} failed during ${ctx.method} with an internal error${said}`);
  }
}
