import type { Client } from '@grpc/grpc-js';
import { CLIENT_OPTIONS, insecure, unary } from '../../lib/grpc/client';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (req: any) => Promise<any>;
export type Api = Record<string, AnyFn>;

type ClientCtor = (new (address: string, creds: ReturnType<typeof insecure>, options?: object) => Client) & { serviceName: string };
type MessageType = { fromPartial(o: unknown): unknown };

/**
 * A promise-returning view of a generated client, every call carrying the given credential.
 * Requests may be partial: each is completed with its message type's fromPartial (request
 * types are named `<Service><Method>Request`, as buf lint STANDARD requires).
 */
export function api(module: Record<string, unknown>, Ctor: ClientCtor, address: string, credential?: string): Api & { close(): void } {
  const client = new Ctor(address, insecure(), CLIENT_OPTIONS);
  const service = Ctor.serviceName.split('.').pop()!;
  return new Proxy({} as Api & { close(): void }, {
    get(_t, name: string) {
      if (name === 'close') return () => client.close();
      const method = (client as unknown as Record<string, unknown>)[name];
      const type = module[`${service}${name[0].toUpperCase()}${name.slice(1)}Request`] as MessageType | undefined;
      if (typeof method !== 'function' || !type) throw new Error(`no method ${service}.${name}`);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return (req: unknown) => unary(client, method as any, type.fromPartial(req ?? {}), { credential });
    },
  });
}

/** Resolves to the gRPC status the promise failed with (fails the test if it succeeded). */
export async function codeOf(p: Promise<unknown>): Promise<{ code: number; details: string; field?: string; reason?: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: number; details: string; metadata?: { get(k: string): unknown[] } };
    return {
      code: err.code,
      details: err.details,
      field: err.metadata?.get('tally-error-field')[0] as string | undefined,
      reason: err.metadata?.get('tally-error-reason')[0] as string | undefined,
    };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
