import { DomainError, unauthenticated } from '../../lib/errors/domain-error';
import type { Logger } from '../../lib/log/logger';
import type { HyperBillingCredentials } from './credentials';
import { JsonSyntaxError, parseExactJson } from './exact-json';
import { signHyperBillingJwt } from './jwt';
import { safeSnippet } from './redact';
import { fullJitterDelay, parseRetryAfter, sleep, type RetryPolicy } from './retry-policy';
import { InvalidSummaryError, readSummaryPage, type SummaryPage } from './summary-page';

/** An answer larger than this is refused (a month of daily rows is a few megabytes at most). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** A paged answer longer than this many pages is refused (a server looping on its tokens). */
export const MAX_PAGES = 10_000;

export interface SummaryClientOptions {
  /** The API's base URL; the summary is at `${endpoint}/summary`. */
  endpoint: URL;
  credentials: HyperBillingCredentials;
  retry: RetryPolicy;
  logger: Logger;
  /** The call's signal: aborted at its deadline or when the caller cancels. */
  signal: AbortSignal;
  random?: () => number;
}

export interface SummaryQuery {
  months: string[];
  kinds: string[];
  platform?: string;
}

/** Why one attempt failed, and whether another attempt may help. */
interface Failure {
  retryable: boolean;
  /** What the final error becomes when this is the last failure. */
  error: DomainError;
  retryAfterMs?: number;
  status?: number;
}

const unavailable = (reason: string, message: string) => new DomainError('UNAVAILABLE', reason, message);

function summaryUrl(endpoint: URL, query: SummaryQuery, accountId: string, pageToken?: string): URL {
  const url = new URL(endpoint.href.replace(/\/+$/, '') + '/summary');
  if (query.platform) url.searchParams.set('platform', query.platform);
  url.searchParams.set('account_id', accountId);
  for (const m of query.months) url.searchParams.append('months', m);
  for (const k of query.kinds) url.searchParams.append('kinds', k);
  if (pageToken) url.searchParams.set('page_token', pageToken);
  return url;
}

/**
 * The message of an error answer (`{error: {message}}`, `{message}` or text), made safe: key
 * material and tokens are censored, the account id (not a secret) is kept.
 */
function errorMessage(text: string, accountId: string): string {
  const keep = [accountId];
  try {
    const v = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof v.error === 'object' ? v.error?.message : (v.error ?? v.message);
    if (typeof m === 'string' && m) return safeSnippet(m, 300, keep);
  } catch {
    // not JSON: the text itself
  }
  return safeSnippet(text, 200, keep) || '(no message)';
}

/**
 * Where a user fixes the API URL: the plugin takes it from the data source's options
 * (`endpoint`) or, when they name none, from its own setting (TALLY_HYPERBILLING_ENDPOINT),
 * both parts of the data source's plugin configuration rather than anything on the account.
 */
const ENDPOINT_HINT = "the data source's plugin configuration";

