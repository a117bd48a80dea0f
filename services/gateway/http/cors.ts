import type { IncomingMessage, ServerResponse } from 'node:http';

export const CORS_ALLOWED_HEADERS = 'authorization, content-type, x-request-id';

/**
 * CORS for the listed origins only (`*` allows any); with no origins it is off and no
 * Access-Control-* header is ever sent. Returns whether the request's origin is allowed.
 */
export function applyCors(origins: string[], req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (!origin || origins.length === 0) return false;
  if (!origins.includes('*') && !origins.includes(origin)) return false;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-expose-headers', 'x-request-id');
  if (req.method === 'OPTIONS') {
    res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
    res.setHeader('access-control-allow-headers', CORS_ALLOWED_HEADERS);
    res.setHeader('access-control-max-age', '600');
  }
  return true;
}
