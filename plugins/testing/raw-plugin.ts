import { once } from 'node:events';
import { Server, ServerCredentials, status, type ServerWritableStream, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import {
  DataSourcePluginServiceService,
  type CostRow,
  type DataSourcePluginServiceGetCostDataRequest,
  type DataSourcePluginServiceGetCostDataResponse,
  type DataSourcePluginServiceGetTasksRequest,
  type DataSourcePluginServiceInitRequest,
  type DataSourcePluginServiceVerifyRequest,
} from '../../gen/tally/plugin/billing/v1/plugin';
import { demoRows, DEMO_PROVIDER } from '../demo/rows';

export interface RawPluginFaults {
  /** Rows actually put in each page (default: the declared page_size, 10). */
  rowsPerPage?: number;
  /** The first page's number (the protocol says 1). */
  firstPage?: number;
  /** A task report sent on this page (1-based) rather than after the last one, with these notes. */
  report?: { onPage: number; notes: string[] };
}

const PAGE_SIZE = 10;

/**
 * A plugin written without the SDK, as one in another language would be, with the faults the
 * SDK would not let a plugin have. By default it ignores cancellation: it never listens for
 * 'cancelled', waits for 'drain' whenever a write reports a full buffer, and lets one
 * GetCostData run at a time (one connection to its backend). After a cancel the drain never
 * comes, the stream never finishes, and every later GetCostData waits behind it forever: the
 * conformance kit must see the plugin wedge.
 */
export async function startRawPlugin(faults: RawPluginFaults = {}): Promise<{ port: number; stop(): void }> {
  const rowsPerPage = faults.rowsPerPage ?? PAGE_SIZE;
  let backend: Promise<void> = Promise.resolve();
  const server = new Server();
  server.addService(DataSourcePluginServiceService, {
    init(_call: ServerUnaryCall<DataSourcePluginServiceInitRequest, unknown>, cb: sendUnaryData<unknown>) {
      cb(null, {
        metadata: { name: 'wedging', version: '0.0.1', providers: [DEMO_PROVIDER], currency: 'USD', credentialSchema: { type: 'object' }, optionsSchema: { type: 'object' }, pageSize: PAGE_SIZE },
      });
    },
    verify(call: ServerUnaryCall<DataSourcePluginServiceVerifyRequest, unknown>, cb: sendUnaryData<unknown>) {
      if (call.request.secretData?.api_key === 'bad') cb({ code: status.UNAUTHENTICATED, details: 'rejected' });
      else cb(null, {});
    },
    getTasks(call: ServerUnaryCall<DataSourcePluginServiceGetTasksRequest, unknown>, cb: sendUnaryData<unknown>) {
      const { startDate, endDate } = call.request;
      if (!(startDate <= endDate)) return cb({ code: status.INVALID_ARGUMENT, details: 'end before start' });
      cb(null, {
        tasks: [{ taskId: 'all', startDate, endDate }],
        windows: [{ externalAccountId: 'wedge-account', startDate, endDate }],
      });
    },
    getCostData(call: ServerWritableStream<DataSourcePluginServiceGetCostDataRequest, DataSourcePluginServiceGetCostDataResponse>) {
      const task = call.request.task!;
      const run = backend.then(async () => {
        let rows: CostRow[] = [];
        let page = (faults.firstPage ?? 1) - 1;
        // Backpressure done by hand: wait for 'drain' when the buffer is full. After a cancel the
        // write fails and 'drain' never comes.
        const flush = async () => {
          page++;
          const report = faults.report?.onPage === page ? { skippedRecords: '1', notes: faults.report.notes } : undefined;
          if (!call.write({ rows, page, ...(report ? { report } : {}) })) await once(call, 'drain');
        };
        for (const row of demoRows({ seed: 1, accounts: ['wedge-account'], rowsPerDay: 400, range: { start: task.startDate, end: task.endDate } })) {
          rows.push(row);
          if (rows.length === rowsPerPage) {
            await flush();
            rows = [];
          }
        }
        if (rows.length) await flush();
        call.end();
      });
      backend = run;
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, stop: () => server.forceShutdown() };
}
