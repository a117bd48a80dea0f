import type { CsvScanner } from './csv-records';
import { KEY_PARTS, TextIds, type DailyPartial } from './daily-partial';
import { LIMBS, LimbSum, limbsPositive, parseDecimalLimbs } from './decimal-limbs';
import { FieldCache } from './field-cache';
import { indexColumns, type ColumnIndex, type CostColumn } from './focus-columns';
import { currencyCode, flattenTags, scaledDecimal, utcDay, type TimestampForm } from './focus-values';

/** What the reader needs of the options: the same in every thread. */
export interface ReadSettings {
  costColumn: CostColumn;
  /** ChargeCategory values that count; all when unset. */
  chargeCategories?: ReadonlySet<string>;
  /** Only rows of this account (SubAccountId, else BillingAccountId); every account when unset. */
  account?: string;
  /** Only days in this inclusive range (YYYY-MM-DD). */
  range?: { start: string; end: string };
}

/** What a field's text means, once it is read; `id` numbers its value once a bucket key uses it. */
class Text {
  id = -1;
  constructor(readonly text: string) {}
}
class Day {
  id = -1;
  constructor(
    readonly day: string,
    readonly form: TimestampForm,
  ) {}
}
class Tags {
  id = -1;
  constructor(
    readonly tags: Record<string, string>,
    readonly key: string,
  ) {}
}

const NULL = -1;
const NO_TAGS = Object.freeze({}) as Record<string, string>;

function readTags(text: string): Tags | string {
  const flat = flattenTags(text);
  if (typeof flat === 'string') return flat;
  const entries = Object.entries(flat).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return new Tags(Object.fromEntries(entries), JSON.stringify(entries));
}
const readDay = (text: string): Day | string => {
  const d = utcDay(text);
  return typeof d === 'string' ? d : new Day(d.day, d.form);
};
const readCurrency = (text: string): Text | string => {
  const c = currencyCode(text);
  return typeof c === 'string' ? new Text(c) : c.problem;
};

/** True when bytes [s, e) are /^0*(\.0*)?$/ and not empty: a zero written as a plain decimal. */
function isZeroText(d: Uint8Array, s: number, e: number): boolean {
  if (s === e) return false;
  let i = s;
  while (i < e && d[i] === 48) i++;
  if (i < e && d[i] === 46) i++;
  while (i < e && d[i] === 48) i++;
  return i === e;
}

/**
 * Checks FOCUS line items and folds them into daily buckets: one per thread. Rows come as scanned
 * CSV records (offsets into bytes): amounts are parsed from their bytes into exact limbs, other
 * values are looked up by their bytes in bounded caches, so a row makes no string and no object
 * once its values have been seen, and a bucket key is a tuple of value ids.
 */
export class LineItemReader {
  readonly ids = new TextIds();
  private readonly texts = new FieldCache<Text>((t) => new Text(t));
  private readonly days = new FieldCache(readDay);
  private readonly currencies = new FieldCache(readCurrency);
  private readonly tagSets = new FieldCache(readTags, 4096);
  /** A null value and a row without tags. */
  private readonly empty = new Text('');
  private readonly noTags = new Tags(NO_TAGS, '');
  private readonly cost = new Float64Array(LIMBS);
  private readonly quantity = new Float64Array(LIMBS);
  private readonly key = new Int32Array(KEY_PARTS);
  private header: readonly string[] = [];
  private index!: ColumnIndex;

  constructor(readonly settings: ReadSettings) {}

  /** Starts a file (whose header has every mandatory column). */
  startFile(header: readonly string[]): void {
    this.header = header;
    this.index = indexColumns(header, this.settings.costColumn).index;
  }

