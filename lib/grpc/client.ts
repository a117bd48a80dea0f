import { credentials, Metadata, type CallOptions, type Client, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';

export const DEFAULT_DEADLINE_MS = 10_000;

type UnaryMethod<Req, Res> = (
  req: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (err: ServiceError | null, res: Res) => void,
) => ClientUnaryCall;

export interface CallSettings {
  /** Sent as `authorization: Bearer <credential>`. */
  credential?: string;
  deadlineMs?: number;
  metadata?: Metadata;
  signal?: AbortSignal;
}

/**
 * Calls a unary method of a ts-proto grpc-js client as a promise, always with a deadline (every
 * outbound call has one) and the caller's credential. Rejects with the ServiceError.
 */
export function unary<C extends Client, Req, Res>(
  client: C,
  method: UnaryMethod<Req, Res>,
  req: Req,
  settings: CallSettings = {},
): Promise<Res> {
  const md = settings.metadata?.clone() ?? new Metadata();
  if (settings.credential) md.set('authorization', `Bearer ${settings.credential}`);
  const deadline = new Date(Date.now() + (settings.deadlineMs ?? DEFAULT_DEADLINE_MS));
  return new Promise<Res>((resolve, reject) => {
    const call = method.call(client, req, md, { deadline }, (err, res) => (err ? reject(err) : resolve(res)));
    settings.signal?.addEventListener('abort', () => call.cancel(), { once: true });
  });
}

/** Client options every service uses: keepalive and message limits. */
export const CLIENT_OPTIONS = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.max_receive_message_length': 16 * 1024 * 1024,
};

export const insecure = () => credentials.createInsecure();
