import { DataSourcePluginServiceGetCostDataResponse as CostDataPageMessage, type CostRow, type TaskReport } from '../../gen/tally/plugin/billing/v1/plugin';
import { DomainError } from '../../lib/errors/domain-error';
import { closeIterator, nextUnlessAborted } from '../../lib/grpc/bind-stream';
import type { CostRowInput, CostRowSource } from './types';

export interface PageLimits {
  /** Rows per page (1..10000). */
  pageSize: number;
  /** Encoded size no page may exceed: the gRPC message limit. */
  maxPageBytes: number;
  signal: AbortSignal;
}

/** Room left for the page number field and the message's own framing. */
const PAGE_FIELD_BYTES = 16;

/**
 * The row's encoded size, exact for ASCII text (string fields and map entries as protobuf
 * writes them); under for other text, which encodeWithin then catches. Reading string lengths
 * is far cheaper than encoding a row on its own.
 */
function estimateSize(row: CostRow): number {
  let n =
    26 +
    row.billedDate.length +
    row.externalAccountId.length +
    row.provider.length +
    row.product.length +
    row.region.length +
    row.usageType.length +
    row.resourceId.length +
    row.usageQuantity.length +
    row.usageUnit.length +
    row.cost.length +
    row.currency.length;
  for (const k in row.tags) n += 6 + k.length + row.tags[k].length;
  for (const k in row.additionalInfo) n += 6 + k.length + row.additionalInfo[k].length;
  return n + (n < 128 ? 2 : 3);
}

/** A row with every field present (ts-proto's encoder expects no undefined), copied only when needed. */
function complete(row: CostRowInput): CostRow {
  if (
    row.region !== undefined &&
    row.usageType !== undefined &&
    row.resourceId !== undefined &&
    row.usageUnit !== undefined &&
    row.tags !== undefined &&
    row.additionalInfo !== undefined
  ) {
    return row as CostRow;
  }
  return { region: '', usageType: '', resourceId: '', usageUnit: '', tags: {}, additionalInfo: {}, ...stripUndefined(row) } as CostRow;
}

function stripUndefined(row: CostRowInput): Partial<CostRow> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (v !== undefined) out[k] = v;
  return out;
}

/** Collects rows into GetCostDataResponse pages, encoded in one pass per page. */
class PageBuilder {
  private rows: CostRow[] = [];
  private bytes = 0;
  private page = 0;

  constructor(private readonly limits: PageLimits) {}

  get count(): number {
    return this.rows.length;
  }

  /** Adds the row; answers the finished pages first when it would not fit in this one. */
  add(input: CostRowInput): Buffer[] | undefined {
    const row = complete(input);
    const size = estimateSize(row);
    let full: Buffer[] | undefined;
    if (this.rows.length && this.bytes + size + PAGE_FIELD_BYTES > this.limits.maxPageBytes) full = this.take();
    this.rows.push(row);
    this.bytes += size;
    return full;
  }

  /** The stream's last message: the task's report and no rows. */
  reportPage(report: TaskReport): Buffer {
    const bytes = CostDataPageMessage.encode({ rows: [], page: ++this.page, report }).finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get isFull(): boolean {
    return this.rows.length >= this.limits.pageSize;
  }

  /** The rows so far as encoded pages (numbered from 1; usually one), and a fresh page. */
  take(): Buffer[] {
    const rows = this.rows;
    this.rows = [];
    this.bytes = 0;
    const out: Buffer[] = [];
    this.encodeWithin(rows, out);
    return out;
  }

  /** Encodes the rows as one page, or, when the estimate was short (non-ASCII text), as halves. */
  private encodeWithin(rows: CostRow[], out: Buffer[]): void {
    const bytes = CostDataPageMessage.encode({ rows, page: this.page + 1 }).finish();
    if (bytes.length <= this.limits.maxPageBytes) {
      this.page++;
      out.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return;
    }
    if (rows.length === 1) {
      const row = rows[0];
      throw new DomainError(
        'RESOURCE_EXHAUSTED',
        'PLUGIN.ROW_TOO_LARGE',
        `a cost row (billed_date ${row.billedDate}, product ${String(row.product).slice(0, 64)}) is larger than the message limit of ${this.limits.maxPageBytes} bytes`,
      );
    }
    const mid = rows.length >> 1;
    this.encodeWithin(rows.slice(0, mid), out);
    this.encodeWithin(rows.slice(mid), out);
  }
}

/**
 * Re-chunks a plugin's rows (yielded one by one or in arrays of any size) into encoded
 * GetCostDataResponse pages of at most `pageSize` rows and `maxPageBytes` bytes. Stops pulling
 * the source as soon as the signal aborts, and closes it (generators run their finally blocks).
 * When the source is exhausted and `report` answers one, a last page carries it.
 */
export async function* encodePages(source: CostRowSource, limits: PageLimits, report?: () => TaskReport | undefined): AsyncGenerator<Buffer, void, undefined> {
  const pages = new PageBuilder(limits);
  const isAsync = Symbol.asyncIterator in source;
  const it = isAsync
    ? (source as AsyncIterable<CostRowInput | CostRowInput[]>)[Symbol.asyncIterator]()
    : (source as Iterable<CostRowInput | CostRowInput[]>)[Symbol.iterator]();
  let exhausted = false;
  try {
    for (;;) {
      if (limits.signal.aborted) return;
      const r = isAsync ? await nextUnlessAborted(it, limits.signal) : (it as Iterator<CostRowInput | CostRowInput[]>).next();
      if (!r) return;
      if (r.done) {
        exhausted = true;
        break;
      }
      const item = r.value;
      if (Array.isArray(item)) {
        for (let i = 0; i < item.length; i++) {
          const full = pages.add(item[i]);
          if (full) yield* full;
          if (pages.isFull) yield* pages.take();
        }
      } else {
        const full = pages.add(item);
        if (full) yield* full;
        if (pages.isFull) yield* pages.take();
      }
    }
    if (pages.count) yield* pages.take();
    const last = report?.();
    if (last) yield pages.reportPage(last);
  } finally {
    if (!exhausted) closeIterator(it);
  }
}
