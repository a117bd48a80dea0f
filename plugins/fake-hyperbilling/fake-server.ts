import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccountSpec, FakeAccount } from './accounts';
import { todayUtc } from './calendar';
import { ClientRegistry, type AddedClient, type ClientSpec, type IssuedCredentials } from './clients';
import { CostModel, type DailyCost } from './cost-model';
import { FaultInjector, type ActiveFault } from './faults';
import { verifyJwt } from './jwt';
import { decodePageToken, encodePageToken, queryFingerprint } from './page-token';
import { assembleItems, summaryEntries } from './summary';
import { parseSummaryQuery } from './summary-query';

export interface FakeHyperBillingOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Same seed, same costs (default "tally"). */
  seed?: string | number;
  clients?: ClientSpec[];
  accounts?: AccountSpec[];
  /** The last day that has costs (YYYY-MM-DD, default today in UTC). */
  today?: string;
  /** Entries per page when the request gives no page_size (default 1000). */
  pageSize?: number;
  maxPageSize?: number;
  /** An audience accepted besides the Host the client addressed. */
  audience?: string;
  /** Longest token lifetime accepted (default 3600 s). */
  maxTokenLifetimeSeconds?: number;
  /** Clock skew tolerated (default 30 s). */
  leewaySeconds?: number;
}

/** One request the fake received, for tests that count retries or check parameters. */
export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  query: Record<string, string[]>;
  status: number;
  fault?: ActiveFault['kind'];
  client_email?: string;
}