async function readBody(res: Response, signal: AbortSignal): Promise<string> {
  if (!res.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = res.body.getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        cancel();
        throw unavailable('HYPERBILLING.ANSWER_TOO_LARGE', `Hyper Billing's answer is larger than ${MAX_BODY_BYTES} bytes; the plugin does not read it`);
      }
      chunks.push(Buffer.from(value));
    }
  } finally {
    signal.removeEventListener('abort', cancel);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function failureOfStatus(status: number, text: string, headers: Headers, endpoint: URL, accountId: string): Failure {
  const said = errorMessage(text, accountId);
  if (status === 429) {
    return {
      retryable: true,
      status,
      retryAfterMs: parseRetryAfter(headers.get('retry-after')),
      error: new DomainError('UNAVAILABLE', 'HYPERBILLING.RATE_LIMITED', `Hyper Billing kept rate limiting the requests (429: ${said})`),
    };
  }
  if (status >= 500 || status === 408)
    return { retryable: true, status, error: unavailable('HYPERBILLING.UNAVAILABLE', `Hyper Billing answered ${status}: ${said}`) };
  if (status === 401)
    return { retryable: false, status, error: unauthenticated(`Hyper Billing rejected the credentials (401: ${said}); check client_email and private_key`) };
  if (status === 403)
    return {
      retryable: false,
      status,
      error: new DomainError('UNAUTHENTICATED', 'HYPERBILLING.ACCESS_DENIED', `Hyper Billing refused access to the account (403: ${said}); check account_id and client_email`),
    };
  if (status === 404)
    return {
      retryable: false,
      status,
      error: new DomainError(
        'UNAUTHENTICATED',
        'HYPERBILLING.ACCOUNT_NOT_FOUND',
        `Hyper Billing does not know account ${accountId} (404: ${said}); check the account ID in the service account's credentials, and that ${ENDPOINT_HINT} points at the Hyper Billing API's base URL (it points at ${endpoint.href})`,
      ),
    };
  if (status === 400 || status === 422)
    return { retryable: false, status, error: new DomainError('INVALID_ARGUMENT', 'HYPERBILLING.BAD_REQUEST', `Hyper Billing refused the request (${status}: ${said})`) };
  if (status >= 300 && status < 400)
    return {
      retryable: false,
      status,
      error: unavailable(
        'HYPERBILLING.REDIRECTED',
        `Hyper Billing answered ${status} (a redirect) at ${endpoint.href}; point ${ENDPOINT_HINT} at the API's final URL`,
      ),
    };
  return { retryable: false, status, error: unavailable('HYPERBILLING.UNEXPECTED_STATUS', `Hyper Billing answered ${status}: ${said}`) };
}

/**
 * One page of the summary, retried on 429 (waiting Retry-After), 5xx, network errors, timeouts
 * and malformed bodies, with full-jitter exponential backoff in between. Every wait and request
 * ends when the call's signal aborts, so no retry runs past the call's deadline.
 */
export async function fetchSummaryPage(opts: SummaryClientOptions, query: SummaryQuery, pageToken?: string): Promise<SummaryPage> {
  const { credentials, retry, logger, signal } = opts;
  const url = summaryUrl(opts.endpoint, query, credentials.accountId, pageToken);
  const audience = opts.endpoint.host;
  let last: Failure | undefined;
  const deadlineError = () =>
    unavailable(
      'HYPERBILLING.UNAVAILABLE',
      `Hyper Billing did not answer before the call's deadline${last ? `; last error: ${last.error.message}` : ''}`,
    );

  for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
    if (signal.aborted) throw deadlineError();
    const timeout = AbortSignal.timeout(retry.requestTimeoutMs);
    const attemptSignal = AbortSignal.any([signal, timeout]);
    let failure: Failure;
    try {
      const res = await fetch(url, {
        headers: { authorization: `Bearer ${signHyperBillingJwt(credentials.clientEmail, audience, credentials.privateKey)}`, accept: 'application/json' },
        redirect: 'manual',
        signal: attemptSignal,
      });
      const text = await readBody(res, attemptSignal);
      if (res.status === 200) {
        try {
          return readSummaryPage(parseExactJson(text));
        } catch (err) {
          if (err instanceof JsonSyntaxError)
            failure = {
              retryable: true,
              status: 200,
              error: unavailable('HYPERBILLING.MALFORMED_RESPONSE', `Hyper Billing's answer is not valid JSON (${err.message}, ${text.length} characters)`),
            };
          else if (err instanceof InvalidSummaryError)
            failure = {
              retryable: true,
              status: 200,
              error: new DomainError('INTERNAL', 'HYPERBILLING.INVALID_DATA', `Hyper Billing's answer has data the plugin cannot read: ${safeSnippet(err.message)}`),
            };
          else throw err;
        }
      } else failure = failureOfStatus(res.status, text, res.headers, opts.endpoint, credentials.accountId);
    } catch (err) {
      if (signal.aborted) throw deadlineError();
      if (err instanceof DomainError) throw err;
      const why = timeout.aborted
        ? `no answer within ${retry.requestTimeoutMs} ms`
        : safeSnippet(`${(err as Error).message}${(err as Error).cause ? ` (${String(((err as Error).cause as Error).message ?? (err as Error).cause)})` : ''}`);
      failure = { retryable: true, error: unavailable('HYPERBILLING.UNREACHABLE', `Hyper Billing could not be reached at ${opts.endpoint.origin}: ${why}`) };
    }

    last = failure;
    if (!failure.retryable) throw failure.error;
    if (attempt === retry.maxAttempts) break;
    const backoff = fullJitterDelay(attempt, retry, opts.random);
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > retry.maxRetryAfterMs) {
      throw new DomainError(
        'UNAVAILABLE',
        'HYPERBILLING.RATE_LIMITED',
        `Hyper Billing asks to retry after ${Math.ceil(failure.retryAfterMs / 1000)} s, longer than the plugin waits (${Math.round(retry.maxRetryAfterMs / 1000)} s)`,
      );
    }
    const delayMs = failure.retryAfterMs ?? backoff;
    logger.warn(
      { attempt, max_attempts: retry.maxAttempts, status: failure.status, reason: failure.error.reason, delay_ms: delayMs, error: failure.error.message },
      'Hyper Billing request failed; retrying',
    );
    try {
      await sleep(delayMs, signal);
    } catch {
      throw deadlineError();
    }
  }
  const final = last!.error;
  throw new DomainError(final.kind, final.reason, `${final.message} (gave up after ${retry.maxAttempts} attempts)`);
}

/** Every page of a summary query, following next_page_token. */
export async function* fetchSummaryPages(opts: SummaryClientOptions, query: SummaryQuery): AsyncGenerator<SummaryPage> {
  let token: string | undefined;
  const seen = new Set<string>();
  for (let page = 1; page <= MAX_PAGES; page++) {
    const result = await fetchSummaryPage(opts, query, token);
    opts.logger.debug({ page, entries: result.entries.length, more: Boolean(result.nextPageToken) }, 'Hyper Billing summary page');
    yield result;
    if (!result.nextPageToken) return;
    if (seen.has(result.nextPageToken))
      throw unavailable('HYPERBILLING.PAGING_LOOP', 'Hyper Billing returned a page token it had already given; paging stopped');
    seen.add(result.nextPageToken);
    token = result.nextPageToken;
  }
  throw unavailable('HYPERBILLING.TOO_MANY_PAGES', `Hyper Billing's answer has more than ${MAX_PAGES} pages`);
}
