import type { IncomingMessage } from 'node:http';
import { DomainError } from '../../../lib/errors/domain-error';

/** Answered 413 (code RESOURCE_EXHAUSTED): the body is bigger than TALLY_GATEWAY_MAX_BODY_BYTES. */
export class BodyTooLarge extends DomainError {
  constructor(max: number) {
    super('RESOURCE_EXHAUSTED', 'GATEWAY.BODY_TOO_LARGE', `the request body is larger than ${max} bytes`);
  }
}

/** Reads the whole body, refusing more than max bytes (by Content-Length at once, else as it streams). */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.reject(new BodyTooLarge(max));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge(max));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