export interface FakeHyperBilling {
  /** Base URL of the API, e.g. http://127.0.0.1:41234 (the summary is at `${url}/summary`). */
  readonly url: string;
  readonly port: number;
  readonly faults: FaultInjector;
  readonly requests: RecordedRequest[];
  addClient(spec: ClientSpec): AddedClient;
  addAccount(spec: AccountSpec | string): FakeAccount;
  issueCredentials(accountIds: string | string[], clientEmail?: string): IssuedCredentials;
  /** The daily records the fake bills for an account and YYYYMM month. */
  dailyCosts(accountId: string, month: string): DailyCost[];
  /** The account's final cost for a YYYYMM month, as an exact decimal string. */
  monthTotal(accountId: string, month: string): string;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const errorBody = (status: number, code: string, message: string) => ({ error: { status, code, message } });

/** Starts the fake Hyper Billing API on loopback (or `host`). */
export async function startFakeHyperBilling(options: FakeHyperBillingOptions = {}): Promise<FakeHyperBilling> {
  const seed = String(options.seed ?? 'tally');
  const registry = new ClientRegistry(`${seed.replace(/[^\w-]/g, '') || 'seed'}.hyperbilling.test`);
  const model = new CostModel(seed, () => options.today ?? todayUtc());
  const faults = new FaultInjector();
  const requests: RecordedRequest[] = [];
  const pageSizes = { default: options.pageSize ?? 1000, max: options.maxPageSize ?? 5000 };
  const closing = new AbortController();

  for (const a of options.accounts ?? []) registry.addAccount(a);
  for (const c of options.clients ?? []) registry.addClient(c);

  const accountOrThrow = (accountId: string): FakeAccount => {
    const account = registry.account(accountId);
    if (!account) throw new RangeError(`unknown account ${accountId}`);
    return account;
  };

  async function delay(ms: number, req: IncomingMessage): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (answered: boolean) => {
        clearTimeout(timer);
        req.socket.off('close', gone);
        closing.signal.removeEventListener('abort', gone);
        resolve(answered);
      };
      const gone = () => done(false);
      const timer = setTimeout(() => done(true), ms);
      req.socket.once('close', gone);
      closing.signal.addEventListener('abort', gone, { once: true });
    });
  }

  /** Answers /summary: auth, parameters, account, then the page. */
  function summary(req: IncomingMessage, url: URL, record: RecordedRequest): { status: number; body: unknown; headers?: Record<string, string> } {
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const unauthorized = (message: string) => ({
      status: 401,
      body: errorBody(401, 'UNAUTHENTICATED', message),
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });
    if (!m) return unauthorized('send Authorization: Bearer <JWT signed with your key>');
    const host = req.headers.host ?? '';
    const audiences = [host, host.replace(/:\d+$/, ''), ...(options.audience ? [options.audience] : [])].filter(Boolean);
    const verdict = verifyJwt(m[1], {
      keyFor: (email) => registry.keyFor(email),
      audiences,
      now: Math.floor(Date.now() / 1000),
      maxLifetimeSeconds: options.maxTokenLifetimeSeconds ?? 3600,
      leewaySeconds: options.leewaySeconds ?? 30,
    });
    if (!verdict.ok) return unauthorized(verdict.reason);
    record.client_email = verdict.email;

    const parsed = parseSummaryQuery(url.searchParams, pageSizes);
    if ('error' in parsed) return { status: 400, body: errorBody(400, 'INVALID_ARGUMENT', parsed.error) };
    const q = parsed.query;
    const account = registry.account(q.accountId);
    if (!account) return { status: 404, body: errorBody(404, 'NOT_FOUND', `account ${q.accountId} not found`) };
    if (!registry.owns(verdict.email, q.accountId))
      return { status: 403, body: errorBody(403, 'PERMISSION_DENIED', `client ${verdict.email} may not read account ${q.accountId}`) };
    if (q.platform && q.platform !== account.platform)
      return { status: 400, body: errorBody(400, 'INVALID_ARGUMENT', `account ${q.accountId} is on platform ${account.platform}, not ${q.platform}`) };

    const entries = summaryEntries(model, account, q.months, q.kinds);
    const fingerprint = queryFingerprint([q.accountId, q.platform ?? '', q.months.join(','), q.kinds.join(','), String(q.pageSize)]);
    let offset = 0;
    if (q.pageToken !== undefined) {
      const decoded = decodePageToken(q.pageToken, fingerprint);
      if (decoded === undefined) return { status: 400, body: errorBody(400, 'INVALID_ARGUMENT', 'page_token does not belong to this query') };
      offset = decoded;
    }
    const end = Math.min(entries.length, offset + q.pageSize);
    return {
      status: 200,
      body: {
        results: assembleItems(account, entries.slice(offset, end)),
        total_count: entries.length,
        next_page_token: end < entries.length ? encodePageToken(end, fingerprint) : null,
      },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
    if (url.pathname !== '/summary') return send(res, 404, errorBody(404, 'NOT_FOUND', `no route ${url.pathname}`));
    if (req.method !== 'GET') return send(res, 405, errorBody(405, 'METHOD_NOT_ALLOWED', 'use GET'), { allow: 'GET' });

    const query: Record<string, string[]> = {};
    for (const k of new Set(url.searchParams.keys())) query[k] = url.searchParams.getAll(k);
    const record: RecordedRequest = { at: Date.now(), method: req.method, path: url.pathname, query, status: 0 };
    requests.push(record);

    const fault = faults.take();
    record.fault = fault?.kind;
    if (fault?.kind === 'delay' && !(await delay(fault.delayMs, req))) return;
    if (fault?.kind === 'rate_limit') {
      record.status = 429;
      return send(res, 429, errorBody(429, 'RESOURCE_EXHAUSTED', 'rate limit exceeded'), { 'retry-after': String(fault.retryAfterSeconds) });
    }
    if (fault?.kind === 'server_error') {
      record.status = fault.status;
      return send(res, fault.status, errorBody(fault.status, 'UNAVAILABLE', 'the billing backend is unavailable'));
    }
    if (fault?.kind === 'malformed') {
      record.status = 200;
      const text = '{"results": [{"kind": "daily_cost", "data": [}<html>502 Bad Gateway</html>';
      res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) });
      return void res.end(text);
    }

    const answer = summary(req, url, record);
    record.status = answer.status;
    if (answer.status === 200 && (fault?.kind === 'truncated' || fault?.kind === 'disconnect')) {
      const full = Buffer.from(JSON.stringify(answer.body));
      const cut = full.subarray(0, Math.max(1, Math.floor(full.length / 2)));
      if (fault.kind === 'truncated') {
        res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': cut.length });
        return void res.end(cut);
      }
      res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': full.length });
      res.write(cut, () => res.destroy());
      return;
    }
    send(res, answer.status, answer.body, answer.headers);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, errorBody(500, 'INTERNAL', `fake server error: ${(err as Error).message}`));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const shown = wildcard ? '127.0.0.1' : address.address;
  const hostForUrl = shown.includes(':') ? `[${shown}]` : shown;

  return {
    url: `http://${hostForUrl}:${address.port}`,
    port: address.port,
    faults,
    requests,
    addClient: (spec) => registry.addClient(spec),
    addAccount: (spec) => registry.addAccount(spec),
    issueCredentials: (ids, email) => registry.issueCredentials(ids, email),
    dailyCosts: (accountId, month) => model.daily(accountOrThrow(accountId), month),
    monthTotal: (accountId, month) => model.monthTotal(accountOrThrow(accountId), month).toString(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
