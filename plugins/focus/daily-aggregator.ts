import { Decimal } from '../../lib/money';
import { BadRowTally, missingColumnsError, type OnBadRows } from './bad-rows';
import type { CsvRecord } from './csv-records';
import { focusVersion, indexColumns, type ColumnIndex, type CostColumn, type FocusColumn } from './focus-columns';
import { currencyCode, flattenTags, scaledDecimal, SUM_SCALE, utcDay } from './focus-values';
import { FileInterpretations } from './interpretations';

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

interface Bucket {
  day: string;
  account: string;
  provider: string;
  service: string;
  region: string;
  chargeCategory: string;
  currency: string;
  tags: Record<string, string>;
  cost: bigint;
  quantity: bigint;
  unit: string | null;
  mixedUnits: boolean;
  lineItems: number;
}

/** Tag texts seen lately and their parsed form (tags repeat a lot in real exports). */
const TAG_CACHE_LIMIT = 4096;
const EMPTY_TAGS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Folds FOCUS line items into daily cost buckets keyed by (day, account, provider, service,
 * region, charge category, currency, tags). Memory is bounded by the number of distinct keys,
 * never by the number of rows. Every row is checked, including rows of other accounts: a bad row
 * is a bad export.
 */
export class DailyAggregator {
  readonly bad: BadRowTally;
  readonly files: FileInterpretations[] = [];
  lineItems = 0;
  /** Line items of the account that fell outside the range. */
  outsideRange = 0;
  private readonly buckets = new Map<string, Bucket>();
  private readonly tagCache = new Map<string, { tags: Record<string, string>; key: string } | string>();
  private readonly dayCache = new Map<string, ReturnType<typeof utcDay>>();
  private file = '';
  private header: string[] = [];
  private index!: ColumnIndex;
  private notes!: FileInterpretations;

  constructor(readonly settings: AggregateSettings) {
    this.bad = new BadRowTally(settings.onBadRows);
  }

  /** Starts a file: checks its header (throws naming the missing columns). */
  startFile(file: string, header: string[]): void {
    const { index, missing } = indexColumns(header, this.settings.costColumn);
    if (missing.length) throw missingColumnsError(file, missing);
    this.file = file;
    this.header = header;
    this.index = index;
    this.notes = new FileInterpretations(file, focusVersion(header));
    this.files.push(this.notes);
  }

