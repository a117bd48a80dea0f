import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
};

/** The console's page: it fetches only its own origin's API, runs only its own scripts. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * Where the console's files are: next to this module in the source tree, and from dist/ (which
 * `make build` fills with compiled code only) back in the source tree.
 */
export function consoleRoot(): string | null {
  const candidates = [resolve(__dirname, '..', 'web'), resolve(__dirname, '..', '..', '..', '..', 'services', 'gateway', 'web'), resolve(process.cwd(), 'services', 'gateway', 'web')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/** GET or HEAD of `/` (the console's page) or of `/console/...` (its scripts and styles). */
export function isConsoleRequest(method: string | undefined, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && (path === '/' || path === '/index.html' || path.startsWith('/console/'));
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end('not found\n');
}

/** Serves the console's static files from root; nothing outside root, no directory listings. */
export function createStaticHandler(root: string | null = consoleRoot()): (req: IncomingMessage, res: ServerResponse, path: string) => void {
  return (req, res, path) => {
    if (!root) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('the web console files are not installed\n');
      return;
    }
    let relative: string;
    try {
      relative = path === '/' || path === '/index.html' ? 'index.html' : decodeURIComponent(path.slice('/console/'.length));
    } catch {
      notFound(res);
      return;
    }
    const file = normalize(join(root, relative));
    const type = TYPES[extname(file)];
    if (!file.startsWith(root + sep) || relative.includes('\0') || !type) {
      notFound(res);
      return;
    }
    readFile(file).then(
      (body) => {
        res.writeHead(200, { 'content-type': type, 'content-length': String(body.length), ...SECURITY_HEADERS });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => notFound(res),
    );
  };
}
