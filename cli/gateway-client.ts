/** The gateway's JSON error body (DESIGN section 8). */
export interface ApiErrorBody {
  code: string;
  message: string;
  details?: { reason?: string; field?: string; request_id?: string };
}

/** The gateway answered with an error. */
export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
}

/** The gateway could not be reached at all. */
export class ConnectionError extends Error {
  constructor(
    readonly endpoint: string,
    override readonly cause: unknown,
  ) {
    super(`cannot reach the gateway at ${endpoint}`);
  }
}

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface GatewayClient {
  readonly endpoint: string;
  /** POST /<service>/<resource>/<verb> with a JSON body; the parsed JSON answer. */
  call(path: string, body?: Json): Promise<Json>;
}

/** A client of the gateway's HTTP/JSON API, every call carrying the API key. */
export function gatewayClient(endpoint: string, key: string | undefined, fetchImpl: typeof fetch = fetch): GatewayClient {
  const base = endpoint.replace(/\/+$/, '');
  return {
    endpoint: base,
    async call(path, body = {}) {
      let res: Response;
      try {
        res = await fetchImpl(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
          body: JSON.stringify(body),
        });
      } catch (e) {
        throw new ConnectionError(base, e);
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : {};
      } catch {
        json = undefined;
      }
      if (!res.ok) {
        const b = json as ApiErrorBody | undefined;
        throw new ApiError(res.status, b && typeof b.code === 'string' ? b : { code: `HTTP_${res.status}`, message: text.slice(0, 200) || res.statusText });
      }
      if (json === undefined || typeof json !== 'object') throw new ApiError(res.status, { code: 'INTERNAL', message: `the gateway answered something that is not JSON: ${text.slice(0, 200)}` });
      return json as Json;
    },
  };
}
