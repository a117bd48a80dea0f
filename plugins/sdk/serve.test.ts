import { credentials, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { DomainError, invalidArgument, unauthenticated } from '../../lib/errors/domain-error';
import { healthClientConstructor } from '../../lib/grpc/health';
import { servePluginForTest, type ServedPlugin } from '../testing/served-plugin';
import { CostRow } from '../../gen/tally/plugin/billing/v1/plugin';
import { STREAM_WINDOW_BYTES } from './client';
import { MAX_REPORT_NOTE_CHARS, MAX_REPORT_NOTES, type CostDataPage, type CostRowInput, type PluginImpl } from '.';

const TASK = { taskId: 't1', startDate: '2024-01-01', endDate: '2024-01-31' };

const row = (n: number, extra: Partial<CostRowInput> = {}): CostRowInput => ({
  billedDate: '2024-01-01',
  externalAccountId: 'acct',
  provider: 'demo',
  product: `p${n}`,
  usageQuantity: '1',
  cost: `${n}.5`,
  currency: 'USD',
  ...extra,
});

/** A plugin whose parts a test replaces. */
function plugin(parts: Partial<PluginImpl>): PluginImpl {
  return {
    init: () => ({ name: 't', providers: ['demo'], currency: 'USD', pageSize: 1000 }),
    verify: () => undefined,
    getTasks: () => ({ tasks: [TASK], windows: [] }),
    getCostData: () => [],
    ...parts,
  };
}

async function collect(pages: AsyncIterable<CostDataPage>): Promise<CostDataPage[]> {
  const out: CostDataPage[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

async function failure(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('expected the call to fail');
}

const until = async (cond: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  return cond();
};

let served: ServedPlugin | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

describe('serve: pages', () => {
  it('chunks rows, given one by one or in arrays of any size, into numbered pages of page_size', async () => {
    served = await servePluginForTest(
      plugin({
        init: () => ({ name: 't', providers: ['demo'], currency: 'USD', pageSize: 1000 }),
        *getCostData() {
          for (let i = 0; i < 1500; i++) yield row(i);
          yield Array.from({ length: 845 }, (_, i) => row(1500 + i));
        },
      }),
    );
    const pages = await collect(served.client.getCostData({ task: TASK }));
    expect(pages.map((p) => [p.page, p.rows.length])).toEqual([[1, 1000], [2, 1000], [3, 345]]);
    const rows = pages.flatMap((p) => p.rows);
    expect(rows.map((r) => r.product)).toEqual(Array.from({ length: 2345 }, (_, i) => `p${i}`));
    expect(rows[0]).toMatchObject({ cost: '0.5', region: '', resourceId: '', tags: {}, additionalInfo: {} });
  });

  it('never sends a page over the message limit, whatever page_size says', async () => {
    const fat = 'x'.repeat(2000);
    served = await servePluginForTest(
      plugin({
        init: () => ({ name: 't', providers: ['demo'], currency: 'USD', pageSize: 10_000 }),
        getCostData: () => [Array.from({ length: 300 }, (_, i) => row(i, { tags: { note: fat } }))],
      }),
      { maxMessageBytes: 64 * 1024 },
    );
    const pages = await collect(served.client.getCostData({ task: TASK }));
    expect(pages.length).toBeGreaterThan(5);
    expect(pages.reduce((n, p) => n + p.rows.length, 0)).toBe(300);
    for (const p of pages) expect(p.rows.length).toBeLessThanOrEqual(31);
  });

  it('sends no page for a task without rows', async () => {
    served = await servePluginForTest(plugin({ getCostData: () => [] }));
    expect(await collect(served.client.getCostData({ task: TASK }))).toEqual([]);
  });

  it("sends the task's report after the last row, held to its bounds and censored of secret_data", async () => {
    const secret = 'sk-live-CANARY-0451';
    served = await servePluginForTest(
      plugin({
        init: () => ({ name: 't', providers: ['demo'], currency: 'USD', pageSize: 2 }),
        *getCostData(_req, ctx) {
          ctx.report({ skippedRecords: 1, notes: ['superseded'] });
          yield [row(1), row(2), row(3)];
          ctx.report({
            skippedRecords: 4,
            notes: [`line 7: bad decimal near ${secret}`, 'y'.repeat(MAX_REPORT_NOTE_CHARS + 50), ...Array.from({ length: 30 }, (_, i) => `n${i}`)],
          });
        },
      }),
    );
    const pages = await collect(served.client.getCostData({ task: TASK, secretData: { api_key: secret } }));
    expect(pages.map((p) => [p.page, p.rows.length, p.report !== undefined])).toEqual([[1, 2, false], [2, 1, false], [3, 0, true]]);
    const report = pages[2].report!;
    expect(report.skippedRecords).toBe('4');
    expect(report.notes).toHaveLength(MAX_REPORT_NOTES);
    expect(report.notes[0]).not.toContain(secret);
    expect(report.notes[0]).toMatch(/^line 7: bad decimal near /);
    expect(report.notes[1]).toHaveLength(MAX_REPORT_NOTE_CHARS);
    expect(report.notes[1].endsWith('…')).toBe(true);
  });

  it('sends no report page when the plugin reports nothing worth saying, or fails', async () => {
    served = await servePluginForTest(
      plugin({
        *getCostData(_req, ctx) {
          ctx.report({ skippedRecords: 0, notes: [] });
          yield row(1);
        },
      }),
    );
    expect((await collect(served.client.getCostData({ task: TASK }))).map((p) => p.report)).toEqual([undefined]);
    await served.stop();
    served = await servePluginForTest(
      plugin({
        *getCostData(_req, ctx) {
          yield row(1);
          ctx.report({ skippedRecords: 2 });
          throw invalidArgument('TEST.BAD', 'file', 'the export is unreadable');
        },
      }),
    );
    const seen: CostDataPage[] = [];
    const err = await failure(
      (async () => {
        for await (const p of served!.client.getCostData({ task: TASK })) seen.push(p);
      })(),
    );
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(seen.some((p) => p.report)).toBe(false);
  });

  it('refuses a report whose count is not a whole number, as an internal error of the plugin', async () => {
    served = await servePluginForTest(
      plugin({
        *getCostData(_req, ctx) {
          ctx.report({ skippedRecords: 1.5 });
          yield row(1);
        },
      }),
    );
    expect((await failure(collect(served.client.getCostData({ task: TASK })))).code).toBe(status.INTERNAL);
  });

  it('fills page_size and the schemas in Init, and keeps page_size within 10000', async () => {
    served = await servePluginForTest(plugin({ init: () => ({ name: 't', providers: ['demo'], currency: 'USD' }) }), { defaultPageSize: 250 });
    const { metadata } = await served.client.init({});
    expect(metadata).toMatchObject({ pageSize: 250, credentialSchema: { type: 'object' }, optionsSchema: { type: 'object' } });
    await served.stop();
    served = await servePluginForTest(plugin({ init: () => ({ name: 't', providers: ['demo'], currency: 'USD', pageSize: 50_000 }) }));
    expect((await served.client.init({})).metadata?.pageSize).toBe(10_000);
    expect(served.lines.join('')).toMatch(/page_size must be 1\.\.10000/);
  });
});

describe('serve: cancellation and deadlines', () => {
  it('stops pulling the plugin\'s rows when the client cancels, and closes its iterator', async () => {
    let pulled = 0;
    let closed = false;
    let signal: AbortSignal | undefined;
    served = await servePluginForTest(
      plugin({
        init: () => ({ name: 't', providers: ['demo'], currency: 'USD', pageSize: 100 }),
        async *getCostData(_req, ctx) {
          signal = ctx.signal;
          try {
            for (;;) {
              pulled++;
              yield row(pulled);
            }
          } finally {
            closed = true;
          }
        },
      }),
    );
    for await (const page of served.client.getCostData({ task: TASK })) {
      expect(page.page).toBe(1);
      break;
    }
    expect(await until(() => closed, 2000)).toBe(true);
    expect(signal?.aborted).toBe(true);
    const after = pulled;
    await new Promise((r) => setTimeout(r, 100));
    expect(pulled).toBe(after);
    // Backpressure kept the plugin close to what the client read, not racing ahead.
    expect(after).toBeLessThan(100 * 200);
  });

  it('holds a plugin back while the client reads slowly: it runs ahead by about the flow-control window, then waits', async () => {
    let pulled = 0;
    served = await servePluginForTest(
      plugin({
        init: () => ({ name: 't', providers: ['demo'], currency: 'USD', pageSize: 1000 }),
        async *getCostData() {
          for (;;) yield row(++pulled, { resourceId: 'r'.repeat(100) });
        },
      }),
    );
    const rowBytes = CostRow.encode(CostRow.fromPartial({ ...row(1_000_000), resourceId: 'r'.repeat(100) })).finish().length + 3;
    const pages = served.client.getCostData({ task: TASK })[Symbol.asyncIterator]();
    await pages.next();
    // Reading stops: the plugin fills the window and the buffers on both sides, then waits
    // (settled: no new row in two checks 300 ms apart; a plugin never held back would still be
    // pulling at 10 s).
    let ahead = -1;
    let quiet = 0;
    for (const end = Date.now() + 10_000; quiet < 2 && Date.now() < end; ) {
      quiet = pulled === ahead ? quiet + 1 : 0;
      ahead = pulled;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(pulled).toBe(ahead);
    // It ran ahead by the window (with HTTP/2's default of 64 KiB, the buffers alone held about
    // 5 MB here) ...
    expect(ahead * rowBytes).toBeGreaterThan(0.75 * STREAM_WINDOW_BYTES);
    // ... and by no more than the window and the pages buffered around it: the client's queue
    // (4), grpc-js's, and the server's write buffer.
    expect(ahead * rowBytes).toBeLessThan(STREAM_WINDOW_BYTES + 40 * 1000 * rowBytes);
    await pages.return?.();
  });

  it('ends a stream stuck in the plugin as soon as the client cancels', async () => {
    served = await servePluginForTest(
      plugin({
        init: () => ({ name: 't', providers: ['demo'], currency: 'USD', pageSize: 1 }),
        async *getCostData() {
          yield [row(1)];
          // Stuck on a backend that never answers (and ignores the signal).
          await new Promise(() => undefined);
        },
      }),
    );
    const abort = new AbortController();
    const it = served.client.getCostData({ task: TASK }, { signal: abort.signal })[Symbol.asyncIterator]();
    expect((await it.next()).value?.rows).toHaveLength(1);
    abort.abort();
    expect((await failure(it.next())).code).toBe(status.CANCELLED);
    // The server ended its side too, without waiting for the stuck plugin.
    expect(await until(() => served!.lines.some((l) => l.includes('stream ended early')), 1000)).toBe(true);
    expect(await served.client.init({}, { deadlineMs: 1000 })).toBeDefined();
  });

  it('honours the deadline: the plugin\'s signal aborts and the call ends DEADLINE_EXCEEDED', async () => {
    let signal: AbortSignal | undefined;
    served = await servePluginForTest(
      plugin({
        async *getCostData(_req, ctx) {
          signal = ctx.signal;
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
          yield row(1);
        },
      }),
    );
    const started = Date.now();
    const err = await failure(collect(served.client.getCostData({ task: TASK }, { deadlineMs: 300 })));
    expect(err.code).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await until(() => signal?.aborted === true, 1000)).toBe(true);
  });
});

describe('serve: errors', () => {
  it('maps a DomainError to its status, reason and field', async () => {
    served = await servePluginForTest(
      plugin({
        verify: () => {
          throw unauthenticated('the backend rejected the key');
        },
        getTasks: () => {
          throw invalidArgument('DEMO.BAD_OPTION', 'options.region', 'options.region is unknown');
        },
      }),
    );
    const v = await failure(served.client.verify({}));
    expect(v.code).toBe(status.UNAUTHENTICATED);
    expect(v.details).toBe('the backend rejected the key');
    const t = await failure(served.client.getTasks({ startDate: '2024-01-01', endDate: '2024-01-02' }));
    expect(t.code).toBe(status.INVALID_ARGUMENT);
    expect(t.metadata.get('tally-error-reason')).toEqual(['DEMO.BAD_OPTION']);
    expect(t.metadata.get('tally-error-field')).toEqual(['options.region']);
  });

  it('turns anything else into INTERNAL without leaking the message, in unary calls and mid-stream', async () => {
    served = await servePluginForTest(
      plugin({
        init: () => ({ name: 't', providers: ['demo'], currency: 'USD', pageSize: 2 }),
        verify: () => {
          throw new TypeError('db password hunter2 at 10.0.0.7');
        },
        *getCostData() {
          yield [row(1), row(2), row(3)];
          throw new Error('socket hang up at 10.0.0.7');
        },
      }),
    );
    const v = await failure(served.client.verify({}));
    expect(v.code).toBe(status.INTERNAL);
    expect(v.details).toMatch(/^internal error \(request [\w-]+\)$/);
    const pages: CostDataPage[] = [];
    const s = await failure(
      (async () => {
        for await (const p of served!.client.getCostData({ task: TASK })) pages.push(p);
      })(),
    );
    expect(pages.map((p) => p.rows.length)).toEqual([2]);
    expect(s.code).toBe(status.INTERNAL);
    expect(s.details).not.toMatch(/10\.0\.0\.7/);
  });

  it('a DomainError thrown mid-stream keeps its status', async () => {
    served = await servePluginForTest(
      plugin({
        async *getCostData() {
          yield row(1);
          throw new DomainError('UNAVAILABLE', 'BACKEND.DOWN', 'the backend is down');
        },
      }),
    );
    const err = await failure(collect(served.client.getCostData({ task: TASK })));
    expect(err.code).toBe(status.UNAVAILABLE);
    expect(err.details).toBe('the backend is down');
  });

  it('checks dates before the plugin sees them', async () => {
    const seen: string[] = [];
    served = await servePluginForTest(
      plugin({
        getTasks: (req) => {
          seen.push(req.startDate);
          return { tasks: [], windows: [] };
        },
      }),
    );
    for (const [startDate, endDate, field] of [
      ['2024-02-30', '2024-03-01', 'start_date'],
      ['2024-03-01', '24-03-02', 'end_date'],
      ['2024-03-02', '2024-03-01', 'end_date'],
    ]) {
      const err = await failure(served.client.getTasks({ startDate, endDate }));
      expect(err.code).toBe(status.INVALID_ARGUMENT);
      expect(err.metadata.get('tally-error-field')).toEqual([field]);
    }
    expect((await failure(collect(served.client.getCostData({})))).code).toBe(status.INVALID_ARGUMENT);
    const bad = await failure(collect(served.client.getCostData({ task: { ...TASK, endDate: '2023-12-31' } })));
    expect(bad.metadata.get('tally-error-field')).toEqual(['task.end_date']);
    expect(seen).toEqual([]);
  });
});

describe('serve: secrets and health', () => {
  it('never writes secret_data to the log, whatever the plugin does with it', async () => {
    const canary = 'CANARY-7f3a9c-secret-value';
    const pem = `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC${canary}\n-----END PRIVATE KEY-----\n`;
    const secretData = { api_key: canary, private_key: pem, nested: { token: canary } };
    served = await servePluginForTest(
      plugin({
        verify: (req, ctx) => {
          ctx.logger.info(req, 'verifying');
          ctx.logger.info({ req }, 'verifying, nested');
          ctx.logger.debug({ secret_data: req.secretData }, 'raw');
          throw new Error(`backend refused key ${String(req.secretData?.api_key)}`);
        },
        getTasks: (req) => {
          throw unauthenticated(`key ${String(req.secretData?.api_key)} was rejected`);
        },
        *getCostData(req) {
          yield row(1);
          throw Object.assign(new Error(`boom ${String(req.secretData?.nested?.token)}`), { config: { body: req.secretData } });
        },
      }),
    );
    const v = await failure(served.client.verify({ secretData }));
    expect(v.code).toBe(status.INTERNAL);
    const t = await failure(served.client.getTasks({ secretData, startDate: '2024-01-01', endDate: '2024-01-01' }));
    expect(t.code).toBe(status.UNAUTHENTICATED);
    expect(t.details).toBe('key [REDACTED] was rejected');
    const s = await failure(collect(served.client.getCostData({ secretData, task: TASK })));
    expect(s.code).toBe(status.INTERNAL);
    const log = served.lines.join('');
    expect(log).toMatch(/backend refused key \[REDACTED\]/);
    expect(log).toMatch(/boom \[REDACTED\]/);
    expect(log).not.toContain(canary);
    expect(log).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC');
  });

  it('answers gRPC health SERVING for the plugin service', async () => {
    served = await servePluginForTest(plugin({}));
    const Health = healthClientConstructor();
    const client = new Health(served.target, credentials.createInsecure()) as unknown as Client & {
      Check(req: { service: string }, cb: (err: ServiceError | null, res?: { status: string }) => void): void;
    };
    try {
      const res = await new Promise<{ status: string } | undefined>((resolve, reject) =>
        client.Check({ service: 'tally.plugin.billing.v1.DataSourcePluginService' }, (err, r) => (err ? reject(err) : resolve(r))),
      );
      expect(res?.status).toBe('SERVING');
    } finally {
      client.close();
    }
  });
});