  /** Adds one data record of the current file. */
  add(record: CsvRecord): void {
    const f = record.fields;
    const line = record.line;
    if (f.length !== this.header.length) {
      const fewer = f.length < this.header.length;
      const column = fewer ? this.header[f.length] : this.header[this.header.length - 1];
      this.problem(line, column, `${f.length} fields where the header has ${this.header.length} (${fewer ? `${column} and after are missing` : `extra fields after ${column}`})`);
      return;
    }
    if (record.problem) {
      this.problem(line, this.header[0], record.problem);
      return;
    }
    const ix = this.index;
    const notes = this.notes;
    const get = (c: FocusColumn): string | null => {
      const i = ix[c];
      if (i < 0) return null;
      const v = f[i];
      if (v === '') {
        notes.emptyAsNull++;
        return null;
      }
      if (v === 'NULL' || v === 'null') {
        notes.nullLiterals++;
        return null;
      }
      return v;
    };

    // Dates
    const startText = get('ChargePeriodStart');
    if (startText === null) return this.problem(line, 'ChargePeriodStart', 'is null; every row needs the start of its charge period');
    const start = this.day(startText);
    if (typeof start === 'string') return this.problem(line, 'ChargePeriodStart', start);
    const endText = get('ChargePeriodEnd');
    if (endText === null) return this.problem(line, 'ChargePeriodEnd', 'is null; every row needs the end of its charge period');
    const end = this.day(endText);
    if (typeof end === 'string') return this.problem(line, 'ChargePeriodEnd', end);

    // Amounts
    const column = this.settings.costColumn;
    const costText = get(column);
    if (costText === null) return this.problem(line, column, 'is null; the cost column must hold a decimal');
    const cost = scaledDecimal(costText);
    if (typeof cost === 'string') return this.problem(line, column, cost);
    const quantityText = get('ConsumedQuantity');
    let quantity = 0n;
    if (quantityText !== null) {
      const q = scaledDecimal(quantityText);
      if (typeof q === 'string') return this.problem(line, 'ConsumedQuantity', q);
      quantity = q;
    }
    const currencyText = get('BillingCurrency');
    if (currencyText === null) return this.problem(line, 'BillingCurrency', 'is null; every row needs its currency');
    const currency = currencyCode(currencyText);
    if (typeof currency !== 'string') return this.problem(line, 'BillingCurrency', currency.problem);

    // Account
    const billingAccount = get('BillingAccountId');
    let account = get('SubAccountId');
    if (account === null) {
      if (billingAccount === null) return this.problem(line, 'BillingAccountId', 'is null, and so is SubAccountId: the row belongs to no account');
      notes.billingAccountForSubAccount++;
      account = billingAccount;
    }

    // Tags
    const tagsText = get('Tags');
    let tags = EMPTY_TAGS;
    let tagsKey = '';
    if (tagsText !== null) {
      const parsed = this.tags(tagsText);
      if (typeof parsed === 'string') return this.problem(line, 'Tags', parsed);
      tags = parsed.tags;
      tagsKey = parsed.key;
    }

    const chargeCategory = get('ChargeCategory') ?? '';
    if (column !== 'EffectiveCost' && cost > 0n) {
      const effective = f[ix.EffectiveCost];
      if (effective !== undefined && /^0*(\.0*)?$/.test(effective) && effective !== '') notes.effectiveZeroBilledPositive++;
    }
    notes.timestamp(start.form);
    notes.timestamp(end.form);
    this.lineItems++;

    const s = this.settings;
    if (s.account !== undefined && account !== s.account) return;
    if (s.chargeCategories && !s.chargeCategories.has(chargeCategory)) return;
    if (s.range && (start.day < s.range.start || start.day > s.range.end)) {
      this.outsideRange++;
      return;
    }
    const provider = get('ProviderName') ?? '';
    const service = get('ServiceName') ?? get('ServiceCategory') ?? chargeCategory;
    const region = get('RegionId') ?? get('RegionName') ?? '';
    const unit = get('ConsumedUnit') ?? '';
    const key = `${start.day}\u0001${account}\u0001${provider}\u0001${service}\u0001${region}\u0001${chargeCategory}\u0001${currency}\u0001${tagsKey}`;
    let b = this.buckets.get(key);
    if (!b) {
      b = { day: start.day, account, provider, service, region, chargeCategory, currency, tags, cost: 0n, quantity: 0n, unit: null, mixedUnits: false, lineItems: 0 };
      this.buckets.set(key, b);
    }
    b.cost += cost;
    b.lineItems++;
    if (quantityText !== null) {
      b.quantity += quantity;
      if (b.unit === null) b.unit = unit;
      else if (b.unit !== unit) b.mixedUnits = true;
    }
  }

  /** The buckets as daily costs, in a stable order (day, account, then the rest of the key). */
  *results(): Generator<DailyCost> {
    const keys = [...this.buckets.keys()].sort();
    for (const k of keys) {
      const b = this.buckets.get(k)!;
      yield {
        day: b.day,
        account: b.account,
        provider: b.provider,
        service: b.service,
        region: b.region,
        chargeCategory: b.chargeCategory,
        currency: b.currency,
        tags: b.tags,
        cost: Decimal.of(b.cost, SUM_SCALE).toString(),
        quantity: b.mixedUnits ? '0' : Decimal.of(b.quantity, SUM_SCALE).toString(),
        unit: b.mixedUnits ? '' : (b.unit ?? ''),
        lineItems: b.lineItems,
      };
    }
  }

  get size(): number {
    return this.buckets.size;
  }

  /** What had to be interpreted, over every file read; '' when nothing. */
  interpreted(): string {
    return this.files
      .map((n) => n.summary())
      .filter(Boolean)
      .join(' | ');
  }

  private problem(line: number, column: string, problem: string): void {
    this.bad.report({ file: this.file, line, column, problem });
  }

  private day(text: string): ReturnType<typeof utcDay> {
    let d = this.dayCache.get(text);
    if (d === undefined) {
      if (this.dayCache.size >= TAG_CACHE_LIMIT) this.dayCache.clear();
      d = utcDay(text);
      this.dayCache.set(text, d);
    }
    return d;
  }

  private tags(text: string): { tags: Record<string, string>; key: string } | string {
    let t = this.tagCache.get(text);
    if (t === undefined) {
      if (this.tagCache.size >= TAG_CACHE_LIMIT) this.tagCache.clear();
      const flat = flattenTags(text);
      if (typeof flat === 'string') t = flat;
      else {
        const entries = Object.entries(flat).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        t = { tags: Object.fromEntries(entries), key: JSON.stringify(entries) };
      }
      this.tagCache.set(text, t);
    }
    return t;
  }
}
