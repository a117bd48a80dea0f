import { Decimal } from '../../lib/money';
import { BadRowTally, missingColumnsError, type OnBadRows } from './bad-rows';
import { CsvSyntaxError } from './csv-records';
import { DailyPartial, type Bucket, type BucketData } from './daily-partial';
import type { PieceOutcome } from './file-pieces';
import { focusVersion, indexColumns, type CostColumn } from './focus-columns';
import { SUM_SCALE } from './focus-values';
import { FileInterpretations } from './interpretations';
import { LineItemReader } from './line-item-reader';

export interface AggregateSettings {
  costColumn: CostColumn;
  /** ChargeCategory values that count; all when unset. */
  chargeCategories?: ReadonlySet<string>;
  onBadRows: OnBadRows;
  /** Only rows of this account (SubAccountId, else BillingAccountId); every account when unset. */
  account?: string;
  /** Only days in this inclusive range (YYYY-MM-DD). */
  range?: { start: string; end: string };
}

/** One day of cost for one sub-account, service, region, charge category, currency and tag set. */
export interface DailyCost {
  day: string;
  account: string;
  provider: string;
  service: string;
  region: string;
  chargeCategory: string;
  currency: string;
  tags: Record<string, string>;
  /** Exact plain decimal text. */
  cost: string;
  /** Summed ConsumedQuantity when every line item had the same unit; '0' otherwise. */
  quantity: string;
  unit: string;
  lineItems: number;
}

/**
 * Folds FOCUS line items into daily cost buckets keyed by (day, account, provider, service,
 * region, charge category, currency, tags). Memory is bounded by the number of distinct keys,
 * never by the number of rows. Every row is checked, including rows of other accounts: a bad row
 * is a bad export.
 *
 * Files are read in pieces (readExport): each piece's rows are checked and summed by a
 * LineItemReader, in this thread or a worker's; pieces are confirmed here in file order
 * (addPiece: counts, bad rows with their lines), and their buckets added (commit, or mergeData
 * for a worker's at the end).
 */
export class DailyAggregator {
  readonly bad: BadRowTally;
  readonly files: FileInterpretations[] = [];
  lineItems = 0;
  /** Line items of the account that fell outside the range. */
  outsideRange = 0;
  /** This thread's reader of rows. */
  readonly reader: LineItemReader;
  /** Reading a piece stops at its first bad row (the task fails there). */
  readonly stopAtFirst: boolean;
  /** The current file's header, and its number among the files read (1, 2...). */
  header: string[] = [];
  fileNumber = 0;
  private readonly total = new DailyPartial();
  private file = '';
  private notes!: FileInterpretations;

  constructor(readonly settings: AggregateSettings) {
    this.bad = new BadRowTally(settings.onBadRows);
    this.stopAtFirst = settings.onBadRows === 'fail';
    const { costColumn, chargeCategories, account, range } = settings;
    this.reader = new LineItemReader({ costColumn, chargeCategories, account, range });
  }

  /** Starts a file: checks its header (throws naming the missing columns). */
  startFile(file: string, header: string[]): void {
    const { missing } = indexColumns(header, this.settings.costColumn);
    if (missing.length) throw missingColumnsError(file, missing);
    this.file = file;
    this.header = header;
    this.fileNumber++;
    this.reader.startFile(header);
    this.notes = new FileInterpretations(file, focusVersion(header));
    this.files.push(this.notes);
  }

  /**
   * Takes what a piece of the current file found, in file order, its lines counted from
   * firstLine: bad rows (the first fails the task under `fail`), then its counts. Throws the
   * CsvSyntaxError that ended it, if any.
   */
  addPiece(o: PieceOutcome, firstLine: number): void {
    for (const p of o.problems) this.bad.report({ file: this.file, line: firstLine + p.line - 1, column: p.column, problem: p.problem });
    this.bad.count += o.problemCount - o.problems.length;
    if (o.syntax) throw new CsvSyntaxError(firstLine + o.syntax.line - 1, o.syntax.message);
    this.lineItems += o.lineItems;
    this.outsideRange += o.outsideRange;
    this.notes.absorb(o.counts);
  }

  /** Keeps the buckets of a piece this thread read (after addPiece). */
  commit(part: DailyPartial): void {
    this.total.merge(part);
  }

  /** Keeps buckets another thread summed. */
  mergeData(buckets: readonly BucketData[]): void {
    this.total.mergeData(buckets, this.reader.ids);
  }

  /** The buckets as daily costs, in a stable order (day, account, then the rest of the key). */
  *results(): Generator<DailyCost> {
    const sortKey = (b: Bucket) => `${b.day}\u0001${b.account}\u0001${b.provider}\u0001${b.service}\u0001${b.region}\u0001${b.chargeCategory}\u0001${b.currency}\u0001${b.tagsKey}`;
    const sorted = this.total.buckets.map((b) => [sortKey(b), b] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, b] of sorted) {
      yield {
        day: b.day,
        account: b.account,
        provider: b.provider,
        service: b.service,
        region: b.region,
        chargeCategory: b.chargeCategory,
        currency: b.currency,
        tags: b.tags,
        cost: Decimal.of(b.cost.units(), SUM_SCALE).toString(),
        quantity: b.mixedUnits ? '0' : Decimal.of(b.quantity.units(), SUM_SCALE).toString(),
        unit: b.mixedUnits ? '' : (b.unit ?? ''),
        lineItems: b.lineItems,
      };
    }
  }

  get size(): number {
    return this.total.buckets.length;
  }

  /** What had to be interpreted, over every file read; '' when nothing. */
  interpreted(): string {
    return this.files
      .map((n) => n.summary())
      .filter(Boolean)
      .join(' | ');
  }
}