  /** Checks the scanner's current record, a data record of the current file, and adds it to part (or reports it there). */
  read(sc: CsvScanner, part: DailyPartial): void {
    const header = this.header;
    const line = sc.line;
    const n = sc.count;
    if (n !== header.length) {
      const fewer = n < header.length;
      const column = fewer ? header[n] : header[header.length - 1];
      part.report(line, column, `${n} fields where the header has ${header.length} (${fewer ? `${column} and after are missing` : `extra fields after ${column}`})`);
      return;
    }
    if (sc.problem !== undefined) return part.report(line, header[0], sc.problem);
    const ix = this.index;
    const notes = part.counts;

    // Dates
    let k = this.field(sc, ix.ChargePeriodStart, part);
    if (k === NULL) return part.report(line, 'ChargePeriodStart', 'is null; every row needs the start of its charge period');
    const start = this.days.get(sc, k);
    if (typeof start === 'string') return part.report(line, 'ChargePeriodStart', start);
    k = this.field(sc, ix.ChargePeriodEnd, part);
    if (k === NULL) return part.report(line, 'ChargePeriodEnd', 'is null; every row needs the end of its charge period');
    const end = this.days.get(sc, k);
    if (typeof end === 'string') return part.report(line, 'ChargePeriodEnd', end);

    // Amounts
    const column = this.settings.costColumn;
    k = this.field(sc, ix[column], part);
    if (k === NULL) return part.report(line, column, 'is null; the cost column must hold a decimal');
    if (!parseDecimalLimbs(sc.data, sc.starts[k], sc.ends[k], this.cost)) return part.report(line, column, scaledDecimal(sc.field(k)) as string);
    const quantityField = this.field(sc, ix.ConsumedQuantity, part);
    if (quantityField !== NULL && !parseDecimalLimbs(sc.data, sc.starts[quantityField], sc.ends[quantityField], this.quantity))
      return part.report(line, 'ConsumedQuantity', scaledDecimal(sc.field(quantityField)) as string);
    k = this.field(sc, ix.BillingCurrency, part);
    if (k === NULL) return part.report(line, 'BillingCurrency', 'is null; every row needs its currency');
    const currency = this.currencies.get(sc, k);
    if (typeof currency === 'string') return part.report(line, 'BillingCurrency', currency);

    // Account
    const billingField = this.field(sc, ix.BillingAccountId, part);
    let accountField = this.field(sc, ix.SubAccountId, part);
    if (accountField === NULL) {
      if (billingField === NULL) return part.report(line, 'BillingAccountId', 'is null, and so is SubAccountId: the row belongs to no account');
      notes.billingAccountForSubAccount++;
      accountField = billingField;
    }
    const account = this.texts.get(sc, accountField);

    // Tags
    k = this.field(sc, ix.Tags, part);
    let tags = this.noTags;
    if (k !== NULL) {
      const parsed = this.tagSets.get(sc, k);
      if (typeof parsed === 'string') return part.report(line, 'Tags', parsed);
      tags = parsed;
    }

    k = this.field(sc, ix.ChargeCategory, part);
    const chargeCategory = k === NULL ? this.empty : this.texts.get(sc, k);
    const effective = ix.EffectiveCost;
    if (column !== 'EffectiveCost' && effective >= 0 && limbsPositive(this.cost) && isZeroText(sc.data, sc.starts[effective], sc.ends[effective])) notes.effectiveZeroBilledPositive++;
    notes.timestamp(start.form);
    notes.timestamp(end.form);
    part.lineItems++;

    const s = this.settings;
    if (s.account !== undefined && account.text !== s.account) return;
    if (s.chargeCategories && !s.chargeCategories.has(chargeCategory.text)) return;
    if (s.range && (start.day < s.range.start || start.day > s.range.end)) {
      part.outsideRange++;
      return;
    }
    k = this.field(sc, ix.ProviderName, part);
    const provider = k === NULL ? this.empty : this.texts.get(sc, k);
    k = this.field(sc, ix.ServiceName, part);
    if (k === NULL) k = this.field(sc, ix.ServiceCategory, part);
    const service = k === NULL ? chargeCategory : this.texts.get(sc, k);
    k = this.field(sc, ix.RegionId, part);
    if (k === NULL) k = this.field(sc, ix.RegionName, part);
    const region = k === NULL ? this.empty : this.texts.get(sc, k);
    k = this.field(sc, ix.ConsumedUnit, part);
    const unit = k === NULL ? this.empty : this.texts.get(sc, k);

    const ids = this.ids;
    const key = this.key;
    key[0] = start.id >= 0 ? start.id : (start.id = ids.id(start.day));
    key[1] = account.id >= 0 ? account.id : (account.id = ids.id(account.text));
    key[2] = provider.id >= 0 ? provider.id : (provider.id = ids.id(provider.text));
    key[3] = service.id >= 0 ? service.id : (service.id = ids.id(service.text));
    key[4] = region.id >= 0 ? region.id : (region.id = ids.id(region.text));
    key[5] = chargeCategory.id >= 0 ? chargeCategory.id : (chargeCategory.id = ids.id(chargeCategory.text));
    key[6] = currency.id >= 0 ? currency.id : (currency.id = ids.id(currency.text));
    key[7] = tags.id >= 0 ? tags.id : (tags.id = ids.id(tags.key));
    let i = part.find(key);
    if (i < 0) {
      i = -i - 1;
      part.buckets.push({
        key: key.slice(),
        day: start.day,
        account: account.text,
        provider: provider.text,
        service: service.text,
        region: region.text,
        chargeCategory: chargeCategory.text,
        currency: currency.text,
        tags: tags.tags,
        tagsKey: tags.key,
        cost: new LimbSum(),
        quantity: new LimbSum(),
        unit: null,
        mixedUnits: false,
        lineItems: 0,
      });
    }
    const b = part.buckets[i];
    b.cost.add(this.cost);
    b.lineItems++;
    if (quantityField !== NULL) {
      b.quantity.add(this.quantity);
      if (b.unit === null) b.unit = unit.text;
      else if (b.unit !== unit.text) b.mixedUnits = true;
    }
  }

  /**
   * The field at position i of the record, or NULL when the column is absent or the value is
   * null (empty, or written NULL/null; counted as interpreted).
   */
  private field(sc: CsvScanner, i: number, part: DailyPartial): number {
    if (i < 0) return NULL;
    const s = sc.starts[i];
    const len = sc.ends[i] - s;
    if (len === 0) {
      part.counts.emptyAsNull++;
      return NULL;
    }
    if (len === 4) {
      const d = sc.data;
      const c = d[s];
      if ((c === 78 && d[s + 1] === 85 && d[s + 2] === 76 && d[s + 3] === 76) || (c === 110 && d[s + 1] === 117 && d[s + 2] === 108 && d[s + 3] === 108)) {
        part.counts.nullLiterals++;
        return NULL;
      }
    }
    return i;
  }
}
